//! Call control's SIP user agent (`sip_ua`, sans-IO) on a UDP socket of its own on
//! loopback, talking to the switch: it places browsers' calls to people with desk phones
//! (the switch forks, forwards, applies do-not-disturb), and the switch rings people's
//! browsers through it. The switch trusts this one address (`[sip]`'s b2bua), so no
//! digest is needed; the person's session was checked on the WebSocket.

use calls::{Party, SipCommand, SipRef};
use sip_ua::{Account, CallRef, PhoneEvent, SipPhone};
use std::collections::HashMap;
use std::net::SocketAddr;
use tokio::net::UdpSocket;

/// What the user agent heard, named by call control's [`SipRef`]s.
#[derive(Debug)]
pub enum Heard {
    /// A call from the switch for the person of extension `to`.
    Incoming {
        /// The user agent's handle (not yet known to call control).
        call: CallRef,
        /// The From value.
        from: String,
        /// The called extension.
        to: String,
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
}

/// The user agent with its socket and the names of its calls.
pub struct SipSide {
    ua: SipPhone,
    socket: UdpSocket,
    domain: String,
    to_ref: HashMap<CallRef, SipRef>,
    from_ref: HashMap<SipRef, CallRef>,
}

impl SipSide {
    /// The user agent on `socket`, sending to the switch at `switch`.
    pub fn new(
        socket: UdpSocket,
        switch: SocketAddr,
        domain: &str,
        seed: u64,
    ) -> std::io::Result<SipSide> {
        let local = socket.local_addr()?;
        let account = Account::new("durchwahl", "", domain);
        Ok(SipSide {
            ua: SipPhone::new(account, local, switch, seed),
            socket,
            domain: domain.to_string(),
            to_ref: HashMap::new(),
            from_ref: HashMap::new(),
        })
    }

    /// Receives one datagram (and then all that wait).
    pub async fn receive(&mut self, now: i64, buf: &mut [u8]) {
        if let Ok((n, from)) = self.socket.recv_from(buf).await {
            self.ua
                .handle_datagram(now, from, bytes::Bytes::copy_from_slice(&buf[..n]));
            while let Ok((n, from)) = self.socket.try_recv_from(buf) {
                self.ua
                    .handle_datagram(now, from, bytes::Bytes::copy_from_slice(&buf[..n]));
            }
        }
    }

    /// When the user agent needs the time next (Unix ms).
    pub fn poll_timeout(&self) -> Option<i64> {
        self.ua.poll_timeout()
    }

    /// Fires what is due.
    pub fn handle_timeout(&mut self, now: i64) {
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
            } => {
                let call = self
                    .ua
                    .call_as(now, &from_value(&from, &self.domain), &target, &sdp);
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

    /// Refuses an incoming call call control did not take.
    pub fn refuse(&mut self, now: i64, call: CallRef, code: u16) {
        let _ = self.ua.reject(now, call, code);
    }

    /// Sends what the user agent wrote; returns what it heard.
    pub fn flush(&mut self) -> Vec<Heard> {
        while let Some(t) = self.ua.poll_transmit() {
            let _ = self.socket.try_send_to(&t.data, t.to);
        }
        let mut heard = Vec::new();
        while let Some(event) = self.ua.poll_event() {
            let named = |call: &CallRef| self.to_ref.get(call).copied();
            match event {
                PhoneEvent::Incoming {
                    call,
                    from,
                    to,
                    sdp,
                } => heard.push(Heard::Incoming {
                    call,
                    from,
                    to,
                    sdp,
                }),
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
                PhoneEvent::Offered { call, .. } => {
                    // A phone's re-INVITE (hold): not supported yet; the call goes on.
                    let _ = self.ua.reject(0, call, 488);
                }
                _ => {}
            }
        }
        while let Some(t) = self.ua.poll_transmit() {
            let _ = self.socket.try_send_to(&t.data, t.to);
        }
        heard
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
