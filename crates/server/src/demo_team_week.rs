//! The demo's team week (issue 19): each unit with agreements in force gets rules (at
//! least one person in the office on working days) and an accepted rotation plan for the
//! current and the next week, proposed by the planner from the agreements (their fixed
//! weekdays as the wishes) and accepted by the unit's head.

use anyhow::anyhow;
use planner::calendar::{local_time, WeekdaySet};
use planner::ids::{PersonId, UnitId};
use planner::rotation::{propose, Member, Outcome, RotationInput};
use planner::terms::DaysPattern;
use planner::week::Week;
use std::collections::BTreeSet;
use store::{AgreementState, LeaderRole, Store};

/// Seeds the rules and plans; nothing when mobile work's rules are not set.
pub async fn seed(store: &Store, now_ms: i64) -> anyhow::Result<()> {
    let Some(stored) = store.mobile_work_rules().await? else {
        return Ok(());
    };
    let texts = store.current_acknowledgement_texts().await?;
    let rules = web::mobile_work::rules::Rules::from_stored(stored)
        .and_then(|r| r.to_planner(&texts))
        .map_err(|e| anyhow!("the demo's mobile-work rules: {e:?}"))?;
    let today = local_time(now_ms.div_euclid(1000)).date();
    let monday = Week::containing(today, WeekdaySet::EMPTY).monday();
    let mut agreements = store.agreements_in_state(AgreementState::Approved).await?;
    agreements.extend(store.agreements_in_state(AgreementState::Revoking).await?);
    let units: BTreeSet<i64> = agreements.iter().map(|a| a.unit_id).collect();
    for unit in units {
        let Some(head) = store
            .unit_leaders(unit)
            .await?
            .into_iter()
            .find(|l| l.role == LeaderRole::Head)
        else {
            continue;
        };
        store
            .set_unit_rotation_rules(unit, [1, 1, 1, 1, 1, 0, 0], &[], now_ms)
            .await?;
        let mut members = Vec::new();
        for person in store.unit_members(unit).await? {
            let terms = store
                .agreements_of(person.id)
                .await?
                .iter()
                .find_map(|a| a.to_planner().active_terms());
            let wishes = match terms.map(|t| t.pattern) {
                Some(DaysPattern::Weekdays(days)) => days,
                Some(DaysPattern::PerWeek(_)) => rules.workdays,
                None => WeekdaySet::EMPTY,
            };
            members.push(Member {
                person: PersonId(person.id),
                office: None,
                terms,
                wishes,
                away: vec![],
                pins: vec![],
                mobile_elsewhere: vec![],
            });
        }
        let input = RotationInput {
            unit: UnitId(unit),
            first_monday: monday,
            weeks: 2,
            workdays: rules.workdays,
            // The demo's rules name Bavaria: its public holidays are not planned.
            closed: (0..14)
                .map(|i| planner::calendar::add_days(monday, i))
                .filter(|d| queues::holidays::is_holiday(queues::holidays::State::BY, *d))
                .collect(),
            min_in_office: [1, 1, 1, 1, 1, 0, 0],
            limits: rules.limits,
            offices: vec![],
            members,
        };
        match propose(&input)
            .map_err(|e| anyhow!("the demo's rotation: {e}"))?
            .outcome
        {
            Outcome::Plan(plan) => {
                store
                    .accept_rotation_plan(unit, &plan, head.staff_id, now_ms)
                    .await?;
            }
            other => tracing::warn!(unit, ?other, "no demo rotation plan"),
        }
    }
    Ok(())
}
