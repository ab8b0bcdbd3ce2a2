//! Presence data that outlives a connection: the hand-set part, favourites, watches, and
//! who belongs on whose team panel.

use crate::{int, opt_text, text, Store, StoreError};
use directory::Login;
use sqlx::any::AnyRow;

/// Someone as the team panel and the presence hub know them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelPerson {
    /// Staff id.
    pub id: i64,
    /// Login.
    pub login: String,
    /// Display name.
    pub name: String,
    /// Extension.
    pub extension: String,
    /// Unit id.
    pub unit_id: i64,
    /// Unit path.
    pub unit: String,
}

/// A stored hand-set presence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPresence {
    /// Staff id.
    pub staff_id: i64,
    /// State name.
    pub state: String,
    /// Location name.
    pub location: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Until, Unix milliseconds.
    pub until_ms: Option<i64>,
}

/// A stored watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredWatch {
    /// Who watches.
    pub watcher_id: i64,
    /// Whom.
    pub target_id: i64,
    /// Unix milliseconds.
    pub expires_ms: i64,
}

/// A team-panel group with its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelGroup {
    /// Group id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Members.
    pub members: Vec<PanelPerson>,
}

const PERSON: &str = "s.id, s.login, s.display_name, s.extension, s.unit_id, u.path";

fn person(row: &AnyRow) -> Result<PanelPerson, StoreError> {
    Ok(PanelPerson {
        id: int(row, 0)?,
        login: text(row, 1)?,
        name: text(row, 2)?,
        extension: text(row, 3)?,
        unit_id: int(row, 4)?,
        unit: text(row, 5)?,
    })
}

impl Store {
    /// Everyone in the directory, for the presence hub, by id.
    pub async fn all_people(&self) -> Result<Vec<PanelPerson>, StoreError> {
        // In pages, like the SIP devices: the driver's rows for 100,000 people at once
        // were a 45 MB peak at every start, and the allocator kept much of it.
        const PAGE: i64 = 2_000;
        let mut all = Vec::new();
        let mut after = i64::MIN;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {PERSON} FROM staff s JOIN units u ON u.id = s.unit_id \
                 WHERE s.id > $1 AND s.disabled_at IS NULL ORDER BY s.id LIMIT $2"
            ))
            .bind(after)
            .bind(PAGE)
            .fetch_all(&self.pool)
            .await?;
            let full = rows.len() as i64 == PAGE;
            for row in &rows {
                let p = person(row)?;
                after = p.id;
                all.push(p);
            }
            if !full {
                return Ok(all);
            }
        }
    }

    /// One person by login.
    pub async fn panel_person(&self, login: &str) -> Result<Option<PanelPerson>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {PERSON} FROM staff s JOIN units u ON u.id = s.unit_id WHERE s.login = $1 \
             AND s.disabled_at IS NULL"
        ))
        .bind(login)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(person).transpose()
    }

    /// One person by staff id.
    pub async fn panel_person_by_id(&self, id: i64) -> Result<Option<PanelPerson>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {PERSON} FROM staff s JOIN units u ON u.id = s.unit_id WHERE s.id = $1 \
             AND s.disabled_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(person).transpose()
    }

    /// The person whose mobile number is `e164` (as stored, with spaces, dashes and
    /// slashes ignored), for showing who calls from outside.
    pub async fn panel_person_by_mobile(
        &self,
        e164: &str,
    ) -> Result<Option<PanelPerson>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {PERSON} FROM staff s JOIN units u ON u.id = s.unit_id \
             WHERE replace(replace(replace(s.mobile, ' ', ''), '-', ''), '/', '') = $1 \
             AND s.disabled_at IS NULL LIMIT 1"
        ))
        .bind(e164)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(person).transpose()
    }

    /// One person by extension.
    pub async fn panel_person_by_extension(
        &self,
        extension: &str,
    ) -> Result<Option<PanelPerson>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {PERSON} FROM staff s JOIN units u ON u.id = s.unit_id WHERE s.extension = $1 \
             AND s.disabled_at IS NULL"
        ))
        .bind(extension)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(person).transpose()
    }

    /// The people of a unit (with `sub_units`, also of the units below it), by name.
    pub async fn unit_people(
        &self,
        unit_path: &str,
        sub_units: bool,
    ) -> Result<Vec<PanelPerson>, StoreError> {
        let filter = if sub_units {
            "u.path = $1 OR substr(u.path, 1, length($1) + 1) = $1 || '/'"
        } else {
            "u.path = $1"
        };
        let rows = sqlx::query(&format!(
            "SELECT {PERSON} FROM staff s JOIN units u ON u.id = s.unit_id \
             WHERE ({filter}) AND s.disabled_at IS NULL \
             ORDER BY s.display_name, s.login"
        ))
        .bind(unit_path)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(person).collect()
    }

    /// People whose name, login or extension contain `query` (ignoring case), by name, at
    /// most `limit`. ASCII queries are matched in SQL; others in Rust, because SQLite's
    /// `lower()` folds only ASCII letters (it would miss "Özdemir" for "özdemir").
    pub async fn find_people(
        &self,
        query: &str,
        limit: i64,
    ) -> Result<Vec<PanelPerson>, StoreError> {
        let needle = query.trim().to_lowercase();
        if !needle.is_ascii() {
            let mut people: Vec<PanelPerson> = self
                .all_people()
                .await?
                .into_iter()
                .filter(|p| {
                    p.name.to_lowercase().contains(&needle)
                        || p.login.contains(&needle)
                        || p.extension.contains(&needle)
                })
                .collect();
            people.sort_by(|a, b| (&a.name, &a.login).cmp(&(&b.name, &b.login)));
            people.truncate(usize::try_from(limit).unwrap_or(0));
            return Ok(people);
        }
        let pattern = format!("%{}%", crate::like_escaped(&needle));
        let rows = sqlx::query(&format!(
            "SELECT {PERSON} FROM staff s JOIN units u ON u.id = s.unit_id \
             WHERE (lower(s.display_name) LIKE $1 ESCAPE '\\' OR lower(s.login) LIKE $1 ESCAPE '\\' \
             OR s.extension LIKE $1 ESCAPE '\\') AND s.disabled_at IS NULL ORDER BY s.display_name, s.login LIMIT $2"
        ))
        .bind(pattern)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(person).collect()
    }

    /// A person's favourites, by name.
    pub async fn favourites(&self, owner_id: i64) -> Result<Vec<PanelPerson>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {PERSON} FROM favourites f JOIN staff s ON s.id = f.target_id \
             JOIN units u ON u.id = s.unit_id WHERE f.owner_id = $1 AND s.disabled_at IS NULL ORDER BY s.display_name, s.login"
        ))
        .bind(owner_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(person).collect()
    }

    /// Adds favourites (in one transaction; existing ones stay). Unknown logins are a
    /// [`StoreError::UnknownLogins`] and add nothing.
    pub async fn add_favourites(&self, owner: &Login, targets: &[Login]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut missing = Vec::new();
        for t in targets {
            let done = sqlx::query(
                "INSERT INTO favourites (owner_id, target_id) \
                 SELECT o.id, t.id FROM staff o, staff t WHERE o.login = $1 AND t.login = $2 AND o.id <> t.id \
                 ON CONFLICT DO NOTHING",
            )
            .bind(owner.as_str())
            .bind(t.as_str())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                let exists = sqlx::query("SELECT 1 FROM staff WHERE login = $1")
                    .bind(t.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                if exists.is_none() {
                    missing.push(t.to_string());
                }
            }
        }
        let owner_exists = sqlx::query("SELECT 1 FROM staff WHERE login = $1")
            .bind(owner.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if owner_exists.is_none() {
            missing.insert(0, owner.to_string());
        }
        if !missing.is_empty() {
            return Err(StoreError::UnknownLogins(missing));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes a favourite; returns whether there was one.
    pub async fn remove_favourite(
        &self,
        owner_id: i64,
        target_id: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM favourites WHERE owner_id = $1 AND target_id = $2")
            .bind(owner_id)
            .bind(target_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Team-panel groups this person belongs to, with all members.
    pub async fn panel_groups(&self, staff_id: i64) -> Result<Vec<PanelGroup>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT g.id, g.name, {PERSON} FROM staff_groups g \
             JOIN staff_group_members mine ON mine.group_id = g.id AND mine.staff_id = $1 \
             JOIN staff_group_members m ON m.group_id = g.id \
             JOIN staff s ON s.id = m.staff_id JOIN units u ON u.id = s.unit_id \
             WHERE g.kind = 'team_panel' AND s.disabled_at IS NULL ORDER BY g.name, g.id, s.display_name, s.login"
        ))
        .bind(staff_id)
        .fetch_all(&self.pool)
        .await?;
        let mut groups: Vec<PanelGroup> = Vec::new();
        for row in &rows {
            let id = int(row, 0)?;
            let member = PanelPerson {
                id: int(row, 2)?,
                login: text(row, 3)?,
                name: text(row, 4)?,
                extension: text(row, 5)?,
                unit_id: int(row, 6)?,
                unit: text(row, 7)?,
            };
            match groups.last_mut() {
                Some(g) if g.id == id => g.members.push(member),
                _ => groups.push(PanelGroup {
                    id,
                    name: text(row, 1)?,
                    members: vec![member],
                }),
            }
        }
        Ok(groups)
    }

    /// Whom a person's clients follow: their unit, favourites, co-members of their
    /// team-panel groups and the people they watch (each once, never themselves).
    pub async fn follow_ids(&self, staff_id: i64) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id FROM staff s JOIN staff me ON me.unit_id = s.unit_id WHERE me.id = $1 \
             UNION SELECT target_id FROM favourites WHERE owner_id = $1 \
             UNION SELECT m.staff_id FROM staff_group_members mine \
               JOIN staff_groups g ON g.id = mine.group_id AND g.kind = 'team_panel' \
               JOIN staff_group_members m ON m.group_id = mine.group_id WHERE mine.staff_id = $1 \
             UNION SELECT target_id FROM watches WHERE watcher_id = $1",
        )
        .bind(staff_id)
        .fetch_all(&self.pool)
        .await?;
        let mut ids = rows
            .iter()
            .map(|r| int(r, 0))
            .collect::<Result<Vec<_>, _>>()?;
        ids.retain(|id| *id != staff_id);
        Ok(ids)
    }

    /// Every stored hand-set presence.
    pub async fn load_presence(&self) -> Result<Vec<StoredPresence>, StoreError> {
        let rows = sqlx::query("SELECT staff_id, state, location, note, until_ms FROM presence")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredPresence {
                    staff_id: int(r, 0)?,
                    state: text(r, 1)?,
                    location: opt_text(r, 2)?,
                    note: opt_text(r, 3)?,
                    until_ms: {
                        use sqlx::Row;
                        r.try_get::<Option<i64>, _>(4)?
                    },
                })
            })
            .collect()
    }

    /// Stores a hand-set presence.
    pub async fn save_presence(&self, p: &StoredPresence, now_ms: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO presence (staff_id, state, location, note, until_ms, changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (staff_id) DO UPDATE SET \
             state = excluded.state, location = excluded.location, note = excluded.note, \
             until_ms = excluded.until_ms, changed_at = excluded.changed_at",
        )
        .bind(p.staff_id)
        .bind(&p.state)
        .bind(&p.location)
        .bind(&p.note)
        .bind(p.until_ms)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every stored watch.
    pub async fn load_watches(&self) -> Result<Vec<StoredWatch>, StoreError> {
        let rows = sqlx::query("SELECT watcher_id, target_id, expires_ms FROM watches")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredWatch {
                    watcher_id: int(r, 0)?,
                    target_id: int(r, 1)?,
                    expires_ms: int(r, 2)?,
                })
            })
            .collect()
    }

    /// A person's watches with the watched people.
    pub async fn watches_of(&self, watcher_id: i64) -> Result<Vec<(PanelPerson, i64)>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {PERSON}, w.expires_ms FROM watches w JOIN staff s ON s.id = w.target_id \
             JOIN units u ON u.id = s.unit_id WHERE w.watcher_id = $1 AND s.disabled_at IS NULL \
             ORDER BY s.display_name"
        ))
        .bind(watcher_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((person(r)?, int(r, 6)?))).collect()
    }

    /// Stores (or renews) a watch.
    pub async fn save_watch(&self, w: &StoredWatch) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO watches (watcher_id, target_id, expires_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (watcher_id, target_id) DO UPDATE SET expires_ms = excluded.expires_ms",
        )
        .bind(w.watcher_id)
        .bind(w.target_id)
        .bind(w.expires_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes a watch (fired, expired or removed).
    pub async fn delete_watch(&self, watcher_id: i64, target_id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM watches WHERE watcher_id = $1 AND target_id = $2")
            .bind(watcher_id)
            .bind(target_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
