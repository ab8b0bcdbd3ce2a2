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
use bytes::Bytes;
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap, VecDeque};

mod key;
pub use key::Key;

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

/// How long an INVITE client transaction waits for a final answer once the callee's
/// phone rings (a provisional came): RFC 3261 §17.1.1.2 stops Timer B there, and a proxy
/// guards the wait with Timer C, "greater than 3 minutes" (§16.6 step 11), restarted by
/// every provisional (§16.7 step 2). The TU cancels earlier when it gives up ringing.
pub const TIMER_C: i64 = 3 * 60_000 + 1_000;

impl Default for Timers {
    fn default() -> Self {
        Timers {
            t1: 500,
            t2: 4_000,
            t4: 5_000,
        }
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

impl ServerState {
    /// When this state has a timer to fire.
    fn deadline(&self) -> Option<i64> {
        match self {
            ServerState::Trying | ServerState::Proceeding => None,
            ServerState::Completed {
                retransmit_at,
                end_at,
                ..
            } => Some(retransmit_at.map_or(*end_at, |r| r.min(*end_at))),
            ServerState::Confirmed { end_at } | ServerState::Accepted { end_at } => Some(*end_at),
        }
    }
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

impl ClientState {
    /// When this state has a timer to fire.
    fn deadline(&self) -> Option<i64> {
        Some(match self {
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
        })
    }
}

#[derive(Debug)]
struct ClientTx<P> {
    state: ClientState,
    reliable: bool,
    peer: P,
    /// The request and its bytes, until a final answer: then nothing is sent again but
    /// the ACK of a failure, and the transaction lingers for Timer D, K or M holding
    /// neither (at thousands of calls a second, 32 s of them were most of the memory).
    request: Option<Message>,
    wire: Bytes,
    ack: Option<Bytes>,
}

/// A transaction's timer in the deadline heap, ordered by time only.
#[derive(Debug)]
struct Due {
    at: i64,
    server: bool,
    key: Key,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at
    }
}
impl Eq for Due {}
impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Due {
    fn cmp(&self, other: &Self) -> Ordering {
        self.at.cmp(&other.at)
    }
}

/// Puts a transaction's new deadline into the heap. The old entry stays and is skipped
/// when it comes due (lazy deletion), so a change costs one push.
fn schedule(
    due: &mut BinaryHeap<Reverse<Due>>,
    server: bool,
    key: &Key,
    before: Option<i64>,
    after: Option<i64>,
) {
    if let Some(at) = after.filter(|at| Some(*at) != before) {
        due.push(Reverse(Due {
            at,
            server,
            key: key.clone(),
        }));
    }
}

/// Gives memory back when a table is mostly empty (a quarter used or less).
fn shrink_if_sparse<T>(map: &mut HashMap<Key, T>) {
    if map.capacity() > 1024 && map.len() < map.capacity() / 4 {
        map.shrink_to(map.len() * 2);
    }
}

/// All transactions of one SIP element.
#[derive(Debug)]
pub struct Transactions<P> {
    timers: Timers,
    server: HashMap<Key, ServerTx<P>>,
    client: HashMap<Key, ClientTx<P>>,
    due: BinaryHeap<Reverse<Due>>,
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
            due: BinaryHeap::new(),
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
            // No readable top Via: nothing to match; the TU handles it statelessly.
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
        let key = if is_ack && key.is_rfc2543() {
            self.rfc2543_ack_key(&message, key)
        } else {
            key
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
                        let before = tx.state.deadline();
                        tx.state = ServerState::Confirmed { end_at };
                        schedule(&mut self.due, true, &key, before, Some(end_at));
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
        let before = tx.state.deadline();
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
        if matches!(tx.state, ServerState::Accepted { .. }) {
            // RFC 6026 §7.1: the TU retransmits its 2xx; the transaction only absorbs
            // the INVITE's retransmissions for Timer L and needs no copy of it.
            tx.last_response = None;
        }
        schedule(&mut self.due, true, key, before, tx.state.deadline());
        Ok(())
    }

    /// Drops a server transaction the TU answered statelessly (a digest challenge):
    /// a retransmission of its request then arrives as a new request and gets a fresh
    /// answer, and nothing is kept for the 32 s of Timer J. Not for INVITE, whose final
    /// answers must be retransmitted until the ACK. Returns the peer to answer, when
    /// the transaction was there and is dropped.
    pub fn forget(&mut self, key: &Key) -> Option<P> {
        if key.method == Method::Invite {
            return None;
        }
        self.server.remove(key).map(|tx| tx.peer)
    }

    /// Drops a server transaction the TU leaves unanswered on purpose (a request from a
    /// blocked source): nothing was sent, nothing is kept.
    pub fn abandon(&mut self, key: &Key) {
        self.server.remove(key);
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
        let key = Key::of(&request).filter(|key| !key.is_rfc2543()).ok_or(
            TransactionError::Unsuitable("no RFC 3261 branch in the top Via"),
        )?;
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
        schedule(&mut self.due, false, &key, None, state.deadline());
        self.client.insert(
            key.clone(),
            ClientTx {
                state,
                reliable,
                peer,
                request: Some(request),
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
        let before = tx.state.deadline();
        let own = key.clone();
        match (&tx.state, code) {
            (
                ClientState::Waiting { timeout_at, .. }
                | ClientState::Proceeding { timeout_at, .. },
                100..=199,
            ) => {
                let retransmit_at = (!invite && !tx.reliable).then_some(now + t.t2);
                // Non-INVITE: Timer F runs on (§17.1.2.2). INVITE: no Timer B once it
                // rings, Timer C instead (see TIMER_C).
                let timeout_at = if invite { now + TIMER_C } else { *timeout_at };
                tx.state = ClientState::Proceeding {
                    retransmit_at,
                    timeout_at,
                };
                self.events.push_back(Event::Response { key, message });
            }
            (ClientState::Waiting { .. } | ClientState::Proceeding { .. }, 200..=299) if invite => {
                tx.state = ClientState::Accepted {
                    end_at: now + 64 * t.t1,
                };
                (tx.request, tx.wire) = (None, Bytes::new());
                self.events.push_back(Event::Response { key, message });
            }
            (ClientState::Waiting { .. } | ClientState::Proceeding { .. }, _) => {
                if let Some(request) = tx.request.as_ref().filter(|_| invite) {
                    // §17.1.1.3: the transaction itself acknowledges non-2xx finals.
                    let ack = ack_for(request, &message).to_bytes();
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
                (tx.request, tx.wire) = (None, Bytes::new());
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
        schedule(&mut self.due, false, &own, before, tx.state.deadline());
    }

    /// Fires every timer whose deadline is at or before `now`. Only the transactions
    /// that are due are visited (a deadline heap), however many are alive.
    pub fn handle_timeout(&mut self, now: i64) {
        while self.due.peek().is_some_and(|d| d.0.at <= now) {
            let Some(Reverse(due)) = self.due.pop() else {
                break;
            };
            if due.server {
                self.fire_server(now, due);
            } else {
                self.fire_client(now, due);
            }
        }
        // After a storm the tables would keep their peak size for good.
        shrink_if_sparse(&mut self.server);
        shrink_if_sparse(&mut self.client);
        if self.due.capacity() > 1024 && self.due.len() < self.due.capacity() / 4 {
            self.due.shrink_to(self.due.len() * 2);
        }
    }

    fn fire_server(&mut self, now: i64, due: Due) {
        let t = self.timers;
        let Some(tx) = self.server.get_mut(&due.key) else {
            return;
        };
        if tx.state.deadline() != Some(due.at) {
            return; // the transaction moved on since this deadline was set
        }
        let key = due.key;
        let mut ended = false;
        match &mut tx.state {
            ServerState::Completed {
                retransmit_at,
                interval,
                end_at,
            } => {
                if *end_at <= now {
                    ended = true;
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
                ended = true;
            }
            _ => {}
        }
        if ended {
            self.server.remove(&key);
        } else {
            let next = tx.state.deadline();
            schedule(&mut self.due, true, &key, Some(due.at), next);
        }
    }

    fn fire_client(&mut self, now: i64, due: Due) {
        let t = self.timers;
        let Some(tx) = self.client.get_mut(&due.key) else {
            return;
        };
        if tx.state.deadline() != Some(due.at) {
            return;
        }
        let key = due.key;
        let invite = key.method == Method::Invite;
        let mut ended = false;
        match &mut tx.state {
            ClientState::Waiting { timeout_at, .. }
            | ClientState::Proceeding { timeout_at, .. }
                if *timeout_at <= now =>
            {
                // Timer B / F.
                self.events.push_back(Event::Timeout { key: key.clone() });
                ended = true;
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
                ended = true;
            }
            _ => {}
        }
        if ended {
            self.client.remove(&key);
        } else {
            let next = tx.state.deadline();
            schedule(&mut self.due, false, &key, Some(due.at), next);
        }
    }

    /// The earliest deadline of any transaction (possibly one that has moved on since:
    /// then [`Transactions::handle_timeout`] finds nothing to do and it is gone).
    pub fn poll_timeout(&self) -> Option<i64> {
        self.due.peek().map(|d| d.0.at)
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
    if let Some(top) = request.first_value(&HeaderName::Via) {
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
mod tests;
