-- The staff directory: settings, units (a tree), staff, groups.
-- Roles and features are bit masks; the bit of each is fixed in crates/directory.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE units (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES units (id),
    name      TEXT NOT NULL,
    path      TEXT NOT NULL UNIQUE
);
CREATE INDEX units_parent ON units (parent_id);

CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    unit_id       INTEGER NOT NULL REFERENCES units (id),
    extension     TEXT NOT NULL UNIQUE,
    email         TEXT,
    mobile        TEXT,
    home_phone    TEXT,
    roles         BIGINT NOT NULL,
    features      BIGINT NOT NULL,
    password_hash TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX staff_unit ON staff (unit_id);

CREATE TABLE staff_groups (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('team_panel', 'call_group')),
    name       TEXT NOT NULL,
    unit_id    INTEGER REFERENCES units (id),
    created_at BIGINT NOT NULL,
    UNIQUE (kind, name)
);

CREATE TABLE staff_group_members (
    group_id INTEGER NOT NULL REFERENCES staff_groups (id) ON DELETE CASCADE,
    staff_id INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, staff_id)
);
