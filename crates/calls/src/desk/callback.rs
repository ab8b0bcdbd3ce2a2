//! A hotline's callback: a caller who asked to be called back (and hung up) keeps their
//! place; when an agent is free, the agent is rung first (showing whom they will call),
//! and once they answered, the caller is called with the hotline's number as caller id.

use super::{Calls, PHONE_CODECS};
use crate::call::{Call, Kind, Phase, Side};
use crate::command::{Refusal, Target};
use crate::frames::{CallFrame, Direction};
use crate::hotline::HotlineEvent;
use crate::output::{MediaCommand, Output, To};
use crate::party::{CallId, Party, Via};

/// What a callback needs: whose place, which agent where, whom to call, shown as whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackRequest {
    /// The caller's place (the id of their first call).
    pub place: CallId,
    /// The agent.
    pub agent: i64,
    /// Where the agent answers (their browser, desk phones or mobile).
    pub reach: Target,
    /// The caller: through the switch, or through a trunk.
    pub caller: Target,
    /// The hotline, shown to the caller as who calls.
    pub hotline: Party,
    /// The hotline's id (shown to the agent's browser).
    pub hotline_id: i64,
    /// Until when the agent is rung (Unix ms).
    pub until: i64,
}

/// A callback under way.
#[derive(Debug, Clone)]
pub(crate) struct Callback {
    /// The caller's place in the queue (the id of their first call).
    pub place: CallId,
    pub agent: i64,
    /// The hotline, as the caller sees who calls.
    pub shown: Party,
    /// The caller answered.
    pub reached: bool,
}

impl Calls {
    /// Calls back the caller of a place for an agent (see [`CallbackRequest`]): the agent
    /// rings until `until`; once they answer, the caller is called (through the switch or
    /// a trunk) with the hotline as the caller id. Reports
    /// [`HotlineEvent::CallbackReached`], then [`HotlineEvent::Ended`] — or
    /// [`HotlineEvent::CallbackFailed`] when the agent or the caller did not answer.
    pub fn call_back(&mut self, now: i64, request: CallbackRequest) -> Result<CallId, Refusal> {
        let CallbackRequest {
            place,
            agent,
            reach,
            caller,
            hotline,
            hotline_id,
            until,
        } = request;
        let mut callee = match caller {
            Target::Sip(p) => Side::new(p, Kind::Sip, Direction::Out, None, now),
            Target::Outside { party, trunk } => {
                let mut side = Side::new(party, Kind::Sip, Direction::Out, None, now);
                side.via = Via::Trunk(trunk);
                side
            }
            _ => return Err(Refusal::WrongState),
        };
        callee.codec = None;
        let mut at_agent = super::hotline::agent_side(reach, agent, now)?;
        let on_a_phone = at_agent.kind == Kind::Sip;
        at_agent.answered_ms = None;
        let id = CallId(self.next_id);
        self.next_id += 1;
        let shown = callee.party.clone();
        let call = Call {
            id,
            sides: [callee, at_agent],
            phase: Phase::Ringing { until },
            since_ms: now,
            hotline: None,
        };
        self.calls.insert(id, call);
        self.callbacks.insert(
            id,
            Callback {
                place,
                agent,
                shown: hotline.clone(),
                reached: false,
            },
        );
        if on_a_phone {
            // Our offer to the agent's phone first; once it answers, the caller is called.
            self.out
                .push_back(Output::Media(MediaCommand::CreateRtpOffer {
                    call: id,
                    side: 1,
                }));
            return Ok(id);
        }
        self.out.push_back(Output::Frame(
            To::Person(agent),
            CallFrame::Incoming {
                call: id,
                from: shown,
                hotline: Some(crate::frames::ViaHotline {
                    id: hotline_id,
                    name: format!("{} – Rückruf", hotline.name.unwrap_or_default()),
                }),
            },
        ));
        Ok(id)
    }

    /// The agent's leg of a callback is up: now the caller is called, ringing for at most
    /// the desk's ring time (then the callback failed).
    pub(super) fn place_callback(&mut self, now: i64, id: CallId) {
        if let Some(call) = self.calls.get_mut(&id) {
            call.phase = Phase::Ringing {
                until: now + self.ring_ms,
            };
        }
        self.out
            .push_back(Output::Media(MediaCommand::CreateRtpOffer {
                call: id,
                side: 0,
            }));
    }

    /// The codecs the agent answers a callback with (it meets a phone).
    pub(super) fn callback_codecs() -> Vec<media::Codec> {
        PHONE_CODECS.to_vec()
    }

    /// A callback's call is connected: the caller answered.
    pub(super) fn callback_connected(&mut self, id: CallId) {
        if let Some(cb) = self.callbacks.get_mut(&id) {
            cb.reached = true;
            let (place, agent) = (cb.place, cb.agent);
            self.out
                .push_back(Output::Hotline(HotlineEvent::CallbackReached {
                    call: place,
                    agent,
                }));
        }
    }

    /// `person` left the callback call `id` by a transfer: if they were its agent, the
    /// conversation for the hotline is over (the caller talks on with someone else).
    pub(super) fn callback_agent_left(&mut self, id: CallId, person: i64) {
        if self.callbacks.get(&id).is_some_and(|cb| cb.agent == person) {
            if let Some(cb) = self.callbacks.remove(&id) {
                let (call, agent) = (cb.place, cb.agent);
                self.out.push_back(Output::Hotline(if cb.reached {
                    HotlineEvent::Ended { call, agent }
                } else {
                    HotlineEvent::CallbackFailed { call, agent }
                }));
            }
        }
    }

    /// A callback's call ended: a conversation that took place, or a callback that failed.
    pub(super) fn callback_ended(&mut self, id: CallId) -> bool {
        let Some(cb) = self.callbacks.remove(&id) else {
            return false;
        };
        let (call, agent) = (cb.place, cb.agent);
        self.out.push_back(Output::Hotline(if cb.reached {
            HotlineEvent::Ended { call, agent }
        } else {
            HotlineEvent::CallbackFailed { call, agent }
        }));
        true
    }
}
