//! An rtpengine-compatible "ng" control port (the subset `ping`, `offer`, `answer`,
//! `delete`), so a SIP proxy in front of Durchwahl, or the media benchmark, can use the
//! media relay as it would use rtpengine. Loopback only (the protocol has no
//! authentication). A retransmitted request (same cookie) gets the same reply.

use super::MediaHandle;
use calls::LegRef;
use media::rtp_leg::PHONE_CODECS;
use ng::{Command, Reply, Request, Response};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use tokio::net::UdpSocket;

/// Replies remembered for retransmissions.
const REMEMBERED: usize = 4096;

/// One relayed call: the caller's leg and the callee's, and the answer for the caller.
struct Relayed {
    caller: LegRef,
    callee: LegRef,
    callee_offer: String,
    caller_answer: String,
}

/// Serves the ng protocol on `at` until the task is dropped.
pub async fn serve(at: SocketAddr, media: MediaHandle) -> std::io::Result<()> {
    let socket = UdpSocket::bind(at).await?;
    tracing::info!(address = %at, "ng media control listening");
    let mut calls: HashMap<String, Relayed> = HashMap::new();
    let mut replies: HashMap<String, Vec<u8>> = HashMap::new();
    let mut order: VecDeque<String> = VecDeque::new();
    let mut buf = vec![0u8; 65_536];
    loop {
        let (n, from) = socket.recv_from(&mut buf).await?;
        if !from.ip().is_loopback() {
            continue;
        }
        let request = match Request::parse(&buf[..n]) {
            Ok(r) => r,
            Err(e) => {
                let cookie = buf[..n]
                    .split(|b| *b == b' ')
                    .next()
                    .and_then(|c| std::str::from_utf8(c).ok())
                    .unwrap_or("-")
                    .to_string();
                let reply = Reply {
                    cookie,
                    response: Response::Error(e.to_string()),
                };
                let _ = socket.send_to(&reply.to_bytes(), from).await;
                continue;
            }
        };
        if let Some(reply) = replies.get(&request.cookie) {
            let _ = socket.send_to(reply, from).await;
            continue;
        }
        let response = handle(&media, &mut calls, request.command).await;
        let reply = Reply {
            cookie: request.cookie.clone(),
            response,
        }
        .to_bytes();
        let _ = socket.send_to(&reply, from).await;
        replies.insert(request.cookie.clone(), reply);
        order.push_back(request.cookie);
        if order.len() > REMEMBERED {
            if let Some(old) = order.pop_front() {
                replies.remove(&old);
            }
        }
    }
}

fn shard_of(media: &MediaHandle, call_id: &str) -> usize {
    let hash = call_id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    media.shard_for(hash)
}

async fn handle(
    media: &MediaHandle,
    calls: &mut HashMap<String, Relayed>,
    command: Command,
) -> Response {
    match command {
        Command::Ping => Response::Pong,
        Command::Offer { call_id, sdp, .. } => {
            if let Some(r) = calls.get(&call_id) {
                return Response::Sdp(r.callee_offer.clone());
            }
            let shard = shard_of(media, &call_id);
            let (caller, _, caller_answer) =
                match media.rtp_offer(shard, sdp, PHONE_CODECS.to_vec()).await {
                    Ok(x) => x,
                    Err(e) => return Response::Error(e),
                };
            let (callee, callee_offer) = match media.rtp_new(shard).await {
                Ok(x) => x,
                Err(e) => {
                    media.remove(caller);
                    return Response::Error(e);
                }
            };
            calls.insert(
                call_id,
                Relayed {
                    caller,
                    callee,
                    callee_offer: callee_offer.clone(),
                    caller_answer,
                },
            );
            Response::Sdp(callee_offer)
        }
        Command::Answer { call_id, sdp, .. } => {
            let Some(r) = calls.get(&call_id) else {
                return Response::Error("unknown call-id".into());
            };
            if let Err(e) = media.rtp_answer(r.callee, sdp).await {
                return Response::Error(e);
            }
            match media.bridge(r.caller, r.callee).await {
                Ok(()) => Response::Sdp(r.caller_answer.clone()),
                Err(e) => Response::Error(e),
            }
        }
        Command::Delete { call_id, .. } => match calls.remove(&call_id) {
            Some(r) => {
                media.remove(r.caller);
                media.remove(r.callee);
                Response::Ok
            }
            None => Response::Error("unknown call-id".into()),
        },
        Command::Other(name) => Response::Error(format!("unsupported command {name:?}")),
    }
}
