//! The phone's calls: placing one (the INVITE written here, as `sip::dialog` leaves the
//! dialog-creating request to its user; the 407 answered with a second INVITE of the
//! same Call-ID and a higher CSeq, RFC 3261 §22.2), ringing and answering, changing the
//! session inside the dialog (re-INVITE, §14), hanging up (BYE, §15; CANCEL before the
//! answer, §9), and the peer's requests and answers to ours.

use super::leg::{uac_cseq, Leg};
use super::{request, sdp_of, with_sdp, CallRef, PhoneError, PhoneEvent, Purpose, SipPhone};
use bytes::Bytes;
use sip::dialog::{Body, Dialog, Event, Settings, UacInvite};
use sip::transaction::Key;
use sip::{HeaderName, Message, Method};
use std::net::SocketAddr;

/// Where a call is, as far as the phone's events go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    /// Our INVITE is out, or theirs is ringing here.
    Setup,
    /// The INVITE got its 2xx.
    Up,
    /// [`PhoneEvent::Failed`] or [`PhoneEvent::Ended`] was told.
    Over,
}

/// One call.
pub(super) struct Call {
    pub call_id: Bytes,
    pub leg: Leg,
    /// Where its responses and direct sends go: the proxy it came through.
    pub peer: SocketAddr,
    pub stage: Stage,
    /// Their INVITE (initial or re-INVITE) waiting for our answer.
    pub theirs: Option<(Key, Message)>,
    /// Our re-INVITE in progress, by CSeq.
    pub reinvite: Option<u32>,
    /// Whether our INVITE's challenge has been answered already.
    pub answered_challenge: bool,
    pub rang: bool,
}

impl SipPhone {
    /// Calls `target` (an extension or user name in the phone's domain, or a full
    /// `sip:` URI) with the offer `sdp`.
    pub fn call(&mut self, now: i64, target: &str, sdp: &str) -> CallRef {
        let from = self.aor();
        self.call_as(now, &from, target, sdp)
    }

    /// Calls `target` as `from` (a From value without its tag, such as
    /// `"Carl Clerk" <sip:2501@pbx.example>`): a back-to-back user agent calls for many
    /// people.
    pub fn call_as(&mut self, now: i64, from: &str, target: &str, sdp: &str) -> CallRef {
        let uri = match target.starts_with("sip:") {
            true => target.to_owned(),
            false => format!("sip:{target}@{}", self.account.domain),
        };
        let call_id = format!("{}@ua.durchwahl", self.token());
        let tag = self.token();
        let headers = [
            (HeaderName::From, format!("{from};tag={tag}")),
            (HeaderName::To, format!("<{uri}>")),
            (HeaderName::CallId, call_id.clone()),
            (HeaderName::CSeq, "1 INVITE".to_owned()),
            (HeaderName::Contact, self.contact()),
        ];
        let invite = request(Method::Invite, &uri, &headers, Some(sdp));
        let call = CallRef(self.next_call);
        self.next_call += 1;
        let leg = self.send_invite(now, call, invite);
        let placed = Call {
            call_id: Bytes::from(call_id),
            leg,
            peer: self.proxy,
            stage: Stage::Setup,
            theirs: None,
            reinvite: None,
            answered_challenge: false,
            rang: false,
        };
        self.calls.insert(call, placed);
        call
    }

    /// Sends our INVITE and returns the dialog layer that follows it.
    fn send_invite(&mut self, now: i64, call: CallRef, mut invite: Message) -> Leg {
        let via = self.via();
        invite.set_header(HeaderName::Via, Some(via));
        let settings = Settings {
            seed: super::splitmix(&mut self.random),
            ..Settings::default()
        };
        let uac = UacInvite::new(invite.clone(), settings).expect("a valid INVITE");
        if self
            .send_request(now, invite, Purpose::Invite(call))
            .is_err()
        {
            self.events
                .push_back(PhoneEvent::Failed { call, code: 500 });
        }
        Leg::Out(Box::new(uac))
    }

    /// Answers the INVITE waiting on `call` (the first, or a re-INVITE) with 200 and
    /// `sdp`. The dialog sends the 2xx again until the ACK comes
    /// ([`PhoneEvent::Confirmed`]).
    pub fn answer(&mut self, now: i64, call: CallRef, sdp: &str) -> Result<(), PhoneError> {
        self.respond_invite(now, call, 200, Some(sdp))
    }

    /// Refuses the INVITE waiting on `call` with `code` (486, 603…; 488 for a
    /// re-INVITE). The transaction layer sends it again until the ACK.
    pub fn reject(&mut self, now: i64, call: CallRef, code: u16) -> Result<(), PhoneError> {
        self.respond_invite(now, call, code, None)
    }

    fn respond_invite(
        &mut self,
        now: i64,
        call: CallRef,
        code: u16,
        sdp: Option<&str>,
    ) -> Result<(), PhoneError> {
        let c = self.calls.get_mut(&call).ok_or(PhoneError::NoCall(call))?;
        let (key, invite) = c.theirs.take().ok_or(PhoneError::NothingToAnswer(call))?;
        let dialog = c.leg.dialog_mut().ok_or(PhoneError::NoDialog(call))?;
        let mut response = dialog.response(&invite, code, reason(code));
        if let Some(sdp) = sdp {
            with_sdp(&mut response, sdp);
        }
        c.leg.respond(now, &invite, &response)?;
        if (200..300).contains(&code) {
            c.stage = Stage::Up;
        }
        self.tx.respond(now, &key, &response)?;
        self.drain_calls(now);
        Ok(())
    }

    /// Offers `sdp` inside the call (a re-INVITE, RFC 3261 §14.1): `sendonly` holds it.
    /// [`PhoneEvent::Accepted`] or [`PhoneEvent::Refused`] follow.
    pub fn reinvite(&mut self, now: i64, call: CallRef, sdp: &str) -> Result<(), PhoneError> {
        let c = self.calls.get_mut(&call).ok_or(PhoneError::NoCall(call))?;
        let dialog = c.leg.dialog_mut().ok_or(PhoneError::NoDialog(call))?;
        let body = Body::sdp(Bytes::from(sdp.to_owned()));
        let reinvite = dialog.request(now, Method::Invite, Some(body))?;
        let cseq = dialog.local_seq().unwrap_or_default();
        c.reinvite = Some(cseq);
        self.send_request(now, reinvite, Purpose::InDialog { call, cseq })?;
        Ok(())
    }

    /// Ends the call: BYE once answered; before that CANCEL for our INVITE (the 487
    /// brings [`PhoneEvent::Failed`]), and 603 for theirs. The callee may not send BYE
    /// before the ACK of its 2xx ([`PhoneEvent::Confirmed`]; RFC 3261 §15): the dialog
    /// refuses, and so does this.
    pub fn hang_up(&mut self, now: i64, call: CallRef) -> Result<(), PhoneError> {
        let c = self.calls.get_mut(&call).ok_or(PhoneError::NoCall(call))?;
        match (&mut c.leg, c.stage) {
            (_, Stage::Over) => Err(PhoneError::NoCall(call)),
            (Leg::Out(uac), Stage::Setup) => {
                uac.cancel()?;
                self.drain_calls(now);
                Ok(())
            }
            (Leg::In(_), Stage::Setup) => self.reject(now, call, 603),
            (leg, Stage::Up) => {
                let dialog = leg.dialog_mut().ok_or(PhoneError::NoDialog(call))?;
                let bye = dialog.request(now, Method::Bye, None)?;
                let cseq = dialog.local_seq().unwrap_or_default();
                self.send_request(now, bye, Purpose::InDialog { call, cseq })?;
                Ok(())
            }
        }
    }

    /// A request from the network (not an ACK).
    pub(super) fn on_request(&mut self, now: i64, key: Key, request: Message, peer: SocketAddr) {
        let method = request.method().cloned().unwrap_or(Method::Options);
        let in_dialog = sip::dialog::DialogId::of_request(&request).is_some();
        let call = self.call_of(&request);
        // A new INVITE with the Call-ID of a call that is over is a new call (the proxy
        // sent the call once more; RFC 3261 §16.6 keeps its Call-ID).
        let fresh = call.is_none_or(|c| self.is_over(c));
        match (method, call) {
            (Method::Invite, _) if !in_dialog && fresh => self.incoming(now, key, request, peer),
            (Method::Cancel, Some(call)) => self.cancelled(now, call, &key, &request),
            (_, Some(call)) if in_dialog => self.in_dialog(now, call, key, request),
            (Method::Options, None) if !in_dialog => self.reply(now, &key, &request, 200),
            // RFC 3261 §9.2: a CANCEL that matches no INVITE of ours.
            (Method::Cancel, None) => self.reply(now, &key, &request, 481),
            (_, _) if in_dialog => self.reply(now, &key, &request, 481),
            _ => self.reply(now, &key, &request, 405),
        }
    }

    /// Answers a request outside any dialog of ours.
    fn reply(&mut self, now: i64, key: &Key, request: &Message, code: u16) {
        let tag = self.token();
        let response = request.response(code, reason(code), Some(&tag));
        let _ = self.tx.respond(now, key, &response);
    }

    /// Sends 180 Ringing for `call's waiting INVITE (when not rung at once).
    pub fn ring(&mut self, now: i64, call: CallRef) -> Result<(), PhoneError> {
        let c = self.calls.get_mut(&call).ok_or(PhoneError::NoCall(call))?;
        let (key, invite) = c.theirs.clone().ok_or(PhoneError::NothingToAnswer(call))?;
        let dialog = c.leg.dialog_mut().ok_or(PhoneError::NoDialog(call))?;
        let ringing = dialog.response(&invite, 180, "Ringing");
        dialog.respond(now, &invite, &ringing)?;
        self.tx.respond(now, &key, &ringing)?;
        Ok(())
    }

    /// A new INVITE: a dialog of our own as its UAS, 180 at once (unless told not to).
    fn incoming(&mut self, now: i64, key: Key, invite: Message, peer: SocketAddr) {
        let tag = self.token();
        let settings = Settings {
            seed: super::splitmix(&mut self.random),
            ..Settings::default()
        };
        let mut dialog =
            match Dialog::uas(&invite, tag.as_bytes(), self.contact().as_bytes(), settings) {
                Ok(dialog) => dialog,
                Err(e) => {
                    let code = e.status().unwrap_or(400);
                    return self.reply(now, &key, &invite, code);
                }
            };
        if self.ring_at_once {
            let ringing = dialog.response(&invite, 180, "Ringing");
            let _ = dialog.respond(now, &invite, &ringing);
            let _ = self.tx.respond(now, &key, &ringing);
        }
        let call = CallRef(self.next_call);
        self.next_call += 1;
        let from = invite
            .header(&HeaderName::From)
            .map(|f| String::from_utf8_lossy(f).into_owned());
        let request_uri = match &invite.start {
            sip::StartLine::Request { uri, .. } => String::from_utf8_lossy(uri).into_owned(),
            sip::StartLine::Response { .. } => String::new(),
        };
        let to = sip::uri::Uri::parse(&Bytes::from(request_uri.clone()))
            .ok()
            .and_then(|u| u.user.map(|x| String::from_utf8_lossy(&x).into_owned()));
        self.events.push_back(PhoneEvent::Incoming {
            call,
            from: from.unwrap_or_default(),
            to: to.unwrap_or_default(),
            uri: request_uri,
            sdp: sdp_of(&invite),
        });
        let call_id = invite
            .header(&HeaderName::CallId)
            .cloned()
            .unwrap_or_default();
        self.calls.insert(
            call,
            Call {
                call_id,
                leg: Leg::In(Box::new(dialog)),
                peer,
                stage: Stage::Setup,
                theirs: Some((key, invite)),
                reinvite: None,
                answered_challenge: false,
                rang: true,
            },
        );
    }

    /// CANCEL of their INVITE (RFC 3261 §9.2): 200 to it, 487 to the INVITE.
    fn cancelled(&mut self, now: i64, call: CallRef, key: &Key, cancel: &Message) {
        self.reply(now, key, cancel, 200);
        let ringing = self
            .calls
            .get(&call)
            .is_some_and(|c| c.stage == Stage::Setup && c.theirs.is_some());
        if ringing {
            let _ = self.respond_invite(now, call, 487, None);
        }
    }

    /// A request of the peer inside a call's dialog.
    fn in_dialog(&mut self, now: i64, call: CallRef, key: Key, request: Message) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if let Err(e) = c.leg.handle_request(&request) {
            if let Some(refusal) = e.response_to(&request) {
                let _ = self.tx.respond(now, &key, &refusal);
            }
            return;
        }
        if request.method() == Some(&Method::Invite) {
            self.events.push_back(PhoneEvent::Offered {
                call,
                sdp: sdp_of(&request),
            });
            c.theirs = Some((key, request));
            return;
        }
        // BYE (the dialog has ended), INFO, UPDATE without offer…: 200.
        let response = match c.leg.dialog() {
            Some(dialog) => dialog.response(&request, 200, "OK"),
            None => request.response(200, "OK", None),
        };
        let _ = c.leg.respond(now, &request, &response);
        let _ = self.tx.respond(now, &key, &response);
    }

    /// The ACK of a 2xx of ours.
    pub(super) fn on_ack(&mut self, _now: i64, ack: &Message) {
        let Some(call) = self.call_of(ack) else {
            return;
        };
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let waiting = c.leg.dialog().and_then(Dialog::their_invite);
        let _ = c.leg.handle_request(ack);
        let after = c.leg.dialog().and_then(Dialog::their_invite);
        if waiting.is_some() && after.is_none() {
            self.events.push_back(PhoneEvent::Confirmed { call });
        }
    }

    /// A response to one of the call's requests.
    pub(super) fn call_response(&mut self, now: i64, call: CallRef, response: &Message) {
        let code = response.code().unwrap_or(0);
        let Some(number) = response
            .header(&HeaderName::CSeq)
            .and_then(sip::cseq::CSeq::parse)
        else {
            return;
        };
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let initial = match &c.leg {
            Leg::Out(uac) => number.method == Method::Invite && uac_cseq(uac) == Some(number.seq),
            Leg::In(_) => false,
        };
        if initial && matches!(code, 401 | 407) && c.stage == Stage::Setup && !c.answered_challenge
        {
            return self.answer_challenge(now, call, code, response);
        }
        let _ = c.leg.handle_response(now, response);
        if initial && c.stage == Stage::Setup {
            match code {
                180..=183 if !c.rang => {
                    c.rang = true;
                    self.events.push_back(PhoneEvent::Ringing { call });
                }
                200..=299 => {
                    c.stage = Stage::Up;
                    self.acknowledge(call, response);
                    self.events.push_back(PhoneEvent::Answered {
                        call,
                        sdp: sdp_of(response),
                    });
                }
                300.. => {
                    c.stage = Stage::Over;
                    self.events.push_back(PhoneEvent::Failed { call, code });
                }
                _ => {}
            }
            return;
        }
        if number.method == Method::Invite && c.reinvite == Some(number.seq) && code >= 200 {
            c.reinvite = None;
            if (200..300).contains(&code) {
                self.acknowledge(call, response);
                let sdp = sdp_of(response);
                self.events.push_back(PhoneEvent::Accepted { call, sdp });
            } else {
                self.events.push_back(PhoneEvent::Refused { call, code });
            }
        }
    }

    /// The dialog's ACK of the 2xx to our INVITE (RFC 3261 §13.2.2.4), straight to the
    /// transport.
    fn acknowledge(&mut self, call: CallRef, _response: &Message) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let peer = c.peer;
        let ack = c.leg.dialog_mut().map(|d| d.ack(None));
        if let Some(Ok(ack)) = ack {
            self.send_direct(ack, peer);
        }
    }

    /// The 407 (or 401) to our INVITE: the same INVITE again, CSeq one higher, with
    /// credentials (RFC 3261 §22.2); the transaction layer has acknowledged the 407.
    fn answer_challenge(&mut self, now: i64, call: CallRef, code: u16, response: &Message) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        c.answered_challenge = true;
        let _ = c.leg.handle_response(now, response);
        let Leg::Out(uac) = &c.leg else {
            return;
        };
        let mut invite = uac.invite().clone();
        let seq = uac_cseq(uac).unwrap_or(1) + 1;
        let (challenge, answer) = match code {
            401 => (HeaderName::WwwAuthenticate, HeaderName::Authorization),
            _ => (
                HeaderName::ProxyAuthenticate,
                HeaderName::ProxyAuthorization,
            ),
        };
        let uri = match &invite.start {
            sip::StartLine::Request { uri, .. } => String::from_utf8_lossy(uri).into_owned(),
            sip::StartLine::Response { .. } => String::new(),
        };
        let challenges = response.header_values(&challenge);
        let Some((_, credentials)) = self.credentials(&challenges, &Method::Invite, &uri) else {
            if let Some(c) = self.calls.get_mut(&call) {
                c.stage = Stage::Over;
            }
            return self.events.push_back(PhoneEvent::Failed { call, code });
        };
        invite.set_header(HeaderName::CSeq, Some(Bytes::from(format!("{seq} INVITE"))));
        invite.set_header(answer, Some(Bytes::from(credentials)));
        let leg = self.send_invite(now, call, invite);
        if let Some(c) = self.calls.get_mut(&call) {
            c.leg = leg;
        }
    }

    /// Our INVITE got no final answer (Timer B).
    pub(super) fn invite_timed_out(&mut self, _now: i64, call: CallRef) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if let Leg::Out(uac) = &mut c.leg {
            uac.handle_transaction_timeout();
        }
        if c.stage == Stage::Setup {
            c.stage = Stage::Over;
            self.events
                .push_back(PhoneEvent::Failed { call, code: 408 });
        }
    }

    /// What the calls' dialog layers emitted: events, requests of their own (ACK again,
    /// CANCEL, BYE) and 2xx retransmissions.
    pub(super) fn drain_calls(&mut self, now: i64) {
        let refs: Vec<CallRef> = self.calls.keys().copied().collect();
        for call in refs {
            while let Some(c) = self.calls.get_mut(&call) {
                let peer = c.peer;
                if let Some(event) = c.leg.poll_event() {
                    if let Event::Terminated { reason } = event {
                        if c.stage != Stage::Over {
                            c.stage = Stage::Over;
                            self.events.push_back(PhoneEvent::Ended { call, reason });
                        }
                    }
                } else if let Some(request) = c.leg.poll_request() {
                    self.send_own_request(now, call, request, peer);
                } else if let Some(again) = c.leg.poll_response() {
                    self.send_direct(again, peer);
                } else {
                    break;
                }
            }
        }
    }

    /// A request the dialog layer sends on its own.
    fn send_own_request(&mut self, now: i64, call: CallRef, request: Message, peer: SocketAddr) {
        let cseq = request
            .header(&HeaderName::CSeq)
            .and_then(sip::cseq::CSeq::parse)
            .map_or(0, |c| c.seq);
        match request.method() {
            Some(Method::Ack) => self.send_direct(request, peer),
            Some(Method::Cancel) => {
                // It carries its INVITE's Via (RFC 3261 §9.1); its own transaction.
                let _ = self.tx.send_request(now, request, peer, false);
            }
            _ => {
                let _ = self.send_request(now, request, Purpose::InDialog { call, cseq });
            }
        }
    }
}

/// A reason phrase for the codes a test phone sends.
fn reason(code: u16) -> &'static str {
    match code {
        180 => "Ringing",
        200 => "OK",
        405 => "Method Not Allowed",
        481 => "Call/Transaction Does Not Exist",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        603 => "Decline",
        _ => "Status",
    }
}
