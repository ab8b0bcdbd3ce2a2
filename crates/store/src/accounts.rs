//! A person as sign-in sees them: id, roles, features and password hash.

use crate::{int, opt_text, text, Store, StoreError};
use directory::{FeatureSet, Login, RoleSet, UnitPath};
use sqlx::any::AnyRow;

/// What sign-in and authorisation need to know about a person. Its `Debug` leaves the
/// password hash out (a hash is still nothing for a log).
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// Database id.
    pub id: i64,
    /// Login.
    pub login: Login,
    /// Display name.
    pub name: String,
    /// Unit.
    pub unit: UnitPath,
    /// Roles.
    pub roles: RoleSet,
    /// Features.
    pub features: FeatureSet,
    /// Mobile number, for SMS codes.
    pub mobile: Option<String>,
    /// argon2id PHC string, if a password is set.
    pub password_hash: Option<String>,
    /// The DN in the directory, for people who come from it: their password is checked
    /// there (a bind as them), not against `password_hash`.
    pub directory_dn: Option<String>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("login", &self.login)
            .field("name", &self.name)
            .field("unit", &self.unit)
            .field("roles", &self.roles)
            .field("features", &self.features)
            .field("mobile", &self.mobile.as_ref().map(|_| "[set]"))
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "[redacted]"),
            )
            .field("directory_dn", &self.directory_dn)
            .finish()
    }
}

const ACCOUNT_COLUMNS: &str =
    "s.id, s.login, s.display_name, u.path, s.roles, s.features, s.mobile, s.password_hash, \
     s.directory_dn";

fn account_from_row(row: &AnyRow) -> Result<Account, StoreError> {
    let corrupt = |e: directory::InvalidValue| StoreError::Corrupt(e.to_string());
    Ok(Account {
        id: int(row, 0)?,
        login: Login::parse(&text(row, 1)?).map_err(corrupt)?,
        name: text(row, 2)?,
        unit: UnitPath::from_stored(&text(row, 3)?).map_err(corrupt)?,
        roles: RoleSet::from_bits(int(row, 4)?),
        features: FeatureSet::from_bits(int(row, 5)?),
        mobile: opt_text(row, 6)?,
        password_hash: opt_text(row, 7)?,
        directory_dn: opt_text(row, 8)?,
    })
}

impl Store {
    /// The account with this login.
    pub async fn account_by_login(&self, login: &Login) -> Result<Option<Account>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM staff s JOIN units u ON u.id = s.unit_id WHERE s.login = $1 AND s.disabled_at IS NULL");
        let row = sqlx::query(&sql)
            .bind(login.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    /// The login and name of the staff member with this id, and whether they are disabled
    /// (left): for records that outlive an account, such as a device still lent to a
    /// leaver.
    pub async fn staff_name_by_id(
        &self,
        id: i64,
    ) -> Result<Option<(String, String, bool)>, StoreError> {
        let row = sqlx::query(
            "SELECT login, display_name, CASE WHEN disabled_at IS NULL THEN 0 ELSE 1 END \
             FROM staff WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            use sqlx::Row;
            Ok((
                row.try_get::<String, _>(0)?,
                row.try_get::<String, _>(1)?,
                row.try_get::<i64, _>(2)? != 0,
            ))
        })
        .transpose()
    }

    /// The account with this id.
    pub async fn account_by_id(&self, id: i64) -> Result<Option<Account>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM staff s JOIN units u ON u.id = s.unit_id WHERE s.id = $1 AND s.disabled_at IS NULL");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account_from_row).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_password_hash_and_no_mobile_number() {
        let account = Account {
            id: 7,
            login: Login::parse("b.user").unwrap(),
            name: "Bärbel Böhm".into(),
            unit: UnitPath::parse("Gesundheitsamt").unwrap(),
            roles: RoleSet::default(),
            features: FeatureSet::default(),
            mobile: Some("+49 151 5550123".into()),
            password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
            directory_dn: None,
        };
        let shown = format!("{account:?}");
        assert!(
            shown.contains("b.user") && shown.contains("[redacted]"),
            "{shown}"
        );
        assert!(
            !shown.contains("argon2") && !shown.contains("5550123"),
            "{shown}"
        );
    }
}
