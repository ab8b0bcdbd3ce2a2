//! QR codes as standalone SVG, for showing a TOTP Key URI during enrolment. Nayuki's
//! `qrcodegen` builds the module matrix; drawing it is ours, so the markup stays
//! accessible and free of scripts and external references.

use std::fmt::Write;

use qrcodegen::{QrCode, QrCodeEcc};

/// Light modules around the symbol; ISO/IEC 18004 asks for a quiet zone four wide.
pub const QUIET_ZONE: i32 = 4;

/// The text does not fit in the largest QR symbol (version 40).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{bytes} bytes do not fit in a QR code")]
pub struct QrTooLong {
    /// Length of the refused text in bytes.
    pub bytes: usize,
}

/// Draws `text` as a QR code; `title` names the image for screen readers.
///
/// # Panics
///
/// If `text` does not fit in a QR code (about 2,300 bytes at medium error correction).
/// A Key URI is a few hundred bytes at most; use [`try_qr_svg`] for text of unknown
/// length.
pub fn qr_svg(text: &str, title: &str) -> String {
    try_qr_svg(text, title).expect("the text fits in a QR code")
}

/// Like [`qr_svg`], but reports text that is too long instead of panicking.
pub fn try_qr_svg(text: &str, title: &str) -> Result<String, QrTooLong> {
    // Medium (about 15 % of codewords recoverable) is the usual choice for screens.
    // `encode_text` picks the smallest version and raises the level further when that
    // costs no extra modules, so the code is never less robust than medium.
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium)
        .map_err(|_| QrTooLong { bytes: text.len() })?;
    let side = qr.size() + 2 * QUIET_ZONE;
    let title = escape_xml(title);
    let mut svg = String::with_capacity(128 + title.len() * 2 + (qr.size() as usize).pow(2) * 4);
    // role="img" with a <title> as first child gives the image an accessible name
    // (WAI-ARIA Graphics Module, SVG Accessibility API Mappings); aria-label repeats
    // it for older screen readers. xmlns is a namespace name, never fetched. Writing
    // to a String cannot fail, hence `let _`.
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" \
         role=\"img\" aria-label=\"{title}\" shape-rendering=\"crispEdges\">\
         <title>{title}</title>\
         <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>",
        path = dark_modules_path(&qr),
    );
    Ok(svg)
}

/// One subpath per horizontal run of dark modules, which keeps the path about a third
/// of the size of one square per module.
fn dark_modules_path(qr: &QrCode) -> String {
    let mut d = String::new();
    for y in 0..qr.size() {
        let mut x = 0;
        while x < qr.size() {
            if !qr.get_module(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < qr.size() && qr.get_module(x, y) {
                x += 1;
            }
            let run = x - start;
            let _ = write!(
                d,
                "M{} {}h{run}v1h-{run}z",
                start + QUIET_ZONE,
                y + QUIET_ZONE
            );
        }
    }
    d
}

/// Escapes text for use in XML character data and double- or single-quoted attributes.
fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the grid back from the path, to check it draws exactly the dark modules.
    fn modules_from_path(svg: &str, side: usize) -> Vec<Vec<bool>> {
        let d = svg
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let mut grid = vec![vec![false; side]; side];
        for run in d.split('M').filter(|s| !s.is_empty()) {
            let (xy, rest) = run.split_once('h').unwrap();
            let (x, y) = xy.split_once(' ').unwrap();
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            let length: usize = rest.split_once('v').unwrap().0.parse().unwrap();
            assert_eq!(rest, format!("{length}v1h-{length}z"));
            for cell in &mut grid[y][x..x + length] {
                assert!(!*cell, "modules overlap");
                *cell = true;
            }
        }
        grid
    }

    #[test]
    fn short_text_is_version_1_with_quiet_zone() {
        let svg = qr_svg("HELLO", "QR-Code");
        assert!(svg.starts_with("<svg "), "{svg}");
        // Version 1 is 21 × 21 modules, plus 4 on every side.
        assert!(svg.contains("viewBox=\"0 0 29 29\""), "{svg}");
        let qr = QrCode::encode_text("HELLO", QrCodeEcc::Medium).unwrap();
        assert_eq!(qr.version().value(), 1);
        let grid = modules_from_path(&svg, 29);
        for (y, row) in grid.iter().enumerate() {
            for (x, &dark) in row.iter().enumerate() {
                let (qx, qy) = (x as i32 - QUIET_ZONE, y as i32 - QUIET_ZONE);
                assert_eq!(dark, qr.get_module(qx, qy), "module ({qx}, {qy})");
            }
        }
    }

    #[test]
    fn key_uri_size_follows_the_version() {
        let uri = "otpauth://totp/Landratsamt%20M%C3%BCllheim:j.mueller?secret=\
                   GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Landratsamt%20M%C3%BCllheim\
                   &algorithm=SHA1&digits=6&period=30";
        let qr = QrCode::encode_text(uri, QrCodeEcc::Medium).unwrap();
        assert!(qr.error_correction_level() >= QrCodeEcc::Medium);
        let side = qr.size() + 8;
        assert_eq!(qr.size(), 17 + 4 * i32::from(qr.version().value()));
        let svg = qr_svg(uri, "Zwei-Faktor-Einrichtung");
        assert!(svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")));
        assert!(modules_from_path(&svg, side as usize)
            .iter()
            .flatten()
            .any(|&m| m));
    }

    #[test]
    fn title_is_escaped_and_nothing_external_or_active() {
        let svg = qr_svg("x", "<script>\"Müller & Söhne\"</script>");
        assert!(svg.contains(
            "<title>&lt;script&gt;&quot;Müller &amp; Söhne&quot;&lt;/script&gt;</title>"
        ));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("fill=\"#fff\""));
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("href"));
        assert_eq!(svg.matches("<path").count(), 1);
        assert_eq!(
            svg.matches("http").count(),
            1,
            "only the xmlns namespace name"
        );
    }

    #[test]
    fn too_long_text_is_an_error() {
        let text = "x".repeat(5000);
        assert_eq!(try_qr_svg(&text, "t"), Err(QrTooLong { bytes: 5000 }));
    }
}
