//! `GET /sip`: SIP over WebSocket (RFC 7118) on the HTTP port, for softphones in the
//! browser. The upgrade only checks the `sip` subprotocol; the SIP service behind the
//! [`SipGateway`] takes the socket over, and every request on it is digest-checked like
//! one over UDP (no web session: the device's SIP credentials are what counts).

use crate::http::client_addr::ClientAddr;
use crate::AppState;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// The subprotocol RFC 7118 §4 registers.
pub const SUBPROTOCOL: &str = "sip";

/// Hands an upgraded socket (with the client's address and whether it came over HTTPS)
/// to the SIP service; `false` when that is busy or stopped. The address is the client's
/// ([`ClientAddr`], behind a trusted proxy the forwarded one) with the port of its TCP
/// connection, so that each socket stays a flow of its own.
pub type HandOff = dyn Fn(WebSocket, SocketAddr, bool) -> bool + Send + Sync;

/// Where `/sip` sends its sockets: the SIP service, which the server wires in.
#[derive(Clone)]
pub struct SipGateway {
    hand_off: Arc<HandOff>,
    secure: bool,
}

impl std::fmt::Debug for SipGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SipGateway")
            .field("secure", &self.secure)
            .finish_non_exhaustive()
    }
}

impl SipGateway {
    /// A gateway that hands sockets to `hand_off`; `secure` when the HTTP server speaks
    /// TLS.
    pub fn new(hand_off: Arc<HandOff>, secure: bool) -> SipGateway {
        SipGateway { hand_off, secure }
    }
}

/// SIP over WebSocket (RFC 7118) for softphones in the browser: no web session, every
/// SIP request is digest-checked with the device's credentials. Without the `sip`
/// subprotocol the client hears 400 (RFC 7118 §4: the server must not complete a
/// handshake without it); without a SIP service, 503.
#[utoipa::path(get, path = "/sip", tag = "phones", security(()),
    responses((status = 101, description = "Switching to SIP over WebSocket (subprotocol sip)"),
        (status = 400, description = "The subprotocol sip was not offered"),
        (status = 503, description = "No SIP service")))]
pub async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let Some(gateway) = state.sip_gateway.clone() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "no SIP service").into_response();
    };
    let offered = headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim().eq_ignore_ascii_case(SUBPROTOCOL));
    if !offered {
        return (
            StatusCode::BAD_REQUEST,
            "SIP over WebSocket needs the subprotocol \"sip\" (RFC 7118)",
        )
            .into_response();
    }
    // The guard of the SIP service counts the client, not the proxy in front of it.
    let client = SocketAddr::new(client, peer.port());
    ws.protocols([SUBPROTOCOL])
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .on_upgrade(move |socket| async move {
            if !(gateway.hand_off)(socket, client, gateway.secure) {
                tracing::warn!("SIP service busy or stopped: a SIP WebSocket was closed");
            }
        })
}

/// The largest SIP message taken over WebSocket (the parser's own limit is lower).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
