//! A fax over audio: G.711 pass-through, the call's 8 kHz samples in and out.

use crate::session::Checked;
use crate::spandsp::Audio;
use crate::{Direction, FaxError, Outcome};

/// A fax over audio (G.711 pass-through), 8 kHz linear samples: SpanDSP's modems
/// (V.21 for the T.30 dialogue, V.27ter/V.29/V.17 for the pages) and T.30 engine.
///
/// The shell decodes what the line brings and passes it to [`hear`](Self::hear), and asks
/// [`speak`](Self::speak) for as many samples to send (the same 20 ms, say, every packet
/// time); time passes with the samples heard. The call is over when
/// [`outcome`](Self::outcome) is `Some`; then the received TIFF is complete.
///
/// ```no_run
/// use fax::{AudioFax, Direction};
///
/// let mut fax = AudioFax::new(Direction::Receive { tiff: "/tmp/in.tiff".into() }, false, "+49 30 1234")?;
/// let mut out = [0i16; 160];
/// while fax.outcome().is_none() {
///     let heard = [0i16; 160]; // from the RTP leg, decoded
///     fax.hear(&heard);
///     fax.speak(&mut out); // to the RTP leg, encoded
/// #   break;
/// }
/// # Ok::<(), fax::FaxError>(())
/// ```
pub struct AudioFax {
    inner: Audio,
}

impl AudioFax {
    /// A session that sends or receives `direction`'s TIFF. `calling`: we placed the call
    /// (the sender of a fax usually calls). `ident`: our station id (TSI when sending, CSI
    /// when receiving; at most 20 characters, digits, `+` and space).
    pub fn new(direction: Direction, calling: bool, ident: &str) -> Result<AudioFax, FaxError> {
        let checked = Checked::new(&direction, calling, ident)?;
        Ok(AudioFax {
            inner: Audio::new(&checked.setup())?,
        })
    }

    /// What the line brought (`fax_rx`); also moves the session's clock on.
    pub fn hear(&mut self, samples: &[i16]) {
        self.inner.hear(samples);
    }

    /// What to send (`fax_tx`); always fills `out`, with silence when there is nothing to
    /// send.
    pub fn speak(&mut self, out: &mut [i16]) {
        self.inner.speak(out);
    }

    /// Pages sent (confirmed by the far end) or received so far.
    pub fn pages(&self) -> u32 {
        self.inner.pages()
    }

    /// How the fax ended, once T.30's phase E is reached.
    pub fn outcome(&self) -> Option<&Outcome> {
        self.inner.outcome()
    }

    /// The call ended (a BYE, a hang-up) before T.30 did: ends the session now, so that
    /// [`outcome`](Self::outcome) tells why (`T30_ERR_CALLDROPPED` unless it was as good
    /// as done). Nothing happens once the outcome is known.
    pub fn hang_up(&mut self) {
        self.inner.hang_up();
    }
}
