//! The demo's citizen hotline (issue 16): "Bürgertelefon Gesundheitsamt" on extension
//! 2900 and the direct number +49 9321 928-2900, open on working days, closed on
//! Bavarian holidays; one queue answered by the hotline unit's agents (the agent "hotline"
//! logged in), "teamleitung" and "admin" as supervisors; its welcome and music on hold
//! as announcements; and three days of past calls in the queue event log, so the
//! wallboard and the reports show something at once. Added once, also to demo folders
//! made before the hotline existed.

use audio::prompts::{self, Language};
use queues::{CallId, EventKind, QueueEvent, QueueId};
use store::{Hotline, HotlineQueue, Store};

const MARKER: &str = "demo_hotline";
/// The hotline's extension.
pub const EXTENSION: &str = "2900";
const DAY_MS: i64 = 86_400_000;

/// Adds the demo hotline, once.
pub async fn seed(store: &Store, now_ms: i64) -> anyhow::Result<()> {
    if store.setting(MARKER).await?.is_some() {
        return Ok(());
    }
    if store.hotline_by_number(EXTENSION).await?.is_some() {
        // A seed that stopped half-way: the hotline is there, keep it.
        store.set_setting(MARKER, "1").await?;
        return Ok(());
    }
    let announcement = |name: &'static str| prompts::clip(Language::German, name).unwrap_or(&[]);
    let welcome = announcement("welcome");
    let welcome = store
        .add_announcement(
            "Begrüßung Bürgertelefon",
            welcome,
            None,
            frames_ms(welcome),
            now_ms,
        )
        .await?;
    let music = announcement(prompts::HOLD_MUSIC);
    let music = store
        .add_announcement("Wartemusik", music, None, frames_ms(music), now_ms)
        .await?;
    let working = "08:00-18:00".to_string();
    let hotline = Hotline {
        id: 0,
        name: "Bürgertelefon Gesundheitsamt".into(),
        extension: EXTENSION.into(),
        did: Some("+4993219282900".into()),
        holiday_state: Some("BY".into()),
        hours: [
            working.clone(),
            working.clone(),
            working.clone(),
            working.clone(),
            working,
            "09:00-12:00".into(),
            String::new(),
        ],
        closed_announcement: None,
        welcome_announcement: Some(welcome),
        hold_music: Some(music),
        case_retention_days: 90,
        // On in the demo to show it; a real hotline starts with it off (the staff
        // council agrees first) and an administrator switches it on.
        supervisor_listen: true,
    };
    let id = store.add_hotline(&hotline, now_ms).await?;
    let mut queue = HotlineQueue::new(id, "Terminvergabe und Fragen");
    queue.max_wait_secs = Some(900);
    queue.wrap_up_secs = 20;
    let queue = store.add_hotline_queue(&queue).await?;
    let mut agents = Vec::new();
    for p in store.unit_people("Gesundheitsamt/Hotline", false).await? {
        if p.login == "teamleitung" {
            store.add_hotline_supervisor(id, p.id).await?;
        } else {
            store.set_queue_agent(queue, p.id, 1).await?;
            agents.push(p.id);
        }
        if p.login == "hotline" {
            store.set_agent_logins(p.id, &[queue], true).await?;
        }
    }
    let admin = store.panel_person("admin").await?;
    if let Some(admin) = &admin {
        store.add_hotline_supervisor(id, admin.id).await?;
        case_form(store, id, admin, now_ms).await?;
    }
    store
        .append_queue_events(&past_calls(QueueId(queue), &agents, now_ms))
        .await?;
    store.set_setting(MARKER, "1").await?;
    Ok(())
}

/// The swab centre's case form, and test appointments for the next five working days
/// (08:00–12:00, every 15 minutes, four places each).
async fn case_form(
    store: &Store,
    hotline: i64,
    admin: &store::PanelPerson,
    now_ms: i64,
) -> anyhow::Result<()> {
    use cases::{FieldSpec, FormDefinition, FormSpec, KindName};
    let field = |key: &str, label: &str, kind: KindName, required: bool| FieldSpec {
        key: key.into(),
        label: label.into(),
        kind,
        required,
        help: String::new(),
        options: Vec::new(),
        min: None,
        max: None,
    };
    let mut reason = field("anliegen", "Anliegen", KindName::Choice, true);
    reason.options = ["Testtermin", "Befund", "Quarantäne", "Sonstiges"]
        .map(String::from)
        .to_vec();
    let spec = FormSpec {
        fields: vec![
            field("name", "Name", KindName::Text, true),
            field("geburtsdatum", "Geburtsdatum", KindName::Date, false),
            field("telefon", "Rückrufnummer", KindName::Phone, false),
            reason,
            field("termin", "Testtermin", KindName::AppointmentSlot, false),
            field("symptome", "Symptome", KindName::YesNo, false),
            field("notiz", "Notiz", KindName::LongText, false),
        ],
    };
    let definition = FormDefinition::validate(&spec).map_err(|e| anyhow::anyhow!("{e}"))?;
    let by = store::CaseActor {
        staff_id: admin.id,
        login: &admin.login,
        source: "demo",
    };
    store
        .set_case_form(hotline, &definition, None, &by, now_ms / 1000)
        .await?;
    let zone = jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC);
    let today = jiff::Timestamp::from_millisecond(now_ms)?
        .to_zoned_datetime(zone.clone())
        .date();
    let mut slots = Vec::new();
    let mut day = today;
    while slots.len() < 5 * 16 {
        day = day.tomorrow()?;
        if day.weekday().to_monday_one_offset() > 5 {
            continue;
        }
        let from = jiff::civil::time(8, 0, 0, 0);
        let until = jiff::civil::time(12, 0, 0, 0);
        slots.extend(
            cases::slot::series(day, from, until, 15, 4, &zone, now_ms / 1000)
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        );
    }
    store
        .add_case_slots(hotline, &slots, &by, now_ms / 1000)
        .await?;
    Ok(())
}

fn frames_ms(alaw: &[u8]) -> i64 {
    alaw.len() as i64 / 8
}

/// Three days of calls before today, deterministic: about 120 a working day between 8
/// and 16 o'clock (UTC+1), most answered within half a minute, some after a long wait,
/// some abandoned (a few within the first seconds).
fn past_calls(queue: QueueId, agents: &[i64], now_ms: i64) -> Vec<QueueEvent> {
    let mut seed: u64 = 0x2900_2020;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n.max(1)
    };
    let today = now_ms - now_ms.rem_euclid(DAY_MS);
    let mut events = Vec::new();
    // Ids of the demo's past calls: below any a running server gives out.
    let mut call = 1_i64;
    for day in 1..=3 {
        let start = today - day * DAY_MS + 7 * 3_600_000;
        let mut at = start;
        while at < start + 8 * 3_600_000 {
            at += 60_000 + next(14) as i64 * 30_000;
            let id = CallId(call);
            call += 1;
            let position = 1 + next(4) as u32;
            events.push(QueueEvent {
                at_ms: at,
                queue,
                kind: EventKind::Entered { call: id, position },
            });
            let roll = next(100);
            let (waited_ms, kind) = if roll < 80 {
                let waited = 4_000 + next(if roll < 65 { 16 } else { 120 }) as i64 * 1_000;
                let agent = agents
                    .get(next(agents.len() as u64) as usize)
                    .copied()
                    .unwrap_or(0);
                let kind = EventKind::Answered {
                    call: id,
                    agent,
                    waited_ms: waited,
                };
                (waited, kind)
            } else {
                let waited = if roll < 85 {
                    2_000
                } else {
                    20_000 + next(90) as i64 * 1_000
                };
                let kind = EventKind::Abandoned {
                    call: id,
                    waited_ms: waited,
                    position,
                };
                (waited, kind)
            };
            if let EventKind::Answered { agent, .. } = kind {
                events.push(QueueEvent {
                    at_ms: (at + waited_ms - 8_000).max(at),
                    queue,
                    kind: EventKind::Offered { call: id, agent },
                });
            }
            events.push(QueueEvent {
                at_ms: at + waited_ms,
                queue,
                kind,
            });
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_past_calls_make_sensible_figures() {
        let now = 1_765_000_000_000;
        let events = past_calls(QueueId(1), &[7, 8, 9], now);
        let f = queues::figures(
            &events,
            None,
            now - 4 * DAY_MS,
            now,
            queues::Thresholds::default(),
        );
        assert!((250..450).contains(&f.offered), "{}", f.offered);
        assert_eq!(f.answered + f.abandoned, f.offered);
        let sl = f.service_level.unwrap();
        assert!((0.6..0.95).contains(&sl), "{sl}");
        assert!(f.short_abandons > 0);
    }
}
