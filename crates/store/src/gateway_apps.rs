//! The access gateway's applications (docs/gateway.md): what is published under
//! `/apps/NAME/` and the rule of who may use it. The store only keeps them; the web layer
//! checks the values before they come here.
//!
//! Lists are kept as text in one column each: unit paths one a line, roles and features
//! comma-separated, the days of the hours as ISO weekdays `1,2,3,4,5`. An item that would
//! not come back whole (empty, or holding its separator) is refused rather than stored.

use crate::{int, opt_int, opt_text, text, Store, StoreError};
use sqlx::any::AnyRow;

/// An application as stored: as published, with what the store assigns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayAppRow {
    /// Id.
    pub id: i64,
    /// The application as published.
    pub app: NewGatewayApp,
    /// When it was published, in Unix milliseconds.
    pub created_ms: i64,
    /// When its rule last changed, in Unix milliseconds.
    pub updated_ms: i64,
}

/// An application to publish, or the new rule of one: [`GatewayAppRow`] without what the
/// store assigns (id and times).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGatewayApp {
    /// The name, the path `/apps/NAME/`.
    pub name: String,
    /// Shown on the portal tile.
    pub title: String,
    /// Shown under the title; may be empty.
    pub description: String,
    /// `proxy` or `link`.
    pub kind: String,
    /// For `proxy`: the URL the requests go to.
    pub upstream: Option<String>,
    /// For `proxy` over HTTPS: extra certificate authorities (PEM).
    pub ca_pem: Option<String>,
    /// For `link`: the address the tile opens.
    pub link: Option<String>,
    /// Unit paths whose people (and their sub-units') qualify; empty: every unit.
    pub units: Vec<String>,
    /// Role names, one of which the person needs; empty: any.
    pub roles: Vec<String>,
    /// Feature names the person needs all of.
    pub features: Vec<String>,
    /// Only for sessions signed in with a second factor.
    pub second_factor: bool,
    /// Only from the office networks.
    pub office_only: bool,
    /// ISO weekdays (Monday = 1) of the hours; `None`: any time.
    pub hours_days: Option<Vec<u8>>,
    /// Start of the hours, minutes after midnight.
    pub hours_from: Option<u16>,
    /// End of the hours, minutes after midnight.
    pub hours_to: Option<u16>,
    /// The most people using it at once; `None`: no limit.
    pub max_users: Option<u32>,
    /// How long the upstream may take to answer, in seconds.
    pub timeout_secs: u32,
    /// The path on the upstream checked for health.
    pub health_path: String,
    /// A host name of its own (served at its root), if any.
    pub host: Option<String>,
}

const COLUMNS: &str = "id, name, title, description, kind, upstream, ca_pem, link, units, \
    roles, features, second_factor, office_only, hours_days, hours_from, hours_to, \
    max_users, timeout_secs, health_path, created_ms, updated_ms, host";

/// The separators of the list columns.
const UNITS_SEPARATOR: char = '\n';
const NAMES_SEPARATOR: char = ',';

/// The list columns' text; refuses an item that would come back different.
fn joined(what: &str, items: &[String], separator: char) -> Result<String, StoreError> {
    if let Some(bad) = items.iter().find(|i| i.is_empty() || i.contains(separator)) {
        return Err(StoreError::Invalid(format!(
            "{what}: {bad:?} kann so nicht gespeichert werden (leer oder mit Trennzeichen)."
        )));
    }
    Ok(items.join(&separator.to_string()))
}

fn split(text: &str, separator: char) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    text.split(separator).map(str::to_owned).collect()
}

fn days_text(days: &[u8]) -> String {
    days.iter().map(u8::to_string).collect::<Vec<_>>().join(",")
}

fn parse_days(text: &str) -> Result<Vec<u8>, StoreError> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|d| {
            d.parse()
                .map_err(|_| StoreError::Corrupt(format!("gateway app weekdays {text:?}")))
        })
        .collect()
}

/// A number column into its narrower Rust type.
fn narrow<T: TryFrom<i64>>(value: i64, column: &str) -> Result<T, StoreError> {
    T::try_from(value)
        .map_err(|_| StoreError::Corrupt(format!("gateway app {column} {value} out of range")))
}

fn opt_narrow<T: TryFrom<i64>>(value: Option<i64>, column: &str) -> Result<Option<T>, StoreError> {
    value.map(|v| narrow(v, column)).transpose()
}

fn app_from_row(r: &AnyRow) -> Result<GatewayAppRow, StoreError> {
    Ok(GatewayAppRow {
        id: int(r, 0)?,
        app: NewGatewayApp {
            name: text(r, 1)?,
            title: text(r, 2)?,
            description: text(r, 3)?,
            kind: text(r, 4)?,
            upstream: opt_text(r, 5)?,
            ca_pem: opt_text(r, 6)?,
            link: opt_text(r, 7)?,
            units: split(&text(r, 8)?, UNITS_SEPARATOR),
            roles: split(&text(r, 9)?, NAMES_SEPARATOR),
            features: split(&text(r, 10)?, NAMES_SEPARATOR),
            second_factor: int(r, 11)? != 0,
            office_only: int(r, 12)? != 0,
            hours_days: opt_text(r, 13)?.as_deref().map(parse_days).transpose()?,
            hours_from: opt_narrow(opt_int(r, 14)?, "hours_from")?,
            hours_to: opt_narrow(opt_int(r, 15)?, "hours_to")?,
            max_users: opt_narrow(opt_int(r, 16)?, "max_users")?,
            timeout_secs: narrow(int(r, 17)?, "timeout_secs")?,
            health_path: text(r, 18)?,
            host: opt_text(r, 21)?,
        },
        created_ms: int(r, 19)?,
        updated_ms: int(r, 20)?,
    })
}

/// The columns an application's rule is written to, as text for the statements.
struct Encoded {
    units: String,
    roles: String,
    features: String,
    hours_days: Option<String>,
}

impl Encoded {
    fn of(app: &NewGatewayApp) -> Result<Encoded, StoreError> {
        Ok(Encoded {
            units: joined("Organisationseinheiten", &app.units, UNITS_SEPARATOR)?,
            roles: joined("Rollen", &app.roles, NAMES_SEPARATOR)?,
            features: joined("Funktionen", &app.features, NAMES_SEPARATOR)?,
            hours_days: app.hours_days.as_deref().map(days_text),
        })
    }
}

/// The conflict's text: the name or the host name is another application's.
fn taken(app: &NewGatewayApp) -> String {
    match &app.host {
        Some(host) => format!(
            "Eine Anwendung mit dem Namen „{}“ oder dem Host-Namen „{host}“ gibt es schon.",
            app.name
        ),
        None => format!("Eine Anwendung mit dem Namen „{}“ gibt es schon.", app.name),
    }
}

/// Binds $2 to $20 of both statements: the application's fields in the order of the
/// columns, the time and the host name ($1 is the name).
fn bind_fields<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    app: &'q NewGatewayApp,
    e: &'q Encoded,
    now_ms: i64,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(&app.title)
        .bind(&app.description)
        .bind(&app.kind)
        .bind(app.upstream.as_deref())
        .bind(app.ca_pem.as_deref())
        .bind(app.link.as_deref())
        .bind(&e.units)
        .bind(&e.roles)
        .bind(&e.features)
        .bind(i64::from(app.second_factor))
        .bind(i64::from(app.office_only))
        .bind(e.hours_days.as_deref())
        .bind(app.hours_from.map(i64::from))
        .bind(app.hours_to.map(i64::from))
        .bind(app.max_users.map(i64::from))
        .bind(i64::from(app.timeout_secs))
        .bind(&app.health_path)
        .bind(now_ms)
        .bind(app.host.as_deref())
}

/// A unique index refused the write: the name or the host is taken.
fn conflict_or(error: sqlx::Error, app: &NewGatewayApp) -> StoreError {
    if is_unique_violation(&error) {
        StoreError::Conflict(taken(app))
    } else {
        StoreError::Database(error)
    }
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}

impl Store {
    /// Every application, by name.
    pub async fn gateway_apps(&self) -> Result<Vec<GatewayAppRow>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM gateway_apps ORDER BY name"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(app_from_row).collect()
    }

    /// The application of this name.
    pub async fn gateway_app(&self, name: &str) -> Result<Option<GatewayAppRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM gateway_apps WHERE name = $1"
        ))
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(app_from_row).transpose()
    }

    /// Publishes an application. A name already taken is [`StoreError::Conflict`], and
    /// nothing is written.
    pub async fn create_gateway_app(
        &self,
        app: &NewGatewayApp,
        now_ms: i64,
    ) -> Result<GatewayAppRow, StoreError> {
        let e = Encoded::of(app)?;
        let statement = format!(
            "INSERT INTO gateway_apps (name, title, description, kind, upstream, ca_pem, link, \
             units, roles, features, second_factor, office_only, hours_days, hours_from, \
             hours_to, max_users, timeout_secs, health_path, created_ms, updated_ms, host) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19, $19, $20) RETURNING {COLUMNS}"
        );
        let query = sqlx::query(&statement);
        let row = bind_fields(query.bind(&app.name), app, &e, now_ms)
            .fetch_one(&self.pool)
            .await
            .map_err(|error| conflict_or(error, app))?;
        app_from_row(&row)
    }

    /// Replaces the rule of the application `name` (its name, id and creation time stay;
    /// `app.name` is not used). `None` when there is no such application.
    pub async fn replace_gateway_app(
        &self,
        name: &str,
        app: &NewGatewayApp,
        now_ms: i64,
    ) -> Result<Option<GatewayAppRow>, StoreError> {
        let e = Encoded::of(app)?;
        let statement = format!(
            "UPDATE gateway_apps SET title = $2, description = $3, kind = $4, upstream = $5, \
             ca_pem = $6, link = $7, units = $8, roles = $9, features = $10, \
             second_factor = $11, office_only = $12, hours_days = $13, hours_from = $14, \
             hours_to = $15, max_users = $16, timeout_secs = $17, health_path = $18, \
             updated_ms = $19, host = $20 WHERE name = $1 RETURNING {COLUMNS}"
        );
        let query = sqlx::query(&statement);
        let row = bind_fields(query.bind(name), app, &e, now_ms)
            .fetch_optional(&self.pool)
            .await
            .map_err(|error| conflict_or(error, app))?;
        row.as_ref().map(app_from_row).transpose()
    }

    /// Removes the application `name`; `false` when there was none.
    pub async fn remove_gateway_app(&self, name: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM gateway_apps WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_come_back_as_they_went_in() {
        let units = vec!["Abteilung 2/Sachgebiet 23".to_owned(), "IKT".to_owned()];
        let text = joined("u", &units, UNITS_SEPARATOR).unwrap();
        assert_eq!(split(&text, UNITS_SEPARATOR), units);
        assert_eq!(split("", NAMES_SEPARATOR), Vec::<String>::new());
        assert_eq!(parse_days(&days_text(&[1, 2, 7])).unwrap(), vec![1, 2, 7]);
        assert_eq!(parse_days("").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn an_item_that_would_not_come_back_whole_is_refused() {
        for items in [vec![String::new()], vec!["a,b".to_owned()]] {
            assert!(matches!(
                joined("Rollen", &items, NAMES_SEPARATOR),
                Err(StoreError::Invalid(_))
            ));
        }
        assert!(parse_days("1,x").is_err());
    }
}
