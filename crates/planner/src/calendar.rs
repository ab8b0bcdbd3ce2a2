//! The small calendar vocabulary the planner shares: sets of weekdays, half-days, calendar
//! months, counts of half-days, and German date texts. Dates are `jiff::civil::Date`s in
//! the administration's local calendar; the shells convert "now" before calling in.

use jiff::civil::{Date, Weekday};
use jiff::ToSpan;
use std::fmt;

/// The administration's time zone: agreements, plans and bookings run from local day to
/// local day.
pub fn zone() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC)
}

/// The local date and time at `unix_seconds` (the shells' clock), to the second.
pub fn local_time(unix_seconds: i64) -> jiff::civil::DateTime {
    let at = jiff::Timestamp::from_second(unix_seconds).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    zone().to_datetime(at)
}

/// A set of weekdays (Monday to Sunday), e.g. an agreement's mobile weekdays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct WeekdaySet(u8);

impl WeekdaySet {
    /// No day.
    pub const EMPTY: WeekdaySet = WeekdaySet(0);
    /// Monday to Friday.
    pub const MONDAY_TO_FRIDAY: WeekdaySet = WeekdaySet(0b0001_1111);

    /// The set of the given days.
    pub fn of(days: &[Weekday]) -> WeekdaySet {
        days.iter().fold(WeekdaySet::EMPTY, |set, &d| set.with(d))
    }

    /// The set from its bits, Monday the lowest (bits above Sunday are ignored).
    pub fn from_bits(bits: u8) -> WeekdaySet {
        WeekdaySet(bits & 0x7f)
    }

    /// The bits, Monday the lowest.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// This set and `day`.
    pub fn with(self, day: Weekday) -> WeekdaySet {
        WeekdaySet(self.0 | 1 << day.to_monday_zero_offset())
    }

    /// Whether `day` is in the set.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.to_monday_zero_offset()) != 0
    }

    /// How many days are in the set.
    pub fn len(self) -> u8 {
        self.0.count_ones() as u8
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The days in the set, Monday first.
    pub fn iter(self) -> impl Iterator<Item = Weekday> {
        (0..7)
            .filter(move |i| self.0 & (1 << i) != 0)
            .map(|i| Weekday::from_monday_zero_offset(i).expect("0..7 is a weekday"))
    }
}

impl fmt::Display for WeekdaySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(weekday_short).collect();
        if names.is_empty() {
            f.write_str("keine Tage")
        } else {
            f.write_str(&names.join(", "))
        }
    }
}

/// A half of a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HalfDay {
    /// Vormittag.
    Morning,
    /// Nachmittag.
    Afternoon,
}

/// What a booking or an entry of the week covers: the whole day or one half.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayPart {
    /// Ganztägig.
    Whole,
    /// Vormittags.
    Morning,
    /// Nachmittags.
    Afternoon,
}

impl DayPart {
    /// The half-days it covers. A store that keeps one row per half-day can enforce "no
    /// space twice for the same time" with a unique index on (space, date, half).
    pub fn halves(self) -> &'static [HalfDay] {
        match self {
            DayPart::Whole => &[HalfDay::Morning, HalfDay::Afternoon],
            DayPart::Morning => &[HalfDay::Morning],
            DayPart::Afternoon => &[HalfDay::Afternoon],
        }
    }

    /// Whether the two parts share a half-day.
    pub fn overlaps(self, other: DayPart) -> bool {
        self.halves().iter().any(|h| other.halves().contains(h))
    }
}

impl fmt::Display for DayPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DayPart::Whole => "ganztägig",
            DayPart::Morning => "vormittags",
            DayPart::Afternoon => "nachmittags",
        })
    }
}

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    /// The year.
    pub year: i16,
    /// The month, 1 to 12.
    pub month: i8,
}

impl YearMonth {
    /// The month `date` falls in.
    pub fn of(date: Date) -> YearMonth {
        YearMonth {
            year: date.year(),
            month: date.month(),
        }
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [&str; 12] = [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ];
        let name = NAMES.get((self.month - 1) as usize).unwrap_or(&"?");
        write!(f, "{name} {}", self.year)
    }
}

/// A number of half-days of mobile work (the week may be planned by half-days; limits
/// are given in days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct HalfDays(pub u16);

impl HalfDays {
    /// Whole days as half-days.
    pub fn days(days: u16) -> HalfDays {
        HalfDays(days * 2)
    }
}

impl fmt::Display for HalfDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (days, half) = (self.0 / 2, self.0 % 2 == 1);
        match (days, half) {
            (0, true) => f.write_str("ein halber Tag"),
            (1, false) => f.write_str("1 Tag"),
            (d, false) => write!(f, "{d} Tage"),
            (d, true) => write!(f, "{d},5 Tage"),
        }
    }
}

/// The German short name of a weekday ("Mo").
pub fn weekday_short(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Mo",
        Weekday::Tuesday => "Di",
        Weekday::Wednesday => "Mi",
        Weekday::Thursday => "Do",
        Weekday::Friday => "Fr",
        Weekday::Saturday => "Sa",
        Weekday::Sunday => "So",
    }
}

/// A date as German texts write it: "Mo, 03.03.2025".
pub struct GermanDate(pub Date);

impl fmt::Display for GermanDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(
            f,
            "{}, {:02}.{:02}.{}",
            weekday_short(d.weekday()),
            d.day(),
            d.month(),
            d.year()
        )
    }
}

/// `date` moved by `days` (negative: back), saturating at jiff's range.
pub fn add_days(date: Date, days: i64) -> Date {
    date.saturating_add(days.days())
}

/// Days from `from` to `to` (negative when `to` is earlier).
pub(crate) fn days_between(from: Date, to: Date) -> i64 {
    to.duration_since(from).as_hours() / 24
}

/// The Monday of the week `date` is in.
pub(crate) fn monday_of(date: Date) -> Date {
    add_days(date, -i64::from(date.weekday().to_monday_zero_offset()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn weekday_sets() {
        let set = WeekdaySet::of(&[Weekday::Monday, Weekday::Friday]);
        assert!(set.contains(Weekday::Friday) && !set.contains(Weekday::Tuesday));
        assert_eq!(set.len(), 2);
        assert_eq!(set.to_string(), "Mo, Fr");
        assert_eq!(WeekdaySet::MONDAY_TO_FRIDAY.len(), 5);
        assert_eq!(WeekdaySet::from_bits(0xff).len(), 7);
    }

    #[test]
    fn parts_overlap_by_half() {
        assert!(DayPart::Whole.overlaps(DayPart::Afternoon));
        assert!(!DayPart::Morning.overlaps(DayPart::Afternoon));
        assert!(DayPart::Morning.overlaps(DayPart::Morning));
    }

    #[test]
    fn dates_and_texts() {
        assert_eq!(monday_of(date(2025, 3, 2)), date(2025, 2, 24));
        assert_eq!(monday_of(date(2025, 3, 3)), date(2025, 3, 3));
        assert_eq!(days_between(date(2025, 2, 27), date(2025, 3, 3)), 4);
        assert_eq!(add_days(date(2025, 3, 3), -1), date(2025, 3, 2));
        assert_eq!(GermanDate(date(2025, 3, 3)).to_string(), "Mo, 03.03.2025");
        assert_eq!(HalfDays(5).to_string(), "2,5 Tage");
        assert_eq!(HalfDays(1).to_string(), "ein halber Tag");
        assert_eq!(YearMonth::of(date(2025, 3, 3)).to_string(), "März 2025");
    }
}
