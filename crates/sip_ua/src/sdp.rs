//! A tiny session description (RFC 4566) for test phones: one audio stream, its
//! connection address and port, the payload types with their `rtpmap`s (PCMA, PCMU,
//! telephone-event) and the direction attribute that puts a call on hold (RFC 3264 §8.4:
//! the holder offers `sendonly`, the held side answers `recvonly`).
//!
//! Just enough of RFC 4566 and RFC 3264 to offer, answer and read back what the other
//! phone sent; not a general SDP library.
//!
//! ```
//! use sip_ua::sdp::{Direction, Sdp};
//! let offer = Sdp::offer("127.0.0.1:40000".parse().unwrap());
//! let answer = Sdp::parse(&offer.answer("127.0.0.1:40002".parse().unwrap()).to_string()).unwrap();
//! assert_eq!(answer.media, "127.0.0.1:40002".parse().unwrap());
//! assert_eq!(answer.formats, [8, 101]);
//! let hold = offer.next_version().with_direction(Direction::SendOnly);
//! assert_eq!(hold.answer(answer.media).direction, Direction::RecvOnly);
//! ```

use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// PCMA (G.711 A-law), the static payload type 8 (RFC 3551 §6).
pub const PCMA: u8 = 8;
/// PCMU (G.711 µ-law), the static payload type 0 (RFC 3551 §6).
pub const PCMU: u8 = 0;
/// The dynamic payload type test phones use for telephone-event (RFC 4733).
pub const TELEPHONE_EVENT: u8 = 101;

/// The media direction attribute (RFC 3264 §5.1, §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `a=sendrecv`, the default.
    SendRecv,
    /// `a=sendonly`: the sender holds the call.
    SendOnly,
    /// `a=recvonly`: the answer to `sendonly`.
    RecvOnly,
    /// `a=inactive`.
    Inactive,
}

impl Direction {
    /// The attribute name.
    pub fn name(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// The direction an answer takes to an offer with this one (RFC 3264 §6.1).
    pub fn answer(self) -> Direction {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            other => other,
        }
    }

    fn parse(name: &str) -> Option<Direction> {
        [
            Direction::SendRecv,
            Direction::SendOnly,
            Direction::RecvOnly,
            Direction::Inactive,
        ]
        .into_iter()
        .find(|d| d.name() == name)
    }
}

/// One audio session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sdp {
    /// `o=` session id.
    pub session_id: u64,
    /// `o=` version; a changed description (hold, resume) counts it up (RFC 3264 §8).
    pub version: u64,
    /// Where the media goes: `c=` address and `m=` port.
    pub media: SocketAddr,
    /// The payload types of the `m=` line, preferred first.
    pub formats: Vec<u8>,
    /// `a=rtpmap` lines: payload type and encoding (`PCMA/8000`).
    pub rtpmaps: Vec<(u8, String)>,
    /// The direction attribute (`sendrecv` when none is given).
    pub direction: Direction,
}

/// Why a description could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    /// A line is not `x=value`, or a value does not parse.
    #[error("line {line}: {why}")]
    Line {
        /// Which line, from 1.
        line: usize,
        /// What was wrong.
        why: &'static str,
    },
    /// A required line is missing.
    #[error("no {0} line")]
    Missing(&'static str),
}

fn encoding(pt: u8) -> Option<&'static str> {
    match pt {
        PCMA => Some("PCMA/8000"),
        PCMU => Some("PCMU/8000"),
        TELEPHONE_EVENT => Some("telephone-event/8000"),
        _ => None,
    }
}

impl Sdp {
    /// An offer for audio at `media`: PCMA, PCMU and telephone-event, `sendrecv`.
    pub fn offer(media: SocketAddr) -> Sdp {
        Sdp::with_formats(media, &[PCMA, PCMU, TELEPHONE_EVENT])
    }

    /// A description with these (known) payload types.
    pub fn with_formats(media: SocketAddr, formats: &[u8]) -> Sdp {
        Sdp {
            session_id: u64::from(media.port()) * 1000 + 1,
            version: 1,
            media,
            formats: formats.to_vec(),
            rtpmaps: formats
                .iter()
                .filter_map(|pt| encoding(*pt).map(|e| (*pt, e.to_owned())))
                .collect(),
            direction: Direction::SendRecv,
        }
    }

    /// The answer to this offer with our media at `media` (RFC 3264 §6.1): the first
    /// audio codec offered that we know (PCMA or PCMU) and telephone-event if offered;
    /// the direction mirrored.
    pub fn answer(&self, media: SocketAddr) -> Sdp {
        let codec = self.formats.iter().find(|pt| matches!(**pt, PCMA | PCMU));
        let event = self.formats.iter().find(|pt| {
            self.rtpmaps
                .iter()
                .any(|(p, e)| p == *pt && e.starts_with("telephone-event"))
        });
        let formats: Vec<u8> = codec.into_iter().chain(event).copied().collect();
        let mut answer = Sdp::with_formats(media, &formats);
        // The offer's names for its payload types, ours for static ones it left unnamed.
        answer.rtpmaps = formats
            .iter()
            .filter_map(|pt| {
                let named = self.rtpmaps.iter().find(|(p, _)| p == pt).cloned();
                named.or_else(|| encoding(*pt).map(|e| (*pt, e.to_owned())))
            })
            .collect();
        answer.direction = self.direction.answer();
        answer
    }

    /// The same description with another direction.
    pub fn with_direction(mut self, direction: Direction) -> Sdp {
        self.direction = direction;
        self
    }

    /// The same session, version counted up (for a new offer inside the call).
    pub fn next_version(&self) -> Sdp {
        Sdp {
            version: self.version + 1,
            ..self.clone()
        }
    }

    /// The first audio codec (PCMA or PCMU), when there is one.
    pub fn codec(&self) -> Option<u8> {
        self.formats
            .iter()
            .copied()
            .find(|pt| matches!(*pt, PCMA | PCMU))
    }

    /// Reads a description; `s=`, `t=` and unknown attributes are skipped.
    pub fn parse(text: &str) -> Result<Sdp, SdpError> {
        let mut origin = None;
        let mut address: Option<IpAddr> = None;
        let mut media: Option<(u16, Vec<u8>)> = None;
        let mut rtpmaps = Vec::new();
        let mut direction = Direction::SendRecv;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            let bad = |why| SdpError::Line { line: i + 1, why };
            let (kind, value) = line.split_once('=').ok_or(bad("not x=value"))?;
            match kind {
                "o" => {
                    let f: Vec<&str> = value.split_whitespace().collect();
                    let id = f.get(1).and_then(|v| v.parse().ok());
                    let version = f.get(2).and_then(|v| v.parse().ok());
                    origin = Some(id.zip(version).ok_or(bad("o= needs id and version"))?);
                }
                // RFC 4566 §5.7: a media-level c= overrides the session one; one audio
                // stream makes the last one the right one either way.
                "c" => {
                    let addr = value.split_whitespace().nth(2).ok_or(bad("c= address"))?;
                    address = Some(addr.parse().map_err(|_| bad("c= address"))?);
                }
                "m" => {
                    let f: Vec<&str> = value.split_whitespace().collect();
                    if f.first() != Some(&"audio") || f.len() < 4 {
                        return Err(bad("only m=audio PORT RTP/AVP FORMATS"));
                    }
                    let port = f[1].parse().map_err(|_| bad("m= port"))?;
                    let formats = f[3..]
                        .iter()
                        .map(|pt| pt.parse::<u8>())
                        .collect::<Result<Vec<u8>, _>>()
                        .map_err(|_| bad("m= payload type"))?;
                    media = Some((port, formats));
                }
                "a" => {
                    if let Some(map) = value.strip_prefix("rtpmap:") {
                        let (pt, name) = map.split_once(' ').ok_or(bad("rtpmap"))?;
                        let pt = pt.parse().map_err(|_| bad("rtpmap payload type"))?;
                        rtpmaps.push((pt, name.trim().to_owned()));
                    } else if let Some(d) = Direction::parse(value) {
                        direction = d;
                    }
                }
                _ => {}
            }
        }
        let (session_id, version) = origin.ok_or(SdpError::Missing("o="))?;
        let address = address.ok_or(SdpError::Missing("c="))?;
        let (port, formats) = media.ok_or(SdpError::Missing("m=audio"))?;
        Ok(Sdp {
            session_id,
            version,
            media: SocketAddr::new(address, port),
            formats,
            rtpmaps,
            direction,
        })
    }
}

impl fmt::Display for Sdp {
    /// The wire form, CRLF line ends (RFC 4566 §5).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ip = self.media.ip();
        let family = if ip.is_ipv4() { "IP4" } else { "IP6" };
        write!(f, "v=0\r\n")?;
        write!(
            f,
            "o=testkit {} {} IN {family} {ip}\r\n",
            self.session_id, self.version
        )?;
        write!(f, "s=-\r\nc=IN {family} {ip}\r\nt=0 0\r\n")?;
        write!(f, "m=audio {} RTP/AVP", self.media.port())?;
        for pt in &self.formats {
            write!(f, " {pt}")?;
        }
        write!(f, "\r\n")?;
        for (pt, name) in &self.rtpmaps {
            write!(f, "a=rtpmap:{pt} {name}\r\n")?;
            if name.starts_with("telephone-event") {
                write!(f, "a=fmtp:{pt} 0-16\r\n")?;
            }
        }
        write!(f, "a={}\r\n", self.direction.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(a: &str) -> SocketAddr {
        a.parse().unwrap()
    }

    #[test]
    fn an_offer_is_read_back_as_written() {
        let offer = Sdp::offer(at("192.0.2.5:4000"));
        let text = offer.to_string();
        assert!(text.contains("m=audio 4000 RTP/AVP 8 0 101\r\n"), "{text}");
        assert!(text.contains("c=IN IP4 192.0.2.5\r\n"), "{text}");
        assert!(text.contains("a=rtpmap:8 PCMA/8000\r\n"), "{text}");
        assert!(text.ends_with("a=sendrecv\r\n"), "{text}");
        assert_eq!(Sdp::parse(&text).unwrap(), offer);
    }

    #[test]
    fn the_answer_picks_the_first_known_codec_and_mirrors_hold() {
        // A foreign offer: PCMU first, its own event payload type, media-level c=.
        let text = "v=0\r\no=x 77 3 IN IP4 10.0.0.1\r\ns=call\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n\
                    m=audio 5004 RTP/AVP 18 0 8 96\r\nc=IN IP4 10.0.0.9\r\na=rtpmap:18 G729/8000\r\n\
                    a=rtpmap:96 telephone-event/8000\r\na=ptime:20\r\na=sendonly\r\n";
        let offer = Sdp::parse(text).unwrap();
        assert_eq!(offer.media, at("10.0.0.9:5004"));
        assert_eq!((offer.session_id, offer.version), (77, 3));
        assert_eq!(offer.direction, Direction::SendOnly);
        assert_eq!(offer.codec(), Some(PCMU));
        let answer = offer.answer(at("10.0.0.2:6000"));
        assert_eq!(answer.formats, [PCMU, 96]);
        assert_eq!(answer.direction, Direction::RecvOnly);
        let names: Vec<(u8, &str)> = answer.rtpmaps.iter().map(|(p, n)| (*p, &n[..])).collect();
        assert_eq!(names, [(PCMU, "PCMU/8000"), (96, "telephone-event/8000")]);
    }

    #[test]
    fn a_new_offer_counts_the_version_up() {
        let offer = Sdp::offer(at("127.0.0.1:1"));
        let hold = offer.next_version().with_direction(Direction::SendOnly);
        assert_eq!((hold.session_id, hold.version), (offer.session_id, 2));
        assert_eq!(Sdp::parse(&hold.to_string()).unwrap(), hold);
    }

    #[test]
    fn broken_descriptions_say_why() {
        assert_eq!(
            Sdp::parse("v=0\r\no=x 1 1 IN IP4 h\r\nm=audio 1 RTP/AVP 8\r\n"),
            Err(SdpError::Missing("c="))
        );
        assert_eq!(
            Sdp::parse("v=0\r\nc=IN IP4 nonsense\r\n"),
            Err(SdpError::Line {
                line: 2,
                why: "c= address"
            })
        );
        assert!(Sdp::parse("m=video 1 RTP/AVP 31").is_err());
    }
}
