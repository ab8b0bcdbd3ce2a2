//! Meeting rooms booked by the clock (`planner::room_booking`): a stretch of one day in
//! quarter hours, with a title. Two holding bookings of a room never overlap, whoever books
//! at once and on either database: a booking is written in a transaction that books one
//! room at a time (SQLite writes one transaction at a time, `BEGIN IMMEDIATE`; PostgreSQL
//! locks the room's row first) and checks the room's bookings of that day inside it, so
//! of two overlapping bookings made at the same moment one is written and the other gets
//! [`StoreError::Conflict`] naming the holder.

use super::{day_text, parse_day, parse_time, time_text};
use crate::{int, opt_int, text, Store, StoreError};
use jiff::civil::Date;
use planner::calendar::GermanDate;
use planner::room_booking::{first_overlap, Slot};

/// A room booking, with the names the pages show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomBookingRow {
    /// Its id.
    pub id: i64,
    /// The room.
    pub room_id: i64,
    /// The room's name.
    pub room_name: String,
    /// Who booked it.
    pub staff_id: i64,
    /// Their name.
    pub staff_name: String,
    /// When.
    pub slot: Slot,
    /// What for.
    pub title: String,
    /// When it was booked (Unix ms).
    pub created_ms: i64,
    /// When it was cancelled, if it was.
    pub cancelled_ms: Option<i64>,
}

impl RoomBookingRow {
    /// Whether it still holds the room.
    pub fn holds(&self) -> bool {
        self.cancelled_ms.is_none()
    }
}

const COLUMNS: &str = "b.id, b.room_id, r.name, b.staff_id, s.display_name, b.day, b.starts, \
     b.ends, b.title, b.created_ms, b.cancelled_ms FROM room_bookings b \
     JOIN rooms r ON r.id = b.room_id JOIN staff s ON s.id = b.staff_id";

fn row_of(row: &sqlx::any::AnyRow) -> Result<RoomBookingRow, StoreError> {
    Ok(RoomBookingRow {
        id: int(row, 0)?,
        room_id: int(row, 1)?,
        room_name: text(row, 2)?,
        staff_id: int(row, 3)?,
        staff_name: text(row, 4)?,
        slot: Slot {
            date: parse_day(&text(row, 5)?)?,
            from: parse_time(&text(row, 6)?)?,
            to: parse_time(&text(row, 7)?)?,
        },
        title: text(row, 8)?,
        created_ms: int(row, 9)?,
        cancelled_ms: opt_int(row, 10)?,
    })
}

impl Store {
    /// Books meeting room `room_id` for `slot` (checked by the caller with
    /// `planner::room_booking::check_slot`). [`StoreError::NotFound`] when there is no such
    /// meeting room; [`StoreError::Conflict`] with a German message naming the holder when
    /// a holding booking overlaps. Nothing is written then.
    pub async fn book_room(
        &self,
        room_id: i64,
        staff_id: i64,
        slot: Slot,
        title: &str,
        now_ms: i64,
    ) -> Result<RoomBookingRow, StoreError> {
        let mut tx = self.write_tx().await?;
        let lock = if self.backend == crate::Backend::Postgres {
            " FOR UPDATE"
        } else {
            ""
        };
        let room = sqlx::query(&format!(
            "SELECT name FROM rooms WHERE id = $1 AND kind = 'meeting' \
             AND removed_ms IS NULL{lock}"
        ))
        .bind(room_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound {
            what: "Besprechungsraum",
            id: room_id,
        })?;
        let room_name = text(&room, 0)?;
        let held: Vec<RoomBookingRow> = sqlx::query(&format!(
            "SELECT {COLUMNS} WHERE b.room_id = $1 AND b.day = $2 AND b.state = 'booked'"
        ))
        .bind(room_id)
        .bind(day_text(slot.date))
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(row_of)
        .collect::<Result<_, _>>()?;
        if let Some(id) = first_overlap(held.iter().map(|b| (b.id, &b.slot)), &slot) {
            let other = held.iter().find(|b| b.id == id).expect("found among them");
            return Err(StoreError::Conflict(format!(
                "Der Raum „{room_name}“ ist am {} von {} schon gebucht – von {}.",
                GermanDate(slot.date),
                other.slot.clock(),
                other.staff_name
            )));
        }
        let row = sqlx::query(
            "INSERT INTO room_bookings (room_id, staff_id, day, starts, ends, title, state, \
             created_ms) VALUES ($1, $2, $3, $4, $5, $6, 'booked', $7) RETURNING id",
        )
        .bind(room_id)
        .bind(staff_id)
        .bind(day_text(slot.date))
        .bind(time_text(slot.from))
        .bind(time_text(slot.to))
        .bind(title)
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| super::missing(e, "Person", staff_id))?;
        let id = int(&row, 0)?;
        let booked = sqlx::query(&format!("SELECT {COLUMNS} WHERE b.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let booked = row_of(&booked)?;
        tx.commit().await?;
        Ok(booked)
    }

    /// The bookings of meeting rooms from `first` to `last` (both included) that still
    /// hold, by day, room and start.
    pub async fn room_bookings_between(
        &self,
        first: Date,
        last: Date,
    ) -> Result<Vec<RoomBookingRow>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} WHERE b.day >= $1 AND b.day <= $2 AND b.state = 'booked' \
             ORDER BY b.day, r.name, b.starts, b.id"
        ))
        .bind(day_text(first))
        .bind(day_text(last))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(row_of)
        .collect()
    }

    /// One room booking, in any state.
    pub async fn room_booking(&self, id: i64) -> Result<Option<RoomBookingRow>, StoreError> {
        sqlx::query(&format!("SELECT {COLUMNS} WHERE b.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(row_of)
            .transpose()
    }

    /// Cancels room booking `id` if it still holds (and, with `only_of`, belongs to that
    /// person); whether it did.
    pub async fn cancel_room_booking(
        &self,
        id: i64,
        only_of: Option<i64>,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        const CANCEL: &str = "UPDATE room_bookings SET state = 'cancelled', cancelled_ms = $2 \
             WHERE id = $1 AND state = 'booked'";
        let done = match only_of {
            Some(staff_id) => {
                sqlx::query(&format!("{CANCEL} AND staff_id = $3"))
                    .bind(id)
                    .bind(now_ms)
                    .bind(staff_id)
                    .execute(&self.pool)
                    .await?
            }
            None => {
                sqlx::query(CANCEL)
                    .bind(id)
                    .bind(now_ms)
                    .execute(&self.pool)
                    .await?
            }
        };
        Ok(done.rows_affected() == 1)
    }
}
