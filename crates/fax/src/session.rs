//! What both kinds of session check before SpanDSP sees them: the station identifier, the
//! file to send or receive into, and whether SpanDSP should log.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::spandsp::Setup;
use crate::{Direction, FaxError};

/// T.30 §5.3.6.2.4 (TSI/CSI): at most 20 characters (SpanDSP's T30_MAX_IDENT_LEN),
/// digits, `+` and space.
const MAX_IDENT: usize = 20;
/// SpanDSP copies file names into a `char[256]` (t30 state's rx_file/tx_file) and cuts
/// longer ones silently, which would write or read another file.
const MAX_PATH: usize = 255;
/// Set (to anything) to route SpanDSP's protocol log to `tracing` at debug level.
const DEBUG_VAR: &str = "DURCHWAHL_FAX_DEBUG";

/// A session's checked parameters, owned, for [`Setup`] to borrow.
pub(crate) struct Checked {
    sending: bool,
    file: CString,
    calling: bool,
    ident: CString,
    debug: bool,
}

impl Checked {
    pub(crate) fn new(
        direction: &Direction,
        calling: bool,
        ident: &str,
    ) -> Result<Checked, FaxError> {
        let ident = check_ident(ident)?;
        let (sending, path) = match direction {
            Direction::Send { tiff } => {
                // SpanDSP would only find out in phase B (T30_ERR_FILEERROR): say it now.
                if !std::fs::metadata(tiff)?.is_file() {
                    return Err(FaxError::Init(format!(
                        "{} ist keine Datei",
                        tiff.display()
                    )));
                }
                (true, tiff)
            }
            Direction::Receive { tiff } => {
                let parent = match tiff.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent,
                    _ => Path::new("."),
                };
                if !std::fs::metadata(parent)?.is_dir() {
                    return Err(FaxError::Init(format!(
                        "{} ist kein Verzeichnis",
                        parent.display()
                    )));
                }
                (false, tiff)
            }
        };
        Ok(Checked {
            sending,
            file: c_path(path)?,
            calling,
            ident,
            debug: std::env::var_os(DEBUG_VAR).is_some(),
        })
    }

    pub(crate) fn setup(&self) -> Setup<'_> {
        Setup {
            sending: self.sending,
            file: &self.file,
            calling: self.calling,
            ident: &self.ident,
            debug: self.debug,
        }
    }
}

fn check_ident(ident: &str) -> Result<CString, FaxError> {
    let valid = ident.len() <= MAX_IDENT
        && ident
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'+' || b == b' ');
    if !valid {
        return Err(FaxError::Init(format!(
            "Ungültige Faxkennung {ident:?}: höchstens {MAX_IDENT} Zeichen, nur Ziffern, + und Leerzeichen"
        )));
    }
    CString::new(ident).map_err(|_| FaxError::Init("Faxkennung mit NUL".into()))
}

fn c_path(path: &Path) -> Result<CString, FaxError> {
    let bytes = path.as_os_str().as_bytes();
    if bytes.len() > MAX_PATH {
        return Err(FaxError::Init(format!(
            "Dateipfad länger als {MAX_PATH} Bytes: {}",
            path.display()
        )));
    }
    CString::new(bytes)
        .map_err(|_| FaxError::Init(format!("Dateipfad mit NUL: {}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idents_are_digits_plus_and_space_up_to_twenty() {
        assert!(check_ident("+49 30 1234567").is_ok());
        assert!(check_ident("").is_ok());
        assert!(check_ident("12345678901234567890").is_ok());
        assert!(matches!(
            check_ident("123456789012345678901"),
            Err(FaxError::Init(_))
        ));
        assert!(matches!(check_ident("Amt 12"), Err(FaxError::Init(_))));
        assert!(matches!(check_ident("12\u{0}3"), Err(FaxError::Init(_))));
    }

    #[test]
    fn paths_spandsp_would_cut_are_refused() {
        assert!(c_path(Path::new("/tmp/fax.tiff")).is_ok());
        let long = format!("/tmp/{}", "a".repeat(300));
        assert!(matches!(c_path(Path::new(&long)), Err(FaxError::Init(_))));
    }

    #[test]
    fn a_tiff_to_send_must_exist() {
        let missing = Direction::Send {
            tiff: "/nonexistent/durchwahl/fax.tiff".into(),
        };
        assert!(matches!(
            Checked::new(&missing, true, "1"),
            Err(FaxError::Io(_))
        ));
        let nowhere = Direction::Receive {
            tiff: "/nonexistent/durchwahl/fax.tiff".into(),
        };
        assert!(matches!(
            Checked::new(&nowhere, false, "1"),
            Err(FaxError::Io(_))
        ));
    }
}
