-- Where a hotline agent takes the hotline's calls (issue 16, "any device"): `auto` (the
-- browser when one is open, else the desk phones), `browser`, `phone` (the desk phones
-- through the switch) or `mobile` (the mobile number of the directory, through the
-- trunk). No row: auto.
CREATE TABLE hotline_answer_on (
    staff_id  BIGINT PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    answer_on TEXT NOT NULL CHECK (answer_on IN ('auto', 'browser', 'phone', 'mobile'))
);
