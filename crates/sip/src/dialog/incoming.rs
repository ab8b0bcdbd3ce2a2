//! The requests the peer sends inside a dialog and how we answer them (RFC 3261 §12.2.2):
//! the remote CSeq, glare (§14.2: 491 when our INVITE is pending, 500 with Retry-After
//! when theirs is), the pending-offer rule for UPDATE (RFC 3311 §5.2), BYE, the ACK
//! that stops our 2xx retransmissions (§13.3.1.4), and target refresh by our 2xx.

use super::glare::retry_after;
use super::id::{contact_uri, cseq, is_sips, tag};
use super::offer::{carries_sdp, Offer};
use super::state::{Invite, OurInvite, Refresh, Sent2xx, State, TheirInvite};
use super::{Dialog, DialogError, Event, Reason};
use crate::header_name::HeaderName;
use crate::message::Message;
use crate::method::Method;

impl Dialog {
    /// A request of the peer inside this dialog (RFC 3261 §12.2.2). `Ok` means it is
    /// accepted: answer it, through [`Dialog::respond`] (never an ACK). An error that has a
    /// [`DialogError::status`] refuses it: answer with [`DialogError::response_to`]. The
    /// remote CSeq must grow (else 500); a re-INVITE or offer crossing ours gets 491, one
    /// overlapping theirs 500 with Retry-After (§14.2); a BYE ends the dialog at once
    /// ([`Reason::RemoteBye`]) — then answer every request still pending, 487 recommended.
    pub fn handle_request(&mut self, request: &Message) -> Result<(), DialogError> {
        let method = request
            .method()
            .ok_or(DialogError::Malformed {
                header: "request line",
            })?
            .clone();
        if !self.id.matches(request, HeaderName::To, HeaderName::From) {
            return Err(DialogError::NotThisDialog);
        }
        let seq = cseq(request)?.seq;
        if self.is_terminated() {
            return Err(DialogError::Terminated);
        }
        match method {
            Method::Ack => {
                self.acknowledged(seq);
                return Ok(());
            }
            // Hop by hop: the transaction user answers it and ends the INVITE with 487
            // (RFC 3261 §9.2). It shares its INVITE's CSeq, so it is not counted.
            Method::Cancel => return Ok(()),
            _ => {}
        }
        if let Some(remote) = self.remote_seq {
            if seq <= remote {
                // A retransmission never gets here (the transaction layer absorbs it):
                // this is a new request with an old number.
                return Err(DialogError::CSeqOutOfOrder {
                    received: seq,
                    remote,
                });
            }
        }
        self.remote_seq = Some(seq);
        if let State::Ending(_) = self.state {
            // Our BYE is out; only a crossing BYE is still welcome.
            if method != Method::Bye {
                return Err(DialogError::Terminated);
            }
        }
        match method {
            Method::Bye => self.terminate(Reason::RemoteBye),
            Method::Invite => self.accept_reinvite(seq, request)?,
            Method::Update => self.accept_update(seq, request)?,
            _ => {}
        }
        Ok(())
    }

    /// A re-INVITE: refused while an INVITE or offer is in progress (RFC 3261 §14.2).
    fn accept_reinvite(&mut self, seq: u32, request: &Message) -> Result<(), DialogError> {
        if let OurInvite::Pending(i) | OurInvite::Answered(i) = &self.ours {
            return Err(DialogError::Glare { ours: i.cseq });
        }
        if let Some(pending) = self.their_invite() {
            return Err(DialogError::Overlap {
                pending,
                retry_after: retry_after(&mut self.random),
            });
        }
        self.offer_allowed()?;
        self.check_target(request)?;
        self.theirs = TheirInvite::Pending(Invite {
            cseq: seq,
            initial: false,
        });
        if carries_sdp(request) {
            self.offer = Offer::Remote { cseq: seq };
        }
        Ok(())
    }

    /// An UPDATE: an offer in it is refused while another is outstanding (RFC 3311 §5.2).
    fn accept_update(&mut self, seq: u32, request: &Message) -> Result<(), DialogError> {
        let offer = carries_sdp(request);
        if offer {
            self.offer_allowed()?;
        }
        self.check_target(request)?;
        self.their_updates.push(seq);
        if offer {
            self.offer = Offer::Remote { cseq: seq };
        }
        Ok(())
    }

    /// Their new offer (or offerless re-INVITE) is refused with 491 while ours waits for
    /// its answer, and with 500 while their previous one does (RFC 3311 §5.2).
    fn offer_allowed(&mut self) -> Result<(), DialogError> {
        match self.offer {
            Offer::Idle => Ok(()),
            Offer::Local { cseq } => Err(DialogError::Glare { ours: cseq }),
            Offer::Remote { cseq } => Err(DialogError::Overlap {
                pending: cseq,
                retry_after: retry_after(&mut self.random),
            }),
        }
    }

    /// The Contact of a target refresh request must parse, and be SIPS in a secure dialog.
    fn check_target(&self, request: &Message) -> Result<(), DialogError> {
        match contact_uri(request)? {
            Some(uri) if self.secure && !is_sips(&uri) => Err(DialogError::InsecureTarget),
            _ => Ok(()),
        }
    }

    /// The ACK of our 2xx: its retransmissions stop; an answer in it settles the offer
    /// our 2xx made (RFC 3261 §13.3.1.4). Other ACKs (retransmitted) change nothing.
    fn acknowledged(&mut self, seq: u32) {
        if let TheirInvite::Answered(sent) = &self.theirs {
            if sent.invite.cseq == seq {
                self.theirs = TheirInvite::Idle;
                self.offer = self.offer.settle(seq);
            }
        }
    }

    /// A response to `request` (of this dialog, or the INVITE that makes it) as the dialog
    /// needs it: our To tag; for a 101–299 to the dialog-creating INVITE its Record-Route
    /// (§12.1.1); our Contact in a 101–299 to an INVITE and a 2xx to UPDATE (§12.1.1,
    /// RFC 3311 §5.2). Nothing changes until it is sent with [`Dialog::respond`]; add
    /// a body and headers first.
    pub fn response(&self, request: &Message, code: u16, reason: &str) -> Message {
        let tag = std::str::from_utf8(&self.id.local_tag).ok();
        let mut response = request.response(code, reason, tag);
        let method = request.method();
        let creating = matches!(&self.theirs, TheirInvite::Pending(i)
            if i.initial && cseq(request).is_ok_and(|c| c.seq == i.cseq));
        if method == Some(&Method::Invite) && creating && (101..300).contains(&code) {
            for route in request.header_lines(&HeaderName::RecordRoute) {
                response.push(HeaderName::RecordRoute, route.clone());
            }
        }
        let contact = match method {
            Some(Method::Invite) => (101..300).contains(&code),
            Some(Method::Update) => (200..300).contains(&code),
            _ => false,
        };
        if contact {
            response.push(HeaderName::Contact, self.local_contact.clone());
        }
        response
    }

    /// We send `response` to `request` (built by [`Dialog::response`], or any response
    /// with our To tag). Every final response to a request of the dialog goes through
    /// here, so that the dialog knows: a 2xx to the dialog-creating INVITE confirms it
    /// ([`Event::Confirmed`]), a final non-2xx ends it; a 2xx to a re-INVITE or UPDATE
    /// refreshes the remote target from the request's Contact (RFC 6141: only a
    /// successful refresh counts) and settles offers; a 2xx to an INVITE is retransmitted
    /// through [`Dialog::poll_response`] until its ACK arrives, and if none does within
    /// 64·T1 the dialog sends BYE and ends ([`Reason::NoAck`], RFC 3261 §13.3.1.4).
    pub fn respond(
        &mut self,
        now: i64,
        request: &Message,
        response: &Message,
    ) -> Result<(), DialogError> {
        let code = response.code().ok_or(DialogError::Malformed {
            header: "status line",
        })?;
        let number = cseq(request)?;
        let ours = request.header(&HeaderName::CallId) == Some(&self.id.call_id)
            && tag(request, HeaderName::From).as_ref() == Some(&self.id.remote_tag);
        let tagged =
            code == 100 || tag(response, HeaderName::To).as_ref() == Some(&self.id.local_tag);
        if !ours || !tagged {
            return Err(DialogError::NotThisDialog);
        }
        if self.is_terminated() || code < 200 {
            return Ok(());
        }
        let seq = number.seq;
        match number.method {
            Method::Invite => {
                if let TheirInvite::Pending(invite) = self.theirs {
                    if invite.cseq == seq {
                        self.answer_invite(now, invite, code, request, response);
                    }
                }
            }
            Method::Update => {
                let Some(at) = self.their_updates.iter().position(|u| *u == seq) else {
                    return Ok(()); // refused, or answered already
                };
                self.their_updates.swap_remove(at);
                self.offer = self.offer.settle(seq);
                if (200..300).contains(&code) {
                    let contact = contact_uri(request).ok().flatten();
                    self.refresh_target(contact, Refresh::Theirs(seq));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn answer_invite(
        &mut self,
        now: i64,
        invite: Invite,
        code: u16,
        request: &Message,
        response: &Message,
    ) {
        let seq = invite.cseq;
        if !(200..300).contains(&code) {
            // RFC 3261 §14.2: a refused re-INVITE leaves the session as it was.
            self.theirs = TheirInvite::Idle;
            self.offer = self.offer.settle(seq);
            if invite.initial {
                self.terminate(Reason::Rejected { code });
            }
            return;
        }
        self.offer = match self.offer {
            Offer::Remote { cseq } if cseq == seq => Offer::Idle,
            // Their INVITE had no offer: ours is in this 2xx, the answer in the ACK.
            Offer::Idle if carries_sdp(response) => Offer::local(seq),
            other => other,
        };
        let t1 = self.timers.t1;
        self.theirs = TheirInvite::Answered(Sent2xx {
            invite,
            response: response.clone(),
            retransmit_at: now + t1,
            interval: t1,
            give_up_at: now + 64 * t1,
        });
        if invite.initial {
            if self.state == State::Early {
                self.state = State::Confirmed;
                self.emit(Event::Confirmed);
            }
        } else {
            let contact = contact_uri(request).ok().flatten();
            self.refresh_target(contact, Refresh::Theirs(seq));
        }
    }
}
