//! At most so many open HTTP connections per client address, so that one address cannot
//! take all file descriptors with connections that never send a request. Addresses in
//! the exempt networks (an office behind one NAT address) are not counted.
//!
//! [`OpenCounts`] is the pure count; [`ConnectionCap`] shares it between the accept loop,
//! which admits, and the connections, whose [`Slot`] gives their place back when dropped.
//! [`Counted`] carries the slot inside the stream, so a connection upgraded to a WebSocket
//! keeps its place until the WebSocket closes.

use auth::network::Cidr;
use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Whose connection it is, for counting: an IPv4 address, or the /64 prefix of an IPv6
/// address (a single host usually holds a whole /64 and can pick any address from it,
/// so counting single IPv6 addresses would cap nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Source {
    /// An IPv4 address (also when it came IPv4-mapped over an IPv6 socket).
    V4(Ipv4Addr),
    /// The upper 64 bits of an IPv6 address.
    V6Prefix(u64),
}

impl Source {
    /// The source of a connection from `ip`.
    pub(crate) fn of(ip: IpAddr) -> Source {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Source::V4(v4),
            IpAddr::V6(v6) => Source::V6Prefix((v6.to_bits() >> 64) as u64),
        }
    }
}

/// Open connections per source, against a limit. Sources with none are not kept, so the
/// table never holds more entries than there are open connections.
#[derive(Debug)]
pub(crate) struct OpenCounts {
    limit: usize,
    open: HashMap<Source, usize>,
}

impl OpenCounts {
    /// Counts with at most `limit` open connections per source.
    pub(crate) fn new(limit: usize) -> Self {
        OpenCounts {
            limit,
            open: HashMap::new(),
        }
    }

    /// Counts one more connection from `source`, unless it already has `limit` open.
    pub(crate) fn admit(&mut self, source: Source) -> bool {
        let open = self.open.entry(source).or_insert(0);
        if *open >= self.limit {
            return false;
        }
        *open += 1;
        true
    }

    /// One connection from `source` has closed.
    pub(crate) fn release(&mut self, source: Source) {
        if let Some(open) = self.open.get_mut(&source) {
            *open -= 1;
            if *open == 0 {
                self.open.remove(&source);
            }
        }
    }

    /// Open connections of `source`.
    #[cfg(test)]
    fn open(&self, source: Source) -> usize {
        self.open.get(&source).copied().unwrap_or(0)
    }
}

/// The cap as the accept loop uses it.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionCap {
    /// `None`: no cap.
    counts: Option<Arc<Mutex<OpenCounts>>>,
    exempt: Arc<[Cidr]>,
}

impl ConnectionCap {
    /// At most `limit` connections per source (0: no cap), none counted in `exempt`.
    pub(crate) fn new(limit: usize, exempt: Vec<Cidr>) -> Self {
        ConnectionCap {
            counts: (limit > 0).then(|| Arc::new(Mutex::new(OpenCounts::new(limit)))),
            exempt: exempt.into(),
        }
    }

    /// A place for a new connection from `ip`, or `None` when its source has no room.
    pub(crate) fn admit(&self, ip: IpAddr) -> Option<Slot> {
        let Some(counts) = &self.counts else {
            return Some(Slot { held: None });
        };
        if self.exempt.iter().any(|net| net.contains(ip)) {
            return Some(Slot { held: None });
        }
        let source = Source::of(ip);
        // A panic elsewhere while holding the lock leaves the counts intact (each change
        // is one step), so a poisoned lock is used as it is.
        let admitted = counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .admit(source);
        admitted.then(|| Slot {
            held: Some((counts.clone(), source)),
        })
    }
}

/// One admitted connection's place; dropping it gives the place back.
#[derive(Debug)]
pub(crate) struct Slot {
    /// `None`: not counted (no cap, or an exempt network).
    held: Option<(Arc<Mutex<OpenCounts>>, Source)>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some((counts, source)) = self.held.take() {
            counts
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .release(source);
        }
    }
}

/// A stream that holds its connection's [`Slot`] for as long as it lives.
#[derive(Debug)]
pub(crate) struct Counted<S> {
    stream: S,
    _slot: Slot,
}

impl<S> Counted<S> {
    /// `stream`, holding `slot`.
    pub(crate) fn new(stream: S, slot: Slot) -> Self {
        Counted {
            stream,
            _slot: slot,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn counts_up_to_the_limit_and_frees_on_release() {
        let mut counts = OpenCounts::new(2);
        let a = Source::of(ip("192.0.2.1"));
        let b = Source::of(ip("192.0.2.2"));
        assert!(counts.admit(a) && counts.admit(a));
        assert!(!counts.admit(a), "a third from the same address");
        assert!(counts.admit(b), "another address has its own count");
        counts.release(a);
        assert!(counts.admit(a), "a closed connection frees its place");
        counts.release(a);
        counts.release(a);
        counts.release(b);
        assert_eq!((counts.open(a), counts.open(b)), (0, 0));
        assert!(
            counts.open.is_empty(),
            "sources without connections are forgotten"
        );
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(
            Source::of(ip("2001:db8:1:2::1")),
            Source::of(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            Source::of(ip("2001:db8:1:2::1")),
            Source::of(ip("2001:db8:1:3::1"))
        );
        assert_eq!(
            Source::of(ip("::ffff:192.0.2.7")),
            Source::of(ip("192.0.2.7"))
        );
    }

    #[test]
    fn slots_give_their_place_back_and_exempt_networks_are_not_counted() {
        let office: Cidr = "10.1.0.0/16".parse().unwrap();
        let cap = ConnectionCap::new(1, vec![office]);
        let first = cap.admit(ip("192.0.2.1")).expect("room for one");
        assert!(cap.admit(ip("192.0.2.1")).is_none());
        drop(first);
        assert!(cap.admit(ip("192.0.2.1")).is_some(), "dropped slot frees");

        let nat: Vec<Slot> = (0..50)
            .map(|_| cap.admit(ip("10.1.2.3")).expect("office not capped"))
            .collect();
        assert_eq!(nat.len(), 50);

        let uncapped = ConnectionCap::new(0, Vec::new());
        let many: Vec<Slot> = (0..50)
            .map(|_| uncapped.admit(ip("192.0.2.1")).expect("0 means no cap"))
            .collect();
        assert_eq!(many.len(), 50);
    }
}
