//! Documents: an uploaded PDF to the TIFF a fax session sends, a received TIFF to the PDF
//! a person gets. Debian's tools do the work: Ghostscript (`gs`, package `ghostscript`)
//! and `tiff2pdf` (package `libtiff-tools`), each run with a time limit.
//!
//! These functions block (they wait for the tool): call them from a blocking thread
//! (`tokio::task::spawn_blocking`), not from an async task.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crate::FaxError;

mod process;
mod tiff;

use process::Tool;
pub use tiff::page_count as tiff_pages;

const GHOSTSCRIPT: Tool = Tool {
    program: "gs",
    package: "ghostscript",
};
const TIFF2PDF: Tool = Tool {
    program: "tiff2pdf",
    package: "libtiff-tools",
};
/// A tool that takes longer is killed; a fax PDF of a few dozen pages takes seconds.
const TIME_LIMIT: Duration = Duration::from_secs(60);
/// PDF 1.7 §7.5.5: a file ends with `%%EOF`; readers look for it in the last 1024 octets.
const EOF_WINDOW: usize = 1024;

/// Whether `gs` and `tiff2pdf` are on the PATH (the packages `ghostscript` and
/// `libtiff-tools`).
pub fn tools_available() -> Result<(), FaxError> {
    for tool in [GHOSTSCRIPT, TIFF2PDF] {
        if !process::on_path(tool.program) {
            return Err(tool.missing());
        }
    }
    Ok(())
}

/// Renders `pdf` into a TIFF for faxing at `out`: every page 1728 pixels wide (the width
/// of an A4 fax line, ITU-T T.4 §2.2) at 204×196 dpi ("fine"), fitted onto A4, Group 4
/// compressed, one TIFF page per PDF page. Returns the number of pages.
///
/// Refuses with [`FaxError::NotAPdf`] input that does not start with `%PDF-` (after
/// optional whitespace or a BOM), does not end with `%%EOF` (a truncated upload), or that
/// Ghostscript cannot read; with [`FaxError::TooManyPages`] more than `max_pages` pages.
/// `out` is written only on success (by renaming a finished file into place), so a
/// failure leaves nothing behind.
pub fn pdf_to_tiff(pdf: &[u8], out: &Path, max_pages: u32) -> Result<u32, FaxError> {
    if !looks_like_pdf(pdf) {
        return Err(FaxError::NotAPdf);
    }
    let mut input = tempfile::Builder::new()
        .prefix("durchwahl-fax-")
        .suffix(".pdf")
        .tempfile()?;
    input.write_all(pdf)?;
    input.flush()?;
    let dir = match out.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let tiff = tempfile::Builder::new()
        .prefix(".durchwahl-fax-")
        .suffix(".tiff")
        .tempfile_in(dir)?;
    let mut args: Vec<OsString> = [
        "-q",
        "-dSAFER",
        "-dBATCH",
        "-dNOPAUSE",
        "-sDEVICE=tiffg4",
        "-r204x196",
        "-g1728x2292",
        "-dPDFFitPage",
        "-dFIXEDMEDIA",
        "-dFirstPage=1",
    ]
    .map(OsString::from)
    .to_vec();
    // One page more than allowed is enough to know there are too many.
    args.push(format!("-dLastPage={}", max_pages.saturating_add(1)).into());
    args.push(output_file_arg(tiff.path()));
    args.push("-f".into());
    args.push(input.path().into());
    let run = process::run(GHOSTSCRIPT, &args, TIME_LIMIT)?;
    if !run.success {
        tracing::debug!(stderr = %run.stderr, "Ghostscript could not read a PDF");
        return Err(FaxError::NotAPdf);
    }
    let bytes = std::fs::read(tiff.path())?;
    let pages = match tiff::page_count(&bytes) {
        Some(pages) if pages > 0 => pages,
        // Ghostscript read it but made no page: nothing in it a fax could carry.
        _ => return Err(FaxError::NotAPdf),
    };
    if pages > max_pages {
        return Err(FaxError::TooManyPages { max: max_pages });
    }
    tiff.persist(out).map_err(|e| FaxError::Io(e.error))?;
    Ok(pages)
}

/// The PDF of a received fax TIFF, one PDF page per fax page, sized by the TIFF's
/// resolution (A4 for a normal fax).
pub fn tiff_to_pdf(tiff: &Path) -> Result<Vec<u8>, FaxError> {
    // Checked here so that a missing file is an I/O error, not tiff2pdf's complaint.
    std::fs::metadata(tiff)?;
    let pdf = tempfile::Builder::new()
        .prefix("durchwahl-fax-")
        .suffix(".pdf")
        .tempfile()?;
    let args: Vec<OsString> = vec!["-o".into(), pdf.path().into(), tiff.into()];
    let run = process::run(TIFF2PDF, &args, TIME_LIMIT)?;
    if !run.success {
        return Err(FaxError::Convert(format!(
            "tiff2pdf: {}",
            run.stderr.trim()
        )));
    }
    let bytes = std::fs::read(pdf.path())?;
    if !bytes.starts_with(b"%PDF-") {
        return Err(FaxError::Convert("tiff2pdf schrieb kein PDF".into()));
    }
    Ok(bytes)
}

/// The number of page objects (`/Type /Page`, not `/Pages`) in a PDF. Enough for PDFs
/// whose objects are not compressed into object streams, as tiff2pdf's and Ghostscript's
/// are; not a general PDF parser.
pub fn pdf_pages(pdf: &[u8]) -> usize {
    const TYPE: &[u8] = b"/Type";
    const PAGE: &[u8] = b"/Page";
    let mut count = 0;
    let mut at = 0;
    while let Some(found) = find(&pdf[at..], TYPE) {
        let mut i = at + found + TYPE.len();
        while i < pdf.len() && is_pdf_whitespace(pdf[i]) {
            i += 1;
        }
        if pdf[i..].starts_with(PAGE) {
            let end = i + PAGE.len();
            // `/Page` must end there: `/Pages` or `/PageLabel` are other names.
            if pdf.get(end).is_none_or(|&b| !is_regular(b)) {
                count += 1;
            }
        }
        at = i;
    }
    count
}

/// `%PDF-` at the start, after an optional UTF-8 BOM and whitespace, and `%%EOF` in the
/// last 1024 octets.
fn looks_like_pdf(pdf: &[u8]) -> bool {
    let body = pdf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(pdf);
    let start = body
        .iter()
        .position(|&b| !is_pdf_whitespace(b))
        .unwrap_or(body.len());
    let tail = &pdf[pdf.len().saturating_sub(EOF_WINDOW)..];
    body[start..].starts_with(b"%PDF-") && find(tail, b"%%EOF").is_some()
}

/// Ghostscript's `-sOutputFile=`: a `%` in the path would be a page number format, so
/// it is doubled.
fn output_file_arg(path: &Path) -> OsString {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let mut arg = b"-sOutputFile=".to_vec();
    for &b in path.as_os_str().as_bytes() {
        if b == b'%' {
            arg.push(b'%');
        }
        arg.push(b);
    }
    OsString::from_vec(arg)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// PDF 1.7 §7.2.2, Table 1.
fn is_pdf_whitespace(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

/// Neither whitespace nor a delimiter (PDF 1.7 §7.2.2): part of a name.
fn is_regular(b: u8) -> bool {
    !is_pdf_whitespace(b) && !b"()<>[]{}/%".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_magic_and_end() {
        assert!(looks_like_pdf(b"%PDF-1.4\n...\n%%EOF\n"));
        assert!(looks_like_pdf(b"\xEF\xBB\xBF \r\n%PDF-1.7 x %%EOF"));
        assert!(!looks_like_pdf(b""));
        assert!(!looks_like_pdf(b"not a pdf %%EOF"));
        assert!(!looks_like_pdf(b"%PDF-1.4\n1 0 obj\n<<")); // cut off
        assert!(!looks_like_pdf(b"%PDF"));
    }

    #[test]
    fn pages_are_page_objects_only() {
        let pdf = b"<< /Type /Pages /Kids [3 0 R 4 0 R] >> << /Type /Page >> <</Type/Page/Parent 2 0 R>> \
                    << /Type\n/Page>> << /Type /PageLabel >> /Type /Page";
        assert_eq!(pdf_pages(pdf), 4);
        assert_eq!(pdf_pages(b""), 0);
        assert_eq!(pdf_pages(b"/Type"), 0);
    }

    #[test]
    fn percent_in_output_paths_is_doubled() {
        assert_eq!(
            output_file_arg(Path::new("/tmp/50%/a.tiff")),
            OsString::from("-sOutputFile=/tmp/50%%/a.tiff")
        );
    }
}
