-- Removed parts of the desks' layout are kept, marked (issue 19): their past bookings are
-- the history the rollout report counts (office occupancy, office days), and deleting a
-- desk would delete them with it. A removed part is renamed "… [entfernt N]", so its name
-- is free again, and left out everywhere else.
ALTER TABLE buildings ADD COLUMN removed_ms BIGINT;
ALTER TABLE floors ADD COLUMN removed_ms BIGINT;
ALTER TABLE rooms ADD COLUMN removed_ms BIGINT;
ALTER TABLE desks ADD COLUMN removed_ms BIGINT;
