//! Directory sync: who is here (with the directory's id and DN, and who is disabled), a
//! sync plan applied in one transaction, and the log of sync runs.

use crate::directory::{
    create_units, insert_staff, placeholders, staff_from_row, NewStaff, STAFF_COLUMNS,
};
use crate::{int, opt_text, text, Store, StoreError};
use directory::sync::{KnownPerson, OwnedFields, SyncPlan};
use directory::Login;
use sqlx::any::AnyRow;
use std::collections::HashSet;

/// What an applied sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncSummary {
    /// Units created.
    pub units_created: usize,
    /// People added.
    pub added: usize,
    /// People changed (including those enabled again).
    pub changed: usize,
    /// People enabled again.
    pub enabled: usize,
    /// The ids of the people disabled (their sessions and registrations are gone).
    pub disabled_ids: Vec<i64>,
}

/// What an applied sync records besides the people, in the same transaction: its line in
/// the sync log, its audit entries, and settings (the change mark, the last full sync,
/// the owned fields). A sync is written whole or not at all.
#[derive(Debug, Clone, Default)]
pub struct SyncBook {
    /// The run's line in the log.
    pub run: SyncRun,
    /// Audit entries.
    pub audit: Vec<crate::AuditEntry>,
    /// Settings to write (key, value).
    pub settings: Vec<(String, String)>,
}

/// One sync run as the admin page lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncRun {
    /// Unix seconds when it started.
    pub started_at: i64,
    /// Unix seconds when it ended.
    pub finished_at: i64,
    /// What started it: `start`, `schedule`, `cli`, `admin`.
    pub trigger: String,
    /// `full` or `incremental`.
    pub kind: String,
    /// `applied`, `dry_run`, `guard` or `failed`.
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
    /// The report: one line per change and problem (or the error).
    pub report: String,
}

const OWNED_KEY: &str = "directory.ldap.owned_fields";

fn known_from_row(row: &AnyRow) -> Result<KnownPerson, StoreError> {
    use sqlx::Row;
    // The staff columns first (`STAFF_COLUMNS`), then these three.
    Ok(KnownPerson {
        record: staff_from_row(row)?,
        external_id: opt_text(row, 9)?,
        dn: opt_text(row, 10)?,
        disabled: row.try_get::<Option<i64>, _>(11)?.is_some(),
    })
}

impl Store {
    /// Everyone, enabled or not, with the directory's id and DN where they have one.
    pub async fn known_people(&self) -> Result<Vec<KnownPerson>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {STAFF_COLUMNS}, s.external_id, s.directory_dn, s.disabled_at \
             FROM staff s JOIN units u ON u.id = s.unit_id ORDER BY s.id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(known_from_row).collect()
    }

    /// Applies a sync plan in one transaction: all of it, or (on any error) none of it.
    /// Disabled people lose their sessions and registrations at once and their extension
    /// is parked; a plan stopped by the guard is refused.
    pub async fn apply_sync(
        &self,
        plan: &SyncPlan,
        book: &SyncBook,
        now: i64,
    ) -> Result<SyncSummary, StoreError> {
        if plan.guard.is_some() {
            return Err(StoreError::Conflict(
                "the sync would disable too many people and must be confirmed".into(),
            ));
        }
        let mut tx = self.pool.begin().await?;
        let unit_ids = create_units(&mut tx, &plan.new_units).await?;
        let mut summary = SyncSummary {
            units_created: plan.new_units.len(),
            ..SyncSummary::default()
        };
        // Disable first: it frees extensions the rest may take.
        for login in &plan.disables {
            let row = sqlx::query(
                "UPDATE staff SET disabled_at = $2, extension = '000' || CAST(id AS TEXT), \
                 updated_at = $2 WHERE login = $1 AND disabled_at IS NULL RETURNING id",
            )
            .bind(login.as_str())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else { continue };
            let id = int(&row, 0)?;
            sqlx::query("DELETE FROM sessions WHERE staff_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM pending_logins WHERE staff_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            // A leaver's calendar links (team week) stop working.
            sqlx::query("DELETE FROM tw_feeds WHERE staff_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "DELETE FROM sip_bindings WHERE device_id IN \
                 (SELECT id FROM sip_devices WHERE staff_id = $1)",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            summary.disabled_ids.push(id);
        }
        // Move changing people off their extensions and logins, so swaps do not trip the
        // unique constraints half-way.
        for chunk in plan.updates.chunks(500) {
            let sql = format!(
                "UPDATE staff SET extension = '~' || login, login = '~' || login \
                 WHERE login IN ({})",
                placeholders(1, chunk.len())
            );
            chunk
                .iter()
                .fold(sqlx::query(&sql), |q, u| q.bind(u.login_before.as_str()))
                .execute(&mut *tx)
                .await?;
        }
        for u in &plan.updates {
            let s = &u.after.record;
            sqlx::query(
                // A person the directory takes over (from a CSV import) loses the local
                // password: from now on the directory's counts (and no stale one is left
                // should directory sign-in ever be switched off).
                "UPDATE staff SET login = $2, display_name = $3, unit_id = $4, extension = $5, \
                 email = $6, mobile = $7, roles = $8, features = $9, \
                 password_hash = CASE WHEN external_id IS NULL THEN NULL ELSE password_hash END, \
                 external_id = $10, directory_dn = $11, disabled_at = NULL, updated_at = $12 \
                 WHERE login = $1",
            )
            .bind(format!("~{}", u.login_before.as_str()))
            .bind(s.login.as_str())
            .bind(&s.name)
            .bind(unit_ids.id(&s.unit)?)
            .bind(s.extension.as_str())
            .bind(&s.email)
            .bind(&s.mobile)
            .bind(s.roles.bits())
            .bind(s.features.bits())
            .bind(&u.after.external_id)
            .bind(&u.after.dn)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            summary.changed += 1;
            summary.enabled += usize::from(u.enable);
        }
        let people: Vec<NewStaff<'_>> = plan
            .creates
            .iter()
            .map(|c| NewStaff {
                record: &c.record,
                external_id: Some(&c.external_id),
                dn: Some(&c.dn),
            })
            .collect();
        let added = &mut summary.added;
        insert_staff(&mut tx, self.backend, &unit_ids, &people, now, |n| {
            *added += n;
        })
        .await?;
        insert_run(&mut *tx, &book.run).await?;
        for entry in &book.audit {
            crate::audit::insert_audit(&mut *tx, entry).await?;
        }
        for (key, value) in &book.settings {
            crate::settings::put_setting(&mut *tx, key, value).await?;
        }
        tx.commit().await?;
        Ok(summary)
    }

    /// Logs a sync run (one that wrote no people: a dry run, stopped, or failed).
    pub async fn add_sync_run(&self, run: &SyncRun) -> Result<(), StoreError> {
        insert_run(&self.pool, run).await
    }

    /// The latest sync runs, newest first.
    pub async fn sync_runs(&self, limit: i64) -> Result<Vec<SyncRun>, StoreError> {
        let rows = sqlx::query(
            "SELECT started_at, finished_at, trigger, kind, outcome, added, changed, disabled, \
             enabled, problems, report FROM directory_sync_runs ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SyncRun {
                    started_at: int(r, 0)?,
                    finished_at: int(r, 1)?,
                    trigger: text(r, 2)?,
                    kind: text(r, 3)?,
                    outcome: text(r, 4)?,
                    added: int(r, 5)?,
                    changed: int(r, 6)?,
                    disabled: int(r, 7)?,
                    enabled: int(r, 8)?,
                    problems: int(r, 9)?,
                    report: text(r, 10)?,
                })
            })
            .collect()
    }

    /// Who comes from the LDAP directory, and which fields besides name, unit and
    /// extension it owns (as the last sync's mapping said), for the CSV import's check.
    pub async fn directory_ownership(
        &self,
    ) -> Result<(HashSet<Login>, Option<OwnedFields>), StoreError> {
        let rows = sqlx::query("SELECT login FROM staff WHERE external_id IS NOT NULL")
            .fetch_all(&self.pool)
            .await?;
        let logins = rows
            .iter()
            .map(|r| Login::parse(&text(r, 0)?).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect::<Result<_, _>>()?;
        let owned = self.setting(OWNED_KEY).await?.map(|v| OwnedFields {
            email: v.contains("email"),
            mobile: v.contains("mobile"),
            roles: v.contains("roles"),
            features: v.contains("features"),
        });
        Ok((logins, owned))
    }

    /// The DN to bind as, for a person who comes from the directory (none: our own
    /// password hash applies).
    pub async fn directory_dn(&self, staff_id: i64) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT directory_dn FROM staff WHERE id = $1")
            .bind(staff_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| opt_text(&r, 0)).transpose()?.flatten())
    }
}

/// The setting that records which fields the directory owns, as [`owned_setting`] writes
/// it.
pub const OWNED_SETTING: &str = OWNED_KEY;

/// The value of [`OWNED_SETTING`] for `owned`.
pub fn owned_setting(owned: OwnedFields) -> String {
    let names: Vec<&str> = [
        ("email", owned.email),
        ("mobile", owned.mobile),
        ("roles", owned.roles),
        ("features", owned.features),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect();
    names.join(",")
}

async fn insert_run<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    run: &SyncRun,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO directory_sync_runs (started_at, finished_at, trigger, kind, outcome, \
         added, changed, disabled, enabled, problems, report) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(run.started_at)
    .bind(run.finished_at)
    .bind(&run.trigger)
    .bind(&run.kind)
    .bind(&run.outcome)
    .bind(run.added)
    .bind(run.changed)
    .bind(run.disabled)
    .bind(run.enabled)
    .bind(run.problems)
    .bind(&run.report)
    .execute(executor)
    .await?;
    Ok(())
}
