-- Hotline callbacks promised to callers (issue 16): a caller who pressed the callback key
-- heard "we will call you back" and hung up; the promise must outlive a restart or a
-- crash. One row per place until the callback is done (or the place ends otherwise);
-- the switchboard restores these places at start. call_id is the place's id in the queue
-- event log.
CREATE TABLE hotline_callbacks (
    call_id      BIGINT PRIMARY KEY,
    queue_id     BIGINT NOT NULL,
    number       TEXT NOT NULL,
    name         TEXT,
    person_id    BIGINT,
    via_trunk    BIGINT,
    entered_ms   BIGINT NOT NULL,
    requested_ms BIGINT NOT NULL
);
