//! A supervisor listening in on a hotline's conversation: a call of its own from their
//! browser (its far side is a [`Kind::Listen`] side, nobody to ring), whose leg hears
//! the caller and the agent mixed. Whispering, the agent hears the supervisor too; the
//! caller never does. The agent hears a tone when it begins. It ends when the supervisor
//! hangs up or the conversation ends (or the agent passes the caller on).
//!
//! Whether a supervisor may listen (the hotline allows it, they supervise it) is the
//! shell's to decide and to audit; call control checks the conversation.

use super::{Calls, PHONE_CODECS};
use crate::call::{Kind, Phase, Side};
use crate::command::Refusal;
use crate::frames::{Direction, EndReason};
use crate::output::{MediaCommand, Output};
use crate::party::{CallId, LegRef, Party};

/// A supervisor's listening call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Listening {
    /// The hotline's conversation listened to (the caller's call).
    pub conversation: CallId,
    /// The agent hears the supervisor too.
    pub whisper: bool,
    /// Whose conversation it is.
    pub hotline: i64,
    /// Who listens.
    pub supervisor: Option<i64>,
}

impl Calls {
    /// Whether `conversation` can be listened to: a conversation of `hotline`,
    /// connected, with both legs, that nobody listens to yet. Changes nothing.
    pub fn may_listen(&self, hotline: i64, conversation: CallId) -> Result<CallId, Refusal> {
        let conversation = self
            .aliases
            .get(&conversation)
            .copied()
            .unwrap_or(conversation);
        let call = self.calls.get(&conversation).ok_or(Refusal::NoCall)?;
        let talking = call.phase == Phase::Connected
            && call
                .hotline
                .is_some_and(|l| l.hotline == hotline && l.agent.is_some())
            && call.sides.iter().all(|s| s.leg.is_some());
        if !talking
            || self
                .listens
                .values()
                .any(|l| l.conversation == conversation)
        {
            return Err(Refusal::WrongState);
        }
        Ok(conversation)
    }

    /// The far side of a listening call on `conversation` (see [`Calls::may_listen`]),
    /// and what the call is.
    pub(super) fn listen_side(
        &self,
        now: i64,
        hotline: i64,
        conversation: CallId,
        whisper: bool,
        party: Party,
        supervisor: Option<i64>,
    ) -> Result<(Side, Vec<media::Codec>, Listening), Refusal> {
        let conversation = self.may_listen(hotline, conversation)?;
        let side = Side::new(party, Kind::Listen, Direction::In, None, now);
        // The mix is G.711, like the hotline's legs.
        let listening = Listening {
            conversation,
            whisper,
            hotline,
            supervisor,
        };
        Ok((side, PHONE_CODECS.to_vec(), listening))
    }

    /// The supervisor's leg is up: it hears the caller and the agent; whispering, the
    /// agent hears the caller and the supervisor. The agent hears the tone.
    pub(super) fn start_listening(&mut self, now: i64, id: CallId) {
        let Some(listening) = self.listens.get(&id).copied() else {
            return;
        };
        let legs = self
            .calls
            .get(&listening.conversation)
            .map(|c| (c.sides[0].leg, c.sides[1].leg));
        let (Some((Some(caller), Some(agent))), Some(call)) = (legs, self.calls.get_mut(&id))
        else {
            self.end(now, id, EndReason::Hangup, None);
            return;
        };
        let Some(supervisor) = call.sides[0].leg else {
            return;
        };
        call.phase = Phase::Connected;
        call.sides[1].answered_ms = Some(now);
        let mut hear = |leg, sources| {
            self.out
                .push_back(Output::Media(MediaCommand::Hear { leg, sources }));
        };
        hear(supervisor, vec![caller, agent]);
        if listening.whisper {
            hear(agent, vec![caller, supervisor]);
        }
        self.out
            .push_back(Output::Media(MediaCommand::ListenTone(agent)));
        self.connected(now, id);
    }

    /// The conversation `id` is over (or its agent left it): whoever listens to it stops.
    pub(super) fn stop_listening_to(&mut self, now: i64, id: CallId) {
        let listeners: Vec<CallId> = self
            .listens
            .iter()
            .filter(|(_, l)| l.conversation == id)
            .map(|(&call, _)| call)
            .collect();
        for call in listeners {
            self.end(now, call, EndReason::Hangup, None);
        }
    }

    /// Every listening call: its id, its hotline, who listens.
    pub fn listenings(&self) -> Vec<(CallId, i64, Option<i64>)> {
        self.listens
            .iter()
            .map(|(&id, l)| (id, l.hotline, l.supervisor))
            .collect()
    }

    /// Ends a listening call (the hotline no longer allows it, or the person no longer
    /// supervises it); anything else is left alone.
    pub fn stop_listening(&mut self, now: i64, id: CallId) {
        if self.listens.contains_key(&id) {
            self.end(now, id, EndReason::Hangup, None);
        }
    }

    /// The mix of `leg` failed: the listening it belongs to ends (the supervisor's own
    /// call, or the listening to the conversation whose leg it is); the conversation
    /// goes on.
    pub fn stop_listening_at(&mut self, now: i64, leg: LegRef) {
        let Some(&(id, _)) = self.by_leg.get(&leg) else {
            return;
        };
        let listening = match self.listens.contains_key(&id) {
            true => Some(id),
            false => self.listener_of(id).map(|(call, _)| call),
        };
        if let Some(call) = listening {
            self.end(now, call, EndReason::Hangup, None);
        }
    }

    /// Who listens to conversation `id`, and whether they whisper.
    pub fn listener_of(&self, id: CallId) -> Option<(CallId, bool)> {
        self.listens
            .iter()
            .find(|(_, l)| l.conversation == id)
            .map(|(&call, l)| (call, l.whisper))
    }
}
