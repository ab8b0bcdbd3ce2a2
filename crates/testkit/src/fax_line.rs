//! A fax machine on a line, for tests: SpanDSP's modem (the `fax` crate, the same one
//! the server uses, but a separate instance: the far end) speaking G.711 A-law over RTP
//! from a UDP socket of its own, in real time, 20 ms per packet.

use fax::{AudioFax, Outcome};
use media::codec::{alaw_to_linear, linear_to_alaw};
use media::terminal::Timeline;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// A fax machine's RTP.
pub struct FaxLine {
    socket: UdpSocket,
    /// RTP packets heard (G.711 A-law) and others dropped, for messages.
    heard: std::cell::Cell<(usize, usize)>,
}

impl FaxLine {
    /// A line on a free loopback port.
    pub fn bind() -> std::io::Result<FaxLine> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_read_timeout(Some(Duration::from_millis(2)))?;
        Ok(FaxLine {
            socket,
            heard: Default::default(),
        })
    }

    /// Where the machine receives its RTP (for its SDP).
    pub fn local_addr(&self) -> SocketAddr {
        self.socket.local_addr().expect("bound")
    }

    /// How many A-law RTP packets it heard, and how many other datagrams it dropped.
    pub fn heard(&self) -> (usize, usize) {
        self.heard.get()
    }

    /// Runs `fax` towards `remote` until it finished or `limit` passed: its outcome
    /// (`None`: it did not finish in time).
    pub fn run(&self, remote: SocketAddr, fax: &mut AudioFax, limit: Duration) -> Option<Outcome> {
        let started = Instant::now();
        let mut next = started;
        let (mut sequence, mut timestamp) = (1u16, 160u32);
        let mut timeline = Timeline::default();
        let mut pcm = [0i16; 160];
        let mut buf = [0u8; 2048];
        while started.elapsed() < limit {
            if let Some(o) = fax.outcome() {
                return Some(o.clone());
            }
            let now = Instant::now();
            while next <= now {
                fax.speak(&mut pcm);
                let mut packet = Vec::with_capacity(172);
                packet.extend_from_slice(&[0x80, 8]);
                packet.extend_from_slice(&sequence.to_be_bytes());
                packet.extend_from_slice(&timestamp.to_be_bytes());
                packet.extend_from_slice(&0xfa_c5_u32.to_be_bytes());
                packet.extend(pcm.iter().map(|&s| linear_to_alaw(s)));
                let _ = self.socket.send_to(&packet, remote);
                sequence = sequence.wrapping_add(1);
                timestamp = timestamp.wrapping_add(160);
                next += Duration::from_millis(20);
            }
            // What the far end sent, until the next frame is due.
            while Instant::now() < next {
                let Ok(n) = self.socket.recv(&mut buf) else {
                    continue;
                };
                let p = &buf[..n];
                let (heard, dropped) = self.heard.get();
                if n < 12 || p[0] >> 6 != 2 || p[1] & 0x7f != 8 {
                    self.heard.set((heard, dropped + 1));
                    continue;
                }
                self.heard.set((heard + 1, dropped));
                let at = u32::from_be_bytes([p[4], p[5], p[6], p[7]]);
                let payload = &p[12..];
                let Some(mut gap) = timeline.gap_before(at, payload.len()) else {
                    continue;
                };
                let silence = [0i16; 160];
                while gap > 0 {
                    let k = gap.min(160);
                    fax.hear(&silence[..k]);
                    gap -= k;
                }
                let heard: Vec<i16> = payload.iter().map(|&b| alaw_to_linear(b)).collect();
                fax.hear(&heard);
            }
        }
        fax.outcome().cloned()
    }
}

/// A PDF of `pages` pages, each with a line of text naming it, made by Ghostscript from
/// PostScript (as an office's PDF would be, with text and not only an image).
pub fn pdf_of_pages(pages: u32) -> Vec<u8> {
    use std::io::Write;
    let mut ps = String::from("%!PS\n/Helvetica findfont 28 scalefont setfont\n");
    for page in 1..=pages {
        ps.push_str(&format!(
            "72 720 moveto (Durchwahl Testfax, Seite {page}) show\n\
             72 680 moveto (Landratsamt Musterstadt) show showpage\n"
        ));
    }
    let mut gs = std::process::Command::new("gs")
        .args([
            "-q",
            "-dSAFER",
            "-dBATCH",
            "-dNOPAUSE",
            "-sDEVICE=pdfwrite",
            "-sPAPERSIZE=a4",
            "-sOutputFile=-",
            "-",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("Ghostscript (gs) is installed by scripts/test");
    gs.stdin
        .take()
        .expect("piped")
        .write_all(ps.as_bytes())
        .expect("gs reads PostScript");
    let out = gs.wait_with_output().expect("gs ran");
    assert!(out.status.success(), "gs made no PDF");
    out.stdout
}

/// A T.38 fax machine (a fax gateway's side of a call switched to T.38): SpanDSP's T.38
/// terminal, its IFP packets in UDPTL datagrams with redundancy, on a UDP socket of its
/// own, its clock moved on in 20 ms steps of real time.
pub struct T38Line {
    socket: UdpSocket,
}

impl T38Line {
    /// A line on a free loopback port.
    pub fn bind() -> std::io::Result<T38Line> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_read_timeout(Some(Duration::from_millis(2)))?;
        Ok(T38Line { socket })
    }

    /// Where the machine receives its datagrams (for its SDP).
    pub fn local_addr(&self) -> SocketAddr {
        self.socket.local_addr().expect("bound")
    }

    /// The offer a gateway makes when it switches a call to T.38 (a re-INVITE's):
    /// version 0, 14,400 bit/s, TCF transferred, UDPTL with redundancy. `version` is the
    /// session's `o=` version (higher than the call's first offer).
    pub fn offer(&self, version: u64) -> String {
        let at = self.local_addr();
        format!(
            "v=0\r\no=- 7474 {version} IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
             m=image {port} udptl t38\r\na=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\n\
             a=T38FaxRateManagement:transferredTCF\r\na=T38FaxMaxBuffer:2000\r\n\
             a=T38FaxMaxDatagram:400\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n",
            ip = at.ip(),
            port = at.port()
        )
    }

    /// Runs `fax` towards `remote` until it finished or `limit` passed: its outcome.
    pub fn run(
        &self,
        remote: SocketAddr,
        fax: &mut fax::T38Fax,
        limit: Duration,
    ) -> Option<Outcome> {
        let mut udptl = fax::udptl::Udptl::new(3);
        let started = Instant::now();
        let mut next = started;
        let mut buf = [0u8; 2048];
        while started.elapsed() < limit {
            if let Some(o) = fax.outcome() {
                return Some(o.clone());
            }
            while next <= Instant::now() {
                fax.advance(160);
                next += Duration::from_millis(20);
            }
            while let Some(ifp) = fax.poll_ifp() {
                let _ = self.socket.send_to(&udptl.encode(&ifp), remote);
            }
            if let Ok(n) = self.socket.recv(&mut buf) {
                if let Ok(packets) = udptl.decode(&buf[..n]) {
                    for (seq, ifp) in packets {
                        fax.handle_ifp(seq, &ifp);
                    }
                }
            }
        }
        fax.outcome().cloned()
    }
}

/// The far address of an `m=image` answer (its `c=` address and port).
pub fn image_address(sdp: &str) -> Option<SocketAddr> {
    let ip = sdp
        .lines()
        .find_map(|l| l.trim().strip_prefix("c=IN IP4 "))?
        .trim();
    let port = sdp
        .lines()
        .find_map(|l| l.trim().strip_prefix("m=image "))?
        .split_whitespace()
        .next()?;
    format!("{ip}:{port}").parse().ok()
}
