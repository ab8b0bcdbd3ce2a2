//! Spreadsheet formulas in CSV cells ("CSV injection"). Excel and LibreOffice run a cell
//! that starts with `=`, `+`, `-` or `@` as a formula when they open a CSV file, and some
//! skip a leading tab or carriage return first (OWASP lists all six). A name like
//! `=HYPERLINK("http://…","Klick")` would become a live link in the admin's spreadsheet.
//!
//! Every CSV export puts a `'` in front of such a cell, so it starts with an ordinary
//! character and is shown as text. The staff import takes that `'` off again, so an
//! exported file imports with identical values: phone numbers start with `+`
//! (`+49 151 5550123`), and "importing the same file twice changes nothing" must hold for
//! exported files too. A cell that already starts with `'` gets one more, so [`restore`]
//! can tell the `'` it must take off from one that belongs to the value.

use std::borrow::Cow;

/// What a spreadsheet may read as the start of a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The mark [`defuse`] puts in front; spreadsheets know it as "text follows".
const MARK: char = '\'';

fn needs_mark(cell: &str) -> bool {
    cell.starts_with(TRIGGERS) || cell.starts_with(MARK)
}

/// The cell as an export writes it: a `'` in front when it starts with a formula trigger
/// or with a `'`; otherwise unchanged.
///
/// ```
/// use directory::csv_formula::{defuse, restore};
/// assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
/// assert_eq!(defuse("+49 151 5550123"), "'+49 151 5550123");
/// assert_eq!(defuse("Anna Adler"), "Anna Adler");
/// assert_eq!(restore(&defuse("'t Hooft")), "'t Hooft");
/// ```
pub fn defuse(cell: &str) -> Cow<'_, str> {
    if needs_mark(cell) {
        Cow::Owned(format!("{MARK}{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The cell as it was before [`defuse`]: one leading `'` is taken off when a formula
/// trigger or another `'` follows it. Any other cell is returned as it is, so a file
/// written by hand reads as before.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix(MARK) {
        Some(rest) if needs_mark(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_owasp_trigger_is_defused() {
        for cell in [
            "=1+1",
            "+49 151 5550123",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            let safe = defuse(cell);
            assert_eq!(safe.strip_prefix('\''), Some(cell), "{cell:?}");
            assert_eq!(restore(&safe), cell);
        }
    }

    #[test]
    fn ordinary_cells_stay_as_they_are() {
        for cell in [
            "",
            "Anna Adler",
            "2301",
            "a.adler@lra.example",
            "(0861) 123/45",
        ] {
            assert!(matches!(defuse(cell), Cow::Borrowed(_)), "{cell:?}");
            assert_eq!(restore(cell), cell);
        }
    }

    #[test]
    fn a_quote_that_belongs_to_the_value_survives() {
        assert_eq!(defuse("'=x"), "''=x");
        assert_eq!(restore("''=x"), "'=x");
        assert_eq!(restore("'t Hooft"), "'t Hooft", "hand-written, not defused");
        assert_eq!(restore("'"), "'");
    }

    proptest! {
        #[test]
        fn restore_undoes_defuse_and_nothing_starts_a_formula(cell in "['=+@\t\r -]{0,3}\\PC{0,8}") {
            let safe = defuse(&cell);
            prop_assert!(!safe.starts_with(TRIGGERS), "{:?}", safe);
            prop_assert_eq!(restore(&safe), cell.as_str());
        }
    }
}
