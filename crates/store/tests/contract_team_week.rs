//! The store's contract for the team's week and the office rotation (issue 19), on SQLite
//! always and on PostgreSQL when the test run has one (TEST_POSTGRES_URL): a week written
//! and read back by half-day with absences, wishes, a unit's rules replaced whole (and
//! refused whole), an accepted plan writing office and mobile days all or nothing, and
//! calendar feeds found by their token's hash only.

mod staffed;

use jiff::civil::{date, Date};
use planner::calendar::{HalfDay, WeekdaySet};
use planner::rotation::{Member, Office, Plan, RotationInput, Spot};
use planner::week::{Absence, Day, Location, Week};
use planner::{agreement_rules::MobileLimits, ids::*};
use store::{FeedScope, NewOffice, Store, StoreError};

const PEOPLE: &str = "login,name,unit,extension,email\n\
    a.amt,Anna Amt,Bauamt,2001,\n\
    b.bau,Bernd Bau,Bauamt,2002,\n\
    c.statik,Clara Statik,Bauamt/Statik,2003,\n";

async fn id(store: &Store, login: &str) -> i64 {
    store.panel_person(login).await.unwrap().unwrap().id
}

async fn unit(store: &Store, path: &str) -> i64 {
    store.unit_id_by_path(path).await.unwrap().unwrap()
}

const MONDAY: fn() -> Date = || date(2025, 3, 10);

#[tokio::test]
async fn a_week_by_half_day_and_wishes() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let anna = id(&store, "a.amt").await;
        let bernd = id(&store, "b.bau").await;
        let mut week = Week::new(MONDAY(), WeekdaySet::MONDAY_TO_FRIDAY).unwrap();
        week.days[0] = Day::whole(Location::Mobile);
        week.days[2].afternoon = Location::Away(Absence::BusinessTrip);
        store.set_week(anna, &week).await.unwrap();
        let halves = store
            .planned_halves_of(anna, MONDAY(), date(2025, 3, 16))
            .await
            .unwrap();
        assert_eq!(halves.len(), 14, "{l}");
        assert_eq!(halves[0].location, Location::Mobile, "{l}");
        assert_eq!(halves[0].half, HalfDay::Morning, "{l}");
        let wednesday = halves
            .iter()
            .find(|h| h.day == date(2025, 3, 12) && h.half == HalfDay::Afternoon)
            .unwrap();
        assert_eq!(
            wednesday.location,
            Location::Away(Absence::BusinessTrip),
            "{l}"
        );
        assert_eq!(halves[12].location, Location::Off, "{l}: Sunday");
        // Writing the week again replaces it.
        week.days[0] = Day::whole(Location::Office);
        store.set_week(anna, &week).await.unwrap();
        let monday = store.planned_halves_on(MONDAY()).await.unwrap();
        assert_eq!(monday.len(), 2, "{l}");
        assert!(monday.iter().all(|h| h.location == Location::Office), "{l}");
        assert!(store
            .planned_halves_of(bernd, MONDAY(), date(2025, 3, 16))
            .await
            .unwrap()
            .is_empty());
        let bauamt = unit(&store, "Bauamt").await;
        let in_unit = store
            .planned_halves_in_unit(bauamt, MONDAY(), MONDAY())
            .await
            .unwrap();
        assert_eq!(in_unit.len(), 2, "{l}");
        // A person who does not exist: nothing written.
        assert!(matches!(
            store.set_week(999_999, &week).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(store
            .planned_halves_of(999_999, MONDAY(), MONDAY())
            .await
            .unwrap()
            .is_empty());

        assert_eq!(store.mobile_wishes(anna).await.unwrap(), WeekdaySet::EMPTY);
        let wishes = WeekdaySet::of(&[jiff::civil::Weekday::Monday, jiff::civil::Weekday::Friday]);
        store.set_mobile_wishes(anna, wishes).await.unwrap();
        store.set_mobile_wishes(anna, wishes).await.unwrap();
        assert_eq!(store.mobile_wishes(anna).await.unwrap(), wishes, "{l}");
        let members = store.unit_members(bauamt).await.unwrap();
        let logins: Vec<&str> = members.iter().map(|m| m.login.as_str()).collect();
        assert_eq!(logins, ["a.amt", "b.bau"], "{l}");
    }
}

#[tokio::test]
async fn unit_rules_replaced_whole_or_not_at_all() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let bauamt = unit(&store, "Bauamt").await;
        let (anna, bernd) = (id(&store, "a.amt").await, id(&store, "b.bau").await);
        let empty = store.unit_rotation_rules(bauamt).await.unwrap();
        assert_eq!(empty.min_in_office, [0; 7], "{l}");
        assert!(
            empty.offices.is_empty() && empty.updated_ms.is_none(),
            "{l}"
        );
        let offices = vec![
            NewOffice {
                name: "1.12".into(),
                seats: 1,
                members: vec![anna, bernd],
            },
            NewOffice {
                name: "1.13".into(),
                seats: 2,
                members: vec![],
            },
        ];
        store
            .set_unit_rotation_rules(bauamt, [1, 1, 1, 1, 1, 0, 0], &offices, 5)
            .await
            .unwrap();
        let rules = store.unit_rotation_rules(bauamt).await.unwrap();
        assert_eq!(rules.min_in_office, [1, 1, 1, 1, 1, 0, 0], "{l}");
        assert_eq!(rules.offices.len(), 2, "{l}");
        let mut members = vec![anna, bernd];
        members.sort_unstable();
        assert_eq!(rules.offices[0].members, members, "{l}");
        assert_eq!(rules.offices[1].seats, 2, "{l}");
        // Refused whole: a person in two offices, a name twice, an unknown person.
        let twice = vec![
            NewOffice {
                name: "A".into(),
                seats: 1,
                members: vec![anna],
            },
            NewOffice {
                name: "B".into(),
                seats: 1,
                members: vec![anna],
            },
        ];
        assert!(matches!(
            store
                .set_unit_rotation_rules(bauamt, [2; 7], &twice, 6)
                .await,
            Err(StoreError::Invalid(_))
        ));
        let unknown = vec![NewOffice {
            name: "C".into(),
            seats: 1,
            members: vec![999_999],
        }];
        assert!(matches!(
            store
                .set_unit_rotation_rules(bauamt, [2; 7], &unknown, 7)
                .await,
            Err(StoreError::NotFound { .. })
        ));
        let after = store.unit_rotation_rules(bauamt).await.unwrap();
        assert_eq!(after, rules, "{l}: unchanged");
    }
}

#[tokio::test]
async fn an_accepted_plan_writes_office_and_mobile_days() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let bauamt = unit(&store, "Bauamt").await;
        let (anna, bernd) = (id(&store, "a.amt").await, id(&store, "b.bau").await);
        // Anna is away on the Tuesday afternoon and off on the Wednesday morning already:
        // the plan keeps both halves.
        let mut week = Week::new(MONDAY(), WeekdaySet::MONDAY_TO_FRIDAY).unwrap();
        week.days[1].afternoon = Location::Away(Absence::Leave);
        week.days[2].morning = Location::Off;
        store.set_week(anna, &week).await.unwrap();
        let member = |id| Member {
            person: PersonId(id),
            office: Some(OfficeId(1)),
            terms: None,
            wishes: WeekdaySet::EMPTY,
            away: vec![],
            pins: vec![],
            mobile_elsewhere: vec![],
        };
        let input = RotationInput {
            unit: UnitId(bauamt),
            first_monday: MONDAY(),
            weeks: 1,
            workdays: WeekdaySet::MONDAY_TO_FRIDAY,
            closed: vec![],
            min_in_office: [0; 7],
            limits: MobileLimits {
                days_per_week: 2,
                days_per_month: 8,
            },
            offices: vec![Office {
                id: OfficeId(1),
                seats: 2,
            }],
            members: vec![member(anna), member(bernd)],
        };
        let mut plan = Plan::blank(&input).unwrap();
        plan.set(PersonId(bernd), date(2025, 3, 11), Spot::Mobile)
            .unwrap();
        let id = store
            .accept_rotation_plan(bauamt, &plan, anna, 42)
            .await
            .unwrap();
        let plans = store.rotation_plans(bauamt).await.unwrap();
        assert_eq!(plans.len(), 1, "{l}");
        assert_eq!(
            (plans[0].id, plans[0].weeks, plans[0].accepted_by),
            (id, 1, Some(anna))
        );
        let tuesday = store.planned_halves_on(date(2025, 3, 11)).await.unwrap();
        let of = |who: i64, half| {
            tuesday
                .iter()
                .find(|h| h.staff_id == who && h.half == half)
                .map(|h| h.location)
        };
        assert_eq!(of(bernd, HalfDay::Morning), Some(Location::Mobile), "{l}");
        assert_eq!(of(bernd, HalfDay::Afternoon), Some(Location::Mobile), "{l}");
        // The blank plan puts Anna in the office; accepting wrote the half she had free
        // and kept the one she is away.
        assert_eq!(of(anna, HalfDay::Morning), Some(Location::Office), "{l}");
        assert_eq!(
            of(anna, HalfDay::Afternoon),
            Some(Location::Away(Absence::Leave)),
            "{l}"
        );
        let wednesday = store.planned_halves_on(date(2025, 3, 12)).await.unwrap();
        let on_wednesday = |half| {
            wednesday
                .iter()
                .find(|h| h.staff_id == anna && h.half == half)
                .map(|h| h.location)
        };
        assert_eq!(on_wednesday(HalfDay::Morning), Some(Location::Off), "{l}");
        assert_eq!(
            on_wednesday(HalfDay::Afternoon),
            Some(Location::Office),
            "{l}"
        );
        // A plan for a unit that does not exist writes nothing.
        assert!(store
            .accept_rotation_plan(999_999, &plan, anna, 43)
            .await
            .is_err());
        assert_eq!(store.rotation_plans(bauamt).await.unwrap().len(), 1, "{l}");
    }
}

#[tokio::test]
async fn feeds_by_hash_and_revoked() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let anna = id(&store, "a.amt").await;
        let bernd = id(&store, "b.bau").await;
        let bauamt = unit(&store, "Bauamt").await;
        let mine = store
            .add_calendar_feed(anna, FeedScope::Person, "hash-1", 1)
            .await
            .unwrap();
        store
            .add_calendar_feed(anna, FeedScope::Unit(bauamt), "hash-2", 2)
            .await
            .unwrap();
        // The same hash twice is refused by the unique index.
        assert!(store
            .add_calendar_feed(bernd, FeedScope::Person, "hash-1", 3)
            .await
            .is_err());
        let found = store
            .calendar_feed_by_hash("hash-2")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (found.staff_id, found.scope),
            (anna, FeedScope::Unit(bauamt)),
            "{l}"
        );
        assert!(store.calendar_feed_by_hash("nope").await.unwrap().is_none());
        assert_eq!(store.calendar_feeds_of(anna).await.unwrap().len(), 2, "{l}");
        // Only the owner revokes.
        assert!(
            !store.remove_calendar_feed(bernd, mine).await.unwrap(),
            "{l}"
        );
        assert!(store.remove_calendar_feed(anna, mine).await.unwrap(), "{l}");
        assert!(store
            .calendar_feed_by_hash("hash-1")
            .await
            .unwrap()
            .is_none());
        // A leaver's feed is not found, even before directory sync deletes it.
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(db.url.unredacted()).await.unwrap();
        sqlx::query("UPDATE staff SET disabled_at = 1 WHERE id = $1")
            .bind(anna)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        assert!(
            store
                .calendar_feed_by_hash("hash-2")
                .await
                .unwrap()
                .is_none(),
            "{l}"
        );
    }
}
