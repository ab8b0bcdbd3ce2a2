//! The switch's way onto the wire, shared by every part: the transaction layer (RFC 3261
//! §17), messages sent outside any transaction, and the random tags and branches of what
//! the switch says itself. Parts get it as an argument for the input they handle; what
//! it queues the shell drains with [`crate::Switch::poll_transmit`].

use crate::flow::{Flow, Transport};
use crate::headers::Local;
use crate::timed::Timed;
use bytes::Bytes;
use sip::transaction::{Event, Key, Timers, Transactions, Transmit};
use sip::Message;
use std::collections::VecDeque;

/// Transactions, stateless sends, tags and branches.
#[derive(Debug)]
pub(crate) struct Wire {
    tx: Transactions<Flow>,
    transmits: VecDeque<Transmit<Flow>>,
    rng: u64,
}

impl Wire {
    /// With the transaction `timers`; `seed` seeds tags and branches.
    pub(crate) fn new(timers: Timers, seed: u64) -> Wire {
        Wire {
            tx: Transactions::new(timers),
            transmits: VecDeque::new(),
            rng: seed,
        }
    }

    /// A request arrived: its server transaction matches or starts.
    pub(crate) fn handle_request(&mut self, now: i64, message: Message, flow: Flow) {
        let reliable = flow.transport.reliable();
        self.tx.handle_request(now, message, flow, reliable);
    }

    /// A response arrived.
    pub(crate) fn handle_response(&mut self, now: i64, message: Message) {
        self.tx.handle_response(now, message);
    }

    /// Fires the transaction timers due at `now`.
    pub(crate) fn handle_timeout(&mut self, now: i64) {
        self.tx.handle_timeout(now);
    }

    /// What the transaction layer produced for the parts.
    pub(crate) fn poll_event(&mut self) -> Option<Event<Flow>> {
        self.tx.poll_event()
    }

    /// The next message to send: stateless ones first, then the transactions'.
    pub(crate) fn poll_transmit(&mut self) -> Option<Transmit<Flow>> {
        self.transmits
            .pop_front()
            .or_else(|| self.tx.poll_transmit())
    }

    /// Answers a server transaction.
    pub(crate) fn reply(&mut self, now: i64, key: &Key, reply: &Message) {
        let _ = self.tx.respond(now, key, reply);
    }

    /// Answers a request the switch refuses or challenges, or an OPTIONS ping.
    /// Statelessly unless it is an INVITE, like the registrars phones know: the server
    /// transaction is dropped, a retransmission is handled as a new request and gets the
    /// same kind of answer, and nothing is held for the 32 s of Timer J. An INVITE's
    /// final answer stays in its transaction, retransmitted until the ACK.
    pub(crate) fn reply_once(&mut self, now: i64, key: &Key, reply: &Message) {
        match self.tx.forget(key) {
            Some(peer) => self.send(peer, reply),
            None => self.reply(now, key, reply),
        }
    }

    /// Answers `request` with a status of our own (see [`Wire::reply_once`]).
    pub(crate) fn reply_status(
        &mut self,
        now: i64,
        key: &Key,
        request: &Message,
        code: u16,
        reason: &str,
    ) {
        let reply = request.response(code, reason, Some(&self.tag()));
        self.reply_once(now, key, &reply);
    }

    /// Drops a server transaction unanswered (a blocked source hears nothing).
    pub(crate) fn abandon(&mut self, key: &Key) {
        self.tx.abandon(key);
    }

    /// Sends a message outside any transaction.
    pub(crate) fn send(&mut self, peer: Flow, message: &Message) {
        self.transmits.push_back(Transmit {
            peer,
            data: message.to_bytes(),
        });
    }

    /// Sends a request in a client transaction of its own; its responses come back as
    /// events under the returned key. Push our Via first ([`Wire::via`]).
    pub(crate) fn send_request(&mut self, now: i64, message: Message, flow: Flow) -> Option<Key> {
        let reliable = flow.transport.reliable();
        self.tx.send_request(now, message, flow, reliable).ok()
    }

    /// Our Via for a request we send over `transport`, with a fresh branch.
    pub(crate) fn via(&mut self, local: &Local, transport: Transport) -> Bytes {
        let branch = self.branch();
        local.via(transport, &branch)
    }

    /// 64 random bits (splitmix64 over the seed).
    fn random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A To tag.
    pub(crate) fn tag(&mut self) -> String {
        sip::digest::hex(&self.random().to_be_bytes())
    }

    /// A branch for a request we send (RFC 3261 §8.1.1.7 magic cookie).
    fn branch(&mut self) -> String {
        let mut branch = String::from("z9hG4bKdw");
        branch.push_str(&sip::digest::hex(&self.random().to_be_bytes()));
        branch
    }
}

impl Timed for Wire {
    /// When a transaction timer fires next.
    fn poll_timeout(&self) -> Option<i64> {
        self.tx.poll_timeout()
    }
}
