-- The access gateway (docs/gateway.md): internal web applications published behind
-- Durchwahl's sign-in, each with the rule of who may use it. Lists are stored as text:
-- unit paths one a line, roles and features comma-separated (empty: no restriction), the
-- days of `hours` as ISO weekdays "1,2,3,4,5" and its times as minutes after midnight
-- (all three NULL: any time). Flags are 0/1. `host`: a host name of the application's
-- own (served at its root instead of /apps/NAME/), NULL for none. Checking the values is the web layer's job.
CREATE TABLE gateway_apps (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    kind          TEXT NOT NULL CHECK (kind IN ('proxy', 'link')),
    upstream      TEXT,
    ca_pem        TEXT,
    link          TEXT,
    units         TEXT NOT NULL DEFAULT '',
    roles         TEXT NOT NULL DEFAULT '',
    features      TEXT NOT NULL DEFAULT '',
    second_factor BIGINT NOT NULL DEFAULT 0 CHECK (second_factor IN (0, 1)),
    office_only   BIGINT NOT NULL DEFAULT 0 CHECK (office_only IN (0, 1)),
    hours_days    TEXT,
    hours_from    BIGINT,
    hours_to      BIGINT,
    max_users     BIGINT,
    timeout_secs  BIGINT NOT NULL DEFAULT 30,
    health_path   TEXT NOT NULL DEFAULT '/',
    host          TEXT UNIQUE,
    created_ms    BIGINT NOT NULL,
    updated_ms    BIGINT NOT NULL
);

-- How a session was signed in ('password', 'totp', 'sms', 'recovery', 'oidc',
-- 'enrolment', …), for rules that ask for a second factor. Sessions from before are ''
-- (unknown), which counts as no second factor.
ALTER TABLE sessions ADD COLUMN how TEXT NOT NULL DEFAULT '';
