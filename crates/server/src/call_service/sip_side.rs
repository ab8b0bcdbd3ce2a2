//! Call control's SIP user agents (`sip_ua`, sans-IO), each on a UDP socket of its own:
//! one towards the switch on loopback (browsers' calls to desk phones, desk phones'
//! calls to browsers and to the outside line; the switch trusts this one address, the
//! person's session was checked on the WebSocket), and one per trunk towards the
//! carrier (registering with credentials, or accepted by address).

use super::trunk_config::{TrunkConfig, TrunkMode};
use calls::numbers::NumberBlock;
use calls::{Party, SipCommand, SipRef};
use live::trunks::{TrunkBoard, TrunkState};
use secrecy::ExposeSecret;
use sip_ua::{Account, CallRef, PhoneEvent, SipPhone};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

/// How long a trunk waits after a failed registration before it tries again.
const RETRY_MS: i64 = 30_000;

/// What a user agent heard, named by call control's [`SipRef`]s.
#[derive(Debug)]
pub enum Heard {
    /// A call arrived for `to` (the Request-URI user: an extension, a number, a DID).
    Incoming {
        /// The user agent's handle (not yet known to call control).
        call: CallRef,
        /// The From value.
        from: String,
        /// Whom it is for.
        to: String,
        /// A phone's call the switch hands over to be relayed (not to ring browsers).
        relay: bool,
        /// The offer.
        sdp: Option<String>,
    },
    /// Our call rings.
    Ringing(SipRef),
    /// Our call was answered.
    Answered(SipRef, String),
    /// Our call failed.
    Failed(SipRef, u16),
    /// The call ended (BYE or CANCEL).
    Ended(SipRef),
    /// The far side offers to change the call (a re-INVITE: a fax machine's switch to
    /// T.38); answer with [`SipSide::answer_offer`] or [`SipSide::refuse_offer`].
    Offered(SipRef, String),
}

/// A datagram for user agent `.0`.
pub type Datagram = (usize, SocketAddr, bytes::Bytes);

struct Trunk {
    config: TrunkConfig,
    block: NumberBlock,
    index: usize,
    board: TrunkBoard,
    /// When to register (again).
    register_at: Option<i64>,
}

/// One user agent with its socket and the names of its calls.
pub struct SipSide {
    ua: SipPhone,
    socket: Arc<UdpSocket>,
    domain: String,
    to_ref: HashMap<CallRef, SipRef>,
    from_ref: HashMap<SipRef, CallRef>,
    trunk: Option<Trunk>,
}

impl SipSide {
    /// The user agent towards the switch at `switch`.
    pub fn towards_switch(
        socket: UdpSocket,
        switch: SocketAddr,
        domain: &str,
        seed: u64,
    ) -> std::io::Result<SipSide> {
        let local = socket.local_addr()?;
        let account = Account::new("durchwahl", "", domain);
        let mut ua = SipPhone::new(account, local, switch, seed);
        ua.set_ring_at_once(false);
        Ok(SipSide {
            ua,
            socket: Arc::new(socket),
            domain: domain.to_string(),
            to_ref: HashMap::new(),
            from_ref: HashMap::new(),
            trunk: None,
        })
    }

    /// The user agent of trunk `index` (registering at once when it registers).
    pub fn trunk(
        socket: UdpSocket,
        config: TrunkConfig,
        index: usize,
        board: TrunkBoard,
        now: i64,
        seed: u64,
    ) -> std::io::Result<SipSide> {
        let local = socket.local_addr()?;
        let domain = config
            .domain
            .clone()
            .unwrap_or_else(|| config.proxy.ip().to_string());
        let password = config
            .password
            .as_ref()
            .map(|p| p.expose_secret().to_string())
            .unwrap_or_default();
        let user = config
            .username
            .clone()
            .unwrap_or_else(|| "durchwahl".into());
        let account = Account::new(&user, &password, &domain);
        let register = config.mode == TrunkMode::Register;
        let state = TrunkState {
            name: config.name.clone(),
            mode: if register { "register" } else { "ip" },
            demo: config.demo,
            state: if register { "registering" } else { "ip" },
            detail: None,
            since_ms: now,
        };
        board.set(index, state);
        let trunk = Trunk {
            block: config.block(),
            config,
            index,
            board,
            register_at: register.then_some(now),
        };
        let mut ua = SipPhone::new(account, local, trunk.config.proxy, seed);
        ua.set_ring_at_once(false);
        Ok(SipSide {
            ua,
            socket: Arc::new(socket),
            domain,
            to_ref: HashMap::new(),
            from_ref: HashMap::new(),
            trunk: Some(trunk),
        })
    }

    /// The office's numbers at this trunk (none for the switch's user agent).
    pub fn block(&self) -> Option<&NumberBlock> {
        self.trunk.as_ref().map(|t| &t.block)
    }

    /// Receives this user agent's datagrams on a task of its own, handing them to `tx`
    /// as user agent `index`'s.
    pub fn spawn_receiver(&self, index: usize, tx: mpsc::Sender<Datagram>) {
        let socket = self.socket.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 65_536];
            while let Ok((n, from)) = socket.recv_from(&mut buf).await {
                if tx
                    .send((index, from, bytes::Bytes::copy_from_slice(&buf[..n])))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        });
    }

    /// A datagram arrived. A trunk takes SIP only from its carrier.
    pub fn handle_datagram(&mut self, now: i64, from: SocketAddr, data: bytes::Bytes) {
        if let Some(t) = &self.trunk {
            if from.ip() != t.config.proxy.ip() && !t.config.accept_from.contains(&from.ip()) {
                tracing::debug!(trunk = %t.config.name, %from, "SIP from an address the trunk does not accept");
                return;
            }
        }
        self.ua.handle_datagram(now, from, data);
    }

    /// When the user agent needs the time next (Unix ms).
    pub fn poll_timeout(&self) -> Option<i64> {
        let register = self.trunk.as_ref().and_then(|t| t.register_at);
        [self.ua.poll_timeout(), register]
            .into_iter()
            .flatten()
            .min()
    }

    /// Fires what is due.
    pub fn handle_timeout(&mut self, now: i64) {
        if let Some(t) = self.trunk.as_mut() {
            if t.register_at.is_some_and(|at| at <= now) {
                t.register_at = None;
                self.ua.register(now);
            }
        }
        self.ua.handle_timeout(now);
    }

    /// Carries out a command of call control.
    pub fn command(&mut self, now: i64, command: SipCommand) {
        let result = match command {
            SipCommand::Invite {
                sip,
                from,
                target,
                sdp,
                ..
            } => {
                let (from, target) = match &self.trunk {
                    // Towards the carrier: the caller's direct number, the E.164 target.
                    Some(t) => {
                        let number = t
                            .block
                            .caller_id(&from.number)
                            .or_else(|| t.config.main_number.clone())
                            .unwrap_or(from.number.clone());
                        let caller = Party { number, ..from };
                        (
                            from_value(&caller, &self.domain),
                            format!("sip:{target}@{}", self.domain),
                        )
                    }
                    None => (from_value(&from, &self.domain), target),
                };
                let call = self.ua.call_as(now, &from, &target, &sdp);
                self.to_ref.insert(call, sip);
                self.from_ref.insert(sip, call);
                Ok(())
            }
            SipCommand::Answer { sip, sdp } => match self.from_ref.get(&sip) {
                Some(&call) => self.ua.answer(now, call, &sdp),
                None => Ok(()),
            },
            SipCommand::Reject { sip, code } => match self.from_ref.remove(&sip) {
                Some(call) => self.ua.reject(now, call, code),
                None => Ok(()),
            },
            SipCommand::Hangup { sip } => match self.from_ref.remove(&sip) {
                Some(call) => self.ua.hang_up(now, call),
                None => Ok(()),
            },
        };
        if let Err(e) = result {
            tracing::debug!(error = %e, "call control's user agent refused a command");
        }
    }

    /// Names an incoming call with call control's name for it.
    pub fn adopt(&mut self, call: CallRef, sip: SipRef) {
        self.to_ref.insert(call, sip);
        self.from_ref.insert(sip, call);
    }

    /// Rings back (180) for an incoming call call control took.
    pub fn ring(&mut self, now: i64, call: CallRef) {
        let _ = self.ua.ring(now, call);
    }

    /// Answers the far side's new offer (see [`Heard::Offered`]).
    pub fn answer_offer(&mut self, now: i64, sip: SipRef, sdp: &str) {
        if let Some(&call) = self.from_ref.get(&sip) {
            let _ = self.ua.answer(now, call, sdp);
        }
    }

    /// Refuses the far side's new offer; the call goes on as it was.
    pub fn refuse_offer(&mut self, now: i64, sip: SipRef, code: u16) {
        if let Some(&call) = self.from_ref.get(&sip) {
            let _ = self.ua.reject(now, call, code);
        }
    }

    /// Refuses an incoming call call control did not take.
    pub fn refuse(&mut self, now: i64, call: CallRef, code: u16) {
        let _ = self.ua.reject(now, call, code);
    }

    /// Sends what the user agent wrote; returns what it heard.
    pub fn flush(&mut self, now: i64) -> Vec<Heard> {
        let mut heard = Vec::new();
        loop {
            while let Some(t) = self.ua.poll_transmit() {
                let _ = self.socket.try_send_to(&t.data, t.to);
            }
            let Some(event) = self.ua.poll_event() else {
                break;
            };
            let named = |call: &CallRef| self.to_ref.get(call).copied();
            match event {
                PhoneEvent::Incoming {
                    call,
                    from,
                    to,
                    uri,
                    sdp,
                } => {
                    // The switch marks a phone's call it wants relayed (telephony::relay).
                    let relay = uri
                        .split(';')
                        .skip(1)
                        .any(|p| p == telephony::relay::RELAY_PARAM);
                    heard.push(Heard::Incoming {
                        call,
                        from,
                        to,
                        relay,
                        sdp,
                    })
                }
                PhoneEvent::Ringing { call } => heard.extend(named(&call).map(Heard::Ringing)),
                PhoneEvent::Answered { call, sdp } => {
                    heard.extend(named(&call).map(|s| Heard::Answered(s, sdp.unwrap_or_default())))
                }
                PhoneEvent::Failed { call, code } => {
                    heard.extend(named(&call).map(|s| Heard::Failed(s, code)));
                    self.forget(call);
                }
                PhoneEvent::Ended { call, .. } => {
                    heard.extend(named(&call).map(Heard::Ended));
                    self.forget(call);
                }
                PhoneEvent::Offered { call, sdp } => match (named(&call), sdp) {
                    // Call control decides (a fax's switch to T.38).
                    (Some(sip), Some(sdp)) => heard.push(Heard::Offered(sip, sdp)),
                    // A re-INVITE without an offer, or for no call of ours: the call goes
                    // on as it is.
                    _ => {
                        let _ = self.ua.reject(now, call, 488);
                    }
                },
                PhoneEvent::Registered { expires } => self.registered(now, expires),
                PhoneEvent::RegistrationFailed { code } => self.registration_failed(now, code),
                PhoneEvent::Confirmed { .. }
                | PhoneEvent::Accepted { .. }
                | PhoneEvent::Refused { .. } => {}
            }
        }
        heard
    }

    fn registered(&mut self, now: i64, expires: u32) {
        let Some(t) = self.trunk.as_mut() else { return };
        // Again at half the granted time (at least a minute apart).
        t.register_at = Some(now + (i64::from(expires) * 500).max(60_000));
        let state = TrunkState {
            name: t.config.name.clone(),
            mode: "register",
            demo: t.config.demo,
            state: "registered",
            detail: None,
            since_ms: now,
        };
        if t.board.set(t.index, state) {
            tracing::info!(trunk = %t.config.name, expires, "trunk registered");
        }
    }

    fn registration_failed(&mut self, now: i64, code: u16) {
        let Some(t) = self.trunk.as_mut() else { return };
        t.register_at = Some(now + RETRY_MS);
        let detail = Some(if code == 408 {
            "keine Antwort des Anbieters (408)".to_string()
        } else {
            format!("vom Anbieter abgelehnt ({code})")
        });
        let state = TrunkState {
            name: t.config.name.clone(),
            mode: "register",
            demo: t.config.demo,
            state: "failed",
            detail,
            since_ms: now,
        };
        // Logged once per change, not per retry.
        if t.board.set(t.index, state) {
            tracing::warn!(trunk = %t.config.name, code, "the trunk is down: registration failed");
        }
    }

    fn forget(&mut self, call: CallRef) {
        if let Some(sip) = self.to_ref.remove(&call) {
            self.from_ref.remove(&sip);
        }
    }
}

/// `"Carl Clerk" <sip:2501@domain>` (quotes and backslashes in the name escaped).
fn from_value(p: &Party, domain: &str) -> String {
    let user: String = p
        .number
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '*' | '#' | '.' | '-' | '_'))
        .collect();
    match &p.name {
        Some(name) => {
            let name: String = name
                .chars()
                .filter(|c| !c.is_control())
                .collect::<String>()
                .replace('\\', "\\\\")
                .replace('"', "\\\"");
            format!("\"{name}\" <sip:{user}@{domain}>")
        }
        None => format!("<sip:{user}@{domain}>"),
    }
}

/// The display name and user of a From value.
pub fn caller_of(from: &str) -> (Option<String>, String) {
    let (display, rest) = match from.find('<') {
        Some(i) => (
            from[..i].trim().trim_matches('"').to_string(),
            &from[i + 1..],
        ),
        None => (String::new(), from),
    };
    let uri = rest.split(['>', ';']).next().unwrap_or("");
    let user = uri
        .trim_start_matches("sips:")
        .trim_start_matches("sip:")
        .split('@')
        .next()
        .unwrap_or("")
        .to_string();
    ((!display.is_empty()).then_some(display), user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_values_are_written_and_read() {
        let p = Party::person(1, "Carl \"CC\" Clerk", "2501", "c.clerk", "Bauamt");
        let v = from_value(&p, "pbx.example");
        assert_eq!(v, "\"Carl \\\"CC\\\" Clerk\" <sip:2501@pbx.example>");
        assert_eq!(
            caller_of("\"Dora Neu\" <sip:2502@pbx.example>;tag=ab"),
            (Some("Dora Neu".into()), "2502".into())
        );
        assert_eq!(
            caller_of("<sip:+4993219281@trunk>;tag=1"),
            (None, "+4993219281".into())
        );
        assert_eq!(caller_of("sip:2599-1@x"), (None, "2599-1".into()));
    }
}
