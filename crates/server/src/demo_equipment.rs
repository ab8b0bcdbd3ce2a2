//! The demo's equipment pool (issue 19), so its pages show something at once: headsets,
//! cameras, laptops and mobile phones with inventory numbers; the clerk holds a headset,
//! both cameras are lent (the team lead's since two weeks, three days overdue, so the
//! sweep reminds her), a laptop is reserved for the hotline agent later this week, and
//! the agent and a colleague of the clerk wait for a camera (another colleague holds the
//! other one).
//!
//! Added once: a database with items is left alone.

use anyhow::anyhow;
use planner::calendar::add_days;
use planner::equipment::{DateRange, Kind};
use store::Store;

const CLERK: &str = "sachbearbeitung";
const CLERKS_UNIT: &str = "Ausländerbehörde";
const TEAM_LEAD: &str = "teamleitung";
const AGENT: &str = "hotline";

const ITEMS: [(&str, Kind, &str, Option<&str>); 10] = [
    ("HS-0001", Kind::Headset, "Jabra Evolve2 40", None),
    ("HS-0002", Kind::Headset, "Jabra Evolve2 40", None),
    (
        "HS-0003",
        Kind::Headset,
        "Poly Voyager 4320",
        Some("mit Ladeschale"),
    ),
    ("CAM-0001", Kind::Camera, "Logitech C920", None),
    ("CAM-0002", Kind::Camera, "Logitech Brio", None),
    (
        "NB-0001",
        Kind::Laptop,
        "Lenovo ThinkPad T14",
        Some("mit Dockingstation"),
    ),
    ("NB-0002", Kind::Laptop, "Lenovo ThinkPad T14", None),
    ("NB-0003", Kind::Laptop, "Dell Latitude 5440", None),
    (
        "MP-0001",
        Kind::MobilePhone,
        "Samsung Galaxy A55",
        Some("Diensthandy"),
    ),
    ("MP-0002", Kind::MobilePhone, "Samsung Galaxy A55", None),
];

/// Seeds the pool (once), on the local day of `now_ms`.
pub async fn seed(store: &Store, now_ms: i64) -> anyhow::Result<()> {
    if !store.equipment_items().await?.is_empty() {
        return Ok(());
    }
    let (Some(clerk), Some(lead), Some(agent)) = (
        store.panel_person(CLERK).await?,
        store.panel_person(TEAM_LEAD).await?,
        store.panel_person(AGENT).await?,
    ) else {
        return Ok(());
    };
    let colleagues: Vec<_> = store
        .unit_people(CLERKS_UNIT, false)
        .await?
        .into_iter()
        .filter(|p| p.id != clerk.id)
        .collect();
    let mut ids = Vec::new();
    for (number, kind, name, notes) in ITEMS {
        ids.push(
            store
                .add_equipment_item(number, kind, name, notes, now_ms)
                .await?
                .id,
        );
    }
    let today = planner::calendar::local_time(now_ms / 1000).date();
    let lend = |item: i64, person: i64, from: i64, due: i64| {
        store.lend_equipment(
            item,
            person,
            add_days(today, from),
            add_days(today, due),
            now_ms,
        )
    };
    let refused = |e: planner::equipment::EquipmentError| anyhow!("demo equipment: {e}");
    lend(ids[0], clerk.id, 0, 10).await?.map_err(refused)?;
    lend(ids[4], lead.id, -14, -3).await?.map_err(refused)?;
    let holder = colleagues.first().map_or(clerk.id, |p| p.id);
    lend(ids[3], holder, -2, 5).await?.map_err(refused)?;
    let days = DateRange::new(add_days(today, 2), add_days(today, 4)).map_err(refused)?;
    store
        .reserve_equipment(ids[5], agent.id, days, today, now_ms)
        .await?
        .map_err(refused)?;
    store
        .join_equipment_waiting(agent.id, Kind::Camera, today, now_ms - 3_600_000)
        .await?
        .map_err(refused)?;
    if let Some(colleague) = colleagues.get(1) {
        store
            .join_equipment_waiting(colleague.id, Kind::Camera, today, now_ms)
            .await?
            .ok();
    }
    Ok(())
}
