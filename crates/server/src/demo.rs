//! `durchwahl demo`: a ready demo organisation on SQLite in `./durchwahl-demo`.
//! The first start seeds it through the same import path as `users import`; later starts
//! reuse the folder and change nothing.

use crate::config::Config;
use crate::runtime;
use anyhow::{bail, Context};
use directory::demo_org::{demo_staff, DEMO_LOGINS, ORGANISATION};
use directory::{
    parse_staff_csv, plan_import, write_staff_csv, CsvDialect, GroupKind, GroupName, Login,
    UnitPath,
};
use store::Store;

/// Default data folder of the demo.
pub const DATA_DIR: &str = "durchwahl-demo";
/// The password of every demo account.
pub const PASSWORD: &str = "Musterstadt-2020";
const MARKER: &str = "demo";

/// Seeds (once) and serves the demo.
pub async fn run(config: &Config) -> anyhow::Result<()> {
    // The demo has no SMS provider: codes go to the log, clearly marked.
    let mut config = config.clone();
    if config.sms.gateway == web::auth::sms_gateway::GatewayKind::None {
        config.sms.gateway = web::auth::sms_gateway::GatewayKind::Log;
    }
    // A trunk that shows on the admin page how the outside line looks: IP-based, its
    // carrier a loopback port where nobody answers (calls out end "unavailable").
    if config.trunks.is_empty() {
        if config.calls.area_code.is_empty() {
            config.calls.area_code = "9321".into();
        }
        config.trunks.push(demo_trunk());
    }
    let config = &config;
    let store = runtime::open_store(config, DATA_DIR).await?;
    let seeded = seed(&store).await?;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    crate::demo_hotline::seed(&store, now_ms)
        .await
        .context("adding the demo hotline")?;
    let listeners = runtime::bind(config).await?;
    let people = store.staff_count().await?;
    let folder = std::path::absolute(config.data_dir_or(DATA_DIR))?;
    crate::demo_voicemail::seed(&store, &folder, now_ms)
        .await
        .context("adding the demo voicemail")?;
    crate::demo_fax::seed(&store, &folder, now_ms)
        .await
        .context("adding the demo fax")?;
    crate::demo_mobile_work::seed(&store, &folder, now_ms)
        .await
        .context("adding the demo's mobile work")?;
    crate::demo_equipment::seed(&store, now_ms)
        .await
        .context("adding the demo's equipment")?;
    crate::demo_team_week::seed(&store, now_ms)
        .await
        .context("adding the demo's team week")?;
    crate::demo_rollout_history::seed(&store, now_ms)
        .await
        .context("adding the demo's rollout history")?;
    crate::demo_gateway::start(&store, listeners.http_address()?, now_ms)
        .await
        .context("starting the demo's sample application")?;
    println!("Durchwahl demo: {ORGANISATION}, {people} staff");
    if seeded {
        println!("Created the demo organisation in {}", folder.display());
    } else {
        println!("Reusing the demo organisation in {}", folder.display());
    }
    println!("Open in a browser: http://{}/", listeners.http_address()?);
    println!("Demo logins (password for every account: {PASSWORD}):");
    for (login, what) in DEMO_LOGINS {
        println!("  {login:<16} {what}");
    }
    println!("Stop with Ctrl+C.");
    runtime::run(
        config,
        store,
        listeners,
        &folder,
        runtime::RunOptions::default(),
        runtime::shutdown_signal(),
    )
    .await
}

/// Fills an empty database with the demo organisation. Returns whether it did.
async fn seed(store: &Store) -> anyhow::Result<bool> {
    if store.setting(MARKER).await?.is_some() {
        return Ok(false);
    }
    if store.staff_count().await? > 0 {
        bail!("this database holds a real directory; the demo only runs on an empty or demo database (use another --data-dir)");
    }
    let csv = write_staff_csv(&demo_staff(), CsvDialect { delimiter: b',' }, false);
    let plan = plan_import(&store.snapshot().await?, parse_staff_csv(&csv));
    if let Some(problem) = plan.problems.first() {
        bail!("the demo data is invalid: {problem}");
    }
    store
        .apply_import(&plan, &mut |_, _| {})
        .await
        .context("seeding the demo")?;
    // One hash for every demo account: hashing 600 passwords would take a minute.
    store
        .set_missing_password_hashes(&auth::hash_password(PASSWORD))
        .await?;
    let login = |l: &str| Login::parse(l).expect("demo logins are valid");
    store
        .create_group(
            GroupKind::TeamPanel,
            &GroupName::parse("Krisenstab")?,
            None,
            &[
                login("admin"),
                login("teamleitung"),
                login("sachbearbeitung"),
            ],
        )
        .await?;
    store
        .create_group(
            GroupKind::CallGroup,
            &GroupName::parse("Hotline Gesundheitsamt")?,
            Some(&UnitPath::parse("Gesundheitsamt/Hotline")?),
            &[login("teamleitung"), login("hotline")],
        )
        .await?;
    store.set_setting("organisation", ORGANISATION).await?;
    store.set_setting(MARKER, "1").await?;
    Ok(true)
}

/// The demo's trunk: marked as such, its carrier a loopback port nobody serves.
fn demo_trunk() -> crate::call_service::trunk_config::TrunkConfig {
    crate::call_service::trunk_config::TrunkConfig {
        name: "Demo-Amtsleitung (nur Anschauung)".into(),
        proxy: std::net::SocketAddr::from(([127, 0, 0, 1], 5999)),
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        mode: crate::call_service::trunk_config::TrunkMode::Ip,
        domain: Some("carrier.demo.invalid".into()),
        username: None,
        password: None,
        accept_from: Vec::new(),
        number_block: Some("+499321928".into()),
        dids: Default::default(),
        main_number: None,
        main_extension: None,
        demo: true,
    }
}
