//! What the rollout page reads (issue 19): the daily snapshot of each feature's holders,
//! cap and waiting list (written by the server's own task; a second snapshot of a day
//! replaces the first), office occupancy per building and day counted from the desk
//! bookings, planned mobile days, office days and calls per person for the usage figures, and each person's
//! voluntary commute distance. The figures are the planner's types
//! (`planner::rollout_report`); the aggregation and the minimum group size are its too.
//!
//! Occupancy is counted from `desk_bookings` rather than snapshotted: the bookings keep
//! their state for good (booked, checked in, released, cancelled), so past days are
//! exact from the first booking on, also for days before the server ran a snapshot. The
//! desk count is today's; removed desks keep their bookings (they are only marked removed, `desk_layout.rs`).

use super::{day_text, parse_day};
use crate::{int, opt_int, text, Store, StoreError};
use jiff::civil::Date;
use planner::rollout_report::{FeatureDay, Occupancy};
use std::collections::BTreeMap;

fn count(n: i64) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("rollout history count {n}")))
}

impl Store {
    /// Records every configured feature's holders, cap and waiting list as of `day`,
    /// replacing what an earlier snapshot of that day recorded; how many features.
    pub async fn snapshot_rollout(&self, day: Date) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "INSERT INTO rollout_history (day, feature, holders, cap, waiting) \
             SELECT $1, f.feature, f.holders, f.cap, \
             (SELECT COUNT(*) FROM rollout_waiting w WHERE w.feature = f.feature) \
             FROM rollout_features f WHERE 1 = 1 \
             ON CONFLICT (day, feature) DO UPDATE SET holders = excluded.holders, \
             cap = excluded.cap, waiting = excluded.waiting",
        )
        .bind(day_text(day))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Every configured feature's holders, cap and waiting list as they are now, dated
    /// `day` (today's point of the report, between two snapshots).
    pub async fn rollout_now(&self, day: Date) -> Result<Vec<FeatureDay>, StoreError> {
        let rows = sqlx::query(
            "SELECT f.feature, f.holders, f.cap, \
             (SELECT COUNT(*) FROM rollout_waiting w WHERE w.feature = f.feature) \
             FROM rollout_features f ORDER BY f.feature",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(FeatureDay {
                    day,
                    feature: text(row, 0)?,
                    holders: count(int(row, 1)?)?,
                    cap: opt_int(row, 2)?.map(count).transpose()?,
                    waiting: count(int(row, 3)?)?,
                })
            })
            .collect()
    }

    /// Records one feature's day as given (the demo's past weeks), replacing that day's.
    pub async fn record_rollout_day(&self, row: &FeatureDay) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO rollout_history (day, feature, holders, cap, waiting) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (day, feature) DO UPDATE SET \
             holders = excluded.holders, cap = excluded.cap, waiting = excluded.waiting",
        )
        .bind(day_text(row.day))
        .bind(&row.feature)
        .bind(i64::from(row.holders))
        .bind(row.cap.map(i64::from))
        .bind(i64::from(row.waiting))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The snapshots from `first` to `last` (inclusive), by feature and day.
    pub async fn rollout_history(
        &self,
        first: Date,
        last: Date,
    ) -> Result<Vec<FeatureDay>, StoreError> {
        let rows = sqlx::query(
            "SELECT day, feature, holders, cap, waiting FROM rollout_history \
             WHERE day >= $1 AND day <= $2 ORDER BY feature, day",
        )
        .bind(day_text(first))
        .bind(day_text(last))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(FeatureDay {
                    day: parse_day(&text(row, 0)?)?,
                    feature: text(row, 1)?,
                    holders: count(int(row, 2)?)?,
                    cap: opt_int(row, 3)?.map(count).transpose()?,
                    waiting: count(int(row, 4)?)?,
                })
            })
            .collect()
    }

    /// Per building (by name) and day from `first` to `last`: its desks, how many were
    /// booked (not cancelled; released ones count, they were booked) and how many checked
    /// in to. Every day of the span is there, with zeros for days without bookings.
    pub async fn desk_occupancy(
        &self,
        first: Date,
        last: Date,
    ) -> Result<Vec<Occupancy>, StoreError> {
        let buildings = sqlx::query(
            "SELECT b.id, b.name, COUNT(d.id), b.removed_ms FROM buildings b \
             LEFT JOIN floors f ON f.building_id = b.id AND f.removed_ms IS NULL \
             LEFT JOIN rooms r ON r.floor_id = f.id AND r.removed_ms IS NULL \
             LEFT JOIN desks d ON d.room_id = r.id AND d.removed_ms IS NULL \
             GROUP BY b.id, b.name, b.removed_ms ORDER BY b.name",
        )
        .fetch_all(&self.pool)
        .await?;
        let used = sqlx::query(
            "SELECT k.day, f.building_id, COUNT(DISTINCT k.desk_id), \
             COUNT(DISTINCT CASE WHEN k.state = 'checked_in' THEN k.desk_id END) \
             FROM desk_bookings k JOIN desks d ON d.id = k.desk_id \
             JOIN rooms r ON r.id = d.room_id JOIN floors f ON f.id = r.floor_id \
             WHERE k.day >= $1 AND k.day <= $2 AND k.state <> 'cancelled' \
             GROUP BY k.day, f.building_id",
        )
        .bind(day_text(first))
        .bind(day_text(last))
        .fetch_all(&self.pool)
        .await?;
        let mut by_day: BTreeMap<(String, i64), (u32, u32)> = BTreeMap::new();
        for row in &used {
            by_day.insert(
                (text(row, 0)?, int(row, 1)?),
                (count(int(row, 2)?)?, count(int(row, 3)?)?),
            );
        }
        let mut out = Vec::new();
        for b in &buildings {
            let (id, name, desks) = (int(b, 0)?, text(b, 1)?, count(int(b, 2)?)?);
            // A removed building stays in the report for the days it was used.
            let removed = opt_int(b, 3)?.is_some();
            if removed && !by_day.keys().any(|(_, building)| *building == id) {
                continue;
            }
            let mut day = first;
            while day <= last {
                let (booked, checked_in) = by_day
                    .get(&(day_text(day), id))
                    .copied()
                    .unwrap_or_default();
                out.push(Occupancy {
                    day,
                    building: name.clone(),
                    desks,
                    booked,
                    checked_in,
                });
                match day.tomorrow() {
                    Ok(next) => day = next,
                    Err(_) => break,
                }
            }
        }
        Ok(out)
    }

    /// Each person's office days from `first` to `last`: the days they checked in to a
    /// desk, by person.
    pub async fn office_days(
        &self,
        first: Date,
        last: Date,
    ) -> Result<BTreeMap<i64, u32>, StoreError> {
        let rows = sqlx::query(
            "SELECT staff_id, COUNT(DISTINCT day) FROM desk_bookings \
             WHERE day >= $1 AND day <= $2 AND state = 'checked_in' GROUP BY staff_id",
        )
        .bind(day_text(first))
        .bind(day_text(last))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((int(row, 0)?, count(int(row, 1)?)?)))
            .collect()
    }

    /// From the team's week plans (`tw_days`, days `first` to `last`): each person with
    /// any half-day planned, and their mobile days: days with a mobile half and no office
    /// half (a day with an office half still has the way to work).
    pub async fn planned_mobile_days(
        &self,
        first: Date,
        last: Date,
    ) -> Result<BTreeMap<i64, u32>, StoreError> {
        let rows = sqlx::query(
            "SELECT staff_id, day, location FROM tw_days WHERE day >= $1 AND day <= $2 \
             ORDER BY staff_id, day",
        )
        .bind(day_text(first))
        .bind(day_text(last))
        .fetch_all(&self.pool)
        .await?;
        let mut days: BTreeMap<(i64, String), (bool, bool)> = BTreeMap::new();
        for row in &rows {
            let (mobile, office) = days.entry((int(row, 0)?, text(row, 1)?)).or_default();
            match text(row, 2)?.as_str() {
                "mobile" => *mobile = true,
                "office" => *office = true,
                _ => {}
            }
        }
        let mut out: BTreeMap<i64, u32> = BTreeMap::new();
        for ((staff_id, _), (mobile, office)) in days {
            *out.entry(staff_id).or_default() += u32::from(mobile && !office);
        }
        Ok(out)
    }

    /// Each person's calls begun from `from_ms` (inclusive) to `until_ms` (exclusive), Unix
    /// milliseconds, from their call history, by person.
    pub async fn call_counts(
        &self,
        from_ms: i64,
        until_ms: i64,
    ) -> Result<BTreeMap<i64, u32>, StoreError> {
        let rows = sqlx::query(
            "SELECT staff_id, COUNT(*) FROM call_history \
             WHERE started_at >= $1 AND started_at < $2 GROUP BY staff_id",
        )
        .bind(from_ms)
        .bind(until_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((int(row, 0)?, count(int(row, 1)?)?)))
            .collect()
    }

    /// Sets (or with `None` removes) a person's one-way commute distance in metres
    /// (1 to 500,000, else [`StoreError::Invalid`]).
    pub async fn set_commute(
        &self,
        staff_id: i64,
        metres: Option<u32>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let Some(metres) = metres else {
            sqlx::query("DELETE FROM commute_distances WHERE staff_id = $1")
                .bind(staff_id)
                .execute(&self.pool)
                .await?;
            return Ok(());
        };
        if !(1..=500_000).contains(&metres) {
            return Err(StoreError::Invalid(
                "Der Arbeitsweg muss zwischen 0 und 500 km liegen.".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO commute_distances (staff_id, metres, updated_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (staff_id) DO UPDATE SET metres = excluded.metres, \
             updated_ms = excluded.updated_ms",
        )
        .bind(staff_id)
        .bind(i64::from(metres))
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .map_err(|e| super::missing(e, "Person", staff_id))?;
        Ok(())
    }

    /// A person's one-way commute distance in metres, if they stated one.
    pub async fn commute_of(&self, staff_id: i64) -> Result<Option<u32>, StoreError> {
        let row = sqlx::query("SELECT metres FROM commute_distances WHERE staff_id = $1")
            .bind(staff_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| count(int(&r, 0)?)).transpose()
    }

    /// Everyone's stated commute distances in metres, by person.
    pub async fn commutes(&self) -> Result<BTreeMap<i64, u32>, StoreError> {
        let rows = sqlx::query("SELECT staff_id, metres FROM commute_distances")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok((int(row, 0)?, count(int(row, 1)?)?)))
            .collect()
    }
}
