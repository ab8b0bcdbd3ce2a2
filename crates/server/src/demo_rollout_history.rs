//! The demo's rollout history (issue 19), so the rollout page's charts are not empty:
//! - the softphone under a cap, held by six colleagues of the clerk; four weeks of daily
//!   snapshots in which it starts with a cap of 3 and a waiting list and the cap is raised
//!   to 8 after two weeks;
//! - desk bookings on the past four weeks' working days in the demo's building, most of
//!   them checked in;
//! - calls of the softphone's holders on those days, and commute distances of a few
//!   people with mobile work (fewer than five of them work mobile, so the CO₂ estimate
//!   shows as hidden: the minimum group size at work).
//!
//! Added once: a database with any rollout history is left alone. Runs after the demo's
//! mobile work (it books desks in its building).

use planner::calendar::add_days;
use planner::ids::PersonId;
use planner::rollout::Scheme;
use planner::rollout_report::FeatureDay;
use store::{CallLine, Store};

const UNIT: &str = "Ausländerbehörde";
const FEATURE: &str = "softphone";
const DAYS: i64 = 28;

/// Seeds the history (once), up to the day before the local day of `now_ms`.
pub async fn seed(store: &Store, now_ms: i64) -> anyhow::Result<()> {
    let today = planner::calendar::local_time(now_ms / 1000).date();
    if !store
        .rollout_history(add_days(today, -DAYS), today)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let people = store.unit_people(UNIT, false).await?;
    if people.len() < 12 {
        return Ok(());
    }
    let holders: Vec<PersonId> = people[..6].iter().map(|p| PersonId(p.id)).collect();
    if store.rollout_feature(FEATURE).await?.is_none() {
        store
            .configure_rollout(FEATURE, Some(8), Scheme::Weights, &[], now_ms)
            .await?;
        store.admit_to_rollout(FEATURE, &holders, now_ms).await?;
    }
    for i in 0..DAYS {
        let day = add_days(today, i - DAYS);
        let (holders, cap, waiting) = if i < 14 {
            ((2 + i / 4).min(3), 3, 1 + i / 5)
        } else {
            ((4 + (i - 14) / 5).min(6), 8, 0)
        };
        store
            .record_rollout_day(&FeatureDay {
                day,
                feature: FEATURE.into(),
                holders: holders as u32,
                cap: Some(cap),
                waiting: waiting as u32,
            })
            .await?;
    }
    let mut desks = Vec::new();
    for building in store.buildings().await? {
        for floor in store.floors(building.id).await? {
            desks.extend(
                store
                    .desks_on_floor(floor.id)
                    .await?
                    .into_iter()
                    .map(|d| d.id),
            );
        }
    }
    for i in 0..DAYS {
        let day = add_days(today, i - DAYS);
        if day.weekday().to_monday_one_offset() > 5 {
            continue;
        }
        // Two to six desks a day, one person each; all but one checked in.
        let n = (2 + (i % 5) as usize).min(desks.len());
        for (k, (desk, person)) in desks.iter().zip(people.iter().skip(6)).take(n).enumerate() {
            let booking = store
                .book_desk(
                    *desk,
                    person.id,
                    day,
                    planner::calendar::DayPart::Whole,
                    now_ms,
                )
                .await?;
            if k + 1 < n {
                store
                    .check_in_desk_booking(booking.id, person.id, now_ms)
                    .await?;
            }
        }
        let at = planner::calendar::zone()
            .to_timestamp(day.at(9, 0, 0, 0))?
            .as_millisecond();
        for (k, person) in people[..6].iter().enumerate() {
            for c in 0..(k as i64 + i) % 4 {
                let started_at = at + (k as i64 * 47 + c * 71) * 60_000;
                store
                    .add_call_line(&CallLine {
                        id: 0,
                        staff_id: person.id,
                        direction: if c % 2 == 0 { "out" } else { "in" }.into(),
                        peer_number: format!("22{:02}", 10 + c),
                        peer_name: None,
                        peer_login: None,
                        peer_staff_id: None,
                        started_at,
                        answered_at: Some(started_at + 5_000),
                        ended_at: started_at + 185_000,
                    })
                    .await?;
            }
        }
    }
    for (k, person) in people.iter().take(10).enumerate() {
        store
            .set_commute(person.id, Some(4_000 + 3_500 * k as u32), now_ms)
            .await?;
    }
    Ok(())
}
