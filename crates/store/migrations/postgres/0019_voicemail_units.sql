-- Voicemail boxes per unit (issue 17): an administrator gives a unit a box with a number
-- of its own (an extension or an E.164 direct number, which nobody else has), an e-mail
-- address for its new messages and a language; the unit's members (and those of its
-- sub-units) hear it. A box is now a person's, a hotline's or a unit's (exactly one).
ALTER TABLE voicemail_boxes
    ADD COLUMN unit_id BIGINT UNIQUE REFERENCES units (id) ON DELETE CASCADE,
    -- A unit box's own number (a person's box is reached under their extension, a
    -- hotline's through its overflow).
    ADD COLUMN number  TEXT UNIQUE,
    -- Where a unit box's new messages are mailed (a person's go to their own address).
    ADD COLUMN email   TEXT;
-- 0015's CHECK ((staff_id IS NULL) <> (hotline_id IS NULL)), named by PostgreSQL.
ALTER TABLE voicemail_boxes DROP CONSTRAINT voicemail_boxes_check;
ALTER TABLE voicemail_boxes
    ADD CONSTRAINT voicemail_boxes_one_owner CHECK ((CASE WHEN staff_id IS NULL THEN 0 ELSE 1 END)
        + (CASE WHEN hotline_id IS NULL THEN 0 ELSE 1 END)
        + (CASE WHEN unit_id IS NULL THEN 0 ELSE 1 END) = 1),
    ADD CONSTRAINT voicemail_boxes_unit_number CHECK ((unit_id IS NULL) = (number IS NULL)),
    ADD CONSTRAINT voicemail_boxes_unit_email CHECK (unit_id IS NOT NULL OR email IS NULL);
