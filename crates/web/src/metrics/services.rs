//! Figures owned by services outside the web crate (the SIP switch, call control, the
//! media threads), asked at scrape time. The server implements [`ServiceFigures`] (like
//! [`crate::fax::FaxService`]): each service answers through its own input queue from the
//! state it keeps anyway, so nothing is counted twice.

use std::future::Future;
use std::pin::Pin;

/// A future the server's services answer.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The SIP switch's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SipFigures {
    /// Registered contacts in the registrar.
    pub registrations: u64,
    /// Provisioned devices.
    pub devices: u64,
    /// Registration changes waiting for the database writer.
    pub write_queue: u64,
}

/// Call control's figures.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallFigures {
    /// Calls held now.
    pub calls: u64,
    /// Callers waiting in hotline queues.
    pub waiting: u64,
    /// Logged-in agents by state (`ready`, `ringing`, `on_call`, `wrap_up`, `paused`),
    /// each person once.
    pub agents: Vec<(&'static str, u64)>,
}

/// What the services answered; `None` for one that did not answer in time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceCounts {
    /// The SIP switch.
    pub sip: Option<SipFigures>,
    /// Call control and the hotlines' switchboard.
    pub calls: Option<CallFigures>,
    /// Media legs on all media threads.
    pub media_legs: Option<u64>,
}

/// The server's services, asked for their figures.
pub trait ServiceFigures: Send + Sync + std::fmt::Debug {
    /// The figures now; each service that does not answer within the server's bound is
    /// `None`.
    fn read(&self) -> Pending<'_, ServiceCounts>;
}
