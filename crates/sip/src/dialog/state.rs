//! One dialog (RFC 3261 §12): what both ends agreed on — its ID, the CSeq numbers, the
//! URIs, the remote target, the route set, the secure flag — and the INVITE usage on top
//! of it: at most one INVITE transaction in each direction (§14), the offer that waits
//! for its answer, the back-off after a 491, and the 2xx retransmitted until its ACK.
//!
//! This file makes dialogs and drains them; `outgoing.rs` holds what we send and the
//! answers we get, `incoming.rs` what the peer sends and how we answer it.

use super::glare::Random;
use super::id::{addr, call_id, contact_uri, cseq, is_sips, own};
use super::offer::{carries_sdp, Offer};
use super::route::RouteSet;
use super::{DialogError, DialogId, Reason};
use crate::header_name::HeaderName;
use crate::message::{Header, Message, StartLine};
use crate::method::Method;
use crate::name_addr::NameAddr;
use crate::transaction::Timers;
use bytes::{BufMut, Bytes, BytesMut};
use std::collections::VecDeque;

/// What a dialog needs from its surroundings. The default: RFC 3261 timers, no TLS,
/// seed 0 (for tests; a shell draws a seed per dialog).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settings {
    /// T1 and T2 (the 2xx retransmissions of §13.3.1.4, the 64·T1 waits).
    pub timers: Timers,
    /// Whether the dialog-creating INVITE went (or came) over TLS: with a SIPS
    /// Request-URI, that makes the dialog secure (RFC 3261 §12.1.1, §12.1.2).
    pub tls: bool,
    /// Seed of the randomness the dialog needs: the back-off after a 491 (§14.1), the
    /// Retry-After of a 500 (§14.2), the first CSeq of a UAS (§8.1.1.5). The shell draws
    /// it from the operating system; tests choose it.
    pub seed: u64,
}

/// Which side of the dialog-creating INVITE we were.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// We sent the INVITE (and generated the Call-ID).
    Uac,
    /// We received it.
    Uas,
}

/// Where a dialog is in its life (RFC 3261 §12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Made by a provisional response with a To tag.
    Early,
    /// A 2xx to the dialog-creating INVITE was sent or received.
    Confirmed,
    /// Our BYE is out; the dialog ends with its answer.
    Ending,
    /// Over; it emits nothing more.
    Terminated,
}

/// What a dialog tells its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A provisional response with a new To tag made this early dialog (UAC).
    Early,
    /// The dialog is confirmed: a 2xx to the dialog-creating INVITE arrived (UAC) or was
    /// sent (UAS).
    Confirmed,
    /// The remote target changed: a target refresh (re-INVITE, UPDATE) succeeded
    /// (RFC 3261 §12.2.1.2, §12.2.2).
    TargetRefreshed {
        /// The new remote target URI.
        target: Bytes,
    },
    /// The wait after a 491 to our re-INVITE is over: send it again if still wanted
    /// (RFC 3261 §14.1).
    RetryReinvite,
    /// The wait after a 491 to our UPDATE is over (RFC 3311 §5.1).
    RetryUpdate,
    /// An event subscription inside the dialog (SUBSCRIBE, NOTIFY, REFER) ended by a 481,
    /// 408 or no response; the session goes on (RFC 5057 §5.1).
    UsageEnded {
        /// The method of the request that got it.
        method: Method,
        /// The status, or `None` for no response at all.
        code: Option<u16>,
    },
    /// The dialog ended. Nothing follows.
    Terminated {
        /// Why.
        reason: Reason,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum State {
    Early,
    Confirmed,
    Ending(Ending),
    Terminated(Reason),
}

/// Our BYE is out (`bye`), or was refused with 401/407 and may be sent again (`None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Ending {
    pub bye: Option<u32>,
}

/// An INVITE transaction of the dialog, and whether it is the one that created it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Invite {
    pub cseq: u32,
    pub initial: bool,
}

/// Our INVITE: none, sent and unanswered, or answered with a 2xx we have not yet
/// acknowledged. Either of the last two blocks a new INVITE in both directions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum OurInvite {
    Idle,
    Pending(Invite),
    Answered(Invite),
}

/// Their INVITE: none, received and unanswered, or answered with a 2xx that is being
/// retransmitted until its ACK arrives (RFC 3261 §13.3.1.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TheirInvite {
    Idle,
    Pending(Invite),
    Answered(Sent2xx),
}

/// Our 2xx to their INVITE, waiting for the ACK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Sent2xx {
    pub invite: Invite,
    pub response: Message,
    pub retransmit_at: i64,
    pub interval: i64,
    pub give_up_at: i64,
}

/// Which target refresh succeeded last, in each direction's CSeq numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Refreshed {
    pub ours: Option<u32>,
    pub theirs: Option<u32>,
}

/// A successful target refresh: our request of that CSeq (its 2xx arrived) or theirs
/// (we sent the 2xx).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refresh {
    Ours(u32),
    Theirs(u32),
}

/// The checked parts of a dialog-creating INVITE.
pub(super) struct InviteParts {
    pub cseq: u32,
    pub call_id: Bytes,
    pub from: NameAddr,
    pub to: NameAddr,
    pub request_uri: Bytes,
}

/// Checks that a request creates a dialog (RFC 3261 §12.1): an INVITE with a From tag and
/// without a To tag.
pub(super) fn check_invite(invite: &Message) -> Result<InviteParts, DialogError> {
    let StartLine::Request {
        method: Method::Invite,
        uri,
    } = &invite.start
    else {
        return Err(DialogError::NotDialogCreating {
            why: "not an INVITE",
        });
    };
    let from = addr(invite, HeaderName::From, "From")?;
    let to = addr(invite, HeaderName::To, "To")?;
    if to.tag().is_some() {
        return Err(DialogError::NotDialogCreating {
            why: "the To header already has a tag",
        });
    }
    if from.tag().is_none_or(|t| t.is_empty()) {
        // RFC 3261 §8.1.1.3: without it the dialog would have no remote tag.
        return Err(DialogError::NotDialogCreating {
            why: "the From header has no tag",
        });
    }
    let number = cseq(invite)?;
    if number.method != Method::Invite {
        return Err(DialogError::Malformed { header: "CSeq" });
    }
    Ok(InviteParts {
        cseq: number.seq,
        call_id: own(call_id(invite)?),
        from,
        to,
        request_uri: uri.clone(),
    })
}

/// One dialog, at one of its two ends. Sans-IO: feed it the requests and responses of
/// the dialog and the clock; drain [`Dialog::poll_event`], [`Dialog::poll_request`] and
/// [`Dialog::poll_response`]; call [`Dialog::handle_timeout`] at
/// [`Dialog::poll_timeout`].
#[derive(Debug, Clone)]
pub struct Dialog {
    pub(super) id: DialogId,
    pub(super) role: Role,
    pub(super) state: State,
    /// Our From value in requests (with our tag), and theirs for To.
    pub(super) local: Bytes,
    pub(super) remote: Bytes,
    pub(super) local_uri: Bytes,
    pub(super) remote_uri: Bytes,
    pub(super) local_contact: Bytes,
    pub(super) remote_target: Bytes,
    pub(super) route_set: RouteSet,
    pub(super) secure: bool,
    pub(super) local_seq: Option<u32>,
    pub(super) remote_seq: Option<u32>,
    pub(super) ours: OurInvite,
    pub(super) theirs: TheirInvite,
    /// Their UPDATEs, accepted and not yet answered (target refreshes on our 2xx).
    pub(super) their_updates: Vec<u32>,
    /// The CSeq numbers of the last successful target refresh of ours and of theirs: an
    /// older one that succeeds later (answers cross, or come out of order) changes nothing.
    pub(super) refreshed: Refreshed,
    pub(super) offer: Offer,
    /// When our re-INVITE or UPDATE may be retried after a 491 (RFC 3261 §14.1).
    pub(super) retry_invite: Option<i64>,
    pub(super) retry_update: Option<i64>,
    /// Our requests waiting for a final response: (CSeq number, method).
    pub(super) outstanding: Vec<(u32, Method)>,
    /// Our last ACK of a 2xx, sent again when that 2xx is retransmitted (§13.2.2.4).
    pub(super) last_ack: Option<(u32, Message)>,
    /// The credentials of the dialog-creating INVITE, for its ACK (§13.2.2.4).
    pub(super) credentials: Vec<Header>,
    pub(super) timers: Timers,
    pub(super) random: Random,
    pub(super) requests: VecDeque<Message>,
    pub(super) responses: VecDeque<Message>,
    pub(super) events: VecDeque<Event>,
}

impl Dialog {
    /// The dialog of a received INVITE, as its UAS (RFC 3261 §12.1.1): we answer with
    /// `local_tag` in To and `local_contact` (a Contact header value such as
    /// `<sip:2401@192.0.2.7:5060>`) as Contact. It starts early; [`Dialog::respond`] with
    /// the 2xx confirms it, with a final non-2xx ends it.
    pub fn uas(
        invite: &Message,
        local_tag: &[u8],
        local_contact: &[u8],
        settings: Settings,
    ) -> Result<Dialog, DialogError> {
        let parts = check_invite(invite)?;
        if !crate::params::is_token(local_tag) {
            // RFC 3261 §19.3: a tag is a token (the shell draws at least 32 random bits).
            return Err(DialogError::Malformed { header: "To tag" });
        }
        let remote_target =
            contact_uri(invite)?.ok_or(DialogError::Malformed { header: "Contact" })?;
        let secure = settings.tls && is_sips(&parts.request_uri);
        let local_contact = checked_contact(local_contact, secure)?;
        if secure && !is_sips(&remote_target) {
            return Err(DialogError::InsecureTarget);
        }
        let to_value = invite.header(&HeaderName::To).cloned().unwrap_or_default();
        let mut local = BytesMut::with_capacity(to_value.len() + 5 + local_tag.len());
        local.put_slice(crate::params::trim_slice(&to_value));
        local.put_slice(b";tag=");
        local.put_slice(local_tag);
        let remote = invite
            .header(&HeaderName::From)
            .cloned()
            .unwrap_or_default();
        let offer = if carries_sdp(invite) {
            Offer::Remote { cseq: parts.cseq }
        } else {
            Offer::Idle
        };
        Ok(Dialog {
            id: DialogId {
                call_id: parts.call_id,
                local_tag: own(local_tag),
                remote_tag: own(parts.from.tag().map(|t| &t[..]).unwrap_or_default()),
            },
            role: Role::Uas,
            state: State::Early,
            local: local.freeze(),
            remote: own(crate::params::trim_slice(&remote)),
            local_uri: own(&parts.to.uri),
            remote_uri: own(&parts.from.uri),
            local_contact,
            remote_target: own(&remote_target),
            route_set: RouteSet::from_record_route(invite, false)?,
            secure,
            local_seq: None,
            remote_seq: Some(parts.cseq),
            ours: OurInvite::Idle,
            theirs: TheirInvite::Pending(Invite {
                cseq: parts.cseq,
                initial: true,
            }),
            their_updates: Vec::new(),
            refreshed: Refreshed::default(),
            offer,
            retry_invite: None,
            retry_update: None,
            outstanding: Vec::new(),
            last_ack: None,
            credentials: Vec::new(),
            timers: settings.timers,
            random: Random::new(settings.seed),
            requests: VecDeque::new(),
            responses: VecDeque::new(),
            events: VecDeque::new(),
        })
    }

    /// The dialog our INVITE and a response to it with a To tag make, as the UAC (RFC
    /// 3261 §12.1.2): early for a provisional response ([`Event::Early`]), confirmed for a
    /// 2xx ([`Event::Confirmed`], then acknowledge it with [`Dialog::ack`]). A forked
    /// INVITE makes several: [`super::UacInvite`] keeps them together.
    pub fn uac(
        invite: &Message,
        response: &Message,
        settings: Settings,
    ) -> Result<Dialog, DialogError> {
        let mut dialog = Dialog::uac_silent(invite, response, settings)?;
        dialog.first_response(response);
        Ok(dialog)
    }

    /// [`Dialog::uac`] without processing the response beyond its creation.
    pub(super) fn uac_silent(
        invite: &Message,
        response: &Message,
        settings: Settings,
    ) -> Result<Dialog, DialogError> {
        let parts = check_invite(invite)?;
        let code = response.code().unwrap_or(0);
        if !(101..300).contains(&code) {
            return Err(DialogError::NotDialogCreating {
                why: "only a 101-299 response makes a dialog",
            });
        }
        let to = addr(response, HeaderName::To, "To")?;
        let remote_tag = to
            .tag()
            .filter(|t| !t.is_empty())
            .ok_or(DialogError::Malformed { header: "To" })?;
        let number = cseq(response)?;
        let matches = call_id(response)? == &parts.call_id
            && super::id::tag(response, HeaderName::From).as_ref() == parts.from.tag()
            && number.seq == parts.cseq
            && number.method == Method::Invite;
        if !matches {
            return Err(DialogError::NotThisDialog);
        }
        let secure = settings.tls && is_sips(&parts.request_uri);
        let local_contact = invite
            .header_values(&HeaderName::Contact)
            .into_iter()
            .next()
            .ok_or(DialogError::Malformed { header: "Contact" })?;
        let local_contact = checked_contact(&local_contact, secure)?;
        // RFC 3261 §12.1.2 asks for a Contact in the response; a provisional response
        // without one (common enough) leaves the Request-URI as target until the 2xx.
        let remote_target = match contact_uri(response)? {
            Some(uri) if !secure || is_sips(&uri) => uri,
            Some(_) => return Err(DialogError::InsecureTarget),
            None => parts.request_uri.clone(),
        };
        let credentials = invite
            .headers
            .iter()
            .filter(|h| {
                matches!(
                    h.name,
                    HeaderName::Authorization | HeaderName::ProxyAuthorization
                )
            })
            .cloned()
            .collect();
        // Our From and their To as they stand, display names and all, tags included.
        let value = |m: &Message, name| {
            own(crate::params::trim_slice(
                m.header(&name).map_or(&[][..], |v| &v[..]),
            ))
        };
        let offer = if carries_sdp(invite) {
            Offer::local(parts.cseq)
        } else {
            Offer::Idle
        };
        Ok(Dialog {
            id: DialogId {
                call_id: parts.call_id,
                local_tag: own(parts.from.tag().map(|t| &t[..]).unwrap_or_default()),
                remote_tag: own(remote_tag),
            },
            role: Role::Uac,
            state: State::Early,
            local: value(invite, HeaderName::From),
            remote: value(response, HeaderName::To),
            local_uri: own(&parts.from.uri),
            remote_uri: own(&to.uri),
            local_contact,
            remote_target: own(&remote_target),
            route_set: RouteSet::from_record_route(response, true)?,
            secure,
            local_seq: Some(parts.cseq),
            remote_seq: None,
            ours: OurInvite::Pending(Invite {
                cseq: parts.cseq,
                initial: true,
            }),
            theirs: TheirInvite::Idle,
            their_updates: Vec::new(),
            refreshed: Refreshed::default(),
            offer,
            retry_invite: None,
            retry_update: None,
            outstanding: vec![(parts.cseq, Method::Invite)],
            last_ack: None,
            credentials,
            timers: settings.timers,
            random: Random::new(settings.seed),
            requests: VecDeque::new(),
            responses: VecDeque::new(),
            events: VecDeque::new(),
        })
    }

    /// The response that made a UAC dialog: early, or confirmed without a further
    /// target or route change (they came from this very response).
    fn first_response(&mut self, response: &Message) {
        if response.code().is_some_and(|c| c < 200) {
            self.emit(Event::Early);
            return;
        }
        self.outstanding.clear();
        if let OurInvite::Pending(invite) = self.ours {
            self.invite_accepted(invite, response, true);
        }
    }

    /// Ends a dialog whose 2xx came for a fork we did not choose, or crossed our CANCEL:
    /// acknowledged and ended with BYE (RFC 3261 §13.2.2.4), without a `Confirmed`.
    pub(super) fn end_surplus(&mut self, response: &Message) {
        if self.is_terminated() {
            return;
        }
        if let OurInvite::Pending(invite) = self.ours {
            self.outstanding.retain(|(c, _)| *c != invite.cseq);
            self.invite_accepted(invite, response, false);
        }
        self.ack_anyway();
        if let Ok(bye) = self.build_request(Method::Bye, None) {
            self.send(bye);
        }
        self.terminate(Reason::Surplus);
    }

    /// Its ID.
    pub fn id(&self) -> &DialogId {
        &self.id
    }

    /// Which side of the dialog-creating INVITE we were.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Whether we generated the Call-ID (as the UAC of the dialog-creating INVITE): that
    /// decides the back-off after a 491 (RFC 3261 §14.1).
    pub fn owns_call_id(&self) -> bool {
        self.role == Role::Uac
    }

    /// Where it is in its life.
    pub fn phase(&self) -> Phase {
        match self.state {
            State::Early => Phase::Early,
            State::Confirmed => Phase::Confirmed,
            State::Ending(_) => Phase::Ending,
            State::Terminated(_) => Phase::Terminated,
        }
    }

    /// Whether it has ended.
    pub fn is_terminated(&self) -> bool {
        matches!(self.state, State::Terminated(_))
    }

    /// Why it ended.
    pub fn termination(&self) -> Option<&Reason> {
        match &self.state {
            State::Terminated(reason) => Some(reason),
            _ => None,
        }
    }

    /// The CSeq number of our last request; `None` for a UAS that has sent none.
    pub fn local_seq(&self) -> Option<u32> {
        self.local_seq
    }

    /// The CSeq number of their last request; `None` for a UAC that has received none.
    pub fn remote_seq(&self) -> Option<u32> {
        self.remote_seq
    }

    /// Our URI (From in our requests).
    pub fn local_uri(&self) -> &Bytes {
        &self.local_uri
    }

    /// Their URI (To in our requests).
    pub fn remote_uri(&self) -> &Bytes {
        &self.remote_uri
    }

    /// Where our requests go: the URI of their last Contact.
    pub fn remote_target(&self) -> &Bytes {
        &self.remote_target
    }

    /// The proxies our requests pass.
    pub fn route_set(&self) -> &RouteSet {
        &self.route_set
    }

    /// Whether the dialog is secure (RFC 3261 §12.1: created over TLS with a SIPS
    /// Request-URI); then every target must be a SIPS URI.
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// Our Contact header value.
    pub fn local_contact(&self) -> &Bytes {
        &self.local_contact
    }

    /// Changes our Contact (a new address after a network change): the next target
    /// refresh request or 2xx carries it (RFC 3261 §12.2.1.1).
    pub fn set_local_contact(&mut self, contact: &[u8]) -> Result<(), DialogError> {
        self.local_contact = checked_contact(contact, self.secure)?;
        Ok(())
    }

    /// The offer that waits for its answer.
    pub fn offer(&self) -> Offer {
        self.offer
    }

    /// The CSeq number of our INVITE in progress (sent, or answered but not acknowledged).
    pub fn our_invite(&self) -> Option<u32> {
        match &self.ours {
            OurInvite::Idle => None,
            OurInvite::Pending(i) | OurInvite::Answered(i) => Some(i.cseq),
        }
    }

    /// The CSeq number of their INVITE in progress (unanswered, or our 2xx not acknowledged).
    pub fn their_invite(&self) -> Option<u32> {
        match &self.theirs {
            TheirInvite::Idle => None,
            TheirInvite::Pending(i) => Some(i.cseq),
            TheirInvite::Answered(sent) => Some(sent.invite.cseq),
        }
    }

    /// When our re-INVITE refused with 491 may be sent again (RFC 3261 §14.1).
    pub fn reinvite_retry_at(&self) -> Option<i64> {
        self.retry_invite
    }

    /// When our UPDATE refused with 491 may be sent again (RFC 3311 §5.1).
    pub fn update_retry_at(&self) -> Option<i64> {
        self.retry_update
    }

    /// The next thing to tell the dialog's user.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The next request the dialog sends on its own: the ACK again for a retransmitted
    /// 2xx, the ACK and BYE of a surplus dialog, the BYE after a missing ACK. Put a Via
    /// on it and hand it to the transaction layer (an ACK goes straight to the transport).
    pub fn poll_request(&mut self) -> Option<Message> {
        self.requests.pop_front()
    }

    /// The next response to send again: our 2xx to an INVITE, until its ACK arrives (RFC
    /// 3261 §13.3.1.4). It goes straight to the transport, to the same place as the first.
    pub fn poll_response(&mut self) -> Option<Message> {
        self.responses.pop_front()
    }

    /// The earliest deadline, in the clock of the `now` arguments.
    pub fn poll_timeout(&self) -> Option<i64> {
        if self.is_terminated() {
            return None;
        }
        let sent = match &self.theirs {
            TheirInvite::Answered(s) => Some(s.retransmit_at.min(s.give_up_at)),
            _ => None,
        };
        [self.retry_invite, self.retry_update, sent]
            .into_iter()
            .flatten()
            .min()
    }

    /// Fires the deadlines at or before `now`.
    pub fn handle_timeout(&mut self, now: i64) {
        if self.is_terminated() {
            return;
        }
        if self.retry_invite.is_some_and(|at| at <= now) {
            self.retry_invite = None;
            self.emit(Event::RetryReinvite);
        }
        if self.retry_update.is_some_and(|at| at <= now) {
            self.retry_update = None;
            self.emit(Event::RetryUpdate);
        }
        let t2 = self.timers.t2;
        let TheirInvite::Answered(sent) = &mut self.theirs else {
            return;
        };
        if sent.give_up_at <= now {
            // RFC 3261 §13.3.1.4: no ACK within 64·T1 — the session ends with a BYE.
            let cseq = sent.invite.cseq;
            self.theirs = TheirInvite::Idle;
            self.offer = self.offer.settle(cseq);
            if let Ok(bye) = self.build_request(Method::Bye, None) {
                self.send(bye);
            }
            self.terminate(Reason::NoAck);
        } else if sent.retransmit_at <= now {
            sent.interval = (sent.interval * 2).min(t2);
            sent.retransmit_at = now + sent.interval;
            let again = sent.response.clone();
            self.responses.push_back(again);
        }
    }

    pub(super) fn emit(&mut self, event: Event) {
        if !self.is_terminated() {
            self.events.push_back(event);
        }
    }

    pub(super) fn send(&mut self, request: Message) {
        if !self.is_terminated() {
            self.requests.push_back(request);
        }
    }

    /// Ends the dialog: the last event it emits.
    pub(super) fn terminate(&mut self, reason: Reason) {
        if self.is_terminated() {
            return;
        }
        self.events.push_back(Event::Terminated {
            reason: reason.clone(),
        });
        self.state = State::Terminated(reason);
        self.ours = OurInvite::Idle;
        self.theirs = TheirInvite::Idle;
        self.their_updates.clear();
        self.retry_invite = None;
        self.retry_update = None;
    }

    /// Takes a new remote target from the Contact of a successful target refresh (RFC
    /// 3261 §12.2.1.2, §12.2.2), unless a newer one of the same direction already
    /// succeeded. In a secure dialog only a SIPS URI may replace it (§8.1.1.8).
    pub(super) fn refresh_target(&mut self, uri: Option<Bytes>, refresh: Refresh) {
        let (last, seq) = match refresh {
            Refresh::Ours(seq) => (&mut self.refreshed.ours, seq),
            Refresh::Theirs(seq) => (&mut self.refreshed.theirs, seq),
        };
        if last.is_some_and(|last| last >= seq) {
            return;
        }
        *last = Some(seq);
        let Some(uri) = uri else {
            return;
        };
        if (self.secure && !is_sips(&uri)) || uri == self.remote_target {
            return;
        }
        self.remote_target = own(&uri);
        self.emit(Event::TargetRefreshed {
            target: self.remote_target.clone(),
        });
    }
}

/// Our Contact header value, checked: a name-addr with a SIP or SIPS URI, SIPS in a
/// secure dialog (RFC 3261 §12.1.1).
fn checked_contact(contact: &[u8], secure: bool) -> Result<Bytes, DialogError> {
    let value = own(crate::params::trim_slice(contact));
    let uri = NameAddr::parse(&value)
        .ok()
        .filter(|a| {
            crate::uri::Uri::parse(&a.uri).is_ok_and(|u| u.scheme != crate::uri::Scheme::Tel)
        })
        .ok_or(DialogError::Malformed { header: "Contact" })?
        .uri;
    if secure && !is_sips(&uri) {
        return Err(DialogError::InsecureTarget);
    }
    Ok(value)
}
