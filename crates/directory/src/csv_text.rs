//! Turning the bytes of an uploaded CSV file into text. Excel on German Windows saves
//! "CSV (Trennzeichen-getrennt)" as Windows-1252 and "CSV UTF-8" with a byte order mark;
//! both must import with their umlauts intact.

/// The text encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceEncoding {
    /// UTF-8 with a byte order mark (Excel's "CSV UTF-8").
    Utf8WithBom,
    /// UTF-8 without a byte order mark.
    Utf8,
    /// Windows-1252, the Western European ANSI code page.
    Windows1252,
}

/// A file that cannot be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// UTF-16 files (Excel's "Unicode text") are not CSV as this import expects it.
    #[error(
        "the file is UTF-16 encoded; save it as \"CSV UTF-8\" or \"CSV (Trennzeichen-getrennt)\""
    )]
    Utf16,
    /// A byte order mark promised UTF-8 but the bytes are not.
    #[error("the file starts with a UTF-8 byte order mark but is not valid UTF-8 (byte {0})")]
    InvalidUtf8AfterBom(usize),
}

/// Decodes `bytes`: UTF-8 (with or without BOM) when valid, otherwise Windows-1252.
pub fn decode(bytes: &[u8]) -> Result<(String, SourceEncoding), DecodeError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(DecodeError::Utf16);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_string(), SourceEncoding::Utf8WithBom))
            .map_err(|e| DecodeError::InvalidUtf8AfterBom(e.valid_up_to() + 3));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_string(), SourceEncoding::Utf8)),
        Err(_) => Ok((
            bytes.iter().map(|&b| windows_1252(b)).collect(),
            SourceEncoding::Windows1252,
        )),
    }
}

/// One Windows-1252 byte as a character. 0x80–0x9F hold typographic characters; the five
/// unassigned bytes map to the C1 control of the same value (as the WHATWG index does),
/// which the field validation then rejects as a control character.
fn windows_1252(b: u8) -> char {
    const HIGH: [u16; 32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ];
    match b {
        0x80..=0x9F => char::from_u32(u32::from(HIGH[usize::from(b - 0x80)])).unwrap_or('\u{FFFD}'),
        _ => char::from(b),
    }
}

/// Encodes text as UTF-8 with a byte order mark, as Excel expects for umlauts.
pub fn with_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    out.extend_from_slice(text.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_encodings_excel_writes() {
        let text = "name\nJürgen Weiß – Straße €";
        assert_eq!(
            decode(text.as_bytes()).unwrap(),
            (text.to_string(), SourceEncoding::Utf8)
        );
        assert_eq!(
            decode(&with_bom(text)).unwrap(),
            (text.to_string(), SourceEncoding::Utf8WithBom)
        );
        let cp1252: Vec<u8> = b"name\nJ\xFCrgen Wei\xDF \x96 Stra\xDFe \x80".to_vec();
        assert_eq!(
            decode(&cp1252).unwrap(),
            (text.to_string(), SourceEncoding::Windows1252)
        );
    }

    #[test]
    fn refuses_utf16_and_broken_bom_files() {
        assert_eq!(decode(&[0xFF, 0xFE, b'a', 0]), Err(DecodeError::Utf16));
        assert_eq!(
            decode(&[0xEF, 0xBB, 0xBF, b'a', 0xFC]),
            Err(DecodeError::InvalidUtf8AfterBom(4))
        );
    }
}
