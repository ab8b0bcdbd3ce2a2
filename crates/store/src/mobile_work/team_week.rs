//! The team's week and the office rotation: each person's planned half-days, their wished
//! mobile weekdays, each unit's rules (minimum in the office per weekday, offices with
//! seats and who sits where), accepted rotation plans and the hashed tokens of calendar
//! feeds. The checks are the planner's (`planner::week`, `planner::rotation`); the store
//! writes what passed, all or nothing.
//!
//! A day without rows is the default: office on working days, off on the others (the
//! web layer fills it in with `planner::week::Week::new`).

use super::{day_text, missing, parse_day};
use crate::{int, opt_int, text, Store, StoreError};
use jiff::civil::Date;
use planner::calendar::{HalfDay, WeekdaySet};
use planner::rotation::{Plan, Spot};
use planner::week::{Absence, Location, Week};

/// One planned half-day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PlannedHalf {
    /// Whose.
    pub staff_id: i64,
    /// The day.
    pub day: Date,
    /// Which half.
    pub half: HalfDay,
    /// Where.
    pub location: Location,
}

/// A member of a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitMember {
    /// Staff id.
    pub id: i64,
    /// Login.
    pub login: String,
    /// Name as shown.
    pub display_name: String,
}

/// An office of a unit, with the people who sit in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeRow {
    /// Its id.
    pub id: i64,
    /// Its name (unique in the unit).
    pub name: String,
    /// How many may work in it on one day.
    pub seats: u16,
    /// Who sits in it (staff ids, sorted).
    pub members: Vec<i64>,
}

/// An office as the unit's head sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOffice {
    /// Its name.
    pub name: String,
    /// Seats (at least 1).
    pub seats: u16,
    /// Who sits in it (staff ids).
    pub members: Vec<i64>,
}

/// A unit's rotation rules.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnitRulesRow {
    /// The minimum in the office, Monday first.
    pub min_in_office: [u16; 7],
    /// The offices, by name.
    pub offices: Vec<OfficeRow>,
    /// When last set (Unix ms); `None`: never set.
    pub updated_ms: Option<i64>,
}

/// An accepted rotation plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    /// Its id.
    pub id: i64,
    /// The unit.
    pub unit_id: i64,
    /// Its first Monday.
    pub first_monday: Date,
    /// How many weeks.
    pub weeks: u8,
    /// Who accepted it.
    pub accepted_by: Option<i64>,
    /// When (Unix ms).
    pub accepted_ms: i64,
}

/// What a calendar feed shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedScope {
    /// The person's own week.
    Person,
    /// The unit's team calendar.
    Unit(i64),
}

/// A calendar feed (its token is only ever stored hashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRow {
    /// Its id.
    pub id: i64,
    /// Whose.
    pub staff_id: i64,
    /// What it shows.
    pub scope: FeedScope,
    /// When created (Unix ms).
    pub created_ms: i64,
}

fn half_text(half: HalfDay) -> &'static str {
    match half {
        HalfDay::Morning => "morning",
        HalfDay::Afternoon => "afternoon",
    }
}

fn parse_half(text: &str) -> Result<HalfDay, StoreError> {
    match text {
        "morning" => Ok(HalfDay::Morning),
        "afternoon" => Ok(HalfDay::Afternoon),
        other => Err(StoreError::Corrupt(format!("half-day {other:?}"))),
    }
}

/// The location and absence columns of a location.
fn location_columns(location: Location) -> (&'static str, Option<&'static str>) {
    match location {
        Location::Office => ("office", None),
        Location::Mobile => ("mobile", None),
        Location::Off => ("off", None),
        Location::Away(absence) => (
            "away",
            Some(match absence {
                Absence::Leave => "leave",
                Absence::BusinessTrip => "business_trip",
                Absence::Sick => "sick",
                Absence::Other => "other",
            }),
        ),
    }
}

fn parse_location(location: &str, absence: Option<&str>) -> Result<Location, StoreError> {
    Ok(match (location, absence) {
        ("office", None) => Location::Office,
        ("mobile", None) => Location::Mobile,
        ("off", None) => Location::Off,
        ("away", Some("leave")) => Location::Away(Absence::Leave),
        ("away", Some("business_trip")) => Location::Away(Absence::BusinessTrip),
        ("away", Some("sick")) => Location::Away(Absence::Sick),
        ("away", Some("other")) => Location::Away(Absence::Other),
        other => return Err(StoreError::Corrupt(format!("location {other:?}"))),
    })
}

fn half_row(row: &sqlx::any::AnyRow) -> Result<PlannedHalf, StoreError> {
    use sqlx::Row;
    let absence: Option<String> = row.try_get(4)?;
    Ok(PlannedHalf {
        staff_id: int(row, 0)?,
        day: parse_day(&text(row, 1)?)?,
        half: parse_half(&text(row, 2)?)?,
        location: parse_location(&text(row, 3)?, absence.as_deref())?,
    })
}

async fn upsert_half(
    tx: &mut sqlx::AnyConnection,
    staff_id: i64,
    day: Date,
    half: HalfDay,
    location: Location,
) -> Result<(), StoreError> {
    let (location, absence) = location_columns(location);
    sqlx::query(
        "INSERT INTO tw_days (staff_id, day, half, location, absence) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (staff_id, day, half) \
         DO UPDATE SET location = excluded.location, absence = excluded.absence",
    )
    .bind(staff_id)
    .bind(day_text(day))
    .bind(half_text(half))
    .bind(location)
    .bind(absence)
    .execute(&mut *tx)
    .await
    .map_err(|e| missing(e, "Person", staff_id))?;
    Ok(())
}

/// Writes a plan's `location` to a half-day unless the person set that half to away or
/// off: their own absence or time off stands over any plan.
async fn plan_half(
    tx: &mut sqlx::AnyConnection,
    staff_id: i64,
    day: Date,
    half: HalfDay,
    location: Location,
) -> Result<(), StoreError> {
    let (location, absence) = location_columns(location);
    sqlx::query(
        "INSERT INTO tw_days (staff_id, day, half, location, absence) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (staff_id, day, half) \
         DO UPDATE SET location = excluded.location, absence = excluded.absence \
         WHERE tw_days.location NOT IN ('away', 'off')",
    )
    .bind(staff_id)
    .bind(day_text(day))
    .bind(half_text(half))
    .bind(location)
    .bind(absence)
    .execute(&mut *tx)
    .await
    .map_err(|e| missing(e, "Person", staff_id))?;
    Ok(())
}

fn min_text(min: &[u16; 7]) -> String {
    min.iter().map(u16::to_string).collect::<Vec<_>>().join(",")
}

fn parse_min(text: &str) -> Result<[u16; 7], StoreError> {
    let numbers: Vec<u16> = text
        .split(',')
        .map(|n| n.parse::<u16>())
        .collect::<Result<_, _>>()
        .map_err(|_| StoreError::Corrupt(format!("minimum in office {text:?}")))?;
    numbers
        .try_into()
        .map_err(|_| StoreError::Corrupt(format!("minimum in office {text:?}")))
}

impl Store {
    /// Writes `staff_id`'s whole week (both halves of all seven days), replacing what was
    /// planned for those days, all or nothing.
    pub async fn set_week(&self, staff_id: i64, week: &Week) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        for (i, day) in week.days.iter().enumerate() {
            let date = week.date(i);
            upsert_half(&mut tx, staff_id, date, HalfDay::Morning, day.morning).await?;
            upsert_half(&mut tx, staff_id, date, HalfDay::Afternoon, day.afternoon).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// `staff_id`'s planned half-days from `from` to `to` (inclusive), by day and half.
    pub async fn planned_halves_of(
        &self,
        staff_id: i64,
        from: Date,
        to: Date,
    ) -> Result<Vec<PlannedHalf>, StoreError> {
        let rows = sqlx::query(
            "SELECT staff_id, day, half, location, absence FROM tw_days \
             WHERE staff_id = $1 AND day >= $2 AND day <= $3 ORDER BY day, CASE half WHEN 'morning' THEN 0 ELSE 1 END",
        )
        .bind(staff_id)
        .bind(day_text(from))
        .bind(day_text(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(half_row).collect()
    }

    /// The planned half-days of the unit's members from `from` to `to` (inclusive).
    pub async fn planned_halves_in_unit(
        &self,
        unit_id: i64,
        from: Date,
        to: Date,
    ) -> Result<Vec<PlannedHalf>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.staff_id, d.day, d.half, d.location, d.absence FROM tw_days d \
             JOIN staff s ON s.id = d.staff_id \
             WHERE s.unit_id = $1 AND d.day >= $2 AND d.day <= $3 \
             ORDER BY d.staff_id, d.day, CASE d.half WHEN 'morning' THEN 0 ELSE 1 END",
        )
        .bind(unit_id)
        .bind(day_text(from))
        .bind(day_text(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(half_row).collect()
    }

    /// Everyone's planned half-days on `day` (for presence).
    pub async fn planned_halves_on(&self, day: Date) -> Result<Vec<PlannedHalf>, StoreError> {
        let rows = sqlx::query(
            "SELECT staff_id, day, half, location, absence FROM tw_days WHERE day = $1 \
             ORDER BY staff_id, CASE half WHEN 'morning' THEN 0 ELSE 1 END",
        )
        .bind(day_text(day))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(half_row).collect()
    }

    /// The weekdays `staff_id` would like to work mobile (none when never said).
    pub async fn mobile_wishes(&self, staff_id: i64) -> Result<WeekdaySet, StoreError> {
        let row = sqlx::query("SELECT weekdays FROM tw_wishes WHERE staff_id = $1")
            .bind(staff_id)
            .fetch_optional(&self.pool)
            .await?;
        let bits = row.map(|r| int(&r, 0)).transpose()?.unwrap_or(0);
        Ok(WeekdaySet::from_bits(bits as u8))
    }

    /// Sets the weekdays `staff_id` would like to work mobile.
    pub async fn set_mobile_wishes(
        &self,
        staff_id: i64,
        wishes: WeekdaySet,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO tw_wishes (staff_id, weekdays) VALUES ($1, $2) \
             ON CONFLICT (staff_id) DO UPDATE SET weekdays = excluded.weekdays",
        )
        .bind(staff_id)
        .bind(i64::from(wishes.bits()))
        .execute(&self.pool)
        .await
        .map_err(|e| missing(e, "Person", staff_id))?;
        Ok(())
    }

    /// The unit's members (not disabled), by name.
    pub async fn unit_members(&self, unit_id: i64) -> Result<Vec<UnitMember>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, login, display_name FROM staff WHERE unit_id = $1 AND disabled_at IS NULL \
             ORDER BY display_name, login",
        )
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(UnitMember {
                    id: int(row, 0)?,
                    login: text(row, 1)?,
                    display_name: text(row, 2)?,
                })
            })
            .collect()
    }

    /// The unit's rotation rules (no minimum and no offices while never set).
    pub async fn unit_rotation_rules(&self, unit_id: i64) -> Result<UnitRulesRow, StoreError> {
        let rules =
            sqlx::query("SELECT min_in_office, updated_ms FROM tw_unit_rules WHERE unit_id = $1")
                .bind(unit_id)
                .fetch_optional(&self.pool)
                .await?;
        let (min_in_office, updated_ms) = match rules {
            Some(row) => (parse_min(&text(&row, 0)?)?, Some(int(&row, 1)?)),
            None => ([0; 7], None),
        };
        let rows = sqlx::query(
            "SELECT o.id, o.name, o.seats, m.staff_id FROM tw_offices o \
             LEFT JOIN tw_office_members m ON m.office_id = o.id \
             WHERE o.unit_id = $1 ORDER BY o.name, o.id, m.staff_id",
        )
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        let mut offices: Vec<OfficeRow> = Vec::new();
        for row in &rows {
            let id = int(row, 0)?;
            if offices.last().is_none_or(|o| o.id != id) {
                offices.push(OfficeRow {
                    id,
                    name: text(row, 1)?,
                    seats: u16::try_from(int(row, 2)?)
                        .map_err(|_| StoreError::Corrupt("office seats".into()))?,
                    members: Vec::new(),
                });
            }
            if let Some(member) = opt_int(row, 3)? {
                offices.last_mut().expect("pushed").members.push(member);
            }
        }
        Ok(UnitRulesRow {
            min_in_office,
            offices,
            updated_ms,
        })
    }

    /// Replaces the unit's rotation rules, all or nothing. Office names must differ, each
    /// office has a seat, and a person sits in one office only (else
    /// [`StoreError::Invalid`], nothing written).
    pub async fn set_unit_rotation_rules(
        &self,
        unit_id: i64,
        min_in_office: [u16; 7],
        offices: &[NewOffice],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut names: Vec<&str> = offices.iter().map(|o| o.name.as_str()).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err(StoreError::Invalid(
                "Zwei Büros haben denselben Namen.".into(),
            ));
        }
        if offices.iter().any(|o| o.seats == 0) {
            return Err(StoreError::Invalid(
                "Ein Büro hat mindestens einen Platz.".into(),
            ));
        }
        let mut people: Vec<i64> = offices.iter().flat_map(|o| o.members.clone()).collect();
        people.sort_unstable();
        if people.windows(2).any(|w| w[0] == w[1]) {
            return Err(StoreError::Invalid(
                "Eine Person sitzt in höchstens einem Büro.".into(),
            ));
        }
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO tw_unit_rules (unit_id, min_in_office, updated_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (unit_id) DO UPDATE SET min_in_office = excluded.min_in_office, \
             updated_ms = excluded.updated_ms",
        )
        .bind(unit_id)
        .bind(min_text(&min_in_office))
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .map_err(|e| missing(e, "Organisationseinheit", unit_id))?;
        sqlx::query("DELETE FROM tw_offices WHERE unit_id = $1")
            .bind(unit_id)
            .execute(&mut *tx)
            .await?;
        for office in offices {
            let row = sqlx::query(
                "INSERT INTO tw_offices (unit_id, name, seats) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(unit_id)
            .bind(&office.name)
            .bind(i64::from(office.seats))
            .fetch_one(&mut *tx)
            .await?;
            let id = int(&row, 0)?;
            for &member in &office.members {
                // A person moving here from another unit's office leaves that one.
                sqlx::query("DELETE FROM tw_office_members WHERE staff_id = $1")
                    .bind(member)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO tw_office_members (office_id, staff_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(member)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| missing(e, "Person", member))?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Accepts a rotation plan for the unit: every office or mobile day of the plan is
    /// written to both halves of that person's day, except a half the person has set to
    /// away or off, which keeps what they set, as it stands in this transaction (so a
    /// "sick" saved after the plan was checked is kept too). With the plan's record, all or
    /// nothing. Returns the plan's id.
    pub async fn accept_rotation_plan(
        &self,
        unit_id: i64,
        plan: &Plan,
        accepted_by: i64,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let dates: Vec<Date> = plan.dates().collect();
        let first_monday = *dates
            .first()
            .ok_or_else(|| StoreError::Invalid("Ein Plan umfasst mindestens eine Woche.".into()))?;
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(
            "INSERT INTO tw_plans (unit_id, first_monday, weeks, accepted_by, accepted_ms) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(unit_id)
        .bind(day_text(first_monday))
        .bind((dates.len() / 7) as i64)
        .bind(accepted_by)
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| missing(e, "Organisationseinheit", unit_id))?;
        let id = int(&row, 0)?;
        for &person in plan.people() {
            let row = plan.row(person).unwrap_or_default();
            for (date, spot) in dates.iter().zip(row) {
                let location = match spot {
                    Spot::Office => Location::Office,
                    Spot::Mobile => Location::Mobile,
                    Spot::Away | Spot::Off => continue,
                };
                for half in [HalfDay::Morning, HalfDay::Afternoon] {
                    plan_half(&mut tx, person.0, *date, half, location).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(id)
    }

    /// The unit's accepted plans, latest first.
    pub async fn rotation_plans(&self, unit_id: i64) -> Result<Vec<PlanRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, unit_id, first_monday, weeks, accepted_by, accepted_ms FROM tw_plans \
             WHERE unit_id = $1 ORDER BY accepted_ms DESC, id DESC",
        )
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PlanRow {
                    id: int(row, 0)?,
                    unit_id: int(row, 1)?,
                    first_monday: parse_day(&text(row, 2)?)?,
                    weeks: u8::try_from(int(row, 3)?)
                        .map_err(|_| StoreError::Corrupt("plan weeks".into()))?,
                    accepted_by: opt_int(row, 4)?,
                    accepted_ms: int(row, 5)?,
                })
            })
            .collect()
    }

    /// Records a calendar feed by the SHA-256 of its token; returns its id.
    pub async fn add_calendar_feed(
        &self,
        staff_id: i64,
        scope: FeedScope,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let (scope_text, unit) = match scope {
            FeedScope::Person => ("person", None),
            FeedScope::Unit(unit) => ("unit", Some(unit)),
        };
        let row = sqlx::query(
            "INSERT INTO tw_feeds (staff_id, scope, unit_id, token_hash, created_ms) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(staff_id)
        .bind(scope_text)
        .bind(unit)
        .bind(token_hash)
        .bind(now_ms)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| missing(e, "Person", staff_id))?;
        int(&row, 0)
    }

    /// `staff_id`'s calendar feeds, oldest first.
    pub async fn calendar_feeds_of(&self, staff_id: i64) -> Result<Vec<FeedRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, staff_id, scope, unit_id, created_ms FROM tw_feeds \
             WHERE staff_id = $1 ORDER BY id",
        )
        .bind(staff_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(feed_row).collect()
    }

    /// The feed whose token hashes to `token_hash`, if its owner is still an active
    /// account: a leaver's links show nothing, even before directory sync deletes them.
    pub async fn calendar_feed_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<FeedRow>, StoreError> {
        let row = sqlx::query(
            "SELECT f.id, f.staff_id, f.scope, f.unit_id, f.created_ms FROM tw_feeds f \
             JOIN staff s ON s.id = f.staff_id \
             WHERE f.token_hash = $1 AND s.disabled_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(feed_row).transpose()
    }

    /// Revokes one of `staff_id`'s feeds; whether there was one.
    pub async fn remove_calendar_feed(&self, staff_id: i64, id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM tw_feeds WHERE id = $1 AND staff_id = $2")
            .bind(id)
            .bind(staff_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

fn feed_row(row: &sqlx::any::AnyRow) -> Result<FeedRow, StoreError> {
    let scope = match (text(row, 2)?.as_str(), opt_int(row, 3)?) {
        ("person", None) => FeedScope::Person,
        ("unit", Some(unit)) => FeedScope::Unit(unit),
        other => return Err(StoreError::Corrupt(format!("feed scope {other:?}"))),
    };
    Ok(FeedRow {
        id: int(row, 0)?,
        staff_id: int(row, 1)?,
        scope,
        created_ms: int(row, 4)?,
    })
}
