-- Team zones (issue 19): a room of desks can be a unit's zone. Its members book its desks
-- any day; others only on the day itself (planner::desks::zone_allows). Removing the unit
-- ends the zone.
ALTER TABLE rooms ADD COLUMN zone_unit_id INTEGER REFERENCES units (id) ON DELETE SET NULL;
