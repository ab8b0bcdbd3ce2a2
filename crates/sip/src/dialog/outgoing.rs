//! The requests we send inside a dialog and the answers they get (RFC 3261 §12.2.1):
//! the local CSeq, who may send an INVITE or an offer when (§14.1), the ACK of a 2xx
//! (§13.2.2.4), target refreshes by 2xx (§12.2.1.2), the back-off after a 491 (§14.1),
//! and which answers end the dialog (`termination.rs`).

use super::glare::{first_cseq, retry_delay};
use super::id::{contact_uri, cseq};
use super::offer::{carries_sdp, Body, Offer};
use super::request::{build, is_target_refresh, Parts};
use super::state::{Ending, Invite, OurInvite, Refresh, State, TheirInvite};
use super::termination::{effect, is_subscription_method, Effect};
use super::{Dialog, DialogError, Event, Reason, RouteSet};
use crate::header_name::HeaderName;
use crate::message::Message;
use crate::method::Method;

/// The highest CSeq number (RFC 3261 §8.1.1.5: below 2**31).
const MAX_CSEQ: u32 = (1 << 31) - 1;

impl Dialog {
    /// Builds our next request of `method` inside the dialog (RFC 3261 §12.2.1.1) and
    /// takes note of it: BYE, re-INVITE, UPDATE, INFO, REFER, NOTIFY, OPTIONS, MESSAGE….
    /// A body of type `application/sdp` in an INVITE or UPDATE is an offer.
    ///
    /// Refused: ACK and CANCEL (see [`Dialog::ack`], [`super::UacInvite::cancel`]); an
    /// INVITE while another is in progress in either direction (§14.1), or before the
    /// back-off after a 491 is over; an offer while another waits for its answer (RFC
    /// 3264 §4); a BYE from the callee on an early dialog or before its 2xx was
    /// acknowledged (§15); anything once our BYE is out.
    ///
    /// The request has no Via: add yours on top (with a fresh branch) and give it to
    /// [`crate::transaction::Transactions::send_request`]. Headers may be added (Refer-To,
    /// Event, credentials…).
    pub fn request(
        &mut self,
        now: i64,
        method: Method,
        body: Option<Body>,
    ) -> Result<Message, DialogError> {
        self.may_send(now, &method, body.as_ref())?;
        let offer = body.as_ref().is_some_and(Body::is_sdp) && is_target_refresh(&method);
        let request = self.build_request(method.clone(), body)?;
        let cseq = self.local_seq.unwrap_or_default();
        match method {
            Method::Invite => {
                self.ours = OurInvite::Pending(Invite {
                    cseq,
                    initial: false,
                });
                self.retry_invite = None;
            }
            Method::Update => self.retry_update = None,
            Method::Bye => self.state = State::Ending(Ending { bye: Some(cseq) }),
            _ => {}
        }
        if offer {
            self.offer = Offer::local(cseq);
        }
        Ok(request)
    }

    /// Whether we may send this request now (see [`Dialog::request`]).
    fn may_send(&self, now: i64, method: &Method, body: Option<&Body>) -> Result<(), DialogError> {
        if matches!(method, Method::Ack | Method::Cancel) {
            return Err(DialogError::Method {
                method: method.clone(),
            });
        }
        match &self.state {
            State::Terminated(_) => return Err(DialogError::Terminated),
            // After a 401/407 to our BYE, only the BYE with credentials may follow.
            State::Ending(Ending { bye: None }) if *method == Method::Bye => {}
            State::Ending(_) => return Err(DialogError::Terminated),
            State::Early | State::Confirmed => {}
        }
        let offer = body.is_some_and(Body::is_sdp);
        match method {
            Method::Bye => self.may_bye(),
            Method::Invite => {
                if let OurInvite::Pending(i) | OurInvite::Answered(i) = &self.ours {
                    return Err(DialogError::InviteInProgress {
                        cseq: i.cseq,
                        ours: true,
                    });
                }
                if let Some(cseq) = self.their_invite() {
                    return Err(DialogError::InviteInProgress { cseq, ours: false });
                }
                if let Some(until) = self.retry_invite.filter(|at| *at > now) {
                    return Err(DialogError::BackingOff {
                        method: Method::Invite,
                        until,
                    });
                }
                // Even without an offer: its 2xx would carry one (RFC 3261 §14.1).
                self.no_offer_pending()
            }
            Method::Update => {
                if let Some(until) = self.retry_update.filter(|at| *at > now) {
                    return Err(DialogError::BackingOff {
                        method: Method::Update,
                        until,
                    });
                }
                if offer {
                    self.no_offer_pending()
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    fn no_offer_pending(&self) -> Result<(), DialogError> {
        match self.offer.pending() {
            Some(cseq) => Err(DialogError::OfferPending { cseq }),
            None => Ok(()),
        }
    }

    /// RFC 3261 §15: the callee may not send BYE on an early dialog, nor on a confirmed
    /// one before the ACK of its 2xx (or the end of the wait for it).
    fn may_bye(&self) -> Result<(), DialogError> {
        if self.role == super::Role::Uas && self.state == State::Early {
            return Err(DialogError::ByeNotAllowed {
                why: "the callee ends an early dialog by rejecting the INVITE",
            });
        }
        if let TheirInvite::Answered(sent) = &self.theirs {
            if sent.invite.initial {
                return Err(DialogError::ByeNotAllowed {
                    why: "the ACK of our 2xx has not arrived yet",
                });
            }
        }
        Ok(())
    }

    /// Writes the next request and counts it, without the rules of [`Dialog::request`].
    pub(super) fn build_request(
        &mut self,
        method: Method,
        body: Option<Body>,
    ) -> Result<Message, DialogError> {
        // RFC 3261 §12.2.1.1: one more than the last; a UAS that has sent nothing yet
        // starts at random (§8.1.1.5).
        let cseq = match self.local_seq {
            Some(MAX_CSEQ) => return Err(DialogError::CSeqExhausted),
            Some(n) => n + 1,
            None => first_cseq(&mut self.random),
        };
        self.local_seq = Some(cseq);
        let request = build(Parts {
            contact: is_target_refresh(&method).then_some(&self.local_contact),
            method: method.clone(),
            cseq,
            local: &self.local,
            remote: &self.remote,
            call_id: &self.id.call_id,
            remote_target: &self.remote_target,
            route_set: &self.route_set,
            extra: &[],
            body,
        });
        self.outstanding.push((cseq, method));
        Ok(request)
    }

    /// Acknowledges the 2xx to our INVITE (RFC 3261 §13.2.2.4): a request of the dialog
    /// with the INVITE's CSeq number and method ACK. When the 2xx carried an offer (our
    /// INVITE had none), `body` is the answer and is required; otherwise it must be
    /// `None`. The ACK goes straight to the transport, with a Via of its own; the dialog
    /// sends it again by itself when the 2xx is retransmitted ([`Dialog::poll_request`]).
    pub fn ack(&mut self, body: Option<Body>) -> Result<Message, DialogError> {
        if self.is_terminated() {
            return Err(DialogError::Terminated);
        }
        let OurInvite::Answered(invite) = self.ours else {
            return Err(DialogError::NothingToAck);
        };
        let answering = self.offer == (Offer::Remote { cseq: invite.cseq });
        match (answering, body.is_some()) {
            (true, false) => return Err(DialogError::AnswerRequired),
            (false, true) => return Err(DialogError::NoOfferToAnswer),
            _ => {}
        }
        Ok(self.write_ack(invite, body))
    }

    /// The ACK of the 2xx to our INVITE whatever the offer: when we end the dialog anyway.
    pub(super) fn ack_anyway(&mut self) {
        if let OurInvite::Answered(invite) = self.ours {
            let ack = self.write_ack(invite, None);
            self.send(ack);
        }
    }

    fn write_ack(&mut self, invite: Invite, body: Option<Body>) -> Message {
        let ack = build(Parts {
            method: Method::Ack,
            cseq: invite.cseq,
            local: &self.local,
            remote: &self.remote,
            call_id: &self.id.call_id,
            remote_target: &self.remote_target,
            route_set: &self.route_set,
            contact: None,
            extra: if invite.initial {
                &self.credentials
            } else {
                &[]
            },
            body,
        });
        self.ours = OurInvite::Idle;
        self.offer = self.offer.settle(invite.cseq);
        self.last_ack = Some((invite.cseq, ack.clone()));
        ack
    }

    /// A response to one of our requests in this dialog, matched by its CSeq (RFC 3261
    /// §12.2.1.2). A retransmitted 2xx to an INVITE we acknowledged brings the same ACK
    /// again ([`Dialog::poll_request`]); responses that end the dialog end it (see
    /// `termination.rs`); a 491 to a re-INVITE or UPDATE starts the back-off of §14.1.
    /// Responses after the end are absorbed.
    pub fn handle_response(&mut self, now: i64, response: &Message) -> Result<(), DialogError> {
        let code = response.code().ok_or(DialogError::Malformed {
            header: "status line",
        })?;
        if !self.id.matches(response, HeaderName::From, HeaderName::To) {
            return Err(DialogError::NotThisDialog);
        }
        let number = cseq(response)?;
        if self.is_terminated() {
            return Ok(());
        }
        let seq = number.seq;
        let pending = matches!(&self.ours, OurInvite::Pending(i) if i.cseq == seq);
        if number.method == Method::Invite && (200..300).contains(&code) && !pending {
            if let Some((acked, ack)) = &self.last_ack {
                if *acked == seq {
                    let again = ack.clone();
                    self.send(again);
                }
            }
            return Ok(());
        }
        let at = self
            .outstanding
            .iter()
            .position(|(c, m)| *c == seq && *m == number.method)
            .ok_or(DialogError::Unmatched {
                cseq: seq,
                method: number.method.clone(),
            })?;
        if code < 200 {
            return Ok(());
        }
        let (_, method) = self.outstanding.swap_remove(at);
        match method {
            Method::Bye => self.bye_answered(seq, code),
            Method::Invite => self.invite_answered(now, seq, code, response),
            Method::Update => {
                self.offer = self.offer.settle(seq);
                match code {
                    200..=299 => {
                        let contact = contact_uri(response).ok().flatten();
                        self.refresh_target(contact, Refresh::Ours(seq));
                    }
                    491 if !self.is_ending() => {
                        self.retry_update = Some(now + self.retry_delay());
                    }
                    _ => self.apply_effect(Method::Update, Some(code)),
                }
            }
            other => self.apply_effect(other, Some(code)),
        }
        Ok(())
    }

    /// Our client transaction of request `cseq` got no final response (Timer B or F):
    /// like a 408 (RFC 3261 §8.1.3.1, §12.2.1.2).
    pub fn handle_transaction_timeout(&mut self, cseq: u32) {
        if self.is_terminated() {
            return;
        }
        let Some(at) = self.outstanding.iter().position(|(c, _)| *c == cseq) else {
            return;
        };
        let (_, method) = self.outstanding.swap_remove(at);
        self.offer = self.offer.settle(cseq);
        match method {
            Method::Bye => self.bye_answered(cseq, 408),
            Method::Invite => {
                let OurInvite::Pending(invite) = self.ours else {
                    return;
                };
                self.ours = OurInvite::Idle;
                if invite.initial {
                    self.terminate(Reason::NoResponse {
                        method: Method::Invite,
                    });
                } else {
                    self.apply_effect(Method::Invite, None);
                }
            }
            other => self.apply_effect(other, None),
        }
    }

    fn bye_answered(&mut self, seq: u32, code: u16) {
        if self.state == State::Ending(Ending { bye: Some(seq) }) {
            if matches!(code, 401 | 407) {
                // RFC 3261 §22: the BYE may be sent again with credentials.
                self.state = State::Ending(Ending { bye: None });
            } else {
                self.terminate(Reason::LocalBye);
            }
        }
    }

    fn invite_answered(&mut self, now: i64, seq: u32, code: u16, response: &Message) {
        let OurInvite::Pending(invite) = self.ours else {
            return;
        };
        if invite.cseq != seq {
            return;
        }
        if (200..300).contains(&code) {
            self.invite_accepted(invite, response, true);
            return;
        }
        // RFC 3261 §14.1: a failed re-INVITE leaves the session as it was.
        self.ours = OurInvite::Idle;
        self.offer = self.offer.settle(seq);
        if invite.initial {
            self.terminate(Reason::Rejected { code });
        } else if code == 491 && !self.is_ending() {
            // RFC 3261 §14.1: retry after a random wait — unless we are hanging up.
            self.retry_invite = Some(now + self.retry_delay());
        } else {
            self.apply_effect(Method::Invite, Some(code));
        }
    }

    /// A 2xx to our INVITE: answered (the ACK is due), the offer settled or received,
    /// the target refreshed; the dialog-creating INVITE's 2xx confirms an early dialog and
    /// fixes its route set (RFC 3261 §13.2.2.4).
    pub(super) fn invite_accepted(&mut self, invite: Invite, response: &Message, announce: bool) {
        self.ours = OurInvite::Answered(invite);
        self.offer = match self.offer {
            Offer::Local { cseq } if cseq == invite.cseq => Offer::Idle,
            Offer::Idle if carries_sdp(response) => Offer::Remote { cseq: invite.cseq },
            other => other,
        };
        if invite.initial && self.state == State::Early {
            if let Ok(route_set) = RouteSet::from_record_route(response, true) {
                self.route_set = route_set;
            }
            self.state = State::Confirmed;
            if announce {
                self.emit(Event::Confirmed);
            }
        }
        let contact = contact_uri(response).ok().flatten();
        self.refresh_target(contact, Refresh::Ours(invite.cseq));
        if self.is_ending() {
            // Every 2xx is acknowledged, even when we are hanging up (§13.2.2.4).
            self.ack_anyway();
        }
    }

    /// Applies the rule of `termination.rs` to a final response or a timeout.
    fn apply_effect(&mut self, method: Method, code: Option<u16>) {
        match effect(code) {
            Effect::Transaction => {}
            Effect::Usage if is_subscription_method(&method) => {
                self.emit(Event::UsageEnded { method, code });
            }
            Effect::Usage | Effect::Dialog => self.terminate(match code {
                Some(code) => Reason::Failed { method, code },
                None => Reason::NoResponse { method },
            }),
        }
    }

    fn is_ending(&self) -> bool {
        matches!(self.state, State::Ending(_))
    }

    fn retry_delay(&mut self) -> i64 {
        let owner = self.owns_call_id();
        retry_delay(owner, &mut self.random)
    }
}
