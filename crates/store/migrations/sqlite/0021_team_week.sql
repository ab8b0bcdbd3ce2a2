-- The team's week and the office rotation (issue 19): each person's planned half-days,
-- their wished mobile weekdays, each unit's rules (the minimum in the office per weekday,
-- its offices with seats and who sits where), the accepted rotation plans, and the
-- hashed tokens of the calendar (iCal) feeds.
-- Offices are their own table, not desks' `rooms`: the seat limit here is the service
-- agreement's rule a unit's head sets (a shared office holds one person a day, however
-- many desks the facility administrators drew in it), and heads do not manage buildings.

-- One row per person, day and half-day planned; a missing row is the default (office
-- on working days, off on the others).
CREATE TABLE tw_days (
    staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    day      TEXT NOT NULL,
    half     TEXT NOT NULL CHECK (half IN ('morning', 'afternoon')),
    location TEXT NOT NULL CHECK (location IN ('office', 'mobile', 'away', 'off')),
    absence  TEXT CHECK (absence IN ('leave', 'business_trip', 'sick', 'other')),
    PRIMARY KEY (staff_id, day, half),
    CHECK ((location = 'away') = (absence IS NOT NULL))
);
CREATE INDEX tw_days_day ON tw_days (day);

-- The weekdays a person would like to work mobile (bit 0 Monday).
CREATE TABLE tw_wishes (
    staff_id INTEGER PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    weekdays BIGINT NOT NULL CHECK (weekdays BETWEEN 0 AND 127)
);

-- A unit's minimum in the office, Monday first, comma-separated ("2,2,2,2,1,0,0").
CREATE TABLE tw_unit_rules (
    unit_id       INTEGER PRIMARY KEY REFERENCES units (id) ON DELETE CASCADE,
    min_in_office TEXT NOT NULL,
    updated_ms    BIGINT NOT NULL
);

CREATE TABLE tw_offices (
    id      INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    seats   BIGINT NOT NULL CHECK (seats >= 1),
    UNIQUE (unit_id, name)
);

-- Who sits in which office (at most one office per person).
CREATE TABLE tw_office_members (
    office_id INTEGER NOT NULL REFERENCES tw_offices (id) ON DELETE CASCADE,
    staff_id  INTEGER NOT NULL PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE
);

-- Accepted rotation plans; accepting wrote the people's days in the same transaction.
CREATE TABLE tw_plans (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    first_monday TEXT NOT NULL,
    weeks        BIGINT NOT NULL CHECK (weeks BETWEEN 1 AND 26),
    accepted_by  INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    accepted_ms  BIGINT NOT NULL
);
CREATE INDEX tw_plans_unit ON tw_plans (unit_id, first_monday);

-- Calendar feeds: only the SHA-256 of the secret token is kept.
CREATE TABLE tw_feeds (
    id         INTEGER PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    scope      TEXT NOT NULL CHECK (scope IN ('person', 'unit')),
    unit_id    INTEGER REFERENCES units (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_ms BIGINT NOT NULL,
    CHECK ((scope = 'unit') = (unit_id IS NOT NULL))
);
CREATE INDEX tw_feeds_staff ON tw_feeds (staff_id);

-- The work location the day's plan last set in a person's presence: a location changed
-- since then on that day was set by hand, and the plan leaves it alone.
CREATE TABLE tw_presence_marks (
    staff_id INTEGER PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    day      TEXT NOT NULL,
    location TEXT NOT NULL
);
