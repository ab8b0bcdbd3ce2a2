//! SDP (RFC 4566) as plain SIP phones speak it, for offer/answer (RFC 3264): one audio
//! stream, its connection address and port, the payload types with their `a=rtpmap`,
//! the direction (hold is `sendonly`/`inactive` or the old `c=0.0.0.0`), and `a=rtcp`.
//! Browsers' SDP is handled by str0m; this is for RTP/AVP legs. A fax call's switch to
//! T.38 (`m=image … udptl t38`) is read and written by [`t38`].

use crate::codec::{Codec, Negotiated};
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Why an SDP body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    /// A line is not `x=value`, or a field that must be a number is not.
    #[error("bad SDP line: {0}")]
    Line(String),
    /// No `m=audio` section.
    #[error("no audio stream offered")]
    NoAudio,
    /// No connection address for the audio stream.
    #[error("no connection address")]
    NoConnection,
    /// None of the offered codecs is one we speak.
    #[error("no codec in common (we speak PCMA, PCMU, Opus)")]
    NoCommonCodec,
    /// No T.38 stream over UDPTL (`m=image <port> udptl t38`).
    #[error("no T.38 stream offered (m=image <port> udptl t38)")]
    NoT38,
    /// The T.38 stream has port 0 or the address 0.0.0.0: it is declined (an answer
    /// that refuses our switch to T.38) or disabled.
    #[error("the T.38 stream is declined (port 0 or address 0.0.0.0)")]
    T38Declined,
}

/// The direction of a stream (RFC 3264 §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Both ways.
    SendRecv,
    /// The author sends only (puts the other on hold).
    SendOnly,
    /// The author receives only.
    RecvOnly,
    /// Neither.
    Inactive,
}

impl Direction {
    /// The direction an answer takes to this offered one.
    pub fn answer(self) -> Direction {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            d => d,
        }
    }

    fn attribute(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// Whether the author of the SDP wants to receive media.
    pub fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }

    /// Whether the author of the SDP will send media.
    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }
}

/// One payload type of the audio stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Format {
    /// The payload type.
    pub payload_type: u8,
    /// The encoding name (`PCMA`, `telephone-event`, …).
    pub name: String,
    /// The clock rate.
    pub clock_rate: u32,
}

/// The audio stream of a session description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audio {
    /// Where to send RTP (`None`: the port is 0 or the address 0.0.0.0, on hold).
    pub rtp: Option<SocketAddr>,
    /// Where to send RTCP (`a=rtcp`, else the RTP port + 1).
    pub rtcp: Option<SocketAddr>,
    /// The payload types in order of preference.
    pub formats: Vec<Format>,
    /// The direction.
    pub direction: Direction,
    /// The packet time in milliseconds, if given.
    pub ptime: Option<u32>,
}

impl Audio {
    /// Reads the first audio stream of `body`.
    pub fn parse(body: &str) -> Result<Audio, SdpError> {
        let mut session_addr: Option<IpAddr> = None;
        let mut session_direction = Direction::SendRecv;
        let mut in_audio = false;
        let mut seen_audio = false;
        let mut media_addr: Option<IpAddr> = None;
        let mut port = 0u16;
        let mut payload_types: Vec<u8> = Vec::new();
        let mut maps: Vec<Format> = Vec::new();
        let mut direction: Option<Direction> = None;
        let mut rtcp_port: Option<u16> = None;
        let mut ptime = None;
        for line in lines(body) {
            let (kind, value) = split(line)?;
            let bad = || SdpError::Line(line.to_string());
            match kind {
                "m" => {
                    if seen_audio && in_audio {
                        in_audio = false;
                        continue;
                    }
                    let mut fields = value.split_ascii_whitespace();
                    let media = fields.next().ok_or_else(bad)?;
                    if media != "audio" || seen_audio {
                        in_audio = false;
                        continue;
                    }
                    in_audio = true;
                    seen_audio = true;
                    port = fields
                        .next()
                        .and_then(|p| p.split('/').next()?.parse().ok())
                        .ok_or_else(bad)?;
                    let _proto = fields.next().ok_or_else(bad)?;
                    payload_types = fields
                        .map(|f| f.parse::<u8>())
                        .collect::<Result<_, _>>()
                        .map_err(|_| bad())?;
                }
                "c" => {
                    let addr = connection(value).ok_or_else(bad)?;
                    if in_audio {
                        media_addr = Some(addr);
                    } else if !seen_audio {
                        session_addr = Some(addr);
                    }
                }
                "a" => {
                    let (name, arg) = value.split_once(':').unwrap_or((value, ""));
                    let dir = match name {
                        "sendrecv" => Some(Direction::SendRecv),
                        "sendonly" => Some(Direction::SendOnly),
                        "recvonly" => Some(Direction::RecvOnly),
                        "inactive" => Some(Direction::Inactive),
                        _ => None,
                    };
                    if let Some(d) = dir {
                        if in_audio {
                            direction = Some(d);
                        } else if !seen_audio {
                            session_direction = d;
                        }
                        continue;
                    }
                    if !in_audio {
                        continue;
                    }
                    match name {
                        "rtpmap" => {
                            let (pt, encoding) = arg.split_once(' ').ok_or_else(bad)?;
                            let mut parts = encoding.split('/');
                            maps.push(Format {
                                payload_type: pt.parse().map_err(|_| bad())?,
                                name: parts.next().ok_or_else(bad)?.to_string(),
                                clock_rate: parts
                                    .next()
                                    .and_then(|r| r.parse().ok())
                                    .ok_or_else(bad)?,
                            });
                        }
                        "rtcp" => rtcp_port = arg.split(' ').next().and_then(|p| p.parse().ok()),
                        "ptime" => ptime = arg.parse().ok(),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        if !seen_audio {
            return Err(SdpError::NoAudio);
        }
        let addr = media_addr.or(session_addr).ok_or(SdpError::NoConnection)?;
        let formats = payload_types
            .iter()
            .filter_map(|&pt| {
                maps.iter()
                    .find(|m| m.payload_type == pt)
                    .cloned()
                    .or_else(|| static_format(pt))
            })
            .collect();
        let mut direction = direction.unwrap_or(session_direction);
        let on_hold_address = addr.is_unspecified();
        if on_hold_address && direction == Direction::SendRecv {
            direction = Direction::SendOnly;
        }
        let usable = port != 0 && !on_hold_address;
        Ok(Audio {
            rtp: usable.then_some(SocketAddr::new(addr, port)),
            rtcp: usable.then_some(SocketAddr::new(
                addr,
                rtcp_port.unwrap_or(port.wrapping_add(1)),
            )),
            formats,
            direction,
            ptime,
        })
    }

    /// What we answer to this offer: the first codec we speak in the offerer's order
    /// among `allowed` (ours), and its telephone-events at the same clock rate.
    pub fn negotiate(&self, allowed: &[Codec]) -> Result<Negotiated, SdpError> {
        let (payload_type, codec) = self
            .formats
            .iter()
            .find_map(|f| {
                Codec::from_rtpmap(&f.name, f.clock_rate)
                    .filter(|c| allowed.contains(c))
                    .map(|c| (f.payload_type, c))
            })
            .ok_or(SdpError::NoCommonCodec)?;
        let events = self
            .formats
            .iter()
            .find(|f| {
                f.name.eq_ignore_ascii_case("telephone-event") && f.clock_rate == codec.clock_rate()
            })
            .map(|f| f.payload_type);
        Ok(Negotiated {
            codec,
            payload_type,
            events,
        })
    }
}

/// The non-empty lines of an SDP body, without their line ends.
fn lines(body: &str) -> impl Iterator<Item = &str> {
    body.lines().map(str::trim_end).filter(|l| !l.is_empty())
}

/// A line's type letter and value (`x=value`).
fn split(line: &str) -> Result<(&str, &str), SdpError> {
    line.split_once('=')
        .filter(|(k, _)| k.len() == 1)
        .ok_or_else(|| SdpError::Line(line.into()))
}

/// The address of a `c=` line's value (`IN IP4 192.0.2.1`, a multicast TTL cut off).
fn connection(value: &str) -> Option<IpAddr> {
    value.rsplit(' ').next()?.split('/').next()?.parse().ok()
}

fn static_format(pt: u8) -> Option<Format> {
    let (name, rate) = match pt {
        0 => ("PCMU", 8000),
        8 => ("PCMA", 8000),
        _ => return None,
    };
    Some(Format {
        payload_type: pt,
        name: name.into(),
        clock_rate: rate,
    })
}

/// What we put in our own SDP for an RTP/AVP leg.
#[derive(Debug, Clone)]
pub struct Local {
    /// The session id and version of `o=` (the version goes up with each new SDP).
    pub session: (u64, u64),
    /// The address others send to (the public address behind a router).
    pub address: IpAddr,
    /// Our RTP port (RTCP on the next one).
    pub port: u16,
    /// Offered codecs with their payload types, preferred first, and whether
    /// telephone-events (payload type 101 at 8 kHz) are offered.
    pub formats: Vec<(Codec, u8)>,
    /// The telephone-event payload type, if offered.
    pub events: Option<u8>,
    /// The direction.
    pub direction: Direction,
}

impl Local {
    /// An offer of PCMA, PCMU and telephone-events (PCMA first: the European default).
    pub fn offer(session: (u64, u64), address: IpAddr, port: u16) -> Local {
        Local {
            session,
            address,
            port,
            formats: vec![(Codec::Pcma, 8), (Codec::Pcmu, 0)],
            events: Some(101),
            direction: Direction::SendRecv,
        }
    }

    /// The answer to an offer whose negotiated codec is `chosen`.
    pub fn answer(
        session: (u64, u64),
        address: IpAddr,
        port: u16,
        chosen: Negotiated,
        offered: Direction,
    ) -> Local {
        Local {
            session,
            address,
            port,
            formats: vec![(chosen.codec, chosen.payload_type)],
            events: chosen.events,
            direction: offered.answer(),
        }
    }

    /// The SDP text.
    pub fn render(&self) -> String {
        let family = if self.address.is_ipv4() { "IP4" } else { "IP6" };
        let mut pts: Vec<String> = self.formats.iter().map(|(_, pt)| pt.to_string()).collect();
        if let Some(ev) = self.events {
            pts.push(ev.to_string());
        }
        let mut s = String::with_capacity(320);
        let _ = write!(
            s,
            "v=0\r\no=durchwahl {} {} IN {family} {addr}\r\ns=durchwahl\r\nc=IN {family} {addr}\r\nt=0 0\r\nm=audio {} RTP/AVP {}\r\n",
            self.session.0,
            self.session.1,
            self.port,
            pts.join(" "),
            addr = self.address,
        );
        for (codec, pt) in &self.formats {
            let channels = if *codec == Codec::Opus { "/2" } else { "" };
            let _ = write!(
                s,
                "a=rtpmap:{pt} {}/{}{channels}\r\n",
                codec.name(),
                codec.clock_rate()
            );
        }
        if let Some(ev) = self.events {
            let rate = self.formats.first().map_or(8000, |(c, _)| c.clock_rate());
            let _ = write!(
                s,
                "a=rtpmap:{ev} telephone-event/{rate}\r\na=fmtp:{ev} 0-16\r\n"
            );
        }
        let _ = write!(
            s,
            "a=ptime:20\r\na=rtcp:{}\r\na={}\r\n",
            self.port.wrapping_add(1),
            self.direction.attribute()
        );
        s
    }
}

/// The unspecified address an old-style hold offer carries.
pub const HOLD_ADDRESS: IpAddr = IpAddr::V4(Ipv4Addr::UNSPECIFIED);

pub mod t38;

#[cfg(test)]
mod tests;
