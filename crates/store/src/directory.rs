//! Staff and units: loading the directory, applying an import plan in one transaction
//! (with the unit leaders of the CSV's `head_of` column), switching features for a
//! selection, and passwords.

use crate::{int, opt_text, text, unix_now, Backend, Store, StoreError};
use directory::staff_csv::head_of::{CurrentLeader, Lead, LeaderChange};
use directory::{
    DirectorySnapshot, Extension, Feature, FeatureSet, ImportPlan, Login, RoleSet, StaffRecord,
    UnitPath,
};
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

/// Rows per multi-row INSERT. PostgreSQL is bound by round trips, so large batches win;
/// SQLite's cost of binding grows faster than linearly with a statement's parameters
/// (measured for 20,000 rows: 500 rows per statement 1.4 s, 30 rows 0.27 s).
fn insert_batch(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 30,
        Backend::Postgres => 500,
    }
}

/// Rows per UPDATE … WHERE login IN (…) when moving extensions aside.
const UPDATE_BATCH: usize = 500;

/// What an applied import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Units created.
    pub units_created: usize,
    /// People added.
    pub created: usize,
    /// People changed.
    pub updated: usize,
    /// People in the file left as they were.
    pub unchanged: usize,
    /// Units whose head or deputies changed (`head_of`).
    pub leaders_changed: usize,
}

/// Whom a feature switch applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeatureSelection {
    /// Everyone in the unit and the units below it.
    Unit(UnitPath),
    /// These people.
    Logins(Vec<Login>),
}

/// The outcome of switching a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureSwitch {
    /// People selected.
    pub selected: u64,
    /// People whose switch actually changed.
    pub changed: u64,
}

pub(crate) const STAFF_COLUMNS: &str =
    "s.login, s.display_name, u.path, s.extension, s.email, s.mobile, \
                             s.home_phone, s.roles, s.features";

pub(crate) fn staff_from_row(row: &AnyRow) -> Result<StaffRecord, StoreError> {
    let corrupt = |e: directory::InvalidValue| StoreError::Corrupt(e.to_string());
    Ok(StaffRecord {
        login: Login::parse(&text(row, 0)?).map_err(corrupt)?,
        name: text(row, 1)?,
        unit: UnitPath::from_stored(&text(row, 2)?).map_err(corrupt)?,
        extension: Extension::parse(&text(row, 3)?).map_err(corrupt)?,
        email: opt_text(row, 4)?,
        mobile: opt_text(row, 5)?,
        home_phone: opt_text(row, 6)?,
        roles: RoleSet::from_bits(int(row, 7)?),
        features: FeatureSet::from_bits(int(row, 8)?),
    })
}

impl Store {
    /// Everyone and every unit, for planning an import.
    pub async fn snapshot(&self) -> Result<DirectorySnapshot, StoreError> {
        // Everyone, also people disabled by the directory sync: their logins are taken.
        let staff = sqlx::query(&format!(
            "SELECT {STAFF_COLUMNS} FROM staff s JOIN units u ON u.id = s.unit_id ORDER BY s.id"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(staff_from_row)
        .collect::<Result<_, _>>()?;
        let units = self.unit_paths().await?;
        let (from_directory, owned) = self.directory_ownership().await?;
        Ok(DirectorySnapshot {
            staff,
            units,
            from_directory,
            owned,
            leaders: self.leaders_by_path().await?,
        })
    }

    /// Who leads which unit, by unit path and login (for the CSV's `head_of` column:
    /// `directory::staff_csv::head_of::by_login` groups them for the export).
    pub async fn leaders_by_path(&self) -> Result<Vec<CurrentLeader>, StoreError> {
        let rows = sqlx::query(
            "SELECT u.path, s.login, l.role FROM unit_leaders l JOIN units u ON u.id = l.unit_id \
             JOIN staff s ON s.id = l.staff_id ORDER BY u.path, l.role, s.login",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let corrupt = |e: directory::InvalidValue| StoreError::Corrupt(e.to_string());
                Ok(CurrentLeader {
                    unit: UnitPath::from_stored(&text(row, 0)?).map_err(corrupt)?,
                    login: Login::parse(&text(row, 1)?).map_err(corrupt)?,
                    lead: match text(row, 2)?.as_str() {
                        "head" => Lead::Head,
                        _ => Lead::Deputy,
                    },
                })
            })
            .collect()
    }

    /// Every unit's path, sorted.
    pub async fn unit_paths(&self) -> Result<Vec<UnitPath>, StoreError> {
        sqlx::query("SELECT path FROM units ORDER BY path")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                UnitPath::from_stored(&text(r, 0)?).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect()
    }

    /// Staff (not those the directory sync disabled) sorted by unit, then name; only one unit and those below it when given.
    pub async fn list_staff(
        &self,
        unit: Option<&UnitPath>,
    ) -> Result<Vec<StaffRecord>, StoreError> {
        let base = format!(
            "SELECT {STAFF_COLUMNS} FROM staff s JOIN units u ON u.id = s.unit_id \
             WHERE s.disabled_at IS NULL"
        );
        let rows = match unit {
            None => {
                sqlx::query(&format!("{base} ORDER BY u.path, s.display_name, s.login"))
                    .fetch_all(&self.pool)
                    .await?
            }
            Some(unit) => {
                let path = unit.to_string();
                self.require_unit(&path).await?;
                sqlx::query(&format!(
                    "{base} AND (u.path = $1 OR substr(u.path, 1, length($1) + 1) = $1 || '/') \
                     ORDER BY u.path, s.display_name, s.login"
                ))
                .bind(path)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(staff_from_row).collect()
    }

    async fn require_unit(&self, path: &str) -> Result<(), StoreError> {
        sqlx::query("SELECT id FROM units WHERE path = $1")
            .bind(path)
            .fetch_optional(&self.pool)
            .await?
            .map(|_| ())
            .ok_or_else(|| StoreError::UnknownUnit(path.to_string()))
    }

    /// Applies an import plan in one transaction: all of it, or (on any error) none of it.
    /// `progress(done, total)` is called as people are written.
    pub async fn apply_import(
        &self,
        plan: &ImportPlan,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportSummary, StoreError> {
        if !plan.problems.is_empty() {
            return Err(StoreError::PlanHasProblems(plan.problems.len()));
        }
        let total = plan.creates.len() + plan.updates.len();
        let now = unix_now();
        let mut tx = self.pool.begin().await?;
        let unit_ids = create_units(&mut tx, &plan.new_units).await?;
        // Move changed people off their extensions first, so swaps within one file do not
        // trip the unique constraint half-way.
        for chunk in plan.updates.chunks(UPDATE_BATCH) {
            let logins: Vec<&str> = chunk.iter().map(|s| s.login.as_str()).collect();
            let sql = format!(
                "UPDATE staff SET extension = '~' || login WHERE login IN ({})",
                placeholders(1, logins.len())
            );
            logins
                .iter()
                .fold(sqlx::query(&sql), |q, l| q.bind(*l))
                .execute(&mut *tx)
                .await?;
        }
        let mut done = 0;
        for s in &plan.updates {
            sqlx::query(
                "UPDATE staff SET display_name = $2, unit_id = $3, extension = $4, email = $5, \
                 mobile = $6, home_phone = $7, roles = $8, features = $9, updated_at = $10 \
                 WHERE login = $1",
            )
            .bind(s.login.as_str())
            .bind(&s.name)
            .bind(unit_ids.id(&s.unit)?)
            .bind(s.extension.as_str())
            .bind(&s.email)
            .bind(&s.mobile)
            .bind(&s.home_phone)
            .bind(s.roles.bits())
            .bind(s.features.bits())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            done += 1;
            if done % UPDATE_BATCH == 0 {
                progress(done, total);
            }
        }
        let people: Vec<NewStaff<'_>> = plan
            .creates
            .iter()
            .map(|record| NewStaff {
                record,
                external_id: None,
                dn: None,
            })
            .collect();
        insert_staff(&mut tx, self.backend, &unit_ids, &people, now, |n| {
            done += n;
            progress(done, total);
        })
        .await?;
        for change in &plan.leaders {
            set_leaders(&mut tx, unit_ids.id(&change.unit)?, change).await?;
        }
        tx.commit().await?;
        Ok(ImportSummary {
            units_created: plan.new_units.len(),
            created: plan.creates.len(),
            updated: plan.updates.len(),
            unchanged: plan.unchanged,
            leaders_changed: plan.leaders.len(),
        })
    }

    /// Switches a feature on or off for a whole unit (with the units below) or for some
    /// people. Unknown units or logins change nothing and are an error.
    pub async fn switch_feature(
        &self,
        feature: Feature,
        on: bool,
        selection: &FeatureSelection,
    ) -> Result<FeatureSwitch, StoreError> {
        let mut tx = self.pool.begin().await?;
        let params = self.selection_params(&mut tx, selection).await?;
        let count_sql = format!(
            "SELECT COUNT(*) FROM staff WHERE {}",
            selection_filter(selection, 1)
        );
        let selected = params
            .iter()
            .fold(sqlx::query(&count_sql), |q, p| q.bind(p))
            .fetch_one(&mut *tx)
            .await?;
        // The condition on the bit makes `changed` count real changes and lets `- $1` clear
        // exactly that bit.
        let update_sql = format!(
            "UPDATE staff SET features = {}, updated_at = $2 WHERE (features & $1) {} AND {}",
            if on { "features | $1" } else { "features - $1" },
            if on { "= 0" } else { "<> 0" },
            selection_filter(selection, 3)
        );
        let update = sqlx::query(&update_sql)
            .bind(FeatureSet::mask(feature))
            .bind(unix_now());
        let changed = params
            .iter()
            .fold(update, |q, p| q.bind(p))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(FeatureSwitch {
            selected: int(&selected, 0)? as u64,
            changed: changed.rows_affected(),
        })
    }

    /// Checks that the selection exists and returns its query parameters.
    async fn selection_params(
        &self,
        tx: &mut Transaction<'static, Any>,
        selection: &FeatureSelection,
    ) -> Result<Vec<String>, StoreError> {
        match selection {
            FeatureSelection::Unit(unit) => {
                let path = unit.to_string();
                let found = sqlx::query("SELECT id FROM units WHERE path = $1")
                    .bind(&path)
                    .fetch_optional(&mut **tx)
                    .await?;
                found
                    .map(|_| vec![path.clone()])
                    .ok_or(StoreError::UnknownUnit(path))
            }
            FeatureSelection::Logins(logins) => {
                let names: Vec<String> = logins.iter().map(|l| l.to_string()).collect();
                let sql = format!(
                    "SELECT login FROM staff WHERE login IN ({})",
                    placeholders(1, names.len().max(1))
                );
                let found: Vec<String> = names
                    .iter()
                    .fold(sqlx::query(&sql), |q, l| q.bind(l))
                    .fetch_all(&mut **tx)
                    .await?
                    .iter()
                    .map(|r| text(r, 0))
                    .collect::<Result<_, _>>()?;
                let missing: Vec<String> = names
                    .iter()
                    .filter(|n| !found.contains(n))
                    .cloned()
                    .collect();
                if names.is_empty() || !missing.is_empty() {
                    return Err(StoreError::UnknownLogins(missing));
                }
                Ok(names)
            }
        }
    }

    /// One person by login.
    pub async fn person(&self, login: &Login) -> Result<Option<StaffRecord>, StoreError> {
        let sql = format!(
            "SELECT {STAFF_COLUMNS} FROM staff s JOIN units u ON u.id = s.unit_id \
             WHERE s.login = $1 AND s.disabled_at IS NULL"
        );
        let row = sqlx::query(&sql)
            .bind(login.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(staff_from_row).transpose()
    }

    /// Whether a unit exists.
    pub async fn unit_exists(&self, unit: &UnitPath) -> Result<bool, StoreError> {
        match self.require_unit(&unit.to_string()).await {
            Ok(()) => Ok(true),
            Err(StoreError::UnknownUnit(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Replaces one person's record (found by login). The unit must exist; an extension
    /// someone else holds is a [`StoreError::Conflict`] and changes nothing.
    pub async fn update_person(&self, s: &StaffRecord) -> Result<(), StoreError> {
        let result = sqlx::query(
            "UPDATE staff SET display_name = $2, unit_id = (SELECT id FROM units WHERE path = $3), extension = $4, \
             email = $5, mobile = $6, home_phone = $7, roles = $8, features = $9, updated_at = $10 WHERE login = $1",
        )
        .bind(s.login.as_str())
        .bind(&s.name)
        .bind(s.unit.to_string())
        .bind(s.extension.as_str())
        .bind(&s.email)
        .bind(&s.mobile)
        .bind(&s.home_phone)
        .bind(s.roles.bits())
        .bind(s.features.bits())
        .bind(unix_now())
        .execute(&self.pool)
        .await;
        match result {
            Ok(done) if done.rows_affected() == 1 => Ok(()),
            Ok(_) => Err(StoreError::UnknownLogins(vec![s.login.to_string()])),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Conflict(
                format!("extension {} already belongs to someone else", s.extension),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Sets a person's password hash and, in the same transaction, ends their sessions
    /// except `keep` (a new password must lock out whoever knew the old one). `None`:
    /// no such person, nothing changed; else how many sessions ended.
    pub async fn set_password_hash(
        &self,
        login: &Login,
        hash: &str,
        keep: Option<i64>,
    ) -> Result<Option<u64>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done =
            sqlx::query("UPDATE staff SET password_hash = $2, updated_at = $3 WHERE login = $1")
                .bind(login.as_str())
                .bind(hash)
                .bind(unix_now())
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() != 1 {
            return Ok(None);
        }
        let ended = sqlx::query(
            "DELETE FROM sessions WHERE staff_id = (SELECT id FROM staff WHERE login = $1) AND id <> $2",
        )
        .bind(login.as_str())
        .bind(keep.unwrap_or(-1))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(ended.rows_affected()))
    }

    /// Sets one hash for everyone without a password (used to seed the demo).
    pub async fn set_missing_password_hashes(&self, hash: &str) -> Result<u64, StoreError> {
        let done = sqlx::query("UPDATE staff SET password_hash = $1 WHERE password_hash IS NULL")
            .bind(hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// The stored password hash of a person, if any.
    pub async fn password_hash(&self, login: &Login) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT password_hash FROM staff WHERE login = $1")
            .bind(login.as_str())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| opt_text(&r, 0)).transpose()?.flatten())
    }

    /// Number of people in the directory.
    pub async fn staff_count(&self) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM staff")
            .fetch_one(&self.pool)
            .await?;
        Ok(int(&row, 0)? as u64)
    }
}

/// The WHERE condition for a selection, numbering its parameters from `$first`.
fn selection_filter(selection: &FeatureSelection, first: usize) -> String {
    match selection {
        FeatureSelection::Unit(_) => format!(
            "unit_id IN (SELECT id FROM units WHERE path = ${first} \
             OR substr(path, 1, length(${first}) + 1) = ${first} || '/')"
        ),
        FeatureSelection::Logins(logins) => {
            format!("login IN ({})", placeholders(first, logins.len()))
        }
    }
}

/// `$first, $first+1, …` for `n` parameters.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A person to add, with where they come from (the directory's id and DN, if any).
pub(crate) struct NewStaff<'a> {
    /// The record.
    pub record: &'a StaffRecord,
    /// The directory's id.
    pub external_id: Option<&'a str>,
    /// The entry's DN.
    pub dn: Option<&'a str>,
}

/// Adds `people` in multi-row INSERTs (the CSV import's and the directory sync's);
/// `added(n)` after each batch.
pub(crate) async fn insert_staff(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    unit_ids: &UnitIds,
    people: &[NewStaff<'_>],
    now: i64,
    mut added: impl FnMut(usize),
) -> Result<(), StoreError> {
    const COLUMNS: usize = 13;
    for chunk in people.chunks(insert_batch(backend)) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(i * COLUMNS + 1, COLUMNS)))
            .collect();
        let sql = format!(
            "INSERT INTO staff (login, display_name, unit_id, extension, email, mobile, \
             home_phone, roles, features, external_id, directory_dn, created_at, updated_at) \
             VALUES {}",
            rows.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for p in chunk {
            let s = p.record;
            q = q
                .bind(s.login.as_str())
                .bind(&s.name)
                .bind(unit_ids.id(&s.unit)?)
                .bind(s.extension.as_str())
                .bind(&s.email)
                .bind(&s.mobile)
                .bind(&s.home_phone)
                .bind(s.roles.bits())
                .bind(s.features.bits())
                .bind(p.external_id)
                .bind(p.dn)
                .bind(now)
                .bind(now);
        }
        q.execute(&mut **tx).await?;
        added(chunk.len());
    }
    Ok(())
}

/// Every unit's id by path.
pub(crate) struct UnitIds(HashMap<String, i64>);

impl UnitIds {
    /// The id of `unit`, which must exist.
    pub(crate) fn id(&self, unit: &UnitPath) -> Result<i64, StoreError> {
        self.0
            .get(&unit.to_string())
            .copied()
            .ok_or_else(|| StoreError::UnknownUnit(unit.to_string()))
    }
}

/// Replaces a unit's head and deputies as the import plan says (people by login, who
/// exist by now: the plan's people were written first).
async fn set_leaders(
    tx: &mut Transaction<'static, Any>,
    unit_id: i64,
    change: &LeaderChange,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM unit_leaders WHERE unit_id = $1")
        .bind(unit_id)
        .execute(&mut **tx)
        .await?;
    let people = change
        .head
        .iter()
        .map(|h| (h, "head"))
        .chain(change.deputies.iter().map(|d| (d, "deputy")));
    for (login, role) in people {
        let inserted = sqlx::query(
            "INSERT INTO unit_leaders (unit_id, staff_id, role) \
             SELECT $1, id, $2 FROM staff WHERE login = $3",
        )
        .bind(unit_id)
        .bind(role)
        .bind(login.as_str())
        .execute(&mut **tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::Invalid(format!(
                "{login} leitet laut Import {}, ist aber nicht im Verzeichnis.",
                change.unit
            )));
        }
    }
    Ok(())
}

/// Creates the missing units (parents first) and returns every unit's id by path.
pub(crate) async fn create_units(
    tx: &mut Transaction<'static, Any>,
    new_units: &[UnitPath],
) -> Result<UnitIds, StoreError> {
    let mut ids: HashMap<String, i64> = HashMap::new();
    for row in sqlx::query("SELECT id, path FROM units")
        .fetch_all(&mut **tx)
        .await?
    {
        ids.insert(text(&row, 1)?, int(&row, 0)?);
    }
    for unit in new_units {
        let parent = unit.parent().and_then(|p| ids.get(&p.to_string()).copied());
        let row = sqlx::query(
            "INSERT INTO units (parent_id, name, path) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(parent)
        .bind(unit.name())
        .bind(unit.to_string())
        .fetch_one(&mut **tx)
        .await?;
        ids.insert(unit.to_string(), int(&row, 0)?);
    }
    Ok(UnitIds(ids))
}
