//! The SIP service's connections (TCP, TLS, WebSocket) by flow, each with an id: a
//! connection's end is reported with its id, so a late report of an old connection does
//! not end a newer one from the same address and port (a reverse proxy reuses ports).
//! Bounded: beyond [`MAX_CONNECTIONS`] new ones are refused.

use bytes::Bytes;
use std::collections::HashMap;
use telephony::Flow;
use tokio::sync::mpsc;

/// Open connections, at most (each holds a task, a queue and a read buffer).
pub const MAX_CONNECTIONS: usize = 20_000;

/// One connection's send queue.
struct Conn {
    id: u64,
    queue: mpsc::Sender<Bytes>,
}

/// What became of a message for a connection.
#[derive(Debug, PartialEq, Eq)]
pub enum Sent {
    /// Queued.
    Queued,
    /// No connection for this flow.
    NoConnection,
    /// The connection is gone or its queue is full (a peer that does not read): the
    /// message is lost and the connection forgotten.
    Dropped,
}

/// The connections by flow.
#[derive(Default)]
pub struct Connections {
    by_flow: HashMap<Flow, Conn>,
    next_id: u64,
}

impl Connections {
    /// Whether another connection may be opened.
    pub fn has_room(&self) -> bool {
        self.by_flow.len() < MAX_CONNECTIONS
    }

    /// Opens a connection for `flow`: `start` gets its id and returns its queue. A
    /// connection already there for the flow is replaced.
    pub fn open(&mut self, flow: Flow, start: impl FnOnce(u64) -> mpsc::Sender<Bytes>) {
        self.next_id += 1;
        let id = self.next_id;
        self.by_flow.insert(
            flow,
            Conn {
                id,
                queue: start(id),
            },
        );
    }

    /// Whether there is a connection for `flow`.
    pub fn contains(&self, flow: &Flow) -> bool {
        self.by_flow.contains_key(flow)
    }

    /// Connection `id` of `flow` ended; `true` when it was the current one.
    pub fn closed(&mut self, flow: Flow, id: u64) -> bool {
        match self.by_flow.get(&flow) {
            Some(conn) if conn.id == id => {
                self.by_flow.remove(&flow);
                true
            }
            _ => false,
        }
    }

    /// Queues `data` for the connection of `flow`.
    pub fn send(&mut self, flow: Flow, data: Bytes) -> Sent {
        let Some(conn) = self.by_flow.get(&flow) else {
            return Sent::NoConnection;
        };
        match conn.queue.try_send(data) {
            Ok(()) => Sent::Queued,
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!("a SIP connection does not read its messages; one was dropped");
                Sent::Dropped
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                self.by_flow.remove(&flow);
                Sent::Dropped
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_end_of_an_old_connection_leaves_the_new_one() {
        let flow = Flow::tcp("192.0.2.7:40000".parse().unwrap());
        let mut conns = Connections::default();
        let (old, _old_rx) = mpsc::channel(1);
        conns.open(flow, |_| old);
        let (new, mut new_rx) = mpsc::channel(1);
        conns.open(flow, |_| new);
        assert!(!conns.closed(flow, 1), "the old one's end");
        assert_eq!(conns.send(flow, Bytes::from_static(b"x")), Sent::Queued);
        assert_eq!(new_rx.try_recv().unwrap(), Bytes::from_static(b"x"));
        // A full queue drops, a closed one is forgotten.
        assert_eq!(conns.send(flow, Bytes::from_static(b"1")), Sent::Queued);
        assert_eq!(conns.send(flow, Bytes::from_static(b"2")), Sent::Dropped);
        drop(new_rx);
        assert_eq!(conns.send(flow, Bytes::from_static(b"3")), Sent::Dropped);
        assert!(!conns.contains(&flow));
        assert!(!conns.closed(flow, 2), "already forgotten");
        assert!(conns.has_room());
    }
}
