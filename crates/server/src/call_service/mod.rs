//! The call service: the task that owns call control (the pure `calls::Calls`) and
//! carries out what it decides: frames to browsers through `live`, legs through the
//! media service, SIP through call control's user agent ([`sip_side`]), presence "on
//! the phone", the call history in the store. Browsers' requests arrive through
//! `live`'s call desk; media events from the media threads; SIP from the switch.

mod cleanup;
mod clips;
mod fax;
pub mod figures;
pub(crate) use hotline::local_time;
mod hotline;
mod hotline_orders;
mod hotline_recovery;
mod listen;
mod routing;
mod run_ids;
pub mod sip_side;
pub(crate) mod targets;
pub mod trunk_config;
pub mod voicemail;
pub mod voicemail_config;
pub(crate) mod voicemail_files;
mod voicemail_mail;
mod voicemail_menu;
mod voicemail_routes;

use crate::media_service::CallsConfig;
use crate::media_service::{MediaEvent, MediaHandle};
use calls::numbers::Permission;
use calls::{
    CallId, Calls, Command, MediaCommand, Output, Party, Record, Refusal, SipCommand, Target, To,
    Via,
};
use live::calls::{CallDesk, CallRequest, DeskError, DeskInput};
use live::{Live, Person};
use presence::ConnId;
use sip_side::{Heard, SipSide};
use std::collections::HashMap;
use std::time::Duration;
use store::{CallLine, Store};
use tokio::sync::mpsc;

/// A finished media request, fed back into call control.
enum Made {
    WebRtc(CallId, usize, Option<(calls::LegRef, media::Codec, String)>),
    Rtp(CallId, usize, Option<(calls::LegRef, String)>),
    /// A leg could not hear its mix: the listening it belongs to ends.
    NotHeard(calls::LegRef),
}

/// Starts call control; browsers reach it through the returned desk (also set on
/// `live`). With `sip`, calls reach desk phones through the switch and phones reach
/// browsers.
#[allow(clippy::too_many_arguments)] // the services it joins, each once
pub fn start(
    live: Live,
    store: Store,
    media: MediaHandle,
    media_events: mpsc::UnboundedReceiver<MediaEvent>,
    uas: Vec<SipSide>,
    config: CallsConfig,
    ring_ms: i64,
    voicemail_settings: voicemail::VoicemailSettings,
    mailer: crate::mailer::Mailer,
    fax_shell: crate::fax_service::FaxShell,
    fax_wake: mpsc::Receiver<()>,
    figures: mpsc::Receiver<figures::FiguresAsk>,
) -> CallDesk {
    let (tx, rx) = mpsc::channel(1024);
    let desk = CallDesk::new(tx);
    live.set_call_desk(desk.clone());
    let (hotline_tx, hotline_rx) = mpsc::channel(1024);
    live.set_hotline_desk(live::hotlines::HotlineDesk::new(hotline_tx));
    let (datagrams_tx, datagrams) = mpsc::channel(1024);
    for (i, ua) in uas.iter().enumerate() {
        ua.spawn_receiver(i, datagrams_tx.clone());
    }
    let history_days = config.history_days;
    tokio::spawn(cleanup::clean_history(
        live.clone(),
        store.clone(),
        history_days,
    ));
    tokio::spawn(cleanup::clean_voicemail(
        live.clone(),
        store.clone(),
        voicemail_settings.clone(),
    ));
    tokio::spawn(cleanup::clean_faxes(fax_shell.clone()));
    let (fax_orders_tx, fax_orders) = mpsc::channel(64);
    tokio::spawn(crate::fax_service::queue::run(
        fax_shell.clone(),
        fax_wake,
        fax_orders_tx,
    ));
    let run = async move {
        let hotlines = hotline::Hotlines::load(&store, live.now_ms()).await;
        let service = Service {
            live: live.clone(),
            store: store.clone(),
            media,
            uas,
            owner: HashMap::new(),
            plan: config.plan(),
            config,
            calls: Calls::new(ring_ms),
            hotlines,
            faxes: fax::FaxCalls::new(fax_shell),
            voicemails: voicemail::Voicemails::new(
                voicemail_settings.clone(),
                voicemail_mail::Notifier {
                    store: store.clone(),
                    live: live.clone(),
                    mailer,
                    settings: voicemail_settings,
                },
            ),
        };
        service
            .run(rx, hotline_rx, media_events, datagrams, fax_orders, figures)
            .await;
    };
    tokio::spawn(run);
    desk
}

struct Service {
    live: Live,
    store: Store,
    media: MediaHandle,
    /// Call control's user agents: the switch's first (when there is one), then the trunks'.
    uas: Vec<SipSide>,
    /// Which user agent carries each SIP side.
    owner: HashMap<calls::SipRef, usize>,
    plan: calls::numbers::Plan,
    config: CallsConfig,
    calls: Calls,
    /// The hotlines' switchboard and what belongs to it.
    hotlines: hotline::Hotlines,
    /// Callers at voicemail boxes.
    voicemails: voicemail::Voicemails,
    /// Faxes on calls.
    faxes: fax::FaxCalls,
}

impl Service {
    async fn run(
        mut self,
        mut inputs: mpsc::Receiver<DeskInput>,
        mut hotline_inputs: mpsc::Receiver<live::hotlines::HotlineInput>,
        mut media_events: mpsc::UnboundedReceiver<MediaEvent>,
        mut datagrams: mpsc::Receiver<sip_side::Datagram>,
        mut fax_orders: mpsc::Receiver<crate::fax_service::queue::Order>,
        mut figures: mpsc::Receiver<figures::FiguresAsk>,
    ) {
        let (made_tx, mut made_rx) = mpsc::unbounded_channel::<Made>();
        loop {
            let now = self.live.now_ms();
            // While callers wait, agents' presence is looked at again regularly.
            let refresh = (!self.hotlines.legs.is_empty()).then_some(now + hotline::REFRESH_MS);
            let next = [
                self.calls.poll_timeout(),
                self.uas.iter().filter_map(SipSide::poll_timeout).min(),
                self.hotlines.board.poll_timeout(),
                self.hotlines.push_due(),
                self.voicemails.poll_timeout(),
                refresh,
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
                Some(input) = hotline_inputs.recv() => self.hotline_input(input).await,
                Some(order) = fax_orders.recv() => self.fax_order(order),
                Some(ask) = figures.recv() => {
                    let _ = ask.send(self.figures());
                }
                Some(event) = media_events.recv() => match event {
                    MediaEvent::Closed(leg) => self.calls.handle_leg_closed(now, leg),
                    MediaEvent::Dtmf(leg, digit) => self.calls.handle_leg_dtmf(leg, digit),
                    MediaEvent::Played(leg) if self.voicemails.owns(leg) => self.voicemail_played(leg).await,
                    MediaEvent::Played(leg) => self.hotline_played(leg),
                    MediaEvent::Recorded(leg, samples, _) => self.voicemail_recorded(leg, samples).await,
                    MediaEvent::TerminalDone(leg) => self.fax_modem_done(leg),
                },
                Some(m) = made_rx.recv() => match m {
                    Made::WebRtc(call, side, made) => self.calls.handle_media_created(now, call, side, made),
                    Made::Rtp(call, side, made) => self.calls.handle_rtp_created(now, call, side, made),
                    Made::NotHeard(leg) => self.calls.stop_listening_at(now, leg),
                },
                Some((i, from, data)) = datagrams.recv() => {
                    if let Some(ua) = self.uas.get_mut(i) {
                        ua.handle_datagram(now, from, data);
                    }
                }
                () = tokio::time::sleep(wait) => {
                    let now = self.live.now_ms();
                    self.calls.handle_timeout(now);
                    for ua in self.uas.iter_mut() {
                        ua.handle_timeout(now);
                    }
                    self.hotlines.board.handle_timeout(now);
                    self.menu_timeouts(now).await;
                }
            }
            // What the user agent heard feeds call control; what call control decides
            // may give the user agent work: until both are quiet.
            loop {
                let now = self.live.now_ms();
                let heard: Vec<(usize, Heard)> = self
                    .uas
                    .iter_mut()
                    .enumerate()
                    .flat_map(|(i, ua)| ua.flush(now).into_iter().map(move |h| (i, h)))
                    .collect();
                for (i, h) in heard {
                    self.heard(i, h).await;
                }
                let mut any = false;
                let mut reported = Vec::new();
                let mut at_boxes = Vec::new();
                let mut faxes = Vec::new();
                while let Some(output) = self.calls.poll_output() {
                    any = true;
                    match output {
                        Output::Hotline(event) => reported.push(event),
                        Output::Voicemail(event) => at_boxes.push(event),
                        Output::Fax(event) => faxes.push(event),
                        output => self.carry_out(output, &made_tx),
                    }
                }
                any |= self.run_hotline(reported).await;
                if !at_boxes.is_empty() {
                    self.run_voicemail(at_boxes).await;
                }
                if !faxes.is_empty() {
                    self.run_fax(faxes).await;
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
            CallRequest::Dial { target, sdp, via } => {
                let allowed = self.config.permission(&person.login);
                let target = self.route(Some(person.id), allowed, &target).await?;
                self.ready_mailbox(&target).await;
                if via.as_deref() == Some("mobile") {
                    return self.dial_via_mobile(person, conn, target).await;
                }
                Command::Dial {
                    from: self.me(person).await?,
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
                self.ready_mailbox(&target).await;
                Command::Transfer {
                    call: id(&call)?,
                    target,
                }
            }
            CallRequest::Listen {
                hotline,
                agent,
                whisper,
                sdp,
            } => {
                return self
                    .listen(person, conn, (hotline, agent, whisper), sdp)
                    .await
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

    /// The signed-in person as the other side of their call sees them.
    async fn me(&self, person: &Person) -> Result<Party, DeskError> {
        let me = self.store.panel_person(&person.login).await.ok().flatten();
        me.map(|me| targets::party(&me)).ok_or_else(|| DeskError {
            code: "unavailable",
            message: "Ihr Eintrag im Verzeichnis fehlt.".into(),
        })
    }

    /// Something user agent `i` heard.
    async fn heard(&mut self, i: usize, heard: Heard) {
        let now = self.live.now_ms();
        match heard {
            Heard::Incoming {
                call,
                from,
                to,
                relay,
                sdp,
            } => {
                let codec = sdp.as_deref().and_then(calls::phone_codec);
                let (Some(codec), Some(offer)) = (codec, sdp) else {
                    self.uas[i].refuse(now, call, 488);
                    return;
                };
                let from_trunk = self.uas[i].block().is_some();
                let (via, caller, target) = if from_trunk {
                    // A citizen dials a direct number: the extension behind it.
                    let number =
                        calls::numbers::normalise_called(&caller_number(&from), &self.plan);
                    // A colleague calling from their mobile is shown by name.
                    let known = self
                        .store
                        .panel_person_by_mobile(&number)
                        .await
                        .ok()
                        .flatten();
                    let caller = match known {
                        Some(p) => Party {
                            number,
                            ..targets::party(&p)
                        },
                        None => Party {
                            person: None,
                            name: None,
                            number,
                            login: None,
                            unit: None,
                        },
                    };
                    let extension = self.uas[i]
                        .block()
                        .and_then(|b| b.extension_of(&to, &self.plan));
                    let trunk = i - usize::from(self.has_switch());
                    // The extension behind the direct number first (a person's direct
                    // number stays theirs, whatever a box was given); a unit's voicemail
                    // box or a fax box under its E.164 number when nobody has it.
                    let called = calls::numbers::normalise_called(&to, &self.plan);
                    let by_extension = match &extension {
                        Some(e) => Some(self.route(None, Permission::Internal, e).await),
                        None => None,
                    };
                    let routed = by_extension.unwrap_or(Err(DeskError {
                        code: "not_found",
                        message: String::new(),
                    }));
                    let routed = match routed {
                        Err(e) if e.code == "not_found" || e.code == "forbidden" => {
                            let by_number = match targets::unit_mailbox(&self.store, &called).await
                            {
                                Some(mailbox) => Some(mailbox),
                                None => targets::fax(&self.store, &called).await,
                            };
                            by_number.ok_or(e)
                        }
                        other => other,
                    };
                    match routed {
                        Ok(t) => (Via::Trunk(trunk), caller, t),
                        Err(e) => {
                            self.uas[i].refuse(
                                now,
                                call,
                                if e.code == "not_found" { 404 } else { 480 },
                            );
                            return;
                        }
                    }
                } else {
                    // From the switch: a person's browsers, or a desk phone calling out.
                    let caller = targets::caller(&self.store, &from).await;
                    let allowed = match &caller.login {
                        Some(login) => self.config.permission(login),
                        None => Permission::Internal,
                    };
                    let hotline = match targets::hotline(&self.store, &to).await {
                        Some(h) => Some(h),
                        None => match targets::fax(&self.store, &to).await {
                            Some(f) => Some(f),
                            None => targets::unit_mailbox(&self.store, &to).await,
                        },
                    };
                    let target =
                        match self.plan.outside(&to) {
                            // Outside numbers (110, 112 among them) go out, whatever a hotline is called.
                            Some(_) => self.route(caller.person, allowed, &to).await,
                            None if hotline.is_some() => Ok(hotline.expect("checked")),
                            None if to == voicemail_routes::OWN_BOX
                                || to.starts_with(voicemail_routes::DEPOSIT) =>
                            {
                                self.route(caller.person, allowed, &to).await
                            }
                            // Relayed: the call goes on through the switch, a relay leg each side.
                            None if relay => match self
                                .store
                                .panel_person_by_extension(&to)
                                .await
                                .ok()
                                .flatten()
                            {
                                Some(p) => Ok(Target::Sip(targets::party(&p))),
                                None => Err(DeskError {
                                    code: "not_found",
                                    message: String::new(),
                                }),
                            },
                            None => match self
                                .store
                                .panel_person_by_extension(&to)
                                .await
                                .ok()
                                .flatten()
                            {
                                Some(p) if self.live.is_connected(p.id) => {
                                    Ok(Target::Browser(targets::party(&p)))
                                }
                                Some(p) => self.mailbox_target(&targets::party(&p)).await.ok_or(
                                    DeskError {
                                        code: "unavailable",
                                        message: String::new(),
                                    },
                                ),
                                None => Err(DeskError {
                                    code: "not_found",
                                    message: String::new(),
                                }),
                            },
                        };
                    match target {
                        Ok(t) => (Via::Switch, caller, t),
                        Err(e) => {
                            let code = match e.code {
                                "not_found" => 404,
                                "forbidden" => 403,
                                _ => 480,
                            };
                            if code == 403 {
                                tracing::info!(dialled = %to, "an outside call a desk phone may not make was refused");
                            }
                            self.uas[i].refuse(now, call, code);
                            return;
                        }
                    }
                };
                self.ready_mailbox(&target).await;
                match self
                    .calls
                    .handle_sip_incoming(now, via, caller, target, offer, codec)
                {
                    Some((_, r)) => {
                        self.uas[i].ring(now, call);
                        self.uas[i].adopt(call, r);
                        self.owner.insert(r, i);
                    }
                    None => self.uas[i].refuse(now, call, 480),
                }
            }
            Heard::Ringing(r) => self.calls.handle_sip_ringing(now, r),
            Heard::Answered(r, sdp) => self.calls.handle_sip_answered(now, r, sdp),
            Heard::Failed(r, code) => {
                self.owner.remove(&r);
                self.calls.handle_sip_failed(now, r, code)
            }
            Heard::Ended(r) => {
                self.owner.remove(&r);
                self.calls.handle_sip_ended(now, r)
            }
            Heard::Offered(r, sdp) => self.fax_offered(i, r, sdp).await,
        }
    }

    fn carry_out(&mut self, output: Output, made: &mpsc::UnboundedSender<Made>) {
        let (live, media) = (&self.live, &self.media);
        // A hotline's offer makes its leg on the caller's media thread (they are bridged).
        let home = |call: CallId| self.calls.media_home(call).0;
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
                let pending = media.webrtc(media.shard_for(home(call)), offer, codecs);
                report(
                    pending,
                    call,
                    "a browser's media could not be set up",
                    made,
                    move |r| Made::WebRtc(call, side, r),
                );
            }
            Output::Media(MediaCommand::CreateRtpOffer { call, side }) => {
                let pending = media.rtp_new(media.shard_for(home(call)));
                report(pending, call, "no phone leg", made, move |r| {
                    Made::Rtp(call, side, r)
                });
            }
            Output::Media(MediaCommand::CreateRtpAnswer {
                call,
                side,
                offer,
                codecs,
            }) => {
                let pending = media.rtp_offer(media.shard_for(home(call)), offer, codecs);
                report(
                    pending,
                    call,
                    "a phone's offer was refused",
                    made,
                    move |r| Made::Rtp(call, side, r.map(|(leg, _, answer)| (leg, answer))),
                );
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
            Output::Media(MediaCommand::Hear { leg, sources }) => {
                let pending = media.hear(leg, sources);
                let made = made.clone();
                tokio::spawn(async move {
                    if let Err(e) = pending.await {
                        tracing::warn!(error = %e, "a leg could not hear the mix; listening ends");
                        let _ = made.send(Made::NotHeard(leg));
                    }
                });
            }
            Output::Media(MediaCommand::ListenTone(leg)) => {
                let tone = self.hotlines.clips.listening_tone();
                media.play(leg, tone, media::Codec::Pcma, false);
            }
            Output::Media(MediaCommand::Hold(leg, on)) => media.hold(leg, on),
            Output::Media(MediaCommand::Dtmf(leg, digits)) => media.dtmf(leg, digits),
            Output::Media(MediaCommand::Remove(leg)) => media.remove(leg),
            Output::Media(MediaCommand::StopPlaying(leg)) => media.stop_playing(leg),
            Output::Hotline(_) | Output::Voicemail(_) | Output::Fax(_) => {
                unreachable!("taken by the loop")
            }
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
                let i = match &command {
                    SipCommand::Invite { sip, via, .. } => {
                        let i = match via {
                            Via::Switch => 0,
                            Via::Trunk(n) => self.ua_of_trunk(*n),
                        };
                        self.owner.insert(*sip, i);
                        Some(i)
                    }
                    SipCommand::Answer { sip, .. } => self.owner.get(sip).copied(),
                    SipCommand::Reject { sip, .. } | SipCommand::Hangup { sip } => {
                        self.owner.remove(sip)
                    }
                };
                if let Some(ua) = i.and_then(|i| self.uas.get_mut(i)) {
                    ua.command(now, command);
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

/// The calling number of a From value from a carrier.
fn caller_number(from: &str) -> String {
    sip_side::caller_of(from).1
}

impl Service {
    /// A call through the person's own mobile (through the first trunk): the mobile rings
    /// first and shows whom it will call; once answered, the target is called with the
    /// office number. For people who phone citizens on the road without showing their
    /// private number.
    async fn dial_via_mobile(
        &mut self,
        person: &Person,
        conn: u64,
        target: Target,
    ) -> Result<String, DeskError> {
        let unavailable = |m: &str| DeskError {
            code: "unavailable",
            message: m.to_string(),
        };
        let trunk = self.trunk_index(0).ok_or_else(|| {
            unavailable("Für Anrufe über das Handy ist keine Amtsleitung eingerichtet.")
        })?;
        let login = directory::Login::parse(&person.login)
            .map_err(|_| unavailable("Ihr Eintrag im Verzeichnis fehlt."))?;
        let record = self
            .store
            .person(&login)
            .await
            .ok()
            .flatten()
            .ok_or_else(|| unavailable("Ihr Eintrag im Verzeichnis fehlt."))?;
        let Some(mobile) = record.mobile.filter(|m| !m.trim().is_empty()) else {
            return Err(DeskError {
                code: "bad_request",
                message: "Im Verzeichnis ist für Sie keine Handynummer eingetragen.".into(),
            });
        };
        let number = calls::numbers::normalise_called(&mobile, &self.plan);
        let device = Target::Outside {
            party: Party {
                person: None,
                name: None,
                number,
                login: None,
                unit: None,
            },
            trunk,
        };
        // A person in the directory is reached through the switch (all their devices).
        let target = match target {
            Target::Browser(p) => Target::Sip(p),
            Target::Echo => {
                return Err(DeskError {
                    code: "bad_request",
                    message: "Der Echotest geht nur im Browser.".into(),
                })
            }
            t => t,
        };
        let command = Command::DialVia {
            from: self.me(person).await?,
            device,
            target,
        };
        self.calls
            .handle_command(self.live.now_ms(), person.id, conn, command)
            .map(|c| c.to_string())
            .map_err(refusal)
    }
}

/// Waits for a media thread's answer on a task of its own and feeds it back into call
/// control's loop as `into(result)` (`None` when it failed, which is logged).
fn report<T: Send + 'static>(
    pending: impl std::future::Future<Output = Result<T, String>> + Send + 'static,
    call: CallId,
    failed: &'static str,
    made: &mpsc::UnboundedSender<Made>,
    into: impl FnOnce(Option<T>) -> Made + Send + 'static,
) {
    let made = made.clone();
    tokio::spawn(async move {
        let result = pending
            .await
            .map_err(|e| tracing::info!(%call, error = %e, "{failed}"));
        let _ = made.send(into(result.ok()));
    });
}
