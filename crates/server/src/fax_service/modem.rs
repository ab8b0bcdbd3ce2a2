//! SpanDSP's fax modem as the media engine's terminal on a call's leg: it hears the
//! line, speaks on it, and when it is dropped (the leg went) it reports how the fax
//! went: its outcome if T.30 came to an end, else the pages it got so far.

use tokio::sync::oneshot;

/// How a fax on a line went.
#[derive(Debug, Clone)]
pub(crate) struct ModemResult {
    /// SpanDSP's outcome, when the fax came to its end (phase E).
    pub outcome: Option<fax::Outcome>,
    /// Pages transferred.
    pub pages: u32,
}

/// A fax modem on a leg.
pub(crate) struct Modem {
    fax: fax::AudioFax,
    done: Option<oneshot::Sender<ModemResult>>,
}

impl Modem {
    /// A modem for `fax`; its result arrives on the returned receiver once it is dropped.
    pub fn new(fax: fax::AudioFax) -> (Modem, oneshot::Receiver<ModemResult>) {
        let (tx, rx) = oneshot::channel();
        (
            Modem {
                fax,
                done: Some(tx),
            },
            rx,
        )
    }
}

impl std::fmt::Debug for Modem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Modem")
            .field("pages", &self.fax.pages())
            .field("finished", &self.fax.outcome().is_some())
            .finish()
    }
}

impl media::terminal::Terminal for Modem {
    fn hear(&mut self, samples: &[i16]) {
        self.fax.hear(samples);
    }

    fn speak(&mut self, out: &mut [i16]) {
        self.fax.speak(out);
    }

    fn finished(&self) -> bool {
        self.fax.outcome().is_some()
    }
}

impl Drop for Modem {
    fn drop(&mut self) {
        if let Some(done) = self.done.take() {
            let _ = done.send(ModemResult {
                outcome: self.fax.outcome().cloned(),
                pages: self.fax.pages(),
            });
        }
    }
}
