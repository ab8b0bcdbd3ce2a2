-- The case database behind a hotline (issue 16): the case form of each hotline (its
-- definition as the JSON of the `cases` crate, with a version that counts its changes),
-- the cases, the hotline's appointment slots and the bookings of cases into them.
--
-- A slot's `booked` counts its bookings. The store moves it in the booking's own
-- transaction with one conditional update (`booked = booked + 1 WHERE booked <
-- capacity`), which is what keeps concurrent bookings within the capacity; the CHECK
-- makes the database refuse an overbooked slot as well.
CREATE TABLE case_forms (
    hotline_id INTEGER PRIMARY KEY REFERENCES hotlines (id) ON DELETE CASCADE,
    definition TEXT NOT NULL,
    version    INTEGER NOT NULL CHECK (version > 0),
    updated_at BIGINT NOT NULL,
    updated_by INTEGER REFERENCES staff (id) ON DELETE SET NULL
);

-- AUTOINCREMENT: the number of a deleted case is never given to another one (the audit
-- log refers to cases by number).
CREATE TABLE cases (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    hotline_id    INTEGER NOT NULL REFERENCES hotlines (id) ON DELETE CASCADE,
    -- Digits with an optional leading + (cases::normalise_phone).
    caller_number TEXT,
    state         TEXT NOT NULL CHECK (state IN ('new', 'in_progress', 'done')),
    assignee_id   INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    -- The values by field key (cases::CaseValues) and their words, lower-cased, for search.
    field_values  TEXT NOT NULL,
    search_text   TEXT NOT NULL,
    -- Counts the changes: a change made on an older revision is refused.
    revision      INTEGER NOT NULL CHECK (revision > 0),
    created_by    INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    -- When it was done; the retention period runs from here.
    closed_at     BIGINT,
    CHECK ((state = 'done') = (closed_at IS NOT NULL))
);
CREATE INDEX cases_hotline ON cases (hotline_id, created_at);
CREATE INDEX cases_caller ON cases (hotline_id, caller_number);
CREATE INDEX cases_closed ON cases (hotline_id, closed_at) WHERE closed_at IS NOT NULL;

CREATE TABLE case_slots (
    id         INTEGER PRIMARY KEY,
    hotline_id INTEGER NOT NULL REFERENCES hotlines (id) ON DELETE CASCADE,
    starts_at  BIGINT NOT NULL,
    ends_at    BIGINT NOT NULL,
    capacity   INTEGER NOT NULL CHECK (capacity > 0),
    booked     INTEGER NOT NULL DEFAULT 0,
    CHECK (starts_at < ends_at),
    CHECK (booked >= 0 AND booked <= capacity),
    UNIQUE (hotline_id, starts_at, ends_at)
);

-- A case holds at most one booking per appointment field.
CREATE TABLE case_bookings (
    case_id   INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    field_key TEXT NOT NULL,
    slot_id   INTEGER NOT NULL REFERENCES case_slots (id),
    booked_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, field_key)
);
CREATE INDEX case_bookings_slot ON case_bookings (slot_id);

-- A case's history is read from the audit log by its target ("case:17").
CREATE INDEX audit_log_target ON audit_log (target);
