-- Sign-in: sessions, pending second-factor steps, factors, brute-force counters, audit log.
-- Tokens and codes are stored only as SHA-256 hashes.
CREATE TABLE sessions (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    staff_id     BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    source       TEXT NOT NULL,
    user_agent   TEXT NOT NULL
);
CREATE INDEX sessions_staff ON sessions (staff_id);

-- After the password, before the second factor (or enrolment of a first one).
CREATE TABLE pending_logins (
    token_hash     TEXT PRIMARY KEY,
    staff_id       BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    enrolment      BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    source         TEXT NOT NULL,
    sms_code_hash  TEXT,
    sms_expires_at BIGINT
);

CREATE TABLE totp_factors (
    staff_id   BIGINT PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    secret     TEXT NOT NULL,
    confirmed  BIGINT NOT NULL,
    last_step  BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
    staff_id  BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   BIGINT,
    PRIMARY KEY (staff_id, code_hash)
);

CREATE TABLE letter_codes (
    staff_id   BIGINT PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);

-- scope is 'account' (key: login as typed, lower-cased) or 'source' (key: address).
CREATE TABLE login_failures (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    failures     BIGINT NOT NULL,
    last_failure BIGINT NOT NULL,
    locked_until BIGINT,
    PRIMARY KEY (scope, key)
);

CREATE TABLE audit_log (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     BIGINT NOT NULL,
    actor  TEXT,
    action TEXT NOT NULL,
    target TEXT,
    source TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
