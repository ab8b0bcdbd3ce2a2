-- Hotline queues (issue 16): the append-only queue event log, the source of every figure
-- (wallboard, reports, CSV). One row per queues::EventKind; the columns a kind does not
-- use are NULL. Queues themselves come with the hotline's own tables; queue_id is kept
-- without a foreign key so that the log outlives a deleted queue.
CREATE TABLE queue_events (
    id        INTEGER PRIMARY KEY,
    at_ms     BIGINT NOT NULL,
    queue_id  BIGINT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('entered', 'offered', 'answered', 'abandoned',
        'callback_requested', 'callback_done', 'overflowed', 'agent_login', 'agent_logout',
        'agent_paused', 'agent_resumed', 'wrap_up_ended')),
    call_id   BIGINT,
    agent_id  BIGINT,
    waited_ms BIGINT,
    position  BIGINT,
    detail    TEXT
);
CREATE INDEX queue_events_at ON queue_events (at_ms);

CREATE TRIGGER queue_events_no_update BEFORE UPDATE ON queue_events
BEGIN
    SELECT RAISE(ABORT, 'the queue event log is append-only');
END;
CREATE TRIGGER queue_events_no_delete BEFORE DELETE ON queue_events
BEGIN
    SELECT RAISE(ABORT, 'the queue event log is append-only');
END;
