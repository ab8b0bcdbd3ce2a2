//! Shared by the presence and chat store contracts: the staff file, the backends,
//! and small builders.
#![allow(dead_code, unused_imports)] // each contract file uses a part

pub use directory::{parse_staff_csv, plan_import, GroupKind, GroupName, Login};
pub use store::{
    AttachmentRow, NewMessage, PanelPerson, RoomSummary, Store, StoreError, StoredPresence,
    StoredWatch,
};

/// Logins sort differently from names, so "by name" is visible. `Bauamtsleitung` starts
/// with `Bauamt` but is not below it.
pub const FILE: &str = "login,name,unit,extension
z.zander,Anna Zander,Bauamt,2501
a.adler,Bernd Adler,Bauamt,2502
m.mayer,Carla Mayer,Bauamt/Hochbau,2511
t.tief,Anton Tief,Bauamt/Tiefbau,2521
l.lang,Lena Lang,Bauamtsleitung,2590
h.huber,Hanna Huber,Gesundheitsamt,2401
";

/// Every backend of this run, each with `FILE` imported.
pub async fn stores() -> Vec<(Store, testkit::TestDb)> {
    let mut out = Vec::new();
    for db in testkit::databases().await {
        let store = Store::open(&db.url)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        import(&store, FILE).await;
        out.push((store, db));
    }
    out
}

pub async fn import(store: &Store, csv: &str) {
    let plan = plan_import(
        &store.snapshot().await.unwrap(),
        parse_staff_csv(csv.as_bytes()),
    );
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    store.apply_import(&plan, &mut |_, _| {}).await.unwrap();
}

pub fn login(l: &str) -> Login {
    Login::parse(l).unwrap()
}

pub async fn id(store: &Store, l: &str) -> i64 {
    store.panel_person(l).await.unwrap().unwrap().id
}

pub async fn staff_ids<const N: usize>(store: &Store, who: [&str; N]) -> [i64; N] {
    let mut out = [0; N];
    for (slot, l) in out.iter_mut().zip(who) {
        *slot = id(store, l).await;
    }
    out
}

pub fn logins(people: &[PanelPerson]) -> Vec<&str> {
    people.iter().map(|p| p.login.as_str()).collect()
}

/// What `presence::chat_text::like_pattern` builds (the store does not depend on that
/// crate); message search takes such a pattern: the lower-cased text anywhere, wildcards escaped with `\`.
pub fn like(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// A new message whose id is its first revision, as the chat writer makes them.
pub fn msg(id: i64, room_id: i64, author_id: i64, text: &str) -> NewMessage {
    NewMessage {
        id,
        rev: id,
        room_id,
        author_id,
        text: text.into(),
        search_text: text.to_lowercase(),
        mentions: String::new(),
        attachment_id: None,
        sent_at_ms: 1_000 * id,
    }
}

pub fn ids(messages: &[store::MessageRow]) -> Vec<i64> {
    messages.iter().map(|m| m.id).collect()
}

pub async fn summary(store: &Store, staff_id: i64, room_id: i64) -> RoomSummary {
    let rooms = store.rooms_of(staff_id).await.unwrap();
    rooms.into_iter().find(|r| r.room.id == room_id).unwrap()
}

/// The unit room of `unit` as `staff_id` sees it, if they are in it.
pub async fn unit_room(store: &Store, staff_id: i64, unit: &str) -> Option<RoomSummary> {
    let rooms = store.rooms_of(staff_id).await.unwrap();
    rooms
        .into_iter()
        .find(|r| r.room.kind == "unit" && r.room.name == unit)
}

// ---- presence ----
