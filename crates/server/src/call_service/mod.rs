//! The call service: the task that owns call control (the pure `calls::Calls`) and
//! carries out what it decides: frames to browsers through `live`, legs through the
//! media service, SIP through call control's user agent ([`sip_side`]), presence "on
//! the phone", the call history in the store. Browsers' requests arrive through
//! `live`'s call desk; media events from the media threads; SIP from the switch.

pub mod sip_side;
mod targets;

use crate::media_service::{MediaEvent, MediaHandle};
use calls::{CallId, Calls, Command, MediaCommand, Output, Record, Refusal, Target, To};
use live::calls::{CallDesk, CallRequest, DeskError, DeskInput};
use live::{Live, Person};
use presence::ConnId;
use sip_side::{Heard, SipSide};
use std::time::Duration;
use store::{CallLine, Store};
use tokio::sync::mpsc;

/// How often old history lines are deleted.
const CLEANUP_EVERY: Duration = Duration::from_secs(3600);

/// A finished media request, fed back into call control.
enum Made {
    WebRtc(CallId, usize, Option<(calls::LegRef, media::Codec, String)>),
    Rtp(CallId, usize, Option<(calls::LegRef, String)>),
}

/// Starts call control; browsers reach it through the returned desk (also set on
/// `live`). With `sip`, calls reach desk phones through the switch and phones reach
/// browsers.
pub fn start(
    live: Live,
    store: Store,
    media: MediaHandle,
    media_events: mpsc::UnboundedReceiver<MediaEvent>,
    sip: Option<SipSide>,
    ring_ms: i64,
    history_days: u32,
) -> CallDesk {
    let (tx, rx) = mpsc::channel(1024);
    let desk = CallDesk::new(tx);
    live.set_call_desk(desk.clone());
    let service = Service {
        live: live.clone(),
        store: store.clone(),
        media,
        sip,
        calls: Calls::new(ring_ms),
    };
    tokio::spawn(service.run(rx, media_events));
    tokio::spawn(clean_history(live, store, history_days));
    desk
}

struct Service {
    live: Live,
    store: Store,
    media: MediaHandle,
    sip: Option<SipSide>,
    calls: Calls,
}

async fn sip_receive(sip: &mut Option<SipSide>, now: i64, buf: &mut [u8]) {
    match sip {
        Some(s) => s.receive(now, buf).await,
        None => std::future::pending().await,
    }
}

impl Service {
    async fn run(
        mut self,
        mut inputs: mpsc::Receiver<DeskInput>,
        mut media_events: mpsc::UnboundedReceiver<MediaEvent>,
    ) {
        let (made_tx, mut made_rx) = mpsc::unbounded_channel::<Made>();
        let mut buf = vec![0u8; 65_536];
        loop {
            let now = self.live.now_ms();
            let next = [
                self.calls.poll_timeout(),
                self.sip.as_ref().and_then(SipSide::poll_timeout),
            ]
            .into_iter()
            .flatten()
            .min();
            let wait = next.map_or(Duration::from_secs(3600), |at| {
                Duration::from_millis((at - now).max(0) as u64)
            });
            tokio::select! {
                input = inputs.recv() => match input {
                    None => return,
                    Some(DeskInput::Request { person, conn, request, reply }) => {
                        let answer = self.take(&person, conn, request).await;
                        let _ = reply.send(answer);
                    }
                    Some(DeskInput::Closed { person, conn, others }) => self.calls.handle_closed(now, person, conn, others),
                },
                Some(event) = media_events.recv() => match event {
                    MediaEvent::Closed(leg) => self.calls.handle_leg_closed(now, leg),
                    MediaEvent::Dtmf(leg, digit) => self.calls.handle_leg_dtmf(leg, digit),
                },
                Some(m) = made_rx.recv() => match m {
                    Made::WebRtc(call, side, made) => self.calls.handle_media_created(now, call, side, made),
                    Made::Rtp(call, side, made) => self.calls.handle_rtp_created(now, call, side, made),
                },
                () = sip_receive(&mut self.sip, now, &mut buf) => {}
                () = tokio::time::sleep(wait) => {
                    self.calls.handle_timeout(self.live.now_ms());
                    if let Some(s) = self.sip.as_mut() {
                        s.handle_timeout(self.live.now_ms());
                    }
                }
            }
            // What the user agent heard feeds call control; what call control decides
            // may give the user agent work: until both are quiet.
            loop {
                let heard = self.sip.as_mut().map(SipSide::flush).unwrap_or_default();
                for h in heard {
                    self.heard(h).await;
                }
                let mut any = false;
                while let Some(output) = self.calls.poll_output() {
                    any = true;
                    self.carry_out(output, &made_tx);
                }
                if !any {
                    break;
                }
            }
        }
    }

    /// Turns a browser's request into a command for call control.
    async fn take(
        &mut self,
        person: &Person,
        conn: u64,
        request: CallRequest,
    ) -> Result<String, DeskError> {
        let id = |s: &str| s.parse::<CallId>().map_err(|()| refusal(Refusal::NoCall));
        let command = match request {
            CallRequest::Dial { target, sdp } => {
                let target = self.route(person, &target).await?;
                let me = self
                    .store
                    .panel_person(&person.login)
                    .await
                    .ok()
                    .flatten()
                    .ok_or_else(|| DeskError {
                        code: "unavailable",
                        message: "Ihr Eintrag im Verzeichnis fehlt.".into(),
                    })?;
                Command::Dial {
                    from: targets::party(&me),
                    target,
                    sdp,
                }
            }
            CallRequest::Answer { call, sdp } => Command::Answer {
                call: id(&call)?,
                sdp,
            },
            CallRequest::Reject { call } => Command::Reject { call: id(&call)? },
            CallRequest::Hangup { call } => Command::Hangup { call: id(&call)? },
            CallRequest::Hold { call, on } => Command::Hold {
                call: id(&call)?,
                on,
            },
            CallRequest::Dtmf { call, digits } => Command::Dtmf {
                call: id(&call)?,
                digits,
            },
            CallRequest::Transfer { call, target } => {
                let target = targets::resolve(&self.store, &target).await?;
                Command::Transfer {
                    call: id(&call)?,
                    target,
                }
            }
            CallRequest::TransferTo { call, to_call } => Command::TransferTo {
                call: id(&call)?,
                to_call: id(&to_call)?,
            },
        };
        self.calls
            .handle_command(self.live.now_ms(), person.id, conn, command)
            .map(|c| c.to_string())
            .map_err(refusal)
    }

    /// Where a browser's call goes: straight to the person's browsers when browsers are
    /// all they have (Opus, no switch), through the switch when they have desk phones or
    /// forwarding (every device rings, the rules apply).
    async fn route(&self, me: &Person, dialled: &str) -> Result<Target, DeskError> {
        let target = targets::resolve(&self.store, dialled).await?;
        let Target::Browser(p) = &target else {
            return Ok(target);
        };
        let (Some(id), Some(login)) = (p.person, p.login.clone()) else {
            return Ok(target);
        };
        if id != me.id
            && self.sip.is_some()
            && targets::has_phones_or_rules(&self.store, &login).await
        {
            return Ok(Target::Sip(p.clone()));
        }
        if id != me.id && !self.live.is_connected(id) {
            let name = p.name.clone().unwrap_or_default();
            return Err(DeskError {
                code: "unavailable",
                message: format!("{name} ist gerade nicht erreichbar."),
            });
        }
        Ok(target)
    }

    /// Something the SIP user agent heard.
    async fn heard(&mut self, heard: Heard) {
        let now = self.live.now_ms();
        match heard {
            Heard::Incoming {
                call,
                from,
                to,
                sdp,
            } => {
                let Some(sip) = self.sip.as_mut() else { return };
                let callee = self
                    .store
                    .panel_person_by_extension(&to)
                    .await
                    .ok()
                    .flatten();
                let codec = sdp.as_deref().and_then(calls::phone_codec);
                let (Some(callee), Some(codec), Some(offer)) = (callee, codec, sdp) else {
                    sip.refuse(now, call, 488);
                    return;
                };
                if !self.live.is_connected(callee.id) {
                    sip.refuse(now, call, 480);
                    return;
                }
                let caller = targets::caller(&self.store, &from).await;
                match self.calls.handle_sip_incoming(
                    now,
                    caller,
                    targets::party(&callee),
                    offer,
                    codec,
                ) {
                    Some((_, r)) => sip.adopt(call, r),
                    None => sip.refuse(now, call, 480),
                }
            }
            Heard::Ringing(r) => self.calls.handle_sip_ringing(now, r),
            Heard::Answered(r, sdp) => self.calls.handle_sip_answered(now, r, sdp),
            Heard::Failed(r, code) => self.calls.handle_sip_failed(now, r, code),
            Heard::Ended(r) => self.calls.handle_sip_ended(now, r),
        }
    }

    fn carry_out(&mut self, output: Output, made: &mpsc::UnboundedSender<Made>) {
        let (live, media) = (&self.live, &self.media);
        match output {
            Output::Frame(to, frame) => {
                let frame = live.frames().call(&frame);
                match to {
                    To::Person(p) => live.to_person(p, None, frame),
                    To::PersonExcept(p, c) => live.to_person(p, Some(ConnId(c)), frame),
                    To::Conn(c) => live.to_conn(ConnId(c), live::Outbound::Frame(frame)),
                }
            }
            Output::Media(MediaCommand::CreateWebRtc {
                call,
                side,
                offer,
                codecs,
            }) => {
                let (pending, made) = (
                    media.webrtc(media.shard_for(call.0), offer, codecs),
                    made.clone(),
                );
                tokio::spawn(async move {
                    let result = pending.await;
                    if let Err(e) = &result {
                        tracing::info!(%call, error = %e, "a browser's media could not be set up");
                    }
                    let _ = made.send(Made::WebRtc(call, side, result.ok()));
                });
            }
            Output::Media(MediaCommand::CreateRtpOffer { call, side }) => {
                let (pending, made) = (media.rtp_new(media.shard_for(call.0)), made.clone());
                tokio::spawn(async move {
                    let result = pending
                        .await
                        .map_err(|e| tracing::warn!(%call, error = %e, "no phone leg"));
                    let _ = made.send(Made::Rtp(call, side, result.ok()));
                });
            }
            Output::Media(MediaCommand::CreateRtpAnswer {
                call,
                side,
                offer,
                codecs,
            }) => {
                let (pending, made) = (
                    media.rtp_offer(media.shard_for(call.0), offer, codecs),
                    made.clone(),
                );
                tokio::spawn(async move {
                    let result = pending.await.map_err(
                        |e| tracing::info!(%call, error = %e, "a phone's offer was refused"),
                    );
                    let _ = made.send(Made::Rtp(
                        call,
                        side,
                        result.ok().map(|(leg, _, answer)| (leg, answer)),
                    ));
                });
            }
            Output::Media(MediaCommand::RtpAnswer(leg, sdp)) => {
                let pending = media.rtp_answer(leg, sdp);
                tokio::spawn(async move {
                    if let Err(e) = pending.await {
                        tracing::info!(error = %e, "a phone's answer was refused");
                    }
                });
            }
            Output::Media(MediaCommand::Bridge(a, b)) => {
                let pending = media.bridge(a, b);
                tokio::spawn(async move {
                    if let Err(e) = pending.await {
                        tracing::warn!(error = %e, "two legs could not be bridged");
                    }
                });
            }
            Output::Media(MediaCommand::Hold(leg, on)) => media.hold(leg, on),
            Output::Media(MediaCommand::Dtmf(leg, digits)) => media.dtmf(leg, digits),
            Output::Media(MediaCommand::Remove(leg)) => media.remove(leg),
            Output::Presence(person, on) => live.call_state(person, on),
            Output::History(record) => {
                let store = self.store.clone();
                tokio::spawn(async move {
                    if let Err(e) = store.add_call_line(&line(&record)).await {
                        tracing::error!(error = %e, "a call history line could not be stored");
                    }
                });
            }
            Output::Sip(command) => {
                let now = live.now_ms();
                if let Some(sip) = self.sip.as_mut() {
                    sip.command(now, command);
                }
            }
        }
    }
}

fn refusal(r: Refusal) -> DeskError {
    let code = match r {
        Refusal::NoCall => "not_found",
        Refusal::WrongState | Refusal::SelfCall | Refusal::BadDigits => "bad_request",
    };
    DeskError {
        code,
        message: r.to_string(),
    }
}

fn line(r: &Record) -> CallLine {
    CallLine {
        id: 0,
        staff_id: r.person,
        direction: r.direction.as_str().to_string(),
        peer_number: r.peer.number.clone(),
        peer_name: r.peer.name.clone(),
        peer_login: r.peer.login.clone(),
        peer_staff_id: r.peer.person,
        started_at: r.started_ms,
        answered_at: r.answered_ms,
        ended_at: r.ended_ms,
    }
}

/// Deletes history lines older than `days`, hourly.
async fn clean_history(live: Live, store: Store, days: u32) {
    let mut tick = tokio::time::interval(CLEANUP_EVERY);
    loop {
        tick.tick().await;
        let before = live.now_ms() - i64::from(days) * 86_400_000;
        match store.delete_call_lines_before(before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, days, "old call history deleted"),
            Err(e) => tracing::warn!(error = %e, "old call history could not be deleted"),
        }
    }
}
