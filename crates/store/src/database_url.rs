//! Which database to use: `sqlite://PATH` or `postgres://…`; anything else is an error.

use crate::StoreError;
use std::path::{Path, PathBuf};

/// The two supported backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default.
    Sqlite,
    /// For large installations.
    Postgres,
}

/// A validated database URL. Its `Debug` hides a PostgreSQL password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: String,
    backend: Backend,
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl DatabaseUrl {
    /// Parses a URL given by the operator.
    pub fn parse(raw: &str) -> Result<Self, StoreError> {
        let raw = raw.trim();
        let backend = if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() || path.starts_with('?') {
                return Err(StoreError::UnsupportedUrl(raw.to_string()));
            }
            Backend::Sqlite
        } else if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(redact(raw)));
        };
        Ok(DatabaseUrl {
            url: raw.to_string(),
            backend,
        })
    }

    /// The default: `durchwahl.db` in the data folder.
    pub fn sqlite_in(data_dir: &Path) -> Self {
        let file = data_dir.join("durchwahl.db");
        let path = std::path::absolute(&file).unwrap_or(file);
        let encoded: String = path
            .display()
            .to_string()
            .chars()
            .map(|c| match c {
                '%' => "%25".to_string(),
                '?' => "%3F".to_string(),
                '#' => "%23".to_string(),
                ' ' => "%20".to_string(),
                c => c.to_string(),
            })
            .collect();
        DatabaseUrl {
            url: format!("sqlite://{encoded}"),
            backend: Backend::Sqlite,
        }
    }

    /// Which backend the URL names.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL for the driver; SQLite files are created when missing.
    pub(crate) fn connect_url(&self) -> String {
        match self.backend {
            Backend::Sqlite if !self.url.contains("mode=") => {
                let sep = if self.url.contains('?') { '&' } else { '?' };
                format!("{}{sep}mode=rwc", self.url)
            }
            _ => self.url.clone(),
        }
    }

    /// The SQLite file, if this is SQLite.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        let path = self.url.strip_prefix("sqlite://")?;
        let path = path.split('?').next().unwrap_or_default();
        let path = path
            .replace("%20", " ")
            .replace("%3F", "?")
            .replace("%25", "%");
        Some(PathBuf::from(path))
    }

    /// The URL for a look that changes nothing: SQLite opened read-only (never created).
    pub(crate) fn read_only_url(&self) -> String {
        match self.backend {
            Backend::Sqlite => {
                let base = self.url.split('?').next().unwrap_or_default();
                format!("{base}?mode=ro")
            }
            Backend::Postgres => self.url.clone(),
        }
    }

    /// The folder an SQLite file lives in, to create it first.
    pub(crate) fn sqlite_parent_dir(&self) -> Option<PathBuf> {
        let path = self.url.strip_prefix("sqlite://")?;
        let path = path
            .split('?')
            .next()
            .unwrap_or_default()
            .replace("%20", " ");
        Path::new(&path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
    }

    /// The URL with any password replaced by `***`, for logs and messages.
    pub fn redacted(&self) -> String {
        redact(&self.url)
    }

    /// The URL as given, password included: for handing to something that connects (a
    /// driver, a child process's `--database-url`). Never log it; use
    /// [`redacted`](Self::redacted) for that.
    pub fn unredacted(&self) -> &str {
        &self.url
    }
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_two_schemes_only() {
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap().backend(),
            Backend::Sqlite
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        for bad in [
            "mysql://h/db",
            "durchwahl.db",
            "sqlite://",
            "sqlite:x.db",
            "",
        ] {
            assert!(DatabaseUrl::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn hides_passwords() {
        let url = DatabaseUrl::parse("postgres://dw:geheim@db.local/dw").unwrap();
        assert_eq!(url.redacted(), "postgres://dw:***@db.local/dw");
        assert_eq!(url.unredacted(), "postgres://dw:geheim@db.local/dw");
        assert!(!format!("{url:?}").contains("geheim"));
        let err = DatabaseUrl::parse("mysql://dw:geheim@h/db")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("geheim"), "{err}");
    }

    #[test]
    fn sqlite_default_lives_in_the_data_dir() {
        let url = DatabaseUrl::sqlite_in(Path::new("/var/lib/durch wahl"));
        assert_eq!(
            url.connect_url(),
            "sqlite:///var/lib/durch%20wahl/durchwahl.db?mode=rwc"
        );
        assert_eq!(
            url.sqlite_parent_dir().unwrap(),
            Path::new("/var/lib/durch wahl")
        );
    }
}
