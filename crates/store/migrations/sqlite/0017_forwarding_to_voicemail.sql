-- A forwarding rule may send calls to the person's own voicemail box instead of another
-- person's extension (issue 17): `voicemail` 1, no target person. The table is made
-- anew (SQLite cannot change a CHECK in place) with the rules as they were, none of
-- them to a box.
CREATE TABLE call_forwarding_new (
    staff_id   BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('always', 'busy', 'no_answer')),
    enabled    BIGINT NOT NULL CHECK (enabled IN (0, 1)),
    target_id  BIGINT REFERENCES staff (id) ON DELETE CASCADE,
    voicemail  BIGINT NOT NULL DEFAULT 0 CHECK (voicemail IN (0, 1)),
    ring_secs  BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (staff_id, kind),
    CHECK (target_id IS NULL OR target_id <> staff_id),
    CHECK (voicemail = 0 OR target_id IS NULL),
    CHECK (enabled = 0 OR target_id IS NOT NULL OR voicemail = 1),
    CHECK ((kind = 'no_answer' AND ring_secs BETWEEN 5 AND 120)
        OR (kind <> 'no_answer' AND ring_secs IS NULL))
);
INSERT INTO call_forwarding_new (staff_id, kind, enabled, target_id, voicemail, ring_secs, updated_at)
    SELECT staff_id, kind, enabled, target_id, 0, ring_secs, updated_at FROM call_forwarding;
DROP TABLE call_forwarding;
ALTER TABLE call_forwarding_new RENAME TO call_forwarding;
CREATE INDEX call_forwarding_target ON call_forwarding (target_id);
