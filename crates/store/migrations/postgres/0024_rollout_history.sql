-- The rollout page (issue 19): a daily snapshot per feature of its holders, cap and
-- waiting list, kept by the server itself (a later snapshot of the same day replaces the
-- earlier one), and each person's voluntary one-way commute distance, from which the
-- kilometres and CO2 saved by mobile days are estimated and reported in aggregate only.
-- Office occupancy needs no table: it is counted from desk_bookings, which keep every
-- booking with its state.
CREATE TABLE rollout_history (
    day     TEXT NOT NULL,
    feature TEXT NOT NULL,
    holders BIGINT NOT NULL CHECK (holders >= 0),
    cap     BIGINT CHECK (cap >= 0),
    waiting BIGINT NOT NULL CHECK (waiting >= 0),
    PRIMARY KEY (day, feature)
);

-- One-way distance in metres (up to 500 km), stated by the person for themselves.
CREATE TABLE commute_distances (
    staff_id   BIGINT PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    metres     BIGINT NOT NULL CHECK (metres > 0 AND metres <= 500000),
    updated_ms BIGINT NOT NULL
);
