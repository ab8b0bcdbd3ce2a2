//! `durchwahl-load desks`: desk sharing's speed goal (issue 19), "500 people booking desks
//! in the same minute (50 desks): every booking answered within 200 ms p99, none double".
//!
//! - `desks prepare` writes the organisation (`prepare`), one building with `--desks`
//!   desks, and a session for each person straight into the database (the sign-in
//!   throttle counts every attempt of one address, so 500 sign-ins from the load tool
//!   would meet it; sign-in is not what is measured), the sessions into a file.
//! - `desks run` first sends the anchor, `GET /api/v1/me` (a trivial authenticated read:
//!   the HTTP and session floor of the same server), once per person, then the bookings
//!   (`POST /api/v1/desks/bookings`, a random desk and part of the day), once per person,
//!   each phase spread over the same window; then reads the database: no desk held twice
//!   for a half-day, every 201 stored, nothing else, every refusal a 409.

mod burst;
mod setup;

use anyhow::Context;
use std::path::PathBuf;

/// `desks prepare` or `desks run`.
#[derive(clap::Args)]
pub struct DesksArgs {
    #[command(subcommand)]
    step: Step,
}

#[derive(clap::Subcommand)]
enum Step {
    /// The people, the desks and a session for each person, into an empty database.
    Prepare(setup::PrepareArgs),
    /// The anchor's reads and the bookings against the running server, then the check.
    Run(burst::RunArgs),
}

/// The database the server uses.
#[derive(clap::Args, Clone)]
pub struct Database {
    /// The server's data folder (SQLite file, unless --database-url is given).
    #[arg(long)]
    pub data_dir: PathBuf,
    /// A postgres:// or sqlite:// URL instead of the data folder's SQLite file.
    #[arg(long)]
    pub database_url: Option<String>,
}

impl Database {
    /// Opens the store.
    pub async fn open(&self) -> anyhow::Result<store::Store> {
        let url = match &self.database_url {
            Some(raw) => store::DatabaseUrl::parse(raw)?,
            None => store::DatabaseUrl::sqlite_in(&self.data_dir),
        };
        store::Store::open(&url)
            .await
            .with_context(|| format!("opening {}", url.redacted()))
    }
}

/// Runs a step.
pub fn run(args: DesksArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match args.step {
        Step::Prepare(a) => runtime.block_on(setup::prepare(a)),
        Step::Run(a) => runtime.block_on(burst::run(a)),
    }
}
