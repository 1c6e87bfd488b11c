//! Choosing free loopback ports and checking that rsyslogd bound them.

use std::collections::HashSet;
use std::io;
use std::net::{Ipv4Addr, TcpListener, UdpSocket};

use super::builder::Config;

/// The listener ports of an instance; `None` for a listener that is off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Ports {
    pub(super) udp: Option<u16>,
    pub(super) tcp: Option<u16>,
    pub(super) tls: Option<u16>,
    pub(super) relp: Option<u16>,
    pub(super) relp_tls: Option<u16>,
}

// === impl Ports ===

impl Ports {
    /// Free ports on 127.0.0.1 for the enabled listeners, all different.
    ///
    /// The kernel picks them (bind to port 0); the sockets are held until all
    /// are chosen, then closed, so rsyslogd can bind them a moment later. Some
    /// other process may take one meanwhile: the caller retries then.
    pub(super) fn pick(config: &Config) -> io::Result<Self> {
        let Config {
            udp,
            tcp,
            tls,
            relp,
            relp_tls,
            ..
        } = *config;
        let mut udp_socket = None;
        let mut tcp_sockets = Vec::new();
        let mut taken = HashSet::new();
        let udp = if udp {
            let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
            let port = socket.local_addr()?.port();
            udp_socket = Some(socket);
            taken.insert(port);
            Some(port)
        } else {
            None
        };
        let mut pick_tcp = |enabled: bool| -> io::Result<Option<u16>> {
            if !enabled {
                return Ok(None);
            }
            // A TCP port may equal the UDP one (separate namespaces), but two
            // equal ports would confuse a reader of the config: pick again.
            for _ in 0..16 {
                let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
                let port = listener.local_addr()?.port();
                tcp_sockets.push(listener);
                if taken.insert(port) {
                    return Ok(Some(port));
                }
            }
            Err(io::Error::other("no distinct free TCP port in 16 tries"))
        };
        let tcp = pick_tcp(tcp)?;
        let tls = pick_tcp(tls)?;
        let relp = pick_tcp(relp)?;
        let relp_tls = pick_tcp(relp_tls)?;
        drop((udp_socket, tcp_sockets));
        Ok(Self {
            udp,
            tcp,
            tls,
            relp,
            relp_tls,
        })
    }

    /// The ports of the stream listeners (TCP, TLS, RELP, RELP over TLS).
    pub(super) fn streams(self) -> impl Iterator<Item = u16> {
        [self.tcp, self.tls, self.relp, self.relp_tls]
            .into_iter()
            .flatten()
    }

    /// The bound ports, for messages.
    pub(super) fn describe(self) -> String {
        let show = |p: Option<u16>| p.map_or_else(|| "off".to_string(), |p| p.to_string());
        format!(
            "udp {}, tcp {}, tls {}, relp {}, relp-tls {}",
            show(self.udp),
            show(self.tcp),
            show(self.tls),
            show(self.relp),
            show(self.relp_tls)
        )
    }
}

/// Whether every enabled port is bound on 127.0.0.1 by process `pid` (a TCP
/// port must be listening), judged from `/proc` without connecting.
pub(super) fn all_bound_by(pid: u32, ports: Ports) -> bool {
    let Some(inodes) = socket_inodes(pid) else {
        return false;
    };
    let udp = ports
        .udp
        .is_none_or(|p| bound_in(&inodes, "/proc/net/udp", p, false));
    udp && ports
        .streams()
        .all(|p| bound_in(&inodes, "/proc/net/tcp", p, true))
}

/// The inodes of the sockets process `pid` has open.
fn socket_inodes(pid: u32) -> Option<HashSet<u64>> {
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    let inodes: HashSet<u64> = fds
        .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
        .filter_map(|target| {
            let target = target.to_str()?;
            target
                .strip_prefix("socket:[")?
                .strip_suffix(']')?
                .parse()
                .ok()
        })
        .collect();
    (!inodes.is_empty()).then_some(inodes)
}

/// Whether a line of `table` (`/proc/net/tcp` or `/proc/net/udp`) has local
/// address 127.0.0.1:`port`, one of `inodes`, and (for TCP) state LISTEN.
fn bound_in(inodes: &HashSet<u64>, table: &str, port: u16, listening: bool) -> bool {
    let Ok(text) = std::fs::read_to_string(table) else {
        return false;
    };
    let local = format!("0100007F:{port:04X}");
    text.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.len() > 9
            && fields[1] == local
            && (!listening || fields[3] == "0A")
            && fields[9].parse().is_ok_and(|inode| inodes.contains(&inode))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_distinct_ports_for_enabled_listeners_only() {
        let all = Config {
            relp_tls: true,
            ..Config::default()
        };
        let ports = Ports::pick(&all).unwrap();
        let mut picked: Vec<u16> = ports.streams().chain(ports.udp).collect();
        assert_eq!(picked.len(), 5, "{ports:?}");
        picked.sort_unstable();
        picked.dedup();
        assert_eq!(picked.len(), 5, "{ports:?}");
        let tcp_only = Config {
            udp: false,
            tls: false,
            relp: false,
            ..Config::default()
        };
        let ports = Ports::pick(&tcp_only).unwrap();
        assert_eq!(
            (ports.udp, ports.tls, ports.relp, ports.relp_tls),
            (None, None, None, None)
        );
        assert!(ports.tcp.is_some());
    }

    #[test]
    fn sees_a_listening_socket_of_this_process() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let udp = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let ports = Ports {
            udp: Some(udp.local_addr().unwrap().port()),
            tcp: Some(listener.local_addr().unwrap().port()),
            tls: None,
            relp: None,
            relp_tls: None,
        };
        assert!(all_bound_by(std::process::id(), ports));
        drop(listener);
        assert!(!all_bound_by(std::process::id(), ports));
    }
}
