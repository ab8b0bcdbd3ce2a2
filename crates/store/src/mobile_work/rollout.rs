//! The phased rollout per feature: an optional cap, who holds the feature under it, and
//! the waiting list beyond it. The order of the list and who is admitted are the
//! planner's (`planner::rollout`); the store gives it the cap, the holders and the
//! applicants, and admits all or nothing: holders are counted in `rollout_features` with
//! a conditional update (`holders < cap`), so concurrent admissions never pass the cap.

use super::{datetime_text, parse_datetime};
use crate::{int, opt_int, text, Store, StoreError};
use jiff::civil::DateTime;
use planner::ids::PersonId;
use planner::rollout::{admissions, Applicant, Criterion, Priority, Scheme};
use sqlx::AnyConnection;

/// A priority criterion as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutCriterionRow {
    /// A stable key, e.g. `schwerbehinderung`.
    pub key: String,
    /// What applicants see.
    pub label: String,
    /// Its weight (for `Scheme::Weights`).
    pub weight: u32,
}

/// One feature's rollout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutFeature {
    /// The feature's key (`mobile_work`, `softphone`, …).
    pub feature: String,
    /// At most this many holders; `None`: no cap.
    pub cap: Option<u32>,
    /// How many hold it.
    pub holders: u32,
    /// The waiting list's priority, as `planner::rollout` takes it.
    pub priority: Priority,
    /// The criteria with their labels, highest rank first.
    pub criteria: Vec<RolloutCriterionRow>,
}

/// What [`Store::release_rollout_place`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Released {
    /// They held a place, now free.
    pub held: bool,
    /// They were on the waiting list and are no longer.
    pub was_waiting: bool,
    /// Who took the places now free, in the planner's order.
    pub admitted: Vec<PersonId>,
}

/// Someone on a waiting list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingRow {
    /// Who.
    pub staff_id: i64,
    /// When they applied (local time).
    pub applied_at: DateTime,
    /// The keys of the criteria they meet.
    pub criteria: Vec<String>,
}

impl WaitingRow {
    /// As `planner::rollout` takes it.
    pub fn applicant(&self) -> Applicant {
        Applicant {
            person: PersonId(self.staff_id),
            applied_at: self.applied_at,
            criteria: self.criteria.clone(),
        }
    }
}

fn unknown_feature(feature: &str) -> StoreError {
    StoreError::Invalid(format!("Für {feature:?} ist kein Rollout eingerichtet."))
}

fn count(n: i64) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("rollout count {n}")))
}

async fn criteria_of(
    conn: &mut AnyConnection,
    feature: &str,
) -> Result<Vec<RolloutCriterionRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT key, label, weight FROM rollout_criteria WHERE feature = $1 ORDER BY rank",
    )
    .bind(feature)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(RolloutCriterionRow {
                key: text(row, 0)?,
                label: text(row, 1)?,
                weight: count(int(row, 2)?)?,
            })
        })
        .collect()
}

async fn feature_in(
    conn: &mut AnyConnection,
    feature: &str,
) -> Result<Option<RolloutFeature>, StoreError> {
    let Some(row) =
        sqlx::query("SELECT cap, holders, scheme FROM rollout_features WHERE feature = $1")
            .bind(feature)
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(None);
    };
    let criteria = criteria_of(&mut *conn, feature).await?;
    let scheme = match text(&row, 2)?.as_str() {
        "tiers" => Scheme::Tiers,
        _ => Scheme::Weights,
    };
    Ok(Some(RolloutFeature {
        feature: feature.into(),
        cap: opt_int(&row, 0)?.map(count).transpose()?,
        holders: count(int(&row, 1)?)?,
        priority: Priority {
            scheme,
            criteria: criteria
                .iter()
                .map(|c| Criterion {
                    key: c.key.clone(),
                    weight: c.weight,
                })
                .collect(),
        },
        criteria,
    }))
}

async fn waiting_in(
    conn: &mut AnyConnection,
    feature: &str,
) -> Result<Vec<WaitingRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT staff_id, applied_at, criteria FROM rollout_waiting WHERE feature = $1 \
         ORDER BY applied_at, staff_id",
    )
    .bind(feature)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(WaitingRow {
                staff_id: int(row, 0)?,
                applied_at: parse_datetime(&text(row, 1)?)?,
                criteria: text(row, 2)?
                    .split(',')
                    .filter(|k| !k.is_empty())
                    .map(str::to_string)
                    .collect(),
            })
        })
        .collect()
}

/// Admits `people` within the caller's transaction (see [`Store::admit_to_rollout`]).
async fn admit_in(
    tx: &mut AnyConnection,
    feature: &str,
    people: &[PersonId],
    now_ms: i64,
) -> Result<(), StoreError> {
    for person in people {
        let counted = sqlx::query(
            "UPDATE rollout_features SET holders = holders + 1 \
             WHERE feature = $1 AND (cap IS NULL OR holders < cap)",
        )
        .bind(feature)
        .execute(&mut *tx)
        .await?;
        if counted.rows_affected() == 0 {
            let row = sqlx::query("SELECT cap FROM rollout_features WHERE feature = $1")
                .bind(feature)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| unknown_feature(feature))?;
            return Err(StoreError::CapReached {
                feature: feature.into(),
                cap: opt_int(&row, 0)?.unwrap_or_default(),
            });
        }
        let waiting = sqlx::query(
            "DELETE FROM rollout_waiting WHERE feature = $1 AND staff_id = $2 \
             RETURNING applied_at",
        )
        .bind(feature)
        .bind(person.0)
        .fetch_optional(&mut *tx)
        .await?;
        let applied_at = waiting.map(|row| text(&row, 0)).transpose()?;
        let inserted = sqlx::query(
            "INSERT INTO rollout_holders (feature, staff_id, admitted_ms, applied_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(feature)
        .bind(person.0)
        .bind(now_ms)
        .bind(applied_at)
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(e) if super::is_unique_violation(&e) => {
                return Err(StoreError::Conflict(format!(
                    "{person} nutzt das Merkmal bereits; niemand wurde zugelassen."
                )))
            }
            other => other.map_err(|e| super::missing(e, "Person", person.0))?,
        };
    }
    Ok(())
}

impl Store {
    /// Sets up (or changes) a feature's rollout: its cap and its waiting list's priority
    /// (criteria highest rank first), all or nothing. Holders and the list stay; criteria
    /// no longer configured stop counting (the planner ignores them).
    pub async fn configure_rollout(
        &self,
        feature: &str,
        cap: Option<u32>,
        scheme: Scheme,
        criteria: &[RolloutCriterionRow],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        if feature.trim().is_empty() {
            return Err(StoreError::Invalid("Das Merkmal fehlt.".into()));
        }
        if criteria
            .iter()
            .any(|c| c.key.is_empty() || c.key.contains(','))
        {
            return Err(StoreError::Invalid(
                "Schlüssel von Kriterien dürfen nicht leer sein und kein Komma enthalten.".into(),
            ));
        }
        let scheme = match scheme {
            Scheme::Weights => "weights",
            Scheme::Tiers => "tiers",
        };
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO rollout_features (feature, cap, holders, scheme, updated_ms) \
             VALUES ($1, $2, 0, $3, $4) ON CONFLICT (feature) DO UPDATE SET cap = excluded.cap, \
             scheme = excluded.scheme, updated_ms = excluded.updated_ms",
        )
        .bind(feature)
        .bind(cap.map(i64::from))
        .bind(scheme)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM rollout_criteria WHERE feature = $1")
            .bind(feature)
            .execute(&mut *tx)
            .await?;
        for (rank, c) in criteria.iter().enumerate() {
            let inserted = sqlx::query(
                "INSERT INTO rollout_criteria (feature, key, label, weight, rank) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(feature)
            .bind(&c.key)
            .bind(&c.label)
            .bind(i64::from(c.weight))
            .bind(rank as i64)
            .execute(&mut *tx)
            .await;
            match inserted {
                Err(e) if super::is_unique_violation(&e) => {
                    return Err(StoreError::Invalid(format!(
                        "Das Kriterium {:?} ist doppelt angegeben.",
                        c.key
                    )))
                }
                other => other?,
            };
        }
        tx.commit().await?;
        Ok(())
    }

    /// Changes only the cap (raising it: then admit `planner::rollout::change_cap`'s
    /// choice with [`Store::admit_to_rollout`]).
    pub async fn set_rollout_cap(
        &self,
        feature: &str,
        cap: Option<u32>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE rollout_features SET cap = $1, updated_ms = $2 WHERE feature = $3")
                .bind(cap.map(i64::from))
                .bind(now_ms)
                .bind(feature)
                .execute(&self.pool)
                .await?;
        if done.rows_affected() == 0 {
            return Err(unknown_feature(feature));
        }
        Ok(())
    }

    /// A feature's rollout, if set up.
    pub async fn rollout_feature(
        &self,
        feature: &str,
    ) -> Result<Option<RolloutFeature>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        feature_in(&mut conn, feature).await
    }

    /// Puts `staff_id` on the feature's waiting list. Criteria must be configured ones;
    /// someone already waiting or holding the feature is a [`StoreError::Conflict`].
    pub async fn add_to_waiting_list(
        &self,
        feature: &str,
        staff_id: i64,
        applied_at: DateTime,
        criteria: &[String],
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let exists = sqlx::query("SELECT COUNT(*) FROM rollout_features WHERE feature = $1")
            .bind(feature)
            .fetch_one(&mut *tx)
            .await?;
        if int(&exists, 0)? == 0 {
            return Err(unknown_feature(feature));
        }
        let configured = criteria_of(&mut tx, feature).await?;
        if let Some(unknown) = criteria
            .iter()
            .find(|k| !configured.iter().any(|c| &c.key == *k))
        {
            return Err(StoreError::Invalid(format!(
                "Das Kriterium {unknown:?} ist nicht vorgesehen."
            )));
        }
        let holding = sqlx::query(
            "SELECT COUNT(*) FROM rollout_holders WHERE feature = $1 AND staff_id = $2",
        )
        .bind(feature)
        .bind(staff_id)
        .fetch_one(&mut *tx)
        .await?;
        if int(&holding, 0)? > 0 {
            return Err(StoreError::Conflict(
                "Diese Person nutzt das Merkmal bereits.".into(),
            ));
        }
        let mut keys: Vec<&str> = criteria.iter().map(String::as_str).collect();
        keys.sort_unstable();
        keys.dedup();
        let inserted = sqlx::query(
            "INSERT INTO rollout_waiting (feature, staff_id, applied_at, criteria) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(feature)
        .bind(staff_id)
        .bind(datetime_text(applied_at))
        .bind(keys.join(","))
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(e) if super::is_unique_violation(&e) => {
                return Err(StoreError::Conflict(
                    "Diese Person steht bereits auf der Warteliste.".into(),
                ))
            }
            other => other.map_err(|e| super::missing(e, "Person", staff_id))?,
        };
        tx.commit().await?;
        Ok(())
    }

    /// The feature's waiting list in application order (earliest first, then by person);
    /// `planner::rollout::Priority::order` puts it in its final order.
    pub async fn waiting_list(&self, feature: &str) -> Result<Vec<WaitingRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        waiting_in(&mut conn, feature).await
    }

    /// Sets the criteria someone on the waiting list meets (configured keys only, else
    /// [`StoreError::Invalid`]); whether they are on the list.
    pub async fn set_waiting_criteria(
        &self,
        feature: &str,
        staff_id: i64,
        criteria: &[String],
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let configured = criteria_of(&mut tx, feature).await?;
        if let Some(unknown) = criteria
            .iter()
            .find(|k| !configured.iter().any(|c| &c.key == *k))
        {
            return Err(StoreError::Invalid(format!(
                "Das Kriterium {unknown:?} ist nicht vorgesehen."
            )));
        }
        let mut keys: Vec<&str> = criteria.iter().map(String::as_str).collect();
        keys.sort_unstable();
        keys.dedup();
        let done = sqlx::query(
            "UPDATE rollout_waiting SET criteria = $1 WHERE feature = $2 AND staff_id = $3",
        )
        .bind(keys.join(","))
        .bind(feature)
        .bind(staff_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// Takes someone off the waiting list; whether they were on it.
    pub async fn remove_from_waiting_list(
        &self,
        feature: &str,
        staff_id: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM rollout_waiting WHERE feature = $1 AND staff_id = $2")
            .bind(feature)
            .bind(staff_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Sets the cap and admits these people (the planner's choice under the new cap) in one
    /// transaction: all or nothing, as [`Store::admit_to_rollout`]. Lowering the cap below
    /// the holders takes the feature from nobody.
    pub async fn set_rollout_cap_and_admit(
        &self,
        feature: &str,
        cap: Option<u32>,
        people: &[PersonId],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let done =
            sqlx::query("UPDATE rollout_features SET cap = $1, updated_ms = $2 WHERE feature = $3")
                .bind(cap.map(i64::from))
                .bind(now_ms)
                .bind(feature)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(unknown_feature(feature));
        }
        admit_in(&mut tx, feature, people, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Admits these people (off the waiting list, if they are on it), all or nothing:
    /// one place past the cap is [`StoreError::CapReached`] and nobody is admitted; someone
    /// already holding the feature is a [`StoreError::Conflict`].
    pub async fn admit_to_rollout(
        &self,
        feature: &str,
        people: &[PersonId],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        admit_in(&mut tx, feature, people, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes the feature from someone (their place becomes free); whether they held it.
    pub async fn remove_rollout_holder(
        &self,
        feature: &str,
        staff_id: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("DELETE FROM rollout_holders WHERE feature = $1 AND staff_id = $2")
            .bind(feature)
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("UPDATE rollout_features SET holders = holders - 1 WHERE feature = $1")
            .bind(feature)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Someone stops using the feature (their mobile-work agreement ended): they give up
    /// their place or leave the waiting list, and the next in line (the planner's order,
    /// `planner::rollout::admissions`) takes whatever places the cap now leaves, all in one
    /// transaction. The feature's row is written first, so on PostgreSQL two releases at
    /// once run one after the other and never admit the same person twice. Without a
    /// rollout for the feature nothing happens.
    pub async fn release_rollout_place(
        &self,
        feature: &str,
        staff_id: i64,
        now_ms: i64,
    ) -> Result<Released, StoreError> {
        self.release_place(feature, staff_id, now_ms, false).await
    }

    /// Like [`Store::release_rollout_place`], for a sweep that found `staff_id` without a
    /// mobile-work agreement in force: checked again inside the transaction, so someone
    /// approved since the sweep read the agreements keeps their place (nothing happens).
    pub async fn release_rollout_place_unless_in_force(
        &self,
        feature: &str,
        staff_id: i64,
        now_ms: i64,
    ) -> Result<Released, StoreError> {
        self.release_place(feature, staff_id, now_ms, true).await
    }

    async fn release_place(
        &self,
        feature: &str,
        staff_id: i64,
        now_ms: i64,
        unless_in_force: bool,
    ) -> Result<Released, StoreError> {
        let mut tx = self.write_tx().await?;
        let locked = sqlx::query("UPDATE rollout_features SET updated_ms = $1 WHERE feature = $2")
            .bind(now_ms)
            .bind(feature)
            .execute(&mut *tx)
            .await?;
        if locked.rows_affected() == 0 {
            return Ok(Released::default());
        }
        if unless_in_force {
            // Approvals write the agreement before they take a place, so one that counts
            // here is committed (PostgreSQL) or ahead of this transaction (SQLite).
            let in_force = sqlx::query(
                "SELECT COUNT(*) FROM mw_agreements WHERE staff_id = $1 \
                 AND state IN ('approved', 'revoking')",
            )
            .bind(staff_id)
            .fetch_one(&mut *tx)
            .await?;
            if int(&in_force, 0)? > 0 {
                return Ok(Released::default());
            }
        }
        let was_waiting =
            sqlx::query("DELETE FROM rollout_waiting WHERE feature = $1 AND staff_id = $2")
                .bind(feature)
                .bind(staff_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0;
        let held = sqlx::query("DELETE FROM rollout_holders WHERE feature = $1 AND staff_id = $2")
            .bind(feature)
            .bind(staff_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        if held {
            sqlx::query("UPDATE rollout_features SET holders = holders - 1 WHERE feature = $1")
                .bind(feature)
                .execute(&mut *tx)
                .await?;
        }
        let f = feature_in(&mut tx, feature)
            .await?
            .ok_or_else(|| unknown_feature(feature))?;
        let waiting: Vec<Applicant> = waiting_in(&mut tx, feature)
            .await?
            .iter()
            .map(WaitingRow::applicant)
            .collect();
        let admitted = admissions(f.cap, f.holders, &f.priority, &waiting);
        admit_in(&mut tx, feature, &admitted, now_ms).await?;
        tx.commit().await?;
        Ok(Released {
            held,
            was_waiting,
            admitted,
        })
    }

    /// Who holds the feature, by person.
    pub async fn rollout_holders(&self, feature: &str) -> Result<Vec<PersonId>, StoreError> {
        let rows = sqlx::query(
            "SELECT staff_id FROM rollout_holders WHERE feature = $1 ORDER BY staff_id",
        )
        .bind(feature)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| Ok(PersonId(int(row, 0)?))).collect()
    }
}
