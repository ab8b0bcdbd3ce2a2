-- An announcement's full-quality copy (issue 16): the uploaded audio as Ogg Opus at
-- 48 kHz, what a browser plays; the A-law copy stays what phones hear. Built-in and older
-- announcements have none (NULL): they are played as the A-law copy.
ALTER TABLE hotline_announcements ADD COLUMN opus BLOB;
