//! How the live runtime's frames look on the wire: [`live::Frames`] rendered with the
//! presence and chat features' frame functions.

use crate::chat::frames as chat;
use crate::presence::frames as presence;
use crate::realtime::frames;
use ::presence::{Entry, View};
use live::{Frame, LiveError};
use serde_json::{json, Value};
use store::MessageRow;

/// The web API's frames.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebFrames;

impl live::Frames for WebFrames {
    fn entry(&self, login: &str, entry: &Entry, view: View) -> Value {
        presence::entry_json(login, entry, view)
    }

    fn presence(&self, login: &str, entry: &Entry, view: View) -> Frame {
        presence::presence(login, entry, view).into()
    }

    fn snapshot(&self, entries: Vec<Value>, reference: Option<&Value>) -> Frame {
        presence::snapshot(entries, reference).into()
    }

    fn watch_fired(&self, login: &str, name: &str) -> Frame {
        presence::watch_fired(login, name).into()
    }

    fn chat_message(&self, message: &MessageRow) -> Frame {
        chat::chat_message(message).into()
    }

    fn room_updated(&self, room: Value) -> Frame {
        chat::room_updated(room).into()
    }

    fn room_left(&self, room: i64) -> Frame {
        chat::room_left(room).into()
    }

    fn read(&self, room: i64, up_to: i64, unread: i64) -> Frame {
        chat::read(room, up_to, unread).into()
    }

    fn chat_stored(&self, reference: Option<&Value>, message: &MessageRow) -> Frame {
        frames::ack(reference, json!({"message": chat::message_json(message)})).into()
    }

    fn chat_refused(&self, reference: Option<&Value>, error: &LiveError) -> Frame {
        let (code, message) = crate::error::ws_error(&crate::error::ApiError::from_live(error));
        frames::error(reference, code, &message).into()
    }

    fn call(&self, frame: &::calls::CallFrame) -> Frame {
        crate::calls::frames::render(frame).into()
    }

    fn hotline_board(&self, hotline: i64, board: &live::hotlines::BoardView) -> Frame {
        json!({"type": "queue.board", "hotline": hotline, "board": board})
            .to_string()
            .into()
    }

    fn hotline_agent(&self, view: &live::hotlines::AgentView) -> Frame {
        // The same shape as `GET /api/v1/hotline/agent`.
        let agent = crate::hotline::agent::AgentBody::from(view.clone());
        json!({"type": "queue.agent", "agent": agent})
            .to_string()
            .into()
    }

    fn voicemail_count(&self, mailbox: i64, unheard: i64) -> Frame {
        json!({"type": "voicemail.count", "box": mailbox, "unheard": unheard})
            .to_string()
            .into()
    }

    fn fax_changed(&self, fax_box: i64) -> Frame {
        json!({"type": "fax.changed", "box": fax_box})
            .to_string()
            .into()
    }
}
