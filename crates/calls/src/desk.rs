//! The call desk: every call of the server, the commands that change them, and what the
//! shells must do about it.

use crate::call::{Call, HotlineLink, Kind, Phase, Side};
use crate::command::{Command, Refusal, Target};
use crate::frames::{CallFrame, CallState, Direction, EndReason};
use crate::hotline::HotlineEvent;
#[cfg(test)]
use crate::output::SipCommand;
use crate::output::{MediaCommand, Output, Record, To};
use crate::party::{CallId, Conn, LegRef, Party, SipRef, Via};
use crate::voicemail::VoicemailEvent;
use media::{dtmf, Codec};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// The codecs a call between browsers may use, preferred first: Opus (never decoded),
/// then G.711 for anything that meets a phone.
const BROWSER_CODECS: [Codec; 3] = [Codec::Opus, Codec::Pcma, Codec::Pcmu];

/// The codecs of a call that meets a phone: G.711, A-law first.
pub(crate) const PHONE_CODECS: [Codec; 2] = [Codec::Pcma, Codec::Pcmu];

/// Every call of the server.
#[derive(Debug)]
pub struct Calls {
    calls: BTreeMap<CallId, Call>,
    by_leg: HashMap<LegRef, (CallId, usize)>,
    by_sip: HashMap<SipRef, (CallId, usize)>,
    /// Ids of calls merged into another (attended transfer): old → the call's id.
    aliases: HashMap<CallId, CallId>,
    /// Offers of a hotline's callers to agents: the offer's call → (the caller's call,
    /// the agent).
    offers: HashMap<CallId, (CallId, i64)>,
    /// Callbacks under way, by their call.
    callbacks: HashMap<CallId, callback::Callback>,
    /// Supervisors listening in, by their call.
    listens: HashMap<CallId, listen::Listening>,
    /// Calls answered by a voicemail box (or on their way to it), by their call.
    voicemails: HashMap<CallId, voicemail::Answering>,
    /// Each person's voicemail box: calls to them that nobody answers go there.
    mailboxes: HashMap<i64, i64>,
    next_sip: u64,
    next_id: u64,
    ring_ms: i64,
    out: VecDeque<Output>,
}

impl Calls {
    /// A desk whose calls ring for at most `ring_ms` milliseconds.
    pub fn new(ring_ms: i64) -> Calls {
        Calls {
            calls: BTreeMap::new(),
            by_leg: HashMap::new(),
            by_sip: HashMap::new(),
            aliases: HashMap::new(),
            offers: HashMap::new(),
            callbacks: HashMap::new(),
            listens: HashMap::new(),
            voicemails: HashMap::new(),
            mailboxes: HashMap::new(),
            next_sip: 1,
            next_id: 1,
            ring_ms,
            out: VecDeque::new(),
        }
    }

    /// Number of calls.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }

    /// The call whose media thread a call's legs belong on: a hotline's offer to an agent
    /// joins the caller's call, so its leg is made where the caller's is.
    pub fn media_home(&self, call: CallId) -> CallId {
        if let Some(l) = self.listens.get(&call) {
            return l.conversation;
        }
        self.offers.get(&call).map_or(call, |&(caller, _)| caller)
    }

    /// A command from `person`'s client `conn` at `now` (Unix ms). A dial returns the new
    /// call's id; a refused command changes nothing.
    pub fn handle_command(
        &mut self,
        now: i64,
        person: i64,
        conn: Conn,
        command: Command,
    ) -> Result<CallId, Refusal> {
        let command = self.resolve(command);
        match command {
            Command::Dial { from, target, sdp } => self.dial(now, conn, from, target, sdp),
            Command::DialVia {
                from,
                device,
                target,
            } => self.dial_via(now, conn, from, device, target),
            Command::Answer { call, sdp } => {
                self.answer(now, person, conn, call, sdp).map(|()| call)
            }
            Command::Reject { call } => self.reject(now, person, call).map(|()| call),
            Command::Hangup { call } => {
                let c = self.calls.get(&call).ok_or(Refusal::NoCall)?;
                let side = c.side_of(person).ok_or(Refusal::NoCall)?;
                if side == 1 && matches!(c.phase, Phase::Ringing { .. }) {
                    return self.reject(now, person, call).map(|()| call);
                }
                // A person hanging up their own device's call (through it): that SIP call is
                // ended by us, not by the device.
                let by = (c.sides[side].kind != Kind::Sip).then_some(side);
                self.end(now, call, EndReason::Hangup, by);
                Ok(call)
            }
            Command::Hold { call, on } => self.hold(now, person, call, on).map(|()| call),
            Command::Dtmf { call, digits } => self.dtmf(person, call, &digits).map(|()| call),
            Command::Transfer { call, target } => {
                self.transfer(now, person, call, target).map(|()| call)
            }
            Command::TransferTo { call, to_call } => {
                self.transfer_to(now, person, call, to_call).map(|()| call)
            }
        }
    }

    fn dial(
        &mut self,
        now: i64,
        conn: Conn,
        from: Party,
        target: Target,
        sdp: String,
    ) -> Result<CallId, Refusal> {
        let id = CallId(self.next_id);
        let mut hotline = None;
        let mut listening = None;
        let mut voicemail = None;
        let (callee, codecs) = match target {
            Target::Browser(party) => {
                if party.person.is_some() && party.person == from.person {
                    return Err(Refusal::SelfCall);
                }
                (
                    Side::new(party, Kind::Browser, Direction::In, None, now),
                    BROWSER_CODECS.to_vec(),
                )
            }
            // A browser cannot answer a fax machine.
            Target::Fax { .. } => return Err(Refusal::WrongState),
            Target::Echo => (
                Side::new(
                    Party::service("*43", "Echotest"),
                    Kind::Echo,
                    Direction::In,
                    None,
                    now,
                ),
                BROWSER_CODECS.to_vec(),
            ),
            Target::Sip(party) => {
                if party.person.is_some() && party.person == from.person {
                    return Err(Refusal::SelfCall);
                }
                (
                    Side::new(party, Kind::Sip, Direction::In, None, now),
                    PHONE_CODECS.to_vec(),
                )
            }
            Target::Outside { party, trunk } => {
                let mut side = Side::new(party, Kind::Sip, Direction::In, None, now);
                side.via = Via::Trunk(trunk);
                (side, PHONE_CODECS.to_vec())
            }
            Target::Listen {
                hotline,
                call,
                whisper,
                party,
            } => {
                let supervisor = from.person;
                let (side, codecs, l) =
                    self.listen_side(now, hotline, call, whisper, party, supervisor)?;
                listening = Some(l);
                (side, codecs)
            }
            // The voicemail plays into the caller's leg and records it, Opus or G.711.
            Target::Voicemail {
                mailbox,
                listen,
                party,
            } => {
                voicemail = Some(voicemail::Answering {
                    mailbox,
                    listen,
                    fax: false,
                });
                (
                    Side::new(party, Kind::Voicemail, Direction::In, None, now),
                    BROWSER_CODECS.to_vec(),
                )
            }
            // The hotline plays G.711 prompts into the caller's leg.
            Target::Hotline { hotline: h, party } => {
                hotline = Some(HotlineLink {
                    hotline: h,
                    agent: None,
                });
                (
                    Side::new(party, Kind::Hotline, Direction::In, None, now),
                    PHONE_CODECS.to_vec(),
                )
            }
        };
        self.next_id += 1;
        let caller = Side::new(from, Kind::Browser, Direction::Out, Some(conn), now);
        let call = Call {
            id,
            sides: [caller, callee],
            phase: match (&hotline, &listening, &voicemail) {
                (None, None, None) => Phase::Ringing {
                    until: now + self.ring_ms,
                },
                _ => Phase::Answering,
            },
            since_ms: now,
            hotline,
        };
        self.out
            .push_back(Output::Media(MediaCommand::CreateWebRtc {
                call: id,
                side: 0,
                offer: sdp,
                codecs,
            }));
        self.calls.insert(id, call);
        if let Some(l) = listening {
            self.listens.insert(id, l);
        }
        if let Some(v) = voicemail {
            self.voicemails.insert(id, v);
        }
        self.ring(now, id);
        Ok(id)
    }

    /// Rings side 1 of a call (a new call, or the target of a blind transfer).
    fn ring(&mut self, now: i64, id: CallId) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let callee = &call.sides[1];
        match (callee.kind, callee.person()) {
            (Kind::Browser, Some(p)) => {
                let from = call.sides[0].party.clone();
                self.out.push_back(Output::Frame(
                    To::Person(p),
                    CallFrame::Incoming {
                        call: id,
                        from,
                        hotline: None,
                    },
                ));
                self.tell(now, id, 0);
            }
            (Kind::Echo | Kind::Hotline | Kind::Listen | Kind::Voicemail, _) => {}
            // A SIP call is placed once the caller's leg exists (`handle_media_created`).
            (Kind::Sip, _) => self.tell(now, id, 0),
            (Kind::Browser, None) => self.end(now, id, EndReason::NotFound, None),
        }
    }

    fn answer(
        &mut self,
        now: i64,
        person: i64,
        conn: Conn,
        id: CallId,
        sdp: String,
    ) -> Result<(), Refusal> {
        let call = self.calls.get_mut(&id).ok_or(Refusal::NoCall)?;
        if call.sides[1].person() != Some(person) {
            return Err(Refusal::NoCall);
        }
        if !matches!(call.phase, Phase::Ringing { .. }) {
            return Err(Refusal::WrongState);
        }
        call.phase = Phase::Answering;
        call.sides[1].conn = Some(conn);
        call.sides[1].answered_ms = Some(now);

        // The called browser answers with the codec the caller's leg uses (no
        // transcoding), or any while that leg is still being made.
        let codecs = match call.sides[0].codec {
            Some(c) => vec![c],
            None if self.callbacks.contains_key(&id) => Self::callback_codecs(),
            None => BROWSER_CODECS.to_vec(),
        };
        let frame = CallFrame::State {
            call: id,
            state: CallState::Ended,
            direction: Direction::In,
            peer: call.sides[0].party.clone(),
            since_ms: now,
            reason: Some(EndReason::AnsweredElsewhere),
        };
        self.out
            .push_back(Output::Frame(To::PersonExcept(person, conn), frame));
        self.out
            .push_back(Output::Media(MediaCommand::CreateWebRtc {
                call: id,
                side: 1,
                offer: sdp,
                codecs,
            }));
        self.tell(now, id, 0);
        self.tell(now, id, 1);
        Ok(())
    }

    fn reject(&mut self, now: i64, person: i64, id: CallId) -> Result<(), Refusal> {
        let call = self.calls.get(&id).ok_or(Refusal::NoCall)?;
        if call.sides[1].person() != Some(person) {
            return Err(Refusal::NoCall);
        }
        if !matches!(call.phase, Phase::Ringing { .. }) {
            return Err(Refusal::WrongState);
        }
        self.end(now, id, EndReason::Rejected, Some(1));
        Ok(())
    }

    fn hold(&mut self, now: i64, person: i64, id: CallId, on: bool) -> Result<(), Refusal> {
        let call = self.calls.get_mut(&id).ok_or(Refusal::NoCall)?;
        let side = call.side_of(person).ok_or(Refusal::NoCall)?;
        if call.phase != Phase::Connected {
            return Err(Refusal::WrongState);
        }
        if call.sides[side].holding == on {
            return Ok(());
        }
        call.sides[side].holding = on;
        call.since_ms = now;
        let held = call.sides.iter().any(|s| s.holding);
        let legs: Vec<LegRef> = call.sides.iter().filter_map(|s| s.leg).collect();
        for leg in legs {
            self.out
                .push_back(Output::Media(MediaCommand::Hold(leg, held)));
        }
        self.tell(now, id, 0);
        self.tell(now, id, 1);
        Ok(())
    }

    fn dtmf(&mut self, person: i64, id: CallId, digits: &str) -> Result<(), Refusal> {
        if digits.is_empty()
            || digits.len() > 32
            || digits.chars().any(|d| dtmf::code_of(d).is_none())
        {
            return Err(Refusal::BadDigits);
        }
        let call = self.calls.get(&id).ok_or(Refusal::NoCall)?;
        let side = call.side_of(person).ok_or(Refusal::NoCall)?;
        if call.phase == Phase::Voicemail {
            for digit in digits.chars() {
                self.out
                    .push_back(Output::Voicemail(VoicemailEvent::Digit { call: id, digit }));
            }
            return Ok(());
        }
        if call.phase == Phase::Parked {
            for digit in digits.chars() {
                self.out
                    .push_back(Output::Hotline(HotlineEvent::Digit { call: id, digit }));
            }
            return Ok(());
        }
        if call.phase != Phase::Connected {
            return Err(Refusal::WrongState);
        }
        // The digits go to the other side's leg (as events it hears).
        let other = &call.sides[1 - side];
        let leg = if other.kind == Kind::Echo {
            call.sides[side].leg
        } else {
            other.leg
        };
        if let Some(leg) = leg {
            self.out
                .push_back(Output::Media(MediaCommand::Dtmf(leg, digits.to_string())));
        }
        Ok(())
    }

    /// The media engine made the leg of `side` (or could not: `None`).
    pub fn handle_media_created(
        &mut self,
        now: i64,
        id: CallId,
        side: usize,
        made: Option<(LegRef, Codec, String)>,
    ) {
        let Some(call) = self.calls.get_mut(&id) else {
            // The call ended meanwhile: the leg is not needed.
            if let Some((leg, ..)) = made {
                self.out.push_back(Output::Media(MediaCommand::Remove(leg)));
            }
            return;
        };
        let Some((leg, codec, sdp)) = made else {
            self.end(now, id, EndReason::Unavailable, None);
            return;
        };
        let s = &mut call.sides[side];
        s.leg = Some(leg);
        s.codec = Some(codec);
        self.by_leg.insert(leg, (id, side));
        if let Some(conn) = s.conn {
            self.out.push_back(Output::Frame(
                To::Conn(conn),
                CallFrame::Media { call: id, sdp },
            ));
        }
        if side == 1 && self.offers.contains_key(&id) {
            self.join(now, id);
            return;
        }
        if side == 1 && self.callbacks.contains_key(&id) {
            self.place_callback(now, id);
            return;
        }
        match (call.sides[1].kind, side) {
            (Kind::Hotline, 0) => self.park(now, id),
            (Kind::Listen, 0) => self.start_listening(now, id),
            (Kind::Voicemail, 0) => self.voicemail_answered(now, id),
            (Kind::Echo, 0) => {
                call.phase = Phase::Connected;
                call.sides[1].answered_ms = Some(now);
                self.out
                    .push_back(Output::Media(MediaCommand::Bridge(leg, leg)));
                self.connected(now, id);
            }
            // The caller's browser leg exists: place the SIP call (a phone leg first).
            (Kind::Sip, 0) if call.sides[1].sip.is_none() => {
                self.out
                    .push_back(Output::Media(MediaCommand::CreateRtpOffer {
                        call: id,
                        side: 1,
                    }));
                self.tell(now, id, 0);
            }
            // A phone's call answered in the browser: now answer the phone's offer.
            (Kind::Browser, 1)
                if call.sides[0].kind == Kind::Sip && call.sides[0].leg.is_none() =>
            {
                let offer = call.sides[0].offer.take().unwrap_or_default();
                self.out
                    .push_back(Output::Media(MediaCommand::CreateRtpAnswer {
                        call: id,
                        side: 0,
                        offer,
                        codecs: vec![codec],
                    }));
            }
            (Kind::Browser, 1) | (Kind::Browser, 0) if call.phase == Phase::Answering => {
                if let (Some(a), Some(b)) = (call.sides[0].leg, call.sides[1].leg) {
                    call.phase = Phase::Connected;
                    self.out
                        .push_back(Output::Media(MediaCommand::Bridge(a, b)));
                    self.connected(now, id);
                }
            }
            _ => self.tell(now, id, side),
        }
    }

    fn connected(&mut self, now: i64, id: CallId) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.since_ms = now;
        for s in call.sides.iter_mut() {
            if let (Some(p), false) = (s.person(), s.on_the_phone) {
                s.on_the_phone = true;
                s.answered_ms.get_or_insert(now);
                self.out.push_back(Output::Presence(p, true));
            }
        }
        self.tell(now, id, 0);
        self.tell(now, id, 1);
    }

    /// A media leg's browser went away (consent lost): that side hung up.
    pub fn handle_leg_closed(&mut self, now: i64, leg: LegRef) {
        if let Some(&(id, side)) = self.by_leg.get(&leg) {
            self.end(now, id, EndReason::Hangup, Some(side));
        }
    }

    /// A digit arrived on a leg: the other side's browser shows it.
    pub fn handle_leg_dtmf(&mut self, leg: LegRef, digit: char) {
        let Some(&(id, side)) = self.by_leg.get(&leg) else {
            return;
        };
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if call.phase == Phase::Parked && side == 0 {
            self.out
                .push_back(Output::Hotline(HotlineEvent::Digit { call: id, digit }));
            return;
        }
        if call.phase == Phase::Voicemail && side == 0 {
            self.out
                .push_back(Output::Voicemail(VoicemailEvent::Digit { call: id, digit }));
            return;
        }
        let other = &call.sides[1 - side];
        if let Some(conn) = other.conn {
            let call = other.shown.unwrap_or(id);
            self.out.push_back(Output::Frame(
                To::Conn(conn),
                CallFrame::Dtmf { call, digit },
            ));
        }
    }

    /// A client closed: its calls end; calls ringing its person ring on elsewhere, and
    /// end when `person_has_clients` is false.
    pub fn handle_closed(&mut self, now: i64, person: i64, conn: Conn, person_has_clients: bool) {
        let ids: Vec<(CallId, usize, bool)> = self
            .calls
            .values()
            .filter_map(|c| {
                let side = c.side_of(person)?;
                let ringing_here = side == 1 && matches!(c.phase, Phase::Ringing { .. });
                (c.sides[side].conn == Some(conn) || (ringing_here && !person_has_clients))
                    .then_some((c.id, side, ringing_here))
            })
            .collect();
        for (id, side, ringing) in ids {
            let reason = if ringing {
                EndReason::Unavailable
            } else {
                EndReason::Hangup
            };
            self.end(now, id, reason, Some(side));
        }
    }

    /// Feeds the time (Unix ms): calls nobody answered end.
    pub fn handle_timeout(&mut self, now: i64) {
        let due: Vec<CallId> = self
            .calls
            .values()
            .filter(|c| matches!(c.phase, Phase::Ringing { until } if until <= now))
            .map(|c| c.id)
            .collect();
        for id in due {
            self.end(now, id, EndReason::NoAnswer, None);
        }
    }

    /// When a ringing call times out next.
    pub fn poll_timeout(&self) -> Option<i64> {
        self.calls
            .values()
            .filter_map(|c| match c.phase {
                Phase::Ringing { until } => Some(until),
                _ => None,
            })
            .min()
    }

    /// The next thing to do.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    /// Ends a call: legs go, both sides hear why, presence and history follow. `by` is
    /// the side that ended it (it hears `hangup`; the other the reason).
    fn end(&mut self, now: i64, id: CallId, reason: EndReason, by: Option<usize>) {
        if self.divert_to_voicemail(now, id, reason, by) {
            return;
        }
        let Some(call) = self.calls.remove(&id) else {
            return;
        };
        match self.voicemails.remove(&id) {
            Some(a) if a.fax => self
                .out
                .push_back(Output::Fax(crate::FaxEvent::Ended { call: id, reason })),
            Some(_) => self
                .out
                .push_back(Output::Voicemail(VoicemailEvent::Ended { call: id })),
            None => {}
        }
        self.aliases.retain(|_, to| *to != id);
        self.listens.remove(&id);
        self.stop_listening_to(now, id);
        let offer = self.offers.remove(&id);
        if !self.callback_ended(id) {
            self.hotline_ended(now, &call, offer);
        }
        let ringing = matches!(call.phase, Phase::Ringing { .. });
        for (i, side) in call.sides.iter().enumerate() {
            if let Some(leg) = side.leg {
                self.by_leg.remove(&leg);
                self.out.push_back(Output::Media(MediaCommand::Remove(leg)));
            }
            if let Some(sip) = side.sip {
                self.by_sip.remove(&sip);
                if by != Some(i) {
                    self.out.push_back(Output::Sip(sip_end(
                        sip,
                        side.incoming && !side.sip_answered,
                        reason,
                    )));
                }
            }
            let Some(person) = side.person() else {
                continue;
            };
            let peer = call.sides[1 - i].party.clone();
            let told = if by == Some(i) && reason != EndReason::Rejected {
                EndReason::Hangup
            } else {
                reason
            };
            let frame = CallFrame::State {
                call: side.shown.unwrap_or(id),
                state: CallState::Ended,
                direction: side.direction,
                peer,
                since_ms: now,
                reason: Some(told),
            };
            let to = match side.conn {
                Some(conn) => Some(To::Conn(conn)),
                // Still ringing in every browser of the person.
                None if ringing && i == 1 => Some(To::Person(person)),
                // A person's own phone (a hotline agent's desk phone): no browser to
                // tell, but their presence and history follow.
                None => None,
            };
            if let Some(to) = to {
                self.out.push_back(Output::Frame(to, frame));
            }
            // An agent who did not take a hotline's offer has not missed a call.
            if call.sides[0].kind == Kind::Hotline && !side.on_the_phone {
                continue;
            }
            self.finish_side(now, person, side, call.sides[1 - i].party.clone());
        }
    }

    fn finish_side(&mut self, now: i64, person: i64, side: &Side, peer: Party) {
        if side.on_the_phone {
            self.out.push_back(Output::Presence(person, false));
        }
        self.out.push_back(Output::History(Record {
            person,
            direction: side.direction,
            peer,
            started_ms: side.joined_ms,
            answered_ms: side.answered_ms.filter(|_| side.on_the_phone),
            ended_ms: now,
        }));
    }

    /// Tells side `i` of a call its state.
    fn tell(&mut self, _now: i64, id: CallId, i: usize) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let side = &call.sides[i];
        let Some(conn) = side.conn else { return };
        if side.person().is_none() {
            return;
        }
        let frame = CallFrame::State {
            call: side.shown.unwrap_or(id),
            state: call.state_for(i),
            direction: side.direction,
            peer: call.sides[1 - i].party.clone(),
            since_ms: call.since_ms,
            reason: None,
        };
        self.out.push_back(Output::Frame(To::Conn(conn), frame));
    }
}

mod callback;
mod fax;
#[cfg(test)]
mod fax_tests;
mod resolve;
pub use callback::CallbackRequest;
#[cfg(test)]
mod callback_tests;
mod hotline;
#[cfg(test)]
mod hotline_tests;
#[cfg(test)]
mod listen_tests;
#[cfg(test)]
mod sip_tests;
#[cfg(test)]
mod tests;

mod listen;
mod sip;
mod transfer;
mod voicemail;
#[cfg(test)]
mod voicemail_tests;
pub use sip::phone_codec;
use sip::sip_end;
