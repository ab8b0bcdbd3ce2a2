-- Hotlines (issue 16): a number with opening hours and announcements, its queues, who
-- answers them (agents, with a level per queue) and who watches them (supervisors). The
-- queue event log (0009) refers to queues by id without a foreign key; a hotline's wallboard
-- and reports read its queues' events by this index.
CREATE INDEX queue_events_queue ON queue_events (queue_id, at_ms);
CREATE TABLE hotline_announcements (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL,
    -- 20 ms frames of 8 kHz A-law, back to back (the player converts to µ-law).
    alaw        BYTEA NOT NULL,
    duration_ms BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE hotlines (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    extension     TEXT NOT NULL UNIQUE,
    -- The direct number at the trunk that leads here, as dialled from outside (E.164).
    did           TEXT UNIQUE,
    -- Public holidays of this state close the hotline (BW, BY, …; NULL: none).
    holiday_state TEXT,
    -- Per weekday, Monday first, as people write them: "08:00-12:00, 13:00-15:30".
    hours_mon     TEXT NOT NULL DEFAULT '',
    hours_tue     TEXT NOT NULL DEFAULT '',
    hours_wed     TEXT NOT NULL DEFAULT '',
    hours_thu     TEXT NOT NULL DEFAULT '',
    hours_fri     TEXT NOT NULL DEFAULT '',
    hours_sat     TEXT NOT NULL DEFAULT '',
    hours_sun     TEXT NOT NULL DEFAULT '',
    closed_announcement_id  BIGINT REFERENCES hotline_announcements (id),
    welcome_announcement_id BIGINT REFERENCES hotline_announcements (id),
    hold_music_id           BIGINT REFERENCES hotline_announcements (id),
    -- Closed cases older than this are deleted (data protection).
    case_retention_days INTEGER NOT NULL DEFAULT 90 CHECK (case_retention_days > 0),
    -- Listening in and whispering (off until the staff council agrees).
    supervisor_listen   INTEGER NOT NULL DEFAULT 0 CHECK (supervisor_listen IN (0, 1)),
    created_at    BIGINT NOT NULL
);

CREATE TABLE hotline_closures (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hotline_id BIGINT NOT NULL REFERENCES hotlines (id) ON DELETE CASCADE,
    first_day  TEXT NOT NULL,
    last_day   TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    CHECK (first_day <= last_day)
);

CREATE TABLE hotline_queues (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hotline_id          BIGINT NOT NULL REFERENCES hotlines (id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    -- The key of the hotline's menu that leads here (NULL: no menu; the first queue).
    menu_digit          TEXT CHECK (menu_digit IN ('1','2','3','4','5','6','7','8','9')),
    strategy            TEXT NOT NULL CHECK (strategy IN ('ring_all', 'longest_idle',
        'round_robin', 'fewest_calls', 'skills')),
    widen_after_secs    INTEGER NOT NULL DEFAULT 30,
    ring_secs           INTEGER NOT NULL DEFAULT 20 CHECK (ring_secs BETWEEN 5 AND 120),
    wrap_up_secs        INTEGER NOT NULL DEFAULT 30 CHECK (wrap_up_secs BETWEEN 0 AND 900),
    max_wait_secs       INTEGER CHECK (max_wait_secs > 0),
    max_length          INTEGER CHECK (max_length > 0),
    position_every_secs INTEGER CHECK (position_every_secs >= 10),
    periodic_every_secs INTEGER CHECK (periodic_every_secs >= 10),
    periodic_announcement_id BIGINT REFERENCES hotline_announcements (id),
    callback_after_secs INTEGER CHECK (callback_after_secs >= 0),
    callback_key        TEXT NOT NULL DEFAULT '1',
    -- Where callers go when the line is full or they waited max_wait_secs.
    overflow_kind       TEXT NOT NULL DEFAULT 'closed' CHECK (overflow_kind IN
        ('closed', 'queue', 'person', 'voicemail')),
    overflow_target     TEXT,
    -- Service level: answered within this many seconds; abandons shorter than
    -- short_abandon_secs are not counted.
    sl_threshold_secs   INTEGER NOT NULL DEFAULT 20,
    short_abandon_secs  INTEGER NOT NULL DEFAULT 5,
    UNIQUE (hotline_id, name),
    UNIQUE (hotline_id, menu_digit)
);

CREATE TABLE hotline_agents (
    queue_id  BIGINT NOT NULL REFERENCES hotline_queues (id) ON DELETE CASCADE,
    staff_id  BIGINT NOT NULL REFERENCES staff (id),
    -- Skills: 1 is offered first.
    level     INTEGER NOT NULL DEFAULT 1 CHECK (level BETWEEN 1 AND 9),
    -- Logged in to this queue (kept over a restart).
    logged_in INTEGER NOT NULL DEFAULT 0 CHECK (logged_in IN (0, 1)),
    PRIMARY KEY (queue_id, staff_id)
);
CREATE INDEX hotline_agents_staff ON hotline_agents (staff_id);

CREATE TABLE hotline_supervisors (
    hotline_id BIGINT NOT NULL REFERENCES hotlines (id) ON DELETE CASCADE,
    staff_id   BIGINT NOT NULL REFERENCES staff (id),
    PRIMARY KEY (hotline_id, staff_id)
);
