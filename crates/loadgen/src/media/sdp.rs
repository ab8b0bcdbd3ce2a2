//! The SDP of the simulated phones and what the load tool reads back from the relay's
//! rewritten SDP: the address media must go to (RFC 8866 §5.7 `c=`, §5.14 `m=`).

use std::net::{Ipv4Addr, SocketAddrV4};

/// The offer or answer of one phone: G.711 A-law (PCMA, payload type 8) and DTMF events
/// (101) at `port` on the loopback address.
pub fn phone_sdp(session_id: u64, port: u16) -> String {
    format!(
        "v=0\r\n\
         o=- {session_id} 1 IN IP4 127.0.0.1\r\n\
         s=durchwahl-load\r\n\
         c=IN IP4 127.0.0.1\r\n\
         t=0 0\r\n\
         m=audio {port} RTP/AVP 8 101\r\n\
         a=rtpmap:8 PCMA/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\n\
         a=fmtp:101 0-15\r\n\
         a=ptime:20\r\n\
         a=sendrecv\r\n"
    )
}

/// Where the first audio stream of `sdp` wants its RTP: the `c=` of the media section if
/// it has one, else the session's, and the port of `m=audio`.
pub fn audio_address(sdp: &str) -> Result<SocketAddrV4, String> {
    let mut session_addr = None;
    let mut media: Option<(u16, Option<Ipv4Addr>)> = None;
    for line in sdp.lines().map(str::trim_end) {
        if let Some(rest) = line.strip_prefix("m=") {
            if media.is_some() {
                break; // only the first audio section
            }
            let mut fields = rest.split(' ');
            if fields.next() == Some("audio") {
                let port = fields
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or_else(|| format!("bad m= line {line:?}"))?;
                media = Some((port, None));
            }
        } else if let Some(rest) = line.strip_prefix("c=") {
            let addr = rest
                .strip_prefix("IN IP4 ")
                .and_then(|a| a.split('/').next()?.parse::<Ipv4Addr>().ok())
                .ok_or_else(|| format!("not an IPv4 c= line: {line:?}"))?;
            match &mut media {
                Some((_, media_addr)) => *media_addr = Some(addr),
                None => session_addr = Some(addr),
            }
        }
    }
    let (port, media_addr) = media.ok_or("no m=audio line")?;
    let addr = media_addr
        .or(session_addr)
        .ok_or("no c= line for the audio stream")?;
    if port == 0 {
        return Err("the audio stream is rejected (port 0)".into());
    }
    Ok(SocketAddrV4::new(addr, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rtpengine_s_rewritten_offer() {
        // rtpengine 10.5's answer to `offer` with phone_sdp(1, 5000).
        let sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                   m=audio 30000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n\
                   a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\na=rtcp:30001\r\n";
        assert_eq!(audio_address(sdp), Ok("127.0.0.1:30000".parse().unwrap()));
    }

    #[test]
    fn media_level_connection_wins_and_errors_are_clear() {
        let sdp = "v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 8\r\nc=IN IP4 127.0.0.2\r\n\
                   m=audio 4002 RTP/AVP 0\r\nc=IN IP4 127.0.0.3\r\n";
        assert_eq!(audio_address(sdp), Ok("127.0.0.2:4000".parse().unwrap()));
        assert!(audio_address("v=0\r\n").unwrap_err().contains("m=audio"));
        assert!(audio_address("m=audio 4000 RTP/AVP 8\n")
            .unwrap_err()
            .contains("c="));
        assert!(audio_address("c=IN IP6 ::1\nm=audio 1 RTP/AVP 8").is_err());
        assert!(audio_address("c=IN IP4 127.0.0.1\nm=audio 0 RTP/AVP 8").is_err());
        let own = phone_sdp(7, 5004);
        assert_eq!(audio_address(&own), Ok("127.0.0.1:5004".parse().unwrap()));
    }
}
