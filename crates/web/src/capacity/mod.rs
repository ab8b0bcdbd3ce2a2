//! The capacity page for administrators (docs/capacity.md): `GET /api/v1/admin/capacity`,
//! each figure against its limit, green, amber or red, with its last 24 hours. The figures
//! are read once a minute by the server's sampler (`server/src/capacity_sampler.rs`),
//! which writes each round into the [`Board`] shared through [`AppState::capacity`]; the
//! levels and the history are the pure `capacity` crate's.

use crate::auth::session::Admin;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use capacity::{Figure, History};
use serde::Serialize;
use std::sync::{Mutex, PoisonError};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// One figure read by the sampler.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// Which.
    pub figure: Figure,
    /// Its value; NaN when it could not be read.
    pub value: f64,
    /// Its limit; none for a figure without one.
    pub limit: Option<f64>,
}

/// A round of readings, all taken at `at_ms`.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    /// Unix milliseconds.
    pub at_ms: i64,
    /// Every figure, in the page's order.
    pub readings: Vec<Reading>,
}

/// The figures now and their last 24 hours, shared by the sampler (writes) and the page
/// (reads).
#[derive(Debug)]
pub struct Board {
    red_minutes: u32,
    alert_to: Vec<String>,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    history: History,
    last: Option<Round>,
}

impl Default for Board {
    fn default() -> Self {
        Board::new(capacity::alerting::RED_MINUTES, Vec::new())
    }
}

impl Board {
    /// An empty board whose alerts come after `red_minutes` and go to `alert_to` (both
    /// shown on the page).
    pub fn new(red_minutes: u32, alert_to: Vec<String>) -> Board {
        Board {
            red_minutes,
            alert_to,
            inner: Mutex::default(),
        }
    }

    /// Adds samples read back from the store (at start).
    pub fn load(&self, samples: impl IntoIterator<Item = (i64, Figure, f64)>) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        for (at_ms, figure, value) in samples {
            inner.history.handle_sample(at_ms, &figure, value);
        }
    }

    /// Records a round: its values go into the history, and it is what the page shows.
    pub fn record(&self, round: Round) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        for reading in &round.readings {
            inner
                .history
                .handle_sample(round.at_ms, &reading.figure, reading.value);
        }
        inner.history.forget_stale(round.at_ms);
        inner.last = Some(round);
    }

    /// The page at `now_ms`.
    pub fn view(&self, now_ms: i64) -> CapacityView {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let figures = inner.last.as_ref().map_or_else(Vec::new, |round| {
            round
                .readings
                .iter()
                .map(|r| FigureView {
                    key: r.figure.key.as_str().to_owned(),
                    value: r.value.is_finite().then_some(r.value),
                    limit: r.limit,
                    unit: r.figure.key.unit().as_str().to_owned(),
                    level: capacity::level(r.value, r.limit).as_str().to_owned(),
                    app: r.figure.app.clone(),
                    history: inner
                        .history
                        .series(&r.figure, now_ms.max(round.at_ms))
                        .into_iter()
                        .map(|(at_ms, value)| (at_ms.div_euclid(1000), value))
                        .collect(),
                })
                .collect()
        });
        CapacityView {
            sampled_at: inner.last.as_ref().map(|r| r.at_ms.div_euclid(1000)),
            red_minutes: self.red_minutes,
            alert_to: self.alert_to.clone(),
            figures,
        }
    }
}

/// One figure on the page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FigureView {
    /// `cpu`, `memory`, `connections`, `media_legs`, `db_pool`, `write_queue_chat`,
    /// `write_queue_registrations`, `disk`, `gateway_users`, `calls` or `registrations`.
    pub key: String,
    /// The value at `sampled_at`; null when it could not be read.
    pub value: Option<f64>,
    /// The limit it is measured against; null for a figure without one.
    pub limit: Option<f64>,
    /// `cores`, `bytes` or `count`.
    pub unit: String,
    /// `green` (below 70 % of the limit, or no limit), `amber` (from 70 %), `red` (from
    /// 90 %) or `unknown`.
    pub level: String,
    /// For `gateway_users`: the application's name; else null.
    pub app: Option<String>,
    /// The last 24 hours, one `[unix_seconds, value]` per minute at most, oldest first
    /// (at most 1,440 points; minutes without a value are left out).
    #[schema(value_type = Vec<Vec<f64>>)]
    pub history: Vec<(i64, f64)>,
}

/// The capacity page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CapacityView {
    /// When the figures were read (Unix seconds); null before the first round.
    pub sampled_at: Option<i64>,
    /// Minutes a figure must stay red before the alert mail (`[capacity] red_minutes`).
    pub red_minutes: u32,
    /// Where alert mails go (`[capacity] alert_to`); empty: no mails.
    pub alert_to: Vec<String>,
    /// Every figure, in a fixed order; `gateway_users` once per application with a
    /// limit or users.
    pub figures: Vec<FigureView>,
}

/// Each figure against its limit, with its last 24 hours.
#[utoipa::path(get, path = "/api/v1/admin/capacity", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    responses((status = 200, body = CapacityView)))]
pub async fn overview(
    State(state): State<AppState>,
    Admin(_admin): Admin,
) -> Result<Json<CapacityView>, ApiError> {
    Ok(Json(state.capacity.view(state.live.now_ms())))
}

/// `GET /api/v1/admin/capacity`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(overview))
}

#[cfg(test)]
mod tests {
    use super::*;
    use capacity::{Key, MINUTE_MS};

    #[test]
    fn the_view_shows_the_last_round_with_levels_and_history() {
        let board = Board::new(5, vec!["it@lra.example".into()]);
        assert_eq!(board.view(0).sampled_at, None);
        let t0 = 1_765_000_000_000;
        board.load([(t0 - MINUTE_MS, Figure::of(Key::Cpu), 0.25)]);
        board.record(Round {
            at_ms: t0,
            readings: vec![
                Reading {
                    figure: Figure::of(Key::Cpu),
                    value: 3.8,
                    limit: Some(4.0),
                },
                Reading {
                    figure: Figure::gateway_users("e-akte"),
                    value: 4.0,
                    limit: Some(5.0),
                },
                Reading {
                    figure: Figure::of(Key::Calls),
                    value: f64::NAN,
                    limit: None,
                },
            ],
        });
        let view = serde_json::to_value(board.view(t0 + 1)).unwrap();
        assert_eq!(view["sampled_at"], 1_765_000_000);
        assert_eq!(view["alert_to"], serde_json::json!(["it@lra.example"]));
        let figures = view["figures"].as_array().unwrap();
        assert_eq!(
            figures[0],
            serde_json::json!({"key": "cpu", "value": 3.8, "limit": 4.0, "unit": "cores",
                "level": "red", "app": null,
                "history": [[1_764_999_940, 0.25], [1_765_000_000, 3.8]]})
        );
        assert_eq!(
            (&figures[1]["level"], &figures[1]["app"]),
            (&serde_json::json!("amber"), &serde_json::json!("e-akte"))
        );
        assert_eq!(
            (
                &figures[2]["level"],
                &figures[2]["value"],
                &figures[2]["history"]
            ),
            (
                &serde_json::json!("unknown"),
                &serde_json::Value::Null,
                &serde_json::json!([])
            )
        );
    }
}
