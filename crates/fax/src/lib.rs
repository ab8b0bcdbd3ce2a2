//! Fax to mail and mail to fax (issue 17): the fax core that call control, the server and
//! the web pages use.
//!
//! - [`AudioFax`]: a fax over a G.711 call (pass-through), 8 kHz samples in and out.
//! - [`T38Fax`]: a fax over T.38, IFP packets in and out; [`udptl`] frames them for UDP
//!   (sans-IO, with redundancy that recovers lost datagrams).
//! - [`document`]: an uploaded PDF to the TIFF a fax machine takes (Ghostscript), a
//!   received TIFF to a PDF with one page per fax page (tiff2pdf).
//!
//! The fax protocol itself (T.30 and its modems, T.38) is SpanDSP's. It is **loaded at run
//! time**, not linked: `libspandsp.so.2` is opened on first use and the few functions we
//! call are resolved once (`src/spandsp.rs`, the crate's only `unsafe` code). So `cargo
//! build` and `cargo run` work on a fresh Debian machine without `libspandsp-dev`; only
//! faxing then says [`FaxError::Unavailable`] ("libspandsp2 ist nicht installiert"), and
//! [`available`] and [`document::tools_available`] let the server say so at start. The
//! Debian package of Durchwahl depends on `libspandsp2`, `ghostscript` and
//! `libtiff-tools`.
//!
//! Sessions do no I/O of their own besides SpanDSP reading or writing the TIFF: the shell
//! moves samples or packets and time. Set `DURCHWAHL_FAX_DEBUG` to get SpanDSP's protocol
//! log as `tracing` debug events (target `fax::spandsp`).
#![deny(missing_docs)]

use std::path::PathBuf;

mod audio;
pub mod document;
mod error;
mod session;
#[allow(unsafe_code)] // The one module that calls SpanDSP; each block says why it is sound.
mod spandsp;
mod t38;
pub mod udptl;

pub use audio::AudioFax;
pub use error::FaxError;
pub use t38::T38Fax;

/// How a fax call ended (T.30 phase E).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The whole document went through (completion code `T30_ERR_OK`).
    pub success: bool,
    /// Pages sent (confirmed by the far end) or received.
    pub pages: u32,
    /// The far end's station identifier (its TSI or CSI), trimmed; empty if it sent none.
    pub remote_ident: String,
    /// SpanDSP's text for the completion code (`t30_completion_code_to_str`, English).
    pub reason: String,
    /// SpanDSP's completion code (`T30_ERR_*` in t30.h; `T30_ERR_OK` = 0).
    pub code: i32,
}

/// Which way the pages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Direction {
    /// Receive into this TIFF (created, or replaced, by SpanDSP). After a failed call it
    /// may hold the pages received until then, or not exist.
    Receive {
        /// Where the received pages are written.
        tiff: PathBuf,
    },
    /// Send this TIFF (e.g. made by [`document::pdf_to_tiff`]).
    Send {
        /// The pages to send.
        tiff: PathBuf,
    },
}

/// Whether SpanDSP can be loaded (`libspandsp2` is installed).
pub fn available() -> Result<(), FaxError> {
    spandsp::available()
}
