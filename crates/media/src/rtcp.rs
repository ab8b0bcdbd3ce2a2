//! The RTCP the relay sends on an RTP leg (RFC 3550 §6): a compound packet of a sender
//! report for the stream it sends and an SDES with its CNAME, every few seconds. RTCP
//! from the phone is taken (latched) but not relayed: its SSRCs name the other leg's
//! stream before our rewriting.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How often a sender report goes out (RFC 3550 §6.2: 5 s minimum).
pub const INTERVAL: Duration = Duration::from_secs(5);

/// What a sender report tells about the stream sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    /// Packets sent.
    pub packets: u32,
    /// Payload bytes sent.
    pub octets: u32,
    /// The RTP timestamp of the last packet.
    pub timestamp: u32,
}

/// A compound SR + SDES(CNAME) packet for `ssrc`; `wall` is the wall-clock time.
pub fn sender_report(ssrc: u32, sent: Sent, wall: SystemTime, cname: &str) -> Vec<u8> {
    let since = wall.duration_since(UNIX_EPOCH).unwrap_or_default();
    // NTP time: seconds since 1900, and the fraction.
    let seconds = (since.as_secs() + 2_208_988_800) as u32;
    let fraction = ((u64::from(since.subsec_nanos()) << 32) / 1_000_000_000) as u32;
    let mut p = Vec::with_capacity(28 + 12 + cname.len());
    p.extend_from_slice(&[0x80, 200, 0, 6]);
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(&seconds.to_be_bytes());
    p.extend_from_slice(&fraction.to_be_bytes());
    p.extend_from_slice(&sent.timestamp.to_be_bytes());
    p.extend_from_slice(&sent.packets.to_be_bytes());
    p.extend_from_slice(&sent.octets.to_be_bytes());
    let cname = &cname.as_bytes()[..cname.len().min(255)];
    // SDES: one chunk (SSRC, CNAME item, end), padded to 32 bits.
    let chunk = 4 + 2 + cname.len() + 1;
    let words = chunk.div_ceil(4);
    p.extend_from_slice(&[0x81, 202]);
    p.extend_from_slice(&(words as u16).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(&[1, cname.len() as u8]);
    p.extend_from_slice(cname);
    p.resize(28 + 4 + words * 4, 0);
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtp::is_rtcp;

    #[test]
    fn the_report_is_a_well_formed_compound_packet() {
        let sent = Sent {
            packets: 50,
            octets: 8000,
            timestamp: 1234,
        };
        let p = sender_report(
            0xabcd,
            sent,
            UNIX_EPOCH + Duration::from_secs(1),
            "durchwahl",
        );
        assert!(is_rtcp(&p));
        assert_eq!(p.len() % 4, 0);
        // The SR's length field: 6 words after the first.
        assert_eq!(u16::from_be_bytes([p[2], p[3]]), 6);
        assert_eq!(
            u32::from_be_bytes([p[8], p[9], p[10], p[11]]),
            2_208_988_801
        );
        assert_eq!(u32::from_be_bytes([p[20], p[21], p[22], p[23]]), 50);
        // The SDES follows at 28 and fills the rest.
        assert_eq!(p[29], 202);
        let words = usize::from(u16::from_be_bytes([p[30], p[31]]));
        assert_eq!(28 + 4 + words * 4, p.len());
        assert_eq!(&p[38..38 + 9], b"durchwahl");
    }
}
