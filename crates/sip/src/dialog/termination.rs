//! When a dialog ends, and why (RFC 3261 §12.3, §15; RFC 5057 §5.1).
//!
//! The rule for a final response (or none) to one of our requests inside a dialog:
//!
//! * **The dialog ends** on 404, 410, 416, 482, 483, 484, 485, 502 and 604: the remote
//!   target or the route set is broken, so every later request would fail the same way
//!   (RFC 5057 §5.1).
//! * **The usage ends** on 481, 408 and on no response at all: the peer has lost the
//!   usage, or is gone (RFC 3261 §12.2.1.2, RFC 5057 §5.1). A dialog made by INVITE has
//!   one usage, the session, and ends with it — except that SUBSCRIBE, NOTIFY and REFER
//!   belong to an event subscription inside the dialog (RFC 6665, RFC 3515): for them
//!   only that subscription ends ([`super::Event::UsageEnded`]) and the call goes on.
//! * **Only the transaction ends** on everything else (2xx, 3xx, 401/407, 486–488, 491,
//!   5xx other than 502, 6xx other than 604): the request failed, the dialog stands.
//!
//! A BYE ends the dialog whatever its answer, except a 401 or 407, after which a BYE
//! with credentials may follow (RFC 3261 §15.1.1).

use crate::method::Method;

/// What a final response to an in-dialog request does beyond its transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Nothing: only the request failed (or succeeded).
    Transaction,
    /// The usage the request belongs to ends.
    Usage,
    /// The whole dialog ends.
    Dialog,
}

/// The effect of a final response `code` to an in-dialog request, or of none (`None`: the
/// client transaction timed out). See the module documentation for the rule.
pub fn effect(code: Option<u16>) -> Effect {
    match code {
        None | Some(408 | 481) => Effect::Usage,
        Some(404 | 410 | 416 | 482 | 483 | 484 | 485 | 502 | 604) => Effect::Dialog,
        Some(_) => Effect::Transaction,
    }
}

/// Whether a method belongs to an event subscription inside the dialog rather than to
/// its session (RFC 5057 §3: the subscription usage of a transfer).
pub fn is_subscription_method(method: &Method) -> bool {
    matches!(method, Method::Subscribe | Method::Notify | Method::Refer)
}

/// Why a dialog ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Our BYE was answered, or got no answer (RFC 3261 §15.1.1).
    LocalBye,
    /// The peer sent BYE (RFC 3261 §15.1.2); answer it, and any request still pending
    /// (487 is recommended).
    RemoteBye,
    /// The dialog-creating INVITE got a final non-2xx, sent by us as the UAS or received
    /// as the UAC; this ends every early dialog (RFC 3261 §12.3, §13.2.2.3).
    Rejected {
        /// The status.
        code: u16,
    },
    /// Another fork's 2xx confirmed another dialog, and this early one got none before
    /// the INVITE transaction ended, 64·T1 after that 2xx (RFC 3261 §13.2.2.4).
    NotChosen,
    /// A 2xx for a second dialog of the same INVITE, or one that crossed our CANCEL: it
    /// was acknowledged and ended with BYE (RFC 3261 §13.2.2.4, §15).
    Surplus,
    /// An in-dialog request of ours got a response that ends the dialog (the rule above).
    Failed {
        /// The request's method.
        method: Method,
        /// The status.
        code: u16,
    },
    /// An in-dialog request of ours (or the INVITE) got no response at all.
    NoResponse {
        /// The request's method.
        method: Method,
    },
    /// Our 2xx to an INVITE was not acknowledged within 64·T1; a BYE was sent (RFC 3261
    /// §13.3.1.4).
    NoAck,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_end_the_transaction_the_usage_or_the_dialog() {
        for code in [200, 202, 302, 401, 407, 486, 487, 488, 491, 500, 503, 603] {
            assert_eq!(effect(Some(code)), Effect::Transaction, "{code}");
        }
        for code in [None, Some(408), Some(481)] {
            assert_eq!(effect(code), Effect::Usage, "{code:?}");
        }
        for code in [404, 410, 416, 482, 483, 484, 485, 502, 604] {
            assert_eq!(effect(Some(code)), Effect::Dialog, "{code}");
        }
        assert!(is_subscription_method(&Method::Notify));
        assert!(!is_subscription_method(&Method::Info));
    }
}
