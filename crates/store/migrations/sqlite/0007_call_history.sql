-- Call history (issue 15): one line per person and call, written when the call ends.
-- The other side is kept as it was shown (name and number at the time); the person's id
-- only to link back while they exist. Lines older than [calls] history_days are deleted.
CREATE TABLE call_history (
    id            INTEGER PRIMARY KEY,
    staff_id      BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    direction     TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    peer_number   TEXT NOT NULL,
    peer_name     TEXT,
    peer_staff_id BIGINT REFERENCES staff (id) ON DELETE SET NULL,
    started_at    BIGINT NOT NULL,
    answered_at   BIGINT,
    ended_at      BIGINT NOT NULL,
    CHECK (answered_at IS NULL OR answered_at >= started_at),
    CHECK (ended_at >= started_at)
);
CREATE INDEX call_history_staff ON call_history (staff_id, started_at);
CREATE INDEX call_history_started ON call_history (started_at);
