//! Who leads each unit (a head and deputies) and who is absent when, so the deciders on an
//! application can be found (`planner::approval::deciders` decides; the store gives it
//! the unit chain and today's absences).

use super::{day_text, missing, parse_day};
use crate::{int, opt_int, text, Store, StoreError};
use jiff::civil::Date;
use planner::approval::Leadership;
use planner::ids::{PersonId, UnitId};

/// A leader's role in a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeaderRole {
    /// The unit's head.
    Head,
    /// A deputy of the head.
    Deputy,
}

/// One leader of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnitLeader {
    /// The unit.
    pub unit_id: i64,
    /// The person.
    pub staff_id: i64,
    /// As what.
    pub role: LeaderRole,
}

/// An absence (leave, business trip), both days inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AbsenceRow {
    /// Its id.
    pub id: i64,
    /// Who.
    pub staff_id: i64,
    /// The first day away.
    pub first_day: Date,
    /// The last day away.
    pub last_day: Date,
}

impl Store {
    /// Sets the unit's head and deputies, replacing the previous ones, all or nothing. The
    /// head cannot also be a deputy.
    pub async fn set_unit_leaders(
        &self,
        unit_id: i64,
        head: Option<i64>,
        deputies: &[i64],
    ) -> Result<(), StoreError> {
        if head.is_some_and(|h| deputies.contains(&h)) {
            return Err(StoreError::Invalid(
                "Die Leitung kann nicht zugleich ihre eigene Vertretung sein.".into(),
            ));
        }
        let mut tx = self.write_tx().await?;
        // Two administrators setting one unit's leaders at once: on PostgreSQL the second
        // waits for the first (the unit's row locked) and then replaces its leaders, as
        // on SQLite, instead of failing on the unique index. `FOR NO KEY UPDATE` leaves
        // foreign-key checks against the unit alone.
        let lock = match self.backend {
            crate::Backend::Postgres => " FOR NO KEY UPDATE",
            _ => "",
        };
        let exists = sqlx::query(&format!("SELECT id FROM units WHERE id = $1{lock}"))
            .bind(unit_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound {
                what: "Organisationseinheit",
                id: unit_id,
            });
        }
        sqlx::query("DELETE FROM unit_leaders WHERE unit_id = $1")
            .bind(unit_id)
            .execute(&mut *tx)
            .await?;
        let mut deduplicated = deputies.to_vec();
        deduplicated.sort_unstable();
        deduplicated.dedup();
        let people = head
            .map(|h| (h, "head"))
            .into_iter()
            .chain(deduplicated.iter().map(|&d| (d, "deputy")));
        for (staff_id, role) in people {
            sqlx::query("INSERT INTO unit_leaders (unit_id, staff_id, role) VALUES ($1, $2, $3)")
                .bind(unit_id)
                .bind(staff_id)
                .bind(role)
                .execute(&mut *tx)
                .await
                .map_err(|e| missing(e, "Person", staff_id))?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The units `staff_id` leads, and as what.
    pub async fn units_led_by(&self, staff_id: i64) -> Result<Vec<UnitLeader>, StoreError> {
        let rows = sqlx::query(
            "SELECT unit_id, staff_id, role FROM unit_leaders WHERE staff_id = $1 ORDER BY unit_id",
        )
        .bind(staff_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(leader_row).collect()
    }

    /// The unit's head and deputies (head first, then by staff id).
    pub async fn unit_leaders(&self, unit_id: i64) -> Result<Vec<UnitLeader>, StoreError> {
        let rows = sqlx::query(
            "SELECT unit_id, staff_id, role FROM unit_leaders WHERE unit_id = $1 \
             ORDER BY CASE role WHEN 'head' THEN 0 ELSE 1 END, staff_id",
        )
        .bind(unit_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(leader_row).collect()
    }

    /// The leadership of `staff_id`'s unit and of every unit above it, nearest first (the
    /// chain `planner::approval::deciders` walks). Units without leaders are included with
    /// no head and no deputies.
    pub async fn leadership_chain(&self, staff_id: i64) -> Result<Vec<Leadership>, StoreError> {
        let row = sqlx::query("SELECT unit_id FROM staff WHERE id = $1")
            .bind(staff_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound {
                what: "Person",
                id: staff_id,
            })?;
        let mut unit = Some(int(&row, 0)?);
        let mut chain = Vec::new();
        while let Some(unit_id) = unit {
            // A corrupt tree with a cycle must not loop forever.
            if chain.len() > 64 {
                return Err(StoreError::Corrupt("the unit tree has a cycle".into()));
            }
            let leaders = sqlx::query(
                "SELECT unit_id, staff_id, role FROM unit_leaders WHERE unit_id = $1 \
                 ORDER BY staff_id",
            )
            .bind(unit_id)
            .fetch_all(&self.pool)
            .await?;
            let mut level = Leadership {
                unit: UnitId(unit_id),
                head: None,
                deputies: Vec::new(),
            };
            for leader in leaders.iter().map(leader_row) {
                let leader = leader?;
                match leader.role {
                    LeaderRole::Head => level.head = Some(PersonId(leader.staff_id)),
                    LeaderRole::Deputy => level.deputies.push(PersonId(leader.staff_id)),
                }
            }
            chain.push(level);
            let parent = sqlx::query("SELECT parent_id FROM units WHERE id = $1")
                .bind(unit_id)
                .fetch_one(&self.pool)
                .await?;
            unit = opt_int(&parent, 0)?;
        }
        Ok(chain)
    }

    /// Records an absence; returns its id.
    pub async fn add_absence(
        &self,
        staff_id: i64,
        first_day: Date,
        last_day: Date,
    ) -> Result<i64, StoreError> {
        if last_day < first_day {
            return Err(StoreError::Invalid(
                "Der letzte Tag liegt vor dem ersten.".into(),
            ));
        }
        let row = sqlx::query(
            "INSERT INTO staff_absences (staff_id, first_day, last_day) VALUES ($1, $2, $3) \
             RETURNING id",
        )
        .bind(staff_id)
        .bind(day_text(first_day))
        .bind(day_text(last_day))
        .fetch_one(&self.pool)
        .await
        .map_err(|e| missing(e, "Person", staff_id))?;
        int(&row, 0)
    }

    /// Removes an absence; whether there was one.
    pub async fn remove_absence(&self, id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM staff_absences WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// `staff_id`'s absences that end on `from` or later, earliest first.
    pub async fn absences_of(
        &self,
        staff_id: i64,
        from: Date,
    ) -> Result<Vec<AbsenceRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, staff_id, first_day, last_day FROM staff_absences \
             WHERE staff_id = $1 AND last_day >= $2 ORDER BY first_day, id",
        )
        .bind(staff_id)
        .bind(day_text(from))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AbsenceRow {
                    id: int(row, 0)?,
                    staff_id: int(row, 1)?,
                    first_day: parse_day(&text(row, 2)?)?,
                    last_day: parse_day(&text(row, 3)?)?,
                })
            })
            .collect()
    }

    /// Everyone absent on `day` (for `planner::approval::deciders`' `absent`).
    pub async fn absent_on(&self, day: Date) -> Result<Vec<PersonId>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT staff_id FROM staff_absences WHERE first_day <= $1 \
             AND last_day >= $1 ORDER BY staff_id",
        )
        .bind(day_text(day))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| Ok(PersonId(int(row, 0)?))).collect()
    }
}

fn leader_row(row: &sqlx::any::AnyRow) -> Result<UnitLeader, StoreError> {
    let role = match text(row, 2)?.as_str() {
        "head" => LeaderRole::Head,
        "deputy" => LeaderRole::Deputy,
        other => return Err(StoreError::Corrupt(format!("leader role {other:?}"))),
    };
    Ok(UnitLeader {
        unit_id: int(row, 0)?,
        staff_id: int(row, 1)?,
        role,
    })
}
