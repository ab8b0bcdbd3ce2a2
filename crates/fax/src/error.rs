//! The one error type of the fax crate. The texts of the variants a person can cause or
//! fix (a file that is no PDF, too many pages, a missing package) are German: the web
//! client shows them as they are.

/// Why a fax session could not start or a document could not be converted.
#[derive(Debug, thiserror::Error)]
pub enum FaxError {
    /// SpanDSP, Ghostscript or tiff2pdf is missing on this machine (the text names the
    /// Debian package to install).
    #[error("Fax ist auf diesem Server nicht verfügbar: {0}")]
    Unavailable(String),
    /// The upload is not a PDF, or Ghostscript cannot read it.
    #[error("Die Datei ist kein lesbares PDF.")]
    NotAPdf,
    /// The PDF has more pages than may be faxed at once.
    #[error("Das PDF hat mehr als {max} Seiten; so viele können nicht auf einmal gefaxt werden.")]
    TooManyPages {
        /// The most pages allowed.
        max: u32,
    },
    /// Ghostscript or tiff2pdf failed on a document it could read, or took too long.
    #[error("Das Dokument konnte nicht umgewandelt werden: {0}")]
    Convert(String),
    /// Reading or writing a file failed (a TIFF to send that does not exist, a full disk).
    #[error("Dateifehler: {0}")]
    Io(#[from] std::io::Error),
    /// SpanDSP refused to set up a session, or a parameter was not acceptable (a station
    /// identifier with other characters than digits, `+` and space, a path too long).
    #[error("Die Faxverbindung konnte nicht eingerichtet werden: {0}")]
    Init(String),
}
