//! UDPTL, the framing of T.38 IFP packets in UDP datagrams (ITU-T T.38 §9.1, as carried
//! in SIP/SDP per RFC 3362), sans-IO: bytes in, bytes out, no sockets.
//!
//! A datagram is the ASN.1 `UDPTLPacket` in aligned PER (T.38 Annex A):
//!
//! ```text
//! seq-number          2 octets, big-endian
//! primary-ifp-packet  open type: length determinant, then the IFP octets
//! error-recovery      1 octet: 0x00 secondary-ifp-packets, 0x80 fec-info
//!   secondary:        count (length determinant), then that many open types,
//!                     newest first (seq-1, seq-2, ...)
//!   fec:              fec-npackets (length 1, value), count, then the FEC octet strings
//! ```
//!
//! We send redundancy ("secondary IFP packets", T.38 §9.1.1): each datagram carries the
//! last `redundancy` packets again, so a lost datagram is recovered from the next ones.
//! We read both kinds; of an FEC datagram only the primary is used (FEC recovery is rare
//! in practice and not needed by SpanDSP, which copes with a missing packet).
//!
//! ```
//! use fax::udptl::Udptl;
//!
//! let (mut a, mut b) = (Udptl::new(2), Udptl::new(2));
//! let first = a.encode(b"\x00");
//! let _lost = a.encode(b"\x01");
//! let third = a.encode(b"\x02");
//! assert_eq!(b.decode(&first).unwrap(), [(0, b"\x00".to_vec())]);
//! // The second datagram was lost: the third carries it.
//! assert_eq!(b.decode(&third).unwrap(), [(1, b"\x01".to_vec()), (2, b"\x02".to_vec())]);
//! // A datagram seen before gives nothing.
//! assert!(b.decode(&third).unwrap().is_empty());
//! ```

use std::collections::VecDeque;

/// PER length determinants of 16384 and more come in fragments of 16K octets (X.691
/// §10.9.3.8).
const FRAGMENT: usize = 16_384;
/// Error-recovery choice octets.
const SECONDARY: u8 = 0x00;
const FEC: u8 = 0x80;

/// A datagram that is not a UDPTL packet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UdptlError {
    /// The datagram ends inside a field.
    #[error("UDPTL datagram ends inside {field} (needs {needed} more octets at octet {at})")]
    Truncated {
        /// The field being read.
        field: &'static str,
        /// Where it starts or continues.
        at: usize,
        /// Octets missing.
        needed: usize,
    },
    /// A field's value is not allowed by T.38's ASN.1.
    #[error("UDPTL {field} is invalid: {why}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        why: &'static str,
    },
}

/// One end of a UDPTL stream: numbers and frames our IFP packets, and unframes the far
/// end's in order.
#[derive(Debug, Clone)]
pub struct Udptl {
    redundancy: usize,
    tx_seq: u16,
    /// Our last packets, newest first, for redundancy.
    sent: VecDeque<Vec<u8>>,
    /// The sequence number of the far end's next packet; None before the first.
    rx_next: Option<u16>,
}

impl Udptl {
    /// A stream end that repeats the last `redundancy` packets in each datagram (2 or 3
    /// is usual; 0 sends none). Our sequence numbers start at 0.
    pub fn new(redundancy: usize) -> Udptl {
        Udptl {
            redundancy,
            tx_seq: 0,
            sent: VecDeque::with_capacity(redundancy.min(16)),
            rx_next: None,
        }
    }

    /// The datagram for the next IFP packet: a new sequence number, the packet, and the
    /// previous `redundancy` packets as secondaries.
    pub fn encode(&mut self, ifp: &[u8]) -> Vec<u8> {
        let secondaries = self.sent.len().min(self.redundancy);
        let mut out = Vec::with_capacity(
            8 + ifp.len()
                + self
                    .sent
                    .iter()
                    .take(secondaries)
                    .map(|p| p.len() + 2)
                    .sum::<usize>(),
        );
        out.extend_from_slice(&self.tx_seq.to_be_bytes());
        put_open_type(&mut out, ifp);
        out.push(SECONDARY);
        put_length(&mut out, secondaries);
        for packet in self.sent.iter().take(secondaries) {
            put_open_type(&mut out, packet);
        }
        if self.redundancy > 0 {
            if self.sent.len() == self.redundancy {
                self.sent.pop_back();
            }
            self.sent.push_front(ifp.to_vec());
        }
        self.tx_seq = self.tx_seq.wrapping_add(1);
        out
    }

    /// The IFP packets of a received datagram that are new to us, with their sequence
    /// numbers, oldest first: earlier packets we missed that its redundancy carries, then
    /// its primary. A datagram older than one already seen (a duplicate or a late one)
    /// gives nothing: T.38 is real time, and SpanDSP drops late packets anyway. So the
    /// numbers returned over the life of a stream only increase (modulo 2^16).
    ///
    /// An invalid datagram is an error and changes nothing.
    pub fn decode(&mut self, datagram: &[u8]) -> Result<Vec<(u16, Vec<u8>)>, UdptlError> {
        let packet = parse(datagram)?;
        let seq = packet.seq;
        // How many packets we miss before this one (the first datagram: all it carries).
        let missing = match self.rx_next {
            None => usize::MAX,
            Some(next) => {
                let ahead = seq.wrapping_sub(next);
                if ahead >= 0x8000 {
                    return Ok(Vec::new());
                }
                usize::from(ahead)
            }
        };
        let recovered = packet.secondaries.len().min(missing);
        let mut out = Vec::with_capacity(recovered + 1);
        // secondaries[i] is seq - 1 - i; oldest first.
        for (i, ifp) in packet
            .secondaries
            .into_iter()
            .enumerate()
            .take(recovered)
            .rev()
        {
            out.push((seq.wrapping_sub(i as u16).wrapping_sub(1), ifp));
        }
        out.push((seq, packet.primary));
        self.rx_next = Some(seq.wrapping_add(1));
        Ok(out)
    }
}

/// A datagram's contents.
struct Packet {
    seq: u16,
    primary: Vec<u8>,
    /// Newest first; empty for an FEC datagram.
    secondaries: Vec<Vec<u8>>,
}

fn parse(datagram: &[u8]) -> Result<Packet, UdptlError> {
    let mut reader = Reader {
        buf: datagram,
        at: 0,
    };
    let seq = u16::from_be_bytes([reader.byte("seq-number")?, reader.byte("seq-number")?]);
    let primary = reader.open_type("primary-ifp-packet")?;
    let mut secondaries = Vec::new();
    match reader.byte("error-recovery")? {
        SECONDARY => {
            let count = reader.count("secondary-ifp-packets")?;
            for _ in 0..count {
                secondaries.push(reader.open_type("secondary-ifp-packet")?);
            }
        }
        FEC => {
            // fec-npackets: an unconstrained INTEGER in one octet, as every sender has it.
            if reader.byte("fec-npackets")? != 1 {
                return Err(UdptlError::Invalid {
                    field: "fec-npackets",
                    why: "length other than 1",
                });
            }
            reader.byte("fec-npackets")?;
            let count = reader.count("fec-data")?;
            for _ in 0..count {
                reader.open_type("fec-data")?;
            }
        }
        _ => {
            return Err(UdptlError::Invalid {
                field: "error-recovery",
                why: "neither secondary-ifp-packets (0x00) nor fec-info (0x80)",
            })
        }
    }
    // Octets after the packet are ignored, as SpanDSP's own UDPTL does.
    Ok(Packet {
        seq,
        primary,
        secondaries,
    })
}

struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, field: &'static str, n: usize) -> Result<&[u8], UdptlError> {
        let rest = &self.buf[self.at..];
        if rest.len() < n {
            return Err(UdptlError::Truncated {
                field,
                at: self.at,
                needed: n - rest.len(),
            });
        }
        self.at += n;
        Ok(&rest[..n])
    }

    fn byte(&mut self, field: &'static str) -> Result<u8, UdptlError> {
        Ok(self.take(field, 1)?[0])
    }

    /// A length determinant (X.691 §10.9.3.6–8): the length, and whether it is a
    /// fragment (then another determinant follows).
    fn length(&mut self, field: &'static str) -> Result<(usize, bool), UdptlError> {
        let first = self.byte(field)?;
        match first & 0xC0 {
            0x00 | 0x40 => Ok((usize::from(first), false)),
            0x80 => {
                let second = self.byte(field)?;
                Ok((
                    (usize::from(first & 0x3F) << 8) | usize::from(second),
                    false,
                ))
            }
            _ => match first & 0x3F {
                m @ 1..=4 => Ok((usize::from(m) * FRAGMENT, true)),
                _ => Err(UdptlError::Invalid {
                    field,
                    why: "fragment of other than 1 to 4 times 16K",
                }),
            },
        }
    }

    /// A count (of a SEQUENCE OF); never fragmented in a datagram of at most 64K octets.
    fn count(&mut self, field: &'static str) -> Result<usize, UdptlError> {
        match self.length(field)? {
            (n, false) => Ok(n),
            (_, true) => Err(UdptlError::Invalid {
                field,
                why: "count of 16K or more",
            }),
        }
    }

    /// An open type: its octets, reassembled from fragments.
    fn open_type(&mut self, field: &'static str) -> Result<Vec<u8>, UdptlError> {
        let mut out = Vec::new();
        loop {
            let (n, more) = self.length(field)?;
            out.extend_from_slice(self.take(field, n)?);
            if !more {
                return Ok(out);
            }
        }
    }
}

/// A length determinant for `n` < 16384.
fn put_length(out: &mut Vec<u8>, n: usize) {
    if n < 0x80 {
        out.push(n as u8);
    } else {
        out.push(0x80 | (n >> 8) as u8);
        out.push(n as u8);
    }
}

/// An open type: fragments of up to 4×16K for long contents, then the final length
/// (possibly 0) and the rest.
fn put_open_type(out: &mut Vec<u8>, contents: &[u8]) {
    let mut rest = contents;
    while rest.len() >= FRAGMENT {
        let m = (rest.len() / FRAGMENT).min(4);
        out.push(0xC0 | m as u8);
        out.extend_from_slice(&rest[..m * FRAGMENT]);
        rest = &rest[m * FRAGMENT..];
    }
    put_length(out, rest.len());
    out.extend_from_slice(rest);
}

#[cfg(test)]
mod tests;
