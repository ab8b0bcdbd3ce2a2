//! The transaction layer (RFC 3261 §17, with RFC 6026's Accepted state): client and
//! server transactions, INVITE and non-INVITE, retransmissions and timeouts. Sans-IO:
//! feed requests, responses and the clock in; drain [`Transactions::poll_transmit`] and
//! [`Transactions::poll_event`]; call [`Transactions::handle_timeout`] at
//! [`Transactions::poll_timeout`]. Timers A–M are deadlines in milliseconds, never sleeps.
//!
//! `P` is whatever the shell needs to send back to the peer (an address, a connection
//! id); the layer only carries it.

use crate::header_name::HeaderName;
use crate::message::{Message, StartLine};
use crate::method::Method;
use crate::via::Via;
use bytes::Bytes;
use std::collections::{HashMap, VecDeque};

/// RFC 3261 §17.1.1.1 timer values, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// Round-trip estimate (500 ms).
    pub t1: i64,
    /// Longest retransmit interval for non-INVITE requests and INVITE responses (4 s).
    pub t2: i64,
    /// How long a message stays in the network (5 s).
    pub t4: i64,
}

impl Default for Timers {
    fn default() -> Self {
        Timers {
            t1: 500,
            t2: 4_000,
            t4: 5_000,
        }
    }
}

/// Identifies a transaction (RFC 3261 §17.1.3, §17.2.3): the top Via branch and sent-by,
/// and the method, where an ACK belongs to its INVITE.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// The branch (with the `z9hG4bK` cookie).
    pub branch: Bytes,
    /// sent-by of the top Via (host and port as written).
    pub sent_by: Bytes,
    /// INVITE for INVITE and its ACK; the request method otherwise.
    pub method: Method,
}

impl Key {
    /// The key of a request or response from its top Via and its CSeq method. `None` for
    /// messages without an RFC 3261 branch (those are handled statelessly).
    pub fn of(message: &Message) -> Option<Key> {
        let top = message.header_values(&HeaderName::Via).into_iter().next()?;
        let via = Via::parse(&top).ok()?;
        if !via.rfc3261_branch() {
            return None;
        }
        let method = match message.method() {
            Some(m) => m.clone(),
            None => crate::cseq::CSeq::parse(message.header(&HeaderName::CSeq)?)?.method,
        };
        let method = if method == Method::Ack {
            Method::Invite
        } else {
            method
        };
        let mut sent_by = via.host.to_vec();
        if let Some(port) = via.port {
            sent_by.extend_from_slice(format!(":{port}").as_bytes());
        }
        Some(Key {
            branch: via.branch()?.clone(),
            sent_by: Bytes::from(sent_by),
            method,
        })
    }
}

/// Bytes to send to a peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit<P> {
    /// Where.
    pub peer: P,
    /// What.
    pub data: Bytes,
}

/// What the transaction user (proxy, registrar, UA) has to handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<P> {
    /// A new request; answer it with [`Transactions::respond`] (not for ACK).
    Request {
        /// The server transaction.
        key: Key,
        /// The request.
        message: Message,
        /// From whom.
        peer: P,
    },
    /// An ACK that belongs to no server transaction: the ACK of a 2xx, end to end.
    Ack {
        /// The ACK.
        message: Message,
        /// From whom.
        peer: P,
    },
    /// A response of a client transaction (provisional or final; 2xx retransmissions
    /// too, RFC 6026).
    Response {
        /// The client transaction.
        key: Key,
        /// The response.
        message: Message,
    },
    /// A response that matches no client transaction (RFC 3261 §16.7: forward statelessly).
    Stray {
        /// The response.
        message: Message,
    },
    /// A client transaction got no final response in time (Timer B or F), or an INVITE
    /// server transaction got no ACK (Timer H).
    Timeout {
        /// Which.
        key: Key,
    },
}

/// Why a call into the layer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransactionError {
    /// No transaction with that key (gone, or never there).
    #[error("no such transaction")]
    Unknown,
    /// The transaction already sent its final response.
    #[error("the transaction already has a final response")]
    Final,
    /// The message has no RFC 3261 branch, CSeq or is not the right kind.
    #[error("the message cannot start a transaction: {0}")]
    Unsuitable(&'static str),
}

#[derive(Debug)]
enum ServerState {
    /// Request received, nothing sent (non-INVITE "Trying"; INVITE starts in Proceeding).
    Trying,
    /// A provisional response sent.
    Proceeding,
    /// Final response sent; for INVITE, waiting for ACK (Timers G and H); for
    /// non-INVITE, absorbing retransmissions (Timer J).
    Completed {
        retransmit_at: Option<i64>,
        interval: i64,
        end_at: i64,
    },
    /// INVITE: ACK received, absorbing ACK retransmissions (Timer I).
    Confirmed { end_at: i64 },
    /// INVITE: 2xx sent, absorbing INVITE retransmissions (RFC 6026 Timer L).
    Accepted { end_at: i64 },
}

#[derive(Debug)]
struct ServerTx<P> {
    state: ServerState,
    reliable: bool,
    peer: P,
    last_response: Option<Bytes>,
}

#[derive(Debug)]
enum ClientState {
    /// Request sent, nothing heard (Calling / Trying): Timers A/E and B/F.
    Waiting {
        retransmit_at: Option<i64>,
        interval: i64,
        timeout_at: i64,
    },
    /// A provisional response heard: non-INVITE keeps retransmitting at T2 (Timer E).
    Proceeding {
        retransmit_at: Option<i64>,
        timeout_at: i64,
    },
    /// Final non-2xx heard: absorbing retransmissions (Timer D or K).
    Completed { end_at: i64 },
    /// INVITE: 2xx heard, passing 2xx retransmissions up (RFC 6026 Timer M).
    Accepted { end_at: i64 },
}

#[derive(Debug)]
struct ClientTx<P> {
    state: ClientState,
    reliable: bool,
    peer: P,
    request: Message,
    wire: Bytes,
    ack: Option<Bytes>,
}

/// All transactions of one SIP element.
#[derive(Debug)]
pub struct Transactions<P> {
    timers: Timers,
    server: HashMap<Key, ServerTx<P>>,
    client: HashMap<Key, ClientTx<P>>,
    transmits: VecDeque<Transmit<P>>,
    events: VecDeque<Event<P>>,
}

impl<P: Clone> Transactions<P> {
    /// No transactions yet.
    pub fn new(timers: Timers) -> Self {
        Transactions {
            timers,
            server: HashMap::new(),
            client: HashMap::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Number of live server and client transactions.
    pub fn len(&self) -> (usize, usize) {
        (self.server.len(), self.client.len())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.server.is_empty() && self.client.is_empty()
    }

    /// A request arrived from `peer` (over a reliable transport or not).
    pub fn handle_request(&mut self, now: i64, message: Message, peer: P, reliable: bool) {
        let is_ack = message.method() == Some(&Method::Ack);
        let Some(key) = Key::of(&message) else {
            // No RFC 3261 branch: nothing to match; the TU handles it statelessly.
            if is_ack {
                self.events.push_back(Event::Ack { message, peer });
            } else {
                let key = Key {
                    branch: Bytes::new(),
                    sent_by: Bytes::new(),
                    method: Method::Other(Bytes::new()),
                };
                self.events.push_back(Event::Request { key, message, peer });
            }
            return;
        };
        if let Some(tx) = self.server.get_mut(&key) {
            if is_ack {
                // RFC 3261 §17.2.1: the ACK of a non-2xx final response ends the wait.
                match tx.state {
                    ServerState::Completed { .. } => {
                        let end_at = if tx.reliable {
                            now
                        } else {
                            now + self.timers.t4
                        };
                        tx.state = ServerState::Confirmed { end_at };
                    }
                    // RFC 6026: an ACK for a 2xx goes to the TU.
                    ServerState::Accepted { .. } => {
                        self.events.push_back(Event::Ack { message, peer })
                    }
                    _ => {}
                }
                return;
            }
            // A retransmission: answer with the last response, if any (§17.2.1, §17.2.2).
            if let (Some(last), false) = (
                &tx.last_response,
                matches!(tx.state, ServerState::Accepted { .. }),
            ) {
                self.transmits.push_back(Transmit {
                    peer: tx.peer.clone(),
                    data: last.clone(),
                });
            }
            return;
        }
        if is_ack {
            self.events.push_back(Event::Ack { message, peer });
            return;
        }
        let state = if key.method == Method::Invite {
            ServerState::Proceeding
        } else {
            ServerState::Trying
        };
        self.server.insert(
            key.clone(),
            ServerTx {
                state,
                reliable,
                peer: peer.clone(),
                last_response: None,
            },
        );
        self.events.push_back(Event::Request { key, message, peer });
    }

    /// The TU answers the request of server transaction `key`.
    pub fn respond(
        &mut self,
        now: i64,
        key: &Key,
        response: &Message,
    ) -> Result<(), TransactionError> {
        let code = response
            .code()
            .ok_or(TransactionError::Unsuitable("not a response"))?;
        let t = self.timers;
        let tx = self.server.get_mut(key).ok_or(TransactionError::Unknown)?;
        if !matches!(tx.state, ServerState::Trying | ServerState::Proceeding) {
            return Err(TransactionError::Final);
        }
        let data = response.to_bytes();
        self.transmits.push_back(Transmit {
            peer: tx.peer.clone(),
            data: data.clone(),
        });
        tx.last_response = Some(data);
        let invite = key.method == Method::Invite;
        tx.state = match code {
            100..=199 => ServerState::Proceeding,
            200..=299 if invite => ServerState::Accepted {
                end_at: now + 64 * t.t1,
            },
            _ if invite => ServerState::Completed {
                retransmit_at: (!tx.reliable).then_some(now + t.t1),
                interval: t.t1,
                end_at: now + 64 * t.t1,
            },
            _ => ServerState::Completed {
                retransmit_at: None,
                interval: 0,
                end_at: if tx.reliable { now } else { now + 64 * t.t1 },
            },
        };
        Ok(())
    }

    /// The TU sends a request to `peer`; returns its client transaction key. ACKs are not
    /// transactions: send them directly.
    pub fn send_request(
        &mut self,
        now: i64,
        request: Message,
        peer: P,
        reliable: bool,
    ) -> Result<Key, TransactionError> {
        if request.method().is_none() || request.method() == Some(&Method::Ack) {
            return Err(TransactionError::Unsuitable("only requests other than ACK"));
        }
        let key = Key::of(&request).ok_or(TransactionError::Unsuitable(
            "no RFC 3261 branch in the top Via",
        ))?;
        let t = self.timers;
        let wire = request.to_bytes();
        self.transmits.push_back(Transmit {
            peer: peer.clone(),
            data: wire.clone(),
        });
        let state = ClientState::Waiting {
            retransmit_at: (!reliable).then_some(now + t.t1),
            interval: t.t1,
            timeout_at: now + 64 * t.t1,
        };
        self.client.insert(
            key.clone(),
            ClientTx {
                state,
                reliable,
                peer,
                request,
                wire,
                ack: None,
            },
        );
        Ok(key)
    }

    /// A response arrived.
    pub fn handle_response(&mut self, now: i64, message: Message) {
        let Some(code) = message.code() else {
            return;
        };
        let key = Key::of(&message);
        let Some((key, tx)) = key.and_then(|k| self.client.get_mut(&k).map(|tx| (k, tx))) else {
            self.events.push_back(Event::Stray { message });
            return;
        };
        let t = self.timers;
        let invite = key.method == Method::Invite;
        match (&tx.state, code) {
            (
                ClientState::Waiting { timeout_at, .. }
                | ClientState::Proceeding { timeout_at, .. },
                100..=199,
            ) => {
                let retransmit_at = (!invite && !tx.reliable).then_some(now + t.t2);
                tx.state = ClientState::Proceeding {
                    retransmit_at,
                    timeout_at: *timeout_at,
                };
                self.events.push_back(Event::Response { key, message });
            }
            (ClientState::Waiting { .. } | ClientState::Proceeding { .. }, 200..=299) if invite => {
                tx.state = ClientState::Accepted {
                    end_at: now + 64 * t.t1,
                };
                self.events.push_back(Event::Response { key, message });
            }
            (ClientState::Waiting { .. } | ClientState::Proceeding { .. }, _) => {
                if invite {
                    // §17.1.1.3: the transaction itself acknowledges non-2xx finals.
                    let ack = ack_for(&tx.request, &message).to_bytes();
                    self.transmits.push_back(Transmit {
                        peer: tx.peer.clone(),
                        data: ack.clone(),
                    });
                    tx.ack = Some(ack);
                }
                let wait = match (invite, tx.reliable) {
                    (_, true) => 0,
                    (true, false) => 32_000.max(64 * t.t1),
                    (false, false) => t.t4,
                };
                tx.state = ClientState::Completed { end_at: now + wait };
                self.events.push_back(Event::Response { key, message });
            }
            (ClientState::Accepted { .. }, 200..=299) => {
                // RFC 6026 §8.4: 2xx retransmissions go to the TU, which re-sends its ACK.
                self.events.push_back(Event::Response { key, message });
            }
            (ClientState::Completed { .. }, 300..=699) => {
                if let Some(ack) = &tx.ack {
                    self.transmits.push_back(Transmit {
                        peer: tx.peer.clone(),
                        data: ack.clone(),
                    });
                }
            }
            _ => {}
        }
    }

    /// Fires every timer whose deadline is at or before `now`.
    pub fn handle_timeout(&mut self, now: i64) {
        let t = self.timers;
        let mut ended = Vec::new();
        for (key, tx) in &mut self.server {
            match &mut tx.state {
                ServerState::Completed {
                    retransmit_at,
                    interval,
                    end_at,
                } => {
                    if *end_at <= now {
                        ended.push(key.clone());
                        if key.method == Method::Invite {
                            // Timer H: the ACK never came.
                            self.events.push_back(Event::Timeout { key: key.clone() });
                        }
                    } else if retransmit_at.is_some_and(|at| at <= now) {
                        // Timer G: retransmit the final response, doubling up to T2.
                        if let Some(last) = &tx.last_response {
                            self.transmits.push_back(Transmit {
                                peer: tx.peer.clone(),
                                data: last.clone(),
                            });
                        }
                        *interval = (*interval * 2).min(t.t2);
                        *retransmit_at = Some(now + *interval);
                    }
                }
                ServerState::Confirmed { end_at } | ServerState::Accepted { end_at }
                    if *end_at <= now =>
                {
                    ended.push(key.clone());
                }
                _ => {}
            }
        }
        for key in ended.drain(..) {
            self.server.remove(&key);
        }
        for (key, tx) in &mut self.client {
            let invite = key.method == Method::Invite;
            match &mut tx.state {
                ClientState::Waiting { timeout_at, .. }
                | ClientState::Proceeding { timeout_at, .. }
                    if *timeout_at <= now =>
                {
                    // Timer B / F.
                    self.events.push_back(Event::Timeout { key: key.clone() });
                    ended.push(key.clone());
                }
                ClientState::Waiting {
                    retransmit_at: Some(at),
                    interval,
                    ..
                } if *at <= now => {
                    // Timer A (INVITE: doubling without cap) / E (capped at T2).
                    self.transmits.push_back(Transmit {
                        peer: tx.peer.clone(),
                        data: tx.wire.clone(),
                    });
                    *interval = if invite {
                        *interval * 2
                    } else {
                        (*interval * 2).min(t.t2)
                    };
                    *at = now + *interval;
                }
                ClientState::Proceeding {
                    retransmit_at: Some(at),
                    ..
                } if *at <= now => {
                    self.transmits.push_back(Transmit {
                        peer: tx.peer.clone(),
                        data: tx.wire.clone(),
                    });
                    *at = now + t.t2;
                }
                ClientState::Completed { end_at } | ClientState::Accepted { end_at }
                    if *end_at <= now =>
                {
                    ended.push(key.clone());
                }
                _ => {}
            }
        }
        for key in ended {
            self.client.remove(&key);
        }
    }

    /// The earliest deadline of any transaction.
    pub fn poll_timeout(&self) -> Option<i64> {
        let server = self.server.values().filter_map(|tx| match &tx.state {
            ServerState::Completed {
                retransmit_at,
                end_at,
                ..
            } => Some(retransmit_at.map_or(*end_at, |r| r.min(*end_at))),
            ServerState::Confirmed { end_at } | ServerState::Accepted { end_at } => Some(*end_at),
            _ => None,
        });
        let client = self.client.values().map(|tx| match &tx.state {
            ClientState::Waiting {
                retransmit_at,
                timeout_at,
                ..
            }
            | ClientState::Proceeding {
                retransmit_at,
                timeout_at,
            } => retransmit_at.map_or(*timeout_at, |r| r.min(*timeout_at)),
            ClientState::Completed { end_at } | ClientState::Accepted { end_at } => *end_at,
        });
        server.chain(client).min()
    }

    /// The next bytes to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit<P>> {
        self.transmits.pop_front()
    }

    /// The next event for the TU.
    pub fn poll_event(&mut self) -> Option<Event<P>> {
        self.events.pop_front()
    }
}

/// The ACK of a non-2xx final response (RFC 3261 §17.1.1.3): the original Request-URI,
/// its top Via, Call-ID, From and Route; To from the response; CSeq number with ACK.
pub fn ack_for(request: &Message, response: &Message) -> Message {
    let uri = match &request.start {
        StartLine::Request { uri, .. } => uri.clone(),
        StartLine::Response { .. } => Bytes::new(),
    };
    let mut ack = Message {
        start: StartLine::Request {
            method: Method::Ack,
            uri,
        },
        headers: Vec::new(),
        body: Bytes::new(),
    };
    if let Some(top) = request.header_values(&HeaderName::Via).into_iter().next() {
        ack.push(HeaderName::Via, top);
    }
    for name in [HeaderName::MaxForwards, HeaderName::From] {
        if let Some(v) = request.header(&name) {
            ack.push(name, v.clone());
        }
    }
    if let Some(to) = response.header(&HeaderName::To) {
        ack.push(HeaderName::To, to.clone());
    }
    if let Some(v) = request.header(&HeaderName::CallId) {
        ack.push(HeaderName::CallId, v.clone());
    }
    if let Some(cseq) = request
        .header(&HeaderName::CSeq)
        .and_then(crate::cseq::CSeq::parse)
    {
        ack.push(HeaderName::CSeq, Bytes::from(format!("{} ACK", cseq.seq)));
    }
    for route in request.header_lines(&HeaderName::Route) {
        ack.push(HeaderName::Route, route.clone());
    }
    ack
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse_datagram;

    fn invite(branch: &str) -> Message {
        let text = format!(
            "INVITE sip:2401@pbx.example SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch={branch}\r\n\
             Max-Forwards: 70\r\nFrom: <sip:2301@pbx.example>;tag=a\r\nTo: <sip:2401@pbx.example>\r\n\
             Call-ID: c1\r\nCSeq: 7 INVITE\r\nRoute: <sip:proxy.example;lr>\r\nContent-Length: 0\r\n\r\n"
        );
        parse_datagram(Bytes::from(text)).unwrap()
    }

    fn drain<P: Clone>(t: &mut Transactions<P>) -> (Vec<Transmit<P>>, Vec<Event<P>>) {
        let mut sent = Vec::new();
        while let Some(x) = t.poll_transmit() {
            sent.push(x);
        }
        let mut events = Vec::new();
        while let Some(e) = t.poll_event() {
            events.push(e);
        }
        (sent, events)
    }

    #[test]
    fn invite_server_retransmits_a_rejection_until_ack_then_ends() {
        let mut t: Transactions<u8> = Transactions::new(Timers::default());
        let req = invite("z9hG4bKs1");
        t.handle_request(0, req.clone(), 1, false);
        let (_, events) = drain(&mut t);
        let Some(Event::Request { key, .. }) = events.into_iter().next() else {
            panic!()
        };
        t.respond(10, &key, &req.response(486, "Busy Here", Some("x")))
            .unwrap();
        assert_eq!(drain(&mut t).0.len(), 1);
        // Timer G: 500 ms, then 1 s, 2 s, 4 s, 4 s …
        let mut at = Vec::new();
        let mut now = 10;
        while let Some(next) = t.poll_timeout() {
            if next > 10 + 8_000 {
                break;
            }
            now = next;
            t.handle_timeout(now);
            if !drain(&mut t).0.is_empty() {
                at.push(now - 10);
            }
        }
        assert_eq!(at, vec![500, 1_500, 3_500, 7_500]);
        // A retransmitted INVITE gets the response again; the ACK ends the wait.
        t.handle_request(now, req.clone(), 1, false);
        assert_eq!(drain(&mut t).0.len(), 1);
        let ack = ack_for(&req, &req.response(486, "Busy Here", Some("x")));
        t.handle_request(now, ack, 1, false);
        assert!(
            drain(&mut t).1.is_empty(),
            "the ACK of a rejection is absorbed"
        );
        t.handle_timeout(now + 5_000);
        assert!(t.is_empty());
    }

    #[test]
    fn invite_server_without_ack_times_out_with_timer_h() {
        let mut t: Transactions<u8> = Transactions::new(Timers::default());
        let req = invite("z9hG4bKs2");
        t.handle_request(0, req.clone(), 1, true);
        let key = Key::of(&req).unwrap();
        t.respond(0, &key, &req.response(404, "Not Found", Some("x")))
            .unwrap();
        drain(&mut t);
        assert_eq!(
            t.poll_timeout(),
            Some(32_000),
            "reliable: no Timer G, only H"
        );
        t.handle_timeout(32_000);
        assert_eq!(drain(&mut t).1, vec![Event::Timeout { key }]);
        assert!(t.is_empty());
    }

    #[test]
    fn invite_client_retransmits_with_timer_a_and_gives_up_with_b() {
        let mut t: Transactions<u8> = Transactions::new(Timers::default());
        let key = t.send_request(0, invite("z9hG4bKc1"), 2, false).unwrap();
        let mut sends = vec![0];
        drain(&mut t);
        while let Some(next) = t.poll_timeout() {
            t.handle_timeout(next);
            let (sent, events) = drain(&mut t);
            if !sent.is_empty() {
                sends.push(next);
            }
            if !events.is_empty() {
                assert_eq!(events, vec![Event::Timeout { key: key.clone() }]);
                assert_eq!(next, 32_000);
                break;
            }
        }
        assert_eq!(sends, vec![0, 500, 1_500, 3_500, 7_500, 15_500, 31_500]);
    }

    #[test]
    fn invite_client_acknowledges_a_rejection_itself() {
        let mut t: Transactions<u8> = Transactions::new(Timers::default());
        let req = invite("z9hG4bKc2");
        t.send_request(0, req.clone(), 2, false).unwrap();
        drain(&mut t);
        let busy = req.response(486, "Busy Here", Some("callee"));
        t.handle_response(100, busy.clone());
        let (sent, events) = drain(&mut t);
        assert!(matches!(&events[..], [Event::Response { .. }]));
        let ack = parse_datagram(sent[0].data.clone()).unwrap();
        assert_eq!(ack.method(), Some(&Method::Ack));
        assert_eq!(
            ack.header(&HeaderName::CSeq).unwrap(),
            &Bytes::from_static(b"7 ACK")
        );
        assert!(ack
            .header(&HeaderName::To)
            .unwrap()
            .ends_with(b";tag=callee"));
        assert_eq!(ack.header_lines(&HeaderName::Route).count(), 1);
        // A retransmitted 486 is answered with the same ACK and not passed up again.
        t.handle_response(200, busy);
        let (sent, events) = drain(&mut t);
        assert_eq!((sent.len(), events.len()), (1, 0));
    }

    #[test]
    fn non_invite_client_caps_retransmissions_at_t2() {
        let mut t: Transactions<u8> = Transactions::new(Timers::default());
        let text = "OPTIONS sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKo1\r\nFrom: <sip:a@y>;tag=1\r\n\
                    To: <sip:x@y>\r\nCall-ID: o\r\nCSeq: 1 OPTIONS\r\n\r\n";
        t.send_request(
            0,
            parse_datagram(Bytes::from_static(text.as_bytes())).unwrap(),
            2,
            false,
        )
        .unwrap();
        drain(&mut t);
        let mut sends = Vec::new();
        while let Some(next) = t.poll_timeout() {
            if next > 20_000 {
                break;
            }
            t.handle_timeout(next);
            if !drain(&mut t).0.is_empty() {
                sends.push(next);
            }
        }
        assert_eq!(
            sends,
            vec![500, 1_500, 3_500, 7_500, 11_500, 15_500, 19_500]
        );
    }
}
