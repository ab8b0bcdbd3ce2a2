-- Directory sync (issue 21): people who come from an LDAP directory carry its id for good
-- (objectGUID or entryUUID) and their DN (to bind as them at sign-in). A sync never
-- deletes: people who leave are disabled (disabled_at), their extension parked as
-- '000' || id so it can be given to someone else, and kept for the audit.
ALTER TABLE staff ADD COLUMN external_id TEXT;
ALTER TABLE staff ADD COLUMN directory_dn TEXT;
ALTER TABLE staff ADD COLUMN disabled_at BIGINT;
CREATE UNIQUE INDEX staff_external_id ON staff (external_id);

-- One line per sync (applied, dry run, stopped by the guard, failed) with its report.
CREATE TABLE directory_sync_runs (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    trigger     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('full', 'incremental')),
    outcome     TEXT NOT NULL CHECK (outcome IN ('applied', 'dry_run', 'guard', 'failed')),
    added       BIGINT NOT NULL,
    changed     BIGINT NOT NULL,
    disabled    BIGINT NOT NULL,
    enabled     BIGINT NOT NULL,
    problems    BIGINT NOT NULL,
    report      TEXT NOT NULL
);
CREATE INDEX directory_sync_runs_started ON directory_sync_runs (started_at);
