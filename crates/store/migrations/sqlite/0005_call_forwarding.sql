-- Call forwarding (issue 5): per person at most one rule of each kind, on or off. The
-- target is a person, not a number: when the directory gives someone a new extension the
-- rule follows them, and an extension handed to a newcomer never inherits someone else's
-- calls. A rule that is off may keep its target; one that is on must have one. Only the
-- no-answer rule has seconds of ringing (5–120).
CREATE TABLE call_forwarding (
    staff_id   BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('always', 'busy', 'no_answer')),
    enabled    BIGINT NOT NULL CHECK (enabled IN (0, 1)),
    target_id  BIGINT REFERENCES staff (id) ON DELETE CASCADE,
    ring_secs  BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (staff_id, kind),
    CHECK (target_id IS NULL OR target_id <> staff_id),
    CHECK (enabled = 0 OR target_id IS NOT NULL),
    CHECK ((kind = 'no_answer' AND ring_secs BETWEEN 5 AND 120)
        OR (kind <> 'no_answer' AND ring_secs IS NULL))
);
CREATE INDEX call_forwarding_target ON call_forwarding (target_id);
