-- Outgoing e-mail (issue 17): every mail (a voicemail notification with its recording, an
-- administrator's test mail) is written here before it is sent, so a restart, a mail server
-- that is down or one that refuses loses nothing silently. The mailer sends due rows,
-- retries with growing pauses and gives up after a day; the admin page reads the counts
-- and the latest failures from here. Times are Unix milliseconds (`_ms`).
--
-- state: 'pending' (to be sent at next_attempt_ms), 'sent' (the server took it; the
-- attachment's bytes are dropped then) or 'failed' (given up: refused for good, or a day
-- of failed tries). last_error: why the latest try failed, or why nothing was tried
-- ("SMTP ist nicht eingerichtet"). Sent and failed rows go after 30 days.
-- AUTOINCREMENT: an id is never given to another mail (logs name mails by id).
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    attachment_name TEXT,
    attachment_type TEXT,
    attachment      BLOB,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_ms      BIGINT NOT NULL,
    next_attempt_ms BIGINT NOT NULL,
    last_attempt_ms BIGINT,
    sent_ms         BIGINT,
    CHECK ((state = 'sent') = (sent_ms IS NOT NULL))
);
CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_ms);
