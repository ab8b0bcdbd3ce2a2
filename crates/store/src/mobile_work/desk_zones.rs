//! Team zones: a room of desks made a unit's zone (`rooms.zone_unit_id`); the rule who may
//! book there is the planner's (`planner::desks::zone_allows`), the zone is read with the
//! room ([`super::BuildingRoom::zone`]).

use crate::{Store, StoreError};

impl Store {
    /// Makes office `room_id` the zone of the unit at `unit_path`, or no zone with `None`.
    /// [`StoreError::NotFound`] for a room that does not exist or is a meeting room;
    /// [`StoreError::UnknownUnit`] for a unit that does not exist. Nothing changes then.
    pub async fn set_room_zone(
        &self,
        room_id: i64,
        unit_path: Option<&str>,
    ) -> Result<(), StoreError> {
        let unit = match unit_path {
            Some(path) => Some(
                self.unit_id_by_path(path)
                    .await?
                    .ok_or_else(|| StoreError::UnknownUnit(path.to_string()))?,
            ),
            None => None,
        };
        let done = sqlx::query(
            "UPDATE rooms SET zone_unit_id = $2 WHERE id = $1 AND kind = 'office' \
             AND removed_ms IS NULL",
        )
        .bind(room_id)
        .bind(unit)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "Büroraum",
                id: room_id,
            });
        }
        Ok(())
    }
}
