//! SpanDSP's fax modem as the media engine's terminal on a call's leg: over audio it hears
//! the line and speaks on it; over T.38 (after the far side switched the call) it takes
//! and gives UDPTL datagrams, with the 20 ms ticks as its clock. When it is dropped (the
//! leg went, or T.38 took over from audio) it reports how the fax went: its outcome if
//! T.30 came to an end, else the pages so far.

use fax::udptl::Udptl;
use tokio::sync::oneshot;

/// How a fax on a line went.
#[derive(Debug, Clone)]
pub(crate) struct ModemResult {
    /// SpanDSP's outcome, when the fax came to its end (phase E).
    pub outcome: Option<fax::Outcome>,
    /// Pages transferred.
    pub pages: u32,
}

/// How the modem is on the line.
enum Line {
    /// G.711 pass-through.
    Audio(fax::AudioFax),
    /// T.38: IFP packets in UDPTL datagrams (with redundancy).
    T38 { fax: fax::T38Fax, udptl: Udptl },
}

/// How many earlier packets each UDPTL datagram repeats (T.38 §9.1 redundancy).
const REDUNDANCY: usize = 3;

/// After this many 20 ms ticks without a packet from the far side (1 s), the modem hears
/// silence on every tick: SpanDSP's T.30 timers move only with what it hears, so a far
/// side gone quiet (one-way audio, a held call) still times out. Shorter gaps are lost
/// packets, filled by the engine from the RTP timestamps.
const QUIET_TICKS: u32 = 50;

/// The longest a fax call may last (an hour at 20 ms a tick): then the modem gives up.
const MAX_TICKS: u64 = 3_600 * 50;

/// A fax modem on a leg.
pub(crate) struct Modem {
    /// `None` once dropped (its file closed) before the result is sent.
    line: Option<Line>,
    done: Option<oneshot::Sender<ModemResult>>,
    /// Ticks since the far side was last heard (audio).
    quiet: u32,
    /// Ticks so far.
    ticks: u64,
}

impl Modem {
    /// A modem speaking audio; its result arrives on the receiver once it is dropped.
    pub fn audio(fax: fax::AudioFax) -> (Modem, oneshot::Receiver<ModemResult>) {
        Modem::on(Line::Audio(fax))
    }

    /// A modem speaking T.38.
    pub fn t38(fax: fax::T38Fax) -> (Modem, oneshot::Receiver<ModemResult>) {
        Modem::on(Line::T38 {
            fax,
            udptl: Udptl::new(REDUNDANCY),
        })
    }

    fn on(line: Line) -> (Modem, oneshot::Receiver<ModemResult>) {
        let (tx, rx) = oneshot::channel();
        (
            Modem {
                line: Some(line),
                done: Some(tx),
                quiet: 0,
                ticks: 0,
            },
            rx,
        )
    }

    fn pages(&self) -> u32 {
        match &self.line {
            Some(Line::Audio(f)) => f.pages(),
            Some(Line::T38 { fax, .. }) => fax.pages(),
            None => 0,
        }
    }

    fn outcome(&self) -> Option<&fax::Outcome> {
        match &self.line {
            Some(Line::Audio(f)) => f.outcome(),
            Some(Line::T38 { fax, .. }) => fax.outcome(),
            None => None,
        }
    }

    /// Ends the fax now (SpanDSP decides how it went: the pages so far, complete or not).
    fn hang_up(&mut self) {
        match &mut self.line {
            Some(Line::Audio(f)) => f.hang_up(),
            Some(Line::T38 { fax, .. }) => fax.hang_up(),
            None => {}
        }
    }
}

impl std::fmt::Debug for Modem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Modem")
            .field("t38", &matches!(self.line, Some(Line::T38 { .. })))
            .field("pages", &self.pages())
            .field("finished", &self.outcome().is_some())
            .finish()
    }
}

impl media::terminal::Terminal for Modem {
    fn hear(&mut self, samples: &[i16]) {
        if let Some(Line::Audio(f)) = &mut self.line {
            self.quiet = 0;
            f.hear(samples);
        }
    }

    fn speak(&mut self, out: &mut [i16]) {
        self.ticks += 1;
        if self.ticks == MAX_TICKS && self.outcome().is_none() {
            tracing::warn!("a fax call lasted an hour: its modem gives up");
            self.hang_up();
        }
        match &mut self.line {
            Some(Line::Audio(f)) => {
                self.quiet = self.quiet.saturating_add(1);
                if self.quiet > QUIET_TICKS {
                    f.hear(&[0; media::terminal::FRAME_SAMPLES]);
                }
                f.speak(out);
            }
            Some(Line::T38 { fax, .. }) => {
                out.fill(0);
                fax.advance(out.len());
            }
            None => out.fill(0),
        }
    }

    fn datagram(&mut self, bytes: &[u8]) {
        let Some(Line::T38 { fax, udptl }) = &mut self.line else {
            return;
        };
        match udptl.decode(bytes) {
            Ok(packets) => {
                for (seq, ifp) in packets {
                    fax.handle_ifp(seq, &ifp);
                }
            }
            Err(e) => tracing::debug!(error = %e, "a UDPTL datagram was not understood"),
        }
    }

    fn poll_datagram(&mut self) -> Option<Vec<u8>> {
        let Some(Line::T38 { fax, udptl }) = &mut self.line else {
            return None;
        };
        fax.poll_ifp().map(|ifp| udptl.encode(&ifp))
    }

    fn finished(&self) -> bool {
        self.outcome().is_some()
    }
}

impl Drop for Modem {
    fn drop(&mut self) {
        // The call is gone: SpanDSP says how the fax went (all pages confirmed counts as
        // done), then closes its TIFF (rewriting the pages' directories) before anyone is
        // told to read it.
        if self.outcome().is_none() {
            self.hang_up();
        }
        let result = ModemResult {
            outcome: self.outcome().cloned(),
            pages: self.pages(),
        };
        drop(self.line.take());
        if let Some(done) = self.done.take() {
            let _ = done.send(result);
        }
    }
}
