-- SIP devices (softphones, desk phones, mobiles): each has its own credentials and rings
-- for the person it belongs to, under the person's extension. Only the digest HA1 values
-- are kept (RFC 3261 §22.4 with MD5, RFC 8760 with SHA-256), for the realm they were
-- made for; never the password.
CREATE TABLE sip_devices (
    id           INTEGER PRIMARY KEY,
    staff_id     BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    label        TEXT NOT NULL,
    sip_username TEXT NOT NULL UNIQUE,
    realm        TEXT NOT NULL,
    ha1_md5      TEXT NOT NULL,
    ha1_sha256   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (staff_id, label)
);

-- Registrations, so they survive a restart (RFC 3261 §10.3): one row per contact, with
-- the flow it came over (transport and address, for phones behind NAT, RFC 3581/5626).
CREATE TABLE sip_bindings (
    device_id  BIGINT NOT NULL REFERENCES sip_devices (id) ON DELETE CASCADE,
    contact    TEXT NOT NULL,
    instance   TEXT,
    call_id    TEXT NOT NULL,
    cseq       BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    source     TEXT NOT NULL,
    PRIMARY KEY (device_id, contact)
);
CREATE INDEX sip_bindings_expiry ON sip_bindings (expires_ms);
