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
    for record in records {
        match record {
            Ok(rec) => {
                let line = rec.position().map_or(0, |p| p.line());
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
                let line = e.position().map_or(0, |p| p.line());
                parsed
                    .problems
                    .push(problem(line, None, ProblemKind::Syntax(e.to_string())));
            }
        }
    }
    parsed
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
