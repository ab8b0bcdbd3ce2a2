//! `durchwahl-load prepare`: writes the synthetic organisation of [`crate::org`] straight
//! through the store, the way `durchwahl demo` seeds its demo: a staff CSV planned by
//! the directory's import rules and applied in one transaction, then one shared password
//! hash, the favourites and the unit rooms.

use crate::org;
use crate::sign_in::PASSWORD;
use anyhow::{bail, Context};
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use directory::{
    parse_staff_csv, plan_import, write_staff_csv, CsvDialect, Extension, Feature, FeatureSet,
    Login, RoleSet, StaffRecord, UnitPath,
};
use futures_util::{stream, StreamExt, TryStreamExt};
use std::path::Path;
use std::time::Instant;
use store::{DatabaseUrl, Store};

/// Marks a database as prepared, with its staff count.
const MARKER: &str = "loadgen.staff";

/// The staff records of the organisation (role user; softphone and hotline on for the
/// first `phones` people, the hotline's agents, off for the rest).
pub fn staff_records(staff: usize, phones: usize) -> anyhow::Result<Vec<StaffRecord>> {
    (0..staff)
        .map(|i| {
            let features = match i < phones {
                true => FeatureSet::default()
                    .with(Feature::Softphone)
                    .with(Feature::Hotline),
                false => FeatureSet::default(),
            };
            Ok(StaffRecord {
                login: Login::parse(&org::login(i))?,
                name: org::name(i),
                unit: UnitPath::parse(&org::unit_path(org::unit_of(i)))?,
                extension: Extension::parse(&org::extension(i))?,
                email: None,
                mobile: None,
                home_phone: None,
                roles: RoleSet::default().with(directory::Role::User),
                features,
            })
        })
        .collect()
}

/// The one password hash every load-test account shares.
///
/// ONLY FOR THE BENCHMARK: argon2id with 64 KiB and one pass, so that 20,000 sign-ins cost
/// milliseconds and sign-in is not the bottleneck of a presence benchmark. The server
/// reads the parameters from the PHC string; real accounts keep the strong defaults.
pub fn benchmark_hash() -> anyhow::Result<String> {
    let params = Params::new(64, 1, 1, None).map_err(|e| anyhow::anyhow!("{e}"))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let salt =
        SaltString::encode_b64(b"durchwahl-load-salt").map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(argon
        .hash_password(PASSWORD.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .to_string())
}

/// The load test's hotline (`prepare --hotline-agents`).
#[derive(Debug, Clone, Copy)]
pub struct HotlinePlan {
    /// Agents: people `0..agents`; person `agents` supervises.
    pub agents: usize,
    /// Seconds between position announcements.
    pub position_every: i64,
}

/// Writes an organisation of `staff` people into an empty database, and the hotline.
pub async fn prepare(
    data_dir: &Path,
    database_url: Option<&str>,
    staff: usize,
    hotline: Option<HotlinePlan>,
) -> anyhow::Result<()> {
    if hotline.is_some_and(|h| h.agents >= staff) {
        bail!("--hotline-agents must be below --staff (one more person supervises)");
    }
    let url = match database_url {
        Some(raw) => DatabaseUrl::parse(raw)?,
        None => DatabaseUrl::sqlite_in(data_dir),
    };
    let store = Store::open(&url)
        .await
        .with_context(|| format!("opening {}", url.redacted()))?;
    if let Some(done) = store.setting(MARKER).await? {
        if done == staff.to_string() {
            println!(
                "{} already holds the load-test organisation of {staff}",
                url.redacted()
            );
            // The agents' softphone feature is written with the organisation: a hotline
            // comes with a fresh database only (or is there already).
            if let Some(h) = hotline {
                crate::hotline::setup::check_added(&store, h.agents).await?;
            }
            store.close().await;
            return Ok(());
        }
        bail!(
            "{} holds a load-test organisation of {done}, not {staff}; use a fresh one",
            url.redacted()
        );
    }
    if store.staff_count().await? > 0 {
        bail!(
            "{} already holds a directory; prepare needs an empty database",
            url.redacted()
        );
    }
    let started = Instant::now();
    let csv = write_staff_csv(
        &staff_records(staff, hotline.map_or(0, |h| h.agents))?,
        CsvDialect { delimiter: b',' },
        false,
    );
    let plan = plan_import(&store.snapshot().await?, parse_staff_csv(&csv));
    if let Some(problem) = plan.problems.first() {
        bail!("the generated organisation is invalid: {problem}");
    }
    store.apply_import(&plan, &mut |_, _| {}).await?;
    println!(
        "{staff} staff in {} units: {:.1} s",
        staff.div_ceil(org::UNIT_SIZE),
        started.elapsed().as_secs_f64()
    );

    // One hash, computed once, for everyone (the database is fresh, so "everyone without
    // a password" is everyone).
    let hash = benchmark_hash()?;
    let set = store.set_missing_password_hashes(&hash).await?;
    println!("password set for {set}");

    let started = Instant::now();
    // Several owners at once: PostgreSQL is bound by round trips; SQLite serialises anyway.
    stream::iter(0..staff)
        .map(|i| {
            let store = store.clone();
            async move {
                let owner = Login::parse(&org::login(i))?;
                let targets = org::favourites_of(i, staff)
                    .into_iter()
                    .map(|j| Login::parse(&org::login(j)))
                    .collect::<Result<Vec<_>, _>>()?;
                store.add_favourites(&owner, &targets).await?;
                anyhow::Ok(())
            }
        })
        .buffer_unordered(8)
        .try_collect::<()>()
        .await?;
    println!("favourites: {:.1} s", started.elapsed().as_secs_f64());

    store.sync_unit_rooms(now_ms()?).await?;
    store.set_setting(MARKER, &staff.to_string()).await?;
    if let Some(h) = hotline {
        crate::hotline::setup::add_hotline(&store, h.agents, h.position_every, now_ms()?).await?;
    }
    store.close().await;
    Ok(())
}

fn now_ms() -> anyhow::Result<i64> {
    Ok(std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordHash;
    use argon2::PasswordVerifier;

    #[test]
    fn records_follow_the_organisation() {
        let staff = staff_records(65, 0).unwrap();
        assert_eq!(staff.len(), 65);
        assert_eq!(staff[0].login.as_str(), "u00001");
        assert_eq!(staff[64].extension.as_str(), "100064");
        assert_eq!(staff[64].unit.to_string(), "Lastprobe/Einheit 0003");
        assert!(staff.iter().all(|s| s.features.is_empty()));
        assert_eq!(staff_records(65, 0).unwrap(), staff, "deterministic");
        let agents = staff_records(65, 2).unwrap();
        assert!(agents[1].features.contains(Feature::Softphone));
        assert!(agents[2].features.is_empty());
    }

    #[test]
    fn the_benchmark_hash_is_cheap_and_verifies() {
        let hash = benchmark_hash().unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{hash}");
        let parsed = PasswordHash::new(&hash).unwrap();
        assert!(Argon2::default()
            .verify_password(PASSWORD.as_bytes(), &parsed)
            .is_ok());
    }
}
