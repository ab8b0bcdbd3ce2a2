//! The call service: the task that owns call control (the pure `calls::Calls`) and
//! carries out what it decides: frames to browsers through `live`, legs through the
//! media service, presence "on the phone", the call history in the store. Browsers'
//! requests arrive through `live`'s call desk; media events from the media threads.

mod targets;

use crate::media_service::{MediaEvent, MediaHandle};
use calls::{CallId, Calls, Command, MediaCommand, Output, Record, Refusal, To};
use live::calls::{CallDesk, CallRequest, DeskError, DeskInput};
use live::{Live, Person};
use presence::ConnId;
use std::time::Duration;
use store::{CallLine, Store};
use tokio::sync::mpsc;

/// How often old history lines are deleted.
const CLEANUP_EVERY: Duration = Duration::from_secs(3600);

/// A finished media request, fed back into call control.
struct Made {
    call: CallId,
    side: usize,
    made: Option<(calls::LegRef, media::Codec, String)>,
}

/// Starts call control; browsers reach it through the returned desk (also set on
/// `live`).
pub fn start(
    live: Live,
    store: Store,
    media: MediaHandle,
    media_events: mpsc::UnboundedReceiver<MediaEvent>,
    ring_ms: i64,
    history_days: u32,
) -> CallDesk {
    let (tx, rx) = mpsc::channel(1024);
    let desk = CallDesk::new(tx);
    live.set_call_desk(desk.clone());
    tokio::spawn(run(
        live.clone(),
        store.clone(),
        media,
        rx,
        media_events,
        ring_ms,
    ));
    tokio::spawn(clean_history(live, store, history_days));
    desk
}

async fn run(
    live: Live,
    store: Store,
    media: MediaHandle,
    mut inputs: mpsc::Receiver<DeskInput>,
    mut media_events: mpsc::UnboundedReceiver<MediaEvent>,
    ring_ms: i64,
) {
    let mut calls = Calls::new(ring_ms);
    let (made_tx, mut made_rx) = mpsc::unbounded_channel::<Made>();
    loop {
        let wait = calls
            .poll_timeout()
            .map(|at| Duration::from_millis((at - live.now_ms()).max(0) as u64))
            .unwrap_or(Duration::from_secs(3600));
        tokio::select! {
            input = inputs.recv() => match input {
                None => return,
                Some(DeskInput::Request { person, conn, request, reply }) => {
                    let answer = take(&mut calls, &live, &store, &person, conn, request).await;
                    let _ = reply.send(answer);
                }
                Some(DeskInput::Closed { person, conn, others }) => calls.handle_closed(live.now_ms(), person, conn, others),
            },
            Some(event) = media_events.recv() => match event {
                MediaEvent::Closed(leg) => calls.handle_leg_closed(live.now_ms(), leg),
                MediaEvent::Dtmf(leg, digit) => calls.handle_leg_dtmf(leg, digit),
            },
            Some(m) = made_rx.recv() => calls.handle_media_created(live.now_ms(), m.call, m.side, m.made),
            () = tokio::time::sleep(wait) => calls.handle_timeout(live.now_ms()),
        }
        while let Some(output) = calls.poll_output() {
            carry_out(output, &live, &store, &media, &made_tx);
        }
    }
}

/// Turns a browser's request into a command for call control.
async fn take(
    calls: &mut Calls,
    live: &Live,
    store: &Store,
    person: &Person,
    conn: u64,
    request: CallRequest,
) -> Result<String, DeskError> {
    let id = |s: &str| s.parse::<CallId>().map_err(|()| refusal(Refusal::NoCall));
    let command = match request {
        CallRequest::Dial { target, sdp } => {
            let target = targets::resolve(store, &target).await?;
            if let calls::Target::Browser(p) = &target {
                if p.person != Some(person.id) && !p.person.is_some_and(|id| live.is_connected(id))
                {
                    let name = p.name.clone().unwrap_or_default();
                    return Err(DeskError {
                        code: "unavailable",
                        message: format!("{name} ist gerade nicht erreichbar."),
                    });
                }
            }
            let me = store
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
        CallRequest::Transfer { call, target } => Command::Transfer {
            call: id(&call)?,
            target: targets::resolve(store, &target).await?,
        },
        CallRequest::TransferTo { call, to_call } => Command::TransferTo {
            call: id(&call)?,
            to_call: id(&to_call)?,
        },
    };
    calls
        .handle_command(live.now_ms(), person.id, conn, command)
        .map(|c| c.to_string())
        .map_err(refusal)
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

fn carry_out(
    output: Output,
    live: &Live,
    store: &Store,
    media: &MediaHandle,
    made: &mpsc::UnboundedSender<Made>,
) {
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
            let (media, made) = (media.clone(), made.clone());
            tokio::spawn(async move {
                let result = media.webrtc(media.shard_for(call.0), offer, codecs).await;
                if let Err(e) = &result {
                    tracing::info!(%call, error = %e, "a browser's media could not be set up");
                }
                let _ = made.send(Made {
                    call,
                    side,
                    made: result.ok(),
                });
            });
        }
        Output::Media(MediaCommand::Bridge(a, b)) => {
            let media = media.clone();
            tokio::spawn(async move {
                if let Err(e) = media.bridge(a, b).await {
                    tracing::warn!(error = %e, "two legs could not be bridged");
                }
            });
        }
        Output::Media(MediaCommand::Hold(leg, on)) => media.hold(leg, on),
        Output::Media(MediaCommand::Dtmf(leg, digits)) => media.dtmf(leg, digits),
        Output::Media(MediaCommand::Remove(leg)) => media.remove(leg),
        Output::Presence(person, on) => live.call_state(person, on),
        Output::History(record) => {
            let store = store.clone();
            tokio::spawn(async move {
                if let Err(e) = store.add_call_line(&line(&record)).await {
                    tracing::error!(error = %e, "a call history line could not be stored");
                }
            });
        }
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
