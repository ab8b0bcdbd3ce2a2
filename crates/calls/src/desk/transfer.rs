//! Transfers: a blind one (the other side rings the new target while this side leaves)
//! and an attended one (the other sides of two calls are connected, this side leaves
//! both), and what a side that leaves a call that goes on is told.

use super::Calls;
use crate::call::{Kind, Phase, Side};
use crate::command::{Refusal, Target};
use crate::frames::{CallFrame, CallState, Direction, EndReason};
use crate::hotline::HotlineEvent;
use crate::output::{MediaCommand, Output, To};
use crate::party::{CallId, Party};

impl Calls {
    pub(super) fn transfer(
        &mut self,
        now: i64,
        person: i64,
        id: CallId,
        target: Target,
    ) -> Result<(), Refusal> {
        let call = self.calls.get(&id).ok_or(Refusal::NoCall)?;
        let side = call.side_of(person).ok_or(Refusal::NoCall)?;
        if call.phase != Phase::Connected || self.listens.contains_key(&id) {
            return Err(Refusal::WrongState);
        }
        let Target::Browser(party) = target else {
            return Err(Refusal::WrongState);
        };
        let stays = 1 - side;
        if party.person.is_some() && party.person == call.sides[stays].person() {
            return Err(Refusal::SelfCall);
        }
        // Whoever passes the call on, the conversation listened to is over.
        self.stop_listening_to(now, id);
        let call = self.calls.get_mut(&id).ok_or(Refusal::NoCall)?;
        let leaving = call.sides[side].clone();
        let staying = call.sides[stays].clone();
        call.sides = [
            staying,
            Side::new(party, Kind::Browser, Direction::In, None, now),
        ];
        call.sides[0].holding = false;
        call.phase = Phase::Ringing {
            until: now + self.ring_ms,
        };
        call.since_ms = now;
        if let Some(leg) = call.sides[0].leg {
            self.by_leg.insert(leg, (id, 0));
            self.out
                .push_back(Output::Media(MediaCommand::Hold(leg, false)));
        }
        let peer = self.calls[&id].sides[0].party.clone();
        self.leave(now, id, &leaving, peer, EndReason::Transferred);
        self.agent_left(now, id, person);
        self.callback_agent_left(id, person);
        self.ring(now, id);
        Ok(())
    }

    pub(super) fn transfer_to(
        &mut self,
        now: i64,
        person: i64,
        id: CallId,
        to_call: CallId,
    ) -> Result<(), Refusal> {
        let (a, b) = (
            self.calls.get(&id).ok_or(Refusal::NoCall)?,
            self.calls.get(&to_call).ok_or(Refusal::NoCall)?,
        );
        let (sa, sb) = (
            a.side_of(person).ok_or(Refusal::NoCall)?,
            b.side_of(person).ok_or(Refusal::NoCall)?,
        );
        if id == to_call
            || a.phase != Phase::Connected
            || b.phase != Phase::Connected
            || [id, to_call].iter().any(|c| self.listens.contains_key(c))
        {
            return Err(Refusal::WrongState);
        }
        let (x, mut y) = (a.sides[1 - sa].clone(), b.sides[1 - sb].clone());
        // The other side of `to_call` keeps knowing its call by that id.
        y.shown = y.shown.or(Some(to_call));
        self.aliases.insert(to_call, id);
        let (me_a, me_b) = (a.sides[sa].clone(), b.sides[sb].clone());
        let links = [(id, a.hotline), (to_call, b.hotline)];
        self.stop_listening_to(now, id);
        self.stop_listening_to(now, to_call);
        self.calls.remove(&to_call);
        let call = self.calls.get_mut(&id).ok_or(Refusal::NoCall)?;
        call.sides = [x, y];
        call.hotline = None;
        for s in call.sides.iter_mut() {
            s.holding = false;
        }
        call.since_ms = now;
        let legs: Vec<_> = call.sides.iter().map(|s| s.leg).collect();
        let sips: Vec<_> = call.sides.iter().map(|s| s.sip).collect();
        for (i, sip) in sips.iter().enumerate() {
            if let Some(sip) = sip {
                self.by_sip.insert(*sip, (id, i));
            }
        }
        for to in self.aliases.values_mut() {
            if *to == to_call {
                *to = id;
            }
        }
        for (i, leg) in legs.iter().enumerate() {
            if let Some(leg) = leg {
                self.by_leg.insert(*leg, (id, i));
                self.out
                    .push_back(Output::Media(MediaCommand::Hold(*leg, false)));
            }
        }
        if let [Some(l0), Some(l1)] = legs[..] {
            self.out
                .push_back(Output::Media(MediaCommand::Bridge(l0, l1)));
        }
        let (px, py) = (
            self.calls[&id].sides[0].party.clone(),
            self.calls[&id].sides[1].party.clone(),
        );
        self.leave(now, id, &me_a, px, EndReason::Transferred);
        self.leave(now, to_call, &me_b, py, EndReason::Transferred);
        for (call, link) in links {
            if let Some(agent) = link.and_then(|l| l.agent).filter(|a| *a == person) {
                self.out
                    .push_back(Output::Hotline(HotlineEvent::Ended { call, agent }));
            }
        }
        self.callback_agent_left(id, person);
        self.callback_agent_left(to_call, person);
        self.tell(now, id, 0);
        self.tell(now, id, 1);
        Ok(())
    }

    /// A side that leaves a call that goes on: its leg goes, it hears "ended", its
    /// history gets the line.
    pub(super) fn leave(
        &mut self,
        now: i64,
        id: CallId,
        side: &Side,
        peer: Party,
        reason: EndReason,
    ) {
        if let Some(leg) = side.leg {
            self.by_leg.remove(&leg);
            self.out.push_back(Output::Media(MediaCommand::Remove(leg)));
        }
        if let (Some(conn), Some(person)) = (side.conn, side.person()) {
            let frame = CallFrame::State {
                call: side.shown.unwrap_or(id),
                state: CallState::Ended,
                direction: side.direction,
                peer: peer.clone(),
                since_ms: now,
                reason: Some(reason),
            };
            self.out.push_back(Output::Frame(To::Conn(conn), frame));
            self.finish_side(now, person, side, peer);
        }
    }
}
