//! The fax every machine sends: a PDF of text pages made by Ghostscript from PostScript
//! (as an office's PDF would be, with text and not only an image; the same as the
//! server's tests make in `testkit::fax_line::pdf_of_pages`, which the load tool cannot
//! use without pulling in the whole server), turned into a fax TIFF once by the fax
//! crate's own `pdf_to_tiff`, as the server does with an upload.

use anyhow::{bail, Context};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// A PDF of `pages` A4 pages, each with two lines of text naming it.
pub fn pdf_of_pages(pages: u32) -> anyhow::Result<Vec<u8>> {
    let mut ps = String::from("%!PS\n/Helvetica findfont 28 scalefont setfont\n");
    for page in 1..=pages {
        ps.push_str(&format!(
            "72 720 moveto (Durchwahl Lastprobe, Seite {page}) show\n\
             72 680 moveto (Landratsamt Musterstadt) show showpage\n"
        ));
    }
    let mut gs = Command::new("gs")
        .args([
            "-q",
            "-dSAFER",
            "-dBATCH",
            "-dNOPAUSE",
            "-sDEVICE=pdfwrite",
            "-sPAPERSIZE=a4",
            "-sOutputFile=-",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running Ghostscript (gs, Debian package ghostscript)")?;
    // A few hundred bytes: the pipe takes them before gs reads, no deadlock.
    gs.stdin
        .take()
        .context("gs's input")?
        .write_all(ps.as_bytes())?;
    let out = gs.wait_with_output()?;
    if !out.status.success() || !out.stdout.starts_with(b"%PDF-") {
        bail!(
            "Ghostscript made no PDF: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out.stdout)
}

/// Writes the fax TIFF of a PDF of `pages` pages to `tiff`; its pages as the TIFF says.
pub fn pages_tiff(pages: u32, tiff: &Path) -> anyhow::Result<u32> {
    let pdf = pdf_of_pages(pages)?;
    fax::document::pdf_to_tiff(&pdf, tiff, pages)
        .with_context(|| format!("making the fax TIFF {}", tiff.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_of_three_pages_becomes_a_tiff_of_three_pages() {
        let pdf = pdf_of_pages(3).unwrap();
        assert_eq!(fax::document::pdf_pages(&pdf), 3);
        let tiff =
            std::env::temp_dir().join(format!("durchwahl-load-fax-doc-{}.tif", std::process::id()));
        assert_eq!(pages_tiff(3, &tiff).unwrap(), 3);
        let bytes = std::fs::read(&tiff).unwrap();
        assert_eq!(fax::document::tiff_pages(&bytes), Some(3));
        let _ = std::fs::remove_file(tiff);
    }
}
