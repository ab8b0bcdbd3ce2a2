//! Public holidays of the German states (Bundesländer), for a hotline's opening hours: the
//! nine holidays of the whole country and each state's own, with the year each began
//! where that is recent. Holidays that only some municipalities keep (Mariä Himmelfahrt
//! in Catholic Bavaria, Fronleichnam in parts of Saxony and Thuringia, Augsburg's
//! Friedensfest) are not included: add them as closures of the hotline.

use jiff::civil::{date, Date, Weekday};

/// A German state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Baden-Württemberg
    BW,
    /// Bayern
    BY,
    /// Berlin
    BE,
    /// Brandenburg
    BB,
    /// Bremen
    HB,
    /// Hamburg
    HH,
    /// Hessen
    HE,
    /// Mecklenburg-Vorpommern
    MV,
    /// Niedersachsen
    NI,
    /// Nordrhein-Westfalen
    NW,
    /// Rheinland-Pfalz
    RP,
    /// Saarland
    SL,
    /// Sachsen
    SN,
    /// Sachsen-Anhalt
    ST,
    /// Schleswig-Holstein
    SH,
    /// Thüringen
    TH,
}

impl State {
    /// Every state.
    pub const ALL: [State; 16] = [
        State::BW,
        State::BY,
        State::BE,
        State::BB,
        State::HB,
        State::HH,
        State::HE,
        State::MV,
        State::NI,
        State::NW,
        State::RP,
        State::SL,
        State::SN,
        State::ST,
        State::SH,
        State::TH,
    ];

    /// The state by its two-letter code (`"BY"`, `"nw"`).
    pub fn parse(code: &str) -> Option<State> {
        State::ALL
            .into_iter()
            .find(|s| format!("{s:?}").eq_ignore_ascii_case(code.trim()))
    }
}

/// A public holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// The day.
    pub date: Date,
    /// Its German name.
    pub name: &'static str,
}

/// Easter Sunday of `year` (Gregorian calendar; the anonymous algorithm of 1876).
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let (a, b, c) = (y % 19, y / 100, y % 100);
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    date(year, month as i8, day as i8)
}

/// The public holidays of `state` in `year`, by date.
pub fn holidays(state: State, year: i16) -> Vec<Holiday> {
    use State::*;
    let easter = easter_sunday(year);
    let from_easter = |days: i64| {
        easter
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or(easter)
    };
    let day = |month: i8, d: i8| date(year, month, d);
    let mut list = vec![
        Holiday {
            date: day(1, 1),
            name: "Neujahr",
        },
        Holiday {
            date: from_easter(-2),
            name: "Karfreitag",
        },
        Holiday {
            date: from_easter(1),
            name: "Ostermontag",
        },
        Holiday {
            date: day(5, 1),
            name: "Tag der Arbeit",
        },
        Holiday {
            date: from_easter(39),
            name: "Christi Himmelfahrt",
        },
        Holiday {
            date: from_easter(50),
            name: "Pfingstmontag",
        },
        Holiday {
            date: day(10, 3),
            name: "Tag der Deutschen Einheit",
        },
        Holiday {
            date: day(12, 25),
            name: "1. Weihnachtstag",
        },
        Holiday {
            date: day(12, 26),
            name: "2. Weihnachtstag",
        },
    ];
    let mut add = |applies: bool, date: Date, name: &'static str| {
        if applies {
            list.push(Holiday { date, name });
        }
    };
    let one_of = |states: &[State]| states.contains(&state);
    add(one_of(&[BW, BY, ST]), day(1, 6), "Heilige Drei Könige");
    let womens_day = (state == BE && year >= 2019) || (state == MV && year >= 2023);
    add(womens_day, day(3, 8), "Internationaler Frauentag");
    add(state == BB, easter, "Ostersonntag");
    add(state == BB, from_easter(49), "Pfingstsonntag");
    add(
        one_of(&[BW, BY, HE, NW, RP, SL]),
        from_easter(60),
        "Fronleichnam",
    );
    add(state == SL, day(8, 15), "Mariä Himmelfahrt");
    add(state == TH && year >= 2019, day(9, 20), "Weltkindertag");
    let reformation = one_of(&[BB, MV, SN, ST, TH])
        || (one_of(&[HB, HH, NI, SH]) && year >= 2018)
        || year == 2017;
    add(reformation, day(10, 31), "Reformationstag");
    add(one_of(&[BW, BY, NW, RP, SL]), day(11, 1), "Allerheiligen");
    add(state == SN, day_of_repentance(year), "Buß- und Bettag");
    list.sort_by_key(|h| h.date);
    list
}

/// Whether `day` is a public holiday in `state`.
pub fn is_holiday(state: State, day: Date) -> bool {
    holidays(state, day.year()).iter().any(|h| h.date == day)
}

/// Buß- und Bettag: the Wednesday before 23 November.
fn day_of_repentance(year: i16) -> Date {
    let mut d = date(year, 11, 22);
    while d.weekday() != Weekday::Wednesday {
        d = d.yesterday().unwrap_or(d);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easter_falls_where_the_calendars_say() {
        for (year, month, day) in [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
        ] {
            assert_eq!(easter_sunday(year), date(year, month, day), "{year}");
        }
    }

    fn names(state: State, year: i16) -> Vec<(String, &'static str)> {
        holidays(state, year)
            .into_iter()
            .map(|h| (h.date.to_string(), h.name))
            .collect()
    }

    #[test]
    fn bavaria_2026_has_twelve_public_holidays() {
        let bavaria = names(State::BY, 2026);
        assert_eq!(bavaria.len(), 12, "{bavaria:?}");
        assert!(bavaria.contains(&("2026-01-06".into(), "Heilige Drei Könige")));
        assert!(bavaria.contains(&("2026-04-03".into(), "Karfreitag")));
        assert!(bavaria.contains(&("2026-05-14".into(), "Christi Himmelfahrt")));
        assert!(bavaria.contains(&("2026-05-25".into(), "Pfingstmontag")));
        assert!(bavaria.contains(&("2026-06-04".into(), "Fronleichnam")));
        assert!(bavaria.contains(&("2026-11-01".into(), "Allerheiligen")));
    }

    #[test]
    fn states_keep_their_own_days() {
        assert!(
            is_holiday(State::SN, date(2026, 11, 18)),
            "Buß- und Bettag 2026"
        );
        assert!(!is_holiday(State::BY, date(2026, 11, 18)));
        assert!(is_holiday(State::BE, date(2026, 3, 8)));
        assert!(!is_holiday(State::BE, date(2018, 3, 8)), "only since 2019");
        assert!(is_holiday(State::MV, date(2026, 3, 8)));
        assert!(!is_holiday(State::MV, date(2022, 3, 8)), "only since 2023");
        assert!(is_holiday(State::TH, date(2026, 9, 20)));
        assert!(is_holiday(State::NI, date(2026, 10, 31)));
        assert!(
            !is_holiday(State::NI, date(2016, 10, 31)),
            "only since 2018"
        );
        assert!(
            is_holiday(State::NW, date(2017, 10, 31)),
            "500 years of the Reformation"
        );
        assert!(!is_holiday(State::NW, date(2026, 10, 31)));
        assert!(is_holiday(State::SL, date(2026, 8, 15)));
        assert_eq!(names(State::BE, 2026).len(), 10);
        assert_eq!(State::parse(" nw "), Some(State::NW));
        assert_eq!(State::parse("XX"), None);
    }

    #[test]
    fn every_state_has_the_nine_common_holidays_every_year() {
        for state in State::ALL {
            for year in 2020..2040 {
                let list = holidays(state, year);
                for common in [
                    "Neujahr",
                    "Karfreitag",
                    "Ostermontag",
                    "Tag der Arbeit",
                    "Christi Himmelfahrt",
                    "Pfingstmontag",
                    "Tag der Deutschen Einheit",
                    "1. Weihnachtstag",
                    "2. Weihnachtstag",
                ] {
                    assert!(
                        list.iter().any(|h| h.name == common),
                        "{state:?} {year} {common}"
                    );
                }
                assert!(list.windows(2).all(|w| w[0].date <= w[1].date));
            }
        }
        // Buß- und Bettag is always a Wednesday between 16 and 22 November.
        for year in 2000..2100 {
            let d = day_of_repentance(year);
            assert_eq!(d.weekday(), Weekday::Wednesday);
            assert!((16..=22).contains(&d.day()) && d.month() == 11);
        }
    }
}
