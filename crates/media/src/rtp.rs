//! The RTP fixed header (RFC 3550 §5.1) read without copying, rewritten in place, and
//! told apart from RTCP on a shared port (RFC 5761 §4).

/// Why bytes are not an RTP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RtpError {
    /// Shorter than its header says.
    #[error("too short for an RTP packet: {0} bytes")]
    Short(usize),
    /// Not version 2.
    #[error("RTP version {0}, not 2")]
    Version(u8),
}

/// The fields of an RTP header the relay reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader {
    /// The marker bit.
    pub marker: bool,
    /// The payload type, 0–127.
    pub payload_type: u8,
    /// The sequence number.
    pub sequence: u16,
    /// The timestamp.
    pub timestamp: u32,
    /// The synchronisation source.
    pub ssrc: u32,
    /// Where the payload starts (after CSRCs and the header extension).
    pub payload_offset: usize,
    /// Where the payload ends (before padding).
    pub payload_end: usize,
}

impl RtpHeader {
    /// Reads the header of `packet`.
    pub fn parse(packet: &[u8]) -> Result<RtpHeader, RtpError> {
        if packet.len() < 12 {
            return Err(RtpError::Short(packet.len()));
        }
        let version = packet[0] >> 6;
        if version != 2 {
            return Err(RtpError::Version(version));
        }
        let csrcs = usize::from(packet[0] & 0x0f);
        let mut offset = 12 + 4 * csrcs;
        if packet[0] & 0x10 != 0 {
            let at = offset;
            if packet.len() < at + 4 {
                return Err(RtpError::Short(packet.len()));
            }
            let words = usize::from(u16::from_be_bytes([packet[at + 2], packet[at + 3]]));
            offset = at + 4 + 4 * words;
        }
        let mut end = packet.len();
        if packet[0] & 0x20 != 0 {
            let padding = usize::from(packet[end - 1]);
            end = end.saturating_sub(padding);
        }
        if offset > end {
            return Err(RtpError::Short(packet.len()));
        }
        Ok(RtpHeader {
            marker: packet[1] & 0x80 != 0,
            payload_type: packet[1] & 0x7f,
            sequence: u16::from_be_bytes([packet[2], packet[3]]),
            timestamp: u32::from_be_bytes([packet[4], packet[5], packet[6], packet[7]]),
            ssrc: u32::from_be_bytes([packet[8], packet[9], packet[10], packet[11]]),
            payload_offset: offset,
            payload_end: end,
        })
    }
}

/// What goes out in a rewritten header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rewritten {
    /// The marker bit.
    pub marker: bool,
    /// The payload type of the receiving leg.
    pub payload_type: u8,
    /// The continuous sequence number of the receiving leg.
    pub sequence: u16,
    /// The continuous timestamp of the receiving leg.
    pub timestamp: u32,
    /// The receiving leg's own SSRC.
    pub ssrc: u32,
}

/// Writes `fields` into the header of `packet` (which [`RtpHeader::parse`] accepted).
pub fn rewrite(packet: &mut [u8], fields: Rewritten) {
    packet[1] = (u8::from(fields.marker) << 7) | (fields.payload_type & 0x7f);
    packet[2..4].copy_from_slice(&fields.sequence.to_be_bytes());
    packet[4..8].copy_from_slice(&fields.timestamp.to_be_bytes());
    packet[8..12].copy_from_slice(&fields.ssrc.to_be_bytes());
}

/// Writes a whole packet with a plain 12-byte header.
pub fn packet(fields: Rewritten, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(12 + payload.len());
    out.extend_from_slice(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(payload);
    rewrite(&mut out, fields);
    out
}

/// Whether a datagram on a port that carries both is RTCP (RFC 5761 §4: packet types
/// 192–223 in the second byte) rather than RTP.
pub fn is_rtcp(packet: &[u8]) -> bool {
    packet.len() >= 8 && packet[0] >> 6 == 2 && (192..=223).contains(&packet[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_packet_reads_back() {
        let fields = Rewritten {
            marker: true,
            payload_type: 8,
            sequence: 65_535,
            timestamp: 4_000_000_000,
            ssrc: 0xdead_beef,
        };
        let bytes = packet(fields, &[1, 2, 3]);
        let header = RtpHeader::parse(&bytes).unwrap();
        assert_eq!(
            (
                header.marker,
                header.payload_type,
                header.sequence,
                header.timestamp,
                header.ssrc
            ),
            (true, 8, 65_535, 4_000_000_000, 0xdead_beef)
        );
        assert_eq!(
            &bytes[header.payload_offset..header.payload_end],
            &[1, 2, 3]
        );
    }

    #[test]
    fn csrcs_extension_and_padding_are_skipped() {
        let mut bytes = vec![0xb1, 8, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
        bytes.extend_from_slice(&[9, 9, 9, 9]); // one CSRC
        bytes.extend_from_slice(&[0xbe, 0xde, 0, 1, 7, 7, 7, 7]); // extension, one word
        bytes.extend_from_slice(&[5, 6, 0, 2]); // payload 5 6, two bytes of padding
        let header = RtpHeader::parse(&bytes).unwrap();
        assert_eq!(&bytes[header.payload_offset..header.payload_end], &[5, 6]);
    }

    #[test]
    fn garbage_is_refused_not_panicked_on() {
        assert_eq!(RtpHeader::parse(&[0x80; 5]), Err(RtpError::Short(5)));
        assert_eq!(RtpHeader::parse(&[0x40; 12]), Err(RtpError::Version(1)));
        assert_eq!(RtpHeader::parse(&[0x9f; 12]), Err(RtpError::Short(12)));
        assert!(RtpHeader::parse(&[0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 200]).is_err());
    }

    #[test]
    fn rtcp_is_told_from_rtp() {
        assert!(is_rtcp(&[0x80, 200, 0, 6, 0, 0, 0, 1]));
        assert!(!is_rtcp(&[0x80, 8, 0, 6, 0, 0, 0, 1]));
        assert!(!is_rtcp(&[0x80, 0x88, 0, 6, 0, 0, 0, 1]));
    }
}
