-- Voicemail boxes per unit (issue 17): an administrator gives a unit a box with a number
-- of its own (an extension or an E.164 direct number, which nobody else has), an e-mail
-- address for its new messages and a language; the unit's members (and those of its
-- sub-units) hear it. A box is now a person's, a hotline's or a unit's (exactly one).
-- SQLite cannot change a CHECK in place: both tables are made anew, the messages with
-- them (dropped first, so that dropping the boxes deletes none of them), ids kept.
CREATE TABLE voicemail_boxes_new (
    id            INTEGER PRIMARY KEY,
    staff_id      INTEGER UNIQUE REFERENCES staff (id) ON DELETE CASCADE,
    hotline_id    INTEGER UNIQUE REFERENCES hotlines (id) ON DELETE CASCADE,
    unit_id       INTEGER UNIQUE REFERENCES units (id) ON DELETE CASCADE,
    -- A unit box's own number (a person's box is reached under their extension, a
    -- hotline's through its overflow).
    number        TEXT UNIQUE,
    -- Where a unit box's new messages are mailed (a person's go to their own address).
    email         TEXT,
    enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    greeting_alaw BLOB,
    greeting_opus BLOB,
    absence_alaw  BLOB,
    absence_opus  BLOB,
    absence_on    INTEGER NOT NULL DEFAULT 0 CHECK (absence_on IN (0, 1)),
    absence_until TEXT,
    email_mode    TEXT NOT NULL DEFAULT 'attach' CHECK (email_mode IN ('attach', 'link', 'off')),
    language      TEXT NOT NULL DEFAULT 'de' CHECK (language IN ('de', 'en')),
    created_at    BIGINT NOT NULL,
    CHECK ((staff_id IS NOT NULL) + (hotline_id IS NOT NULL) + (unit_id IS NOT NULL) = 1),
    CHECK ((unit_id IS NULL) = (number IS NULL)),
    CHECK (unit_id IS NOT NULL OR email IS NULL)
);
INSERT INTO voicemail_boxes_new (id, staff_id, hotline_id, enabled, greeting_alaw,
    greeting_opus, absence_alaw, absence_opus, absence_on, absence_until, email_mode,
    language, created_at)
    SELECT id, staff_id, hotline_id, enabled, greeting_alaw, greeting_opus, absence_alaw,
        absence_opus, absence_on, absence_until, email_mode, language, created_at
    FROM voicemail_boxes;

CREATE TABLE voicemail_messages_new (
    id              INTEGER PRIMARY KEY,
    box_id          INTEGER NOT NULL REFERENCES voicemail_boxes_new (id) ON DELETE CASCADE,
    caller_number   TEXT,
    caller_name     TEXT,
    caller_staff_id INTEGER,
    received_at     BIGINT NOT NULL,
    duration_ms     BIGINT NOT NULL,
    file            TEXT NOT NULL UNIQUE,
    heard_at        BIGINT
);
INSERT INTO voicemail_messages_new (id, box_id, caller_number, caller_name, caller_staff_id,
    received_at, duration_ms, file, heard_at)
    SELECT id, box_id, caller_number, caller_name, caller_staff_id, received_at,
        duration_ms, file, heard_at
    FROM voicemail_messages;

DROP TABLE voicemail_messages;
DROP TABLE voicemail_boxes;
-- Renaming rewrites the messages' reference to the new name (SQLite 3.26 and later).
ALTER TABLE voicemail_boxes_new RENAME TO voicemail_boxes;
ALTER TABLE voicemail_messages_new RENAME TO voicemail_messages;
CREATE INDEX voicemail_messages_box ON voicemail_messages (box_id, received_at);
