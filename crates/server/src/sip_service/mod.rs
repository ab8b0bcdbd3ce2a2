//! The SIP service, the shell around the sans-IO switch (`telephony`): one task owns the
//! switch and the UDP socket; TCP, TLS and WebSocket connections have their own tasks
//! ([`stream`], [`websocket`], tracked in [`conns`]); a writer task saves registrations
//! ([`database`]); another reads the voicemail boxes desk phones watch ([`mwi`]). After
//! every input the task drains what the switch wants sent and done, then sleeps until the
//! next input or the switch's next deadline. It knows nothing of HTTP: the web server
//! hands WebSockets over through a channel, and changes made elsewhere arrive on `live`'s
//! event bus.

pub mod config;
mod conns;
mod database;
mod mwi;
mod stream;
pub(crate) mod websocket;

use self::conns::Sent;
use self::stream::Inbound;
use anyhow::Context;
use bytes::Bytes;
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use store::Store;
use telephony::{Flow, Notice, Settings, Switch, Transport};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::mpsc;

/// The TLS acceptor for the certificate as it is now (renewals apply to the next
/// handshake).
pub type TlsSource = std::sync::Arc<dyn Fn() -> tokio_rustls::TlsAcceptor + Send + Sync>;

/// How often the device table is checked for changes made by another process (the CLI);
/// changes made in this one come over the bus at once.
const RELOAD: Duration = Duration::from_secs(30);
/// How often forwarding rules are checked for changes made by another process.
const FORWARDING_POLL: Duration = Duration::from_secs(30);
/// Every this many [`RELOAD`] rounds the devices are read even without a change seen.
const FULL_RELOAD: u64 = 10;
/// Datagrams handled in one go before the task looks at its other inputs.
const BURST: usize = 256;

/// The bound sockets: UDP and TCP on the same port, TLS and WebSocket when configured.
pub struct Listeners {
    /// UDP.
    pub udp: UdpSocket,
    /// TCP.
    pub tcp: TcpListener,
    /// TLS, with its certificate (reloaded in place when the files change).
    pub tls: Option<(TcpListener, TlsSource)>,
    /// WebSockets handed over by the HTTP server's `/sip`.
    pub websockets: Option<mpsc::Receiver<crate::sip_service::websocket::SipSocket>>,
    /// Asks for the switch's figures (`/metrics`), answered from the switch's state.
    pub figures: Option<mpsc::Receiver<FiguresAsk>>,
}

/// An ask for the switch's figures, answered on the loop between two inputs.
pub type FiguresAsk = tokio::sync::oneshot::Sender<web::metrics::services::SipFigures>;

impl Listeners {
    /// The bound address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.udp.local_addr()
    }
}

/// Binds UDP and TCP on `addr`; with port 0, on one free port for both.
pub async fn bind(addr: SocketAddr) -> anyhow::Result<Listeners> {
    let what = || format!("cannot listen for SIP on {addr}");
    for _ in 0..20 {
        let udp = UdpSocket::bind(addr).await.with_context(what)?;
        size_buffers(&udp);
        let port = udp.local_addr()?.port();
        match TcpListener::bind(SocketAddr::new(addr.ip(), port)).await {
            Ok(tcp) => {
                return Ok(Listeners {
                    udp,
                    tcp,
                    tls: None,
                    websockets: None,
                    figures: None,
                })
            }
            Err(_) if addr.port() == 0 => continue,
            Err(e) => return Err(e).with_context(what),
        }
    }
    anyhow::bail!("{}: no port free for both UDP and TCP", what())
}

/// Socket buffers that ride out a burst: a whole office's phones re-registering after a
/// power cut, or a moment the SIP task waits for the CPU, would otherwise overflow the
/// default ~200 KB and the phones' retransmissions add to the load. The kernel caps the
/// sizes at net.core.rmem_max / wmem_max; failing to set them is not an error.
fn size_buffers(udp: &UdpSocket) {
    let socket = socket2::SockRef::from(udp);
    if let Err(error) = socket.set_recv_buffer_size(UDP_RECEIVE_BUFFER) {
        tracing::debug!(%error, "could not enlarge the SIP receive buffer");
    }
    if let Err(error) = socket.set_send_buffer_size(UDP_SEND_BUFFER) {
        tracing::debug!(%error, "could not enlarge the SIP send buffer");
    }
}

/// Receive buffer asked for (8,000 typical datagrams).
const UDP_RECEIVE_BUFFER: usize = 4 << 20;
/// Send buffer asked for.
const UDP_SEND_BUFFER: usize = 1 << 20;

/// What the service needs besides sockets and store.
#[derive(Debug, Clone)]
pub struct Options {
    /// SIP domain and realm.
    pub domain: String,
    /// Address written into Via and Record-Route, when not the listen address.
    pub advertise: Option<IpAddr>,
    /// Ring timeout, milliseconds.
    pub ring_timeout_ms: i64,
    /// SHA-256 challenge before MD5.
    pub sha256_first: bool,
    /// Offer a SHA-256 challenge at all.
    pub offer_sha256: bool,
    /// Requests per second per address (0: no limit).
    pub rate_limit_per_source: u32,
    /// Call control's SIP address (trusted; people's browsers are rung there).
    pub b2bua: Option<SocketAddr>,
    /// Every phone call's media through the relay (`[media] relay = "always"`).
    pub relay_always: bool,
}

/// The address phones reach us at: configured, else the listen address, else (listening
/// on all) the address of the default route.
fn advertised(options: &Options, local: SocketAddr) -> SocketAddr {
    let ip = options.advertise.unwrap_or_else(|| {
        if !local.ip().is_unspecified() {
            return local.ip();
        }
        // Connecting a UDP socket sends nothing; it only picks the outgoing address.
        std::net::UdpSocket::bind("0.0.0.0:0")
            .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
            .and_then(|s| s.local_addr())
            .map_or(IpAddr::from([127, 0, 0, 1]), |a| a.ip())
    });
    SocketAddr::new(ip, local.port())
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes).expect("the operating system random generator failed");
    bytes
}

/// Starts the SIP service on a thread of its own (a single-threaded runtime: the switch
/// is one task, and its sockets' readiness and its own work stay on one core without
/// hand-overs between worker threads); the database writer and the reloaders stay on the
/// caller's runtime. The receiver gets the service's result when it ends.
pub fn spawn(
    listeners: Listeners,
    options: Options,
    store: Store,
    live: live::Live,
    ready: tokio::sync::oneshot::Sender<()>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<tokio::sync::oneshot::Receiver<anyhow::Result<()>>> {
    let background = tokio::runtime::Handle::current();
    let (done, result) = tokio::sync::oneshot::channel();
    let Listeners {
        udp,
        tcp,
        tls,
        websockets,
        figures,
    } = listeners;
    // The sockets move to the new runtime's reactor.
    let (udp, tcp) = (udp.into_std()?, tcp.into_std()?);
    let tls = match tls {
        Some((listener, config)) => Some((listener.into_std()?, config)),
        None => None,
    };
    std::thread::Builder::new()
        .name("durchwahl-sip".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            let outcome = match runtime {
                Ok(runtime) => runtime.block_on(async move {
                    let listeners = Listeners {
                        udp: UdpSocket::from_std(udp)?,
                        tcp: TcpListener::from_std(tcp)?,
                        tls: match tls {
                            Some((l, config)) => Some((TcpListener::from_std(l)?, config)),
                            None => None,
                        },
                        websockets,
                        figures,
                    };
                    run(listeners, options, store, live, ready, shutdown, background).await
                }),
                Err(error) => Err(anyhow::Error::from(error).context("no runtime for SIP")),
            };
            let _ = done.send(outcome);
        })?;
    Ok(result)
}

/// Runs the SIP service until `shutdown` completes; background work (the database
/// writer, reloads, chat posts) goes to `background`.
async fn run(
    listeners: Listeners,
    options: Options,
    store: Store,
    live: live::Live,
    ready: tokio::sync::oneshot::Sender<()>,
    shutdown: impl Future<Output = ()>,
    background: tokio::runtime::Handle,
) -> anyhow::Result<()> {
    let clock = live.clock().clone();
    let now_ms = || clock.now_ms();
    let local = listeners.local_addr()?;
    let mut settings = Settings::new(&options.domain, advertised(&options, local));
    settings.ring_timeout_ms = options.ring_timeout_ms;
    settings.sha256_first = options.sha256_first;
    settings.offer_sha256 = options.offer_sha256;
    settings.tls_port = match &listeners.tls {
        Some((listener, _)) => Some(listener.local_addr()?.port()),
        None => None,
    };
    settings.protection.rate_per_sec = options.rate_limit_per_source;
    settings.protection.burst = options.rate_limit_per_source.saturating_mul(2);
    settings.b2bua = options.b2bua;
    settings.relay_always = options.relay_always;
    // Database work runs on the background runtime: a connection the pool opens there
    // stays served by that runtime's reactor, not by this busy thread.
    let (accounts, bindings, forwarding) = {
        let store = store.clone();
        let now = now_ms();
        background
            .spawn(async move {
                let accounts = database::load_accounts(&store).await?;
                let bindings = store.load_bindings(now).await?;
                let forwarding = store.forwarding_by_extension().await?;
                anyhow::Ok((accounts, bindings, forwarding))
            })
            .await??
    };
    let key = sip::digest::NonceKey::new(random::<32>().to_vec());
    let mut switch = Switch::new(settings, accounts, key, u64::from_le_bytes(random()));
    {
        // Only for the restore: dropped before the loop (100,000 devices: 5 MB).
        let users: HashMap<i64, String> = switch
            .accounts()
            .iter()
            .map(|a| (a.device_id, a.sip_username.clone()))
            .collect();
        for b in bindings {
            if let Some((device, binding)) = database::restored(b) {
                if let Some(user) = users.get(&device) {
                    switch.restore(user, binding);
                }
            }
        }
    }
    tracing::info!(
        devices = switch.accounts().len(),
        registrations = switch.registrations(),
        "SIP service ready"
    );
    // Only now may phones count on answers: until the devices are read, requests wait
    // in the socket and would be answered late (phones retransmit after 500 ms).
    let _ = ready.send(());
    let (changes, changes_rx) = mpsc::channel(REGISTRATION_WRITE_QUEUE);
    let (saved_tx, mut saved) = mpsc::channel(REGISTRATION_WRITE_QUEUE);
    let writer = background.spawn(database::writer(store.clone(), changes_rx, saved_tx));
    let (accounts_tx, mut accounts_rx) = mpsc::channel(1);
    let reloader = background.spawn(reload_accounts(
        store.clone(),
        live.bus().subscribe_changes(),
        accounts_tx,
    ));
    switch.set_forwarding(forwarding.clone());
    let (forwarding_tx, mut forwarding_rx) = mpsc::channel(1);
    let forwarding_watch = background.spawn(reload_forwarding(
        store.clone(),
        live.bus().subscribe_changes(),
        forwarding,
        forwarding_tx,
    ));
    let (browsers_tx, mut browsers_rx) = mpsc::channel(1_024);
    let browsers_watch = background.spawn(watch_browsers(
        store.clone(),
        live.clone(),
        live.bus().subscribe_changes(),
        browsers_tx,
    ));
    // Message-waiting lamps: the boxes phones watch, read when asked and when they change.
    let (voicemail_asks, asked) = mpsc::channel(mwi::ASKS_QUEUED);
    let (counts_tx, mut voicemail_counts) = mpsc::channel(1_024);
    let voicemail_watch = background.spawn(mwi::watch(
        store.clone(),
        live.clone(),
        live.bus().subscribe_changes(),
        asked,
        counts_tx,
    ));
    let (inbound_tx, mut inbound) = mpsc::channel::<Inbound>(10_000);
    // The team panel's states, for phones that watch colleagues' presence (PIDF): the
    // latest state of everyone who changed, however long the loop was busy.
    let (states, mut state_feed) = live.bus().subscribe_states();
    for (person, state) in states {
        switch.handle_presence(now_ms(), person, state);
    }
    let mut shell = Shell {
        udp: listeners.udp,
        conns: Default::default(),
        inbound: inbound_tx,
        changes,
        presence: {
            let (updates, pending) = mpsc::channel(PRESENCE_QUEUE);
            background.spawn(presence_updates(live.clone(), pending));
            updates
        },
        presence_overflow: HashMap::new(),
        voicemail_asks,
        live: live.clone(),
        background,
    };
    let tcp = listeners.tcp;
    let tls = listeners.tls;
    // After a failed accept (out of file descriptors) the listeners rest a moment
    // instead of failing again at once in a busy loop.
    let mut accept_after: Option<tokio::time::Instant> = None;
    let mut websockets = listeners.websockets;
    let mut figures = listeners.figures;
    let mut buf = vec![0u8; 65_536];
    tokio::pin!(shutdown);
    loop {
        let mut wait = switch
            .poll_timeout()
            .map_or(Duration::from_secs(3600), |at| {
                Duration::from_millis(u64::try_from(at - now_ms()).unwrap_or(0))
            });
        if !shell.presence_overflow.is_empty() {
            wait = wait.min(PRESENCE_RETRY); // presence updates wait for room
        }
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            received = shell.udp.recv_from(&mut buf) => {
                if let Ok((n, from)) = received {
                    feed(&mut switch, now_ms(), from, &buf[..n]);
                    for _ in 0..BURST {
                        match shell.udp.try_recv_from(&mut buf) {
                            Ok((n, from)) => feed(&mut switch, now_ms(), from, &buf[..n]),
                            Err(_) => break,
                        }
                    }
                }
            }
            Some(message) = inbound.recv() => match message {
                Inbound::Message(flow, message) => switch.handle_message(now_ms(), flow, message),
                Inbound::Datagram(flow, data) => feed_flow(&mut switch, now_ms(), flow, data),
                Inbound::Closed(flow, id) => {
                    if shell.conns.closed(flow, id) {
                        switch.handle_closed(now_ms(), flow);
                    }
                }
            },
            Some((ticket, ok)) = saved.recv() => {
                switch.handle_saved(now_ms(), ticket, ok);
                while let Ok((ticket, ok)) = saved.try_recv() {
                    switch.handle_saved(now_ms(), ticket, ok);
                }
            }
            Some(accounts) = accounts_rx.recv() => switch.set_accounts(now_ms(), accounts),
            Some(rules) = forwarding_rx.recv() => switch.set_forwarding(rules),
            Some((person, extension)) = browsers_rx.recv() => switch.set_browser(person, extension.as_deref()),
            Some((person, new, old)) = voicemail_counts.recv() => switch.handle_voicemail(now_ms(), person, new, old),
            changed = state_feed.changed() => {
                for (person, state) in changed {
                    switch.handle_presence(now_ms(), person, state);
                }
            }
            accepted = accept(&tcp, None, accept_after) => match accepted {
                Ok((stream, peer, _)) => {
                    accept_after = None;
                    shell.accepted(stream, peer, None);
                }
                Err(error) => accept_after = shell.accept_failed(&error),
            },
            accepted = accept_tls(tls.as_ref(), accept_after) => match accepted {
                Ok((stream, peer, acceptor)) => {
                    accept_after = None;
                    shell.accepted(stream, peer, acceptor);
                }
                Err(error) => accept_after = shell.accept_failed(&error),
            },
            Some(socket) = next_of(&mut websockets) => shell.websocket(socket),
            Some(ask) = next_of(&mut figures) => {
                let changes = &shell.changes;
                let _ = ask.send(web::metrics::services::SipFigures {
                    registrations: switch.registrations() as u64,
                    devices: switch.accounts().len() as u64,
                    write_queue: (changes.max_capacity() - changes.capacity()) as u64,
                });
            }
            () = tokio::time::sleep(wait) => switch.handle_timeout(now_ms()),
        }
        shell.flush(&mut switch, now_ms()).await;
    }
    reloader.abort();
    forwarding_watch.abort();
    browsers_watch.abort();
    voicemail_watch.abort();
    drop(shell);
    // Registrations acknowledged so far are committed before the process ends.
    let _ = tokio::time::timeout(Duration::from_secs(10), writer).await;
    Ok(())
}

fn feed(switch: &mut Switch, now: i64, from: SocketAddr, data: &[u8]) {
    feed_flow(switch, now, Flow::udp(from), Bytes::copy_from_slice(data));
}

fn feed_flow(switch: &mut Switch, now: i64, flow: Flow, data: Bytes) {
    if let Err(error) = switch.handle_datagram(now, flow, data) {
        tracing::debug!(reason = %error.reason(), "dropped an unreadable SIP message");
    }
}

/// The next connection on `listener` (with `tls`, to be handshaken), not before `after`.
async fn accept(
    listener: &TcpListener,
    tls: Option<&TlsSource>,
    after: Option<tokio::time::Instant>,
) -> std::io::Result<Accepted> {
    if let Some(at) = after {
        tokio::time::sleep_until(at).await;
    }
    let (stream, peer) = listener.accept().await?;
    // The certificate as it is now (renewals apply to the next handshake).
    let acceptor = tls.map(|source| source());
    Ok((stream.into_std()?, peer, acceptor))
}

/// An accepted connection, with the TLS acceptor when it came to the TLS listener.
type Accepted = (
    std::net::TcpStream,
    SocketAddr,
    Option<tokio_rustls::TlsAcceptor>,
);

/// [`accept`] on the TLS listener (never, without TLS).
async fn accept_tls(
    tls: Option<&(TcpListener, TlsSource)>,
    after: Option<tokio::time::Instant>,
) -> std::io::Result<Accepted> {
    match tls {
        Some((listener, config)) => accept(listener, Some(config), after).await,
        None => std::future::pending().await,
    }
}

/// The next WebSocket from `/sip` or ask for figures (never, without that channel).
async fn next_of<T>(channel: &mut Option<mpsc::Receiver<T>>) -> Option<T> {
    match channel {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Reads the devices again when the bus says they changed (a device added on the web, a
/// person's features or extension changed), and checks for changes by another process
/// every [`RELOAD`].
async fn reload_accounts(
    store: Store,
    mut changes: live::bus::Changes,
    out: mpsc::Sender<telephony::Accounts>,
) {
    let mut every = tokio::time::interval(RELOAD);
    every.tick().await;
    let mut seen = store.devices_fingerprint().await.ok();
    let mut round = 0u64;
    loop {
        let told = tokio::select! {
            _ = every.tick() => false,
            change = changes.next() => match change {
                Some(live::Change::Devices | live::Change::Directory | live::Change::Lagged) => true,
                Some(
                    live::Change::Forwarding { .. }
                    | live::Change::Browser { .. }
                    | live::Change::Voicemail { .. },
                ) => continue,
                None => return,
            },
        };
        round += 1;
        // Reading every device is only worth it when something changed; a full read
        // every FULL_RELOAD rounds catches what the fingerprint could miss.
        let now = match store.devices_fingerprint().await {
            Ok(now) => now,
            Err(error) => {
                tracing::warn!(%error, "could not check the SIP devices for changes");
                continue;
            }
        };
        if !told && seen == Some(now) && !round.is_multiple_of(FULL_RELOAD) {
            continue;
        }
        match database::load_accounts(&store).await {
            Ok(accounts) => {
                seen = Some(now);
                if out.send(accounts).await.is_err() {
                    return;
                }
            }
            Err(error) => tracing::warn!(%error, "could not reload the SIP devices"),
        }
    }
}

/// Tells the switch who has a browser open (the bus says when a person's first client
/// opens and the last closes), with their extension: calls to it ring call control too.
async fn watch_browsers(
    store: Store,
    live: live::Live,
    mut changes: live::bus::Changes,
    out: mpsc::Sender<(i64, Option<String>)>,
) {
    while let Some(change) = changes.next().await {
        let live::Change::Browser { person, online } = change else {
            continue;
        };
        let extension = match (online, live.person(person)) {
            (true, Some(p)) => match store.panel_person(&p.login).await {
                Ok(Some(p)) => Some(p.extension),
                Ok(None) => continue,
                Err(error) => {
                    tracing::warn!(%error, "could not read the extension of a person with a browser");
                    continue;
                }
            },
            _ => None,
        };
        if out.send((person, extension)).await.is_err() {
            return;
        }
    }
}

type ForwardingByExtension = HashMap<directory::Extension, directory::forwarding::ForwardingRules>;

/// Passes changed forwarding rules on: set on the web, they apply to the next call at
/// once (the bus says so); set by another process, within [`FORWARDING_POLL`]. The table
/// holds only people who set a rule.
async fn reload_forwarding(
    store: Store,
    mut changes: live::bus::Changes,
    mut seen: ForwardingByExtension,
    out: mpsc::Sender<ForwardingByExtension>,
) {
    let mut every = tokio::time::interval(FORWARDING_POLL);
    every.tick().await;
    loop {
        tokio::select! {
            _ = every.tick() => {}
            change = changes.next() => match change {
                Some(
                    live::Change::Devices
                    | live::Change::Browser { .. }
                    | live::Change::Voicemail { .. },
                ) => continue,
                Some(_) => {}
                None => return,
            },
        }
        match store.forwarding_by_extension().await {
            Ok(now) if now != seen => {
                seen = now.clone();
                if out.send(now).await.is_err() {
                    return;
                }
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not read the call forwarding rules"),
        }
    }
}

/// How soon presence updates that found the team panel's queue full try again.
const PRESENCE_RETRY: Duration = Duration::from_millis(10);

/// How long the listeners rest after a failed accept.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// Presence updates waiting for the team panel, at most (a whole office's phones
/// registering at once).
const PRESENCE_QUEUE: usize = 100_000;

/// Registration changes the database writer's queue holds (the capacity page's limit of
/// `write_queue_registrations`).
pub const REGISTRATION_WRITE_QUEUE: usize = 100_000;

/// Hands the switch's [`Notice::Devices`] and [`Notice::Call`] to the team panel.
async fn presence_updates(live: live::Live, mut pending: mpsc::Receiver<Notice>) {
    while let Some(notice) = pending.recv().await {
        match notice {
            Notice::Devices { person_id, online } => live.device_state(person_id, online),
            Notice::Call { person_id, active } => live.call_state(person_id, active),
            _ => {}
        }
    }
}

/// The I/O side the switch's output goes to.
struct Shell {
    udp: UdpSocket,
    /// Connections by flow (TCP, TLS, WebSocket).
    conns: crate::sip_service::conns::Connections,
    inbound: mpsc::Sender<Inbound>,
    changes: mpsc::Sender<Notice>,
    live: live::Live,
    /// Registrations and calls for the team panel ([`presence_updates`]).
    presence: mpsc::Sender<Notice>,
    /// Updates waiting for room in `presence`: the latest per (person, is a call).
    presence_overflow: HashMap<(i64, bool), Notice>,
    /// People whose voicemail counts the switch asked for ([`mwi::watch`]).
    voicemail_asks: mpsc::Sender<i64>,
    background: tokio::runtime::Handle,
}

impl Shell {
    /// Serves an accepted TCP connection (over TLS with `tls`), when there is room.
    fn accepted(
        &mut self,
        stream: std::net::TcpStream,
        peer: SocketAddr,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) {
        if !self.conns.has_room() {
            tracing::warn!("too many SIP connections; a new one was closed");
            return;
        }
        let transport = match tls {
            Some(_) => Transport::Tls,
            None => Transport::Tcp,
        };
        let (inbound, runtime) = (self.inbound.clone(), &self.background);
        let open = |id| stream::accepted(runtime, id, stream, peer, tls, inbound);
        self.conns.open(Flow::new(transport, peer), open);
    }

    /// Serves a WebSocket from `/sip`, when there is room.
    fn websocket(&mut self, socket: crate::sip_service::websocket::SipSocket) {
        if !self.conns.has_room() {
            tracing::warn!("too many SIP connections; a WebSocket was closed");
            return;
        }
        let (inbound, runtime) = (self.inbound.clone(), &self.background);
        let flow = crate::sip_service::websocket::flow(&socket);
        // Behind trusted proxies a socket's flow is the client's address with the proxy's
        // port, so two proxies can hand over two clients behind one address with the same
        // port: the newer socket is closed (its browser reconnects) rather than given the
        // other's messages.
        if self.conns.contains(&flow) {
            tracing::warn!(peer = %socket.peer, "a SIP WebSocket of the same address and port is open; the new one was closed");
            return;
        }
        let open = |id| crate::sip_service::websocket::accepted(runtime, id, socket, inbound);
        self.conns.open(flow, open);
    }

    /// A listener could not accept (out of file descriptors, say): logged, and the
    /// listeners rest for [`ACCEPT_PAUSE`]; returns until when.
    fn accept_failed(&self, error: &std::io::Error) -> Option<tokio::time::Instant> {
        tracing::warn!(%error, "could not accept a SIP connection");
        Some(tokio::time::Instant::now() + ACCEPT_PAUSE)
    }

    async fn flush(&mut self, switch: &mut Switch, now: i64) {
        loop {
            let mut idle = true;
            while let Some(t) = switch.poll_transmit() {
                idle = false;
                self.send(t.peer, t.data).await;
            }
            while let Some(notice) = switch.poll_notice() {
                idle = false;
                self.notice(switch, now, notice);
            }
            if idle {
                self.presence_catch_up();
                return;
            }
        }
    }

    /// Moves waiting presence updates into the team panel's queue as it has room.
    fn presence_catch_up(&mut self) {
        while let Some(&key) = self.presence_overflow.keys().next() {
            let Ok(permit) = self.presence.try_reserve() else {
                return;
            };
            if let Some(notice) = self.presence_overflow.remove(&key) {
                permit.send(notice);
            }
        }
    }

    async fn send(&mut self, peer: Flow, data: Bytes) {
        match peer.transport {
            Transport::Udp => match self.udp.try_send_to(&data, peer.addr) {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    let _ = self.udp.send_to(&data, peer.addr).await;
                }
                Err(error) => tracing::debug!(%error, "SIP UDP send failed"),
            },
            Transport::Tcp => {
                if !self.conns.contains(&peer) && self.conns.has_room() {
                    let (inbound, runtime) = (self.inbound.clone(), &self.background);
                    let open = |id| stream::connect(runtime, id, peer.addr, inbound);
                    self.conns.open(peer, open);
                }
                self.conns.send(peer, data);
            }
            // Only the device's own connection leads there; without it the transaction
            // times out (its registration ended with the connection anyway).
            Transport::Tls | Transport::Ws | Transport::Wss => {
                // Behind a proxy that ends TLS, a browser's WSS Via meets our WS socket.
                let sibling = match peer.transport {
                    Transport::Ws => Some(Transport::Wss),
                    Transport::Wss => Some(Transport::Ws),
                    _ => None,
                }
                .map(|t| Flow::new(t, peer.addr))
                .filter(|f| !self.conns.contains(&peer) && self.conns.contains(f));
                if self.conns.send(sibling.unwrap_or(peer), data) == Sent::NoConnection {
                    tracing::debug!("no connection to send a SIP message over");
                }
            }
        }
    }

    fn notice(&mut self, switch: &mut Switch, now: i64, notice: Notice) {
        match notice {
            Notice::Save { ticket, .. } => {
                if self.changes.try_send(notice).is_err() {
                    // The writer is behind: the phone hears 503 with Retry-After.
                    switch.handle_save_refused(now, ticket);
                }
            }
            Notice::Expired { .. } => {
                if self.changes.try_send(notice).is_err() {
                    tracing::warn!("SIP writer queue full; an expired registration stays stored until the next start");
                }
            }
            // The team panel's update runs on the background runtime, not on this thread.
            // When that falls far behind, the latest state per person and kind waits here
            // (and everything after it, so nothing overtakes an older update).
            Notice::Devices { person_id, .. } | Notice::Call { person_id, .. } => {
                let kind = matches!(notice, Notice::Call { .. });
                if !self.presence_overflow.is_empty() {
                    self.presence_overflow.insert((person_id, kind), notice);
                } else if let Err(mpsc::error::TrySendError::Full(notice)) =
                    self.presence.try_send(notice)
                {
                    self.presence_overflow.insert((person_id, kind), notice);
                }
            }
            Notice::VoicemailCounts { person_id } => {
                if self.voicemail_asks.try_send(person_id).is_err() {
                    // The phone's first NOTIFY waits until it refreshes its subscription.
                    tracing::warn!("message-waiting lookups queue full; a lamp waits");
                }
            }
            Notice::Message {
                from_person,
                to_person,
                text,
            } => {
                // Stored and published by the chat writer; the SIP loop does not wait.
                let live = self.live.clone();
                self.background.spawn(async move {
                    let posted =
                        live::chat::messages::post_direct(&live, from_person, to_person, &text);
                    if let Err(error) = posted.await {
                        tracing::warn!(?error, "a SIP MESSAGE could not go into the chat");
                    }
                });
            }
        }
    }
}
