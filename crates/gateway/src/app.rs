//! A published application: its name, its tile, where its requests go (or the address a
//! link tile opens), its rule and its limits. An [`AppDraft`] is what an administrator
//! sends; [`AppDraft::validate`] turns it into an [`App`] or names every bad field.

use crate::error::FieldError;
use crate::rule::{Hours, Rule};
use crate::target::Target;
use crate::upstream::Upstream;
use directory::flags::Flag;
use directory::{Feature, FeatureSet, Role, RoleSet, UnitPath};

/// How long an upstream may take by default, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u32 = 30;
/// The longest timeout an administrator may set, in seconds.
pub const MAX_TIMEOUT_SECS: u32 = 600;

/// An application's name: `[a-z0-9][a-z0-9-]{0,39}`, the segment after `/apps/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AppName(String);

impl AppName {
    /// Checks `raw`.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let ok = (1..=40).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !raw.starts_with('-');
        if ok {
            Ok(AppName(raw.to_string()))
        } else {
            Err(FieldError::new(
                "name",
                "bad_name",
                "Der Name besteht aus 1 bis 40 Kleinbuchstaben (a–z), Ziffern und Bindestrichen und beginnt nicht mit einem Bindestrich.",
            ))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a published application is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Durchwahl forwards the requests to the upstream.
    Proxy {
        /// Where the requests go.
        upstream: Upstream,
        /// Extra CAs (PEM) for an HTTPS upstream.
        ca_pem: Option<String>,
    },
    /// A tile that opens an address (a remote desktop, a VDI StoreFront).
    Link {
        /// The address.
        link: String,
    },
}

/// A published application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    /// Its name.
    pub name: AppName,
    /// The tile's title.
    pub title: String,
    /// The tile's description.
    pub description: String,
    /// Proxied or a link.
    pub kind: Kind,
    /// Who may use it.
    pub rule: Rule,
    /// The most people using it at once.
    pub max_users: Option<u32>,
    /// How long the upstream may take to answer, in seconds.
    pub timeout_secs: u32,
    /// The path the health check asks for.
    pub health_path: String,
    /// A host name of its own: the application is served at that host's root (its own
    /// origin, its own cookie) instead of under `/apps/NAME/`.
    pub host: Option<String>,
}

impl App {
    /// The upstream's path and query for a target of this application, if it is proxied.
    pub fn upstream_path(&self, target: &Target) -> Option<String> {
        match &self.kind {
            Kind::Proxy { upstream, .. } => Some(upstream.path_for(target)),
            Kind::Link { .. } => None,
        }
    }
}

/// The kind of an application as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KindDraft {
    /// Proxied.
    Proxy {
        /// The upstream URL.
        upstream: String,
        /// Extra CAs (PEM).
        ca_pem: Option<String>,
    },
    /// A link tile.
    Link {
        /// The address.
        link: String,
    },
}

impl Default for KindDraft {
    fn default() -> Self {
        KindDraft::Link {
            link: String::new(),
        }
    }
}

/// The hours as sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HoursDraft {
    /// ISO weekdays.
    pub days: Vec<u8>,
    /// `HH:MM`.
    pub from: String,
    /// `HH:MM`.
    pub to: String,
}

/// An application as an administrator sends it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppDraft {
    /// The name.
    pub name: String,
    /// The title.
    pub title: String,
    /// The description.
    pub description: String,
    /// Proxied or a link.
    pub kind: KindDraft,
    /// Unit paths.
    pub units: Vec<String>,
    /// Role names.
    pub roles: Vec<String>,
    /// Feature names.
    pub features: Vec<String>,
    /// Only with a second factor.
    pub second_factor: bool,
    /// Only from the office networks.
    pub office_only: bool,
    /// Only in these hours.
    pub hours: Option<HoursDraft>,
    /// The most people at once.
    pub max_users: Option<u32>,
    /// The upstream's timeout in seconds (none: the default).
    pub timeout_secs: Option<u32>,
    /// The health check's path (none: `/`).
    pub health_path: Option<String>,
    /// A host name of its own.
    pub host: Option<String>,
}

impl AppDraft {
    /// The application, or every field that is wrong, in the order of the form.
    pub fn validate(self) -> Result<App, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut keep = |r: Result<(), FieldError>| {
            if let Err(e) = r {
                errors.push(e);
            }
        };
        let name = AppName::parse(&self.name);
        keep(name.clone().map(drop));
        let title = self.title.trim().to_string();
        keep(text("title", "Der Titel", &title, 1, 80));
        let description = self.description.trim().to_string();
        keep(text(
            "description",
            "Die Beschreibung",
            &description,
            0,
            300,
        ));
        let kind = match self.kind {
            KindDraft::Proxy { upstream, ca_pem } => {
                let ca_pem = ca_pem.filter(|p| !p.trim().is_empty());
                if let Some(pem) = &ca_pem {
                    keep(check_pem(pem));
                }
                match Upstream::parse(&upstream) {
                    Ok(upstream) => Some(Kind::Proxy { upstream, ca_pem }),
                    Err(e) => {
                        keep(Err(e));
                        None
                    }
                }
            }
            KindDraft::Link { link } => match check_link(&link) {
                Ok(()) => Some(Kind::Link {
                    link: link.trim().to_string(),
                }),
                Err(e) => {
                    keep(Err(e));
                    None
                }
            },
        };
        let mut units = Vec::new();
        for raw in self
            .units
            .iter()
            .map(|u| u.trim())
            .filter(|u| !u.is_empty())
        {
            match UnitPath::parse(raw) {
                Ok(u) if !units.contains(&u) => units.push(u),
                Ok(_) => {}
                Err(_) => keep(Err(FieldError::new(
                    "units",
                    "bad_unit",
                    format!("„{raw}“ ist kein gültiger Pfad einer Organisationseinheit."),
                ))),
            }
        }
        let roles = flags::<Role>(&self.roles, "roles", "Rolle");
        let features = flags::<Feature>(&self.features, "features", "Funktion");
        let roles: RoleSet = roles.unwrap_or_else(|e| {
            keep(Err(e));
            RoleSet::default()
        });
        let features: FeatureSet = features.unwrap_or_else(|e| {
            keep(Err(e));
            FeatureSet::default()
        });
        let hours = match self.hours {
            None => None,
            Some(h) => match hours(h) {
                Ok(h) => Some(h),
                Err(e) => {
                    keep(Err(e));
                    None
                }
            },
        };
        if self.max_users == Some(0) {
            keep(Err(FieldError::new(
                "max_users",
                "out_of_range",
                "Die Höchstzahl gleichzeitiger Nutzer muss mindestens 1 sein (oder leer für unbegrenzt).",
            )));
        }
        let timeout_secs = self.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS);
        if !(1..=MAX_TIMEOUT_SECS).contains(&timeout_secs) {
            keep(Err(FieldError::new(
                "timeout_secs",
                "out_of_range",
                format!("Die Wartezeit liegt zwischen 1 und {MAX_TIMEOUT_SECS} Sekunden."),
            )));
        }
        let health_path = self.health_path.unwrap_or_else(|| "/".into());
        let health_ok = health_path.starts_with('/')
            && !health_path.starts_with("//")
            && health_path.len() <= 200
            && !health_path
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '\\');
        if !health_ok {
            keep(Err(FieldError::new(
                "health_path",
                "bad_path",
                "Der Prüfpfad beginnt mit „/“ und enthält keine Leer- oder Steuerzeichen.",
            )));
        }
        let host = self
            .host
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty());
        if let Some(h) = &host {
            if matches!(kind, Some(Kind::Link { .. })) || !is_host_name(h) {
                keep(Err(FieldError::new(
                    "host",
                    "bad_host",
                    "Der eigene Host-Name ist ein Rechnername wie akte.durchwahl.lra.example (ohne Port, nur für weitergeleitete Anwendungen).",
                )));
            }
        }
        match (name, kind) {
            (Ok(name), Some(kind)) if errors.is_empty() => Ok(App {
                name,
                title,
                description,
                kind,
                rule: Rule {
                    units,
                    roles,
                    features,
                    second_factor: self.second_factor,
                    office_only: self.office_only,
                    hours,
                },
                max_users: self.max_users,
                timeout_secs,
                health_path,
                host,
            }),
            _ => Err(errors),
        }
    }
}

fn text(
    field: &'static str,
    label: &str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), FieldError> {
    let n = value.chars().count();
    if n < min || n > max || value.chars().any(char::is_control) {
        let problem = if n == 0 { "missing" } else { "bad_length" };
        return Err(FieldError::new(
            field,
            problem,
            format!("{label} hat {min} bis {max} Zeichen ohne Steuerzeichen."),
        ));
    }
    Ok(())
}

fn flags<F: Flag>(
    raw: &[String],
    field: &'static str,
    label: &str,
) -> Result<directory::flags::FlagSet<F>, FieldError> {
    raw.iter()
        .map(|r| {
            F::parse(r.trim()).map_err(|_| {
                FieldError::new(
                    field,
                    "unknown",
                    format!("„{r}“ ist keine bekannte {label}."),
                )
            })
        })
        .collect()
}

fn hours(h: HoursDraft) -> Result<Hours, FieldError> {
    let mut days = h.days.clone();
    days.sort_unstable();
    days.dedup();
    if days.is_empty() || days.iter().any(|d| !(1..=7).contains(d)) {
        return Err(FieldError::new(
            "hours.days",
            "bad_days",
            "Wählen Sie mindestens einen Wochentag (1 = Montag bis 7 = Sonntag).",
        ));
    }
    let from = Hours::parse_clock(&h.from).ok_or_else(|| {
        FieldError::new(
            "hours.from",
            "bad_time",
            "Die Anfangszeit hat die Form HH:MM.",
        )
    })?;
    let to = Hours::parse_clock(&h.to).ok_or_else(|| {
        FieldError::new("hours.to", "bad_time", "Die Endzeit hat die Form HH:MM.")
    })?;
    if from >= to {
        return Err(FieldError::new(
            "hours.to",
            "before_start",
            "Die Endzeit liegt nach der Anfangszeit.",
        ));
    }
    Ok(Hours { days, from, to })
}

/// A DNS host name: dot-separated labels of letters, digits and inner hyphens, with at
/// least one dot, and not an IPv4 address.
fn is_host_name(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    host.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && !labels.iter().all(|l| l.bytes().all(|b| b.is_ascii_digit()))
}

fn check_pem(pem: &str) -> Result<(), FieldError> {
    let begins = pem.matches("-----BEGIN CERTIFICATE-----").count();
    let ends = pem.matches("-----END CERTIFICATE-----").count();
    if begins == 0 || begins != ends || pem.len() > 64 * 1024 {
        return Err(FieldError::new(
            "ca_pem",
            "bad_pem",
            "Die Zertifizierungsstellen werden als PEM-Zertifikate (BEGIN/END CERTIFICATE) angegeben.",
        ));
    }
    Ok(())
}

fn check_link(link: &str) -> Result<(), FieldError> {
    let link = link.trim();
    let lower = link.to_ascii_lowercase();
    let scheme_ok = ["https://", "http://", "rdp://", "ica://"]
        .iter()
        .any(|s| lower.starts_with(s) && lower.len() > s.len());
    if !scheme_ok || link.len() > 2000 || link.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(FieldError::new(
            "link",
            "bad_link",
            "Die Verknüpfung beginnt mit https://, http://, rdp:// oder ica:// und enthält keine Leerzeichen.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxy() -> AppDraft {
        AppDraft {
            name: "akte".into(),
            title: "E-Akte".into(),
            kind: KindDraft::Proxy {
                upstream: "http://127.0.0.1:9000/".into(),
                ca_pem: None,
            },
            ..AppDraft::default()
        }
    }

    #[test]
    fn a_good_draft_validates() {
        let app = AppDraft {
            units: vec!["Bauamt".into(), " Bauamt ".into(), "".into()],
            roles: vec!["user".into()],
            features: vec!["softphone".into()],
            hours: Some(HoursDraft {
                days: vec![5, 1, 1],
                from: "07:00".into(),
                to: "19:00".into(),
            }),
            ..proxy()
        }
        .validate()
        .unwrap();
        assert_eq!(app.rule.units.len(), 1);
        assert_eq!(app.rule.hours.unwrap().days, vec![1, 5]);
        assert_eq!(app.timeout_secs, DEFAULT_TIMEOUT_SECS);
        assert_eq!(app.health_path, "/");
    }

    #[test]
    fn every_bad_field_is_named() {
        let errors = AppDraft {
            name: "Akte!".into(),
            title: "".into(),
            kind: KindDraft::Proxy {
                upstream: "ftp://x".into(),
                ca_pem: Some("nonsense".into()),
            },
            roles: vec!["boss".into()],
            features: vec!["teleport".into()],
            units: vec!["a//b".into()],
            hours: Some(HoursDraft {
                days: vec![1],
                from: "19:00".into(),
                to: "07:00".into(),
            }),
            max_users: Some(0),
            timeout_secs: Some(0),
            health_path: Some("x".into()),
            ..AppDraft::default()
        }
        .validate()
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "name",
                "title",
                "ca_pem",
                "upstream",
                "units",
                "roles",
                "features",
                "hours.to",
                "max_users",
                "timeout_secs",
                "health_path"
            ]
        );
    }

    #[test]
    fn links_need_a_known_scheme() {
        let draft = |link: &str| AppDraft {
            kind: KindDraft::Link { link: link.into() },
            ..proxy()
        };
        assert!(draft("rdp://ts.lra.example").validate().is_ok());
        assert!(draft("https://storefront.lra.example/Citrix/")
            .validate()
            .is_ok());
        for bad in [
            "javascript:alert(1)",
            "https://",
            "//evil",
            "file:///etc/passwd",
            "https://a b",
        ] {
            assert_eq!(draft(bad).validate().unwrap_err()[0].field, "link", "{bad}");
        }
    }

    #[test]
    fn own_host_names() {
        let draft = |host: &str| AppDraft {
            host: Some(host.into()),
            ..proxy()
        };
        let app = draft(" Akte.Durchwahl.LRA.example ").validate().unwrap();
        assert_eq!(app.host.as_deref(), Some("akte.durchwahl.lra.example"));
        assert_eq!(draft("").validate().unwrap().host, None);
        for bad in [
            "akte",
            "10.1.2.3",
            "akte.example:8443",
            "-a.example",
            "a..example",
            "a_b.example",
        ] {
            assert_eq!(draft(bad).validate().unwrap_err()[0].field, "host", "{bad}");
        }
        let link = AppDraft {
            kind: KindDraft::Link {
                link: "rdp://ts".into(),
            },
            ..draft("ts.lra.example")
        };
        assert_eq!(link.validate().unwrap_err()[0].field, "host");
    }

    #[test]
    fn names() {
        for good in ["a", "akte", "e-akte-2", &"a".repeat(40)] {
            assert!(AppName::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "-a", "A", "a_b", "a/b", "a.b", &"a".repeat(41)] {
            assert!(AppName::parse(bad).is_err(), "{bad}");
        }
    }
}
