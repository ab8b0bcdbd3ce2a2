//! Following the administration's directory (Active Directory or another LDAP server):
//! the settings (`config`), the LDAP client (`client`), one sync (`run`) and its report
//! (`report`). The rules (mapping, conflicts, the guard) are pure, in
//! `directory::sync`. This module runs syncs at start, on a schedule and on demand (the
//! admin page, `durchwahl directory sync`), one at a time, and lets the rest of the
//! server catch up after each: leavers' sockets close, the people cache and the SIP
//! accounts reload.

pub mod client;
pub mod command;
pub mod config;
pub mod report;
pub mod run;

use client::LdapClient;
use run::{sync_once, SyncOutcome, SyncRequest, Trigger};
use std::sync::Arc;
use std::time::Duration;
use store::Store;

/// The directory sync of a running server.
#[derive(Debug)]
pub struct DirectorySync {
    client: LdapClient,
    store: Store,
    live: live::Live,
    one_at_a_time: tokio::sync::Mutex<()>,
    /// Binds for sign-in at once: the directory is the administration's domain
    /// controller, not ours to flood.
    binds: tokio::sync::Semaphore,
}

/// Sign-ins checked at the directory at the same time; more wait up to `BIND_WAIT`,
/// then get a 503.
const BINDS_AT_ONCE: usize = 16;
const BIND_WAIT: Duration = Duration::from_secs(3);

impl DirectorySync {
    /// The sync for `config`.
    pub fn new(
        config: config::LdapConfig,
        store: Store,
        live: live::Live,
    ) -> Result<DirectorySync, client::LdapError> {
        Ok(DirectorySync {
            client: LdapClient::new(config)?,
            store,
            live,
            one_at_a_time: tokio::sync::Mutex::new(()),
            binds: tokio::sync::Semaphore::new(BINDS_AT_ONCE),
        })
    }

    /// Runs one sync (waiting for one under way) and lets the server catch up.
    pub async fn sync(&self, request: SyncRequest) -> Result<SyncOutcome, run::SyncError> {
        let _one = self.one_at_a_time.lock().await;
        let now = self.live.clock().now_secs();
        let outcome = sync_once(&self.client, &self.store, request, now).await?;
        if let Some(applied) = &outcome.applied {
            for &person in &applied.disabled_ids {
                self.live.end_person(person, None);
            }
            if !outcome.plan.is_noop() {
                self.live.directory_changed().await?;
                self.live.bus().publish(live::Change::Devices);
            }
        }
        tracing::info!(
            kind = %outcome.run.kind,
            outcome = %outcome.run.outcome,
            added = outcome.run.added,
            changed = outcome.run.changed,
            disabled = outcome.run.disabled,
            enabled = outcome.run.enabled,
            problems = outcome.run.problems,
            "directory sync"
        );
        Ok(outcome)
    }

    /// Syncs at start and then every `interval_minutes` until the task is aborted.
    pub async fn schedule(self: Arc<Self>) {
        let minutes = u64::from(self.client.config().interval_minutes);
        let mut trigger = Trigger::Start;
        loop {
            let request = SyncRequest {
                trigger,
                dry_run: false,
                confirm: false,
                full: false,
                actor: None,
            };
            if let Err(error) = self.sync(request).await {
                tracing::warn!(%error, "the directory sync failed; the next one is scheduled");
            }
            if minutes == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_secs(minutes * 60)).await;
            trigger = Trigger::Schedule;
        }
    }
}

/// A sync outcome as the web shows it.
pub fn report_of(outcome: &SyncOutcome) -> web::directory_sync::SyncReport {
    web::directory_sync::SyncReport {
        kind: outcome.run.kind.clone(),
        outcome: outcome.run.outcome.clone(),
        added: outcome.run.added,
        changed: outcome.run.changed,
        disabled: outcome.run.disabled,
        enabled: outcome.run.enabled,
        problems: outcome.run.problems,
        lines: report::lines(&outcome.plan),
    }
}

impl web::directory_sync::DirectoryService for DirectorySync {
    fn password_sign_in(&self) -> bool {
        self.client.config().password_sign_in
    }

    fn check_password<'a>(
        &'a self,
        dn: &'a str,
        password: &'a str,
    ) -> web::directory_sync::Pending<'a, Result<bool, String>> {
        Box::pin(async move {
            let _turn = tokio::time::timeout(BIND_WAIT, self.binds.acquire())
                .await
                .map_err(|_| "too many sign-ins at the directory at once".to_string())?
                .map_err(|e| e.to_string())?;
            self.client
                .check_password(dn, password)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn sync_now(
        &self,
        dry_run: bool,
        confirm: bool,
        actor: String,
    ) -> web::directory_sync::Pending<'_, Result<web::directory_sync::SyncReport, String>> {
        Box::pin(async move {
            let request = SyncRequest {
                trigger: Trigger::Admin,
                dry_run,
                confirm,
                full: true,
                actor: Some(actor),
            };
            self.sync(request)
                .await
                .map(|o| report_of(&o))
                .map_err(|e| e.to_string())
        })
    }

    fn describe(&self) -> web::directory_sync::api::DirectorySettings {
        let c = self.client.config();
        web::directory_sync::api::DirectorySettings {
            url: c.url.clone(),
            base_dn: c.base_dn.clone(),
            user_filter: c.user_filter.clone(),
            interval_minutes: c.interval_minutes,
            max_disable_percent: c.max_disable_percent,
            password_sign_in: c.password_sign_in,
        }
    }
}
