//! What a part of the switch works with besides its own state while it handles one
//! input: the time, the switch's read-only parts (its addresses, the accounts) and the
//! way out (the wire, and what it raises for the shell and the other parts). The facade
//! lends it for one call; no part keeps it.

use crate::accounts::Accounts;
use crate::headers::Local;
use crate::raised::Raised;
use crate::wire::Wire;

/// The arguments every part's handler gets, in one bundle.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    /// Now, Unix milliseconds.
    pub(crate) now: i64,
    /// Our addresses and domain.
    pub(crate) local: &'a Local,
    /// The devices and people.
    pub(crate) accounts: &'a Accounts,
    /// Transactions and sends.
    pub(crate) wire: &'a mut Wire,
    /// Notices and news.
    pub(crate) raised: &'a mut Raised,
}
