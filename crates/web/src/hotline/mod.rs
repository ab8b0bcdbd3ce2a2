//! The hotline over HTTP, a folder or file per part: the case database (`cases`).

pub mod cases;
