//! Faxes at the desk (see [`FaxEvent`]): a call for a fax box is answered like a call
//! for a voicemail box (it shares the box's path through call control, marked `fax`);
//! a fax to send is placed from the box to a phone through the switch or an outside
//! number through a trunk, and the modem goes on once it is answered.

use super::voicemail::Answering;
use super::Calls;
use crate::call::{Call, Kind, Phase, Side};
use crate::command::{Refusal, Target};
use crate::fax::FaxEvent;
use crate::frames::{Direction, EndReason};
use crate::output::{MediaCommand, Output};
use crate::party::{CallId, Party, Via};

impl Calls {
    /// Sends a fax from box `fax_box`, shown to the far end as `from` (the box's number),
    /// to `to`: a person's phones through the switch, or an outside number through a
    /// trunk. It rings for the desk's ring time; [`FaxEvent::Connected`] once answered,
    /// [`FaxEvent::Ended`] with the reason when it ends (busy, no answer, …).
    pub fn send_fax(
        &mut self,
        now: i64,
        fax_box: i64,
        from: Party,
        to: Target,
    ) -> Result<CallId, Refusal> {
        let mut callee = match to {
            Target::Sip(p) => Side::new(p, Kind::Sip, Direction::In, None, now),
            Target::Outside { party, trunk } => {
                let mut side = Side::new(party, Kind::Sip, Direction::In, None, now);
                side.via = Via::Trunk(trunk);
                side
            }
            _ => return Err(Refusal::WrongState),
        };
        callee.codec = None;
        let sender = Side::new(from, Kind::Voicemail, Direction::Out, None, now);
        let id = CallId(self.next_id);
        self.next_id += 1;
        self.calls.insert(
            id,
            Call {
                id,
                sides: [sender, callee],
                phase: Phase::Ringing {
                    until: now + self.ring_ms,
                },
                since_ms: now,
                hotline: None,
            },
        );
        self.voicemails.insert(
            id,
            Answering {
                mailbox: fax_box,
                listen: false,
                fax: true,
            },
        );
        self.out
            .push_back(Output::Media(MediaCommand::CreateRtpOffer {
                call: id,
                side: 1,
            }));
        Ok(id)
    }

    /// Ends a fax's call (the modem finished, or gave up).
    pub fn end_fax(&mut self, now: i64, call: CallId) -> Result<(), Refusal> {
        if !self.voicemails.get(&call).is_some_and(|a| a.fax) {
            return Err(Refusal::NoCall);
        }
        let ours = self.calls.get(&call).and_then(Self::box_side);
        self.end(now, call, EndReason::Hangup, ours);
        Ok(())
    }

    /// The fax call whose SIP side is `sip` (a fax machine's re-INVITE names it so).
    pub fn fax_of_sip(&self, sip: crate::party::SipRef) -> Option<CallId> {
        let &(call, _) = self.by_sip.get(&sip)?;
        self.is_fax(call).then_some(call)
    }

    /// Which side of a call is the box (call control's own end).
    pub(super) fn box_side(call: &Call) -> Option<usize> {
        call.sides.iter().position(|s| s.kind == Kind::Voicemail)
    }

    /// Whether `call` is a fax's.
    pub(super) fn is_fax(&self, call: CallId) -> bool {
        self.voicemails.get(&call).is_some_and(|a| a.fax)
    }

    /// The line of fax call `id` is up (we answered the far end, or it answered us): the
    /// modem can go on the far end's leg.
    pub(super) fn fax_connected(&mut self, now: i64, id: CallId) {
        let Some(&Answering { mailbox, .. }) = self.voicemails.get(&id) else {
            return;
        };
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(ours) = Self::box_side(call) else {
            return;
        };
        let far = &call.sides[1 - ours];
        let (Some(leg), Some(codec)) = (far.leg, far.codec.or(Some(media::Codec::Pcma))) else {
            return;
        };
        let remote = far.party.clone();
        call.phase = Phase::Voicemail;
        call.since_ms = now;
        for s in call.sides.iter_mut() {
            s.answered_ms.get_or_insert(now);
        }
        self.out.push_back(Output::Fax(FaxEvent::Connected {
            call: id,
            fax_box: mailbox,
            remote,
            leg,
            codec,
            sending: ours == 0,
        }));
    }
}
