//! What one phone of the hotline load hears, pure: the packets the server makes itself
//! (prompts and music on hold, RTP by the server's own sequence numbers) counted for loss
//! by sequence gaps (RFC 3550 §A.3: expected = highest − first + 1), the start of each
//! prompt the load knows (the welcome, "Sie sind an Position …") by its first 20 ms
//! frame, and whether it broke into the music on hold or followed another prompt (the
//! switchboard queues a prompt behind one that plays), and the packets of the far phone
//! once the server has bridged the call (they carry [`MAGIC`], the far phone's stream id
//! and its send time), counted the same way.
//!
//! And the packets the load's phones send: PCMA, 50 a second, with that marker.

/// Marks the load's own packets (first payload bytes): the far phone's voice.
pub const MAGIC: [u8; 4] = *b"DWHL";
/// One 20 ms frame of 8 kHz G.711.
pub const FRAME: usize = 160;
/// RTP payload type of PCMA (RFC 3551 §6).
const PCMA: u8 = 8;
/// A jump of more sequence numbers than this (same SSRC) starts a new run: the server
/// switched what it sends; counting the jump as loss would be wrong.
const JUMP: u64 = 3_000;

/// A prompt the load recognises by its first frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// The welcome (built-in "welcome").
    Welcome,
    /// "Sie sind an Position …" (built-in "position_before").
    Position,
}

/// The frames the receiver compares payloads with.
#[derive(Debug, Clone)]
pub struct Known {
    /// The welcome's first frames (a caller whose first packets were lost still knows
    /// when the welcome began, and how many it missed).
    pub welcome: Vec<[u8; FRAME]>,
    /// The position announcement's first frame.
    pub position: [u8; FRAME],
    /// Every frame of the music on hold.
    pub music: std::collections::HashSet<[u8; FRAME]>,
}

/// A prompt heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heard1 {
    /// Which.
    pub prompt: Prompt,
    /// Arrival of its first frame (µs since the epoch).
    pub at_us: i64,
    /// When it followed another prompt rather than the music: the arrival of that
    /// prompt's last frame (µs).
    pub after_us: Option<i64>,
}

/// Loss by sequence numbers of one kind of packet, over runs (a new SSRC or a large jump
/// starts a run; each run counts from its first to its highest packet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeqCount {
    ssrc: Option<u32>,
    first: u64,
    highest: Option<u64>,
    /// Bit i: highest − i arrived (duplicates).
    seen: u64,
    /// Expected packets of the runs before this one.
    expected_before: u64,
    /// Unique packets received.
    pub received: u64,
    /// Second copies (within 64 packets).
    pub duplicates: u64,
    /// Runs after the first.
    pub new_runs: u64,
}

impl SeqCount {
    /// Counts a packet.
    pub fn on_packet(&mut self, ssrc: u32, seq: u16) {
        let new_ssrc = self.ssrc.is_some_and(|s| s != ssrc);
        self.ssrc = Some(ssrc);
        let ext = match self.highest {
            Some(h) if !new_ssrc => {
                h.saturating_add_signed(i64::from(seq.wrapping_sub(h as u16) as i16))
            }
            _ => u64::from(seq) + (1 << 16),
        };
        let jump = self.highest.is_some_and(|h| ext > h + JUMP);
        if new_ssrc || jump || self.highest.is_none() {
            if let Some(h) = self.highest {
                self.expected_before += h + 1 - self.first;
                self.new_runs += 1;
            }
            self.first = ext;
            self.highest = Some(ext);
            self.seen = 1;
            self.received += 1;
            return;
        }
        let h = self.highest.unwrap_or(ext);
        if ext <= h {
            let behind = h - ext;
            if behind < 64 && self.seen & (1 << behind) != 0 {
                self.duplicates += 1;
                return;
            }
            if behind < 64 {
                self.seen |= 1 << behind;
            }
            // Older than the run's first: the run starts earlier.
            self.first = self.first.min(ext);
        } else {
            let ahead = ext - h;
            self.seen = if ahead >= 64 {
                1
            } else {
                (self.seen << ahead) | 1
            };
            self.highest = Some(ext);
        }
        self.received += 1;
    }

    /// Packets the sequence numbers say were sent.
    pub fn expected(&self) -> u64 {
        self.expected_before + self.highest.map_or(0, |h| h + 1 - self.first)
    }

    /// Packets missing (never negative: duplicates beyond the window may add).
    pub fn lost(&self) -> u64 {
        self.expected().saturating_sub(self.received)
    }
}

/// Everything one phone received.
#[derive(Debug, Clone, Default)]
pub struct Heard {
    /// The server's own packets (prompts, music).
    pub server: SeqCount,
    /// The far phone's packets (bridged calls).
    pub talk: SeqCount,
    /// Transit of the far phone's packets (µs, send to arrival on the wall clock).
    pub talk_transit_us: Vec<u32>,
    /// First and last arrival of a server packet (µs since the Unix epoch).
    pub server_span_us: Option<(i64, i64)>,
    /// First arrival of a far phone's packet (µs): when the bridge carried voice.
    pub talk_from_us: Option<i64>,
    /// Prompts recognised.
    pub prompts: Vec<Heard1>,
    /// The last server packet: its arrival (µs) and whether it was music on hold.
    last: Option<(i64, bool)>,

    /// Datagrams that are not PCMA RTP.
    pub foreign: u64,
    /// Packets missing before the first that arrived (it was the welcome's frame k > 0).
    pub leading_lost: u64,
}

impl Heard {
    /// Feeds a datagram that arrived at `now_us` (µs since the Unix epoch).
    pub fn on_datagram(&mut self, known: &Known, datagram: &[u8], now_us: i64) {
        let Some((ssrc, seq, payload)) = parse(datagram) else {
            self.foreign += 1;
            return;
        };
        if payload.len() >= 16 && payload[..4] == MAGIC {
            self.talk.on_packet(ssrc, seq);
            let mut sent = [0u8; 8];
            sent.copy_from_slice(&payload[8..16]);
            let transit = now_us - i64::from_be_bytes(sent);
            self.talk_transit_us
                .push(u32::try_from(transit.max(0)).unwrap_or(u32::MAX));
            self.talk_from_us.get_or_insert(now_us);
            return;
        }
        let first = self.server_span_us.is_none();
        self.server.on_packet(ssrc, seq);
        let span = self.server_span_us.get_or_insert((now_us, now_us));
        span.1 = now_us;
        let mut at_us = now_us;
        let prompt = match payload {
            p if p == known.position => Some(Prompt::Position),
            p if p == known.welcome[0] => Some(Prompt::Welcome),
            // The welcome's first frames did not arrive: it began k frames earlier.
            p if first => match known.welcome.iter().position(|w| p == w) {
                Some(k) => {
                    self.leading_lost = k as u64;
                    at_us -= 20_000 * k as i64;
                    Some(Prompt::Welcome)
                }
                None => None,
            },
            _ => None,
        };
        if let Some(prompt) = prompt {
            let after_us = match self.last {
                Some((at, false)) => Some(at),
                _ => None,
            };
            self.prompts.push(Heard1 {
                prompt,
                at_us,
                after_us,
            });
        }
        let music = prompt.is_none()
            && <&[u8; FRAME]>::try_from(payload).is_ok_and(|f| known.music.contains(f));
        self.last = Some((now_us, music));
    }
}

/// SSRC, sequence number and payload of a PCMA packet (CSRCs and a header extension
/// skipped, RFC 3550 §5.1 and §5.3.1); `None` for anything else.
pub(crate) fn parse(d: &[u8]) -> Option<(u32, u16, &[u8])> {
    if d.len() < 12 || d[0] >> 6 != 2 || d[1] & 0x7f != PCMA {
        return None;
    }
    let mut at = 12 + 4 * usize::from(d[0] & 0x0f);
    if d[0] & 0x10 != 0 {
        let words = d.get(at + 2..at + 4)?;
        at += 4 + 4 * usize::from(u16::from_be_bytes([words[0], words[1]]));
    }
    let ssrc = u32::from_be_bytes([d[8], d[9], d[10], d[11]]);
    Some((ssrc, u16::from_be_bytes([d[2], d[3]]), d.get(at..)?))
}

/// A packet of the load's phones: 12-byte header and 160 bytes of PCMA, the first
/// 16 of which are [`MAGIC`], the stream id and the send time (µs since the epoch).
pub struct Packet([u8; 12 + FRAME]);

impl Default for Packet {
    fn default() -> Self {
        let mut b = [0xD5; 12 + FRAME]; // A-law silence
        b[0] = 0x80;
        b[1] = PCMA;
        b[12..16].copy_from_slice(&MAGIC);
        Packet(b)
    }
}

impl Packet {
    /// Writes the per-packet fields and returns the datagram.
    pub fn fill(&mut self, id: u32, seq: u16, ssrc: u32, now_us: i64) -> &[u8] {
        let b = &mut self.0;
        b[2..4].copy_from_slice(&seq.to_be_bytes());
        let timestamp = u32::from(seq).wrapping_mul(FRAME as u32);
        b[4..8].copy_from_slice(&timestamp.to_be_bytes());
        b[8..12].copy_from_slice(&ssrc.to_be_bytes());
        b[16..20].copy_from_slice(&id.to_be_bytes());
        b[20..28].copy_from_slice(&now_us.to_be_bytes());
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_packet(seq: u16, ssrc: u32, payload: &[u8]) -> Vec<u8> {
        let mut d = vec![0x80, PCMA];
        d.extend_from_slice(&seq.to_be_bytes());
        d.extend_from_slice(&[0; 4]);
        d.extend_from_slice(&ssrc.to_be_bytes());
        d.extend_from_slice(payload);
        d
    }

    #[test]
    fn losses_duplicates_wraps_and_new_runs() {
        let mut c = SeqCount::default();
        for seq in [65534u16, 65535, 1, 0, 1, 3] {
            c.on_packet(7, seq);
        }
        // 65534..=3 expected (6), 2 missing, one duplicate of 1.
        assert_eq!(
            (c.expected(), c.received, c.duplicates, c.lost()),
            (6, 5, 1, 1)
        );
        // Another SSRC: a new run, nothing lost between.
        for seq in 100..110u16 {
            c.on_packet(8, seq);
        }
        assert_eq!((c.expected(), c.lost(), c.new_runs), (16, 1, 1));
        // A big jump within the SSRC: a new run too.
        c.on_packet(8, 20_000);
        c.on_packet(8, 20_002);
        assert_eq!((c.expected(), c.lost(), c.new_runs), (19, 2, 2));
    }

    #[test]
    fn prompts_talk_and_foreign_packets() {
        let known = Known {
            welcome: vec![[1; FRAME], [7; FRAME]],
            position: [2; FRAME],
            music: [[4; FRAME]].into_iter().collect(),
        };
        let mut h = Heard::default();
        h.on_datagram(&known, &server_packet(1, 9, &[1; FRAME]), 1_000);
        h.on_datagram(&known, &server_packet(2, 9, &[3; FRAME]), 21_000);
        // The position follows the welcome's (lost) last frame; later one breaks into music.
        h.on_datagram(&known, &server_packet(4, 9, &[2; FRAME]), 61_000);
        h.on_datagram(&known, b"garbage", 61_000);
        h.on_datagram(&known, &server_packet(5, 9, &[4; FRAME]), 81_000);
        h.on_datagram(&known, &server_packet(6, 9, &[2; FRAME]), 101_000);
        let heard = |prompt, at_us, after_us| Heard1 {
            prompt,
            at_us,
            after_us,
        };
        assert_eq!(
            h.prompts,
            [
                heard(Prompt::Welcome, 1_000, None),
                heard(Prompt::Position, 61_000, Some(21_000)),
                heard(Prompt::Position, 101_000, None),
            ]
        );
        assert_eq!((h.server.expected(), h.server.lost(), h.foreign), (6, 1, 1));
        assert_eq!(h.server_span_us, Some((1_000, 101_000)));
        // The far phone's packet, 700 µs on its way.
        let mut p = Packet::default();
        let d = p.fill(42, 5, 77, 100_000).to_vec();
        assert_eq!(d.len(), 172);
        h.on_datagram(&known, &d, 100_700);
        assert_eq!((h.talk.received, h.talk_transit_us.clone()), (1, vec![700]));
        assert_eq!(h.talk_from_us, Some(100_700));
        assert_eq!(h.server.received, 5, "not counted as the server's");
        // Another caller's first packet is the welcome's second frame.
        let mut h = Heard::default();
        h.on_datagram(&known, &server_packet(2, 9, &[7; FRAME]), 41_000);
        assert_eq!((h.prompts[0].at_us, h.leading_lost), (21_000, 1));
    }
}
