//! The LDAP directory as the web sees it: the service the server provides (the sync and
//! the password check, `server/src/directory_sync/`), and the admin page's handlers.

pub mod api;

use std::future::Future;
use std::pin::Pin;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// A future that can be held behind a trait object.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a sync did, for the admin page and the command line.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SyncReport {
    /// `full` or `incremental`.
    pub kind: String,
    /// `applied`, `dry_run`, `guard` (stopped: too many would be disabled) or `failed`.
    pub outcome: String,
    /// People added (or that would be).
    pub added: i64,
    /// People changed.
    pub changed: i64,
    /// People disabled.
    pub disabled: i64,
    /// People enabled again.
    pub enabled: i64,
    /// Entries left out with a problem.
    pub problems: i64,
    /// One line per change and problem (or the error).
    pub lines: Vec<String>,
}

/// The directory server behind Durchwahl, as the server wires it.
pub trait DirectoryService: Send + Sync + std::fmt::Debug {
    /// Whether people from the directory sign in with its password.
    fn password_sign_in(&self) -> bool;

    /// Whether `password` is the password of the person at `dn`: `Ok(false)` when the
    /// directory refuses it, `Err` (a message) when the directory cannot be asked.
    fn check_password<'a>(
        &'a self,
        dn: &'a str,
        password: &'a str,
    ) -> Pending<'a, Result<bool, String>>;

    /// Runs a sync now (or only plans it, `dry_run`); `confirm` lifts the guard.
    fn sync_now(
        &self,
        dry_run: bool,
        confirm: bool,
        actor: String,
    ) -> Pending<'_, Result<SyncReport, String>>;

    /// What the admin page shows about the settings (no secrets).
    fn describe(&self) -> api::DirectorySettings;
}

/// The directory's admin routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::overview))
        .routes(routes!(api::sync))
}
