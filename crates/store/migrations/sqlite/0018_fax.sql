-- Fax to mail and mail to fax (issue 17): a fax box is a number (an extension or an E.164
-- direct number) of one person or one unit; its faxes, received and sent. The PDFs (and an
-- outgoing fax's TIFF) are files in the data folder; a row names its files.
CREATE TABLE fax_boxes (
    id         INTEGER PRIMARY KEY,
    number     TEXT NOT NULL UNIQUE,
    -- Whose box: a person's or a unit's (exactly one).
    staff_id   INTEGER REFERENCES staff (id) ON DELETE CASCADE,
    unit_id    INTEGER REFERENCES units (id) ON DELETE CASCADE,
    -- Where a unit box's received faxes are mailed (a person's go to their own address).
    email      TEXT,
    created_ms BIGINT NOT NULL,
    CHECK ((staff_id IS NULL) <> (unit_id IS NULL)),
    CHECK (staff_id IS NULL OR email IS NULL)
);
CREATE INDEX fax_boxes_staff ON fax_boxes (staff_id);
CREATE INDEX fax_boxes_unit ON fax_boxes (unit_id);

CREATE TABLE faxes (
    id              INTEGER PRIMARY KEY,
    box_id          INTEGER NOT NULL REFERENCES fax_boxes (id) ON DELETE CASCADE,
    direction       TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    -- The far number, and the far station's id (its CSI or TSI) once known.
    remote          TEXT NOT NULL,
    remote_ident    TEXT,
    pages           BIGINT NOT NULL DEFAULT 0 CHECK (pages >= 0),
    status          TEXT NOT NULL CHECK (status IN ('receiving', 'received', 'failed',
        'queued', 'sending', 'sent')),
    -- Why it failed, or why the last try of an outgoing fax did.
    reason          TEXT,
    -- The PDF, and an outgoing fax's converted TIFF, relative to the data folder.
    file            TEXT UNIQUE,
    tiff            TEXT UNIQUE,
    -- Who sent it (kept if they leave: no key, like a voicemail's caller).
    sender_id       INTEGER,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT,
    created_ms      BIGINT NOT NULL,
    finished_ms     BIGINT,
    CHECK ((direction = 'in' AND status IN ('receiving', 'received', 'failed'))
        OR (direction = 'out' AND status IN ('queued', 'sending', 'sent', 'failed')))
);
CREATE INDEX faxes_box ON faxes (box_id, created_ms);
CREATE INDEX faxes_due ON faxes (status, next_attempt_ms);
