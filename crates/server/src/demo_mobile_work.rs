//! The demo's mobile work (issue 19), so its pages show something at once:
//! - the service agreement's rules (two mobile days a week, ten a month, core hours 9 to
//!   15, 28 days' notice, a year at most) and the data-protection instruction to
//!   acknowledge;
//! - leaders: the hotline's team lead (`teamleitung`) heads Gesundheitsamt/Hotline; the
//!   Ausländerbehörde is headed by a colleague of the clerk, another is the deputy;
//! - agreements, as the planner makes them (`planner::approval`, the same steps as the
//!   web's): the clerk's is approved (Monday and Thursday), colleagues' approved and
//!   pending, and the hotline agent's application waits for the team lead's decision;
//! - a building with two floors, each with the floor plan in `assets/` (drawn by
//!   `make_demo_floor_plan.py`), two offices and a meeting room (two bookings of the
//!   first on the bookings' day), desks with their equipment placed on the plan, and
//!   today's bookings of some colleagues (checked in).
//!
//! Added once: a database whose rules are set is left alone.

use anyhow::{anyhow, Context};
use jiff::civil::Date;
use planner::agreement_rules::{AgreementRules, Application, Person};
use planner::approval::{authorise, Agreement, Applied};
use planner::calendar::{add_days, DayPart, WeekdaySet};
use planner::ids::{AgreementId, PersonId};
use planner::terms::DaysPattern;
use std::path::Path;
use store::{AgreementState, PanelPerson, RoomKind, Store};

/// The demo floors' plan: two offices and a meeting room on a corridor (a PNG).
const FLOOR_PLAN: &[u8] = include_bytes!("../assets/demo_floor_plan.png");

/// Where floor plans live in the data folder (as the web's upload puts them).
const PLANS: &str = "floor-plans";

const CLERK: &str = "sachbearbeitung";
const CLERKS_UNIT: &str = "Ausländerbehörde";
const TEAM_LEAD: &str = "teamleitung";
const AGENT: &str = "hotline";
const TEXT_KEY: &str = "datenschutz";

/// Seeds mobile work (once), on the local day of `now_ms`.
pub async fn seed(store: &Store, data_dir: &Path, now_ms: i64) -> anyhow::Result<()> {
    if store.mobile_work_rules().await?.is_some() {
        return Ok(());
    }
    let (Some(clerk), Some(lead), Some(agent)) = (
        store.panel_person(CLERK).await?,
        store.panel_person(TEAM_LEAD).await?,
        store.panel_person(AGENT).await?,
    ) else {
        return Ok(());
    };
    let colleagues: Vec<PanelPerson> = store
        .unit_people(CLERKS_UNIT, false)
        .await?
        .into_iter()
        .filter(|p| p.id != clerk.id)
        .collect();
    let [head, deputy, others @ ..] = colleagues.as_slice() else {
        return Ok(());
    };
    let rules = set_rules(store, now_ms).await?;
    store
        .set_unit_leaders(lead.unit_id, Some(lead.id), &[])
        .await?;
    store
        .set_unit_leaders(clerk.unit_id, Some(head.id), &[deputy.id])
        .await?;

    let today = planner::calendar::local_time(now_ms / 1000).date();
    let demo = Demo {
        store,
        rules: &rules,
        today,
        now_ms,
    };
    let monday_thursday = DaysPattern::Weekdays(WeekdaySet::from_bits(0b0000_1001));
    demo.agreement(&clerk, head, monday_thursday, -14, true)
        .await?;
    demo.agreement(&agent, &lead, DaysPattern::PerWeek(2), 7, false)
        .await?;
    for (i, person) in others.iter().take(4).enumerate() {
        let pattern = DaysPattern::PerWeek(1 + (i % 2) as u8);
        demo.agreement(person, head, pattern, -30 + 10 * i as i64, i != 3)
            .await?;
    }
    desks(store, data_dir, today, &clerk, others, now_ms).await
}

/// The rules and the text to acknowledge, as the administrator's page stores them.
async fn set_rules(store: &Store, now_ms: i64) -> anyhow::Result<AgreementRules> {
    let stored = serde_json::json!({
        "days_per_week": 2,
        "days_per_month": 10,
        "workdays": ["mon", "tue", "wed", "thu", "fri"],
        "core_hours": {"from": "09:00", "until": "15:00"},
        "notice_days": 28,
        "max_term_days": 365,
        "reminder_days": [42, 14],
        "holidays": "BY"
    });
    let form = web::mobile_work::rules::Rules::from_stored(stored)
        .map_err(|e| anyhow!("the demo's mobile-work rules: {e:?}"))?;
    store
        .set_mobile_work_rules(&form.to_stored(), now_ms)
        .await?;
    store
        .publish_acknowledgement_text(
            TEXT_KEY,
            "Datenschutz und Informationssicherheit beim mobilen Arbeiten",
            "Dienstliche Unterlagen und Bildschirme sind vor Einblick Dritter zu schützen. \
             Gearbeitet wird nur mit dienstlichen Geräten über den gesicherten Zugang. \
             Ausdrucke werden nicht zu Hause entsorgt, sondern im Amt vernichtet.",
            now_ms,
        )
        .await?;
    let texts = store.current_acknowledgement_texts().await?;
    form.to_planner(&texts)
        .map_err(|e| anyhow!("the demo's mobile-work rules: {e:?}"))
}

struct Demo<'a> {
    store: &'a Store,
    rules: &'a AgreementRules,
    today: Date,
    now_ms: i64,
}

impl Demo<'_> {
    /// `person` acknowledges the text and applies (from `start_in` days from today, for a
    /// year); with `approve`, `head` approves it.
    async fn agreement(
        &self,
        person: &PanelPerson,
        head: &PanelPerson,
        pattern: DaysPattern,
        start_in: i64,
        approve: bool,
    ) -> anyhow::Result<()> {
        let store = self.store;
        let texts = store.current_acknowledgement_texts().await?;
        for text in &texts {
            store
                .acknowledge_text(person.id, &text.key, text.version, self.now_ms)
                .await?;
        }
        let chain = store.leadership_chain(person.id).await?;
        let applicant = Person {
            id: PersonId(person.id),
            units: chain.iter().map(|l| l.unit).collect(),
            roles: vec![],
        };
        let start = add_days(self.today, start_in);
        let application = Application {
            pattern,
            start,
            end: Some(add_days(start, 364)),
            reachable: None,
            acknowledged: store
                .acknowledgements_of(person.id)
                .await?
                .into_iter()
                .map(|a| planner::agreement_rules::Acknowledgement {
                    key: a.key,
                    version: a.version,
                })
                .collect(),
            reason: Some("Kinderbetreuung am Nachmittag".into()),
        };
        // Applied a few days before the start (or a few days ago, for a later one).
        let applied_on = add_days(self.today, start_in.min(0) - 5);
        let (applied, record) = Applied::submit(
            AgreementId(0),
            &applicant,
            application,
            self.rules,
            applied_on.at(8, 30, 0, 0),
        )
        .map_err(|e| anyhow!("{}'s demo application: {e}", person.login))?;
        let id = store
            .insert_agreement_unless_open(&applied, &record, self.now_ms)
            .await?;
        if !approve {
            return Ok(());
        }
        let Agreement::Applied(read) = store
            .agreement(id)
            .await?
            .context("the demo's agreement")?
            .to_planner()
        else {
            return Ok(());
        };
        let approver = authorise(&chain, PersonId(head.id), PersonId(person.id), &[])
            .map_err(|e| anyhow!("{}'s demo approval: {e}", person.login))?;
        let (approved, record) = read
            .approve(&approver, add_days(applied_on, 2).at(10, 0, 0, 0))
            .map_err(|e| anyhow!("{}'s demo approval: {}", person.login, e.error))?;
        store
            .record_agreement_transition(
                id,
                AgreementState::Applied,
                1,
                &Agreement::Approved(approved),
                &record,
                self.now_ms,
            )
            .await?;
        Ok(())
    }
}

/// The building, its floors, rooms and desks, and today's bookings: the clerk in the
/// morning at a desk with two screens, colleagues elsewhere.
async fn desks(
    store: &Store,
    data_dir: &Path,
    today: Date,
    clerk: &PanelPerson,
    others: &[PanelPerson],
    now_ms: i64,
) -> anyhow::Result<()> {
    let building = store
        .add_building("Landratsamt, Hauptgebäude", Some("Schlossplatz 1"))
        .await?;
    let mut desks = Vec::new();
    let mut meeting_rooms = Vec::new();
    for (level, floor_name) in [(0, "Erdgeschoss"), (1, "1. Obergeschoss")] {
        // Each floor with the demo's plan (assets/make_demo_floor_plan.py draws it), in
        // the data folder where uploaded plans go.
        let plan = format!("{PLANS}/demo-{level}.png");
        std::fs::create_dir_all(data_dir.join(PLANS))?;
        std::fs::write(data_dir.join(&plan), FLOOR_PLAN)?;
        let floor = store
            .add_floor(building, floor_name, level, Some(&plan))
            .await?;
        for (r, room_name) in ["Büro A", "Büro B"].iter().enumerate() {
            let room_label = format!("{}.{:02} {room_name}", level, r + 1);
            let room = store
                .add_room(floor, &room_label, RoomKind::Office, 2)
                .await?;
            for (d, tags) in [
                &["docking", "two_screens"][..],
                &["docking", "height_adjustable"][..],
            ]
            .iter()
            .enumerate()
            {
                let label = format!("{}.{:02}-{}", level, r + 1, ["A", "B"][d]);
                // On the plan's tables: x 10/24/43/57 %, y 40 %.
                let at = (100 + 330 * r as i64 + 140 * d as i64, 400);
                desks.push(store.add_desk(room, &label, tags, Some(at)).await?);
            }
        }
        meeting_rooms.push(
            store
                .add_room(
                    floor,
                    &format!("{level}.10 Besprechung"),
                    RoomKind::Meeting,
                    8,
                )
                .await?,
        );
    }
    // A weekday for the bookings: today, or the next Monday at a weekend.
    let day = match today.weekday().to_monday_one_offset() {
        6 => add_days(today, 2),
        7 => add_days(today, 1),
        _ => today,
    };
    let mut booked = vec![(
        store
            .book_desk(desks[0], clerk.id, day, DayPart::Morning, now_ms)
            .await?,
        clerk.id,
    )];
    for (person, desk) in others.iter().zip(desks.iter().skip(1)).take(3) {
        booked.push((
            store
                .book_desk(*desk, person.id, day, DayPart::Whole, now_ms)
                .await?,
            person.id,
        ));
    }
    // Today's colleagues are at their desks (checked in), so the release of unchecked
    // bookings leaves them when the demo starts after the morning's deadline; the clerk's
    // own booking waits for the check-in by the desk's QR code.
    if day == today {
        for (booking, person) in booked.iter().skip(1) {
            store
                .check_in_desk_booking(booking.id, *person, now_ms)
                .await?;
        }
    }
    // The team's meeting in the first meeting room, and a training in the afternoon.
    let at = |h: i8| jiff::civil::time(h, 0, 0, 0);
    for (room, person, from, to, title) in [
        (0, clerk.id, 9, 10, "Teambesprechung"),
        (0, others[0].id, 14, 16, "Schulung Fachverfahren"),
    ] {
        let slot = planner::room_booking::Slot {
            date: day,
            from: at(from),
            to: at(to),
        };
        store
            .book_room(meeting_rooms[room], person, slot, title, now_ms)
            .await?;
    }
    Ok(())
}
