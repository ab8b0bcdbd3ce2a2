//! Changing the layout the administrators drew: renaming a building, floor, room or desk,
//! and removing one that is empty. A building goes only without floors, a floor only
//! without rooms, a room only without desks and without meeting bookings from today on, a
//! desk only without bookings from today on that still hold it; otherwise nothing changes
//! and the answer is a [`StoreError::Conflict`] saying what is still there. A removed part
//! is marked (`removed_ms`, migration 0027) and renamed "… [entfernt N]", not deleted:
//! its past bookings are the history the rollout report counts. Everything else leaves
//! removed parts out.

use super::{day_text, is_unique_violation};
use crate::{int, opt_text, Store, StoreError};
use jiff::civil::Date;

/// What part of the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LayoutKind {
    /// A building.
    Building,
    /// A floor.
    Floor,
    /// A room.
    Room,
    /// A desk.
    Desk,
}

impl LayoutKind {
    /// The table and its name column.
    fn table(self) -> (&'static str, &'static str) {
        match self {
            LayoutKind::Building => ("buildings", "name"),
            LayoutKind::Floor => ("floors", "name"),
            LayoutKind::Room => ("rooms", "name"),
            LayoutKind::Desk => ("desks", "label"),
        }
    }

    /// The German word, for messages.
    pub fn german(self) -> &'static str {
        match self {
            LayoutKind::Building => "Gebäude",
            LayoutKind::Floor => "Etage",
            LayoutKind::Room => "Raum",
            LayoutKind::Desk => "Platz",
        }
    }
}

/// What is still in a part of the layout that was to be removed: (query counting it, the
/// German message with `{n}`).
fn still_there(kind: LayoutKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        LayoutKind::Building => &[(
            "SELECT COUNT(*) FROM floors WHERE building_id = $1 AND removed_ms IS NULL",
            "Das Gebäude hat noch {n} Etage(n); entfernen Sie zuerst diese.",
        )],
        LayoutKind::Floor => &[(
            "SELECT COUNT(*) FROM rooms WHERE floor_id = $1 AND removed_ms IS NULL",
            "Die Etage hat noch {n} Raum/Räume; entfernen Sie zuerst diese.",
        )],
        LayoutKind::Room => &[
            (
                "SELECT COUNT(*) FROM desks WHERE room_id = $1 AND removed_ms IS NULL",
                "Der Raum hat noch {n} Platz/Plätze; entfernen Sie zuerst diese.",
            ),
            (
                "SELECT COUNT(*) FROM room_bookings WHERE room_id = $1 AND state = 'booked' \
                 AND day >= $2",
                "Der Raum ist ab heute noch {n}-mal gebucht; die Buchungen müssen erst \
                 storniert werden.",
            ),
        ],
        LayoutKind::Desk => &[(
            "SELECT COUNT(*) FROM desk_bookings WHERE desk_id = $1 \
             AND state IN ('booked', 'checked_in') AND day >= $2",
            "Der Platz ist ab heute noch {n}-mal gebucht; die Buchungen müssen erst \
             storniert werden.",
        )],
    }
}

impl Store {
    /// Renames a part of the layout. [`StoreError::NotFound`] when it does not exist,
    /// [`StoreError::Conflict`] when its parent has one of that name already,
    /// [`StoreError::Invalid`] for an empty name.
    pub async fn rename_layout(
        &self,
        kind: LayoutKind,
        id: i64,
        name: &str,
    ) -> Result<(), StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("Der Name darf nicht leer sein.".into()));
        }
        let (table, column) = kind.table();
        let done = sqlx::query(&format!(
            "UPDATE {table} SET {column} = $2 WHERE id = $1 AND removed_ms IS NULL"
        ))
        .bind(id)
        .bind(name)
        .execute(&self.pool)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict(format!("„{name}“ gibt es hier schon."))
            } else {
                StoreError::Database(e)
            }
        })?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: kind.german(),
                id,
            });
        }
        Ok(())
    }

    /// Removes an empty part of the layout (see the module); for a floor, returns its plan
    /// image's file (for the caller to delete).
    pub async fn remove_layout(
        &self,
        kind: LayoutKind,
        id: i64,
        today: Date,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        let (table, _) = kind.table();
        let mut tx = self.write_tx().await?;
        let lock = if self.backend == crate::Backend::Postgres {
            " FOR UPDATE"
        } else {
            ""
        };
        let plan = if kind == LayoutKind::Floor {
            "plan_file"
        } else {
            "NULL"
        };
        let row = sqlx::query(&format!(
            "SELECT {plan} FROM {table} WHERE id = $1 AND removed_ms IS NULL{lock}"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound {
            what: kind.german(),
            id,
        })?;
        let plan_file = if kind == LayoutKind::Floor {
            opt_text(&row, 0)?
        } else {
            None
        };
        for (count, message) in still_there(kind) {
            let mut query = sqlx::query(count).bind(id);
            if count.contains("$2") {
                query = query.bind(day_text(today));
            }
            let n = int(&query.fetch_one(&mut *tx).await?, 0)?;
            if n > 0 {
                return Err(StoreError::Conflict(message.replace("{n}", &n.to_string())));
            }
        }
        let (_, column) = kind.table();
        let clear_plan = if kind == LayoutKind::Floor {
            ", plan_file = NULL"
        } else {
            ""
        };
        sqlx::query(&format!(
            "UPDATE {table} SET removed_ms = $2, {column} = {column} || ' [entfernt ' || \
             CAST(id AS TEXT) || ']'{clear_plan} WHERE id = $1"
        ))
        .bind(id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(plan_file)
    }
}
