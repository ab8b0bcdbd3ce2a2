//! Who is in a call and how things are named.

use std::fmt;

/// A call, named by the server: `c7`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u64);

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "c{}", self.0)
    }
}

impl std::str::FromStr for CallId {
    type Err = ();
    fn from_str(s: &str) -> Result<CallId, ()> {
        s.strip_prefix('c')
            .and_then(|n| n.parse().ok())
            .map(CallId)
            .ok_or(())
    }
}

/// One open client (a WebSocket) of a person.
pub type Conn = u64;

/// A media leg, as the shell names it (its media thread and the engine's leg id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LegRef(pub u64);

/// One side of a call as the other side sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// The person, when in the directory.
    pub person: Option<i64>,
    /// The name (directory), if known.
    pub name: Option<String>,
    /// The number: an extension, or an outside number in E.164.
    pub number: String,
    /// The login, if a person.
    pub login: Option<String>,
    /// The unit's name, if known.
    pub unit: Option<String>,
}

impl Party {
    /// A person of the directory.
    pub fn person(id: i64, name: &str, number: &str, login: &str, unit: &str) -> Party {
        Party {
            person: Some(id),
            name: Some(name.to_string()),
            number: number.to_string(),
            login: Some(login.to_string()),
            unit: Some(unit.to_string()),
        }
    }

    /// A service of the server (the echo test), named by its number.
    pub fn service(number: &str, name: &str) -> Party {
        Party {
            person: None,
            name: Some(name.to_string()),
            number: number.to_string(),
            login: None,
            unit: None,
        }
    }
}

/// A SIP call of call control's user agent, named by call control (the shell keeps the
/// user agent's own handle beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SipRef(pub u64);

/// Which SIP user agent of call control carries a SIP side: the one towards the switch
/// (desk phones), or a trunk's (the outside line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Via {
    /// The switch.
    #[default]
    Switch,
    /// Trunk number n (the configuration's order).
    Trunk(usize),
}
