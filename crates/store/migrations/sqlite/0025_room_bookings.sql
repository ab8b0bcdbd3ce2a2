-- Meeting rooms booked by the clock (issue 19): a stretch of one day in quarter hours,
-- local times as HH:MM. That two holding bookings of a room never overlap is kept by
-- booking one room at a time (SQLite writes one transaction at a time; PostgreSQL locks
-- the room's row first) and checking the room's bookings of that day inside it.
CREATE TABLE room_bookings (
    id           INTEGER PRIMARY KEY,
    room_id      INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    staff_id     INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    day          TEXT NOT NULL,
    starts       TEXT NOT NULL,
    ends         TEXT NOT NULL CHECK (ends > starts),
    title        TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('booked', 'cancelled')),
    created_ms   BIGINT NOT NULL,
    cancelled_ms BIGINT
);
CREATE INDEX room_bookings_day ON room_bookings (room_id, day);
CREATE INDEX room_bookings_staff ON room_bookings (staff_id, day);
