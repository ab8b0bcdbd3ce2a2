//! Call forwarding rules per person. A rule's target is stored as the person who has the
//! extension (so it follows them when their extension changes) and read back as that
//! person's current extension, or as `voicemail` (the person's own box, no target).

use crate::{int, opt_text, text, Store, StoreError};
use directory::forwarding::{Destination, RuleRequest, RulesRequest, VOICEMAIL};
use directory::{Extension, ForwardingRules, Login, RuleKind};
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// A person's forwarding rules with what identifies the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonForwarding {
    /// The person's id (the key of [`Store::all_forwarding`]).
    pub staff_id: i64,
    /// The person's own extension.
    pub extension: Extension,
    /// The rules (all off when none were ever saved).
    pub rules: ForwardingRules,
}

/// Someone who can be a forwarding target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetPerson {
    /// Login.
    pub login: String,
    /// Display name.
    pub name: String,
}

/// One stored rule row, as read.
struct RuleRow {
    kind: String,
    enabled: bool,
    target: Option<String>,
    voicemail: bool,
    ring_secs: Option<i64>,
}

/// Columns after the person's id and own extension: the rule (all NULL when the person
/// has none, through the LEFT JOIN).
const RULE_COLUMNS: &str = "f.kind, f.enabled, t.extension, f.voicemail, f.ring_secs";

fn rule_row(row: &AnyRow, first: usize) -> Result<Option<RuleRow>, StoreError> {
    let Some(kind) = opt_text(row, first)? else {
        return Ok(None);
    };
    use sqlx::Row;
    Ok(Some(RuleRow {
        kind,
        enabled: int(row, first + 1)? != 0,
        target: opt_text(row, first + 2)?,
        voicemail: int(row, first + 3)? != 0,
        ring_secs: row.try_get::<Option<i64>, _>(first + 4)?,
    }))
}

/// The rules a person's rows describe; rows the directory rules reject are corrupt.
fn rules_from(own: &Extension, rows: &[RuleRow]) -> Result<ForwardingRules, StoreError> {
    let mut request = RulesRequest::default();
    for row in rows {
        let kind = RuleKind::parse(&row.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("forwarding kind {:?}", row.kind)))?;
        let target = match row.voicemail {
            true => Some(VOICEMAIL),
            false => row.target.as_deref(),
        };
        let rule = RuleRequest {
            on: row.enabled,
            target,
        };
        match kind {
            RuleKind::Always => request.always = rule,
            RuleKind::Busy => request.busy = rule,
            RuleKind::NoAnswer => {
                request.no_answer = rule;
                request.no_answer_secs = row.ring_secs.unwrap_or(request.no_answer_secs);
            }
        }
    }
    // The targets come from the staff table through the foreign key: they exist.
    ForwardingRules::validate(&request, own, |_| true)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn extension(raw: &str) -> Result<Extension, StoreError> {
    Extension::parse(raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// A person's forwarding rules; `None` when the login is unknown.
    pub async fn forwarding(&self, login: &Login) -> Result<Option<PersonForwarding>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT s.id, s.extension, {RULE_COLUMNS} FROM staff s \
             LEFT JOIN call_forwarding f ON f.staff_id = s.id \
             LEFT JOIN staff t ON t.id = f.target_id WHERE s.login = $1"
        ))
        .bind(login.as_str())
        .fetch_all(&self.pool)
        .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let own = extension(&text(first, 1)?)?;
        let rules: Vec<RuleRow> = rows
            .iter()
            .filter_map(|r| rule_row(r, 2).transpose())
            .collect::<Result<_, _>>()?;
        Ok(Some(PersonForwarding {
            staff_id: int(first, 0)?,
            rules: rules_from(&own, &rules)?,
            extension: own,
        }))
    }

    /// Every person's rules that were ever saved, by person id (for the SIP proxy). People
    /// missing from the map forward nothing.
    pub async fn all_forwarding(&self) -> Result<HashMap<i64, ForwardingRules>, StoreError> {
        Ok(self
            .forwarding_rows()
            .await?
            .into_iter()
            .map(|(id, _, rules)| (id, rules))
            .collect())
    }

    /// The same rules by the person's own extension (what the SIP proxy routes by).
    pub async fn forwarding_by_extension(
        &self,
    ) -> Result<HashMap<Extension, ForwardingRules>, StoreError> {
        Ok(self
            .forwarding_rows()
            .await?
            .into_iter()
            .map(|(_, own, rules)| (own, rules))
            .collect())
    }

    async fn forwarding_rows(&self) -> Result<Vec<(i64, Extension, ForwardingRules)>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT s.id, s.extension, {RULE_COLUMNS} FROM call_forwarding f \
             JOIN staff s ON s.id = f.staff_id \
             LEFT JOIN staff t ON t.id = f.target_id ORDER BY s.id"
        ))
        .fetch_all(&self.pool)
        .await?;
        let mut by_person: HashMap<i64, (String, Vec<RuleRow>)> = HashMap::new();
        for row in &rows {
            let entry = by_person
                .entry(int(row, 0)?)
                .or_insert_with(|| (String::new(), Vec::new()));
            entry.0 = text(row, 1)?;
            entry.1.extend(rule_row(row, 2)?);
        }
        by_person
            .into_iter()
            .map(|(id, (own, rules))| {
                let own = extension(&own)?;
                let rules = rules_from(&own, &rules)?;
                Ok((id, own, rules))
            })
            .collect()
    }

    /// The people who have these extensions (to check forwarding targets).
    pub async fn people_with_extensions(
        &self,
        extensions: &[Extension],
    ) -> Result<HashMap<Extension, TargetPerson>, StoreError> {
        if extensions.is_empty() {
            return Ok(HashMap::new());
        }
        let list = (1..=extensions.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql =
            format!("SELECT extension, login, display_name FROM staff WHERE extension IN ({list})");
        let rows = extensions
            .iter()
            .fold(sqlx::query(&sql), |q, e| q.bind(e.as_str()))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    extension(&text(r, 0)?)?,
                    TargetPerson {
                        login: text(r, 1)?,
                        name: text(r, 2)?,
                    },
                ))
            })
            .collect()
    }

    /// Replaces a person's rules, all or none. An unknown login, or a target that is no
    /// longer anyone's extension (or has become the person's own) changes nothing.
    pub async fn set_forwarding(
        &self,
        login: &Login,
        rules: &ForwardingRules,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let person = sqlx::query("SELECT id FROM staff WHERE login = $1")
            .bind(login.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::UnknownLogins(vec![login.to_string()]))?;
        let staff_id = int(&person, 0)?;
        for kind in RuleKind::ALL {
            let rule = rules.rule(kind);
            let voicemail = rule.destination() == Some(&Destination::Voicemail);
            let target_id = match rule.target() {
                None => None,
                Some(ext) => {
                    let found = sqlx::query("SELECT id FROM staff WHERE extension = $1")
                        .bind(ext.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                    match found.map(|r| int(&r, 0)).transpose()? {
                        Some(id) if id != staff_id => Some(id),
                        Some(_) => {
                            return Err(StoreError::Conflict(format!(
                                "extension {ext} is now {login}'s own"
                            )))
                        }
                        None => {
                            return Err(StoreError::Conflict(format!(
                                "extension {ext} is no longer in the directory"
                            )))
                        }
                    }
                }
            };
            let ring_secs = (kind == RuleKind::NoAnswer).then(|| i64::from(rules.no_answer_secs()));
            sqlx::query(
                "INSERT INTO call_forwarding \
                 (staff_id, kind, enabled, target_id, voicemail, ring_secs, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (staff_id, kind) DO UPDATE SET \
                 enabled = excluded.enabled, target_id = excluded.target_id, \
                 voicemail = excluded.voicemail, ring_secs = excluded.ring_secs, \
                 updated_at = excluded.updated_at",
            )
            .bind(staff_id)
            .bind(kind.name())
            .bind(i64::from(rule.is_on()))
            .bind(target_id)
            .bind(i64::from(voicemail))
            .bind(ring_secs)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
