//! The staff CSV format used by `durchwahl users import` and `export`.
//!
//! Header row with `login,name,unit,extension` required and
//! `email,mobile,home_phone,roles,features,head_of` optional, in any order (`head_of`: the
//! units a person leads, see [`head_of`]). Files may be `,` or
//! `;` delimited (German Excel writes `;`). Roles and features are lists inside one field,
//! separated by `;` when the file's delimiter is `,`, or by `|` in either case.
//!
//! Lines may end in CRLF, LF or a lone CR (Excel for Mac); blank lines before the header
//! and a trailing separator after it (Excel's empty last column) are ignored.
//!
//! Parsing is pure: bytes in, rows and problems (each with its line number) out.

use crate::contact::{parse_email, parse_name, parse_phone};
use crate::csv_formula::{defuse, restore};
use crate::csv_text::{decode, with_bom, DecodeError};
use crate::role::default_roles;
use crate::{Extension, FeatureSet, InvalidValue, Login, RoleSet, StaffRecord, UnitPath};
use std::collections::HashMap;
use std::fmt;

pub mod head_of;

use head_of::UnitLead;

/// The columns of the format, in the order `export` writes them.
pub const COLUMNS: [&str; 10] = [
    "login",
    "name",
    "unit",
    "extension",
    "email",
    "mobile",
    "home_phone",
    "roles",
    "features",
    "head_of",
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
    /// `head_of` is present: the file sets who leads which unit (for the people in it).
    pub head_of: bool,
}

/// One valid data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The line in the file where the row starts (the first line is 1, whatever its end:
    /// CRLF, LF or CR).
    pub line: u64,
    /// The person as the row describes them; absent optional columns hold defaults.
    pub record: StaffRecord,
    /// The units they lead (`head_of`; empty when the column is absent).
    pub head_of: Vec<UnitLead>,
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
    /// Line number in the file (the first line is 1; blank lines count).
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
    #[error("unknown column {0:?} in the header (known: login, name, unit, extension, email, mobile, home_phone, roles, features, head_of)")]
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
    /// `head_of` names a unit that does not exist and that the file does not create.
    #[error("unit {0:?} does not exist: a person can only lead a unit that exists or that this file gives someone as their unit")]
    UnknownUnit(String),
    /// `head_of` makes a second person in the file head of a unit.
    #[error("{unit:?} already has {login:?} as its head on line {first_line}: a unit has one head (mark deputies with 'stellv:')")]
    SecondHead {
        /// The unit.
        unit: String,
        /// Its head by the file.
        login: String,
        /// Where that head is named.
        first_line: u64,
    },
    /// `head_of` makes the head of a unit its deputy too.
    #[error("the head of {0:?} cannot also be its deputy")]
    HeadAndDeputy(String),
    /// The person comes from the LDAP directory, which owns this field.
    #[error("{login:?} comes from the LDAP directory, which owns this field: change it there")]
    OwnedByDirectory {
        /// The person.
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
fn detect_dialect(header_line: &str) -> CsvDialect {
    let count = |c| header_line.chars().filter(|&x| x == c).count();
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
    let lines = LineIndex::new(&text);
    let Some((start, header_line)) = lines.first_filled_line() else {
        parsed
            .problems
            .push(problem(1, None, ProblemKind::NoHeader));
        return parsed;
    };
    parsed.dialect = detect_dialect(header_line);
    let body = &text[start..];
    match unclosed_quote(body.as_bytes(), parsed.dialect.delimiter) {
        None => read_records(body, start, &lines, &mut parsed),
        Some(unclosed) => {
            // Only the records before the broken one are read; the file is refused anyway.
            read_records(&body[..unclosed.record], start, &lines, &mut parsed);
            let line = lines.line_at(start + unclosed.quote);
            parsed
                .problems
                .push(problem(line, None, unclosed_quote_kind()));
        }
    }
    parsed
}

/// Why a file with an unclosed quote is refused, in the admin's words.
fn unclosed_quote_kind() -> ProblemKind {
    ProblemKind::Syntax(
        "a field starts with a quote (\") that is never closed, so this line and all \
         after it cannot be read; add the closing quote or remove the opening one"
            .to_string(),
    )
}

/// Reads the header and the data rows of `text`, which starts at byte `offset` of the file.
fn read_records(text: &str, offset: usize, lines: &LineIndex, parsed: &mut ParsedCsv) {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(parsed.dialect.delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let line_of = |pos: Option<&csv::Position>| {
        let byte = pos.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        lines.record_line(offset.saturating_add(byte))
    };
    let mut records = reader.records();
    // No record at all: an unclosed quote in the header line, reported by the caller.
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            let kind = ProblemKind::Syntax(e.to_string());
            parsed
                .problems
                .push(problem(line_of(e.position()), None, kind));
            return;
        }
        None => return,
    };
    let Some(header) = read_header(&header, line_of(header.position()), parsed) else {
        return;
    };
    for record in records {
        match record {
            Ok(rec) => read_record(&rec, line_of(rec.position()), &header, parsed),
            Err(e) => {
                let kind = ProblemKind::Syntax(e.to_string());
                parsed
                    .problems
                    .push(problem(line_of(e.position()), None, kind));
            }
        }
    }
}

/// Checks a data row's shape, then its fields.
fn read_record(rec: &csv::StringRecord, line: u64, header: &Header, parsed: &mut ParsedCsv) {
    if rec.iter().all(|f| f.trim().is_empty()) {
        return; // blank lines, and Excel's rows of only delimiters
    }
    // Blank fields under the header's unnamed trailing columns carry nothing; a value
    // there would be lost, so the row then counts as having one field too many.
    let fits = (header.named..=header.len).contains(&rec.len())
        && rec.iter().skip(header.named).all(|f| f.trim().is_empty());
    if !fits {
        let kind = ProblemKind::FieldCount {
            expected: header.named,
            found: rec.len(),
        };
        parsed.problems.push(problem(line, None, kind));
        return;
    }
    read_row(rec, line, &header.index, parsed);
}

/// Where a field's opening quote is never closed. The csv reader takes such a field to
/// the end of the file without an error, swallowing every later row, so it is found here
/// by the reader's own rules: a quote opens a field only as its first character, `""`
/// inside it is a literal quote, and after the closing quote the field goes on unquoted.
struct UnclosedQuote {
    /// Where the record holding the quote starts (after any blank lines before it).
    record: usize,
    /// The opening quote.
    quote: usize,
}

fn unclosed_quote(text: &[u8], delimiter: u8) -> Option<UnclosedQuote> {
    #[derive(Clone, Copy)]
    enum State {
        FieldStart,
        Field,
        Quoted,
        QuoteInQuoted,
    }
    let (mut state, mut record, mut quote) = (State::FieldStart, 0, 0);
    for (i, &b) in text.iter().enumerate() {
        state = match (state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::FieldStart, b'"') => {
                quote = i;
                State::Quoted
            }
            (_, b'\r' | b'\n') => {
                record = i + 1;
                State::FieldStart
            }
            (_, b) if b == delimiter => State::FieldStart,
            _ => State::Field,
        };
    }
    matches!(state, State::Quoted).then_some(UnclosedQuote { record, quote })
}

/// Line numbers from byte offsets. A line ends at CRLF, LF or a lone CR: Excel for Mac's
/// "CSV (Macintosh)" ends lines with CR only, and the csv reader accepts all three.
struct LineIndex<'a> {
    text: &'a str,
    /// The byte where each line starts; line `n` starts at `starts[n - 1]`.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                starts.push(i + 1);
            }
        }
        LineIndex { text, starts }
    }

    /// The line that holds `byte`.
    fn line_at(&self, byte: usize) -> u64 {
        self.starts.partition_point(|&s| s <= byte) as u64
    }

    /// The line a record starts on. The csv reader counts a record as starting at the
    /// line break before it (and any blank lines), so those are skipped first.
    fn record_line(&self, byte: usize) -> u64 {
        let bytes = self.text.as_bytes();
        let mut start = byte.min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        self.line_at(start)
    }

    /// The first line that is not blank (nor only delimiters): its start and its text.
    /// Excel files may have empty rows above the header.
    fn first_filled_line(&self) -> Option<(usize, &'a str)> {
        self.starts
            .iter()
            .map(|&start| {
                let rest = &self.text[start..];
                (start, rest.split(['\r', '\n']).next().unwrap_or_default())
            })
            .find(|(_, line)| {
                !line
                    .chars()
                    .all(|c| c.is_whitespace() || c == ',' || c == ';')
            })
    }
}

/// The header as the rows are read against it.
struct Header {
    /// Each known column's position.
    index: [Option<usize>; 10],
    /// Fields up to the last named one; Excel's trailing separators add unnamed ones.
    named: usize,
    /// All fields of the header row.
    len: usize,
}

/// Maps each known column to its position; records header problems on `line`.
fn read_header(header: &csv::StringRecord, line: u64, parsed: &mut ParsedCsv) -> Option<Header> {
    let before = parsed.problems.len();
    let unnamed_at_end = header.iter().rev().take_while(|n| n.trim().is_empty());
    let named = header.len() - unnamed_at_end.count();
    let mut index = [None; 10];
    for (pos, raw) in header.iter().enumerate().take(named) {
        let name = raw.trim().to_ascii_lowercase();
        let kind = match COLUMNS.iter().position(|c| *c == name) {
            Some(i) if index[i].is_some() => ProblemKind::RepeatedColumn(COLUMNS[i]),
            Some(i) => {
                index[i] = Some(pos);
                continue;
            }
            None => ProblemKind::UnknownColumn(name),
        };
        parsed.problems.push(problem(line, None, kind));
    }
    for (i, column) in COLUMNS.iter().enumerate().take(REQUIRED) {
        if index[i].is_none() {
            let kind = ProblemKind::MissingColumn(column);
            parsed.problems.push(problem(line, None, kind));
        }
    }
    parsed.columns = OptionalColumns {
        email: index[4].is_some(),
        mobile: index[5].is_some(),
        home_phone: index[6].is_some(),
        roles: index[7].is_some(),
        features: index[8].is_some(),
        head_of: index[9].is_some(),
    };
    let len = header.len();
    (parsed.problems.len() == before).then_some(Header { index, named, len })
}

/// Validates one data row, recording a problem per bad field.
fn read_row(
    rec: &csv::StringRecord,
    line: u64,
    index: &[Option<usize>; 10],
    parsed: &mut ParsedCsv,
) {
    let separators = parsed.dialect.list_separators();
    // An exported cell may carry the `'` that keeps spreadsheets from running it.
    let text = |i: usize| restore(index[i].and_then(|pos| rec.get(pos)).unwrap_or_default());
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
    let head_of = check(&mut bad, line, 9, head_of::parse(text(9), separators));
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
        Some(head_of),
    ) = (
        login, name, unit, extension, email, mobile, home_phone, roles, features, head_of,
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
    parsed.rows.push(ImportRow {
        line,
        record,
        head_of,
    });
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

/// Writes staff in the import format, every column but `head_of`, sorted as given. Cells
/// that a spreadsheet would run as a formula are defused; the import restores them.
pub fn write_staff_csv(staff: &[StaffRecord], dialect: CsvDialect, bom: bool) -> Vec<u8> {
    write(staff, None, dialect, bom)
}

/// The same with the `head_of` column: the units each person leads (by login; see
/// [`head_of::by_login`]), so that importing the file back changes no leaders.
pub fn write_staff_csv_with_heads(
    staff: &[StaffRecord],
    heads: &HashMap<Login, Vec<UnitLead>>,
    dialect: CsvDialect,
    bom: bool,
) -> Vec<u8> {
    write(staff, Some(heads), dialect, bom)
}

fn write(
    staff: &[StaffRecord],
    heads: Option<&HashMap<Login, Vec<UnitLead>>>,
    dialect: CsvDialect,
    bom: bool,
) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(dialect.delimiter)
        .from_writer(Vec::new());
    let sep = dialect.list_separator();
    let columns = if heads.is_some() { 10 } else { 9 };
    // Writing into a Vec cannot fail.
    let _ = writer.write_record(&COLUMNS[..columns]);
    for s in staff {
        let head_of = heads
            .and_then(|h| h.get(&s.login))
            .map(|leads| head_of::format(leads, sep))
            .unwrap_or_default();
        let cells = [
            s.login.as_str(),
            &s.name,
            &s.unit.to_string(),
            s.extension.as_str(),
            s.email.as_deref().unwrap_or_default(),
            s.mobile.as_deref().unwrap_or_default(),
            s.home_phone.as_deref().unwrap_or_default(),
            &s.roles.join(sep),
            &s.features.join(sep),
            &head_of,
        ];
        let _ = writer.write_record(
            cells[..columns]
                .iter()
                .map(|c| defuse(c))
                .collect::<Vec<_>>()
                .iter()
                .map(|c| c.as_bytes()),
        );
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
            ..Default::default()
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
