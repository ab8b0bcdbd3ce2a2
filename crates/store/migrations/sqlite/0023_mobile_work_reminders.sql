-- Reminders before a mobile-work agreement runs out (issue 19): one row per agreement and
-- reminder (days before its last day, from the rules' reminder_days), written when the
-- reminder is sent, so each is sent once.
CREATE TABLE mw_reminders (
    agreement_id INTEGER NOT NULL REFERENCES mw_agreements (id) ON DELETE CASCADE,
    days_left    INTEGER NOT NULL,
    sent_ms      INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, days_left)
);
