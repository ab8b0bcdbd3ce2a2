//! `durchwahl users …`: bulk provisioning as an IT team does it on a weekend.

use crate::cli::{FeatureArgs, UsersCommand};
use crate::config::Config;
use crate::runtime::{self, DATA_DIR};
use crate::table;
use anyhow::{bail, Context};
use directory::flags::Flag;
use directory::{parse_staff_csv, plan_import, CsvDialect, Feature, Login, UnitPath};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use store::{FeatureSelection, Store};

/// Runs one `users` command.
pub async fn run(config: &Config, command: UsersCommand) -> anyhow::Result<()> {
    let store = runtime::open_store(config, DATA_DIR).await?;
    let result = match command {
        UsersCommand::Import { file, dry_run } => import(&store, &file, dry_run).await,
        UsersCommand::Export { file, excel } => export(&store, &file, excel).await,
        UsersCommand::Enable(args) => switch(&store, &args, true).await,
        UsersCommand::Disable(args) => switch(&store, &args, false).await,
        UsersCommand::SetPassword { login } => set_password(&store, &login).await,
        UsersCommand::List { unit } => list(&store, unit.as_deref()).await,
    };
    store.close().await;
    result
}

async fn import(store: &Store, file: &Path, dry_run: bool) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let plan = plan_import(&store.snapshot().await?, parse_staff_csv(&bytes));
    if !plan.problems.is_empty() {
        for problem in &plan.problems {
            eprintln!("{}: {problem}", file.display());
        }
        bail!(
            "{} problem(s) in {}; nothing was imported",
            plan.problems.len(),
            file.display()
        );
    }
    let counts = format!(
        "{} created, {} updated, {} unchanged, {} new unit(s), {} unit(s) with new leaders",
        plan.creates.len(),
        plan.updates.len(),
        plan.unchanged,
        plan.new_units.len(),
        plan.leaders.len()
    );
    if dry_run {
        println!(
            "dry run of {}: would be {counts}; nothing was written",
            file.display()
        );
        return Ok(());
    }
    let total = (plan.creates.len() + plan.updates.len()) as u64;
    // indicatif draws nothing when standard error is not a terminal.
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} people written ({eta} left)")
            .expect("constant template"),
    );
    store
        .apply_import(&plan, &mut |done, _| bar.set_position(done as u64))
        .await
        .context("the import failed; nothing was written")?;
    bar.finish_and_clear();
    println!("imported {}: {counts}", file.display());
    Ok(())
}

async fn export(store: &Store, file: &Path, excel: bool) -> anyhow::Result<()> {
    let staff = store.list_staff(None).await?;
    let dialect = CsvDialect {
        delimiter: if excel { b';' } else { b',' },
    };
    // With the head_of column: the file sets the same heads and deputies back.
    let heads = directory::staff_csv::head_of::by_login(&store.leaders_by_path().await?);
    let bytes = directory::staff_csv::write_staff_csv_with_heads(&staff, &heads, dialect, excel);
    if file == Path::new("-") {
        std::io::stdout().write_all(&bytes)?;
    } else {
        std::fs::write(file, bytes).with_context(|| format!("cannot write {}", file.display()))?;
        eprintln!("exported {} people to {}", staff.len(), file.display());
    }
    Ok(())
}

async fn switch(store: &Store, args: &FeatureArgs, on: bool) -> anyhow::Result<()> {
    let feature = Feature::parse(&args.feature)?;
    let (selection, whom) = match &args.unit {
        Some(unit) => (
            FeatureSelection::Unit(UnitPath::parse(unit)?),
            format!("unit {unit}"),
        ),
        None => {
            let logins = args
                .login
                .iter()
                .map(|l| Login::parse(l))
                .collect::<Result<Vec<_>, _>>()?;
            (
                FeatureSelection::Logins(logins),
                format!("{} named people", args.login.len()),
            )
        }
    };
    let result = store.switch_feature(feature, on, &selection).await?;
    println!(
        "{} switched {} for {} of {} people in {whom} ({} already had it {})",
        feature.name(),
        if on { "on" } else { "off" },
        result.changed,
        result.selected,
        result.selected - result.changed,
        if on { "on" } else { "off" },
    );
    Ok(())
}

async fn set_password(store: &Store, login: &str) -> anyhow::Result<()> {
    let login = Login::parse(login)?;
    let password = read_password()?;
    auth::check_policy(login.as_str(), &password)?;
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password)).await?;
    // The new password ends every session of the person (a running server closes their
    // sockets at its next session check), like a change in the web client.
    let Some(ended) = store.set_password_hash(&login, &hash, None).await? else {
        bail!("no person with login {login}");
    };
    store
        .audit(&store::AuditEntry {
            at: live::Clock::now_secs(&live::clock::SystemClock),
            actor: None,
            action: "password.set".into(),
            target: Some(login.to_string()),
            source: Some("cli".into()),
            detail: format!("durchwahl users set-password; {ended} sessions ended"),
        })
        .await?;
    println!("password set for {login}; {ended} session(s) ended");
    Ok(())
}

/// Reads the new password: asked twice without echo on a terminal, else the first line.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("New password: ")?;
        let second = rpassword::prompt_password("Repeat: ")?;
        if first != second {
            bail!("the two passwords differ; nothing was changed");
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        bail!("no password on standard input; nothing was changed");
    }
    Ok(password)
}

async fn list(store: &Store, unit: Option<&str>) -> anyhow::Result<()> {
    let unit = unit.map(UnitPath::parse).transpose()?;
    let staff = store.list_staff(unit.as_ref()).await?;
    let rows: Vec<Vec<String>> = staff
        .iter()
        .map(|s| {
            vec![
                s.login.to_string(),
                s.name.clone(),
                s.extension.to_string(),
                s.unit.to_string(),
                s.roles.join(","),
                s.features.join(","),
            ]
        })
        .collect();
    let header = ["LOGIN", "NAME", "EXTENSION", "UNIT", "ROLES", "FEATURES"];
    print!("{}", table::render(&header, &rows));
    println!("{} people", staff.len());
    Ok(())
}
