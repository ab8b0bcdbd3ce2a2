//! Voicemail at the desk: a call nobody answers goes on to the callee's box (when they
//! have one), a box can be dialled, and the caller answered by a box is reported to the
//! voicemail ([`VoicemailEvent`]), which plays, records and reads keys.

use super::{Calls, PHONE_CODECS};
use crate::call::{Kind, Phase, Side};
use crate::command::{Refusal, Target};
use crate::frames::{CallFrame, CallState, Direction, EndReason};
use crate::output::{MediaCommand, Output, SipCommand, To};
use crate::party::{CallId, Via};
use crate::voicemail::VoicemailEvent;

/// A call answered by a box (or on its way there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Answering {
    pub mailbox: i64,
    pub listen: bool,
    /// A fax box (`mailbox` is its id): a fax modem answers, see `fax.rs`.
    pub fax: bool,
}

impl Calls {
    /// Sets (or with `None` removes) `person`'s voicemail box: from now on calls to them
    /// that nobody answers (rang out, declined, busy, nobody reachable) go there.
    pub fn set_mailbox(&mut self, person: i64, mailbox: Option<i64>) {
        match mailbox {
            Some(m) => self.mailboxes.insert(person, m),
            None => self.mailboxes.remove(&person),
        };
    }

    /// Ends a call answered by a box (the message is complete, or the menu said goodbye).
    pub fn end_voicemail(&mut self, now: i64, call: CallId) -> Result<(), Refusal> {
        if self.voicemails.get(&call).is_none_or(|a| a.fax) {
            return Err(Refusal::NoCall);
        }
        self.end(now, call, EndReason::Hangup, Some(1));
        Ok(())
    }

    /// A hotline's waiting caller goes on to a box (their queue overflowed to the
    /// hotline's voicemail): offers still ringing for them end, the box answers at once.
    /// When the call ends the hotline hears that the caller left.
    pub fn hotline_to_voicemail(
        &mut self,
        now: i64,
        id: CallId,
        mailbox: i64,
    ) -> Result<(), Refusal> {
        let call = self.calls.get(&id).ok_or(Refusal::NoCall)?;
        if call.phase != Phase::Parked || call.hotline.is_none_or(|l| l.agent.is_some()) {
            return Err(Refusal::WrongState);
        }
        let offers: Vec<CallId> = self
            .offers
            .iter()
            .filter(|(_, &(c, _))| c == id)
            .map(|(&o, _)| o)
            .collect();
        for offer in offers {
            self.offers.remove(&offer);
            self.end(now, offer, EndReason::NoAnswer, None);
        }
        let call = self.calls.get_mut(&id).ok_or(Refusal::NoCall)?;
        call.sides[1].kind = Kind::Voicemail;
        self.voicemails.insert(
            id,
            Answering {
                mailbox,
                listen: false,
                fax: false,
            },
        );
        self.voicemail_answered(now, id);
        Ok(())
    }

    /// The owner listening to their box (`*98`) calls a message's caller back from the
    /// same call: the box leaves, `target` rings. A browser on Opus can only ring browsers
    /// (a phone would need transcoding).
    pub fn call_back_from_voicemail(
        &mut self,
        now: i64,
        id: CallId,
        target: Target,
    ) -> Result<(), Refusal> {
        if !self.voicemails.get(&id).is_some_and(|v| v.listen) {
            return Err(Refusal::NoCall);
        }
        let call = self.calls.get(&id).ok_or(Refusal::NoCall)?;
        let opus = call.sides[0].codec == Some(media::Codec::Opus);
        let mut callee = match target {
            Target::Browser(p) => Side::new(p, Kind::Browser, Direction::In, None, now),
            Target::Sip(p) if !opus => Side::new(p, Kind::Sip, Direction::In, None, now),
            Target::Outside { party, trunk } if !opus => {
                let mut side = Side::new(party, Kind::Sip, Direction::In, None, now);
                side.via = Via::Trunk(trunk);
                side
            }
            _ => return Err(Refusal::WrongState),
        };
        if callee.party.person.is_some() && callee.party.person == call.sides[0].person() {
            return Err(Refusal::SelfCall);
        }
        callee.joined_ms = now;
        let kind = callee.kind;
        self.voicemails.remove(&id);
        self.out
            .push_back(Output::Voicemail(VoicemailEvent::Ended { call: id }));
        let call = self.calls.get_mut(&id).expect("looked up above");
        call.sides[1] = callee;
        call.phase = Phase::Ringing {
            until: now + self.ring_ms,
        };
        call.since_ms = now;
        if let Some(leg) = call.sides[0].leg {
            self.out
                .push_back(Output::Media(MediaCommand::StopPlaying(leg)));
        }
        match kind {
            Kind::Browser => self.ring(now, id),
            _ => {
                self.out
                    .push_back(Output::Media(MediaCommand::CreateRtpOffer {
                        call: id,
                        side: 1,
                    }));
                self.tell(now, id, 0);
            }
        }
        Ok(())
    }

    /// Instead of ending a ringing call to a person for `reason`, connects the caller to
    /// the person's box; whether it did.
    pub(super) fn divert_to_voicemail(
        &mut self,
        now: i64,
        id: CallId,
        reason: EndReason,
        by: Option<usize>,
    ) -> bool {
        let unanswered = matches!(
            reason,
            EndReason::NoAnswer | EndReason::Busy | EndReason::Rejected | EndReason::Unavailable
        );
        if !unanswered || by == Some(0) {
            return false;
        }
        let Some(call) = self.calls.get(&id) else {
            return false;
        };
        let special = call.hotline.is_some()
            || self.offers.contains_key(&id)
            || self.callbacks.contains_key(&id)
            || self.listens.contains_key(&id)
            || self.voicemails.contains_key(&id);
        if special || !matches!(call.phase, Phase::Ringing { .. }) {
            return false;
        }
        let callee = &call.sides[1];
        // A person's own device (rung to call through it) has no box of its own.
        if !matches!(callee.kind, Kind::Browser | Kind::Sip) || callee.owner.is_some() {
            return false;
        }
        let caller = &call.sides[0];
        // A desk phone's call the switch rang the person's browsers for, beside their
        // phones: the switch sends it to the box once none of them takes it (it knows
        // when the phones gave up too). Relayed calls, placed onward through the switch
        // (the callee a SIP side), and calls from the trunk stay ours.
        let rung_by_the_switch = caller.kind == Kind::Sip
            && caller.incoming
            && caller.via == Via::Switch
            && callee.kind == Kind::Browser;
        if rung_by_the_switch {
            return false;
        }
        let Some(&mailbox) = callee.party.person.and_then(|p| self.mailboxes.get(&p)) else {
            return false;
        };
        let reachable = match caller.kind {
            Kind::Browser => caller.leg.is_some(),
            Kind::Sip => caller.incoming && (caller.leg.is_some() || caller.offer.is_some()),
            _ => false,
        };
        if !reachable {
            return false;
        }
        let caller_party = caller.party.clone();
        let caller_has_leg = caller.leg.is_some();
        let call = self.calls.get_mut(&id).expect("looked up above");
        let box_side = Side::new(
            call.sides[1].party.clone(),
            Kind::Voicemail,
            Direction::In,
            None,
            now,
        );
        let missed = std::mem::replace(&mut call.sides[1], box_side);
        call.phase = Phase::Answering;
        call.since_ms = now;
        // The callee who did not answer: their leg and SIP call go, their browsers stop
        // ringing, their history shows a missed call.
        if let Some(leg) = missed.leg {
            self.by_leg.remove(&leg);
            self.out.push_back(Output::Media(MediaCommand::Remove(leg)));
        }
        if let Some(sip) = missed.sip {
            self.by_sip.remove(&sip);
            if by != Some(1) {
                self.out.push_back(Output::Sip(SipCommand::Hangup { sip }));
            }
        }
        if let Some(person) = missed.person() {
            let frame = CallFrame::State {
                call: id,
                state: CallState::Ended,
                direction: missed.direction,
                peer: caller_party.clone(),
                since_ms: now,
                reason: Some(reason),
            };
            let to = missed.conn.map_or(To::Person(person), To::Conn);
            self.out.push_back(Output::Frame(to, frame));
            self.finish_side(now, person, &missed, caller_party);
        }
        self.voicemails.insert(
            id,
            Answering {
                mailbox,
                listen: false,
                fax: false,
            },
        );
        if caller_has_leg {
            self.voicemail_answered(now, id);
        } else {
            self.answer_for_voicemail(id);
        }
        true
    }

    /// A phone's call for a box: answer its offer (then [`Self::voicemail_answered`]).
    pub(super) fn answer_for_voicemail(&mut self, id: CallId) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.phase = Phase::Answering;
        let offer = call.sides[0].offer.take().unwrap_or_default();
        self.out
            .push_back(Output::Media(MediaCommand::CreateRtpAnswer {
                call: id,
                side: 0,
                offer,
                codecs: PHONE_CODECS.to_vec(),
            }));
    }

    /// The caller's leg is up: the box answers.
    pub(super) fn voicemail_answered(&mut self, now: i64, id: CallId) {
        let Some(&Answering {
            mailbox,
            listen,
            fax,
        }) = self.voicemails.get(&id)
        else {
            return;
        };
        if fax {
            self.fax_connected(now, id);
            return;
        }
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let (Some(leg), Some(codec)) = (call.sides[0].leg, call.sides[0].codec) else {
            return;
        };
        call.phase = Phase::Voicemail;
        call.since_ms = now;
        call.sides[1].answered_ms = Some(now);
        call.sides[0].answered_ms.get_or_insert(now);
        let caller = call.sides[0].party.clone();
        if let Some(p) = call.sides[0].person() {
            if !call.sides[0].on_the_phone {
                call.sides[0].on_the_phone = true;
                self.out.push_back(Output::Presence(p, true));
            }
        }
        self.out
            .push_back(Output::Voicemail(VoicemailEvent::Answered {
                call: id,
                mailbox,
                listen,
                caller,
                leg,
                codec,
            }));
        self.tell(now, id, 0);
    }
}
