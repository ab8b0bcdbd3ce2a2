//! Our INVITE and the dialogs its responses make (RFC 3261 §12.1.2, §13.2.2): a forking
//! proxy may let several UASs answer, each with its own To tag — an early dialog each.
//! The first 2xx confirms its dialog; a 2xx for any other dialog is acknowledged and
//! ended with BYE at once (§13.2.2.4), and so is a 2xx that crosses our CANCEL. Early
//! dialogs that got no 2xx end when the INVITE transaction does, 64·T1 after the first
//! 2xx (§13.2.2.4), or with the INVITE's final non-2xx (§13.2.2.3).

use super::glare::Random;
use super::id::{cseq, tag};
use super::request::cseq_value;
use super::state::check_invite;
use super::{Dialog, DialogError, DialogId, Event, Phase, Reason, Settings};
use crate::header_name::HeaderName;
use crate::message::{Header, Message, StartLine};
use crate::method::Method;
use bytes::Bytes;
use std::collections::VecDeque;

/// How far our INVITE got.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Progress {
    /// No final response yet.
    Calling,
    /// A 2xx arrived; early dialogs it did not confirm end at `forks_end_at`.
    Answered { forks_end_at: i64 },
    /// The INVITE transaction is over.
    Done,
}

/// Whether we want our INVITE cancelled (RFC 3261 §9.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cancel {
    NotWanted,
    /// Wanted before any provisional response: sent when the first arrives.
    Wanted,
    Sent,
}

/// Our INVITE and its dialogs. Sans-IO like [`Dialog`]: feed the INVITE's responses and
/// the requests and responses of its dialogs through it (they are routed by tag), drain
/// its queues, and call [`UacInvite::handle_timeout`] at [`UacInvite::poll_timeout`].
/// Requests of our own inside a dialog are made on that dialog
/// ([`UacInvite::dialog_mut`]); what it emits comes out here, with its ID.
#[derive(Debug, Clone)]
pub struct UacInvite {
    invite: Message,
    cseq: u32,
    call_id: Bytes,
    local_tag: Bytes,
    settings: Settings,
    random: Random,
    dialogs: Vec<Dialog>,
    progress: Progress,
    /// The To tag of the dialog the first 2xx confirmed (none when it crossed a CANCEL).
    chosen: Option<Bytes>,
    provisional: bool,
    cancel: Cancel,
    requests: VecDeque<Message>,
    responses: VecDeque<Message>,
    events: VecDeque<(DialogId, Event)>,
}

impl UacInvite {
    /// Our dialog-creating INVITE, as sent (with its Via: a CANCEL takes it over).
    pub fn new(invite: Message, settings: Settings) -> Result<UacInvite, DialogError> {
        let parts = check_invite(&invite)?;
        if invite.header(&HeaderName::Contact).is_none() {
            // RFC 3261 §8.1.1.8: an INVITE carries the Contact the dialog will use.
            return Err(DialogError::Malformed { header: "Contact" });
        }
        let local_tag = super::id::own(parts.from.tag().map(|t| &t[..]).unwrap_or_default());
        Ok(UacInvite {
            cseq: parts.cseq,
            call_id: parts.call_id,
            local_tag,
            random: Random::new(settings.seed),
            settings,
            invite,
            dialogs: Vec::new(),
            progress: Progress::Calling,
            chosen: None,
            provisional: false,
            cancel: Cancel::NotWanted,
            requests: VecDeque::new(),
            responses: VecDeque::new(),
            events: VecDeque::new(),
        })
    }

    /// The INVITE.
    pub fn invite(&self) -> &Message {
        &self.invite
    }

    /// The dialog of an ID.
    pub fn dialog(&self, id: &DialogId) -> Option<&Dialog> {
        self.dialogs.iter().find(|d| d.id() == id)
    }

    /// The dialog of an ID, to make requests on it or tell it of their timeouts.
    pub fn dialog_mut(&mut self, id: &DialogId) -> Option<&mut Dialog> {
        self.dialogs.iter_mut().find(|d| d.id() == id)
    }

    /// Every dialog the INVITE made, early, confirmed or ended.
    pub fn dialogs(&self) -> impl Iterator<Item = &Dialog> {
        self.dialogs.iter()
    }

    /// The dialog the first 2xx confirmed.
    pub fn confirmed(&self) -> Option<&Dialog> {
        let tag = self.chosen.as_ref()?;
        self.dialogs.iter().find(|d| d.id().remote_tag == tag)
    }

    /// The confirmed dialog, to make requests on it.
    pub fn confirmed_mut(&mut self) -> Option<&mut Dialog> {
        let id = self.confirmed()?.id().clone();
        self.dialog_mut(&id)
    }

    /// Cancels the INVITE (RFC 3261 §9.1). The CANCEL comes out of
    /// [`UacInvite::poll_request`] — at once if a provisional response has arrived, else
    /// with the first one (§9.1 forbids it earlier). A 2xx that crosses it is
    /// acknowledged and ended with BYE ([`Reason::Surplus`]).
    pub fn cancel(&mut self) -> Result<(), DialogError> {
        if self.progress != Progress::Calling {
            return Err(DialogError::NothingToCancel);
        }
        if self.invite.header(&HeaderName::Via).is_none() {
            return Err(DialogError::Malformed { header: "Via" });
        }
        if self.cancel == Cancel::NotWanted {
            self.cancel = Cancel::Wanted;
            self.send_cancel_if_due();
        }
        Ok(())
    }

    fn send_cancel_if_due(&mut self) {
        if self.cancel == Cancel::Wanted && self.provisional {
            self.cancel = Cancel::Sent;
            let cancel = cancel_for(&self.invite, self.cseq);
            self.requests.push_back(cancel);
        }
    }

    /// A response: to the INVITE (making, confirming or ending dialogs), or to a request
    /// inside one of its dialogs (passed on by To tag).
    pub fn handle_response(&mut self, now: i64, response: &Message) -> Result<(), DialogError> {
        let code = response.code().ok_or(DialogError::Malformed {
            header: "status line",
        })?;
        let number = cseq(response)?;
        let ours = response.header(&HeaderName::CallId) == Some(&self.call_id)
            && tag(response, HeaderName::From).as_ref() == Some(&self.local_tag);
        if !ours {
            return Err(DialogError::NotThisDialog);
        }
        let result = if number.method == Method::Invite && number.seq == self.cseq {
            self.invite_response(now, code, response)
        } else {
            let to = tag(response, HeaderName::To);
            match self
                .dialogs
                .iter_mut()
                .find(|d| Some(&d.id().remote_tag) == to.as_ref())
            {
                Some(dialog) => dialog.handle_response(now, response),
                None => Err(DialogError::NotThisDialog),
            }
        };
        self.collect();
        result
    }

    fn invite_response(
        &mut self,
        now: i64,
        code: u16,
        response: &Message,
    ) -> Result<(), DialogError> {
        let to = tag(response, HeaderName::To).filter(|t| !t.is_empty());
        if code < 200 {
            self.provisional = true;
            self.send_cancel_if_due();
        }
        if code >= 300 {
            if self.progress == Progress::Calling {
                self.progress = Progress::Done;
                for dialog in &mut self.dialogs {
                    dialog.terminate(Reason::Rejected { code });
                }
            }
            return Ok(());
        }
        let Some(to) = to else {
            // A provisional response without a tag makes no dialog (§12.1.2).
            return match code {
                100..=199 => Ok(()),
                _ => Err(DialogError::Malformed { header: "To" }),
            };
        };
        let known = self.dialogs.iter().position(|d| d.id().remote_tag == to);
        if self.progress == Progress::Done {
            // Late: only the chosen dialog still acknowledges its 2xx again.
            return match known {
                Some(at) if self.is_chosen(&to) => self.dialogs[at].handle_response(now, response),
                _ => Ok(()),
            };
        }
        if code < 200 {
            return match known {
                Some(at) => self.dialogs[at].handle_response(now, response),
                None => {
                    let settings = self.next_settings();
                    let dialog = Dialog::uac(&self.invite, response, settings)?;
                    self.dialogs.push(dialog);
                    Ok(())
                }
            };
        }
        let first = self.progress == Progress::Calling;
        let chosen = first && self.cancel == Cancel::NotWanted;
        if first {
            self.progress = Progress::Answered {
                forks_end_at: now + 64 * self.settings.timers.t1,
            };
            self.chosen = chosen.then(|| to.clone());
        }
        match (known, chosen) {
            (Some(at), true) => self.dialogs[at].handle_response(now, response),
            (None, true) => {
                let settings = self.next_settings();
                let dialog = Dialog::uac(&self.invite, response, settings)?;
                self.dialogs.push(dialog);
                Ok(())
            }
            // The chosen dialog's 2xx again: its dialog sends the ACK again.
            (Some(at), false) if self.is_chosen(&to) => {
                self.dialogs[at].handle_response(now, response)
            }
            (Some(at), false) => {
                self.dialogs[at].end_surplus(response);
                Ok(())
            }
            (None, false) => {
                let settings = self.next_settings();
                let mut dialog = Dialog::uac_silent(&self.invite, response, settings)?;
                dialog.end_surplus(response);
                self.dialogs.push(dialog);
                Ok(())
            }
        }
    }

    fn is_chosen(&self, tag: &Bytes) -> bool {
        self.chosen.as_ref() == Some(tag)
    }

    fn next_settings(&mut self) -> Settings {
        Settings {
            seed: self.random.next_u64(),
            ..self.settings
        }
    }

    /// A request of the peer inside one of the dialogs (see [`Dialog::handle_request`]).
    pub fn handle_request(&mut self, request: &Message) -> Result<(), DialogError> {
        let id = DialogId::of_request(request).ok_or(DialogError::NotThisDialog)?;
        let result = match self.dialog_mut(&id) {
            Some(dialog) => dialog.handle_request(request),
            None => Err(DialogError::NotThisDialog),
        };
        self.collect();
        result
    }

    /// We send `response` to `request` of one of the dialogs (see [`Dialog::respond`]).
    pub fn respond(
        &mut self,
        now: i64,
        request: &Message,
        response: &Message,
    ) -> Result<(), DialogError> {
        let id = DialogId::of_request(request).ok_or(DialogError::NotThisDialog)?;
        let result = match self.dialog_mut(&id) {
            Some(dialog) => dialog.respond(now, request, response),
            None => Err(DialogError::NotThisDialog),
        };
        self.collect();
        result
    }

    /// The INVITE's client transaction got no final response (Timer B): its early
    /// dialogs end ([`Reason::NoResponse`]). For requests inside a dialog, tell that
    /// dialog ([`Dialog::handle_transaction_timeout`]).
    pub fn handle_transaction_timeout(&mut self) {
        if self.progress == Progress::Calling {
            self.progress = Progress::Done;
            for dialog in &mut self.dialogs {
                dialog.terminate(Reason::NoResponse {
                    method: Method::Invite,
                });
            }
        }
        self.collect();
    }

    /// Fires the deadlines at or before `now`: the end of the INVITE transaction for
    /// early dialogs no 2xx chose, and those of every dialog.
    pub fn handle_timeout(&mut self, now: i64) {
        if let Progress::Answered { forks_end_at, .. } = self.progress {
            if forks_end_at <= now {
                self.progress = Progress::Done;
                for dialog in &mut self.dialogs {
                    if dialog.phase() == Phase::Early {
                        dialog.terminate(Reason::NotChosen);
                    }
                }
            }
        }
        for dialog in &mut self.dialogs {
            dialog.handle_timeout(now);
        }
        self.collect();
    }

    /// The earliest deadline.
    pub fn poll_timeout(&self) -> Option<i64> {
        let forks = match self.progress {
            Progress::Answered { forks_end_at, .. } => Some(forks_end_at),
            _ => None,
        };
        self.dialogs
            .iter()
            .filter_map(Dialog::poll_timeout)
            .chain(forks)
            .min()
    }

    /// The next event, with the dialog it comes from.
    pub fn poll_event(&mut self) -> Option<(DialogId, Event)> {
        self.collect();
        self.events.pop_front()
    }

    /// The next request to send: a CANCEL, or one a dialog sends on its own (see
    /// [`Dialog::poll_request`]).
    pub fn poll_request(&mut self) -> Option<Message> {
        self.collect();
        self.requests.pop_front()
    }

    /// The next 2xx to send again (see [`Dialog::poll_response`]).
    pub fn poll_response(&mut self) -> Option<Message> {
        self.collect();
        self.responses.pop_front()
    }

    /// Moves what the dialogs emitted into our queues, keeping its order.
    fn collect(&mut self) {
        for dialog in &mut self.dialogs {
            while let Some(event) = dialog.poll_event() {
                self.events.push_back((dialog.id().clone(), event));
            }
            self.requests
                .extend(std::iter::from_fn(|| dialog.poll_request()));
            self.responses
                .extend(std::iter::from_fn(|| dialog.poll_response()));
        }
    }
}

/// The CANCEL of an INVITE (RFC 3261 §9.1): its Request-URI, top Via, Call-ID, From, To,
/// Route and CSeq number, with method CANCEL.
fn cancel_for(invite: &Message, seq: u32) -> Message {
    let uri = match &invite.start {
        StartLine::Request { uri, .. } => uri.clone(),
        StartLine::Response { .. } => Bytes::new(),
    };
    let mut headers = Vec::with_capacity(8);
    if let Some(top) = invite.header_values(&HeaderName::Via).into_iter().next() {
        headers.push(Header {
            name: HeaderName::Via,
            value: top,
        });
    }
    headers.push(Header {
        name: HeaderName::MaxForwards,
        value: Bytes::from_static(b"70"),
    });
    for name in [HeaderName::From, HeaderName::To, HeaderName::CallId] {
        if let Some(value) = invite.header(&name) {
            headers.push(Header {
                name,
                value: value.clone(),
            });
        }
    }
    headers.push(Header {
        name: HeaderName::CSeq,
        value: cseq_value(seq, &Method::Cancel),
    });
    for route in invite.header_lines(&HeaderName::Route) {
        headers.push(Header {
            name: HeaderName::Route,
            value: route.clone(),
        });
    }
    Message {
        start: StartLine::Request {
            method: Method::Cancel,
            uri,
        },
        headers,
        body: Bytes::new(),
    }
}
