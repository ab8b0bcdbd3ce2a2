//! `durchwahl phones …`: SIP devices (softphones, desk phones, mobiles), one by one or
//! hundreds from a CSV file. Each device gets its own credentials, bound to the person's
//! extension; only HA1 digests are stored, the password is shown once.

use crate::cli::PhonesCommand;
use crate::config::Config;
use crate::runtime::{self, DATA_DIR};
use crate::table;
use anyhow::{bail, Context};
use directory::device::DeviceLabel;
use directory::{Feature, StaffRecord};
use live::provisioning::{provision, DeviceRequest};
use std::io::Write;
use std::path::Path;
use store::Store;

/// Runs one `phones` command.
pub async fn run(config: &Config, command: PhonesCommand) -> anyhow::Result<()> {
    let store = runtime::open_store(config, DATA_DIR).await?;
    let domain = config.sip.domain.clone();
    let result = match command {
        PhonesCommand::Add { login, label, json } => {
            add(&store, &domain, &login, &label, json).await
        }
        PhonesCommand::List { login, json } => list(&store, login.as_deref(), json).await,
        PhonesCommand::Remove { sip_username } => remove(&store, &sip_username).await,
        PhonesCommand::Import { file, out } => import(&store, &domain, &file, &out).await,
    };
    store.close().await;
    result
}

fn without_softphone<'a>(staff: &'a [StaffRecord], logins: &[&str]) -> Vec<&'a str> {
    staff
        .iter()
        .filter(|s| logins.contains(&s.login.as_str()) && !s.features.contains(Feature::Softphone))
        .map(|s| s.login.as_str())
        .collect()
}

async fn warn_without_softphone(store: &Store, logins: &[&str]) -> anyhow::Result<()> {
    let staff = store.snapshot().await?.staff;
    let missing = without_softphone(&staff, logins);
    if !missing.is_empty() {
        eprintln!(
            "note: {} without the softphone feature: their devices cannot register until it is \
             switched on (durchwahl users enable softphone --login …)",
            missing.join(", ")
        );
    }
    Ok(())
}

async fn add(
    store: &Store,
    domain: &str,
    login: &str,
    label: &str,
    json: bool,
) -> anyhow::Result<()> {
    let request = DeviceRequest {
        login: login.to_string(),
        label: DeviceLabel::parse(label)?,
        password: None,
    };
    let made = provision(
        store,
        domain,
        &[request],
        live::Clock::now_secs(&live::clock::SystemClock),
    )
    .await
    .context("nothing was created")?;
    let p = &made[0];
    if json {
        let value = serde_json::json!({
            "login": p.login, "label": p.label, "sip_username": p.sip_username,
            "sip_password": p.sip_password, "extension": p.extension, "domain": p.domain,
        });
        println!("{value}");
    } else {
        println!("sip_username={}", p.sip_username);
        println!("sip_password={}", p.sip_password);
        println!("extension={}", p.extension);
        println!("domain={}", p.domain);
    }
    warn_without_softphone(store, &[login]).await
}

async fn list(store: &Store, login: Option<&str>, json: bool) -> anyhow::Result<()> {
    let devices = match login {
        Some(l) => store.devices_of(l).await?,
        None => store.all_devices().await?,
    };
    if json {
        let list: Vec<_> = devices
            .iter()
            .map(|d| {
                serde_json::json!({"login": d.login, "label": d.label, "sip_username": d.sip_username,
                                   "extension": d.extension, "domain": d.realm})
            })
            .collect();
        println!("{}", serde_json::Value::Array(list));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = devices
        .iter()
        .map(|d| {
            vec![
                d.login.clone(),
                d.label.clone(),
                d.sip_username.clone(),
                d.extension.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        table::render(&["login", "label", "sip_username", "extension"], &rows)
    );
    Ok(())
}

async fn remove(store: &Store, sip_username: &str) -> anyhow::Result<()> {
    if !store.remove_device(sip_username).await? {
        bail!("there is no device {sip_username}");
    }
    println!("removed {sip_username}");
    Ok(())
}

/// Reads `login,label,password` rows (password may be empty); every problem is reported
/// with its line, and then nothing is created.
fn read_requests(bytes: &[u8]) -> anyhow::Result<Vec<DeviceRequest>> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let header: Vec<String> = reader
        .headers()?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    if header != ["login", "label", "password"] {
        bail!(
            "the header must be login,label,password (found {})",
            header.join(",")
        );
    }
    let mut requests = Vec::new();
    let mut problems = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let password = record[2].trim();
        if !password.is_empty() && password.chars().count() < 12 {
            problems.push(format!(
                "line {line}: a password needs at least 12 characters"
            ));
        }
        match DeviceLabel::parse(&record[1]) {
            Ok(label) => requests.push(DeviceRequest {
                login: record[0].trim().to_string(),
                label,
                password: (!password.is_empty()).then(|| password.to_string()),
            }),
            Err(e) => problems.push(format!("line {line}: {e}")),
        }
    }
    if !problems.is_empty() {
        bail!("{}\nnothing was created", problems.join("\n"));
    }
    Ok(requests)
}

async fn import(store: &Store, domain: &str, file: &Path, out: &Path) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let (text, _) = directory::csv_text::decode(&bytes)?;
    let requests = read_requests(text.as_bytes())?;
    // The credentials file holds passwords: only its owner may read it, and an existing
    // file is never overwritten.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut output = options
        .open(out)
        .with_context(|| format!("cannot create {} (it must not exist yet)", out.display()))?;
    let made = match provision(
        store,
        domain,
        &requests,
        live::Clock::now_secs(&live::clock::SystemClock),
    )
    .await
    .context("nothing was created")
    {
        Ok(made) => made,
        Err(e) => {
            drop(output);
            let _ = std::fs::remove_file(out);
            return Err(e);
        }
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "login",
        "label",
        "sip_username",
        "sip_password",
        "extension",
        "domain",
    ])?;
    for p in &made {
        writer.write_record([
            &p.login,
            &p.label,
            &p.sip_username,
            &p.sip_password,
            &p.extension,
            &p.domain,
        ])?;
    }
    output.write_all(&writer.into_inner()?)?;
    println!(
        "{} device(s) created; credentials in {}",
        made.len(),
        out.display()
    );
    let logins: Vec<&str> = made.iter().map(|p| p.login.as_str()).collect();
    warn_without_softphone(store, &logins).await
}
