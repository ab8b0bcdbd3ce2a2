//! One sync: read the directory (everything, or only what changed since the last
//! sync), plan with `directory::sync`, apply through the store, log and audit it.
//!
//! A full sync reads every entry the filter matches. An incremental sync reads the id and
//! the change attribute (`uSNChanged`, `modifyTimestamp`) of every entry, which finds
//! leavers cheaply, and all attributes only of the entries changed since the last mark or
//! not known here. Group memberships that change only on the group (Active Directory
//! does not touch the person's `uSNChanged` then) arrive with the next full sync
//! (`full_sync_hours`).

use super::client::{LdapClient, LdapError};
use directory::sync::{plan_sync, Fetched, KnownPerson, Mapping, SyncPlan};
use std::collections::HashSet;
use store::{
    owned_setting, AuditEntry, Store, StoreError, SyncBook, SyncRun, SyncSummary, OWNED_SETTING,
};

const MARK_KEY: &str = "directory.ldap.mark";
const LAST_FULL_KEY: &str = "directory.ldap.last_full";
/// Ids per search when fetching entries by id.
const IDS_PER_SEARCH: usize = 100;

/// What asked for a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The server started.
    Start,
    /// The schedule.
    Schedule,
    /// `durchwahl directory sync`.
    Cli,
    /// The button on the admin page.
    Admin,
}

impl Trigger {
    fn name(self) -> &'static str {
        match self {
            Trigger::Start => "start",
            Trigger::Schedule => "schedule",
            Trigger::Cli => "cli",
            Trigger::Admin => "admin",
        }
    }
}

/// How to sync.
#[derive(Debug, Clone)]
pub struct SyncRequest {
    /// What asked.
    pub trigger: Trigger,
    /// Only report what would change.
    pub dry_run: bool,
    /// Apply even when more than the allowed share would be disabled.
    pub confirm: bool,
    /// Read everything, even if an incremental sync is due.
    pub full: bool,
    /// Who asked (a login), for the audit.
    pub actor: Option<String>,
}

/// What a sync did.
#[derive(Debug, Clone)]
pub struct SyncOutcome {
    /// The run as logged.
    pub run: SyncRun,
    /// The plan.
    pub plan: SyncPlan,
    /// What was written (none for dry runs and stopped syncs).
    pub applied: Option<SyncSummary>,
}

/// Why a sync did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The directory could not be read.
    #[error(transparent)]
    Ldap(#[from] LdapError),
    /// The database.
    #[error("the database: {0}")]
    Store(#[from] StoreError),
    /// The mapping in the configuration.
    #[error("{0}")]
    Mapping(String),
}

/// Runs one sync at `now` (Unix seconds) and logs it, also when it fails. An applied
/// sync writes its people, its log line, its audit entries and its marks in one
/// transaction.
pub async fn sync_once(
    client: &LdapClient,
    store: &Store,
    request: SyncRequest,
    now: i64,
) -> Result<SyncOutcome, SyncError> {
    let mapping = client
        .config()
        .compiled_mapping()
        .map_err(SyncError::Mapping)?;
    let full = request.full || full_due(client, store, now).await?;
    let kind = if full { "full" } else { "incremental" };
    let result = async {
        let (plan, mark) = read_and_plan(client, store, &mapping, &request, full).await?;
        let outcome = if request.dry_run {
            "dry_run"
        } else if plan.guard.is_some() {
            "guard"
        } else {
            "applied"
        };
        let run = run_line(&request, kind, outcome, &plan, now);
        let audit = audit_entries(&request, &run, &plan, now);
        if outcome != "applied" {
            store.add_sync_run(&run).await?;
            for entry in &audit {
                store.audit(entry).await?;
            }
            return Ok(SyncOutcome {
                run,
                plan,
                applied: None,
            });
        }
        let mut settings = vec![(OWNED_SETTING.to_string(), owned_setting(mapping.owned()))];
        settings.extend(mark.map(|mark| (MARK_KEY.to_string(), mark)));
        if full {
            settings.push((LAST_FULL_KEY.to_string(), now.to_string()));
        }
        let book = SyncBook {
            run,
            audit,
            settings,
        };
        let applied = store.apply_sync(&plan, &book, now).await?;
        Ok::<_, SyncError>(SyncOutcome {
            run: book.run,
            plan,
            applied: Some(applied),
        })
    }
    .await;
    if let Err(error) = &result {
        let mut run = run_line(&request, kind, "failed", &SyncPlan::default(), now);
        run.report = error.to_string();
        store.add_sync_run(&run).await?;
        tracing::warn!(%error, "directory sync failed");
    }
    result
}

/// The sync's line in the log.
fn run_line(
    request: &SyncRequest,
    kind: &str,
    outcome: &str,
    plan: &SyncPlan,
    now: i64,
) -> SyncRun {
    SyncRun {
        started_at: now,
        finished_at: unix_now().max(now),
        trigger: request.trigger.name().into(),
        kind: kind.into(),
        outcome: outcome.into(),
        added: plan.creates.len() as i64,
        changed: plan.updates.iter().filter(|u| !u.enable).count() as i64,
        disabled: plan.disables.len() as i64,
        enabled: plan.updates.iter().filter(|u| u.enable).count() as i64,
        problems: plan.problems.len() as i64,
        report: super::report::lines(plan).join("\n"),
    }
}

async fn full_due(client: &LdapClient, store: &Store, now: i64) -> Result<bool, StoreError> {
    if store.setting(MARK_KEY).await?.is_none() {
        return Ok(true);
    }
    let last_full: i64 = store
        .setting(LAST_FULL_KEY)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Ok(now - last_full >= i64::from(client.config().full_sync_hours) * 3600)
}

/// Reads the directory (all of it, or the changes) and plans; returns the plan and the
/// newest change mark seen.
async fn read_and_plan(
    client: &LdapClient,
    store: &Store,
    mapping: &Mapping,
    request: &SyncRequest,
    full: bool,
) -> Result<(SyncPlan, Option<String>), SyncError> {
    let config = client.config();
    let known = store.known_people().await?;
    let mut ldap = client.service_session().await?;
    let mut attributes = mapping.requested_attributes();
    attributes.push(config.change_attribute.clone());
    let id_attribute = mapping.attributes.id_attribute.clone();
    let (fetched, mark) = if full {
        read_all(client, &mut ldap, &attributes, &id_attribute).await?
    } else {
        let previous = store.setting(MARK_KEY).await?.unwrap_or_default();
        let reading = (&attributes[..], id_attribute.as_str(), previous.as_str());
        read_changes(client, &mut ldap, &known, reading).await?
    };
    let _ = ldap.unbind().await;
    let units = store.unit_paths().await?;
    let plan = plan_sync(
        &known,
        &units,
        mapping,
        &fetched,
        config.max_disable_percent / 100.0,
        request.confirm,
    );
    Ok((plan, mark))
}

/// A full read: every entry with every attribute; everyone is present who is read.
async fn read_all(
    client: &LdapClient,
    ldap: &mut ldap3::Ldap,
    attributes: &[String],
    id_attribute: &str,
) -> Result<(Fetched, Option<String>), SyncError> {
    let filter = &client.config().user_filter;
    let entries = client.search(ldap, filter, attributes).await?;
    let present = entries
        .iter()
        .filter_map(|e| e.first(id_attribute).map(str::to_string))
        .collect();
    let mark = mark_of(client, &entries);
    let fetched = Fetched {
        present: Some(present),
        entries,
    };
    Ok((fetched, mark))
}

/// An incremental read: the id and change mark of every entry (who is present), then
/// every attribute of the entries changed since `previous` or not known here.
async fn read_changes(
    client: &LdapClient,
    ldap: &mut ldap3::Ldap,
    known: &[KnownPerson],
    (attributes, id_attribute, previous): (&[String], &str, &str),
) -> Result<(Fetched, Option<String>), SyncError> {
    let config = client.config();
    let marks = client
        .search(
            ldap,
            &config.user_filter,
            &[id_attribute.to_string(), config.change_attribute.clone()],
        )
        .await?;
    let here: HashSet<&str> = known
        .iter()
        .filter(|p| !p.disabled)
        .filter_map(|p| p.external_id.as_deref())
        .collect();
    let mut present = HashSet::new();
    let mut wanted = Vec::new();
    for entry in &marks {
        let Some(id) = entry.first(id_attribute) else {
            continue;
        };
        present.insert(id.to_string());
        let changed = entry
            .first(&config.change_attribute)
            .is_none_or(|v| !older(v, previous));
        if changed || !here.contains(id) {
            wanted.push(id.to_string());
        }
    }
    let mut entries = Vec::new();
    for ids in wanted.chunks(IDS_PER_SEARCH) {
        let filter = by_ids(&config.user_filter, id_attribute, ids);
        entries.extend(client.search(ldap, &filter, attributes).await?);
    }
    let fetched = Fetched {
        present: Some(present),
        entries,
    };
    Ok((fetched, mark_of(client, &marks)))
}

/// The newest change mark among `entries`.
fn mark_of(client: &LdapClient, entries: &[directory::sync::DirectoryEntry]) -> Option<String> {
    let attribute = &client.config().change_attribute;
    newest(entries.iter().filter_map(|e| e.first(attribute)))
}

/// Whether change mark `value` is older than `mark` (numbers compared as numbers,
/// generalized times as text, which orders them).
fn older(value: &str, mark: &str) -> bool {
    if mark.is_empty() {
        return false;
    }
    match (value.parse::<u128>(), mark.parse::<u128>()) {
        (Ok(v), Ok(m)) => v < m,
        _ => value < mark,
    }
}

fn newest<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    values
        .fold(None::<&str>, |max, v| match max {
            Some(m) if !older(m, v) => Some(m),
            _ => Some(v),
        })
        .map(str::to_string)
}

/// `(&USER_FILTER(|(id=a)(id=b)…))`, with binary ids (AD's objectGUID, kept as hex)
/// written byte by byte as the filter syntax wants them.
fn by_ids(user_filter: &str, id_attribute: &str, ids: &[String]) -> String {
    let binary = super::client::BINARY.contains(&id_attribute.to_ascii_lowercase().as_str());
    let alternatives: String = ids
        .iter()
        .map(|id| {
            let value = if binary {
                id.as_bytes()
                    .chunks(2)
                    .map(|pair| format!("\\{}", String::from_utf8_lossy(pair)))
                    .collect::<String>()
            } else {
                ldap3::ldap_escape(id.as_str()).into_owned()
            };
            format!("({id_attribute}={value})")
        })
        .collect();
    format!("(&{user_filter}(|{alternatives}))")
}

/// The sync's audit entries: one for the run, one per person disabled or enabled again
/// (when it is applied).
fn audit_entries(
    request: &SyncRequest,
    run: &SyncRun,
    plan: &SyncPlan,
    now: i64,
) -> Vec<AuditEntry> {
    let entry = |action: &str, target: Option<String>, detail: String| AuditEntry {
        at: now,
        actor: request.actor.clone(),
        action: action.to_string(),
        target,
        source: Some(format!("directory-sync:{}", request.trigger.name())),
        detail,
    };
    let detail = format!(
        "{} {}: {} added, {} changed, {} disabled, {} enabled, {} problems",
        run.kind, run.outcome, run.added, run.changed, run.disabled, run.enabled, run.problems
    );
    let mut entries = vec![entry("directory.sync", None, detail)];
    if run.outcome == "applied" {
        for login in &plan.disables {
            let why = "left the directory".to_string();
            entries.push(entry("person.disabled", Some(login.to_string()), why));
        }
        for u in plan.updates.iter().filter(|u| u.enable) {
            let who = Some(u.after.record.login.to_string());
            entries.push(entry("person.enabled", who, "back in the directory".into()));
        }
    }
    entries
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_compare_as_numbers_or_as_times() {
        assert!(older("99", "100"));
        assert!(!older("100", "100"));
        assert!(older("20261206120000Z", "20261206120001Z"));
        assert!(!older("5", ""));
        let newest = newest(["7", "12", "9"].into_iter());
        assert_eq!(newest.as_deref(), Some("12"));
    }

    #[test]
    fn id_filters_escape_text_and_write_binary_ids_bytewise() {
        let f = by_ids(
            "(objectClass=user)",
            "entryUUID",
            &["a*b".into(), "c".into()],
        );
        assert_eq!(f, "(&(objectClass=user)(|(entryUUID=a\\2ab)(entryUUID=c)))");
        let g = by_ids("(x=1)", "objectGUID", &["0a1b".into()]);
        assert_eq!(g, "(&(x=1)(|(objectGUID=\\0a\\1b)))");
    }
}
