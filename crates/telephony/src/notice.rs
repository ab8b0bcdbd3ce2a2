//! What the shell has to do besides sending: [`Notice`]s, drained with
//! [`crate::Switch::poll_notice`].

use crate::flow::Flow;
use sip::registrar::Binding;

/// What the shell has to do besides sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Save a device's changed bindings; answer with [`crate::Switch::handle_saved`] (the phone
    /// gets its 200 only after the commit).
    Save {
        /// Pass back to [`crate::Switch::handle_saved`].
        ticket: u64,
        /// The device.
        device_id: i64,
        /// New or refreshed bindings, with the flow their REGISTER came over.
        added: Vec<Binding<Flow>>,
        /// Bindings to delete.
        removed: Vec<Binding<Flow>>,
    },
    /// Bindings ran out or their device went away: delete them (nobody waits).
    Expired {
        /// The device.
        device_id: i64,
        /// The bindings.
        bindings: Vec<Binding<Flow>>,
    },
    /// A person's first device registered, or their last one went away.
    Devices {
        /// The person.
        person_id: i64,
        /// Whether any device is registered now.
        online: bool,
    },
    /// A person's first call was answered, or their last call ended.
    Call {
        /// The person.
        person_id: i64,
        /// Whether they are in a call now.
        active: bool,
    },
    /// A phone watches this person's voicemail box (message-waiting, RFC 3842) and the
    /// switch does not know its counts: read them and pass them to
    /// [`crate::Switch::handle_voicemail`]; from then on pass every change of them too
    /// (the switch drops the counts of boxes nobody watches). The phone's first NOTIFY
    /// waits for the answer.
    VoicemailCounts {
        /// The person.
        person_id: i64,
    },
    /// A text MESSAGE (RFC 3428) from one person's device to another person: besides
    /// going to their phones, it belongs in the two people's chat.
    Message {
        /// The sender's person.
        from_person: i64,
        /// The receiver's person.
        to_person: i64,
        /// The text.
        text: String,
    },
}
