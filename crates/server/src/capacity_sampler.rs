//! The capacity page's timer (docs/capacity.md): every `[capacity] sample_secs` (a minute)
//! it reads the figures ([`crate::capacity_figures`]), records them on the page's board
//! and in the store (so the 24 hours survive a restart; older rows are pruned here), and
//! feeds the alert state machine. An alert goes to the audit log (`capacity.red`,
//! `capacity.cleared`) and, when `[capacity] alert_to` names anyone, as a German mail
//! through the outbox.

use crate::capacity_figures::{self, CpuMeter, Limits};
use crate::config::CapacityConfig;
use capacity::history::WINDOW_MS;
use capacity::{Alert, Alerting, Figure};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use store::{AuditEntry, CapacitySample, StoreError};
use web::capacity::{Board, Round};
use web::metrics::services::ServiceFigures;

/// How often rows older than a day are removed.
const PRUNE_EVERY_MS: i64 = 10 * 60_000;

/// What the sampler needs besides the state.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Between two readings.
    pub every: Duration,
    /// Red this many minutes in a row: the alert.
    pub red_minutes: u32,
    /// Who gets the alert mails.
    pub alert_to: Vec<String>,
    /// The configured limits.
    pub limits: Limits,
}

impl Settings {
    /// From `[capacity]` and the rest of the configuration.
    pub fn of(config: &crate::config::Config, data_dir: &std::path::Path) -> Settings {
        let CapacityConfig {
            alert_to,
            red_minutes,
            sample_secs,
        } = config.capacity.clone();
        Settings {
            every: Duration::from_secs(u64::from(sample_secs.max(1))),
            red_minutes,
            alert_to,
            limits: Limits::of(config, data_dir),
        }
    }

    /// The page's board for these settings.
    pub fn board(&self) -> Board {
        Board::new(self.red_minutes, self.alert_to.clone())
    }
}

/// Loads the last 24 hours from the store, then samples until aborted. `state.capacity`
/// must be the board of `settings`.
pub async fn run(state: web::AppState, services: Arc<dyn ServiceFigures>, settings: Settings) {
    let started = state.live.now_ms();
    match state
        .store
        .capacity_samples_since(started - WINDOW_MS)
        .await
    {
        Ok(samples) => state.capacity.load(
            samples
                .into_iter()
                .filter_map(|s| Some((s.at_ms, Figure::parse(&s.figure)?, s.value))),
        ),
        Err(error) => tracing::warn!(%error, "could not read the capacity history"),
    }
    let mut alerting = Alerting::new(settings.red_minutes);
    let mut cpu = CpuMeter::default();
    let mut pruned_at = i64::MIN;
    let mut tick = tokio::time::interval(settings.every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let readings =
            capacity_figures::read(&state, services.as_ref(), &settings.limits, &mut cpu).await;
        let now_ms = state.live.now_ms();
        for r in &readings {
            alerting.handle_sample(now_ms, &r.figure, r.value, r.limit);
        }
        let present: HashSet<&Figure> = readings.iter().map(|r| &r.figure).collect();
        alerting.retain(|f| present.contains(f));
        let samples: Vec<CapacitySample> = readings
            .iter()
            .filter(|r| r.value.is_finite())
            .map(|r| CapacitySample {
                at_ms: now_ms,
                figure: r.figure.id(),
                value: r.value,
            })
            .collect();
        state.capacity.record(Round {
            at_ms: now_ms,
            readings,
        });
        match state.store.insert_capacity_samples(&samples).await {
            Ok(()) => {}
            Err(StoreError::Database(sqlx::Error::PoolClosed)) => return,
            Err(error) => tracing::warn!(%error, "could not store the capacity samples"),
        }
        while let Some(alert) = alerting.poll_alert() {
            if let Err(error) = announce(&state, &settings, &alert, now_ms).await {
                tracing::warn!(%error, "could not record or mail a capacity alert");
            }
        }
        if now_ms.saturating_sub(pruned_at) >= PRUNE_EVERY_MS {
            pruned_at = now_ms;
            if let Err(error) = state.store.prune_capacity_samples(now_ms - WINDOW_MS).await {
                tracing::warn!(%error, "could not prune old capacity samples");
            }
        }
    }
}

/// Writes `alert` to the audit log and mails it to `alert_to`.
async fn announce(
    state: &web::AppState,
    settings: &Settings,
    alert: &Alert,
    now_ms: i64,
) -> Result<(), StoreError> {
    let (action, key, detail, since, red_since) = match alert {
        Alert::Red {
            key,
            value,
            limit,
            since,
        } => (
            "capacity.red",
            key,
            format!(
                "{value} of {limit} ({}) red since {}",
                capacity::mail::share(*value, Some(*limit)),
                web_time(*since)
            ),
            *since,
            *since,
        ),
        Alert::Cleared {
            key,
            value,
            limit,
            red_since,
            since,
        } => (
            "capacity.cleared",
            key,
            format!(
                "{value} of {} below red since {}, red since {}",
                limit.map_or("no limit".into(), |l| l.to_string()),
                web_time(*since),
                web_time(*red_since)
            ),
            *since,
            *red_since,
        ),
    };
    match alert {
        Alert::Red { .. } => tracing::warn!(figure = %key, %detail, "capacity red"),
        Alert::Cleared { .. } => tracing::info!(figure = %key, %detail, "capacity back below red"),
    }
    state
        .store
        .audit(&AuditEntry {
            at: now_ms.div_euclid(1000),
            actor: None,
            action: action.into(),
            target: Some(key.id()),
            source: None,
            detail,
        })
        .await?;
    let Some(mail) = &state.mail else {
        return Ok(());
    };
    let (subject, text) = capacity::mail::alert_mail(
        alert,
        now_ms,
        &local(since),
        &local(red_since),
        &state.organisation,
    );
    for to in &settings.alert_to {
        mail.queue(store::mail_outbox::NewMail {
            to: to.clone(),
            subject: subject.clone(),
            text: text.clone(),
            attachment: None,
        })
        .await?;
    }
    Ok(())
}

/// `at_ms` in the administration's local time, as a German reader writes it.
fn local(at_ms: i64) -> String {
    planner::calendar::local_time(at_ms.div_euclid(1000))
        .strftime("%d.%m.%Y %H:%M")
        .to_string()
}

/// `at_ms` as ISO 8601 UTC, for the audit log.
fn web_time(at_ms: i64) -> String {
    jiff::Timestamp::from_millisecond(at_ms).map_or_else(|_| at_ms.to_string(), |t| t.to_string())
}
