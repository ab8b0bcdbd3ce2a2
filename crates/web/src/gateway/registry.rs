//! The published applications as the gateway serves them: read from the store at start and
//! after every administrator's change, each proxied one with its own HTTP client (its CAs,
//! its connection pool). Requests read the current table without waiting for a change.

use gateway::app::{App, AppDraft, HoursDraft, Kind, KindDraft};
use gateway::rule::Hours;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use store::{GatewayAppRow, NewGatewayApp};

/// One published application.
#[derive(Debug)]
pub struct Published {
    /// The application.
    pub app: App,
    /// Its HTTP client (proxied applications only).
    pub client: Option<reqwest::Client>,
}

/// The table of published applications.
#[derive(Debug, Default)]
pub struct Registry {
    apps: RwLock<Arc<HashMap<String, Arc<Published>>>>,
    hosts: RwLock<Arc<HashMap<String, Arc<Published>>>>,
}

impl Registry {
    /// The application named `name`.
    pub fn get(&self, name: &str) -> Option<Arc<Published>> {
        self.table().get(name).cloned()
    }

    /// The application served at the host name `host` (lower case, without port).
    pub fn by_host(&self, host: &str) -> Option<Arc<Published>> {
        let hosts = self
            .hosts
            .read()
            .map(|t| t.clone())
            .unwrap_or_else(|poisoned| poisoned.into_inner().clone());
        hosts.get(host).cloned()
    }

    /// Every application.
    pub fn table(&self) -> Arc<HashMap<String, Arc<Published>>> {
        self.apps
            .read()
            .map(|t| t.clone())
            .unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }

    /// Replaces the table with `rows` (a row that no longer validates is left out, logged).
    pub fn load(&self, rows: Vec<GatewayAppRow>) {
        let mut table = HashMap::new();
        for row in rows {
            let name = row.app.name.clone();
            match published(row) {
                Ok(p) => {
                    table.insert(name, Arc::new(p));
                }
                Err(why) => {
                    tracing::error!(app = %name, %why, "a published application cannot be served")
                }
            }
        }
        let hosts: HashMap<String, Arc<Published>> = table
            .values()
            .filter_map(|p: &Arc<Published>| p.app.host.clone().map(|h| (h, p.clone())))
            .collect();
        let (table, hosts) = (Arc::new(table), Arc::new(hosts));
        match self.apps.write() {
            Ok(mut t) => *t = table,
            Err(poisoned) => *poisoned.into_inner() = table,
        }
        match self.hosts.write() {
            Ok(mut t) => *t = hosts,
            Err(poisoned) => *poisoned.into_inner() = hosts,
        }
    }
}

fn published(row: GatewayAppRow) -> Result<Published, String> {
    let app = draft_of(&row.app).validate().map_err(|errors| {
        errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join(" ")
    })?;
    let client = match &app.kind {
        Kind::Proxy { ca_pem, .. } => Some(client(ca_pem.as_deref(), app.timeout_secs)?),
        Kind::Link { .. } => None,
    };
    Ok(Published { app, client })
}

/// The HTTP client of a proxied application: no redirects followed (the browser follows
/// them), no proxy from the environment, HTTP/1.1, the system's CAs and `ca_pem`'s.
pub fn client(ca_pem: Option<&str>, timeout_secs: u32) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .http1_only()
        .connect_timeout(Duration::from_secs(u64::from(timeout_secs.min(10))))
        .pool_idle_timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(256);
    if let Some(pem) = ca_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
            .map_err(|e| format!("the CA certificates cannot be read: {e}"))?;
        builder = builder.tls_certs_merge(certs);
    }
    builder.build().map_err(|e| format!("no HTTP client: {e}"))
}

/// The draft a stored row describes (what the administrator sent).
pub fn draft_of(row: &NewGatewayApp) -> AppDraft {
    let kind = match row.kind.as_str() {
        "proxy" => KindDraft::Proxy {
            upstream: row.upstream.clone().unwrap_or_default(),
            ca_pem: row.ca_pem.clone(),
        },
        _ => KindDraft::Link {
            link: row.link.clone().unwrap_or_default(),
        },
    };
    let hours = match (&row.hours_days, row.hours_from, row.hours_to) {
        (Some(days), Some(from), Some(to)) => Some(HoursDraft {
            days: days.clone(),
            from: Hours::clock(from),
            to: Hours::clock(to),
        }),
        _ => None,
    };
    AppDraft {
        name: row.name.clone(),
        title: row.title.clone(),
        description: row.description.clone(),
        kind,
        units: row.units.clone(),
        roles: row.roles.clone(),
        features: row.features.clone(),
        second_factor: row.second_factor,
        office_only: row.office_only,
        hours,
        max_users: row.max_users,
        timeout_secs: Some(row.timeout_secs),
        health_path: Some(row.health_path.clone()),
        host: row.host.clone(),
    }
}

/// The row that stores a validated application.
pub fn row_of(app: &App) -> NewGatewayApp {
    let (kind, upstream, ca_pem, link) = match &app.kind {
        Kind::Proxy { upstream, ca_pem } => (
            "proxy",
            Some(format!("{}{}", upstream.origin(), upstream.base)),
            ca_pem.clone(),
            None,
        ),
        Kind::Link { link } => ("link", None, None, Some(link.clone())),
    };
    let rule = &app.rule;
    NewGatewayApp {
        name: app.name.as_str().to_string(),
        title: app.title.clone(),
        description: app.description.clone(),
        kind: kind.to_string(),
        upstream,
        ca_pem,
        link,
        units: rule.units.iter().map(|u| u.to_string()).collect(),
        roles: rule.roles.iter().map(flag_name).collect(),
        features: rule.features.iter().map(flag_name).collect(),
        second_factor: rule.second_factor,
        office_only: rule.office_only,
        hours_days: rule.hours.as_ref().map(|h| h.days.clone()),
        hours_from: rule.hours.as_ref().map(|h| h.from),
        hours_to: rule.hours.as_ref().map(|h| h.to),
        max_users: app.max_users,
        timeout_secs: app.timeout_secs,
        health_path: app.health_path.clone(),
        host: app.host.clone(),
    }
}

fn flag_name<F: directory::flags::Flag>(flag: F) -> String {
    flag.name().to_string()
}
