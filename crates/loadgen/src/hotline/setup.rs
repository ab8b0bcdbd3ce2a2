//! The hotline of the load test, written by `durchwahl-load prepare --hotline-agents N`
//! straight through the store (as `durchwahl demo` seeds its hotline): one queue,
//! longest-idle, no wrap-up, the position every `position_every` seconds, always open,
//! the built-in German prompts; people `0..N` its agents (logged in, so the server
//! restores them at start; they answer on SIP phones the bench script provisions), person
//! `N` its supervisor.

use crate::org;
use anyhow::{bail, Context};
use store::{Hotline, HotlineQueue, Store};

/// Marks a database that holds the load test's hotline, with its agent count.
const MARKER: &str = "loadgen.hotline";
/// The hotline's extension (no person has one below 100000).
pub const EXTENSION: &str = "2900";
/// Its direct number: the trunk's number block `+499321928` and the extension.
pub const DID: &str = "+4993219282900";

/// Fails unless the hotline with `agents` agents is there.
pub async fn check_added(store: &Store, agents: usize) -> anyhow::Result<()> {
    match store.setting(MARKER).await? {
        Some(done) if done == agents.to_string() => Ok(()),
        Some(done) => bail!("the database holds a load-test hotline with {done} agents, not {agents}"),
        None => bail!("the load-test hotline comes with a fresh database (its agents need the softphone feature)"),
    }
}

/// Adds the hotline once; people `0..agents` and `agents` must exist.
pub async fn add_hotline(
    store: &Store,
    agents: usize,
    position_every: i64,
    now_ms: i64,
) -> anyhow::Result<()> {
    if let Some(done) = store.setting(MARKER).await? {
        if done == agents.to_string() {
            println!("the load-test hotline with {agents} agents is there already");
            return Ok(());
        }
        bail!("the database holds a load-test hotline with {done} agents, not {agents}");
    }
    let mut ids = Vec::with_capacity(agents + 1);
    for i in 0..=agents {
        let person = store
            .panel_person(&org::login(i))
            .await?
            .with_context(|| format!("{} is not in the directory", org::login(i)))?;
        ids.push(person.id);
    }
    let supervisor = ids.pop().context("a supervisor")?;
    let hotline = Hotline {
        id: 0,
        name: "Lastprobe Bürgertelefon".into(),
        extension: EXTENSION.into(),
        did: Some(DID.into()),
        holiday_state: None,
        // No hours at all: always open (a benchmark at night must not hear "closed").
        hours: Default::default(),
        closed_announcement: None,
        welcome_announcement: None,
        hold_music: None,
        case_retention_days: 90,
        supervisor_listen: false,
    };
    let mut queue = HotlineQueue::new(0, "Lastprobe");
    queue.wrap_up_secs = 0;
    queue.position_every_secs = Some(position_every);
    let members: Vec<(i64, i64)> = ids.iter().map(|&id| (id, 1)).collect();
    let (_, queue) = store
        .add_hotline_setup(&hotline, &queue, &members, &[supervisor], now_ms)
        .await?;
    for &id in &ids {
        store.set_agent_logins(id, &[queue], true).await?;
    }
    store.set_setting(MARKER, &agents.to_string()).await?;
    println!(
        "hotline {EXTENSION} ({DID}): {agents} agents logged in, supervisor {}, position every {position_every} s",
        org::login(agents)
    );
    Ok(())
}
