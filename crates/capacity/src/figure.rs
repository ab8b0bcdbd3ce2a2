//! The figures the capacity page shows: a [`Key`] (what is measured) and, for the access
//! gateway's users, the application it is measured for. A figure is stored and sent as
//! its [`Figure::id`]: the key's name, or `gateway_users:NAME`.

use std::fmt;

/// What is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// The process's CPU seconds per second, against the cores it may use.
    Cpu,
    /// The process's resident memory, against the machine's memory.
    Memory,
    /// The process's open file descriptors (every HTTP, WebSocket and SIP-over-TCP
    /// connection holds one), against its open-files limit.
    Connections,
    /// Media legs, against the media port range's pairs.
    MediaLegs,
    /// Database connections in use, against the pool's maximum.
    DbPool,
    /// Chat writes waiting for the database, against the queue's capacity.
    WriteQueueChat,
    /// Registration changes waiting for the database, against the queue's capacity.
    WriteQueueRegistrations,
    /// The data folder's disk, used against its size.
    Disk,
    /// People using a published application, against its `max_users`.
    GatewayUsers,
    /// Calls held now (no limit).
    Calls,
    /// Registered SIP contacts (no limit).
    Registrations,
}

/// Every key, in the order the page shows them.
pub const KEYS: [Key; 11] = [
    Key::Cpu,
    Key::Memory,
    Key::Connections,
    Key::MediaLegs,
    Key::DbPool,
    Key::WriteQueueChat,
    Key::WriteQueueRegistrations,
    Key::Disk,
    Key::GatewayUsers,
    Key::Calls,
    Key::Registrations,
];

/// What a figure's value counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// CPU cores (seconds of CPU time per second).
    Cores,
    /// Bytes.
    Bytes,
    /// Things counted.
    Count,
}

impl Unit {
    /// The unit as the API names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Cores => "cores",
            Unit::Bytes => "bytes",
            Unit::Count => "count",
        }
    }
}

impl Key {
    /// The key as the API and the store name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Key::Cpu => "cpu",
            Key::Memory => "memory",
            Key::Connections => "connections",
            Key::MediaLegs => "media_legs",
            Key::DbPool => "db_pool",
            Key::WriteQueueChat => "write_queue_chat",
            Key::WriteQueueRegistrations => "write_queue_registrations",
            Key::Disk => "disk",
            Key::GatewayUsers => "gateway_users",
            Key::Calls => "calls",
            Key::Registrations => "registrations",
        }
    }

    /// The key named `name`.
    pub fn parse(name: &str) -> Option<Key> {
        KEYS.into_iter().find(|k| k.as_str() == name)
    }

    /// Its unit.
    pub fn unit(self) -> Unit {
        match self {
            Key::Cpu => Unit::Cores,
            Key::Memory | Key::Disk => Unit::Bytes,
            _ => Unit::Count,
        }
    }

    /// Its German name, for mails.
    pub fn german(self) -> &'static str {
        match self {
            Key::Cpu => "Prozessorlast (CPU)",
            Key::Memory => "Arbeitsspeicher",
            Key::Connections => "Offene Verbindungen und Dateien",
            Key::MediaLegs => "Medienkanäle",
            Key::DbPool => "Datenbankverbindungen",
            Key::WriteQueueChat => "Schreibwarteschlange Chat",
            Key::WriteQueueRegistrations => "Schreibwarteschlange Registrierungen",
            Key::Disk => "Speicherplatz des Datenordners",
            Key::GatewayUsers => "Nutzende der Anwendung",
            Key::Calls => "Gespräche",
            Key::Registrations => "Registrierte Telefone",
        }
    }
}

/// A figure: a key, and for [`Key::GatewayUsers`] the application.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Figure {
    /// What is measured.
    pub key: Key,
    /// The published application (only with [`Key::GatewayUsers`]).
    pub app: Option<String>,
}

impl Figure {
    /// A figure of the whole server.
    pub fn of(key: Key) -> Figure {
        Figure { key, app: None }
    }

    /// The users of the application `name`.
    pub fn gateway_users(name: &str) -> Figure {
        Figure {
            key: Key::GatewayUsers,
            app: Some(name.to_owned()),
        }
    }

    /// How it is stored: `cpu`, `gateway_users:e-akte`.
    pub fn id(&self) -> String {
        self.to_string()
    }

    /// The figure stored as `id`; `None` for an unknown key.
    pub fn parse(id: &str) -> Option<Figure> {
        match id.split_once(':') {
            Some((key, app)) => {
                let key = Key::parse(key)?;
                (key == Key::GatewayUsers && !app.is_empty()).then(|| Figure {
                    key,
                    app: Some(app.to_owned()),
                })
            }
            None => Key::parse(id).map(Figure::of),
        }
    }

    /// Its German name, for mails: „Nutzende der Anwendung „e-akte““.
    pub fn german(&self) -> String {
        match &self.app {
            Some(app) => format!("{} „{app}“", self.key.german()),
            None => self.key.german().to_owned(),
        }
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.app {
            Some(app) => write!(f, "{}:{app}", self.key.as_str()),
            None => f.write_str(self.key.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for key in KEYS {
            assert_eq!(Figure::parse(key.as_str()), Some(Figure::of(key)));
        }
        let app = Figure::gateway_users("e-akte");
        assert_eq!(app.id(), "gateway_users:e-akte");
        assert_eq!(Figure::parse(&app.id()), Some(app));
        assert_eq!(Figure::parse("cpu:x"), None);
        assert_eq!(Figure::parse("gateway_users:"), None);
        assert_eq!(Figure::parse("nope"), None);
    }
}
