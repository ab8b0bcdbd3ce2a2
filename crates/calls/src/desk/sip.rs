//! The SIP sides of calls: calls a browser places through the switch (to people with
//! desk phones, their forwarding, later the trunk), and calls from phones that the switch
//! rings at a person's browsers. Call control's user agent carries out the SIP; this
//! decides when, and what the media does meanwhile.

use super::{Calls, PHONE_CODECS};
use crate::call::{Call, Kind, Phase, Side};
use crate::command::Target;
use crate::frames::{CallFrame, Direction, EndReason};
use crate::output::{MediaCommand, Output, SipCommand, To};
use crate::party::{CallId, LegRef, Party, SipRef, Via};
use media::Codec;

impl Calls {
    /// The media engine made the phone leg of a SIP side (or could not: `None`); `sdp`
    /// is our offer (a call we place) or our answer (a call from a phone).
    pub fn handle_rtp_created(
        &mut self,
        now: i64,
        id: CallId,
        side: usize,
        made: Option<(LegRef, String)>,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            if let Some((leg, _)) = made {
                self.out.push_back(Output::Media(MediaCommand::Remove(leg)));
            }
            return;
        };
        let Some((leg, sdp)) = made else {
            self.end(now, id, EndReason::Unavailable, None);
            return;
        };
        call.sides[side].leg = Some(leg);
        self.by_leg.insert(leg, (id, side));
        if side == 0 && matches!(call.sides[1].kind, Kind::Hotline | Kind::Voicemail) {
            // Our answer to a phone calling a hotline (it waits there) or reaching a
            // voicemail box.
            if let Some(sip) = call.sides[0].sip {
                call.sides[0].codec = phone_codec(&sdp).or(call.sides[0].codec);
                call.sides[0].sip_answered = true;
                self.out
                    .push_back(Output::Sip(SipCommand::Answer { sip, sdp }));
            }
            if call.sides[1].kind == Kind::Hotline {
                self.park(now, id);
            } else {
                self.voicemail_answered(now, id);
            }
        } else if !call.sides[side].incoming && call.sides[side].sip.is_none() {
            // Our offer: place the call (in the other side's name).
            let sip = SipRef(self.next_sip);
            self.next_sip += 1;
            call.sides[side].sip = Some(sip);
            self.by_sip.insert(sip, (id, side));
            let placed = &call.sides[side];
            // A callback shows the hotline's number, not the agent's.
            let from = match self.callbacks.get(&id) {
                Some(cb) => cb.shown.clone(),
                None => call.sides[1 - side].party.clone(),
            };
            let command = SipCommand::Invite {
                sip,
                from,
                target: placed
                    .dial
                    .clone()
                    .unwrap_or_else(|| placed.party.number.clone()),
                via: placed.via,
                sdp,
            };
            self.out.push_back(Output::Sip(command));
        } else if let (Some(sip), Some(a), Some(b)) =
            (call.sides[0].sip, call.sides[0].leg, call.sides[1].leg)
        {
            // Our answer to the phone: the call is up.
            call.phase = Phase::Connected;
            call.sides[0].sip_answered = true;
            self.out
                .push_back(Output::Sip(SipCommand::Answer { sip, sdp }));
            self.out
                .push_back(Output::Media(MediaCommand::Bridge(a, b)));
            self.connected(now, id);
        }
    }

    /// The far end of a call we placed rings.
    pub fn handle_sip_ringing(&mut self, now: i64, sip: SipRef) {
        if let Some(&(id, _)) = self.by_sip.get(&sip) {
            self.tell(now, id, 0);
        }
    }

    /// A call we placed was answered with `sdp`.
    pub fn handle_sip_answered(&mut self, now: i64, sip: SipRef, sdp: String) {
        let Some(&(id, side)) = self.by_sip.get(&sip) else {
            return;
        };
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(b) = call.sides[side].leg else {
            return;
        };
        call.sides[side].answered_ms = Some(now);
        if self.offers.contains_key(&id) {
            // An agent's phone took a hotline's caller.
            self.out
                .push_back(Output::Media(MediaCommand::RtpAnswer(b, sdp)));
            self.join(now, id);
            return;
        }
        if self.is_fax(id) {
            // A fax we send was answered: the modem goes on.
            self.out
                .push_back(Output::Media(MediaCommand::RtpAnswer(b, sdp)));
            self.fax_connected(now, id);
            return;
        }
        let call = self.calls.get_mut(&id).expect("looked up above");
        let other = &call.sides[1 - side];
        if other.leg.is_none() && !other.incoming && other.sip.is_none() {
            // The person's own device answered: now call the target (a callback's caller
            // rings for the whole ring time from now).
            self.out
                .push_back(Output::Media(MediaCommand::RtpAnswer(b, sdp)));
            if self.callbacks.contains_key(&id) {
                self.place_callback(now, id);
                return;
            }
            self.out
                .push_back(Output::Media(MediaCommand::CreateRtpOffer {
                    call: id,
                    side: 1 - side,
                }));
            self.tell(now, id, side);
            return;
        }
        let Some(a) = call.sides[1 - side].leg else {
            // A SIP caller waits for this answer: answer it with the codec chosen here.
            let offer = call.sides[1 - side].offer.take().unwrap_or_default();
            let codecs = phone_codec(&sdp).map_or(PHONE_CODECS.to_vec(), |c| vec![c]);
            call.phase = Phase::Answering;
            self.out
                .push_back(Output::Media(MediaCommand::RtpAnswer(b, sdp)));
            self.out
                .push_back(Output::Media(MediaCommand::CreateRtpAnswer {
                    call: id,
                    side: 1 - side,
                    offer,
                    codecs,
                }));
            return;
        };
        call.phase = Phase::Connected;
        self.out
            .push_back(Output::Media(MediaCommand::RtpAnswer(b, sdp)));
        self.out
            .push_back(Output::Media(MediaCommand::Bridge(a, b)));
        self.connected(now, id);
        self.callback_connected(id);
    }

    /// A call we placed failed with `code` (no answer: 408).
    pub fn handle_sip_failed(&mut self, now: i64, sip: SipRef, code: u16) {
        let Some(&(id, side)) = self.by_sip.get(&sip) else {
            return;
        };
        let reason = match code {
            404 | 484 => EndReason::NotFound,
            486 | 600 => EndReason::Busy,
            603 => EndReason::Rejected,
            403 => EndReason::Forbidden,
            408 => EndReason::NoAnswer,
            _ => EndReason::Unavailable,
        };
        self.end(now, id, reason, Some(side));
    }

    /// The SIP side ended the call (BYE, or CANCEL before the answer).
    pub fn handle_sip_ended(&mut self, now: i64, sip: SipRef) {
        let Some(&(id, side)) = self.by_sip.get(&sip) else {
            return;
        };
        // A phone that gave up while ringing leaves a missed call (not answered).
        self.end(now, id, EndReason::Hangup, Some(side));
    }

    /// A call arrived at one of call control's user agents (`via`: from the switch, or
    /// from a trunk) from `from`, offering `offer` (whose codec for us is `codec`), for
    /// `to`: a person's browsers, a person through the switch (their desk phones), or an
    /// outside number through a trunk (a desk phone calling out). Returns the call and
    /// its name for the SIP side, or `None` when `to` cannot be rung (the shell answers
    /// 480).
    #[allow(clippy::too_many_arguments)]
    pub fn handle_sip_incoming(
        &mut self,
        now: i64,
        via: Via,
        from: Party,
        to: Target,
        offer: String,
        codec: Codec,
    ) -> Option<(CallId, SipRef)> {
        let hotline = match &to {
            Target::Hotline { hotline, .. } => Some(*hotline),
            _ => None,
        };
        let voicemail = match &to {
            Target::Voicemail {
                mailbox, listen, ..
            } => Some(super::voicemail::Answering {
                mailbox: *mailbox,
                listen: *listen,
                fax: false,
            }),
            Target::Fax { fax_box, .. } => Some(super::voicemail::Answering {
                mailbox: *fax_box,
                listen: false,
                fax: true,
            }),
            _ => None,
        };
        let callee = match to {
            Target::Browser(p) => {
                p.person?;
                Side::new(p, Kind::Browser, Direction::In, None, now)
            }
            Target::Sip(p) => Side::new(p, Kind::Sip, Direction::In, None, now),
            Target::Outside { party, trunk } => {
                let mut side = Side::new(party, Kind::Sip, Direction::In, None, now);
                side.via = Via::Trunk(trunk);
                side
            }
            Target::Hotline { party, .. } => Self::hotline_side(party, now),
            Target::Voicemail { party, .. } | Target::Fax { party, .. } => {
                Side::new(party, Kind::Voicemail, Direction::In, None, now)
            }
            Target::Echo | Target::Listen { .. } => return None,
        };
        let id = CallId(self.next_id);
        self.next_id += 1;
        let sip = SipRef(self.next_sip);
        self.next_sip += 1;
        let mut caller = Side::new(from, Kind::Sip, Direction::Out, None, now);
        caller.sip = Some(sip);
        caller.incoming = true;
        caller.via = via;
        caller.codec = Some(codec);
        caller.offer = Some(offer);
        let ring_person = callee.person();
        let call = Call {
            id,
            sides: [caller, callee],
            phase: Phase::Ringing {
                until: now + self.ring_ms,
            },
            since_ms: now,
            hotline: None,
        };
        let from = call.sides[0].party.clone();
        self.calls.insert(id, call);
        self.by_sip.insert(sip, (id, 0));
        if let Some(hotline) = hotline {
            self.hotline_incoming(id, hotline);
            return Some((id, sip));
        }
        if let Some(v) = voicemail {
            self.voicemails.insert(id, v);
            self.answer_for_voicemail(id);
            return Some((id, sip));
        }
        match ring_person {
            Some(person) => self.out.push_back(Output::Frame(
                To::Person(person),
                CallFrame::Incoming {
                    call: id,
                    from,
                    hotline: None,
                },
            )),
            // SIP on both sides: place the onward call first; the caller is answered
            // when it is (with the codec it chose).
            None => self
                .out
                .push_back(Output::Media(MediaCommand::CreateRtpOffer {
                    call: id,
                    side: 1,
                })),
        }
        Some((id, sip))
    }
}

/// The codec a phone's offer gives a browser: the first G.711 law it offers.
pub fn phone_codec(offer: &str) -> Option<Codec> {
    media::sdp::Audio::parse(offer)
        .ok()?
        .negotiate(&PHONE_CODECS)
        .ok()
        .map(|n| n.codec)
}

impl Calls {
    /// A call through the person's own device: see [`Command::DialVia`].
    pub(super) fn dial_via(
        &mut self,
        now: i64,
        conn: crate::party::Conn,
        from: Party,
        device: Target,
        target: Target,
    ) -> Result<CallId, crate::command::Refusal> {
        let side = |t: Target, direction| -> Option<Side> {
            let (party, via) = match t {
                Target::Sip(p) => (p, Via::Switch),
                Target::Outside { party, trunk } => (party, Via::Trunk(trunk)),
                Target::Browser(_)
                | Target::Echo
                | Target::Hotline { .. }
                | Target::Listen { .. }
                | Target::Voicemail { .. }
                | Target::Fax { .. } => return None,
            };
            let mut s = Side::new(party, Kind::Sip, direction, None, now);
            s.via = via;
            Some(s)
        };
        let Some(mut first) = side(device, Direction::Out) else {
            return Err(crate::command::Refusal::WrongState);
        };
        let Some(second) = side(target, Direction::In) else {
            return Err(crate::command::Refusal::WrongState);
        };
        // The first side is the person: their device dials, their browser follows.
        first.dial = Some(first.party.number.clone());
        first.party = from.clone();
        first.owner = from.person;
        first.conn = Some(conn);
        let id = CallId(self.next_id);
        self.next_id += 1;
        let call = Call {
            id,
            sides: [first, second],
            phase: Phase::Ringing {
                until: now + self.ring_ms,
            },
            since_ms: now,
            hotline: None,
        };
        self.calls.insert(id, call);
        self.out
            .push_back(Output::Media(MediaCommand::CreateRtpOffer {
                call: id,
                side: 0,
            }));
        self.tell(now, id, 0);
        Ok(id)
    }
}

/// How call control ends a SIP side it did not hear end: a call from a phone still
/// ringing here is refused with a status that says why; anything else hangs up.
pub(super) fn sip_end(sip: SipRef, unanswered_incoming: bool, reason: EndReason) -> SipCommand {
    if unanswered_incoming {
        let code = match reason {
            EndReason::Rejected => 603,
            EndReason::Busy => 486,
            EndReason::NotFound => 404,
            _ => 480,
        };
        SipCommand::Reject { sip, code }
    } else {
        SipCommand::Hangup { sip }
    }
}
