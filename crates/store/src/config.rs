//! `[database]`: which database to use.

use crate::DatabaseUrl;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// `[database]`
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` or `postgres://…`; default: SQLite in the data folder. May hold a
    /// password: shown redacted wherever it is shown.
    #[serde(serialize_with = "redacted")]
    pub url: Option<String>,
}

fn redacted<S: serde::Serializer>(url: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match url.as_deref().map(DatabaseUrl::parse) {
        Some(Ok(url)) => s.serialize_some(&url.redacted()),
        Some(Err(_)) => s.serialize_some("[unreadable URL]"),
        None => s.serialize_none(),
    }
}

/// The URL's password never shows.
impl std::fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = self.url.as_deref().map(|u| {
            DatabaseUrl::parse(u).map_or_else(|_| "[unreadable URL]".into(), |u| u.redacted())
        });
        f.debug_struct("DatabaseConfig")
            .field("url", &shown)
            .finish()
    }
}

impl DatabaseConfig {
    /// Why the section cannot be used, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        match &self.url {
            Some(url) => DatabaseUrl::parse(url)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            None => Ok(()),
        }
    }

    /// The database: the configured URL, else SQLite in `data_dir`.
    pub fn url(&self, data_dir: &Path) -> Result<DatabaseUrl, crate::StoreError> {
        match &self.url {
            Some(url) => DatabaseUrl::parse(url),
            None => Ok(DatabaseUrl::sqlite_in(data_dir)),
        }
    }
}
