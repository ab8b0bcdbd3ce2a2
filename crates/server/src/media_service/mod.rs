//! The media service: the shell around `media::Engine`. Each media thread (`[media]
//! threads`) owns an engine, its share of the port range and one UDP socket per leg
//! (two for a phone leg: RTP and RTCP); a call's legs all live on one thread, so
//! relaying a packet never crosses threads. Call control talks to it through a
//! [`MediaHandle`] and hears back [`MediaEvent`]s.

pub mod config;
pub mod ng;
pub mod ports;
mod shard;

use calls::LegRef;
use media::{Codec, Negotiated};
use std::future::Future;
use std::net::IpAddr;
use tokio::sync::{mpsc, oneshot};

/// The reply of a media thread (commands are sent at once, in order; the reply comes
/// when the future is awaited).
async fn answer<T>(rx: oneshot::Receiver<Result<T, String>>) -> Result<T, String> {
    rx.await.map_err(|_| "media thread gone".to_string())?
}

pub use config::{CallsConfig, MediaConfig, Relay};

/// What a media thread is asked to do.
#[derive(Debug)]
pub(crate) enum Command {
    WebRtc {
        offer: String,
        codecs: Vec<Codec>,
        reply: oneshot::Sender<Result<(LegRef, Codec, String), String>>,
    },
    RtpOffer {
        sdp: String,
        allowed: Vec<Codec>,
        reply: oneshot::Sender<Result<(LegRef, Negotiated, String), String>>,
    },
    RtpNew {
        reply: oneshot::Sender<Result<(LegRef, String), String>>,
    },
    RtpAnswer {
        leg: LegRef,
        sdp: String,
        reply: oneshot::Sender<Result<Negotiated, String>>,
    },
    Bridge(LegRef, LegRef, oneshot::Sender<Result<(), String>>),
    Hear(LegRef, Vec<LegRef>, oneshot::Sender<Result<(), String>>),
    Hold(LegRef, bool),
    Dtmf(LegRef, String),
    Remove(LegRef),
    Play {
        leg: LegRef,
        frames: std::sync::Arc<[media::player::Frame]>,
        encoding: Codec,
        looping: bool,
    },
    StopPlaying(LegRef),
    Record(LegRef, usize),
    StopRecording(LegRef),
    Attach(LegRef, Box<dyn media::terminal::Terminal>),
    T38 {
        leg: LegRef,
        sdp: String,
        reply: oneshot::Sender<Result<String, String>>,
    },
    /// How many legs the thread holds (`/metrics`).
    Legs(oneshot::Sender<usize>),
}

/// What the media tells call control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaEvent {
    /// A browser's leg lost consent: that side is gone.
    Closed(LegRef),
    /// A digit arrived on a leg.
    Dtmf(LegRef, char),
    /// A prompt played into a leg came to its end.
    Played(LegRef),
    /// A recording of a leg ended (at its limit when `full`, stopped, or the leg went):
    /// what it said, 8 kHz mono.
    Recorded(LegRef, Vec<i16>, bool),
    /// The terminal at a leg (a fax modem) finished, or could not be attached.
    TerminalDone(LegRef),
}

/// Where call control sends media commands.
#[derive(Debug, Clone)]
pub struct MediaHandle {
    shards: Vec<mpsc::UnboundedSender<Command>>,
}

fn shard_of(leg: LegRef) -> usize {
    (leg.0 >> 32) as usize
}

impl MediaHandle {
    /// Starts the media threads; events go to `events`.
    pub fn start(
        config: &MediaConfig,
        public: IpAddr,
        events: mpsc::UnboundedSender<MediaEvent>,
    ) -> anyhow::Result<MediaHandle> {
        let (first, last) = config.ports().map_err(|e| anyhow::anyhow!(e))?;
        let mut shards = Vec::new();
        for i in 0..config.threads {
            let ports = ports::Ports::new(first, last, i, config.threads);
            shards.push(shard::spawn(i, config.bind, public, ports, events.clone())?);
        }
        Ok(MediaHandle { shards })
    }

    /// The media thread for a call.
    pub fn shard_for(&self, call: u64) -> usize {
        (call as usize) % self.shards.len()
    }

    fn send(&self, shard: usize, command: Command) {
        if let Some(s) = self.shards.get(shard) {
            let _ = s.send(command);
        }
    }

    /// A browser leg answering `offer` with the first of `codecs` it offers.
    pub fn webrtc(
        &self,
        shard: usize,
        offer: String,
        codecs: Vec<Codec>,
    ) -> impl Future<Output = Result<(LegRef, Codec, String), String>> + Send + 'static {
        let (reply, rx) = oneshot::channel();
        self.send(
            shard,
            Command::WebRtc {
                offer,
                codecs,
                reply,
            },
        );
        answer(rx)
    }

    /// A phone leg answering the phone's offer.
    pub fn rtp_offer(
        &self,
        shard: usize,
        sdp: String,
        allowed: Vec<Codec>,
    ) -> impl Future<Output = Result<(LegRef, Negotiated, String), String>> + Send + 'static {
        let (reply, rx) = oneshot::channel();
        self.send(
            shard,
            Command::RtpOffer {
                sdp,
                allowed,
                reply,
            },
        );
        answer(rx)
    }

    /// A phone leg with our offer (PCMA, PCMU, telephone-events).
    pub fn rtp_new(
        &self,
        shard: usize,
    ) -> impl Future<Output = Result<(LegRef, String), String>> + Send + 'static {
        let (reply, rx) = oneshot::channel();
        self.send(shard, Command::RtpNew { reply });
        answer(rx)
    }

    /// The phone's answer to our offer.
    pub fn rtp_answer(
        &self,
        leg: LegRef,
        sdp: String,
    ) -> impl Future<Output = Result<Negotiated, String>> + Send + 'static {
        let (reply, rx) = oneshot::channel();
        self.send(shard_of(leg), Command::RtpAnswer { leg, sdp, reply });
        answer(rx)
    }

    /// Switches a phone leg to T.38 with the far side's offer (`m=image … udptl t38`):
    /// our answer; datagrams go to the leg's terminal from then on.
    pub fn t38(
        &self,
        leg: LegRef,
        sdp: String,
    ) -> impl Future<Output = Result<String, String>> + Send + 'static {
        let (reply, rx) = oneshot::channel();
        self.send(shard_of(leg), Command::T38 { leg, sdp, reply });
        answer(rx)
    }

    /// Relays between two legs (of one thread).
    pub fn bridge(
        &self,
        a: LegRef,
        b: LegRef,
    ) -> impl Future<Output = Result<(), String>> + Send + 'static {
        let (reply, rx) = oneshot::channel();
        if shard_of(a) == shard_of(b) {
            self.send(shard_of(a), Command::Bridge(a, b, reply));
        } else {
            let _ = reply.send(Err("the legs are on different media threads".into()));
        }
        answer(rx)
    }

    /// From now on `leg` hears the mix of `sources` (all of one thread) instead of its
    /// peer; empty: its peer again.
    pub fn hear(
        &self,
        leg: LegRef,
        sources: Vec<LegRef>,
    ) -> impl Future<Output = Result<(), String>> + Send + 'static {
        let (reply, rx) = oneshot::channel();
        if sources.iter().all(|s| shard_of(*s) == shard_of(leg)) {
            self.send(shard_of(leg), Command::Hear(leg, sources, reply));
        } else {
            let _ = reply.send(Err("the legs are on different media threads".into()));
        }
        answer(rx)
    }

    /// Holds or resumes a leg.
    pub fn hold(&self, leg: LegRef, on: bool) {
        self.send(shard_of(leg), Command::Hold(leg, on));
    }

    /// Sends digits on a leg.
    pub fn dtmf(&self, leg: LegRef, digits: String) {
        self.send(shard_of(leg), Command::Dtmf(leg, digits));
    }

    /// Plays 20 ms G.711 `frames` (in `encoding`) into a leg, once (then
    /// [`MediaEvent::Played`]) or over and over, instead of what its far side says.
    pub fn play(
        &self,
        leg: LegRef,
        frames: std::sync::Arc<[media::player::Frame]>,
        encoding: Codec,
        looping: bool,
    ) {
        let command = Command::Play {
            leg,
            frames,
            encoding,
            looping,
        };
        self.send(shard_of(leg), command);
    }

    /// Stops what plays into a leg.
    pub fn stop_playing(&self, leg: LegRef) {
        self.send(shard_of(leg), Command::StopPlaying(leg));
    }

    /// Records what a leg says, at most `max_samples` (8 kHz); then
    /// [`MediaEvent::Recorded`].
    pub fn record(&self, leg: LegRef, max_samples: usize) {
        self.send(shard_of(leg), Command::Record(leg, max_samples));
    }

    /// Ends a recording now ([`MediaEvent::Recorded`] follows).
    pub fn stop_recording(&self, leg: LegRef) {
        self.send(shard_of(leg), Command::StopRecording(leg));
    }

    /// Puts `terminal` (a fax modem) at our end of a leg: it hears and speaks there
    /// until the leg goes; [`MediaEvent::TerminalDone`] when it finished.
    pub fn attach(&self, leg: LegRef, terminal: Box<dyn media::terminal::Terminal>) {
        self.send(shard_of(leg), Command::Attach(leg, terminal));
    }

    /// The legs on all media threads now, asked of each thread in turn; `None` when one
    /// did not answer.
    pub fn legs(&self) -> impl Future<Output = Option<usize>> + Send + 'static {
        let asked: Vec<oneshot::Receiver<usize>> = (0..self.shards.len())
            .map(|shard| {
                let (reply, rx) = oneshot::channel();
                self.send(shard, Command::Legs(reply));
                rx
            })
            .collect();
        async move {
            let mut legs = 0;
            for rx in asked {
                legs += rx.await.ok()?;
            }
            Some(legs)
        }
    }

    /// Removes a leg (its ports are free again).
    pub fn remove(&self, leg: LegRef) {
        self.send(shard_of(leg), Command::Remove(leg));
    }
}

/// The address announced for media: `[media] public_address`, else `[sip] advertise`,
/// else the SIP listen address, else (listening on all) the default route's address.
pub fn public_address(
    config: &MediaConfig,
    sip_advertise: Option<IpAddr>,
    sip_local: std::net::SocketAddr,
) -> IpAddr {
    config.public_address.or(sip_advertise).unwrap_or_else(|| {
        if !sip_local.ip().is_unspecified() {
            return sip_local.ip();
        }
        std::net::UdpSocket::bind("0.0.0.0:0")
            .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
            .and_then(|s| s.local_addr())
            .map_or(IpAddr::from([127, 0, 0, 1]), |a| a.ip())
    })
}

/// The ICE servers browsers get (`[media] turn_*`).
pub fn ice_servers(config: &MediaConfig) -> Vec<web::calls::api::IceServer> {
    use secrecy::ExposeSecret;
    if config.turn_urls.is_empty() {
        return Vec::new();
    }
    vec![web::calls::api::IceServer {
        urls: config.turn_urls.clone(),
        username: config.turn_username.clone(),
        credential: config
            .turn_password
            .as_ref()
            .map(|p| p.expose_secret().to_string()),
    }]
}
