-- Mobile work (issue 19): the service agreement's rules and acknowledgement texts, who
-- leads each unit and who is absent, agreements with their append-only history, desks and
-- their half-day bookings, and the phased rollout's caps and waiting lists.
-- Days are ISO dates ('2025-03-10') and local times ISO date-times ('2025-03-10T09:00:00')
-- in the administration's calendar, as the planner works with them; both sort as text.

-- The current rules, one row (JSON as the web layer writes it).
CREATE TABLE mw_rules (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    rules      TEXT NOT NULL,
    updated_ms BIGINT NOT NULL
);

-- Acknowledgement texts (data protection, information security), each version kept.
CREATE TABLE mw_texts (
    key          TEXT NOT NULL,
    version      BIGINT NOT NULL CHECK (version >= 1),
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    published_ms BIGINT NOT NULL,
    PRIMARY KEY (key, version)
);

CREATE TABLE mw_acknowledgements (
    staff_id BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    text_key TEXT NOT NULL,
    version  BIGINT NOT NULL,
    at_ms    BIGINT NOT NULL,
    PRIMARY KEY (staff_id, text_key, version),
    FOREIGN KEY (text_key, version) REFERENCES mw_texts (key, version)
);

-- A unit's head (at most one) and deputies.
CREATE TABLE unit_leaders (
    unit_id  BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    staff_id BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('head', 'deputy')),
    PRIMARY KEY (unit_id, staff_id)
);
CREATE UNIQUE INDEX unit_leaders_one_head ON unit_leaders (unit_id) WHERE role = 'head';
CREATE INDEX unit_leaders_staff ON unit_leaders (staff_id);

-- Absences (leave, business trips), first and last day inclusive.
CREATE TABLE staff_absences (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_id  BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    first_day TEXT NOT NULL,
    last_day  TEXT NOT NULL,
    CHECK (first_day <= last_day)
);
CREATE INDEX staff_absences_staff ON staff_absences (staff_id, last_day);

-- One row per application, in its current state; `revision` counts its history entries.
CREATE TABLE mw_agreements (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_id             BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    unit_id              BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    state                TEXT NOT NULL CHECK (state IN ('applied', 'changes_requested',
        'rejected', 'withdrawn', 'approved', 'revoking', 'ended')),
    -- Fixed weekdays (bit 0 Monday) or a number per week, exactly one.
    weekdays             BIGINT,
    per_week             BIGINT,
    start_day            TEXT NOT NULL,
    end_day              TEXT,
    reachable_from       TEXT,
    reachable_until      TEXT,
    reason               TEXT,
    -- The decider's note (changes requested, rejection) or the revocation's reason.
    note                 TEXT,
    rejection_category   TEXT CHECK (rejection_category IN ('service_needs',
        'tasks_unsuitable', 'requirements_not_met', 'other')),
    revocation_effective TEXT,
    end_cause            TEXT CHECK (end_cause IN ('expired', 'by_agreement', 'revoked')),
    revision             BIGINT NOT NULL,
    created_ms           BIGINT NOT NULL,
    updated_ms           BIGINT NOT NULL,
    CHECK ((weekdays IS NULL) <> (per_week IS NULL))
);
CREATE INDEX mw_agreements_staff ON mw_agreements (staff_id);
CREATE INDEX mw_agreements_state ON mw_agreements (state, unit_id);

-- The planner's audit records, appended with the transition that made them, never changed.
CREATE TABLE mw_agreement_history (
    agreement_id     BIGINT NOT NULL REFERENCES mw_agreements (id) ON DELETE CASCADE,
    seq              BIGINT NOT NULL,
    at               TEXT NOT NULL,
    actor            TEXT NOT NULL CHECK (actor IN ('applicant', 'decider', 'calendar')),
    actor_staff_id   BIGINT,
    capacity         TEXT CHECK (capacity IN ('head', 'deputy')),
    capacity_unit_id BIGINT,
    action           TEXT NOT NULL,
    -- The record as the person reads it (German).
    summary          TEXT NOT NULL,
    unit_id          BIGINT NOT NULL,
    recorded_ms      BIGINT NOT NULL,
    PRIMARY KEY (agreement_id, seq)
);
CREATE FUNCTION mw_agreement_history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'mw_agreement_history is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER mw_agreement_history_append_only BEFORE UPDATE ON mw_agreement_history
    FOR EACH ROW EXECUTE FUNCTION mw_agreement_history_append_only();

-- Buildings, floors (with an optional floor-plan image in the data folder), rooms, desks.
CREATE TABLE buildings (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    address TEXT
);

CREATE TABLE floors (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    building_id BIGINT NOT NULL REFERENCES buildings (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    level       BIGINT NOT NULL,
    plan_file   TEXT,
    UNIQUE (building_id, name)
);

CREATE TABLE rooms (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    floor_id BIGINT NOT NULL REFERENCES floors (id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('office', 'meeting')),
    seats    BIGINT NOT NULL CHECK (seats >= 0),
    UNIQUE (floor_id, name)
);

-- Equipment tags comma-separated and sorted; x/y on the floor plan in per mille of its size.
CREATE TABLE desks (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room_id   BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    label     TEXT NOT NULL,
    equipment TEXT NOT NULL,
    x         BIGINT CHECK (x BETWEEN 0 AND 1000),
    y         BIGINT CHECK (y BETWEEN 0 AND 1000),
    UNIQUE (room_id, label),
    CHECK ((x IS NULL) = (y IS NULL))
);

CREATE TABLE desk_bookings (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    desk_id       BIGINT NOT NULL REFERENCES desks (id) ON DELETE CASCADE,
    staff_id      BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    day           TEXT NOT NULL,
    part          TEXT NOT NULL CHECK (part IN ('whole', 'morning', 'afternoon')),
    state         TEXT NOT NULL CHECK (state IN ('booked', 'checked_in', 'released',
        'cancelled')),
    created_ms    BIGINT NOT NULL,
    checked_in_ms BIGINT,
    ended_ms      BIGINT
);
CREATE INDEX desk_bookings_day ON desk_bookings (day, desk_id);
CREATE INDEX desk_bookings_staff ON desk_bookings (staff_id, day);

-- The half-days a holding booking (booked or checked in) occupies: the unique index is the
-- guarantee that no desk is booked twice for the same time, whoever books concurrently.
-- Cancelling or releasing a booking deletes its halves.
CREATE TABLE desk_booking_halves (
    booking_id BIGINT NOT NULL REFERENCES desk_bookings (id) ON DELETE CASCADE,
    desk_id    BIGINT NOT NULL REFERENCES desks (id) ON DELETE CASCADE,
    day        TEXT NOT NULL,
    half       TEXT NOT NULL CHECK (half IN ('morning', 'afternoon')),
    PRIMARY KEY (booking_id, half)
);
CREATE UNIQUE INDEX desk_booking_halves_once ON desk_booking_halves (desk_id, day, half);

-- The rollout per feature: an optional cap, how many hold it (always the number of
-- rollout_holders rows), and how the waiting list is ordered.
CREATE TABLE rollout_features (
    feature    TEXT PRIMARY KEY,
    cap        BIGINT CHECK (cap >= 0),
    holders    BIGINT NOT NULL DEFAULT 0 CHECK (holders >= 0),
    scheme     TEXT NOT NULL CHECK (scheme IN ('weights', 'tiers')),
    updated_ms BIGINT NOT NULL
);

CREATE TABLE rollout_criteria (
    feature TEXT NOT NULL REFERENCES rollout_features (feature) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    label   TEXT NOT NULL,
    weight  BIGINT NOT NULL CHECK (weight >= 0),
    rank    BIGINT NOT NULL,
    PRIMARY KEY (feature, key),
    UNIQUE (feature, rank)
);

CREATE TABLE rollout_waiting (
    feature    TEXT NOT NULL REFERENCES rollout_features (feature) ON DELETE CASCADE,
    staff_id   BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    applied_at TEXT NOT NULL,
    -- The criteria met, comma-separated keys.
    criteria   TEXT NOT NULL,
    PRIMARY KEY (feature, staff_id)
);

CREATE TABLE rollout_holders (
    feature     TEXT NOT NULL REFERENCES rollout_features (feature) ON DELETE CASCADE,
    staff_id    BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    admitted_ms BIGINT NOT NULL,
    -- Applied at, when admitted from the waiting list.
    applied_at  TEXT,
    PRIMARY KEY (feature, staff_id)
);
