//! The synthetic organisation of the load test, as a pure function of the staff count.
//!
//! Person `i` (0-based) has login `u{i+1:05}`, extension `100000 + i` and sits in unit
//! `i / 30`; every person has 20 favourites drawn from other units by a generator seeded
//! with `i`. `prepare` writes exactly this, and every worker recomputes it to know how many
//! deliveries each change should produce, so nobody has to ask the server.

use std::ops::Range;

/// People per unit (the "unit of ~30 people").
pub const UNIT_SIZE: usize = 30;
/// Favourites per person.
pub const FAVOURITES: usize = 20;
/// The first extension handed out.
pub const FIRST_EXTENSION: usize = 100_000;
/// The parent unit of every load-test unit.
pub const ROOT_UNIT: &str = "Lastprobe";

/// Login of person `i`.
pub fn login(i: usize) -> String {
    format!("u{:05}", i + 1)
}

/// Extension of person `i`.
pub fn extension(i: usize) -> String {
    (FIRST_EXTENSION + i).to_string()
}

/// Display name of person `i`.
pub fn name(i: usize) -> String {
    format!("Lastprobe {:05}", i + 1)
}

/// The unit number of person `i`.
pub fn unit_of(i: usize) -> usize {
    i / UNIT_SIZE
}

/// The path of unit `u`.
pub fn unit_path(u: usize) -> String {
    format!("{ROOT_UNIT}/Einheit {:04}", u + 1)
}

/// The people of unit `u` in an organisation of `staff`.
pub fn unit_members(u: usize, staff: usize) -> Range<usize> {
    (u * UNIT_SIZE).min(staff)..((u + 1) * UNIT_SIZE).min(staff)
}

/// splitmix64: small, fast, and the same on every machine.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The favourites of person `i`: distinct people from other units, at most
/// [`FAVOURITES`] (fewer only when the organisation has fewer people outside the unit).
pub fn favourites_of(i: usize, staff: usize) -> Vec<usize> {
    let own = unit_members(unit_of(i), staff);
    let outside = staff - own.len();
    if outside <= FAVOURITES {
        return (0..staff).filter(|j| !own.contains(j)).collect();
    }
    let mut rng = SplitMix(0x6C6F_6164_6765_6E00 ^ i as u64);
    let mut picked = Vec::with_capacity(FAVOURITES);
    while picked.len() < FAVOURITES {
        // Draw among the people outside the unit, then skip over the unit's range.
        let mut j = (rng.next() % outside as u64) as usize;
        if j >= own.start {
            j += own.len();
        }
        if !picked.contains(&j) {
            picked.push(j);
        }
    }
    picked
}

/// How many of the first `clients` people (the ones with an open client) have person `i`
/// as a favourite, for every person.
pub fn fan_counts(staff: usize, clients: usize) -> Vec<u32> {
    let mut fans = vec![0u32; staff];
    for owner in 0..clients.min(staff) {
        for target in favourites_of(owner, staff) {
            fans[target] += 1;
        }
    }
    fans
}

/// Open clients (the first `clients` people) in person `i`'s unit, `i` included.
pub fn connected_in_unit(i: usize, staff: usize, clients: usize) -> usize {
    let members = unit_members(unit_of(i), staff);
    members.end.min(clients).saturating_sub(members.start)
}

/// Clients that should receive one presence change of person `i` (everyone following
/// them: their unit and those who chose them as a favourite), not counting `i`'s own.
pub fn expected_presence_receivers(i: usize, staff: usize, clients: usize, fans: &[u32]) -> u64 {
    let mates = connected_in_unit(i, staff, clients).saturating_sub(usize::from(i < clients));
    mates as u64 + u64::from(fans[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_units() {
        assert_eq!(login(0), "u00001");
        assert_eq!(login(19_999), "u20000");
        assert_eq!(extension(0), "100000");
        assert_eq!(unit_of(29), 0);
        assert_eq!(unit_of(30), 1);
        assert_eq!(unit_path(0), "Lastprobe/Einheit 0001");
        assert_eq!(unit_members(1, 45), 30..45);
        assert_eq!(unit_members(2, 45), 45..45);
    }

    #[test]
    fn favourites_are_deterministic_distinct_and_outside_the_unit() {
        for i in [0, 29, 30, 9_999, 19_999] {
            let favs = favourites_of(i, 20_000);
            assert_eq!(favs, favourites_of(i, 20_000), "deterministic");
            assert_eq!(favs.len(), FAVOURITES);
            let mut sorted = favs.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), FAVOURITES, "distinct");
            assert!(favs.iter().all(|&j| j < 20_000 && unit_of(j) != unit_of(i)));
        }
        assert_ne!(favourites_of(1, 20_000), favourites_of(2, 20_000));
    }

    #[test]
    fn small_organisations_take_everyone_outside() {
        assert!(favourites_of(3, 30).is_empty());
        assert_eq!(favourites_of(3, 40), (30..40).collect::<Vec<_>>());
        let drawn = favourites_of(35, 40);
        assert_eq!(drawn.len(), FAVOURITES);
        assert!(drawn.iter().all(|&j| j < 30));
    }

    #[test]
    fn expected_receivers_count_unit_mates_and_fans_with_a_client() {
        let staff = 3_000;
        let fans = fan_counts(staff, staff);
        assert_eq!(
            fans.iter().map(|&f| f as usize).sum::<usize>(),
            staff * FAVOURITES
        );
        assert_eq!(
            expected_presence_receivers(5, staff, staff, &fans),
            29 + u64::from(fans[5])
        );
        // Only the first 40 have a client: unit 1 has 10 of them.
        let fans = fan_counts(staff, 40);
        assert_eq!(connected_in_unit(31, staff, 40), 10);
        assert_eq!(
            expected_presence_receivers(31, staff, 40, &fans),
            9 + u64::from(fans[31])
        );
        assert_eq!(
            expected_presence_receivers(100, staff, 40, &fans),
            u64::from(fans[100])
        );
    }
}
