//! Running the server: [`bind`] the listeners, [`run`] on them until a shutdown future
//! completes. The binary passes SIGINT/SIGTERM; tests bind port 0 and pass their own
//! future, a fake clock and short intervals ([`RunOptions`]).

use crate::config::Config;
use anyhow::Context;
use store::Store;

/// How often certificate files are checked for a renewal.
const TLS_CHECK: std::time::Duration = std::time::Duration::from_secs(2);

/// What a caller may choose besides the configuration: the clock, and how often open
/// WebSockets' sessions are checked (ended elsewhere, idle, too old).
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The one clock of the runtime.
    pub clock: live::SharedClock,
    /// How often open sockets' sessions are checked.
    pub session_check: std::time::Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            clock: live::clock::system(),
            session_check: std::time::Duration::from_secs(30),
        }
    }
}

/// The bound sockets: HTTP, SIP over UDP and TCP, and SIP over TLS when a certificate is
/// configured.
pub struct Listeners {
    /// HTTP (and HTTPS).
    pub http: tokio::net::TcpListener,
    /// SIP.
    pub sip: crate::sip_service::Listeners,
    /// SIP over TLS, bound; its certificate is loaded when running.
    pub sip_tls: Option<tokio::net::TcpListener>,
}

impl Listeners {
    /// The HTTP address.
    pub fn http_address(&self) -> std::io::Result<std::net::SocketAddr> {
        self.http.local_addr()
    }

    /// The SIP address (UDP and TCP).
    pub fn sip_address(&self) -> std::io::Result<std::net::SocketAddr> {
        self.sip.local_addr()
    }
}

/// Default data folder of a real installation.
pub const DATA_DIR: &str = "/var/lib/durchwahl";

/// Opens the configured database (creating and migrating it as needed).
pub async fn open_store(config: &Config, default_data_dir: &str) -> anyhow::Result<Store> {
    let url = config.database_url(default_data_dir)?;
    Store::open(&url)
        .await
        .with_context(|| format!("cannot open the database {}", url.redacted()))
}

/// `durchwahl serve`
pub async fn serve(config: &Config) -> anyhow::Result<()> {
    // The handlers are installed here, before the first "listening" line: whoever reads it
    // may stop us at once.
    let shutdown = shutdown_signal();
    let store = open_store(config, DATA_DIR).await?;
    let listeners = bind(config).await?;
    let data_dir = config.data_dir_or(DATA_DIR);
    run(
        config,
        store,
        listeners,
        &data_dir,
        RunOptions::default(),
        shutdown,
    )
    .await
}

/// Binds every socket the configuration asks for.
pub async fn bind(config: &Config) -> anyhow::Result<Listeners> {
    let http = tokio::net::TcpListener::bind(config.http.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.http.listen))?;
    let sip = crate::sip_service::bind(config.sip.listen).await?;
    let sip_tls = match config.sip_tls_files() {
        Some(_) => {
            let at = config.sip.tls_listen;
            let listener = tokio::net::TcpListener::bind(at)
                .await
                .with_context(|| format!("cannot listen for SIP over TLS on {at}"))?;
            Some(listener)
        }
        None => None,
    };
    Ok(Listeners { http, sip, sip_tls })
}

/// Serves on already-bound `listeners` until `shutdown` completes, then lets running
/// requests finish, stops the SIP service and closes the database.
pub async fn run(
    config: &Config,
    mut store: Store,
    listeners: Listeners,
    data_dir: &std::path::Path,
    options: RunOptions,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    // Second-factor secrets are sealed with the data folder's key (issue 20).
    crate::secrets_key::unlock(&mut store, data_dir).await?;
    let Listeners {
        http: listener,
        sip: mut sip_listeners,
        sip_tls,
    } = listeners;
    let organisation = match &config.organisation.name {
        Some(name) => name.clone(),
        None => store
            .setting("organisation")
            .await?
            .unwrap_or_else(|| "Durchwahl".into()),
    };
    let address = listener.local_addr()?;
    raise_open_files_limit();
    let auth = config
        .auth
        .settings(&organisation, config.tls_files().is_some());
    let live = live::Live::start(
        store.clone(),
        live::config::settings(&config.presence, &config.chat, data_dir),
        options.clock.clone(),
        live::Bus::new(),
        Box::new(web::WebFrames),
    )
    .await
    .context("cannot load presence and chat")?;
    let state = web::AppState::new(
        store.clone(),
        organisation,
        auth,
        config
            .sms
            .gateway()
            .context("the SMS gateway cannot be set up")?,
        live.clone(),
        config.sip.domain.clone(),
    );
    // Outgoing e-mail ([smtp]): `mailer` is the handle to queue mails with (voicemail
    // notifications); the admin page's test mail goes through it too.
    let mailer = crate::mailer::start(store.clone(), &config.smtp, live.clock().clone())
        .context("e-mail ([smtp]) cannot be set up")?;
    let state = state
        .with_mail(std::sync::Arc::new(mailer.clone()))
        .with_afternoon_starts(
            config
                .desks
                .afternoon_start()
                .map_err(|problem| anyhow::anyhow!(problem))?,
        );
    let sip_address = sip_listeners.local_addr()?;
    let (media_events_tx, media_events) = tokio::sync::mpsc::unbounded_channel();
    let media_public =
        crate::media_service::public_address(&config.media, config.sip.advertise, sip_address);
    let media =
        crate::media_service::MediaHandle::start(&config.media, media_public, media_events_tx)
            .context("the media service could not start")?;
    if let Some(at) = config.media.ng_listen {
        let media = media.clone();
        tokio::spawn(async move {
            if let Err(e) = crate::media_service::ng::serve(at, media).await {
                tracing::error!(error = %e, address = %at, "the ng media control port failed");
            }
        });
    }
    // Call control's SIP user agent: its own loopback port, trusted by the switch.
    let ua_socket = std::net::UdpSocket::bind("127.0.0.1:0")
        .context("no loopback UDP port for call control")?;
    ua_socket.set_nonblocking(true)?;
    let ua_address = ua_socket.local_addr()?;
    let switch_address = match sip_address.ip().is_unspecified() {
        true => std::net::SocketAddr::from(([127, 0, 0, 1], sip_address.port())),
        false => sip_address,
    };
    let seed = u64::from(ua_address.port()) ^ u64::from(std::process::id());
    let mut uas = vec![crate::call_service::sip_side::SipSide::towards_switch(
        tokio::net::UdpSocket::from_std(ua_socket)?,
        switch_address,
        &config.sip.domain,
        seed,
    )?];
    for (i, trunk) in config.trunks.iter().enumerate() {
        let socket = tokio::net::UdpSocket::bind(trunk.listen)
            .await
            .with_context(|| format!("trunk {}: cannot listen on {}", trunk.name, trunk.listen))?;
        println!("trunk {} on {}", trunk.name, socket.local_addr()?);
        uas.push(crate::call_service::sip_side::SipSide::trunk(
            socket,
            trunk.clone(),
            i,
            live.trunks().clone(),
            live.now_ms(),
            seed.rotate_left(i as u32 + 1),
        )?);
    }
    // Fax to mail and mail to fax: the web queues faxes to send through `FaxDesk`; call
    // control receives and sends them (SpanDSP, loaded when there).
    let (fax_wake_tx, fax_wake) = tokio::sync::mpsc::channel(1);
    let fax_shell = crate::fax_service::FaxShell {
        store: store.clone(),
        live: live.clone(),
        mailer: mailer.clone(),
        settings: crate::fax_service::FaxSettings {
            data_dir: data_dir.to_path_buf(),
            retention_days: config.voicemail.retention_days,
            config: config.fax.clone(),
        },
        wake: fax_wake_tx,
    };
    if let Some(why) = crate::fax_service::submit::unavailable() {
        tracing::info!(%why, "fax is off on this server");
    }
    let state = state.with_fax(std::sync::Arc::new(crate::fax_service::submit::FaxDesk {
        shell: fax_shell.clone(),
        calls: config.calls.clone(),
        has_trunk: !config.trunks.is_empty(),
        converting: std::sync::Arc::new(tokio::sync::Semaphore::new(
            crate::fax_service::submit::CONVERSIONS_AT_ONCE,
        )),
    }));
    // `/metrics` asks the services for their figures at scrape time.
    let (sip_asks, sip_figures) = tokio::sync::mpsc::channel(crate::service_figures::ASKS_QUEUED);
    sip_listeners.figures = Some(sip_figures);
    let (call_asks, call_figures) = tokio::sync::mpsc::channel(crate::service_figures::ASKS_QUEUED);
    // Shared: `/metrics` (when on) and the capacity sampler (always) ask them.
    let services: std::sync::Arc<dyn web::metrics::services::ServiceFigures> =
        std::sync::Arc::new(crate::service_figures::Services {
            sip: sip_asks,
            calls: call_asks,
            media: media.clone(),
        });
    crate::call_service::start(
        live.clone(),
        store.clone(),
        media,
        media_events,
        uas,
        config.calls.clone(),
        i64::from(config.sip.ring_timeout_seconds) * 1000,
        crate::call_service::voicemail::VoicemailSettings {
            data_dir: data_dir.to_path_buf(),
            max_seconds: config.voicemail.max_seconds,
            retention_days: config.voicemail.retention_days,
            web_address: config.voicemail.web_address.clone().unwrap_or_else(|| {
                if address.ip().is_unspecified() && config.smtp.configured() {
                    tracing::warn!(%address, "voicemail e-mails link to the listen address, \
                        which no browser can open: set [voicemail] web_address");
                }
                format!("http://{address}")
            }),
        },
        mailer.clone(),
        fax_shell,
        fax_wake,
        call_figures,
    );
    let state = crate::service_figures::with_metrics(state, &config.metrics, services.clone())?;
    let capacity = crate::capacity_sampler::Settings::of(config, data_dir);
    let state = state.with_capacity(capacity.board());
    let state = state.with_ice_servers(crate::media_service::ice_servers(&config.media));
    // The access gateway: its signing key from the data folder, its applications.
    let gateway = web::gateway::Gateway::new(
        crate::gateway_key::load(data_dir)?,
        config.gateway.issuer.clone(),
    )
    .with_portal(config.gateway.portal_url.clone());
    gateway
        .reload(&store)
        .await
        .context("cannot load the published applications")?;
    let state = state.with_gateway(gateway);
    let state = match &config.auth.oidc {
        Some(oidc) => state.with_oidc(
            web::auth::oidc::Oidc::new(oidc)
                .map_err(anyhow::Error::msg)
                .context("single sign-on ([auth.oidc]) cannot be set up")?,
        ),
        None => state,
    };
    // The HTTPS certificate is loaded once; SIP over TLS shares it unless it has its own.
    let http_tls = match config.tls_files() {
        Some(files) => Some((crate::tls::load(&files).await?, files)),
        None => None,
    };
    let mut watchers = Vec::new();
    let mut sip_tls_address = None;
    if let (Some(files), Some(listener)) = (config.sip_tls_files(), sip_tls) {
        let tls = match &http_tls {
            Some((tls, http_files)) if *http_files == files => tls.clone(),
            _ => {
                let tls = crate::tls::load(&files).await?;
                watchers.push(crate::tls::watch(tls.clone(), files, TLS_CHECK));
                tls
            }
        };
        sip_tls_address = Some(listener.local_addr()?);
        let source: crate::sip_service::TlsSource = std::sync::Arc::new(move || tls.acceptor());
        sip_listeners.tls = Some((listener, source));
    }
    let state = if config.sip.websocket {
        let (sockets, handed) = tokio::sync::mpsc::channel(1_024);
        sip_listeners.websockets = Some(handed);
        let secure = http_tls.is_some();
        let hand_off = move |socket, peer, secure| {
            let socket = crate::sip_service::websocket::SipSocket {
                socket,
                peer,
                secure,
            };
            sockets.try_send(socket).is_ok()
        };
        state.with_sip_gateway(web::sip::socket::SipGateway::new(
            std::sync::Arc::new(hand_off),
            secure,
        ))
    } else {
        state
    };
    let mut sip_options = config.sip.options();
    sip_options.b2bua = Some(ua_address);
    sip_options.relay_always = config.media.relay == crate::media_service::Relay::Always;
    let (stop_sip, sip_stopped) = tokio::sync::oneshot::channel::<()>();
    let (sip_ready, sip_loaded) = tokio::sync::oneshot::channel::<()>();
    let sip = crate::sip_service::spawn(
        sip_listeners,
        sip_options,
        store.clone(),
        live.clone(),
        sip_ready,
        async move {
            let _ = sip_stopped.await;
        },
    )?;
    // Ready means the devices are loaded; a SIP service that fails to start stops us.
    if sip_loaded.await.is_err() {
        return match sip.await {
            Ok(Err(error)) => Err(error.context("the SIP service could not start")),
            _ => Err(anyhow::anyhow!("the SIP service stopped while starting")),
        };
    }
    println!("sip listening on {sip_address} (udp, tcp)");
    tracing::info!(%sip_address, domain = %config.sip.domain, "SIP service listening");
    if let Some(at) = sip_tls_address {
        println!("sip listening on {at} (tls)");
        tracing::info!(address = %at, "SIP over TLS listening");
    }
    if config.sip.websocket {
        println!("sip over websocket at /sip");
    }
    let socket_watch = tokio::spawn(web::auth::session::watch_sockets(
        state.clone(),
        options.session_check,
    ));
    let (state, directory_sync) = match &config.directory.ldap {
        Some(ldap) => {
            let sync = std::sync::Arc::new(
                crate::directory_sync::DirectorySync::new(
                    ldap.clone(),
                    store.clone(),
                    live.clone(),
                )
                .context("the directory ([directory.ldap]) cannot be set up")?,
            );
            let task = tokio::spawn(sync.clone().schedule());
            (state.with_directory(sync), Some(task))
        }
        None => (state, None),
    };
    let router = web::router(state.clone());
    let purger = tokio::spawn(purge_expired(store.clone(), data_dir.join("attachments")));
    let retention = tokio::spawn(crate::case_retention::run(
        store.clone(),
        live.clock().clone(),
    ));
    let desk_policy = config
        .desks
        .policy()
        .map_err(|problem| anyhow::anyhow!(problem))?;
    let desk_release = config.desks.release_unchecked.then(|| {
        tokio::spawn(crate::desk_release::run(
            store.clone(),
            live.clock().clone(),
            desk_policy,
        ))
    });
    let week_presence = tokio::spawn(crate::week_presence::run(state.clone()));
    let gateway_health = tokio::spawn(crate::gateway_health::run(state.clone()));
    let capacity_sampler = tokio::spawn(crate::capacity_sampler::run(
        state.clone(),
        services,
        capacity,
    ));
    let calendar = tokio::spawn(crate::mobile_work_calendar::run(state));
    let rollout_history = tokio::spawn(crate::rollout_history::run(
        store.clone(),
        live.clock().clone(),
    ));
    crate::equipment_reminders::spawn(&store, &mailer, live.clock(), config);
    let refresher = tokio::spawn(refresh_directory(live));
    let tls = match http_tls {
        None => {
            println!("listening on http://{address}/");
            tracing::info!(%address, backend = ?store.backend(), "Durchwahl is serving");
            None
        }
        Some((tls, files)) => {
            watchers.push(crate::tls::watch(tls.clone(), files, TLS_CHECK));
            println!("listening on https://{address}/");
            tracing::info!(%address, backend = ?store.backend(), "Durchwahl is serving over TLS");
            Some(tls)
        }
    };
    web::serve(
        listener,
        router,
        tls,
        config.http.settings(config.auth.office_networks.clone()),
        shutdown,
    )
    .await;
    for watcher in watchers {
        watcher.abort();
    }
    purger.abort();
    retention.abort();
    calendar.abort();
    week_presence.abort();
    gateway_health.abort();
    capacity_sampler.abort();
    rollout_history.abort();
    if let Some(task) = desk_release {
        task.abort();
    }
    socket_watch.abort();
    refresher.abort();
    if let Some(task) = directory_sync {
        task.abort();
    }
    let _ = stop_sip.send(());
    match sip.await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::error!(error = %format!("{error:#}"), "the SIP service failed"),
        Err(_) => tracing::error!("the SIP service stopped unexpectedly"),
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Thousands of HTTP and SIP connections need more file descriptors than the usual soft
/// limit of 1,024; the hard limit is ours to take.
fn raise_open_files_limit() {
    match web::http::open_files::raise_limit() {
        Ok(Some(raised)) => match raised.to {
            Some(to) => tracing::info!(from = raised.from, to, "raised the open-files limit"),
            None => tracing::info!(from = raised.from, "lifted the open-files limit"),
        },
        Ok(None) => {}
        Err(error) => tracing::warn!(%error, "could not raise the open-files limit"),
    }
}

/// Removes expired sessions and pending sign-ins (queries already ignore them; this keeps
/// the tables small) and stale attachments at start and then hourly.
async fn purge_expired(store: Store, attachments: std::path::PathBuf) {
    let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        hourly.tick().await;
        let now = live::Clock::now_secs(&live::clock::SystemClock);
        match store.purge_expired_sessions(now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "purged expired sessions"),
            Err(error) => tracing::warn!(%error, "could not purge expired sessions"),
        }
        match live::chat::attachments::clean_up(&store, &attachments, now * 1000).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "removed unsent or deleted attachments"),
            Err(error) => tracing::warn!(%error, "could not remove stale attachments"),
        }
    }
}

/// Every five minutes, picks up directory changes made by `users import` while serving.
async fn refresh_directory(realtime: live::Live) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
    every.tick().await;
    loop {
        every.tick().await;
        if let Err(error) = realtime.refresh_directory().await {
            tracing::warn!(%error, "could not refresh the directory for presence and chat");
        }
    }
}

/// Completes on SIGINT (Ctrl+C) or SIGTERM. The handlers are installed when this is
/// called, not when the future is first polled: until then either signal would still end
/// the process at once instead of gracefully.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let handlers = {
        use tokio::signal::unix::{signal, SignalKind};
        (
            signal(SignalKind::interrupt()).ok(),
            signal(SignalKind::terminate()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        if let (Some(mut interrupt), Some(mut terminate)) = handlers {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            tracing::info!("shutdown requested; finishing running requests");
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutdown requested; finishing running requests");
    }
}
