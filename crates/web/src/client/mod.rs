//! The web client, embedded in the binary.

pub mod assets;
