//! T.38 fax in SDP (ITU-T T.38 Annex D, RFC 3362 `image/t38`): the `m=image <port>
//! udptl t38` stream a fax call switches to by re-INVITE, with its `a=T38…` attributes.
//! [`T38Offer`] reads the far end's stream (its offer, or its answer to ours),
//! [`T38Local`] writes ours, [`T38Agreed`] is what both ends then use.
//!
//! ```
//! use media::sdp::t38::{ErrorCorrection, T38Local, T38Offer};
//! let offer = "v=0\r\nc=IN IP4 192.0.2.7\r\nt=0 0\r\nm=image 4446 udptl t38\r\n\
//!     a=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\na=T38FaxRateManagement:transferredTCF\r\n\
//!     a=T38FaxMaxDatagram:400\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n";
//! let offer = T38Offer::parse(offer).unwrap();
//! assert_eq!(offer.far(), "192.0.2.7:4446".parse().unwrap());
//! let agreed = offer.agreed();
//! assert_eq!(agreed.error_correction, ErrorCorrection::Redundancy);
//! assert_eq!(agreed.far_max_datagram, Some(400));
//! let ours = T38Local::answer((1, 2), "203.0.113.1".parse().unwrap(), 40_000, &offer);
//! assert!(ours.render().contains("m=image 40000 udptl t38\r\n"));
//! ```

use super::{connection, lines, split, SdpError};
use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};

/// The highest fax rate we take (V.17); V.34 fax (33600) needs T.38 version 3.
pub const MAX_BIT_RATE: u32 = 14_400;
/// The receive buffer we announce (`T38FaxMaxBuffer`, octets).
pub const MAX_BUFFER: u32 = 2_000;
/// The largest datagram we take (`T38FaxMaxDatagram`, octets): well under any MTU.
pub const MAX_DATAGRAM: u32 = 400;

/// How lost UDPTL datagrams are made up for (`T38FaxUdpEC`, T.38 §9.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCorrection {
    /// Nothing (the attribute is absent or names something else).
    None,
    /// Each datagram repeats the previous IFP packets (`t38UDPRedundancy`).
    Redundancy,
    /// Forward error correction (`t38UDPFEC`).
    Fec,
}

/// How the training check (TCF) is carried (`T38FaxRateManagement`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateManagement {
    /// The TCF is sent through (`transferredTCF`): the one mode over UDP.
    TransferredTcf,
    /// Each gateway makes its own TCF (`localTCF`, meant for TCP).
    LocalTcf,
}

/// Another stream of an SDP body than the T.38 one: its `m=` line without the port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaLine {
    /// `audio`, `video`, …
    pub media: String,
    /// `RTP/AVP`, …
    pub proto: String,
    /// The formats, as written (`8 101`).
    pub formats: String,
}

/// The far end's T.38 stream: its offer to switch, or its answer to our offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct T38Offer {
    /// Where it takes UDPTL (never 0: a port 0 stream is [`SdpError::T38Declined`]).
    pub port: u16,
    /// Its connection address.
    pub address: IpAddr,
    /// `T38FaxVersion` (0 when absent).
    pub version: u8,
    /// `T38MaxBitRate` (absent, or the 0 some gateways write: not said).
    pub max_bit_rate: Option<u32>,
    /// `T38FaxRateManagement` (absent: [`RateManagement::TransferredTcf`]).
    pub rate_management: RateManagement,
    /// `T38FaxMaxBuffer`: its receive buffer, octets.
    pub max_buffer: Option<u32>,
    /// `T38FaxMaxDatagram`: the largest UDPTL datagram it takes, octets.
    pub max_datagram: Option<u32>,
    /// `T38FaxUdpEC`.
    pub error_correction: ErrorCorrection,
    /// `T38FaxFillBitRemoval`.
    pub fill_bit_removal: bool,
    /// `T38FaxTranscodingMMR`.
    pub transcoding_mmr: bool,
    /// `T38FaxTranscodingJBIG`.
    pub transcoding_jbig: bool,
    /// The body's other streams before the T.38 one (RFC 3264 §6: an answer has the
    /// offer's `m=` lines in order; ours refuses these with port 0).
    pub before: Vec<MediaLine>,
    /// The body's other streams after the T.38 one.
    pub after: Vec<MediaLine>,
}

/// What both ends of a T.38 stream use once the offer is answered: what the server's
/// T.38 modem and its UDPTL framing are set up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct T38Agreed {
    /// The T.38 version both speak (the lower of the two; we speak 0).
    pub version: u8,
    /// The highest fax rate both take.
    pub max_bit_rate: u32,
    /// The error correction both use: [`ErrorCorrection::Redundancy`] when both said
    /// so, else [`ErrorCorrection::None`] (we send no FEC).
    pub error_correction: ErrorCorrection,
    /// The largest datagram the far end takes, if it said (keep each datagram, with its
    /// redundancy, under this).
    pub far_max_datagram: Option<u32>,
    /// The far end's receive buffer, if it said.
    pub far_max_buffer: Option<u32>,
}

impl T38Offer {
    /// Reads the first `m=image … udptl t38` stream of `body`.
    pub fn parse(body: &str) -> Result<T38Offer, SdpError> {
        let mut session_addr: Option<IpAddr> = None;
        let mut media_addr: Option<IpAddr> = None;
        let mut streams = 0usize;
        let mut in_image = false;
        let mut declined = false;
        let mut found: Option<T38Offer> = None;
        let mut before = Vec::new();
        let mut after = Vec::new();
        for line in lines(body) {
            let (kind, value) = split(line)?;
            let bad = || SdpError::Line(line.to_string());
            match kind {
                "m" => {
                    streams += 1;
                    in_image = false;
                    let mut fields = value.split_ascii_whitespace();
                    let (Some(media), Some(port), Some(proto)) =
                        (fields.next(), fields.next(), fields.next())
                    else {
                        return Err(bad());
                    };
                    let port: u16 = port
                        .split('/')
                        .next()
                        .and_then(|p| p.parse().ok())
                        .ok_or_else(bad)?;
                    let formats: Vec<&str> = fields.collect();
                    let is_t38 = media.eq_ignore_ascii_case("image")
                        && proto.eq_ignore_ascii_case("udptl")
                        && formats.iter().any(|f| f.eq_ignore_ascii_case("t38"));
                    if is_t38 && found.is_none() && port != 0 {
                        in_image = true;
                        found = Some(T38Offer::at(port));
                        continue;
                    }
                    declined |= is_t38;
                    let other = MediaLine {
                        media: media.to_string(),
                        proto: proto.to_string(),
                        formats: formats.join(" "),
                    };
                    if found.is_some() {
                        after.push(other);
                    } else {
                        before.push(other);
                    }
                }
                "c" => {
                    let addr = connection(value).ok_or_else(bad)?;
                    if in_image {
                        media_addr = Some(addr);
                    } else if streams == 0 {
                        session_addr = Some(addr);
                    }
                }
                "a" if in_image => {
                    if let Some(offer) = found.as_mut() {
                        offer.attribute(value).ok_or_else(bad)?;
                    }
                }
                _ => {}
            }
        }
        let Some(mut offer) = found else {
            return Err(if declined {
                SdpError::T38Declined
            } else {
                SdpError::NoT38
            });
        };
        offer.address = media_addr.or(session_addr).ok_or(SdpError::NoConnection)?;
        if offer.address.is_unspecified() {
            return Err(SdpError::T38Declined);
        }
        offer.before = before;
        offer.after = after;
        Ok(offer)
    }

    /// A stream on `port` with every attribute at its default.
    fn at(port: u16) -> T38Offer {
        T38Offer {
            port,
            address: IpAddr::from([0, 0, 0, 0]),
            version: 0,
            max_bit_rate: None,
            rate_management: RateManagement::TransferredTcf,
            max_buffer: None,
            max_datagram: None,
            error_correction: ErrorCorrection::None,
            fill_bit_removal: false,
            transcoding_mmr: false,
            transcoding_jbig: false,
            before: Vec::new(),
            after: Vec::new(),
        }
    }

    /// Takes one `a=` value of the stream; `None` when a T.38 attribute's value is bad.
    /// Names and values are compared without case: `T38MaxBitrate` and `T38FaxUdpEc`
    /// are common spellings.
    fn attribute(&mut self, value: &str) -> Option<()> {
        let (name, arg) = value.split_once(':').unwrap_or((value, ""));
        let arg = arg.trim();
        let number = || arg.parse::<u32>().ok();
        match name.trim().to_ascii_lowercase().as_str() {
            "t38faxversion" => self.version = arg.parse().ok()?,
            "t38maxbitrate" => self.max_bit_rate = Some(number()?).filter(|&r| r > 0),
            "t38faxmaxbuffer" => self.max_buffer = Some(number()?),
            "t38faxmaxdatagram" => self.max_datagram = Some(number()?),
            "t38faxratemanagement" => {
                self.rate_management = match arg.to_ascii_lowercase().as_str() {
                    "transferredtcf" => RateManagement::TransferredTcf,
                    "localtcf" => RateManagement::LocalTcf,
                    _ => return None,
                }
            }
            // Anything else (`t38UDPNoEC` is seen) is no error correction.
            "t38faxudpec" => {
                self.error_correction = match arg.to_ascii_lowercase().as_str() {
                    "t38udpredundancy" => ErrorCorrection::Redundancy,
                    "t38udpfec" => ErrorCorrection::Fec,
                    _ => ErrorCorrection::None,
                }
            }
            "t38faxfillbitremoval" => self.fill_bit_removal = flag(arg)?,
            "t38faxtranscodingmmr" => self.transcoding_mmr = flag(arg)?,
            "t38faxtranscodingjbig" => self.transcoding_jbig = flag(arg)?,
            _ => {}
        }
        Some(())
    }

    /// Where to send UDPTL (before latching).
    pub fn far(&self) -> SocketAddr {
        SocketAddr::new(self.address, self.port)
    }

    /// What holds between us and this stream: when we answer it with
    /// [`T38Local::answer`], or when it is the answer to our [`T38Local::offer`].
    pub fn agreed(&self) -> T38Agreed {
        T38Agreed {
            version: 0,
            max_bit_rate: self
                .max_bit_rate
                .map_or(MAX_BIT_RATE, |r| r.min(MAX_BIT_RATE)),
            error_correction: match self.error_correction {
                ErrorCorrection::Redundancy => ErrorCorrection::Redundancy,
                _ => ErrorCorrection::None,
            },
            far_max_datagram: self.max_datagram,
            far_max_buffer: self.max_buffer,
        }
    }
}

/// A boolean T.38 attribute: present alone (T.38 Annex D) or with `:1`/`:0` (as Cisco
/// writes them).
fn flag(arg: &str) -> Option<bool> {
    match arg {
        "" | "1" => Some(true),
        "0" => Some(false),
        _ => None,
    }
}

/// Our T.38 stream, written as SDP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct T38Local {
    /// The session id and version of `o=` (the version goes up with each new SDP).
    pub session: (u64, u64),
    /// The address others send to (the public address behind a router).
    pub address: IpAddr,
    /// Our port: the leg's RTP socket, which carries UDPTL from now on.
    pub port: u16,
    /// `T38FaxVersion`.
    pub version: u8,
    /// `T38MaxBitRate`.
    pub max_bit_rate: u32,
    /// `T38FaxMaxBuffer`.
    pub max_buffer: u32,
    /// `T38FaxMaxDatagram`.
    pub max_datagram: u32,
    /// `T38FaxUdpEC` ([`ErrorCorrection::None`]: not written).
    pub error_correction: ErrorCorrection,
    /// Other streams refused with port 0, before ours (an answer's, as offered).
    pub before: Vec<MediaLine>,
    /// Other streams refused with port 0, after ours.
    pub after: Vec<MediaLine>,
}

impl T38Local {
    /// Our offer to switch a call to T.38 (version 0, 14400 bit/s, transferred TCF,
    /// redundancy).
    pub fn offer(session: (u64, u64), address: IpAddr, port: u16) -> T38Local {
        T38Local {
            session,
            address,
            port,
            version: 0,
            max_bit_rate: MAX_BIT_RATE,
            max_buffer: MAX_BUFFER,
            max_datagram: MAX_DATAGRAM,
            error_correction: ErrorCorrection::Redundancy,
            before: Vec::new(),
            after: Vec::new(),
        }
    }

    /// Our answer to `offer`: version 0 (T.38 Annex D: the answer's version is at most
    /// the offer's, and 0 is the one we speak), our rate capped at the offered one,
    /// redundancy when offered (else none: we send no FEC), the offer's other streams
    /// refused in their places.
    pub fn answer(session: (u64, u64), address: IpAddr, port: u16, offer: &T38Offer) -> T38Local {
        let agreed = offer.agreed();
        T38Local {
            max_bit_rate: agreed.max_bit_rate,
            error_correction: agreed.error_correction,
            before: offer.before.clone(),
            after: offer.after.clone(),
            ..T38Local::offer(session, address, port)
        }
    }

    /// The SDP text.
    pub fn render(&self) -> String {
        let family = if self.address.is_ipv4() { "IP4" } else { "IP6" };
        let mut s = String::with_capacity(400);
        let _ = write!(
            s,
            "v=0\r\no=durchwahl {} {} IN {family} {addr}\r\ns=durchwahl\r\nc=IN {family} {addr}\r\nt=0 0\r\n",
            self.session.0,
            self.session.1,
            addr = self.address,
        );
        let refuse = |s: &mut String, m: &MediaLine| {
            let _ = write!(s, "m={} 0 {}", m.media, m.proto);
            if !m.formats.is_empty() {
                let _ = write!(s, " {}", m.formats);
            }
            s.push_str("\r\n");
        };
        for m in &self.before {
            refuse(&mut s, m);
        }
        let _ = write!(
            s,
            "m=image {} udptl t38\r\na=T38FaxVersion:{}\r\na=T38MaxBitRate:{}\r\n\
             a=T38FaxRateManagement:transferredTCF\r\na=T38FaxMaxBuffer:{}\r\n\
             a=T38FaxMaxDatagram:{}\r\n",
            self.port, self.version, self.max_bit_rate, self.max_buffer, self.max_datagram,
        );
        match self.error_correction {
            ErrorCorrection::Redundancy => s.push_str("a=T38FaxUdpEC:t38UDPRedundancy\r\n"),
            ErrorCorrection::Fec => s.push_str("a=T38FaxUdpEC:t38UDPFEC\r\n"),
            ErrorCorrection::None => {}
        }
        for m in &self.after {
            refuse(&mut s, m);
        }
        s
    }
}

#[cfg(test)]
#[path = "t38_tests.rs"]
mod tests;
