//! RTP packets of the load (RFC 3550 §5.1): a 12-byte header and 160 bytes of G.711 —
//! 20 ms at 8 kHz. The first 8 payload bytes carry the send time (ns since the load
//! process's epoch), so the receiver measures each packet's transit through the relay.

/// Header plus one 20 ms G.711 frame.
pub const PACKET_LEN: usize = 12 + PAYLOAD_LEN;
/// 20 ms of G.711 at 8,000 samples per second, one byte each.
pub const PAYLOAD_LEN: usize = 160;
/// RTP timestamp step per packet.
pub const TIMESTAMP_STEP: u32 = 160;
/// G.711 A-law (RFC 3551 §6, table 4).
pub const PAYLOAD_TYPE_PCMA: u8 = 8;
/// A-law silence; the bytes after the send time.
const PCMA_SILENCE: u8 = 0xD5;

/// A packet buffer that is filled once and then only updated in place per send.
pub struct PacketBuf([u8; PACKET_LEN]);

impl Default for PacketBuf {
    fn default() -> Self {
        let mut b = [PCMA_SILENCE; PACKET_LEN];
        b[0] = 0x80; // version 2, no padding, no extension, no CSRCs
        b[1] = PAYLOAD_TYPE_PCMA; // marker clear
        PacketBuf(b)
    }
}

impl PacketBuf {
    /// Writes the per-packet fields and returns the datagram.
    pub fn fill(&mut self, seq: u16, timestamp: u32, ssrc: u32, sent_ns: u64) -> &[u8] {
        let b = &mut self.0;
        b[2..4].copy_from_slice(&seq.to_be_bytes());
        b[4..8].copy_from_slice(&timestamp.to_be_bytes());
        b[8..12].copy_from_slice(&ssrc.to_be_bytes());
        b[12..20].copy_from_slice(&sent_ns.to_be_bytes());
        &self.0
    }
}

/// What the receiver needs from a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    /// Sequence number.
    pub seq: u16,
    /// RTP timestamp.
    pub timestamp: u32,
    /// Synchronisation source.
    pub ssrc: u32,
    /// The sender's clock when it sent the packet.
    pub sent_ns: u64,
}

/// Reads a packet of the load; `None` for anything else (too short, not RTP version 2,
/// not PCMA). CSRCs and a header extension (RFC 3550 §5.3.1) are skipped: a relay may
/// pass on those of a browser's packets (str0m writes RFC 8285 extensions).
pub fn parse(datagram: &[u8]) -> Option<Received> {
    if datagram.len() < 12 || datagram[0] >> 6 != 2 || datagram[1] & 0x7f != PAYLOAD_TYPE_PCMA {
        return None;
    }
    let mut payload = 12 + 4 * usize::from(datagram[0] & 0x0f);
    if datagram[0] & 0x10 != 0 {
        let words = datagram.get(payload + 2..payload + 4)?;
        payload += 4 + 4 * usize::from(u16::from_be_bytes([words[0], words[1]]));
    }
    let sent_at = datagram.get(payload..payload + 8)?;
    let u32_at = |i: usize| {
        u32::from_be_bytes([
            datagram[i],
            datagram[i + 1],
            datagram[i + 2],
            datagram[i + 3],
        ])
    };
    let mut sent = [0; 8];
    sent.copy_from_slice(sent_at);
    Some(Received {
        seq: u16::from_be_bytes([datagram[2], datagram[3]]),
        timestamp: u32_at(4),
        ssrc: u32_at(8),
        sent_ns: u64::from_be_bytes(sent),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_read_back() {
        let mut buf = PacketBuf::default();
        let d = buf.fill(65535, 0xdead_beef, 42, 1_234_567_890_123).to_vec();
        assert_eq!(d.len(), 172);
        assert_eq!(&d[..2], &[0x80, 8]);
        assert_eq!(
            parse(&d),
            Some(Received {
                seq: 65535,
                timestamp: 0xdead_beef,
                ssrc: 42,
                sent_ns: 1_234_567_890_123
            })
        );
        assert_eq!(d[171], 0xD5);
        assert_eq!(parse(&d[..19]), None);
        let mut other = d.clone();
        other[1] = 0; // PCMU
        assert_eq!(parse(&other), None);
        other[1] = 0x88; // marker set: still ours
        assert!(parse(&other).is_some());
        // A one-byte-header extension (RFC 8285) of one word, as str0m writes: skipped.
        let mut extended = d[..12].to_vec();
        extended[0] |= 0x10;
        extended.extend_from_slice(&[0xbe, 0xde, 0, 1, 0x10, 0xff, 0, 0]);
        extended.extend_from_slice(&d[12..]);
        assert_eq!(parse(&extended), parse(&d));
        assert_eq!(parse(&extended[..27]), None);
    }
}
