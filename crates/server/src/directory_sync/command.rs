//! `durchwahl directory sync [--dry-run] [--confirm] [--full]` and `durchwahl directory
//! runs`. A server running elsewhere catches up by itself: leavers' sessions are gone from
//! the database (their sockets close at the next check), the SIP accounts reload when
//! they see the change.

use super::client::LdapClient;
use super::run::{sync_once, SyncRequest, Trigger};
use crate::cli::DirectoryCommand;
use crate::config::Config;
use crate::runtime::{self, DATA_DIR};
use anyhow::Context;

/// The guard stopped the sync (exit code 3).
#[derive(Debug, thiserror::Error)]
#[error("the sync was stopped: it would disable too many people (see above); nothing was written")]
pub struct GuardStopped;

/// Runs one `directory` command.
pub async fn run(config: &Config, command: DirectoryCommand) -> anyhow::Result<()> {
    let store = runtime::open_store(config, DATA_DIR).await?;
    let result = match command {
        DirectoryCommand::Sync {
            dry_run,
            confirm,
            full,
        } => sync(config, &store, dry_run, confirm, full).await,
        DirectoryCommand::Runs => runs(&store).await,
    };
    store.close().await;
    result
}

async fn sync(
    config: &Config,
    store: &store::Store,
    dry_run: bool,
    confirm: bool,
    full: bool,
) -> anyhow::Result<()> {
    let ldap = config
        .directory
        .ldap
        .clone()
        .context("no directory is configured: add a [directory.ldap] section")?;
    let client = LdapClient::new(ldap)?;
    let request = SyncRequest {
        trigger: Trigger::Cli,
        dry_run,
        confirm,
        full,
        actor: Some("cli".into()),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let outcome = sync_once(&client, store, request, now).await?;
    for line in super::report::lines(&outcome.plan) {
        println!("{line}");
    }
    let r = &outcome.run;
    println!(
        "{} sync, {}: {} added, {} changed, {} disabled, {} enabled, {} problems ({} s)",
        r.kind,
        match r.outcome.as_str() {
            "dry_run" => "dry run, nothing written",
            "guard" => "stopped by the guard, nothing written",
            _ => "applied",
        },
        r.added,
        r.changed,
        r.disabled,
        r.enabled,
        r.problems,
        r.finished_at - r.started_at
    );
    if r.outcome == "guard" {
        return Err(GuardStopped.into());
    }
    Ok(())
}

async fn runs(store: &store::Store) -> anyhow::Result<()> {
    for r in store.sync_runs(20).await? {
        println!(
            "{} {} {} {}: {} added, {} changed, {} disabled, {} enabled, {} problems",
            r.started_at,
            r.trigger,
            r.kind,
            r.outcome,
            r.added,
            r.changed,
            r.disabled,
            r.enabled,
            r.problems
        );
    }
    Ok(())
}
