//! Running an installation (issue 20), against the whole server or the `durchwahl` binary,
//! on SQLite and on PostgreSQL when the run has one (`TEST_POSTGRES_URL`). One test
//! binary with a module per concern:
//!
//! - `backup`: `durchwahl backup` during writes, `durchwahl restore` into an empty data
//!   folder, compared.
//! - `capacity`: the capacity page, a figure made red, its alert mail and audit entry.
//! - `doctor`: `durchwahl doctor`, each line green or red with what to do.
//! - `totp_key`: second-factor secrets encrypted at rest with the data folder's key file.
//! - `proxies`: client addresses behind trusted reverse proxies, and hostile input.
//! - `upgrade`: this version started on a data folder written by a release
//!   (`tests/fixtures/release-*`), nothing lost.

mod backup;
mod capacity;
mod doctor;
mod metrics;
mod proxies;
mod totp_key;
mod upgrade;
