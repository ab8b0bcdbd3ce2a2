//! Groups defined by a unit or an administrator: team panels and call groups.

use crate::{int, opt_text, text, unix_now, Store, StoreError};
use directory::{GroupKind, GroupName, Login, UnitPath};

/// A stored group with its members' logins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Database id.
    pub id: i64,
    /// Team panel or call group.
    pub kind: GroupKind,
    /// Its name, unique per kind.
    pub name: String,
    /// The unit that owns it, if a unit defined it.
    pub unit: Option<String>,
    /// Members, sorted.
    pub members: Vec<String>,
}

impl Store {
    /// Creates a group (owned by a unit, or by the administration when `unit` is `None`)
    /// with the given members, in one transaction.
    pub async fn create_group(
        &self,
        kind: GroupKind,
        name: &GroupName,
        unit: Option<&UnitPath>,
        members: &[Login],
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let unit_id = match unit {
            None => None,
            Some(u) => Some(
                sqlx::query("SELECT id FROM units WHERE path = $1")
                    .bind(u.to_string())
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|r| int(&r, 0))
                    .transpose()?
                    .ok_or_else(|| StoreError::UnknownUnit(u.to_string()))?,
            ),
        };
        let row = sqlx::query(
            "INSERT INTO staff_groups (kind, name, unit_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(kind.as_str())
        .bind(name.as_str())
        .bind(unit_id)
        .bind(unix_now())
        .fetch_one(&mut *tx)
        .await?;
        let id = int(&row, 0)?;
        let mut missing = Vec::new();
        for login in members {
            let added = sqlx::query(
                "INSERT INTO staff_group_members (group_id, staff_id) \
                 SELECT $1, id FROM staff WHERE login = $2",
            )
            .bind(id)
            .bind(login.as_str())
            .execute(&mut *tx)
            .await?;
            if added.rows_affected() == 0 {
                missing.push(login.to_string());
            }
        }
        if !missing.is_empty() {
            return Err(StoreError::UnknownLogins(missing));
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Every group of a kind, with members.
    pub async fn groups(&self, kind: GroupKind) -> Result<Vec<Group>, StoreError> {
        let rows = sqlx::query(
            "SELECT g.id, g.name, u.path, s.login FROM staff_groups g \
             LEFT JOIN units u ON u.id = g.unit_id \
             LEFT JOIN staff_group_members m ON m.group_id = g.id \
             LEFT JOIN staff s ON s.id = m.staff_id \
             WHERE g.kind = $1 ORDER BY g.name, s.login",
        )
        .bind(kind.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut groups: Vec<Group> = Vec::new();
        for row in &rows {
            let id = int(row, 0)?;
            if groups.last().is_none_or(|g| g.id != id) {
                let (name, unit) = (text(row, 1)?, opt_text(row, 2)?);
                groups.push(Group {
                    id,
                    kind,
                    name,
                    unit,
                    members: Vec::new(),
                });
            }
            if let (Some(g), Some(login)) = (groups.last_mut(), opt_text(row, 3)?) {
                g.members.push(login);
            }
        }
        Ok(groups)
    }

    /// Adds a person to a group; false when the group or the person does not exist.
    pub async fn add_group_member(&self, group_id: i64, login: &Login) -> Result<bool, StoreError> {
        let group = sqlx::query("SELECT 1 FROM staff_groups WHERE id = $1")
            .bind(group_id)
            .fetch_optional(&self.pool)
            .await?;
        if group.is_none() {
            return Ok(false);
        }
        let person = sqlx::query("SELECT id FROM staff WHERE login = $1")
            .bind(login.as_str())
            .fetch_optional(&self.pool)
            .await?;
        let Some(person) = person else {
            return Ok(false);
        };
        sqlx::query(
            "INSERT INTO staff_group_members (group_id, staff_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(group_id)
        .bind(int(&person, 0)?)
        .execute(&self.pool)
        .await?;
        Ok(true)
    }

    /// Removes a person from a group; false when they were not in it.
    pub async fn remove_group_member(
        &self,
        group_id: i64,
        login: &Login,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "DELETE FROM staff_group_members WHERE group_id = $1 AND staff_id = (SELECT id FROM staff WHERE login = $2)",
        )
        .bind(group_id)
        .bind(login.as_str())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
