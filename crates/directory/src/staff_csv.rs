//! The staff CSV format used by `durchwahl users import` and `export`.
//!
//! Header row with `login,name,unit,extension` required and
//! `email,mobile,home_phone,roles,features` optional, in any order. Files may be `,` or
//! `;` delimited (German Excel writes `;`). Roles and features are lists inside one field,
//! separated by `;` when the file's delimiter is `,`, or by `|` in either case.
//!
//! Parsing is pure: bytes in, rows and problems (each with its line number) out.

use crate::contact::{parse_email, parse_name, parse_phone};
use crate::csv_text::{decode, with_bom, DecodeError};
use crate::role::default_roles;
use crate::{Extension, FeatureSet, InvalidValue, Login, RoleSet, StaffRecord, UnitPath};
use std::collections::HashMap;
use std::fmt;

/// The columns of the format, in the order `export` writes them.
pub const COLUMNS: [&str; 9] = [
    "login",
    "name",
    "unit",
    "extension",
    "email",
    "mobile",
    "home_phone",
    "roles",
    "features",
];
const REQUIRED: usize = 4;

/// How a file separates fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvDialect {
    /// `b','` or `b';'`.
    pub delimiter: u8,
}

impl CsvDialect {
    /// The characters that separate roles or features inside one field.
    pub fn list_separators(self) -> &'static [char] {
        if self.delimiter == b';' {
            &['|']
        } else {
            &[';', '|']
        }
    }

    /// The separator `export` writes inside a field.
    pub fn list_separator(self) -> &'static str {
        if self.delimiter == b';' {
            "|"
        } else {
            ";"
        }
    }
}

/// Which optional columns a file has. A column that is absent leaves that field of an
/// existing person untouched; a column that is present but empty clears it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OptionalColumns {
    /// `email` is present.
    pub email: bool,
    /// `mobile` is present.
    pub mobile: bool,
    /// `home_phone` is present.
    pub home_phone: bool,
    /// `roles` is present.
    pub roles: bool,
    /// `features` is present.
    pub features: bool,
}

/// One valid data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The line in the file where the row starts (the header is line 1).
    pub line: u64,
    /// The person as the row describes them; absent optional columns hold defaults.
    pub record: StaffRecord,
}

/// The result of parsing a file: every valid row and every problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCsv {
    /// The detected delimiter.
    pub dialect: CsvDialect,
    /// The optional columns the header names.
    pub columns: OptionalColumns,
    /// Rows that passed validation.
    pub rows: Vec<ImportRow>,
    /// Everything wrong with the file; when not empty, nothing may be written.
    pub problems: Vec<ImportProblem>,
}

/// A problem at a line (and field) of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    /// Line number in the file (the header is line 1).
    pub line: u64,
    /// The column, when the problem belongs to one field.
    pub field: Option<&'static str>,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// What is wrong with a file, a row or a field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProblemKind {
    /// The bytes are not readable text.
    #[error("{0}")]
    Encoding(#[from] DecodeError),
    /// The file is empty.
    #[error("the file is empty; the first line must be a header row naming the columns")]
    NoHeader,
    /// A required column is missing from the header.
    #[error(
        "required column {0:?} is missing from the header (required: login, name, unit, extension)"
    )]
    MissingColumn(&'static str),
    /// The header names a column this format does not know.
    #[error("unknown column {0:?} in the header (known: login, name, unit, extension, email, mobile, home_phone, roles, features)")]
    UnknownColumn(String),
    /// The header names a column twice.
    #[error("column {0:?} appears twice in the header")]
    RepeatedColumn(&'static str),
    /// A row has a different number of fields than the header.
    #[error("the row has {found} fields but the header has {expected}")]
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// The CSV structure is broken (e.g. an unclosed quote).
    #[error("the row cannot be read as CSV: {0}")]
    Syntax(String),
    /// A field value is not valid.
    #[error("{0}")]
    Invalid(InvalidValue),
    /// The login appeared on an earlier line.
    #[error("login {login:?} already appears on line {first_line}")]
    DuplicateLogin {
        /// The repeated login.
        login: String,
        /// Where it first appeared.
        first_line: u64,
    },
    /// The extension appeared on an earlier line for another person.
    #[error("extension {extension} is also given to {login:?} on line {first_line}")]
    DuplicateExtension {
        /// The repeated extension.
        extension: String,
        /// The person it was first given to.
        login: String,
        /// Where.
        first_line: u64,
    },
    /// The extension belongs to someone in the directory who keeps it.
    #[error("extension {extension} already belongs to {login:?} in the directory")]
    ExtensionTaken {
        /// The extension.
        extension: String,
        /// Its current holder.
        login: String,
    },
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(field) => write!(f, "line {}, field {}: {}", self.line, field, self.kind),
            None => write!(f, "line {}: {}", self.line, self.kind),
        }
    }
}

fn problem(line: u64, field: Option<&'static str>, kind: ProblemKind) -> ImportProblem {
    ImportProblem { line, field, kind }
}

/// Picks `;` when the header line has more semicolons than commas, else `,`.
fn detect_dialect(text: &str) -> CsvDialect {
    let header = text.lines().next().unwrap_or_default();
    let count = |c| header.chars().filter(|&x| x == c).count();
    CsvDialect {
        delimiter: if count(';') > count(',') { b';' } else { b',' },
    }
}

/// Parses a staff CSV file. Never fails: every problem is returned with its line.
pub fn parse_staff_csv(bytes: &[u8]) -> ParsedCsv {
    let mut parsed = ParsedCsv {
        dialect: CsvDialect { delimiter: b',' },
        columns: OptionalColumns::default(),
        rows: Vec::new(),
        problems: Vec::new(),
    };
    let text = match decode(bytes) {
        Ok((text, _)) => text,
        Err(e) => {
            parsed.problems.push(problem(1, None, e.into()));
            return parsed;
        }
    };
    if text.trim().is_empty() {
        parsed
            .problems
            .push(problem(1, None, ProblemKind::NoHeader));
        return parsed;
    }
    parsed.dialect = detect_dialect(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(parsed.dialect.delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            parsed
                .problems
                .push(problem(1, None, ProblemKind::Syntax(e.to_string())));
            return parsed;
        }
        None => {
            parsed
                .problems
                .push(problem(1, None, ProblemKind::NoHeader));
            return parsed;
        }
    };
    let Some(index) = read_header(&header, &mut parsed) else {
        return parsed;
    };
    let mut lines = LineCounter::new(&text);
    for record in records {
        match record {
            Ok(rec) => {
                let line = rec.position().map_or(0, |p| lines.line_at(p.byte()));
                if rec.iter().all(|f| f.trim().is_empty()) {
                    continue; // blank lines, and Excel's rows of only delimiters
                }
                if rec.len() != header.len() {
                    let kind = ProblemKind::FieldCount {
                        expected: header.len(),
                        found: rec.len(),
                    };
                    parsed.problems.push(problem(line, None, kind));
                    continue;
                }
                read_row(&rec, line, &index, &mut parsed);
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                parsed
                    .problems
                    .push(problem(line, None, ProblemKind::Syntax(e.to_string())));
            }
        }
    }
    parsed
}

/// Line numbers from byte offsets. The csv reader counts a record as starting at a blank
/// line before it, so the line is computed here, skipping leading line breaks. Offsets
/// only grow, so counting is incremental and the whole file is read once.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start >= self.offset {
            self.line += self.text[self.offset..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.offset = start;
        }
        self.line
    }
}

/// Maps each known column to its position; records header problems.
fn read_header(header: &csv::StringRecord, parsed: &mut ParsedCsv) -> Option<[Option<usize>; 9]> {
    let mut index = [None; 9];
    for (pos, raw) in header.iter().enumerate() {
        let name = raw.trim().to_ascii_lowercase();
        match COLUMNS.iter().position(|c| *c == name) {
            Some(i) if index[i].is_some() => {
                parsed
                    .problems
                    .push(problem(1, None, ProblemKind::RepeatedColumn(COLUMNS[i])));
            }
            Some(i) => index[i] = Some(pos),
            None => parsed
                .problems
                .push(problem(1, None, ProblemKind::UnknownColumn(name))),
        }
    }
    for (i, column) in COLUMNS.iter().enumerate().take(REQUIRED) {
        if index[i].is_none() {
            parsed
                .problems
                .push(problem(1, None, ProblemKind::MissingColumn(column)));
        }
    }
    parsed.columns = OptionalColumns {
        email: index[4].is_some(),
        mobile: index[5].is_some(),
        home_phone: index[6].is_some(),
        roles: index[7].is_some(),
        features: index[8].is_some(),
    };
    (!parsed.problems.iter().any(|p| p.line == 1)).then_some(index)
}

/// Validates one data row, recording a problem per bad field.
fn read_row(
    rec: &csv::StringRecord,
    line: u64,
    index: &[Option<usize>; 9],
    parsed: &mut ParsedCsv,
) {
    let separators = parsed.dialect.list_separators();
    let text = |i: usize| index[i].and_then(|pos| rec.get(pos)).unwrap_or_default();
    let mut bad = Vec::new();
    let login = check(&mut bad, line, 0, Login::parse(text(0)));
    let name = check(&mut bad, line, 1, parse_name(text(1)));
    let unit = check(&mut bad, line, 2, UnitPath::parse(text(2)));
    let extension = check(&mut bad, line, 3, Extension::parse(text(3)));
    let email = check(&mut bad, line, 4, parse_email(text(4)));
    let mobile = check(&mut bad, line, 5, parse_phone(text(5)));
    let home_phone = check(&mut bad, line, 6, parse_phone(text(6)));
    let roles = check(&mut bad, line, 7, RoleSet::parse_list(text(7), separators));
    let features = check(
        &mut bad,
        line,
        8,
        FeatureSet::parse_list(text(8), separators),
    );
    let (
        Some(login),
        Some(name),
        Some(unit),
        Some(extension),
        Some(email),
        Some(mobile),
        Some(home_phone),
        Some(roles),
        Some(features),
    ) = (
        login, name, unit, extension, email, mobile, home_phone, roles, features,
    )
    else {
        parsed.problems.append(&mut bad);
        return;
    };
    let roles = if roles.is_empty() {
        default_roles()
    } else {
        roles
    };
    let record = StaffRecord {
        login,
        name,
        unit,
        extension,
        email,
        mobile,
        home_phone,
        roles,
        features,
    };
    parsed.rows.push(ImportRow { line, record });
}

/// Turns column `i`'s validation result into a value or a recorded problem.
fn check<T>(
    problems: &mut Vec<ImportProblem>,
    line: u64,
    i: usize,
    result: Result<T, InvalidValue>,
) -> Option<T> {
    result
        .map_err(|e| problems.push(problem(line, Some(COLUMNS[i]), ProblemKind::Invalid(e))))
        .ok()
}

/// Reports logins and extensions given twice within the file (each on its later line).
pub fn duplicates_within(rows: &[ImportRow]) -> Vec<ImportProblem> {
    let mut logins: HashMap<&Login, u64> = HashMap::new();
    let mut extensions: HashMap<&Extension, (&Login, u64)> = HashMap::new();
    let mut problems = Vec::new();
    for row in rows {
        let r = &row.record;
        if let Some(&first_line) = logins.get(&r.login) {
            let kind = ProblemKind::DuplicateLogin {
                login: r.login.to_string(),
                first_line,
            };
            problems.push(problem(row.line, Some("login"), kind));
            continue;
        }
        logins.insert(&r.login, row.line);
        match extensions.get(&r.extension) {
            Some(&(login, first_line)) => {
                let kind = ProblemKind::DuplicateExtension {
                    extension: r.extension.to_string(),
                    login: login.to_string(),
                    first_line,
                };
                problems.push(problem(row.line, Some("extension"), kind));
            }
            None => {
                extensions.insert(&r.extension, (&r.login, row.line));
            }
        }
    }
    problems
}

/// Writes staff in the import format, all columns, sorted as given.
pub fn write_staff_csv(staff: &[StaffRecord], dialect: CsvDialect, bom: bool) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(dialect.delimiter)
        .from_writer(Vec::new());
    let sep = dialect.list_separator();
    // Writing into a Vec cannot fail.
    let _ = writer.write_record(COLUMNS);
    for s in staff {
        let _ = writer.write_record([
            s.login.as_str(),
            &s.name,
            &s.unit.to_string(),
            s.extension.as_str(),
            s.email.as_deref().unwrap_or_default(),
            s.mobile.as_deref().unwrap_or_default(),
            s.home_phone.as_deref().unwrap_or_default(),
            &s.roles.join(sep),
            &s.features.join(sep),
        ]);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    if bom {
        with_bom(&String::from_utf8_lossy(&bytes))
    } else {
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kinds(text: &[u8]) -> Vec<(u64, Option<&'static str>, ProblemKind)> {
        let parsed = parse_staff_csv(text);
        let plan = crate::plan_import(&Default::default(), parsed);
        plan.problems
            .into_iter()
            .map(|p| (p.line, p.field, p.kind))
            .collect()
    }

    #[test]
    fn header_problems_are_reported_on_line_one() {
        assert_eq!(
            kinds(b"login,name,unit,extension,telefon,name\n"),
            vec![
                (1, None, ProblemKind::UnknownColumn("telefon".into())),
                (1, None, ProblemKind::RepeatedColumn("name")),
            ]
        );
        let missing = kinds(b"login,name\n");
        assert_eq!(missing.len(), 2);
        assert!(missing.contains(&(1, None, ProblemKind::MissingColumn("unit"))));
        assert_eq!(kinds(b""), vec![(1, None, ProblemKind::NoHeader)]);
        assert_eq!(kinds(b"\n  \n"), vec![(1, None, ProblemKind::NoHeader)]);
        assert_eq!(
            kinds(&[0xFF, 0xFE, b'l', 0]),
            vec![(
                1,
                None,
                ProblemKind::Encoding(crate::csv_text::DecodeError::Utf16)
            )]
        );
    }

    #[test]
    fn row_problems_carry_their_line_after_blank_lines_and_quoted_line_breaks() {
        let text = "login,name,unit,extension\n\"a.b\",\"Anna, B\",X,2001\n\n,,,\nc.d,C,X\nM.Mueller,M,X,2002\nm.mueller,M,X,2003\n";
        assert_eq!(
            kinds(text.as_bytes()),
            vec![
                (
                    5,
                    None,
                    ProblemKind::FieldCount {
                        expected: 4,
                        found: 3
                    }
                ),
                (
                    7,
                    Some("login"),
                    ProblemKind::DuplicateLogin {
                        login: "m.mueller".into(),
                        first_line: 6
                    }
                ),
            ],
            "blank lines and rows of only delimiters are skipped"
        );
        let quoted_break =
            "login,name,unit,extension\r\n\"a.b\",\"Anna\r\nB\",X,2001\r\nc.d,C,X\r\n";
        let problems = kinds(quoted_break.as_bytes());
        assert_eq!(
            problems.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(),
            [(2, Some("name")), (4, None)]
        );
    }

    #[test]
    fn every_bad_field_of_a_row_is_reported() {
        let text = "login,name,unit,extension,email,mobile,roles,features\nx y,,a//b,1,no-mail,12,boss,fax\n";
        let fields: Vec<_> = kinds(text.as_bytes())
            .into_iter()
            .map(|(line, field, _)| (line, field.unwrap()))
            .collect();
        assert_eq!(
            fields,
            [
                "login",
                "name",
                "unit",
                "extension",
                "email",
                "mobile",
                "roles",
                "features"
            ]
            .map(|f| (2, f))
            .to_vec()
        );
    }

    #[test]
    fn swapping_extensions_is_fine_but_taking_one_is_not() {
        let first = "login,name,unit,extension\na.a,A,X,2001\nb.b,B,X,2002\nc.c,C,X,2003\n";
        let plan = crate::plan_import(&Default::default(), parse_staff_csv(first.as_bytes()));
        let current = crate::DirectorySnapshot {
            staff: plan.creates,
            units: plan.new_units,
        };
        let swap = "login,name,unit,extension\na.a,A,X,2002\nb.b,B,X,2001\n";
        let swapped = crate::plan_import(&current, parse_staff_csv(swap.as_bytes()));
        assert!(swapped.problems.is_empty(), "{:?}", swapped.problems);
        assert_eq!(swapped.updates.len(), 2);
        let take = "login,name,unit,extension\na.a,A,X,2003\n";
        let taken = crate::plan_import(&current, parse_staff_csv(take.as_bytes()));
        assert_eq!(
            taken.problems[0].kind,
            ProblemKind::ExtensionTaken {
                extension: "2003".into(),
                login: "c.c".into()
            }
        );
    }

    proptest! {
        /// The same property as the fuzz target, on every test run: any bytes give rows
        /// and problems, never a panic, and accepted rows survive a round trip.
        #[test]
        fn any_bytes_parse_without_panic(data in proptest::collection::vec(any::<u8>(), 0..400)) {
            let parsed = parse_staff_csv(&data);
            let rows: Vec<_> = parsed.rows.iter().map(|r| r.record.clone()).collect();
            let again = parse_staff_csv(&write_staff_csv(&rows, parsed.dialect, false));
            let back: Vec<_> = again.rows.into_iter().map(|r| r.record).collect();
            prop_assert_eq!(back, rows);
        }

        #[test]
        fn csv_shaped_text_parses_without_panic(lines in proptest::collection::vec("[a-z0-9;,|/\" \\n.-]{0,40}", 0..6)) {
            let text = format!("login,name,unit,extension,roles\n{}", lines.join("\n"));
            let parsed = parse_staff_csv(text.as_bytes());
            prop_assert!(parsed.problems.iter().all(|p| p.line >= 1));
        }
    }
}
