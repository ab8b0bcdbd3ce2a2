-- Presence (the hand-set part), favourites, watches, and chat.
-- Chat message ids and revisions come from one counter kept by the single chat writer:
-- a new message's id is its first revision; edits and deletions take new revisions.
CREATE TABLE presence (
    staff_id   INTEGER PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    state      TEXT NOT NULL,
    location   TEXT,
    note       TEXT,
    until_ms   BIGINT,
    changed_at BIGINT NOT NULL
);

CREATE TABLE favourites (
    owner_id  INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    target_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    PRIMARY KEY (owner_id, target_id)
);

CREATE TABLE watches (
    watcher_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    target_id  INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    expires_ms BIGINT NOT NULL,
    PRIMARY KEY (watcher_id, target_id)
);

CREATE TABLE chat_rooms (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('direct', 'group', 'unit')),
    name       TEXT NOT NULL,
    managed    BIGINT NOT NULL DEFAULT 0,
    unit_id    INTEGER UNIQUE REFERENCES units (id),
    direct_key TEXT UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE chat_members (
    room_id   INTEGER NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    staff_id  INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    last_read BIGINT NOT NULL DEFAULT 0,
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (room_id, staff_id)
);
CREATE INDEX chat_members_staff ON chat_members (staff_id);
CREATE INDEX staff_group_members_staff ON staff_group_members (staff_id);

CREATE TABLE chat_attachments (
    id           TEXT PRIMARY KEY,
    room_id      INTEGER NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    uploader_id  INTEGER NOT NULL REFERENCES staff (id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE chat_messages (
    id            INTEGER PRIMARY KEY,
    room_id       INTEGER NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    rev           BIGINT NOT NULL UNIQUE,
    author_id     INTEGER NOT NULL REFERENCES staff (id),
    text          TEXT NOT NULL,
    search_text   TEXT NOT NULL,
    mentions      TEXT NOT NULL DEFAULT '',
    attachment_id TEXT REFERENCES chat_attachments (id),
    sent_at       BIGINT NOT NULL,
    edited_at     BIGINT,
    deleted       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX chat_messages_room ON chat_messages (room_id, id);
CREATE INDEX chat_messages_room_rev ON chat_messages (room_id, rev);
