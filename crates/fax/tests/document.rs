//! PDF to fax TIFF and back with Debian's Ghostscript and tiff2pdf (installed by
//! scripts/test in CI).

mod common;

use std::path::Path;
use std::process::Command;

use fax::document::{pdf_pages, pdf_to_tiff, tiff_pages, tiff_to_pdf, tools_available};
use fax::FaxError;

fn tools() {
    tools_available().expect("ghostscript and libtiff-tools must be installed for these tests");
}

fn image_widths(tiff: &Path) -> Vec<String> {
    let info = Command::new("tiffinfo").arg(tiff).output().unwrap();
    String::from_utf8_lossy(&info.stdout)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Image Width: "))
        .map(|w| w.split_whitespace().next().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn a_two_page_pdf_becomes_a_two_page_fax_tiff_and_back() {
    tools();
    let dir = tempfile::tempdir().unwrap();
    let tiff = dir.path().join("out.tiff");
    let pdf = common::text_pdf(&["Seite eins", "Seite zwei"]);
    assert_eq!(pdf_pages(&pdf), 2);
    assert_eq!(pdf_to_tiff(&pdf, &tiff, 10).unwrap(), 2);
    assert_eq!(tiff_pages(&std::fs::read(&tiff).unwrap()), Some(2));
    // Every page as wide as a fax line.
    assert_eq!(image_widths(&tiff), ["1728", "1728"]);
    let back = tiff_to_pdf(&tiff).unwrap();
    assert!(back.starts_with(b"%PDF-"));
    assert_eq!(pdf_pages(&back), 2);
    // Only the result is left in the folder.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["out.tiff"]);
}

#[test]
fn what_is_not_a_pdf_is_refused_and_nothing_is_left() {
    tools();
    let dir = tempfile::tempdir().unwrap();
    let tiff = dir.path().join("out.tiff");
    let pdf = common::text_pdf(&["Seite eins", "Seite zwei"]);
    let garbled = {
        let mut g = b"%PDF-1.4\n".to_vec();
        g.extend_from_slice(&[0x5A; 2000]);
        g.extend_from_slice(b"\n%%EOF\n");
        g
    };
    let cases: [(&str, &[u8]); 5] = [
        ("not a pdf", b"not a pdf"),
        ("empty", b""),
        ("truncated", &pdf[..pdf.len() / 2]),
        ("garbled", &garbled),
        ("a PNG", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
    ];
    for (what, bytes) in cases {
        match pdf_to_tiff(bytes, &tiff, 10) {
            Err(FaxError::NotAPdf) => {}
            other => panic!("{what}: {other:?}"),
        }
        assert!(!tiff.exists(), "{what}: output left behind");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "{what}: temporary file left behind"
        );
    }
    assert_eq!(
        FaxError::NotAPdf.to_string(),
        "Die Datei ist kein lesbares PDF."
    );
}

#[test]
fn too_many_pages_are_refused() {
    tools();
    let dir = tempfile::tempdir().unwrap();
    let tiff = dir.path().join("out.tiff");
    let pdf = common::text_pdf(&["1", "2", "3"]);
    assert!(matches!(
        pdf_to_tiff(&pdf, &tiff, 2),
        Err(FaxError::TooManyPages { max: 2 })
    ));
    assert!(!tiff.exists());
    assert_eq!(pdf_to_tiff(&pdf, &tiff, 3).unwrap(), 3);
}

#[test]
fn an_output_folder_with_a_percent_sign_is_fine() {
    tools();
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("100%d");
    std::fs::create_dir(&folder).unwrap();
    let tiff = folder.join("out.tiff");
    assert_eq!(
        pdf_to_tiff(&common::text_pdf(&["eins"]), &tiff, 5).unwrap(),
        1
    );
    assert!(tiff.exists());
}

#[test]
fn a_missing_tiff_is_an_io_error() {
    assert!(matches!(
        tiff_to_pdf(Path::new("/nonexistent/fax.tiff")),
        Err(FaxError::Io(_))
    ));
}
