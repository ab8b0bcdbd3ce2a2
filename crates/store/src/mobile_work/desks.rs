//! Buildings, floors (with an optional floor-plan image), rooms and desks, and desk
//! bookings by the day or half-day. A holding booking (booked or checked in) has one row
//! per half-day it covers in `desk_booking_halves`, whose unique index on (desk, day,
//! half) is the guarantee that no desk is ever booked twice for the same time, whoever
//! books at once and on either database: the second insert fails, its transaction (the
//! booking and any other half) is rolled back, and the answer is
//! [`StoreError::DeskTaken`]. Cancelling and releasing delete the halves, so the desk is
//! free again.

use super::{day_text, is_unique_violation, missing, parse_day};
use crate::{int, opt_int, opt_text, text, Store, StoreError};
use jiff::civil::Date;
use planner::calendar::{DayPart, HalfDay};
use planner::desks::{Booking, BookingState};
use planner::ids::{BookingId, PersonId, SpaceId};

/// A building.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildingRow {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its address.
    pub address: Option<String>,
}

/// A floor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FloorRow {
    /// Its id.
    pub id: i64,
    /// Its building.
    pub building_id: i64,
    /// Its name ("2. OG").
    pub name: String,
    /// Its level, for ordering (0: ground floor).
    pub level: i64,
    /// The floor plan's image file in the data folder.
    pub plan_file: Option<String>,
}

/// What a room is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoomKind {
    /// An office with desks.
    Office,
    /// A meeting room.
    Meeting,
}

/// A room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildingRoom {
    /// Its id.
    pub id: i64,
    /// Its floor.
    pub floor_id: i64,
    /// Its name or number.
    pub name: String,
    /// What it is for.
    pub kind: RoomKind,
    /// Its seats.
    pub seats: i64,
    /// The unit whose team zone it is (its path), if any (`desk_zones.rs`).
    pub zone: Option<String>,
}

/// A desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskRow {
    /// Its id (the planner's `SpaceId`).
    pub id: i64,
    /// Its room.
    pub room_id: i64,
    /// Its label (on the QR code).
    pub label: String,
    /// Equipment tags, sorted (`docking`, `two_screens`, `height_adjustable`, …).
    pub equipment: Vec<String>,
    /// Its marker on the floor plan, x and y in per mille of the plan's width and height.
    pub position: Option<(i64, i64)>,
}

/// A desk booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeskBookingRow {
    /// Its id.
    pub id: i64,
    /// The desk.
    pub desk_id: i64,
    /// Who.
    pub staff_id: i64,
    /// The day.
    pub day: Date,
    /// Which part of it.
    pub part: DayPart,
    /// Where it stands.
    pub state: BookingState,
    /// Unix milliseconds.
    pub created_ms: i64,
    /// When checked in (Unix milliseconds).
    pub checked_in_ms: Option<i64>,
}

impl DeskBookingRow {
    /// The planner's booking (for `planner::desks::due_for_release`, `check_in`, …).
    pub fn to_planner(&self) -> Booking {
        Booking {
            id: BookingId(self.id),
            space: SpaceId(self.desk_id),
            person: PersonId(self.staff_id),
            date: self.day,
            part: self.part,
            state: self.state,
        }
    }
}

fn part_text(part: DayPart) -> &'static str {
    match part {
        DayPart::Whole => "whole",
        DayPart::Morning => "morning",
        DayPart::Afternoon => "afternoon",
    }
}

fn half_text(half: HalfDay) -> &'static str {
    match half {
        HalfDay::Morning => "morning",
        HalfDay::Afternoon => "afternoon",
    }
}

fn state_text(state: BookingState) -> &'static str {
    match state {
        BookingState::Booked => "booked",
        BookingState::CheckedIn => "checked_in",
        BookingState::Released => "released",
        BookingState::Cancelled => "cancelled",
    }
}

const BOOKING_COLUMNS: &str = "id, desk_id, staff_id, day, part, state, created_ms, checked_in_ms";

fn booking_row(row: &sqlx::any::AnyRow) -> Result<DeskBookingRow, StoreError> {
    let part = match text(row, 4)?.as_str() {
        "whole" => DayPart::Whole,
        "morning" => DayPart::Morning,
        "afternoon" => DayPart::Afternoon,
        other => return Err(StoreError::Corrupt(format!("booking part {other:?}"))),
    };
    let state = match text(row, 5)?.as_str() {
        "booked" => BookingState::Booked,
        "checked_in" => BookingState::CheckedIn,
        "released" => BookingState::Released,
        "cancelled" => BookingState::Cancelled,
        other => return Err(StoreError::Corrupt(format!("booking state {other:?}"))),
    };
    Ok(DeskBookingRow {
        id: int(row, 0)?,
        desk_id: int(row, 1)?,
        staff_id: int(row, 2)?,
        day: parse_day(&text(row, 3)?)?,
        part,
        state,
        created_ms: int(row, 6)?,
        checked_in_ms: opt_int(row, 7)?,
    })
}

fn check_name(name: &str) -> Result<(), StoreError> {
    if name.trim().is_empty() {
        return Err(StoreError::Invalid("Der Name darf nicht leer sein.".into()));
    }
    Ok(())
}

/// A unique violation of a name as a conflict, a missing parent as "not found".
fn named(error: sqlx::Error, name: &str, parent: &'static str, parent_id: i64) -> StoreError {
    if is_unique_violation(&error) {
        StoreError::Conflict(format!("{name:?} gibt es hier schon."))
    } else {
        missing(error, parent, parent_id)
    }
}

fn check_position(position: Option<(i64, i64)>) -> Result<(), StoreError> {
    match position {
        Some((x, y)) if !(0..=1000).contains(&x) || !(0..=1000).contains(&y) => Err(
            StoreError::Invalid("Die Position liegt außerhalb des Plans (0 bis 1000).".into()),
        ),
        _ => Ok(()),
    }
}

impl Store {
    /// Adds a building; returns its id.
    pub async fn add_building(&self, name: &str, address: Option<&str>) -> Result<i64, StoreError> {
        check_name(name)?;
        let row = sqlx::query("INSERT INTO buildings (name, address) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(address)
            .fetch_one(&self.pool)
            .await
            .map_err(|e| named(e, name, "Gebäude", 0))?;
        int(&row, 0)
    }

    /// Every building, by name.
    pub async fn buildings(&self) -> Result<Vec<BuildingRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, address FROM buildings WHERE removed_ms IS NULL ORDER BY name, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(BuildingRow {
                    id: int(row, 0)?,
                    name: text(row, 1)?,
                    address: opt_text(row, 2)?,
                })
            })
            .collect()
    }

    /// Adds a floor to a building; returns its id.
    pub async fn add_floor(
        &self,
        building_id: i64,
        name: &str,
        level: i64,
        plan_file: Option<&str>,
    ) -> Result<i64, StoreError> {
        check_name(name)?;
        let row = sqlx::query(
            "INSERT INTO floors (building_id, name, level, plan_file) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(building_id)
        .bind(name)
        .bind(level)
        .bind(plan_file)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| named(e, name, "Gebäude", building_id))?;
        int(&row, 0)
    }

    /// Sets or clears a floor's plan image; returns the file it had (to delete).
    pub async fn set_floor_plan(
        &self,
        floor_id: i64,
        plan_file: Option<&str>,
    ) -> Result<Option<String>, StoreError> {
        let mut tx = self.write_tx().await?;
        let old = sqlx::query("SELECT plan_file FROM floors WHERE id = $1")
            .bind(floor_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound {
                what: "Etage",
                id: floor_id,
            })?;
        sqlx::query("UPDATE floors SET plan_file = $1 WHERE id = $2")
            .bind(plan_file)
            .bind(floor_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        opt_text(&old, 0)
    }

    /// A building's floors, by level.
    pub async fn floors(&self, building_id: i64) -> Result<Vec<FloorRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, building_id, name, level, plan_file FROM floors WHERE building_id = $1 \
             AND removed_ms IS NULL ORDER BY level, id",
        )
        .bind(building_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(FloorRow {
                    id: int(row, 0)?,
                    building_id: int(row, 1)?,
                    name: text(row, 2)?,
                    level: int(row, 3)?,
                    plan_file: opt_text(row, 4)?,
                })
            })
            .collect()
    }

    /// Adds a room to a floor; returns its id.
    pub async fn add_room(
        &self,
        floor_id: i64,
        name: &str,
        kind: RoomKind,
        seats: u32,
    ) -> Result<i64, StoreError> {
        check_name(name)?;
        let kind = match kind {
            RoomKind::Office => "office",
            RoomKind::Meeting => "meeting",
        };
        let row = sqlx::query(
            "INSERT INTO rooms (floor_id, name, kind, seats) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(floor_id)
        .bind(name)
        .bind(kind)
        .bind(i64::from(seats))
        .fetch_one(&self.pool)
        .await
        .map_err(|e| named(e, name, "Etage", floor_id))?;
        int(&row, 0)
    }

    /// A floor's rooms, by name.
    pub async fn rooms(&self, floor_id: i64) -> Result<Vec<BuildingRoom>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.id, r.floor_id, r.name, r.kind, r.seats, u.path FROM rooms r \
             LEFT JOIN units u ON u.id = r.zone_unit_id WHERE r.floor_id = $1 AND r.removed_ms IS NULL \
             ORDER BY r.name, r.id",
        )
        .bind(floor_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let kind = match text(row, 3)?.as_str() {
                    "meeting" => RoomKind::Meeting,
                    _ => RoomKind::Office,
                };
                Ok(BuildingRoom {
                    id: int(row, 0)?,
                    floor_id: int(row, 1)?,
                    name: text(row, 2)?,
                    kind,
                    seats: int(row, 4)?,
                    zone: opt_text(row, 5)?,
                })
            })
            .collect()
    }

    /// Adds a desk to a room; returns its id.
    pub async fn add_desk(
        &self,
        room_id: i64,
        label: &str,
        equipment: &[&str],
        position: Option<(i64, i64)>,
    ) -> Result<i64, StoreError> {
        check_name(label)?;
        check_position(position)?;
        if equipment.iter().any(|t| t.is_empty() || t.contains(',')) {
            return Err(StoreError::Invalid(
                "Ausstattungsmerkmale dürfen nicht leer sein und kein Komma enthalten.".into(),
            ));
        }
        let mut tags: Vec<&str> = equipment.to_vec();
        tags.sort_unstable();
        tags.dedup();
        // Only into a room that is not removed.
        let row = sqlx::query(
            "INSERT INTO desks (room_id, label, equipment, x, y) SELECT $1, $2, $3, $4, $5 \
             WHERE EXISTS (SELECT 1 FROM rooms WHERE id = $1 AND removed_ms IS NULL) \
             RETURNING id",
        )
        .bind(room_id)
        .bind(label)
        .bind(tags.join(","))
        .bind(position.map(|p| p.0))
        .bind(position.map(|p| p.1))
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| named(e, label, "Raum", room_id))?
        .ok_or(StoreError::NotFound {
            what: "Raum",
            id: room_id,
        })?;
        int(&row, 0)
    }

    /// Places a desk's marker on the floor plan (or removes it).
    pub async fn set_desk_position(
        &self,
        desk_id: i64,
        position: Option<(i64, i64)>,
    ) -> Result<(), StoreError> {
        check_position(position)?;
        let done =
            sqlx::query("UPDATE desks SET x = $1, y = $2 WHERE id = $3 AND removed_ms IS NULL")
                .bind(position.map(|p| p.0))
                .bind(position.map(|p| p.1))
                .bind(desk_id)
                .execute(&self.pool)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "Platz",
                id: desk_id,
            });
        }
        Ok(())
    }

    /// The desks on a floor, by room and label.
    pub async fn desks_on_floor(&self, floor_id: i64) -> Result<Vec<DeskRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.id, d.room_id, d.label, d.equipment, d.x, d.y FROM desks d \
             JOIN rooms r ON r.id = d.room_id WHERE r.floor_id = $1 AND d.removed_ms IS NULL \
             ORDER BY r.name, d.label",
        )
        .bind(floor_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let equipment = text(row, 3)?;
                Ok(DeskRow {
                    id: int(row, 0)?,
                    room_id: int(row, 1)?,
                    label: text(row, 2)?,
                    equipment: equipment
                        .split(',')
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                        .collect(),
                    position: opt_int(row, 4)?.zip(opt_int(row, 5)?),
                })
            })
            .collect()
    }

    /// One floor.
    pub async fn floor(&self, floor_id: i64) -> Result<Option<FloorRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, building_id, name, level, plan_file FROM floors WHERE id = $1 \
                 AND removed_ms IS NULL",
        )
        .bind(floor_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(FloorRow {
                id: int(&row, 0)?,
                building_id: int(&row, 1)?,
                name: text(&row, 2)?,
                level: int(&row, 3)?,
                plan_file: opt_text(&row, 4)?,
            })
        })
        .transpose()
    }

    /// One desk with the room and floor it is in ("where is it").
    pub async fn desk_with_place(
        &self,
        desk_id: i64,
    ) -> Result<Option<(DeskRow, BuildingRoom, FloorRow)>, StoreError> {
        let row = sqlx::query(
            "SELECT d.id, d.room_id, d.label, d.equipment, d.x, d.y, r.floor_id, r.name, \
             r.kind, r.seats, u.path FROM desks d JOIN rooms r ON r.id = d.room_id \
             LEFT JOIN units u ON u.id = r.zone_unit_id WHERE d.id = $1 AND d.removed_ms IS NULL",
        )
        .bind(desk_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let floor_id = int(&row, 6)?;
        let floor = self.floor(floor_id).await?.ok_or(StoreError::NotFound {
            what: "Etage",
            id: floor_id,
        })?;
        let desk = DeskRow {
            id: int(&row, 0)?,
            room_id: int(&row, 1)?,
            label: text(&row, 2)?,
            equipment: text(&row, 3)?
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            position: opt_int(&row, 4)?.zip(opt_int(&row, 5)?),
        };
        let room = BuildingRoom {
            id: desk.room_id,
            floor_id,
            name: text(&row, 7)?,
            kind: match text(&row, 8)?.as_str() {
                "meeting" => RoomKind::Meeting,
                _ => RoomKind::Office,
            },
            seats: int(&row, 9)?,
            zone: opt_text(&row, 10)?,
        };
        Ok(Some((desk, room, floor)))
    }

    /// Books `desk_id` for `staff_id` on `day` (the whole day or one half): every
    /// half-day it covers, or nothing. A half already held by anyone is
    /// [`StoreError::DeskTaken`] and nothing is written.
    pub async fn book_desk(
        &self,
        desk_id: i64,
        staff_id: i64,
        day: Date,
        part: DayPart,
        now_ms: i64,
    ) -> Result<DeskBookingRow, StoreError> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(
            "INSERT INTO desk_bookings (desk_id, staff_id, day, part, state, created_ms) \
             VALUES ($1, $2, $3, $4, 'booked', $5) RETURNING id",
        )
        .bind(desk_id)
        .bind(staff_id)
        .bind(day_text(day))
        .bind(part_text(part))
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| missing(e, "Platz oder Person", desk_id))?;
        let id = int(&row, 0)?;
        for &half in part.halves() {
            let inserted = sqlx::query(
                "INSERT INTO desk_booking_halves (booking_id, desk_id, day, half) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(desk_id)
            .bind(day_text(day))
            .bind(half_text(half))
            .execute(&mut *tx)
            .await;
            match inserted {
                // Dropping the transaction rolls the booking and any half back.
                Err(e) if is_unique_violation(&e) => {
                    return Err(StoreError::DeskTaken {
                        desk: desk_id,
                        day,
                        half: match half {
                            HalfDay::Morning => "vormittags",
                            HalfDay::Afternoon => "nachmittags",
                        },
                    })
                }
                other => other?,
            };
        }
        tx.commit().await?;
        Ok(DeskBookingRow {
            id,
            desk_id,
            staff_id,
            day,
            part,
            state: BookingState::Booked,
            created_ms: now_ms,
            checked_in_ms: None,
        })
    }

    /// One booking.
    pub async fn desk_booking(&self, id: i64) -> Result<Option<DeskBookingRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {BOOKING_COLUMNS} FROM desk_bookings WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(booking_row).transpose()
    }

    /// The bookings from `first` to `last` (inclusive) in every state, by day, desk, id.
    pub async fn desk_bookings_between(
        &self,
        first: Date,
        last: Date,
    ) -> Result<Vec<DeskBookingRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {BOOKING_COLUMNS} FROM desk_bookings WHERE day >= $1 AND day <= $2 \
             ORDER BY day, desk_id, id"
        ))
        .bind(day_text(first))
        .bind(day_text(last))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(booking_row).collect()
    }

    /// Moves a holding booking of `staff_id` to `to` (cancelled or released) and frees its
    /// half-days; `from` lists the states it may leave.
    async fn end_booking(
        &self,
        id: i64,
        staff_id: Option<i64>,
        from: &[BookingState],
        to: BookingState,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let states = from
            .iter()
            .map(|s| format!("'{}'", state_text(*s)))
            .collect::<Vec<_>>()
            .join(", ");
        let done = sqlx::query(&format!(
            "UPDATE desk_bookings SET state = $1, ended_ms = $2 WHERE id = $3 \
             AND ($4 < 0 OR staff_id = $4) AND state IN ({states})"
        ))
        .bind(state_text(to))
        .bind(now_ms)
        .bind(id)
        .bind(staff_id.unwrap_or(-1))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM desk_booking_halves WHERE booking_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Cancels `staff_id`'s booking (booked or checked in); the desk is free again.
    /// `false`: no such holding booking of theirs.
    pub async fn cancel_desk_booking(
        &self,
        id: i64,
        staff_id: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let holding = [BookingState::Booked, BookingState::CheckedIn];
        self.end_booking(
            id,
            Some(staff_id),
            &holding,
            BookingState::Cancelled,
            now_ms,
        )
        .await
    }

    /// Checks `staff_id` in to their booking (after `planner::desks::check_in` said yes);
    /// checking in twice keeps the first time. A booking that is not theirs or no longer
    /// held (released, cancelled) is [`StoreError::Conflict`].
    pub async fn check_in_desk_booking(
        &self,
        id: i64,
        staff_id: i64,
        now_ms: i64,
    ) -> Result<DeskBookingRow, StoreError> {
        let done = sqlx::query(
            "UPDATE desk_bookings SET state = 'checked_in', \
             checked_in_ms = COALESCE(checked_in_ms, $1) \
             WHERE id = $2 AND staff_id = $3 AND state IN ('booked', 'checked_in')",
        )
        .bind(now_ms)
        .bind(id)
        .bind(staff_id)
        .execute(&self.pool)
        .await?;
        let row = self.desk_booking(id).await?.ok_or(StoreError::NotFound {
            what: "Buchung",
            id,
        })?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "Diese Buchung gehört jemand anderem oder gilt nicht mehr.".into(),
            ));
        }
        Ok(row)
    }

    /// Releases the bookings `planner::desks::due_for_release` chose, each only if still
    /// booked and not checked in (a check-in meanwhile wins); returns the released ones.
    pub async fn release_desk_bookings(
        &self,
        ids: &[BookingId],
        now_ms: i64,
    ) -> Result<Vec<BookingId>, StoreError> {
        let mut released = Vec::new();
        for &id in ids {
            if self
                .end_booking(
                    id.0,
                    None,
                    &[BookingState::Booked],
                    BookingState::Released,
                    now_ms,
                )
                .await?
            {
                released.push(id);
            }
        }
        Ok(released)
    }
}
