-- Issue 13. A pending sign-in counts its code attempts: after a few it is void, however
-- many arrive at once (each attempt is counted before its code is checked).
ALTER TABLE pending_logins ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;

-- An attachment is sent with exactly one message (NULL: uploaded, not sent yet). Uploads
-- not sent within a day are removed; an attachment goes with its message when that is
-- deleted.
ALTER TABLE chat_attachments ADD COLUMN sent_at BIGINT;
UPDATE chat_attachments SET sent_at = created_at
    WHERE id IN (SELECT attachment_id FROM chat_messages WHERE attachment_id IS NOT NULL);
CREATE INDEX chat_attachments_unsent ON chat_attachments (created_at) WHERE sent_at IS NULL;
CREATE INDEX chat_attachments_uploader ON chat_attachments (uploader_id);
