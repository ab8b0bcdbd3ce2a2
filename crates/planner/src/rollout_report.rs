//! The rollout page's figures (issue 19): how many hold each feature per day against its
//! cap, how full each building's desks were, how often features were used per month, and
//! the kilometres and CO₂ that mobile days saved on the way to work. Usage and savings
//! are about people, so they are reported in aggregate only (the staff council's
//! agreement): a group smaller than [`MIN_GROUP`] is shown as "fewer than" with no total,
//! since a total of two people lets each work out the other's.

use jiff::civil::Date;

/// Groups smaller than this are hidden ("< 5"). Stricter than the council report's 3: a
/// usage total is closer to one person's behaviour than a count of applications.
pub const MIN_GROUP: u32 = 5;

/// Grams of CO₂ equivalents per kilometre driven alone by car to work: the
/// Umweltbundesamt's average for passenger cars in Germany, 166 g per passenger
/// kilometre (Bezugsjahr 2022, TREMOD), from its table „Vergleich der durchschnittlichen
/// Emissionen einzelner Verkehrsmittel im Personenverkehr in Deutschland“ on
/// <https://www.umweltbundesamt.de/themen/verkehr/emissionsdaten>. The table is updated
/// yearly: check the figure against its current edition when changing it. Everyone with
/// a stated distance counts as driving: the estimate is an upper one.
pub const CAR_GRAMS_CO2_PER_KM: u64 = 166;

/// One feature's state at the end of a day (the daily snapshot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureDay {
    /// The day.
    pub day: Date,
    /// The feature's key (`mobile_work`, `softphone`, …).
    pub feature: String,
    /// How many held it.
    pub holders: u32,
    /// Its cap then; `None`: none.
    pub cap: Option<u32>,
    /// How many waited.
    pub waiting: u32,
}

/// One building's desks on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupancy {
    /// The day.
    pub day: Date,
    /// The building's name.
    pub building: String,
    /// Its desks.
    pub desks: u32,
    /// Desks booked (also those released for want of a check-in; not cancelled ones).
    pub booked: u32,
    /// Desks someone checked in to.
    pub checked_in: u32,
}

/// A usage figure over a group of people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// `people` used it, `total` times (days, calls) together.
    Shown {
        /// How many people.
        people: u32,
        /// How often together.
        total: u64,
    },
    /// Between one and `fewer_than - 1` people used it; nothing more is said.
    Hidden {
        /// The smallest group shown.
        fewer_than: u32,
    },
}

/// How many of these people used something and how often together (`per_person`: each
/// person's count; zeros are people who did not use it), hidden under `min_group`.
pub fn aggregate(per_person: &[u32], min_group: u32) -> Aggregate {
    let users = per_person.iter().filter(|n| **n > 0).count() as u32;
    if users > 0 && users < min_group {
        return Aggregate::Hidden {
            fewer_than: min_group,
        };
    }
    Aggregate::Shown {
        people: users,
        total: per_person.iter().map(|n| u64::from(*n)).sum(),
    }
}

/// One person's commute and mobile days in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commute {
    /// Their one-way distance, in metres.
    pub metres: u32,
    /// Their mobile days in the month.
    pub mobile_days: u32,
}

/// What a month's mobile days saved on the way to work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Savings {
    /// `people` with a stated distance worked mobile; together they saved `km` kilometres
    /// and `co2_kg` kilograms of CO₂ (both rounded).
    Shown {
        /// How many people.
        people: u32,
        /// Kilometres not driven: twice the distance per mobile day.
        km: u64,
        /// At [`CAR_GRAMS_CO2_PER_KM`].
        co2_kg: u64,
    },
    /// Fewer than `fewer_than` people: nothing is said.
    Hidden {
        /// The smallest group shown.
        fewer_than: u32,
    },
}

/// Kilometres saved = 2 × one-way distance × mobile days, summed over the people with a
/// mobile day; CO₂ at [`CAR_GRAMS_CO2_PER_KM`]; hidden under `min_group` people.
pub fn savings(people: &[Commute], min_group: u32) -> Savings {
    let counted: Vec<&Commute> = people.iter().filter(|c| c.mobile_days > 0).collect();
    let n = counted.len() as u32;
    if n > 0 && n < min_group {
        return Savings::Hidden {
            fewer_than: min_group,
        };
    }
    let metres: u64 = counted
        .iter()
        .map(|c| 2 * u64::from(c.metres) * u64::from(c.mobile_days))
        .sum();
    let grams = metres * CAR_GRAMS_CO2_PER_KM / 1000;
    Savings::Shown {
        people: n,
        km: (metres + 500) / 1000,
        co2_kg: (grams + 500) / 1000,
    }
}

/// The first day of each month from `from`'s to `to`'s, in order.
pub fn months(from: Date, to: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut month = from.first_of_month();
    while month <= to {
        out.push(month);
        match month.last_of_month().tomorrow() {
            Ok(next) => month = next,
            Err(_) => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_group_under_the_minimum_is_hidden_with_its_total() {
        assert_eq!(
            aggregate(&[3, 0, 4, 1], 5),
            Aggregate::Hidden { fewer_than: 5 }
        );
        assert_eq!(
            aggregate(&[3, 0, 4, 1, 2, 6], 5),
            Aggregate::Shown {
                people: 5,
                total: 16
            }
        );
        assert_eq!(
            aggregate(&[0, 0], 5),
            Aggregate::Shown {
                people: 0,
                total: 0
            }
        );
    }

    #[test]
    fn kilometres_are_twice_the_distance_per_mobile_day() {
        let five = [Commute {
            metres: 12_500,
            mobile_days: 4,
        }; 5];
        // 5 people × 2 × 12.5 km × 4 days = 500 km; × 166 g = 83 kg.
        assert_eq!(
            savings(&five, 5),
            Savings::Shown {
                people: 5,
                km: 500,
                co2_kg: 83
            }
        );
    }

    #[test]
    fn people_without_mobile_days_do_not_count_and_few_are_hidden() {
        let mut people = vec![
            Commute {
                metres: 30_000,
                mobile_days: 8,
            };
            4
        ];
        people.push(Commute {
            metres: 5_000,
            mobile_days: 0,
        });
        assert_eq!(savings(&people, 5), Savings::Hidden { fewer_than: 5 });
        assert_eq!(
            savings(&[], 5),
            Savings::Shown {
                people: 0,
                km: 0,
                co2_kg: 0
            }
        );
    }

    #[test]
    fn rounding_is_to_the_nearest_kilometre_and_kilogram() {
        let one = [Commute {
            metres: 1_749,
            mobile_days: 1,
        }];
        // 3.498 km, 0.58 kg.
        assert_eq!(
            savings(&one, 1),
            Savings::Shown {
                people: 1,
                km: 3,
                co2_kg: 1
            }
        );
    }

    #[test]
    fn months_run_from_the_first_to_the_last() {
        assert_eq!(
            months(date(2025, 11, 20), date(2026, 2, 3)),
            vec![
                date(2025, 11, 1),
                date(2025, 12, 1),
                date(2026, 1, 1),
                date(2026, 2, 1)
            ]
        );
        assert!(months(date(2026, 2, 3), date(2026, 1, 3)).is_empty());
    }
}
