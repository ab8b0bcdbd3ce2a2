-- The equipment pool (issue 19): items with a unique inventory number, loans with their
-- history (lent, due, returned, the last day a reminder went out), reservations for
-- ranges of days, and a waiting list per kind. Days are ISO dates in the
-- administration's calendar. No item is lent twice at once (a unique index over its
-- open loan); overlapping loans and reservations are refused by the planner inside one
-- write transaction per item (SQLite writes one transaction at a time).

CREATE TABLE equipment_items (
    id               INTEGER PRIMARY KEY,
    inventory_number TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL CHECK (kind IN ('headset', 'camera', 'laptop',
        'mobile_phone', 'other')),
    name             TEXT NOT NULL,
    notes            TEXT,
    created_ms       BIGINT NOT NULL,
    retired_ms       BIGINT
);
CREATE INDEX equipment_items_kind ON equipment_items (kind);

CREATE TABLE equipment_loans (
    id           INTEGER PRIMARY KEY,
    item_id      INTEGER NOT NULL REFERENCES equipment_items (id) ON DELETE CASCADE,
    staff_id     INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    lent_day     TEXT NOT NULL,
    due_day      TEXT NOT NULL,
    lent_ms      BIGINT NOT NULL,
    returned_day TEXT,
    returned_ms  BIGINT,
    -- The last day an overdue reminder was written (at most one a day).
    reminded_day TEXT,
    CHECK (lent_day <= due_day)
);
CREATE UNIQUE INDEX equipment_loans_open ON equipment_loans (item_id) WHERE returned_ms IS NULL;
CREATE INDEX equipment_loans_staff ON equipment_loans (staff_id);

CREATE TABLE equipment_reservations (
    id         INTEGER PRIMARY KEY,
    item_id    INTEGER NOT NULL REFERENCES equipment_items (id) ON DELETE CASCADE,
    staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    first_day  TEXT NOT NULL,
    last_day   TEXT NOT NULL,
    -- reserved; cancelled (by the person, or the item retired); lent (picked up by a loan).
    state      TEXT NOT NULL CHECK (state IN ('reserved', 'cancelled', 'lent')),
    -- 1: kept for the first on the waiting list when the item came back.
    offered    BIGINT NOT NULL DEFAULT 0,
    created_ms BIGINT NOT NULL,
    ended_ms   BIGINT,
    CHECK (first_day <= last_day)
);
CREATE INDEX equipment_reservations_item ON equipment_reservations (item_id, last_day);
CREATE INDEX equipment_reservations_staff ON equipment_reservations (staff_id);

CREATE TABLE equipment_waiting (
    id       INTEGER PRIMARY KEY,
    staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL CHECK (kind IN ('headset', 'camera', 'laptop', 'mobile_phone',
        'other')),
    since_ms BIGINT NOT NULL,
    UNIQUE (staff_id, kind)
);
