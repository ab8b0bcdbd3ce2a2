//! `desks prepare`: the organisation (`crate::prepare`), one building with one floor, a
//! room per ten desks and `--desks` desks, and a session for each person written straight
//! into the database as the server writes one at sign-in (the token's SHA-256 stored, a
//! CSRF token), listed in `--sessions` as `login<TAB>token<TAB>csrf` lines.

use super::Database;
use anyhow::Context;
use std::fmt::Write as _;
use std::path::PathBuf;
use store::{NewSession, RoomKind};

/// `desks prepare`
#[derive(clap::Args)]
pub struct PrepareArgs {
    #[command(flatten)]
    db: Database,
    /// People (each gets a session).
    #[arg(long, default_value_t = 500)]
    people: usize,
    /// Desks.
    #[arg(long, default_value_t = 50)]
    desks: usize,
    /// Where the sessions go.
    #[arg(long)]
    sessions: PathBuf,
}

/// How long the sessions live (seconds).
const LIFETIME: i64 = 8 * 3600;

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Writes everything.
pub async fn prepare(args: PrepareArgs) -> anyhow::Result<()> {
    crate::prepare::prepare(
        &args.db.data_dir,
        args.db.database_url.as_deref(),
        args.people,
        None,
    )
    .await?;
    let store = args.db.open().await?;
    let building = store.add_building("Lastprobe-Haus", None).await?;
    let floor = store.add_floor(building, "1. OG", 1, None).await?;
    let mut room = 0;
    for d in 0..args.desks {
        if d % 10 == 0 {
            let name = format!("1.{:02}", d / 10 + 1);
            room = store.add_room(floor, &name, RoomKind::Office, 10).await?;
        }
        let label = format!("1.{:02}-{}", d / 10 + 1, d % 10 + 1);
        store.add_desk(room, &label, &["docking"], None).await?;
    }
    let now = unix_now();
    let mut lines = String::new();
    for i in 0..args.people {
        let login = crate::org::login(i);
        let parsed = directory::Login::parse(&login)?;
        let account = store
            .account_by_login(&parsed)
            .await?
            .with_context(|| format!("{login} is not in the database"))?;
        let token = auth::session_token::SessionToken::generate();
        let csrf = auth::session_token::generate_csrf_token();
        store
            .create_session(&NewSession {
                staff_id: account.id,
                token_hash: &auth::session_token::token_hash(token.as_str()),
                csrf_token: &csrf,
                now,
                expires_at: now + LIFETIME,
                source: "127.0.0.1",
                user_agent: "durchwahl-load desks",
                how: "password",
            })
            .await?;
        let _ = writeln!(lines, "{login}\t{}\t{csrf}", token.as_str());
    }
    std::fs::write(&args.sessions, lines)
        .with_context(|| format!("writing {}", args.sessions.display()))?;
    println!(
        "{} desks in {} rooms, {} sessions in {}",
        args.desks,
        args.desks.div_ceil(10),
        args.people,
        args.sessions.display()
    );
    store.close().await;
    Ok(())
}
