//! Ports: each address the configuration listens on is free to bind, or held by a running
//! Durchwahl (seen in `/proc`: the listening socket's inode among the process's open files).
//! Anything else holding it, or no permission to bind a port below 1024, is red.

use super::finding::Finding;
use std::io::ErrorKind;
use std::net::{SocketAddr, TcpListener, UdpSocket};

/// TCP or UDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    /// TCP (HTTP, SIP over TCP and TLS).
    Tcp,
    /// UDP (SIP, media, the ng control port).
    Udp,
}

impl Proto {
    fn name(self) -> &'static str {
        match self {
            Proto::Tcp => "TCP",
            Proto::Udp => "UDP",
        }
    }
}

/// One listening address and the configuration key that sets it.
#[derive(Debug, Clone)]
pub struct Listen {
    /// What listens there, e.g. `HTTP`.
    pub what: &'static str,
    /// The key to change, e.g. `[http] listen`.
    pub key: &'static str,
    /// The address.
    pub at: SocketAddr,
    /// TCP or UDP.
    pub proto: Proto,
}

/// A finding for one address.
pub fn check(listen: &Listen) -> Finding {
    let check = format!(
        "{} port {} ({})",
        listen.what,
        listen.at,
        listen.proto.name()
    );
    let bound = match listen.proto {
        Proto::Tcp => TcpListener::bind(listen.at).map(drop),
        Proto::Udp => UdpSocket::bind(listen.at).map(drop),
    };
    match bound {
        Ok(()) => Finding::green(check, "free"),
        Err(e) if e.kind() == ErrorKind::AddrInUse => match owner(listen.proto, listen.at.port()) {
            Some((pid, name)) if name == "durchwahl" => Finding::green(
                check,
                format!("in use by the running Durchwahl (pid {pid})"),
            ),
            Some((pid, name)) => Finding::red(
                check,
                format!("in use by {name} (pid {pid})"),
                format!("stop {name}, or choose another address in {}", listen.key),
            ),
            None => Finding::red(
                check,
                "in use by another program",
                format!(
                    "find it with `ss -lntup 'sport = :{}'` (as root), stop it, or choose another \
                     address in {}",
                    listen.at.port(),
                    listen.key
                ),
            ),
        },
        Err(e) if e.kind() == ErrorKind::PermissionDenied => Finding::red(
            check,
            "no permission to bind it",
            "ports below 1024 need root or the capability CAP_NET_BIND_SERVICE (the Debian \
             package's systemd unit grants it: AmbientCapabilities=CAP_NET_BIND_SERVICE)",
        ),
        Err(e) if e.kind() == ErrorKind::AddrNotAvailable => Finding::red(
            check,
            "this machine has no such address",
            format!(
                "use one of the machine's addresses (or 0.0.0.0) in {}",
                listen.key
            ),
        ),
        Err(e) => Finding::red(
            check,
            format!("cannot bind: {e}"),
            format!("check {}", listen.key),
        ),
    }
}

/// The media ports: how many of the range can be bound now (a running Durchwahl holds
/// those of its calls).
pub fn check_range(first: u16, last: u16, bind: std::net::IpAddr) -> Finding {
    let check = format!("media ports {bind} {first}-{last} (UDP)");
    let total = usize::from(last - first) + 1;
    let mut free = 0usize;
    let mut denied = false;
    for port in first..=last {
        match UdpSocket::bind((bind, port)) {
            Ok(_) => free += 1,
            Err(e) if e.kind() == ErrorKind::PermissionDenied => denied = true,
            Err(_) => {}
        }
    }
    if denied {
        return Finding::red(
            check,
            "no permission to bind them",
            "choose ports above 1024 in [media] port_range",
        );
    }
    // Each call leg takes two ports; fewer than 20 free means fewer than ten calls.
    if free == 0 {
        Finding::red(
            check,
            format!("none of {total} free"),
            "stop what holds them, or choose another [media] port_range",
        )
    } else if free < total && free < 20 {
        Finding::amber(
            check,
            format!("{free} of {total} free"),
            "widen [media] port_range: each call leg takes two ports",
        )
    } else {
        Finding::green(check, format!("{free} of {total} free"))
    }
}

/// The process listening on `port`, from `/proc/net/*` and `/proc/*/fd` (pid and command
/// name); none when it cannot be seen (another user's process without root).
fn owner(proto: Proto, port: u16) -> Option<(u32, String)> {
    let tables: &[&str] = match proto {
        Proto::Tcp => &["/proc/net/tcp", "/proc/net/tcp6"],
        Proto::Udp => &["/proc/net/udp", "/proc/net/udp6"],
    };
    let inode = tables
        .iter()
        .filter_map(|t| std::fs::read_to_string(t).ok())
        .find_map(|table| socket_inode(&table, port, proto == Proto::Tcp))?;
    let wanted = format!("socket:[{inode}]");
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        let holds = fds.flatten().any(|fd| {
            std::fs::read_link(fd.path()).is_ok_and(|l| l.as_os_str() == wanted.as_str())
        });
        if holds {
            let name = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
            return Some((pid, name.trim().to_string()));
        }
    }
    None
}

/// The inode of the socket bound to `port` in a `/proc/net/{tcp,udp}[6]` table (for TCP
/// only a listening one: state `0A`).
fn socket_inode(table: &str, port: u16, listening_only: bool) -> Option<u64> {
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let local = fields.get(1)?;
        let (_, hex_port) = local.rsplit_once(':')?;
        if u16::from_str_radix(hex_port, 16).ok()? != port {
            return None;
        }
        if listening_only && fields.get(3) != Some(&"0A") {
            return None;
        }
        fields.get(9)?.parse().ok().filter(|&inode| inode != 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::finding::Status;

    #[test]
    fn a_held_port_is_red_and_names_its_holder_a_free_one_green() {
        let held = TcpListener::bind("127.0.0.1:0").unwrap();
        let at = held.local_addr().unwrap();
        let listen = Listen {
            what: "HTTP",
            key: "[http] listen",
            at,
            proto: Proto::Tcp,
        };
        let finding = check(&listen);
        // This test's own process holds it (named durchwahl-HASH: not the server).
        assert_eq!(finding.status, Status::Red, "{finding:?}");
        assert!(
            finding
                .detail
                .contains(&format!("pid {}", std::process::id())),
            "{finding:?}"
        );
        drop(held);
        assert_eq!(check(&listen).status, Status::Green);
    }

    #[test]
    fn the_proc_table_is_read_by_port_and_state() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   \
            0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0\n   \
            1: 0100007F:1F91 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0 100 0 0 10 0\n";
        assert_eq!(socket_inode(table, 8080, true), Some(4242));
        assert_eq!(
            socket_inode(table, 8081, true),
            None,
            "an established connection"
        );
        assert_eq!(socket_inode(table, 8081, false), Some(4343));
        assert_eq!(socket_inode("garbage\nx y\n", 1, false), None);
    }
}
