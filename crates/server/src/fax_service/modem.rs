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

/// A fax modem on a leg.
pub(crate) struct Modem {
    line: Line,
    done: Option<oneshot::Sender<ModemResult>>,
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
                line,
                done: Some(tx),
            },
            rx,
        )
    }

    fn pages(&self) -> u32 {
        match &self.line {
            Line::Audio(f) => f.pages(),
            Line::T38 { fax, .. } => fax.pages(),
        }
    }

    fn outcome(&self) -> Option<&fax::Outcome> {
        match &self.line {
            Line::Audio(f) => f.outcome(),
            Line::T38 { fax, .. } => fax.outcome(),
        }
    }
}

impl std::fmt::Debug for Modem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Modem")
            .field("t38", &matches!(self.line, Line::T38 { .. }))
            .field("pages", &self.pages())
            .field("finished", &self.outcome().is_some())
            .finish()
    }
}

impl media::terminal::Terminal for Modem {
    fn hear(&mut self, samples: &[i16]) {
        if let Line::Audio(f) = &mut self.line {
            f.hear(samples);
        }
    }

    fn speak(&mut self, out: &mut [i16]) {
        match &mut self.line {
            Line::Audio(f) => f.speak(out),
            Line::T38 { fax, .. } => {
                out.fill(0);
                fax.advance(out.len());
            }
        }
    }

    fn datagram(&mut self, bytes: &[u8]) {
        let Line::T38 { fax, udptl } = &mut self.line else {
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
        let Line::T38 { fax, udptl } = &mut self.line else {
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
        if let Some(done) = self.done.take() {
            let _ = done.send(ModemResult {
                outcome: self.outcome().cloned(),
                pages: self.pages(),
            });
        }
    }
}
