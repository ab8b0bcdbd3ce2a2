//! A hotline's calls at the desk: the caller answered and parked, offers to agents as
//! calls of their own (from the hotline, showing the caller), and the join of the caller
//! with the agent who answered first.

use super::{Calls, PHONE_CODECS};
use crate::call::{Call, HotlineLink, Kind, Phase, Side};
use crate::command::{Refusal, Target};
use crate::frames::{CallFrame, Direction, EndReason};
use crate::hotline::HotlineEvent;
use crate::output::{MediaCommand, Output, To};
use crate::party::{CallId, Party, Via};

impl Calls {
    /// Offers a parked caller to `agent`, reached as `reach` (their browsers, their
    /// phones through the switch, or their mobile through a trunk), ringing until
    /// `until` (Unix ms). The offer is a call of its own; when the agent answers, it
    /// becomes part of the caller's call ([`HotlineEvent::Answered`]); when it ends
    /// unanswered, [`HotlineEvent::OfferEnded`] says so.
    pub fn offer(
        &mut self,
        now: i64,
        call: CallId,
        agent: i64,
        reach: Target,
        until: i64,
    ) -> Result<CallId, Refusal> {
        let caller = self.calls.get(&call).ok_or(Refusal::NoCall)?;
        if caller.hotline.is_none_or(|l| l.agent.is_some()) {
            return Err(Refusal::WrongState);
        }
        if caller.phase != Phase::Parked {
            return Err(Refusal::WrongState);
        }
        if self.offers.values().any(|&(c, a)| c == call && a == agent) {
            return Err(Refusal::WrongState);
        }
        let via_hotline = caller.hotline.map(|l| crate::frames::ViaHotline {
            id: l.hotline,
            name: caller.sides[1].party.name.clone().unwrap_or_default(),
        });
        let mut from = Side::new(
            caller.sides[0].party.clone(),
            Kind::Hotline,
            Direction::Out,
            None,
            now,
        );
        from.codec = caller.sides[0].codec;
        let to = agent_side(reach, agent, now)?;
        let id = CallId(self.next_id);
        self.next_id += 1;
        let kind = to.kind;
        let offered = Call {
            id,
            sides: [from, to],
            phase: Phase::Ringing { until },
            since_ms: now,
            hotline: None,
        };
        let shown = offered.sides[0].party.clone();
        self.calls.insert(id, offered);
        self.offers.insert(id, (call, agent));
        match kind {
            Kind::Browser => self.out.push_back(Output::Frame(
                To::Person(agent),
                CallFrame::Incoming {
                    call: id,
                    from: shown,
                    hotline: via_hotline,
                },
            )),
            // A phone: our offer first (the codec of the caller's leg, no transcoding).
            _ => self
                .out
                .push_back(Output::Media(MediaCommand::CreateRtpOffer {
                    call: id,
                    side: 1,
                })),
        }
        Ok(id)
    }

    /// Withdraws the offer of `call` to `agent` (the hotline stopped ringing them); no
    /// [`HotlineEvent::OfferEnded`] follows.
    pub fn withdraw_offer(&mut self, now: i64, call: CallId, agent: i64) {
        let offers: Vec<CallId> = self
            .offers
            .iter()
            .filter(|(_, &(c, a))| c == call && a == agent)
            .map(|(&id, _)| id)
            .collect();
        for id in offers {
            self.offers.remove(&id);
            self.end(now, id, EndReason::NoAnswer, None);
        }
    }

    /// Sends a parked caller away (the hotline is closed, or the queue overflowed to a
    /// closed message): their call ends as if the hotline hung up.
    pub fn send_away(&mut self, now: i64, call: CallId) -> Result<(), Refusal> {
        let c = self.calls.get(&call).ok_or(Refusal::NoCall)?;
        if c.hotline.is_none_or(|l| l.agent.is_some()) {
            return Err(Refusal::WrongState);
        }
        self.end(now, call, EndReason::Hangup, Some(1));
        Ok(())
    }

    /// The caller's leg is up: the call is answered by the hotline and waits.
    pub(super) fn park(&mut self, now: i64, id: CallId) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let (Some(leg), Some(codec), Some(link)) =
            (call.sides[0].leg, call.sides[0].codec, call.hotline)
        else {
            return;
        };
        call.phase = Phase::Parked;
        call.since_ms = now;
        call.sides[1].answered_ms = Some(now);
        call.sides[0].answered_ms = Some(now);
        let caller = call.sides[0].party.clone();
        let via = call.sides[0].via;
        if let Some(p) = call.sides[0].person() {
            if !call.sides[0].on_the_phone {
                call.sides[0].on_the_phone = true;
                self.out.push_back(Output::Presence(p, true));
            }
        }
        self.out.push_back(Output::Hotline(HotlineEvent::Arrived {
            call: id,
            hotline: link.hotline,
            caller,
            leg,
            codec,
            via,
        }));
        self.tell(now, id, 0);
    }

    /// The agent's leg of an offer is up: the agent takes the caller's place at the
    /// hotline's side of the caller's call, and the two are connected.
    pub(super) fn join(&mut self, now: i64, offer: CallId) {
        let Some(&(caller_id, agent)) = self.offers.get(&offer) else {
            return;
        };
        let waiting = self.calls.get(&caller_id).is_some_and(|c| {
            c.phase == Phase::Parked && c.hotline.is_some_and(|l| l.agent.is_none())
        });
        if !waiting {
            // The caller is gone or taken meanwhile.
            self.end(now, offer, EndReason::AnsweredElsewhere, None);
            return;
        }
        self.withdraw_other_offers(now, offer);
        self.offers.remove(&offer);
        let Some(offered) = self.calls.remove(&offer) else {
            return;
        };
        let mut side = offered.sides[1].clone();
        side.shown = Some(side.shown.unwrap_or(offer));
        self.aliases.insert(offer, caller_id);
        if let Some(leg) = side.leg {
            self.by_leg.insert(leg, (caller_id, 1));
        }
        if let Some(sip) = side.sip {
            self.by_sip.insert(sip, (caller_id, 1));
        }
        let Some(call) = self.calls.get_mut(&caller_id) else {
            return;
        };
        let agent_leg = side.leg;
        call.sides[1] = side;
        call.phase = Phase::Connected;
        if let Some(link) = call.hotline.as_mut() {
            link.agent = Some(agent);
        }
        if let (Some(a), Some(b)) = (call.sides[0].leg, agent_leg) {
            self.out
                .push_back(Output::Media(MediaCommand::StopPlaying(a)));
            self.out
                .push_back(Output::Media(MediaCommand::Bridge(a, b)));
        }
        self.out.push_back(Output::Hotline(HotlineEvent::Answered {
            call: caller_id,
            agent,
        }));
        self.connected(now, caller_id);
    }

    /// One agent answers an offer: the caller's other offers stop ringing (the hotline
    /// learns with [`HotlineEvent::Answered`]).
    pub(super) fn withdraw_other_offers(&mut self, now: i64, answered: CallId) {
        let Some(&(caller, _)) = self.offers.get(&answered) else {
            return;
        };
        let others: Vec<CallId> = self
            .offers
            .iter()
            .filter(|(&id, &(c, _))| c == caller && id != answered)
            .map(|(&id, _)| id)
            .collect();
        for id in others {
            self.offers.remove(&id);
            self.end(now, id, EndReason::AnsweredElsewhere, None);
        }
    }

    /// A call that ends tells the hotline: an offer that ended unanswered, a caller who
    /// left waiting (their offers stop), an agent's conversation that ended.
    pub(super) fn hotline_ended(&mut self, now: i64, call: &Call, offer: Option<(CallId, i64)>) {
        if let Some((caller, agent)) = offer {
            self.out
                .push_back(Output::Hotline(HotlineEvent::OfferEnded {
                    call: caller,
                    agent,
                }));
            return;
        }
        let Some(link) = call.hotline else { return };
        match link.agent {
            Some(agent) => self.out.push_back(Output::Hotline(HotlineEvent::Ended {
                call: call.id,
                agent,
            })),
            None => {
                let offers: Vec<CallId> = self
                    .offers
                    .iter()
                    .filter(|(_, &(c, _))| c == call.id)
                    .map(|(&id, _)| id)
                    .collect();
                for id in offers {
                    self.offers.remove(&id);
                    self.end(now, id, EndReason::Hangup, None);
                }
                self.out
                    .push_back(Output::Hotline(HotlineEvent::Left { call: call.id }));
            }
        }
    }

    /// `person` left call `id` by a transfer: if they were its agent, their
    /// conversation for the hotline is over.
    pub(super) fn agent_left(&mut self, now: i64, id: CallId, person: i64) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if let Some(agent) = call.hotline.and_then(|l| l.agent).filter(|a| *a == person) {
            call.hotline = None;
            self.stop_listening_to(now, id);
            self.out
                .push_back(Output::Hotline(HotlineEvent::Ended { call: id, agent }));
        }
    }

    /// A phone's call for a hotline arrived (`call` inserted, its SIP side named): answer
    /// it ourselves, with a phone leg speaking G.711.
    pub(super) fn hotline_incoming(&mut self, id: CallId, hotline: i64) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.phase = Phase::Answering;
        call.hotline = Some(HotlineLink {
            hotline,
            agent: None,
        });
        let offer = call.sides[0].offer.take().unwrap_or_default();
        self.out
            .push_back(Output::Media(MediaCommand::CreateRtpAnswer {
                call: id,
                side: 0,
                offer,
                codecs: PHONE_CODECS.to_vec(),
            }));
    }

    /// The hotline's side of a phone's call (where the caller waits).
    pub(super) fn hotline_side(party: Party, now: i64) -> Side {
        Side::new(party, Kind::Hotline, Direction::In, None, now)
    }
}

/// Where an agent is reached for a hotline's call: their browser, or one of their phones
/// (desk phones through the switch, the mobile through a trunk) — then their browser
/// follows, their presence and history get it.
pub(super) fn agent_side(reach: Target, agent: i64, now: i64) -> Result<Side, Refusal> {
    let mut side = match reach {
        Target::Browser(p) => return Ok(Side::new(p, Kind::Browser, Direction::In, None, now)),
        Target::Sip(p) => Side::new(p, Kind::Sip, Direction::In, None, now),
        Target::Outside { party, trunk } => {
            let mut side = Side::new(party, Kind::Sip, Direction::In, None, now);
            side.via = Via::Trunk(trunk);
            side
        }
        Target::Echo
        | Target::Hotline { .. }
        | Target::Listen { .. }
        | Target::Voicemail { .. }
        | Target::Fax { .. } => return Err(Refusal::WrongState),
    };
    side.owner = Some(agent);
    Ok(side)
}
