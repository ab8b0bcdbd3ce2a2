//! A fax over T.38: IFP packets in and out, time passed in explicitly.

use crate::session::Checked;
use crate::spandsp::T38;
use crate::{Direction, FaxError, Outcome};

/// A fax over T.38 (IFP packets; the UDPTL framing around them is [`crate::udptl`]).
///
/// Sans-IO: the shell feeds each received IFP packet with its UDPTL sequence number to
/// [`handle_ifp`](Self::handle_ifp), tells the session how much time passed with
/// [`advance`](Self::advance) (8 kHz sample units, e.g. 160 every 20 ms), and after each
/// input drains [`poll_ifp`](Self::poll_ifp) until `None`, sending each packet in a UDPTL
/// datagram. The call is over when [`outcome`](Self::outcome) is `Some`.
///
/// ```no_run
/// use fax::{udptl::Udptl, Direction, T38Fax};
///
/// let mut fax = T38Fax::new(Direction::Send { tiff: "/tmp/out.tiff".into() }, true, "+49 30 1234")?;
/// let mut udptl = Udptl::new(3);
/// # let datagram: Vec<u8> = Vec::new();
/// // A datagram arrived:
/// for (seq, ifp) in udptl.decode(&datagram).unwrap_or_default() {
///     fax.handle_ifp(seq, &ifp);
/// }
/// // Every 20 ms:
/// fax.advance(160);
/// while let Some(ifp) = fax.poll_ifp() {
///     let _datagram = udptl.encode(&ifp); // to the socket
/// }
/// # Ok::<(), fax::FaxError>(())
/// ```
pub struct T38Fax {
    inner: T38,
}

impl T38Fax {
    /// A session that sends or receives `direction`'s TIFF; `calling` and `ident` as for
    /// [`AudioFax::new`](crate::AudioFax::new).
    pub fn new(direction: Direction, calling: bool, ident: &str) -> Result<T38Fax, FaxError> {
        let checked = Checked::new(&direction, calling, ident)?;
        Ok(T38Fax {
            inner: T38::new(&checked.setup())?,
        })
    }

    /// An IFP packet from the far end with its sequence number (`t38_core_rx_ifp_packet`).
    /// Packets must come in order, each once: [`crate::udptl::Udptl::decode`] gives them so.
    pub fn handle_ifp(&mut self, seq: u16, ifp: &[u8]) {
        self.inner.handle_ifp(seq, ifp);
    }

    /// Time passes: `samples` at 8 kHz (`t38_terminal_send_timeout`, in steps of at most
    /// 10 ms so that paced packets are not held back by a long step).
    pub fn advance(&mut self, samples: usize) {
        self.inner.advance(samples);
    }

    /// The next IFP packet SpanDSP wants sent, oldest first.
    pub fn poll_ifp(&mut self) -> Option<Vec<u8>> {
        self.inner.poll_ifp()
    }

    /// Pages sent (confirmed by the far end) or received so far.
    pub fn pages(&self) -> u32 {
        self.inner.pages()
    }

    /// How the fax ended, once T.30's phase E is reached.
    pub fn outcome(&self) -> Option<&Outcome> {
        self.inner.outcome()
    }

    /// The call ended before T.30 did; as [`AudioFax::hang_up`](crate::AudioFax::hang_up).
    pub fn hang_up(&mut self) {
        self.inner.hang_up();
    }
}
