//! Storage for Durchwahl: SQLite embedded by default, PostgreSQL chosen by a
//! `postgres://` URL. One set of plain SQL statements serves both (through sqlx's `Any`
//! driver; `$1`-style placeholders work on both); only the migrations differ per backend.
#![deny(missing_docs)]

mod accounts;
mod audit;
mod call_history;
mod capacity;
mod cases;
mod chat;
mod config;
mod database_url;
mod directory;
mod directory_sync;
mod factors;
mod fax;
mod forwarding;
mod gateway_apps;
mod groups;
mod hotline_callbacks;
mod hotline_settings;
mod hotlines;
mod login_failures;
pub mod mail_outbox;
mod migrate;
mod mobile_work;
mod numbers;
mod presence;
mod queue_events;
mod schema_status;
mod sealed_secret;
mod sessions;
mod settings;
mod sip_devices;
mod totp_sealing;
mod voicemail;
mod voicemail_units;

pub use accounts::Account;
pub use audit::{AuditEntry, AuditFilter};
pub use call_history::CallLine;
pub use capacity::CapacitySample;
pub use cases::{
    BookedSlot, CaseActor, CaseChange, CaseFilter, CaseForm, CasePage, CaseRow, HotlineMember,
    HotlineRole, NewCase, SlotRow, StaffRef,
};
pub use chat::{AttachmentRow, MessageRow, NewMessage, RoomRow, RoomSummary};
pub use config::DatabaseConfig;
pub use database_url::{Backend, DatabaseUrl};
pub use directory::{FeatureSelection, FeatureSwitch, ImportSummary};
pub use directory_sync::{owned_setting, SyncBook, SyncRun, SyncSummary, OWNED_SETTING};
pub use factors::{FactorSummary, TotpRow};
pub use fax::{Fax, FaxBox, FaxDirection, FaxOwner, FaxStatus};
pub use forwarding::{PersonForwarding, TargetPerson};
pub use gateway_apps::{GatewayAppRow, NewGatewayApp};
pub use groups::Group;
pub use hotline_callbacks::PromisedCallback;
pub use hotlines::{Hotline, HotlineBook, HotlineClosure, HotlineQueue, QueueAgent};
pub use login_failures::{FailureRow, FailureScope, LockedAccount};
pub use migrate::MIGRATIONS;
pub use mobile_work::{
    AbsenceRow, AcknowledgementRow, AgreementRow, AgreementState, BuildingRoom, BuildingRow,
    DeskBookingRow, DeskRow, FloorRow, HistoryEntry, LeaderRole, RolloutCriterionRow,
    RolloutFeature, RoomKind, TextRow, UnitLeader, WaitingRow,
};
pub use mobile_work::{EquipmentItemRow, LoanRow, ReservationRow};
pub use mobile_work::{
    FeedRow, FeedScope, NewOffice, OfficeRow, PlanRow, PlannedHalf, PresenceNow, UnitMember,
    UnitRulesRow,
};
pub use mobile_work::{LayoutKind, RoomBookingRow};
pub use presence::{PanelGroup, PanelPerson, StoredPresence, StoredWatch};
pub use schema_status::{schema_status, SchemaStatus};
pub use sealed_secret::{SecretsKey, UnsealError, KEY_LEN as SECRETS_KEY_LEN};
pub use sessions::{NewSession, PendingLogin, SessionRow};
pub use sip_devices::{DeviceRow, NewDevice, StoredBinding};
pub use totp_sealing::SecretsUnlocked;
pub use voicemail::{GreetingKind, Mailbox, Voicemail};
pub use voicemail_units::UnitMailbox;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL names no backend we support.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// The data folder for SQLite could not be created.
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        /// The folder.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The database could not be reached or answered with an error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed; the database is left at the previous version.
    #[error("migration {name} failed: {source}")]
    Migration {
        /// The migration's file name.
        name: &'static str,
        /// Why.
        source: sqlx::Error,
    },
    /// A migration this database has applied differs from the file of the same number in
    /// this build (its checksum does not match): applied files must never change.
    #[error(
        "migration {name} was applied to this database but its file has changed since \
         (checksum mismatch): restore the file as it was and put the change in a new migration"
    )]
    MigrationChanged {
        /// The migration's file name.
        name: &'static str,
    },
    /// The database records a migration this build does not have (a newer release wrote it).
    #[error(
        "the database has migration {name} applied, which this build does not know: \
         was it opened by a newer Durchwahl?"
    )]
    MigrationUnknown {
        /// The recorded name or version.
        name: String,
    },
    /// sqlx's migrator refused for another reason (e.g. a migration left half applied).
    #[error("migrations: {0}")]
    Migrator(String),
    /// No unit has this path.
    #[error("no unit {0:?} in the directory")]
    UnknownUnit(String),
    /// Some logins are not in the directory.
    #[error("not in the directory: {}", .0.join(", "))]
    UnknownLogins(Vec<String>),
    /// An import plan with problems was handed to the store.
    #[error("the import has {0} problems; nothing was written")]
    PlanHasProblems(usize),
    /// The change conflicts with existing data (e.g. an extension someone else holds).
    #[error("{0}")]
    Conflict(String),
    /// No hotline has this id.
    #[error("no hotline {0}")]
    UnknownHotline(i64),
    /// A change of a case was refused (bad values, a full slot, a state it cannot move
    /// to, …); nothing was written. The message is German, for the person who made it.
    #[error("{0}")]
    CaseRefused(::cases::Refusal),
    /// The desk is already booked for (part of) the time asked for; nothing was written.
    #[error("Der Platz {desk} ist am {day} {half} bereits gebucht; es wurde nichts gebucht.")]
    DeskTaken {
        /// The desk.
        desk: i64,
        /// The day.
        day: jiff::civil::Date,
        /// The half-day taken (German: "vormittags", "nachmittags").
        half: &'static str,
    },
    /// The agreement changed since it was read (someone else decided first); nothing was
    /// written.
    #[error(
        "Der Antrag Nr. {agreement} wurde inzwischen geändert (er steht jetzt auf \
         „{found}“); es wurde nichts gespeichert. Bitte neu laden."
    )]
    AgreementChanged {
        /// The agreement.
        agreement: i64,
        /// The state the change expected.
        expected: AgreementState,
        /// The state it is in now.
        found: AgreementState,
    },
    /// The rollout's cap for the feature is reached; nothing was written.
    #[error("Für {feature} ist die Höchstzahl von {cap} Personen erreicht.")]
    CapReached {
        /// The feature.
        feature: String,
        /// Its cap.
        cap: i64,
    },
    /// No row of this kind has this id.
    #[error("{what} {id} gibt es nicht.")]
    NotFound {
        /// What was looked for (German, e.g. "Antrag", "Platz").
        what: &'static str,
        /// Its id.
        id: i64,
    },
    /// A value handed to the store is not acceptable (the message says why, in German);
    /// nothing was written.
    #[error("{0}")]
    Invalid(String),
    /// The database holds a value the directory rules reject.
    #[error("the database holds an invalid value: {0}")]
    Corrupt(String),
    /// Second-factor secrets were read or written on a store that was not given the data
    /// folder's key ([`Store::unlock_secrets`]); nothing was written.
    #[error(
        "second-factor secrets cannot be read or written: the store was opened without \
         the data folder's key (secrets.key)"
    )]
    SecretsLocked,
    /// The key opens none of the database's encrypted second-factor secrets; nothing was
    /// changed.
    #[error(
        "the key opens none of the {sealed} encrypted second-factor secrets in the database \
         (it is not the key they were encrypted with)"
    )]
    SecretsKeyWrong {
        /// How many encrypted secrets the database holds.
        sealed: usize,
    },
    /// One person's stored second-factor secret does not open (changed, moved from another
    /// person, or stored unencrypted after the start); they must enrol again.
    #[error("the second-factor secret of staff id {staff_id} cannot be used: {reason}")]
    SecretUnreadable {
        /// The person.
        staff_id: i64,
        /// Why.
        reason: UnsealError,
    },
    /// The operating system gave no randomness (for a nonce).
    #[error("no randomness from the operating system: {0}")]
    Randomness(getrandom::Error),
}

/// A handle to the database, cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The key that seals second-factor secrets; without it they can be neither read nor
    /// written ([`StoreError::SecretsLocked`]), never stored in plain text.
    secrets: Option<SecretsKey>,
}

impl Store {
    /// Connects (creating an SQLite file if needed) and brings the schema up to date.
    pub async fn open(url: &DatabaseUrl) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        if let Some(dir) = url.sqlite_parent_dir() {
            std::fs::create_dir_all(&dir).map_err(|source| StoreError::DataDir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let backend = url.backend();
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers work during a write; FULL sync makes every
                        // acknowledged commit survive a crash or power loss.
                        conn.execute(sqlx::raw_sql(
                            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                             PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;",
                        ))
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url.connect_url())
            .await?;
        migrate::run(&pool, backend).await?;
        Ok(Store {
            pool,
            backend,
            secrets: None,
        })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }

    /// Closes all connections (waits for running queries).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The connection pool now (for `/metrics`).
    pub fn pool_status(&self) -> PoolStatus {
        PoolStatus {
            open: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        }
    }
}

/// The connection pool's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Open connections, in use and idle.
    pub open: u32,
    /// Idle connections.
    pub idle: u32,
    /// The most it opens.
    pub max: u32,
}

/// Seconds since the Unix epoch, as stored in `*_at` columns.
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Reads a text column, mapping decode failures into the store's error.
/// `text` with the `LIKE` wildcards `%`, `_` and the escape `\\` escaped (use with
/// `ESCAPE '\\'`).
fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn text(row: &AnyRow, column: usize) -> Result<String, StoreError> {
    use sqlx::Row;
    Ok(row.try_get::<String, _>(column)?)
}

/// Reads an optional text column.
fn opt_text(row: &AnyRow, column: usize) -> Result<Option<String>, StoreError> {
    use sqlx::Row;
    Ok(row.try_get::<Option<String>, _>(column)?)
}

/// Reads an optional integer column.
fn opt_int(row: &AnyRow, column: usize) -> Result<Option<i64>, StoreError> {
    use sqlx::Row;
    Ok(row.try_get::<Option<i64>, _>(column)?)
}

/// Reads an integer column.
fn int(row: &AnyRow, column: usize) -> Result<i64, StoreError> {
    use sqlx::Row;
    Ok(row.try_get::<i64, _>(column)?)
}
