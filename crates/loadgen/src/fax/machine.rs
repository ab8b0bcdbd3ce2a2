//! One fax machine on a line, without sockets: SpanDSP's modem (the `fax` crate, the
//! same one the server runs, as a separate instance: the far end) speaking G.711 A-law in
//! RTP packets of 20 ms. The shell hands it each datagram from the server and asks it for
//! a packet every 20 ms; the machine decodes what it hears (a gap in the RTP timestamps
//! becomes silence of its length, as the server's terminal does, `media::terminal`),
//! feeds SpanDSP, and notes when T.30 came to its end.
//!
//! Its own timestamps move on by exactly 160 per packet (RFC 3550 §5.1: the sampling
//! clock), whenever the packet is sent: a slipped sample breaks V.17 at the far end.

use fax::{AudioFax, Outcome};
use media::codec::{alaw_to_linear, linear_to_alaw};
use media::terminal::{Timeline, FRAME_SAMPLES};

/// RTP payload type of PCMA (RFC 3551 §6).
const PCMA: u8 = 8;
/// RTP header without CSRCs or extension (RFC 3550 §5.1).
const HEADER: usize = 12;

/// What a machine heard and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MachineReport {
    /// Packets it sent.
    pub sent: u64,
    /// A-law RTP packets it heard.
    pub heard: u64,
    /// Datagrams that were not A-law RTP (dropped).
    pub foreign: u64,
    /// Packets dropped as late or repeated (behind the timeline).
    pub late: u64,
    /// Samples of silence put in for packets that never came.
    pub gap_samples: u64,
    /// The first packet from the server arrived (µs since the epoch).
    pub first_heard_us: Option<i64>,
    /// T.30 came to its end (µs since the epoch).
    pub finished_us: Option<i64>,
    /// How it ended (SpanDSP's phase E, or the hang-up's).
    pub outcome: Option<Outcome>,
    /// The call ended before T.30 did (the outcome is the hang-up's).
    pub cut_off: bool,
}

/// A fax machine on an RTP line.
pub struct Machine {
    fax: AudioFax,
    timeline: Timeline,
    seq: u16,
    timestamp: u32,
    ssrc: u32,
    pcm: [i16; FRAME_SAMPLES],
    heard: [i16; FRAME_SAMPLES],
    packet: [u8; HEADER + FRAME_SAMPLES],
    report: MachineReport,
}

impl Machine {
    /// A machine running `fax`, sending as `ssrc` (its first sequence number and
    /// timestamp are drawn from it).
    pub fn new(fax: AudioFax, ssrc: u32) -> Machine {
        Machine {
            fax,
            timeline: Timeline::default(),
            seq: (ssrc >> 16) as u16,
            timestamp: ssrc.rotate_left(11),
            ssrc,
            pcm: [0; FRAME_SAMPLES],
            heard: [0; FRAME_SAMPLES],
            packet: [0; HEADER + FRAME_SAMPLES],
            report: MachineReport::default(),
        }
    }

    /// Feeds a datagram from the server that arrived at `now_us`.
    pub fn on_datagram(&mut self, datagram: &[u8], now_us: i64) {
        let d = datagram;
        if d.len() <= HEADER || d[0] >> 6 != 2 || d[1] & 0x7f != PCMA || d[0] & 0x30 != 0 {
            // Not plain A-law RTP (no padding or extension is expected from the server).
            self.report.foreign += 1;
            return;
        }
        let header = HEADER + 4 * usize::from(d[0] & 0x0f);
        let Some(payload) = d.get(header..).filter(|p| !p.is_empty()) else {
            self.report.foreign += 1;
            return;
        };
        self.report.heard += 1;
        self.report.first_heard_us.get_or_insert(now_us);
        let at = u32::from_be_bytes([d[4], d[5], d[6], d[7]]);
        let Some(mut gap) = self.timeline.gap_before(at, payload.len()) else {
            self.report.late += 1;
            return;
        };
        self.report.gap_samples += gap as u64;
        let silence = [0i16; FRAME_SAMPLES];
        while gap > 0 {
            let k = gap.min(FRAME_SAMPLES);
            self.fax.hear(&silence[..k]);
            gap -= k;
        }
        for chunk in payload.chunks(FRAME_SAMPLES) {
            let heard = &mut self.heard[..chunk.len()];
            for (s, &b) in heard.iter_mut().zip(chunk) {
                *s = alaw_to_linear(b);
            }
            self.fax.hear(heard);
        }
        self.note_outcome(now_us);
    }

    /// The packet to send at `now_us` (one every 20 ms).
    pub fn next_packet(&mut self, now_us: i64) -> &[u8] {
        self.fax.speak(&mut self.pcm);
        let b = &mut self.packet;
        b[0] = 0x80;
        b[1] = PCMA;
        b[2..4].copy_from_slice(&self.seq.to_be_bytes());
        b[4..8].copy_from_slice(&self.timestamp.to_be_bytes());
        b[8..12].copy_from_slice(&self.ssrc.to_be_bytes());
        for (o, &s) in b[HEADER..].iter_mut().zip(&self.pcm) {
            *o = linear_to_alaw(s);
        }
        self.seq = self.seq.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(FRAME_SAMPLES as u32);
        self.report.sent += 1;
        self.note_outcome(now_us);
        &self.packet
    }

    /// When T.30 came to its end, if it has.
    pub fn finished_us(&self) -> Option<i64> {
        self.report.finished_us
    }

    /// The call ended at `now_us`: a fax still under way ends now (its outcome says why).
    pub fn hang_up(&mut self, now_us: i64) {
        if self.report.outcome.is_none() {
            self.fax.hang_up();
            self.report.cut_off = true;
            self.note_outcome(now_us);
        }
    }

    /// What it heard and did.
    pub fn report(&self) -> MachineReport {
        self.report.clone()
    }

    fn note_outcome(&mut self, now_us: i64) {
        if self.report.outcome.is_none() {
            if let Some(o) = self.fax.outcome() {
                self.report.outcome = Some(o.clone());
                self.report.finished_us = Some(now_us);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fax::Direction;
    use std::path::Path;

    /// A sender of a two-page TIFF and a receiver, for the tests (SpanDSP, Ghostscript
    /// and libtiff-tools are installed by `scripts/test`).
    fn pair(dir: &Path) -> (Machine, Machine) {
        let tiff = dir.join("brief.tif");
        let pages = super::super::document::pages_tiff(2, &tiff).expect("a TIFF");
        assert_eq!(pages, 2);
        let sender = AudioFax::new(Direction::Send { tiff }, true, "+49 305 0000007").unwrap();
        let receiver = AudioFax::new(
            Direction::Receive {
                tiff: dir.join("in.tif"),
            },
            false,
            "190000",
        )
        .unwrap();
        (Machine::new(sender, 7), Machine::new(receiver, 8))
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "durchwahl-load-fax-test-{name}-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn two_machines_back_to_back_send_two_pages_and_a_lost_packet_is_silence() {
        let dir = scratch("pair");
        let (mut a, mut b) = pair(&dir);
        let mut lost = 0;
        // Simulated time: 20 ms a step, as fast as SpanDSP goes; at most 90 s of line.
        for step in 0..4_500i64 {
            let now = step * 20_000;
            let from_a = a.next_packet(now).to_vec();
            // One packet lost from the sender early on (in the CNG tone's time, before
            // the pages): the receiver hears 20 ms of silence in its place.
            if step == 5 {
                lost += 1;
            } else {
                b.on_datagram(&from_a, now + 1_000);
            }
            let from_b = b.next_packet(now).to_vec();
            a.on_datagram(&from_b, now + 1_000);
            if a.finished_us().is_some() && b.finished_us().is_some() {
                break;
            }
        }
        let (ra, rb) = (a.report(), b.report());
        let (oa, ob) = (ra.outcome.clone().unwrap(), rb.outcome.clone().unwrap());
        assert!(oa.success && ob.success, "{oa:?} {ob:?}");
        assert_eq!((oa.pages, ob.pages), (2, 2));
        assert_eq!(ob.remote_ident, "+49 305 0000007");
        assert_eq!(rb.gap_samples, 160 * lost);
        assert_eq!((ra.late, ra.foreign, ra.gap_samples), (0, 0, 0));
        assert!(!ra.cut_off);
        // Some 20 s of line for two pages at real time.
        let line_s = ra.finished_us.unwrap() as f64 / 1e6;
        // The receiver is done when the sender's DCN has arrived, the sender only about a
        // second later: so the server (receiving) hangs up on the machines before their
        // T.30 ends, every page confirmed.
        let lead_s = (ra.finished_us.unwrap() - rb.finished_us.unwrap()) as f64 / 1e6;
        assert!((0.1..3.0).contains(&lead_s), "{lead_s} s");
        assert!((10.0..60.0).contains(&line_s), "{line_s} s");
        // Nothing changes after the end, hanging up included.
        a.hang_up(99_000_000);
        assert_eq!(a.report().outcome, Some(oa));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn packets_are_pcma_with_timestamps_exactly_160_apart_and_a_hang_up_ends_the_fax() {
        let dir = scratch("packets");
        let (mut a, _) = pair(&dir);
        let p1 = a.next_packet(0).to_vec();
        let p2 = a.next_packet(25_000).to_vec();
        assert_eq!((p1.len(), p1[0], p1[1]), (172, 0x80, PCMA));
        let seq = |p: &[u8]| u16::from_be_bytes([p[2], p[3]]);
        let ts = |p: &[u8]| u32::from_be_bytes([p[4], p[5], p[6], p[7]]);
        assert_eq!(seq(&p2), seq(&p1).wrapping_add(1));
        assert_eq!(
            ts(&p2),
            ts(&p1).wrapping_add(160),
            "late or not, 160 samples"
        );
        assert_eq!(&p1[8..12], &7u32.to_be_bytes());
        a.on_datagram(b"not rtp at all", 30_000);
        let mut pcmu = p1.clone();
        pcmu[1] = 0;
        a.on_datagram(&pcmu, 30_000);
        assert_eq!(a.report().foreign, 2);
        assert_eq!(a.finished_us(), None);
        a.hang_up(40_000);
        let r = a.report();
        let o = r.outcome.unwrap();
        assert!(r.cut_off && !o.success, "{o:?}");
        assert!(!o.reason.is_empty());
        assert_eq!(r.finished_us, Some(40_000));
        let _ = std::fs::remove_dir_all(dir);
    }
}
