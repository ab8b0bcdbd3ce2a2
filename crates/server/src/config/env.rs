//! `DURCHWAHL_*` environment variables onto the configuration tree, generically: every
//! setting can come from the environment without a hand-kept list.
//!
//! `DURCHWAHL_SIP__RING_TIMEOUT_SECONDS` (or `DURCHWAHL_SIP_RING_TIMEOUT_SECONDS`) sets
//! `ring_timeout_seconds` in `[sip]`; a name whose first word is no section is a
//! top-level key (`DURCHWAHL_DATA_DIR`). The value's type follows the default's: a
//! number, `true`/`false`, a TOML array (`["10.0.0.0/8"]`) or text. A variable that
//! names no setting, or holds a value the setting cannot take, is an error that names the
//! variable.

use super::Config;
use anyhow::{anyhow, bail};
use serde::Deserialize;

/// The variable that names the file; not a setting.
const FILE_VARIABLE: &str = "DURCHWAHL_CONFIG";

/// Applies every `DURCHWAHL_*` variable of `env` to `tree`.
pub fn apply(tree: &mut toml::Table, env: &[(String, String)]) -> anyhow::Result<()> {
    let defaults = toml::Table::try_from(Config::default())
        .map_err(|e| anyhow!("the default configuration cannot be written: {e}"))?;
    for (name, value) in env {
        let Some(rest) = name.strip_prefix("DURCHWAHL_") else {
            continue;
        };
        if name == FILE_VARIABLE {
            continue;
        }
        let (section, key) = resolve(rest, &defaults);
        let typed = typed(value, section.as_deref(), &key, &defaults);
        // Checked alone first, so an error names the variable, not a merged tree.
        let mut alone = toml::Table::new();
        insert(&mut alone, section.as_deref(), &key, typed.clone());
        if let Err(e) = Config::deserialize(alone) {
            bail!("environment variable {name}: {}", e.message());
        }
        insert(tree, section.as_deref(), &key, typed);
    }
    Ok(())
}

/// `SIP__RING_TIMEOUT_SECONDS` → (`sip`, `ring_timeout_seconds`); `DATA_DIR` → (none,
/// `data_dir`).
fn resolve(name: &str, defaults: &toml::Table) -> (Option<String>, String) {
    let lower = name.to_ascii_lowercase();
    if let Some((section, key)) = lower.split_once("__") {
        return (Some(section.to_owned()), key.to_owned());
    }
    match lower.split_once('_') {
        Some((section, key)) if defaults.get(section).is_some_and(toml::Value::is_table) => {
            (Some(section.to_owned()), key.to_owned())
        }
        _ => (None, lower),
    }
}

/// The value as the setting's type: the default's type where there is one (optional
/// settings without a default are text, an address or a path).
fn typed(value: &str, section: Option<&str>, key: &str, defaults: &toml::Table) -> toml::Value {
    let table = match section {
        Some(s) => defaults.get(s).and_then(toml::Value::as_table),
        None => Some(defaults),
    };
    let text = || toml::Value::String(value.to_owned());
    match table.and_then(|t| t.get(key)) {
        Some(toml::Value::Integer(_)) => value
            .trim()
            .parse()
            .map(toml::Value::Integer)
            .unwrap_or_else(|_| text()),
        Some(toml::Value::Boolean(_)) => match value.trim() {
            "true" => toml::Value::Boolean(true),
            "false" => toml::Value::Boolean(false),
            _ => text(),
        },
        Some(toml::Value::Array(_)) => format!("v = {value}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(text),
        _ => text(),
    }
}

fn insert(tree: &mut toml::Table, section: Option<&str>, key: &str, value: toml::Value) {
    let table = match section {
        Some(name) => match tree
            .entry(name)
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        {
            toml::Value::Table(t) => t,
            // A top-level key of that name in the file: the variable wins.
            other => {
                *other = toml::Value::Table(toml::Table::new());
                match other {
                    toml::Value::Table(t) => t,
                    _ => return,
                }
            }
        },
        None => tree,
    };
    table.insert(key.to_owned(), value);
}
