//! One measured call between two connected browsers: the caller dials the callee's
//! extension, the time to `call.state` `ringing` (caller) and to `call.incoming`
//! (callee) is taken on this process's monotonic clock, then the caller hangs up and
//! both wait until the call has ended, so the next call starts on idle sockets.

use super::frames::{self, CallEvent};
use crate::client::Socket;
use futures_util::{SinkExt, StreamExt};
use std::cell::RefCell;
use std::time::{Duration, Instant};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

/// The two delays of one call, in µs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Dial → `call.state` `ringing` at the caller.
    pub ringing: u64,
    /// Dial → `call.incoming` at the callee.
    pub incoming: u64,
}

/// Why a call did not complete.
pub type Failure = String;

/// The call frames each side saw during a call, for the reason of a failure.
#[derive(Debug, Default)]
struct Seen {
    caller: RefCell<Vec<String>>,
    callee: RefCell<Vec<String>>,
}

impl Seen {
    fn why(&self, what: String) -> Failure {
        format!(
            "{what} (caller saw: {}; callee saw: {})",
            self.caller.borrow().join(", "),
            self.callee.borrow().join(", ")
        )
    }
}

async fn next_event(
    socket: &mut Socket,
    seen: &RefCell<Vec<String>>,
) -> Result<CallEvent, Failure> {
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => {
                let event = frames::classify(text.as_str());
                if let Some(short) = frames::summary(&event) {
                    seen.borrow_mut().push(short);
                }
                return Ok(event);
            }
            Some(Ok(Message::Close(_))) | None => return Err("the server closed".into()),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(format!("read error: {e}")),
        }
    }
}

async fn send(socket: &mut Socket, text: String) -> Result<(), Failure> {
    match timeout(Duration::from_secs(5), socket.send(Message::text(text))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("write error: {e}")),
        Err(_) => Err("write timed out".into()),
    }
}

/// The caller's side until ringing: the call id from the `ack` and the moment the
/// `ringing` state for it arrived.
async fn caller_rings(
    socket: &mut Socket,
    reference: &str,
    seen: &RefCell<Vec<String>>,
) -> Result<(String, Instant), Failure> {
    let (mut call, mut rang): (Option<String>, Option<(String, Instant)>) = (None, None);
    loop {
        match next_event(socket, seen).await? {
            CallEvent::Ack {
                reference: r,
                call: c,
            } if r == reference => {
                call = Some(c.ok_or("ack of call.dial without a call")?);
            }
            CallEvent::Error {
                reference: Some(r),
                code,
            } if r == reference => return Err(format!("call.dial refused: {code}")),
            CallEvent::State { call: c, state, .. } if state == "ringing" => {
                rang = Some((c, Instant::now()));
            }
            CallEvent::State { state, reason, .. } if state == "ended" => {
                return Err(format!(
                    "ended before ringing: {}",
                    reason.unwrap_or_default()
                ))
            }
            _ => {}
        }
        if let (Some(id), Some((rung, at))) = (&call, &rang) {
            if id == rung {
                return Ok((id.clone(), *at));
            }
        }
    }
}

/// The callee's side: the moment `call.incoming` arrived, and its call id.
async fn callee_rings(
    socket: &mut Socket,
    seen: &RefCell<Vec<String>>,
) -> Result<(String, Instant), Failure> {
    loop {
        if let CallEvent::Incoming { call } = next_event(socket, seen).await? {
            return Ok((call, Instant::now()));
        }
    }
}

/// Waits for `call.state` `ended` of `call`.
async fn ended(
    socket: &mut Socket,
    call: &str,
    seen: &RefCell<Vec<String>>,
) -> Result<(), Failure> {
    loop {
        if let CallEvent::State { call: c, state, .. } = next_event(socket, seen).await? {
            if c == call && state == "ended" {
                return Ok(());
            }
        }
    }
}

fn micros(from: Instant, to: Instant) -> u64 {
    to.saturating_duration_since(from).as_micros() as u64
}

/// Call `n`: `caller` dials `extension` (the person behind `callee`) with `offer`.
/// Each phase is bounded by `limit`.
pub async fn one(
    caller: &mut Socket,
    callee: &mut Socket,
    n: usize,
    extension: &str,
    offer: &str,
    limit: Duration,
) -> Result<Sample, Failure> {
    let reference = format!("d{n}");
    let dial = frames::dial(&reference, extension, offer);
    let seen = Seen::default();
    let start = Instant::now();
    send(caller, dial).await?;
    let both = async {
        tokio::join!(
            caller_rings(caller, &reference, &seen.caller),
            callee_rings(callee, &seen.callee)
        )
    };
    let (rang, incoming) = timeout(limit, both)
        .await
        .map_err(|_| seen.why(format!("no ringing within {} s", limit.as_secs())))?;
    let ((call, rang_at), (incoming_call, incoming_at)) = (
        rang.map_err(|e| seen.why(e))?,
        incoming.map_err(|e| seen.why(e))?,
    );
    if call != incoming_call {
        return Err(seen.why(format!(
            "the callee was offered {incoming_call}, not {call}"
        )));
    }
    let sample = Sample {
        ringing: micros(start, rang_at),
        incoming: micros(start, incoming_at),
    };
    send(caller, frames::hangup(&format!("h{n}"), &call)).await?;
    let both_ended = async {
        tokio::join!(
            ended(caller, &call, &seen.caller),
            ended(callee, &call, &seen.callee)
        )
    };
    match timeout(limit, both_ended).await {
        Ok((Ok(()), Ok(()))) => Ok(sample),
        Ok((Err(e), _) | (_, Err(e))) => Err(seen.why(e)),
        Err(_) => Err(seen.why(format!(
            "not ended within {} s of the hangup",
            limit.as_secs()
        ))),
    }
}
