//! An rtpengine-compatible "ng" control port (the subset `ping`, `offer`, `answer`,
//! `delete`), so a SIP proxy in front of Durchwahl, or the media benchmark, can use the
//! media relay as it would use rtpengine. Loopback only (the protocol has no
//! authentication). A retransmitted request (same cookie) gets the same reply.
//!
//! A caller may be a browser: an `offer` whose SDP is WebRTC (`UDP/TLS/RTP/SAVPF`, ICE
//! and a DTLS fingerprint) gets a WebRTC leg answering it (ICE-lite, DTLS-SRTP, G.711)
//! and a plain RTP leg for the callee, as rtpengine bridges DTLS-SRTP to RTP when asked
//! with `transport-protocol` `RTP/AVP` and `ICE` `remove` on the offer. Those keys, and
//! `ICE`/`DTLS` on the answer, are what the load tool sends rtpengine; Durchwahl knows the
//! caller's side from its SDP and always offers the callee plain RTP, so it only refuses
//! an offer whose `transport-protocol` asks for anything else towards the callee.

use super::MediaHandle;
use calls::LegRef;
use media::rtp_leg::PHONE_CODECS;
use media::Codec;
use ng::{Command, Reply, Request, Response, Value};
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
        let towards_callee = transport_protocol(&buf[..n]);
        let response = handle(&media, &mut calls, request.command, towards_callee).await;
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

/// rtpengine's `transport-protocol` (or `transport protocol`) key of a request, if any.
fn transport_protocol(datagram: &[u8]) -> Option<String> {
    let cookie = ng::cookie(datagram).ok()?;
    let dict = ng::bencode::decode(datagram.get(cookie.len() + 1..)?).ok()?;
    ["transport-protocol", "transport protocol"]
        .iter()
        .find_map(|k| dict.get(k).and_then(Value::as_bytes))
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

/// Whether an SDP offer comes from a WebRTC endpoint: its audio is DTLS-SRTP
/// (RFC 5764 §8: `UDP/TLS/RTP/SAVPF`, or the older `RTP/SAVPF` with a fingerprint).
fn is_webrtc(sdp: &str) -> bool {
    let audio = sdp
        .lines()
        .find_map(|l| l.strip_prefix("m=audio "))
        .unwrap_or("");
    let protocol = audio.split(' ').nth(1).unwrap_or("");
    protocol.eq_ignore_ascii_case("UDP/TLS/RTP/SAVPF")
        || (protocol.eq_ignore_ascii_case("RTP/SAVPF") && sdp.contains("a=fingerprint:"))
}

/// Browser callers get G.711 (the callee is a phone): A-law first, as rtpengine keeps the
/// browser's order and the load's browsers offer A-law first.
const BROWSER_CODECS: [Codec; 2] = [Codec::Pcma, Codec::Pcmu];

async fn handle(
    media: &MediaHandle,
    calls: &mut HashMap<String, Relayed>,
    command: Command,
    towards_callee: Option<String>,
) -> Response {
    match command {
        Command::Ping => Response::Pong,
        Command::Offer { call_id, sdp, .. } => {
            if let Some(r) = calls.get(&call_id) {
                return Response::Sdp(r.callee_offer.clone());
            }
            if let Some(p) = towards_callee.filter(|p| !p.eq_ignore_ascii_case("RTP/AVP")) {
                return Response::Error(format!(
                    "transport-protocol {p:?}: the callee is offered RTP/AVP only"
                ));
            }
            let shard = shard_of(media, &call_id);
            let caller = if is_webrtc(&sdp) {
                media
                    .webrtc(shard, sdp, BROWSER_CODECS.to_vec())
                    .await
                    .map(|(leg, _, answer)| (leg, answer))
            } else {
                media
                    .rtp_offer(shard, sdp, PHONE_CODECS.to_vec())
                    .await
                    .map(|(leg, _, answer)| (leg, answer))
            };
            let (caller, caller_answer) = match caller {
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
