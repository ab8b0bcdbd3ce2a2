//! The frames the live runtime sends to clients, rendered by the shell that speaks the
//! protocol (the web crate's WebSocket API). The runtime decides who gets what; the shell
//! decides how it looks. A change is rendered once per kind of view and the same bytes go
//! to every connection that sees it that way.

use bytes::Bytes;
use presence::{Entry, View};
use serde_json::Value;
use store::MessageRow;

/// One rendered frame: UTF-8 text (built only from strings), shared by all recipients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame(Bytes);

impl Frame {
    /// The frame's bytes (valid UTF-8).
    pub fn into_bytes(self) -> Bytes {
        self.0
    }

    /// The frame as text.
    pub fn as_str(&self) -> &str {
        // Built from `String`s only, so always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl From<String> for Frame {
    fn from(text: String) -> Frame {
        Frame(Bytes::from(text))
    }
}

/// How frames look (the realtime protocol), supplied by the shell at start.
pub trait Frames: Send + Sync + 'static {
    /// A person's presence as `view` sees it, for lists and snapshots.
    fn entry(&self, login: &str, entry: &Entry, view: View) -> Value;
    /// A presence change.
    fn presence(&self, login: &str, entry: &Entry, view: View) -> Frame;
    /// The presence of several people (on connecting, on following more).
    fn snapshot(&self, entries: Vec<Value>, reference: Option<&Value>) -> Frame;
    /// "Tell me when she is available" fired.
    fn watch_fired(&self, login: &str, name: &str) -> Frame;
    /// A chat message (new, edited or deleted) for the room's members.
    fn chat_message(&self, message: &MessageRow) -> Frame;
    /// A room's name or members changed (`room` is its JSON without a per-member title).
    fn room_updated(&self, room: Value) -> Frame;
    /// The person left (or was removed from) a room.
    fn room_left(&self, room: i64) -> Frame;
    /// The person's read marker moved (on another of their clients).
    fn read(&self, room: i64, up_to: i64, unread: i64) -> Frame;
    /// The answer to a chat write sent over a WebSocket, once stored.
    fn chat_stored(&self, reference: Option<&Value>, message: &MessageRow) -> Frame;
    /// The refusal of a chat write sent over a WebSocket.
    fn chat_refused(&self, reference: Option<&Value>, error: &crate::LiveError) -> Frame;
    /// A `call.*` frame for a browser.
    fn call(&self, frame: &calls::CallFrame) -> Frame;
    /// `queue.board`: a hotline's live board for its supervisors and agents.
    fn hotline_board(&self, hotline: i64, board: &crate::hotlines::BoardView) -> Frame;
    /// `queue.agent`: an agent's own state changed.
    fn hotline_agent(&self, view: &crate::hotlines::AgentView) -> Frame;
    /// `voicemail.count`: a box the person may hear changed (a new message, one heard or
    /// deleted); `unheard` is how many of that box's messages nobody has heard.
    fn voicemail_count(&self, mailbox: i64, unheard: i64) -> Frame;
    /// `fax.changed`: a fax of a box the person uses changed (one came, is being sent,
    /// was sent, failed or deleted), or the box itself was made or removed.
    fn fax_changed(&self, fax_box: i64) -> Frame;
}
