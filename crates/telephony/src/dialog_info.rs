//! The dialog event package's document, `application/dialog-info+xml` (RFC 4235 §4), and
//! [`BlfState`], the pure tracker of one watched person's calls that desk phones' busy
//! lamp field (BLF) keys follow: an early dialog with `direction="recipient"` blinks
//! (ringing; 'call pickup' phones show the remote identity), a confirmed one is lit.
//!
//! ```
//! use telephony::dialog_info::{BlfState, DialogState, Identity};
//! let mut anna = BlfState::new("sip:2401@pbx.example");
//! let caller = Identity::new("sip:2301@pbx.example", Some("Ben Böhm"));
//! let ringing = anna.ringing("c1", Some("from1"), Some(caller)).unwrap();
//! assert_eq!(ringing.dialogs[0].state, DialogState::Early);
//! let talking = anna.answered("c1", Some("to1")).unwrap();
//! assert_eq!(talking.dialogs[0].state, DialogState::Confirmed);
//! let ended = anna.ended("c1").unwrap();
//! assert_eq!(ended.dialogs[0].state, DialogState::Terminated);
//! assert!(anna.document().dialogs.is_empty()); // idle
//! let xml = talking.to_xml();
//! assert!(xml.contains(r#"state="full" entity="sip:2401@pbx.example""#));
//! assert!(xml.contains("<state>confirmed</state>"));
//! assert!(xml.contains(r#"<identity display="Ben Böhm">sip:2301@pbx.example</identity>"#));
//! ```
//!
//! **Versions live per subscription**, not per person: RFC 4235 §4.1 starts them at 0 and
//! scopes them to a subscription, and a refresh or the first NOTIFY of a new subscriber
//! must advance only that subscriber's counter. So the documents here carry version 0 and
//! [`crate::subscriptions::Subscriptions::notify`] stamps each subscription's next number.
//!
//! **Always full state.** Every document lists all of the person's current dialogs, so a
//! phone that missed one NOTIFY is right again with the next; together with one NOTIFY in
//! flight per subscription (see [`crate::subscriptions`]) phones see the states in order.

use crate::xml::{push_attr, push_element, push_escaped};
use bytes::Bytes;
use sip::name_addr::NameAddr;
use sip::{HeaderName, Message};

/// The body's media type (RFC 4235 §4).
pub const CONTENT_TYPE: &str = "application/dialog-info+xml";

/// The document's XML namespace (RFC 4235 §4.1).
pub const NAMESPACE: &str = "urn:ietf:params:xml:ns:dialog-info";

/// How many dialogs one person's document lists at most: nobody has more calls at once,
/// and a flood of INVITEs to one extension must not grow every NOTIFY to its watchers.
pub const MAX_DIALOGS: usize = 16;

/// Whether a document holds all dialogs or only the changed ones (RFC 4235 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocState {
    /// All dialogs of the entity (what [`BlfState`] writes).
    Full,
    /// Only the dialogs that changed since the previous version.
    Partial,
}

/// Who sent the INVITE, seen from the watched person (RFC 4235 §4.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The watched person called.
    Initiator,
    /// The watched person is called.
    Recipient,
}

/// A dialog's state (RFC 4235 §3.7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogState {
    /// INVITE sent or received, no answer yet.
    Trying,
    /// A provisional answer without a To tag.
    Proceeding,
    /// A provisional answer with a To tag: ringing.
    Early,
    /// Answered.
    Confirmed,
    /// Over (reported once, then left out).
    Terminated,
}

impl DialogState {
    /// The element text.
    pub fn as_str(self) -> &'static str {
        match self {
            DialogState::Trying => "trying",
            DialogState::Proceeding => "proceeding",
            DialogState::Early => "early",
            DialogState::Confirmed => "confirmed",
            DialogState::Terminated => "terminated",
        }
    }
}

/// A participant's identity: a URI and maybe a display name (RFC 4235 §4.1.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The URI (`sip:2301@pbx.example`).
    pub uri: String,
    /// The display name, if any.
    pub display: Option<String>,
}

impl Identity {
    /// From a URI and display name.
    pub fn new(uri: &str, display: Option<&str>) -> Identity {
        Identity {
            uri: uri.to_owned(),
            display: display.map(str::to_owned),
        }
    }

    /// The caller of an INVITE as its From names them, or `None` when the caller asked
    /// for privacy (RFC 3323 `Privacy: id`, `user` or `header`) or the From is unreadable:
    /// colleagues' phones must not show a number the caller withheld.
    pub fn of_caller(invite: &Message) -> Option<Identity> {
        let private = invite
            .header_values(&HeaderName::Other(Bytes::from_static(b"Privacy")))
            .iter()
            .flat_map(|v| v.split(|c| *c == b';'))
            .any(|p| {
                let p = p.trim_ascii();
                [&b"id"[..], b"user", b"header"]
                    .iter()
                    .any(|w| p.eq_ignore_ascii_case(w))
            });
        if private {
            return None;
        }
        let from = NameAddr::parse(invite.header(&HeaderName::From)?).ok()?;
        let uri = std::str::from_utf8(&from.uri).ok()?;
        let display = from
            .display
            .map(|d| String::from_utf8_lossy(&d).into_owned());
        Some(Identity::new(uri, display.as_deref()))
    }
}

/// One dialog of the watched person (RFC 4235 §4.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogEntry {
    /// Identifies the dialog within the document, the same in every version.
    pub id: String,
    /// The dialog's Call-ID.
    pub call_id: Option<String>,
    /// The watched person's tag.
    pub local_tag: Option<String>,
    /// The other party's tag.
    pub remote_tag: Option<String>,
    /// Who called.
    pub direction: Direction,
    /// The state.
    pub state: DialogState,
    /// The other party, if it may be shown.
    pub remote: Option<Identity>,
}

/// An `application/dialog-info+xml` document (RFC 4235 §4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogInfo {
    /// The watched person's address of record (`sip:2401@pbx.example`).
    pub entity: String,
    /// Orders the documents of one subscription (RFC 4235 §4.1; see the module notes).
    pub version: u32,
    /// Full or partial.
    pub state: DocState,
    /// The dialogs; none means idle.
    pub dialogs: Vec<DialogEntry>,
}

impl DialogInfo {
    /// The idle document: full state, no dialogs.
    pub fn idle(entity: &str) -> DialogInfo {
        DialogInfo {
            entity: entity.to_owned(),
            version: 0,
            state: DocState::Full,
            dialogs: Vec::new(),
        }
    }

    /// The XML document (UTF-8; every value escaped).
    pub fn to_xml(&self) -> String {
        let mut out = String::with_capacity(160 + 200 * self.dialogs.len());
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<dialog-info");
        push_attr(&mut out, "xmlns", NAMESPACE);
        push_attr(&mut out, "version", &self.version.to_string());
        let state = match self.state {
            DocState::Full => "full",
            DocState::Partial => "partial",
        };
        push_attr(&mut out, "state", state);
        push_attr(&mut out, "entity", &self.entity);
        out.push_str(">\n");
        for d in &self.dialogs {
            out.push_str("<dialog");
            push_attr(&mut out, "id", &d.id);
            for (name, value) in [
                ("call-id", &d.call_id),
                ("local-tag", &d.local_tag),
                ("remote-tag", &d.remote_tag),
            ] {
                if let Some(v) = value {
                    push_attr(&mut out, name, v);
                }
            }
            let direction = match d.direction {
                Direction::Initiator => "initiator",
                Direction::Recipient => "recipient",
            };
            push_attr(&mut out, "direction", direction);
            out.push_str(">\n");
            push_element(&mut out, "state", d.state.as_str());
            out.push('\n');
            // Only the remote identity: phones show it and 'call pickup' keys read it. No
            // <target>: some phones dial the remote target to pick up, which would call
            // the caller a second time.
            if let Some(remote) = &d.remote {
                out.push_str("<remote><identity");
                if let Some(display) = &remote.display {
                    push_attr(&mut out, "display", display);
                }
                out.push('>');
                push_escaped(&mut out, &remote.uri);
                out.push_str("</identity></remote>\n");
            }
            out.push_str("</dialog>\n");
        }
        out.push_str("</dialog-info>\n");
        out
    }
}

/// A stable dialog id from the Call-ID and direction (FNV-1a): the same call keeps its id
/// in every version, and ids are never reused by a later call (a counter would restart
/// when an idle tracker is dropped and made anew).
fn dialog_id(call_id: &str, direction: Direction) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in call_id.bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let prefix = match direction {
        Direction::Initiator => 'i',
        Direction::Recipient => 'r',
    };
    format!("{prefix}{hash:016x}")
}

/// A change in one person's calls, as the proxy sees it, for their busy lamp
/// ([`BlfState::apply`]). Owned, so the proxy can hand it on to the notifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEvent {
    /// A call to them rings (their devices got the INVITE).
    Ringing {
        /// The call.
        call_id: String,
        /// The caller's From tag.
        from_tag: Option<String>,
        /// Who calls, unless they withheld it ([`Identity::of_caller`]).
        caller: Option<Identity>,
    },
    /// They place a call (their INVITE was forwarded).
    Calling {
        /// The call.
        call_id: String,
        /// Their own From tag.
        from_tag: Option<String>,
        /// Whom they call (the INVITE's To).
        callee: Option<Identity>,
    },
    /// The call was answered.
    Answered {
        /// The call.
        call_id: String,
        /// The callee's To tag.
        to_tag: Option<String>,
    },
    /// The call is over.
    Ended {
        /// The call.
        call_id: String,
    },
}

impl CallEvent {
    /// `invite` rings at the person's devices.
    pub fn ringing(call_id: &str, invite: &Message) -> CallEvent {
        CallEvent::Ringing {
            call_id: call_id.to_owned(),
            from_tag: from_tag(invite),
            caller: Identity::of_caller(invite),
        }
    }

    /// The person sent `invite`.
    pub fn calling(call_id: &str, invite: &Message) -> CallEvent {
        let callee = invite
            .header(&HeaderName::To)
            .and_then(|to| NameAddr::parse(to).ok())
            .and_then(|to| String::from_utf8(to.uri.to_vec()).ok())
            .map(|uri| Identity::new(&uri, None));
        CallEvent::Calling {
            call_id: call_id.to_owned(),
            from_tag: from_tag(invite),
            callee,
        }
    }

    /// Whether the event starts a call (a tracker is made for it; the others change one).
    pub fn starts(&self) -> bool {
        matches!(self, CallEvent::Ringing { .. } | CallEvent::Calling { .. })
    }
}

/// The From tag of a request.
fn from_tag(message: &Message) -> Option<String> {
    let from = NameAddr::parse(message.header(&HeaderName::From)?).ok()?;
    from.tag().map(|t| String::from_utf8_lossy(t).into_owned())
}

/// One watched person's calls, as the switch sees them; each event returns the next full
/// document for the person's watchers, or `None` when nothing changed (a repeated or
/// unknown event). Keep one per person who is in a call or watched; an idle tracker holds
/// nothing, so it may be dropped and made anew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlfState {
    entity: String,
    dialogs: Vec<DialogEntry>,
}

impl BlfState {
    /// An idle person with this address of record (`sip:2401@pbx.example`).
    pub fn new(entity: &str) -> BlfState {
        BlfState {
            entity: entity.to_owned(),
            dialogs: Vec::new(),
        }
    }

    /// The current full document (idle when there are no calls): for the first NOTIFY of
    /// a subscription, a refresh and the final NOTIFY.
    pub fn document(&self) -> DialogInfo {
        DialogInfo {
            dialogs: self.dialogs.clone(),
            ..DialogInfo::idle(&self.entity)
        }
    }

    /// Whether the person has no calls.
    pub fn is_idle(&self) -> bool {
        self.dialogs.is_empty()
    }

    /// The document after `event`, or `None` when nothing changed.
    pub fn apply(&mut self, event: &CallEvent) -> Option<DialogInfo> {
        match event {
            CallEvent::Ringing {
                call_id,
                from_tag,
                caller,
            } => self.ringing(call_id, from_tag.as_deref(), caller.clone()),
            CallEvent::Calling {
                call_id,
                from_tag,
                callee,
            } => self.calling(call_id, from_tag.as_deref(), callee.clone()),
            CallEvent::Answered { call_id, to_tag } => self.answered(call_id, to_tag.as_deref()),
            CallEvent::Ended { call_id } => self.ended(call_id),
        }
    }

    /// A call to the person rings (their devices got the INVITE): an early dialog with
    /// direction recipient. `from_tag` is the caller's tag; `remote` the caller when they
    /// may be shown ([`Identity::of_caller`]).
    pub fn ringing(
        &mut self,
        call_id: &str,
        from_tag: Option<&str>,
        remote: Option<Identity>,
    ) -> Option<DialogInfo> {
        self.start(call_id, Direction::Recipient, from_tag, remote)
    }

    /// The person places a call (their INVITE was forwarded): a trying dialog with
    /// direction initiator, until it is answered or ends. Phones show a colleague who is
    /// dialling as busy; the callee's ringing is their own document's business.
    pub fn calling(
        &mut self,
        call_id: &str,
        from_tag: Option<&str>,
        remote: Option<Identity>,
    ) -> Option<DialogInfo> {
        self.start(call_id, Direction::Initiator, from_tag, remote)
    }

    fn start(
        &mut self,
        call_id: &str,
        direction: Direction,
        from_tag: Option<&str>,
        remote: Option<Identity>,
    ) -> Option<DialogInfo> {
        let id = dialog_id(call_id, direction);
        if self.dialogs.iter().any(|d| d.id == id) || self.dialogs.len() >= MAX_DIALOGS {
            return None;
        }
        let (local_tag, remote_tag, state) = match direction {
            Direction::Recipient => (None, from_tag, DialogState::Early),
            Direction::Initiator => (from_tag, None, DialogState::Trying),
        };
        self.dialogs.push(DialogEntry {
            id,
            call_id: Some(call_id.to_owned()),
            local_tag: local_tag.map(str::to_owned),
            remote_tag: remote_tag.map(str::to_owned),
            direction,
            state,
            remote,
        });
        Some(self.document())
    }

    /// The call was answered (the 2xx passed the switch; `to_tag` is the callee's tag):
    /// its dialogs become confirmed.
    pub fn answered(&mut self, call_id: &str, to_tag: Option<&str>) -> Option<DialogInfo> {
        let mut changed = false;
        for d in self.dialogs.iter_mut() {
            if d.call_id.as_deref() != Some(call_id) || d.state == DialogState::Confirmed {
                continue;
            }
            d.state = DialogState::Confirmed;
            let tag = to_tag.map(str::to_owned);
            match d.direction {
                Direction::Recipient => d.local_tag = tag.or(d.local_tag.take()),
                Direction::Initiator => d.remote_tag = tag.or(d.remote_tag.take()),
            }
            changed = true;
        }
        changed.then(|| self.document())
    }

    /// The call ended (BYE, CANCEL, a final failure, the ring timeout): the document
    /// reports its dialogs terminated once; later documents leave them out.
    pub fn ended(&mut self, call_id: &str) -> Option<DialogInfo> {
        if !self
            .dialogs
            .iter()
            .any(|d| d.call_id.as_deref() == Some(call_id))
        {
            return None;
        }
        let mut doc = self.document();
        for d in doc.dialogs.iter_mut() {
            if d.call_id.as_deref() == Some(call_id) {
                d.state = DialogState::Terminated;
            }
        }
        self.dialogs
            .retain(|d| d.call_id.as_deref() != Some(call_id));
        Some(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::check::well_formed;

    fn states(doc: &DialogInfo) -> Vec<(Direction, DialogState)> {
        doc.dialogs.iter().map(|d| (d.direction, d.state)).collect()
    }

    #[test]
    fn ringing_confirmed_terminated_idle() {
        let mut p = BlfState::new("sip:2401@pbx.example");
        let early = p.ringing("c1", Some("a"), None).unwrap();
        assert_eq!(states(&early), [(Direction::Recipient, DialogState::Early)]);
        assert_eq!(early.dialogs[0].remote_tag.as_deref(), Some("a"));
        assert_eq!(
            p.ringing("c1", Some("a"), None),
            None,
            "a repeat changes nothing"
        );
        let confirmed = p.answered("c1", Some("b")).unwrap();
        assert_eq!(confirmed.dialogs[0].state, DialogState::Confirmed);
        assert_eq!(confirmed.dialogs[0].local_tag.as_deref(), Some("b"));
        assert_eq!(confirmed.dialogs[0].id, early.dialogs[0].id, "a stable id");
        assert_eq!(p.answered("c1", Some("b")), None);
        let ended = p.ended("c1").unwrap();
        assert_eq!(ended.dialogs[0].state, DialogState::Terminated);
        assert_eq!(p.ended("c1"), None);
        assert!(p.is_idle());
        assert_eq!(p.document(), DialogInfo::idle("sip:2401@pbx.example"));
        let idle = p.document().to_xml();
        assert_eq!(
            idle,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<dialog-info \
             xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"0\" state=\"full\" \
             entity=\"sip:2401@pbx.example\">\n</dialog-info>\n"
        );
        well_formed(&idle).unwrap();
    }

    #[test]
    fn a_caller_is_trying_then_confirmed_with_the_tags_on_the_right_side() {
        let mut p = BlfState::new("sip:2301@pbx.example");
        let trying = p.calling("c2", Some("mine"), None).unwrap();
        assert_eq!(
            states(&trying),
            [(Direction::Initiator, DialogState::Trying)]
        );
        let d = &p.answered("c2", Some("theirs")).unwrap().dialogs[0];
        assert_eq!(
            (d.local_tag.as_deref(), d.remote_tag.as_deref()),
            (Some("mine"), Some("theirs"))
        );
        assert!(d.id.starts_with('i'));
    }

    #[test]
    fn two_calls_and_a_call_to_oneself() {
        let mut p = BlfState::new("sip:2401@pbx.example");
        p.ringing("c1", None, None).unwrap();
        p.answered("c1", None).unwrap();
        // A second call knocks while the first lasts.
        let both = p.ringing("c2", None, None).unwrap();
        assert_eq!(
            states(&both),
            [
                (Direction::Recipient, DialogState::Confirmed),
                (Direction::Recipient, DialogState::Early)
            ]
        );
        let one_left = p.ended("c2").unwrap();
        assert_eq!(one_left.dialogs.len(), 2);
        assert_eq!(p.document().dialogs.len(), 1);
        // Calling one's own extension from another device: two dialogs, two ids.
        p.calling("self", None, None).unwrap();
        p.ringing("self", None, None).unwrap();
        let ids: Vec<_> = p.document().dialogs.into_iter().map(|d| d.id).collect();
        assert_eq!(ids.len(), 3);
        assert_ne!(ids[1], ids[2]);
        assert_eq!(
            states(&p.ended("self").unwrap())[1].1,
            DialogState::Terminated
        );
        assert_eq!(p.document().dialogs.len(), 1);
    }

    #[test]
    fn the_number_of_dialogs_is_bounded() {
        let mut p = BlfState::new("sip:2401@pbx.example");
        for i in 0..MAX_DIALOGS {
            assert!(p.ringing(&format!("c{i}"), None, None).is_some());
        }
        assert_eq!(p.ringing("one-too-many", None, None), None);
        assert_eq!(p.ended("one-too-many"), None);
        p.ended("c0").unwrap();
        assert!(p.ringing("one-too-many", None, None).is_some());
    }

    #[test]
    fn names_with_markup_are_escaped_and_the_document_is_well_formed() {
        let mut p = BlfState::new("sip:24&01@pbx.example");
        let remote = Identity::new(
            "sip:2301@pbx.example;x=\"<y>\"",
            Some("Ben <\"&\"> Böhm\u{0}"),
        );
        let doc = p.ringing("c<1>&\"", Some("t'1"), Some(remote)).unwrap();
        let xml = doc.to_xml();
        assert!(xml.contains(r#"display="Ben &lt;&quot;&amp;&quot;&gt; Böhm�""#));
        assert!(xml.contains(r#"call-id="c&lt;1&gt;&amp;&quot;""#));
        assert!(xml.contains("direction=\"recipient\""));
        let values = well_formed(&xml).unwrap();
        assert!(values.contains(&"sip:24&01@pbx.example".to_owned()));
        assert!(values.contains(&"Ben <\"&\"> Böhm\u{fffd}".to_owned()));
        assert!(values.contains(&"sip:2301@pbx.example;x=\"<y>\"".to_owned()));
        assert!(values.contains(&"t'1".to_owned()));
    }

    #[test]
    fn partial_documents_and_versions_are_written_as_given() {
        let mut doc = DialogInfo::idle("sip:a@b");
        doc.version = 4_294_967_295;
        doc.state = DocState::Partial;
        let xml = doc.to_xml();
        assert!(xml.contains(r#"version="4294967295" state="partial""#));
        well_formed(&xml).unwrap();
    }

    proptest::proptest! {
        /// Any order of events on a few calls: every document is well-formed, reports a
        /// call as terminated exactly when it ends, and the current one never lists an
        /// ended call.
        #[test]
        fn random_event_sequences(events in proptest::collection::vec((0u8..4, 0u8..4), 0..60)) {
            let mut p = BlfState::new("sip:2401@pbx.example");
            for (kind, call) in events {
                let call_id = format!("c{call}");
                let doc = match kind {
                    0 => p.ringing(&call_id, Some("f"), None),
                    1 => p.calling(&call_id, Some("f"), None),
                    2 => p.answered(&call_id, Some("t")),
                    _ => p.ended(&call_id),
                };
                if let Some(doc) = doc {
                    well_formed(&doc.to_xml()).unwrap();
                    let terminated = doc.dialogs.iter().any(|d| d.state == DialogState::Terminated);
                    proptest::prop_assert_eq!(terminated, kind == 3);
                }
                let now = p.document();
                let ended = now.dialogs.iter().any(|d| d.state == DialogState::Terminated);
                proptest::prop_assert!(!ended);
                proptest::prop_assert!(now.dialogs.len() <= MAX_DIALOGS);
                proptest::prop_assert_eq!(p.is_idle(), now.dialogs.is_empty());
            }
        }
    }

    fn invite(extra: &str) -> Message {
        let text = format!(
            "INVITE sip:2401@pbx.example SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK1\r\n\
             From: \"B\\\"en\" <sip:2301@pbx.example>;tag=a\r\n{extra}To: <sip:2401@pbx.example>\r\n\
             Call-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
        );
        sip::parse_datagram(Bytes::from(text)).unwrap()
    }

    #[test]
    fn the_caller_is_shown_unless_they_asked_for_privacy() {
        assert_eq!(
            Identity::of_caller(&invite("")),
            Some(Identity::new("sip:2301@pbx.example", Some("B\"en")))
        );
        assert_eq!(Identity::of_caller(&invite("Privacy: id\r\n")), None);
        assert_eq!(
            Identity::of_caller(&invite("Privacy: none; USER\r\n")),
            None
        );
        assert!(Identity::of_caller(&invite("Privacy: none\r\n")).is_some());
    }
}
