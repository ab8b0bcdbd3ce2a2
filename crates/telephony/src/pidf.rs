//! The presence event package's document, `application/pidf+xml` (RFC 3863), with the
//! RPID activities of RFC 4480, made from the state colleagues see on the team panel
//! ([`presence::State`]). Phones that subscribe to `Event: presence` show the note.
//!
//! ```
//! use presence::State;
//! use telephony::pidf::Pidf;
//! let doc = Pidf::new("sip:2401@pbx.example", State::OnThePhone).to_xml();
//! assert!(doc.contains(r#"entity="sip:2401@pbx.example""#));
//! assert!(doc.contains("<basic>open</basic>"));
//! assert!(doc.contains("<rpid:activities><rpid:on-the-phone/></rpid:activities>"));
//! assert!(doc.contains(r#"<note xml:lang="de">Im Gespräch</note>"#));
//! let away = Pidf::new("sip:2401@pbx.example", State::Busy).with_note(Some("Akten & Post"));
//! assert!(away.to_xml().contains("Beschäftigt: Akten &amp; Post"));
//! ```
//!
//! **The entity.** RFC 3863 asks for the presentity's `pres:` URL; RFC 4479 §3.1
//! allows any URI that identifies the presentity, and SIP presence (RFC 3856) uses the
//! address the watcher subscribed to, which is what phones compare. So the entity is the
//! SIP address of record here, and [`crate::subscriptions::Subscriptions::notify`] puts
//! the URI each phone subscribed to in its place.

use crate::xml::{push_attr, push_escaped};
use presence::State;

/// The body's media type (RFC 3863).
pub const CONTENT_TYPE: &str = "application/pidf+xml";

/// The PIDF namespace (RFC 3863).
pub const NAMESPACE: &str = "urn:ietf:params:xml:ns:pidf";

/// The presence data model namespace, for `<dm:person>` (RFC 4479).
pub const DATA_MODEL_NAMESPACE: &str = "urn:ietf:params:xml:ns:pidf:data-model";

/// The RPID namespace, for `<rpid:activities>` (RFC 4480).
pub const RPID_NAMESPACE: &str = "urn:ietf:params:xml:ns:pidf:rpid";

/// Whether the person can be reached (RFC 3863 `<basic>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basic {
    /// Reachable.
    Open,
    /// Not reachable.
    Closed,
}

/// The person's activity in RFC 4480's words, where one fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// `busy`.
    Busy,
    /// `on-the-phone`.
    OnThePhone,
    /// `meeting`.
    Meeting,
    /// `away`.
    Away,
}

impl Activity {
    /// The element name within the RPID namespace.
    pub fn as_str(self) -> &'static str {
        match self {
            Activity::Busy => "busy",
            Activity::OnThePhone => "on-the-phone",
            Activity::Meeting => "meeting",
            Activity::Away => "away",
        }
    }
}

/// How a team panel state shows on a phone: reachability, activity and the German note
/// the display shows.
///
/// Only "offline" is closed: away, busy and do not disturb still ring the person's phone
/// (the switch does not refuse calls for them), and `closed` would make phones show the
/// person as logged out. Do not disturb has no RPID activity of its own; `busy` is the
/// nearest, and the note tells the two apart. Available has no activity at all (RFC 4480
/// has none for "free"; omitting the element is what phones read as available).
pub fn mapping(state: State) -> (Basic, Option<Activity>, &'static str) {
    match state {
        State::Available => (Basic::Open, None, "Verfügbar"),
        State::Busy => (Basic::Open, Some(Activity::Busy), "Beschäftigt"),
        State::OnThePhone => (Basic::Open, Some(Activity::OnThePhone), "Im Gespräch"),
        State::InAMeeting => (Basic::Open, Some(Activity::Meeting), "In einer Besprechung"),
        State::Away => (Basic::Open, Some(Activity::Away), "Abwesend"),
        State::DoNotDisturb => (Basic::Open, Some(Activity::Busy), "Bitte nicht stören"),
        State::Offline => (Basic::Closed, None, "Offline"),
    }
}

/// A presence document for one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pidf {
    /// The person's address (`sip:2401@pbx.example`; see the module notes).
    pub entity: String,
    /// What colleagues see.
    pub state: State,
    /// The person's own status note, when this watcher may see it
    /// (`presence::Privacy::view`): shown after the state's label.
    pub note: Option<String>,
}

impl Pidf {
    /// The document for a person in `state`, without a personal note.
    pub fn new(entity: &str, state: State) -> Pidf {
        Pidf {
            entity: entity.to_owned(),
            state,
            note: None,
        }
    }

    /// With the person's status note (empty or blank notes are left out). Check the
    /// privacy settings first: the note goes to every subscription the document is sent to.
    pub fn with_note(mut self, note: Option<&str>) -> Pidf {
        self.note = note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        self
    }

    /// What the phone's display shows: the label, then the personal note
    /// (`Beschäftigt: Akten`).
    pub fn display_note(&self) -> String {
        let (_, _, label) = mapping(self.state);
        match &self.note {
            Some(note) => format!("{label}: {note}"),
            None => label.to_owned(),
        }
    }

    /// The XML document (UTF-8; every value escaped). One tuple for the person's
    /// telephony service with `<basic>` and the note (what phones read), and an RFC 4479
    /// `<dm:person>` with the RPID activity and the same note (what presence clients read).
    pub fn to_xml(&self) -> String {
        let (basic, activity, _) = mapping(self.state);
        let note = self.display_note();
        let mut out = String::with_capacity(520 + 2 * note.len());
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<presence");
        push_attr(&mut out, "xmlns", NAMESPACE);
        push_attr(&mut out, "xmlns:dm", DATA_MODEL_NAMESPACE);
        push_attr(&mut out, "xmlns:rpid", RPID_NAMESPACE);
        push_attr(&mut out, "entity", &self.entity);
        out.push_str(">\n<tuple id=\"phone\">\n<status><basic>");
        out.push_str(match basic {
            Basic::Open => "open",
            Basic::Closed => "closed",
        });
        out.push_str("</basic></status>\n<note xml:lang=\"de\">");
        push_escaped(&mut out, &note);
        out.push_str("</note>\n</tuple>\n<dm:person id=\"person\">\n");
        if let Some(activity) = activity {
            out.push_str("<rpid:activities><rpid:");
            out.push_str(activity.as_str());
            out.push_str("/></rpid:activities>\n");
        }
        out.push_str("<dm:note xml:lang=\"de\">");
        push_escaped(&mut out, &note);
        out.push_str("</dm:note>\n</dm:person>\n</presence>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::check::well_formed;

    #[test]
    fn every_state_has_a_well_formed_document_with_its_german_note() {
        let mut notes = Vec::new();
        for state in State::ALL {
            let xml = Pidf::new("sip:2401@pbx.example", state).to_xml();
            let values = well_formed(&xml).unwrap_or_else(|e| panic!("{state:?}: {e}\n{xml}"));
            let (basic, activity, note) = mapping(state);
            assert!(values.contains(&note.to_owned()), "{state:?}");
            let closed = xml.contains("<basic>closed</basic>");
            assert_eq!(closed, basic == Basic::Closed, "{state:?}");
            assert_eq!(closed, state == State::Offline);
            assert_eq!(xml.contains("<rpid:activities>"), activity.is_some());
            notes.push(note);
        }
        notes.sort();
        notes.dedup();
        assert_eq!(
            notes.len(),
            State::ALL.len(),
            "each state reads differently"
        );
    }

    #[test]
    fn the_mapping_names_rfc_4480_activities() {
        assert_eq!(
            mapping(State::OnThePhone),
            (Basic::Open, Some(Activity::OnThePhone), "Im Gespräch")
        );
        assert_eq!(mapping(State::InAMeeting).1, Some(Activity::Meeting));
        assert_eq!(mapping(State::Away).1, Some(Activity::Away));
        assert_eq!(mapping(State::DoNotDisturb).1, Some(Activity::Busy));
        assert_eq!(mapping(State::Available), (Basic::Open, None, "Verfügbar"));
        let xml = Pidf::new("sip:a@b", State::InAMeeting).to_xml();
        assert!(xml.contains("<rpid:activities><rpid:meeting/></rpid:activities>"));
        assert!(xml.contains(r#"xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid""#));
        assert!(xml.contains(r#"<presence xmlns="urn:ietf:params:xml:ns:pidf""#));
    }

    #[test]
    fn personal_notes_and_entities_are_escaped() {
        let doc = Pidf::new("sip:24<0>1@pbx.example", State::Busy)
            .with_note(Some("  \"Müller\" & <Söhne>\u{7}  "));
        assert_eq!(doc.display_note(), "Beschäftigt: \"Müller\" & <Söhne>\u{7}");
        let xml = doc.to_xml();
        assert!(xml.contains(r#"entity="sip:24&lt;0&gt;1@pbx.example""#));
        assert!(xml.contains("Beschäftigt: &quot;Müller&quot; &amp; &lt;Söhne&gt;\u{fffd}"));
        let values = well_formed(&xml).unwrap();
        assert!(values.contains(&"Beschäftigt: \"Müller\" & <Söhne>\u{fffd}".to_owned()));
        assert_eq!(
            Pidf::new("sip:a@b", State::Busy)
                .with_note(Some("   "))
                .note,
            None
        );
    }
}
