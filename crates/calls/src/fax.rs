//! Faxes: a call for a fax box (a person's or a unit's fax number) is answered by call
//! control, and a fax to send is a call that call control places from a box to a
//! number. Either way, once the line is up the shell puts a fax modem on the leg
//! ([`FaxEvent::Connected`]) and hears when the call ended and why ([`FaxEvent::Ended`]);
//! what the modem says is the shell's business (SpanDSP, in the server).

use crate::frames::EndReason;
use crate::party::{CallId, LegRef, Party};
use media::Codec;

/// What happened to a fax's call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaxEvent {
    /// The line is up: the modem goes on `leg` (speaking `codec`, a G.711 law).
    Connected {
        /// The fax's call.
        call: CallId,
        /// Which fax box.
        fax_box: i64,
        /// The far end (who sends us a fax, or whom we send one).
        remote: Party,
        /// The leg the modem speaks on.
        leg: LegRef,
        /// Its codec.
        codec: Codec,
        /// We send (we placed the call), rather than receive.
        sending: bool,
    },
    /// The call ended: the far end hung up, the modem finished, or (a fax to send) it
    /// was never answered: busy, no answer, not found.
    Ended {
        /// The fax's call.
        call: CallId,
        /// Why.
        reason: EndReason,
    },
}
