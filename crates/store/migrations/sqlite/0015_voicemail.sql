-- Voicemail (issue 17): a box per person (made when first needed) and per hotline, and
-- the messages left in them. The recordings are files in the data folder (Ogg Opus);
-- a row names its file. Greetings are small and kept here, as telephone audio (A-law,
-- what callers hear) and as Ogg Opus (what the owner plays back in the browser).
CREATE TABLE voicemail_boxes (
    id            INTEGER PRIMARY KEY,
    -- Whose box: a person's or a hotline's (exactly one).
    staff_id      INTEGER UNIQUE REFERENCES staff (id) ON DELETE CASCADE,
    hotline_id    INTEGER UNIQUE REFERENCES hotlines (id) ON DELETE CASCADE,
    -- Off: calls nobody answers end as before.
    enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    greeting_alaw BLOB,
    greeting_opus BLOB,
    absence_alaw  BLOB,
    absence_opus  BLOB,
    -- The absence greeting plays while on, until the end of this day (YYYY-MM-DD, local).
    absence_on    INTEGER NOT NULL DEFAULT 0 CHECK (absence_on IN (0, 1)),
    absence_until TEXT,
    -- A new message by e-mail: with the recording attached, only a link, or not at all.
    email_mode    TEXT NOT NULL DEFAULT 'attach' CHECK (email_mode IN ('attach', 'link', 'off')),
    -- The language of the built-in greeting and of the e-mails: de or en.
    language      TEXT NOT NULL DEFAULT 'de' CHECK (language IN ('de', 'en')),
    created_at    BIGINT NOT NULL,
    CHECK ((staff_id IS NULL) <> (hotline_id IS NULL))
);

CREATE TABLE voicemail_messages (
    id              INTEGER PRIMARY KEY,
    box_id          INTEGER NOT NULL REFERENCES voicemail_boxes (id) ON DELETE CASCADE,
    -- Who called, as far as known (a colleague by id; kept if they leave: no key).
    caller_number   TEXT,
    caller_name     TEXT,
    caller_staff_id INTEGER,
    received_at     BIGINT NOT NULL,
    duration_ms     BIGINT NOT NULL,
    -- The recording, relative to the data folder.
    file            TEXT NOT NULL UNIQUE,
    heard_at        BIGINT
);
CREATE INDEX voicemail_messages_box ON voicemail_messages (box_id, received_at);
