//! The hotline's queue event log (append-only; the database refuses updates and deletes):
//! events written in batches, and read back for a period to compute the figures
//! (`queues::figures`).

use crate::directory::placeholders;
use crate::{int, Store, StoreError};
use queues::{CallId, EventKind, QueueEvent, QueueId};
use sqlx::any::AnyRow;
use sqlx::Row;

/// Columns per event row.
const COLUMNS: usize = 8;
/// Events per INSERT (SQLite binds at most 32,766 parameters).
const BATCH: usize = 200;

/// An event as its row: kind, call, agent, waited, position, detail.
type Row8<'a> = (
    &'static str,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<&'a str>,
);

fn row_of(kind: &EventKind) -> Row8<'_> {
    use EventKind as K;
    match kind {
        K::Entered { call, position } => (
            "entered",
            Some(call.0),
            None,
            None,
            Some(i64::from(*position)),
            None,
        ),
        K::Offered { call, agent } => ("offered", Some(call.0), Some(*agent), None, None, None),
        K::Answered {
            call,
            agent,
            waited_ms,
        } => (
            "answered",
            Some(call.0),
            Some(*agent),
            Some(*waited_ms),
            None,
            None,
        ),
        K::Abandoned {
            call,
            waited_ms,
            position,
        } => {
            let position = Some(i64::from(*position));
            (
                "abandoned",
                Some(call.0),
                None,
                Some(*waited_ms),
                position,
                None,
            )
        }
        K::CallbackRequested { call, waited_ms } => (
            "callback_requested",
            Some(call.0),
            None,
            Some(*waited_ms),
            None,
            None,
        ),
        K::CallbackDone { call, agent } => (
            "callback_done",
            Some(call.0),
            Some(*agent),
            None,
            None,
            None,
        ),
        K::Overflowed { call, waited_ms } => (
            "overflowed",
            Some(call.0),
            None,
            Some(*waited_ms),
            None,
            None,
        ),
        K::AgentLogin { agent } => ("agent_login", None, Some(*agent), None, None, None),
        K::AgentLogout { agent } => ("agent_logout", None, Some(*agent), None, None, None),
        K::AgentPaused { agent, reason } => {
            ("agent_paused", None, Some(*agent), None, None, Some(reason))
        }
        K::AgentResumed { agent } => ("agent_resumed", None, Some(*agent), None, None, None),
        K::WrapUpEnded { agent, early } => {
            let detail = if *early { "early" } else { "timed" };
            (
                "wrap_up_ended",
                None,
                Some(*agent),
                None,
                None,
                Some(detail),
            )
        }
    }
}

fn event_of(row: &AnyRow) -> Result<QueueEvent, StoreError> {
    let opt =
        |i: usize| -> Result<Option<i64>, StoreError> { Ok(row.try_get::<Option<i64>, _>(i)?) };
    let need = |i: usize, what: &str| -> Result<i64, StoreError> {
        opt(i)?.ok_or_else(|| StoreError::Corrupt(format!("a queue event without its {what}")))
    };
    let kind: String = row.try_get(2)?;
    let call = || need(3, "call").map(CallId);
    let agent = || need(4, "agent");
    let waited = || need(5, "wait");
    let position = || -> Result<u32, StoreError> {
        u32::try_from(need(6, "position")?).map_err(|e| StoreError::Corrupt(e.to_string()))
    };
    let detail: Option<String> = row.try_get(7)?;
    use EventKind as K;
    let kind = match kind.as_str() {
        "entered" => K::Entered {
            call: call()?,
            position: position()?,
        },
        "offered" => K::Offered {
            call: call()?,
            agent: agent()?,
        },
        "answered" => K::Answered {
            call: call()?,
            agent: agent()?,
            waited_ms: waited()?,
        },
        "abandoned" => K::Abandoned {
            call: call()?,
            waited_ms: waited()?,
            position: position()?,
        },
        "callback_requested" => K::CallbackRequested {
            call: call()?,
            waited_ms: waited()?,
        },
        "callback_done" => K::CallbackDone {
            call: call()?,
            agent: agent()?,
        },
        "overflowed" => K::Overflowed {
            call: call()?,
            waited_ms: waited()?,
        },
        "agent_login" => K::AgentLogin { agent: agent()? },
        "agent_logout" => K::AgentLogout { agent: agent()? },
        "agent_paused" => K::AgentPaused {
            agent: agent()?,
            reason: detail.unwrap_or_default(),
        },
        "agent_resumed" => K::AgentResumed { agent: agent()? },
        "wrap_up_ended" => K::WrapUpEnded {
            agent: agent()?,
            early: detail.as_deref() == Some("early"),
        },
        other => {
            return Err(StoreError::Corrupt(format!(
                "unknown queue event {other:?}"
            )))
        }
    };
    Ok(QueueEvent {
        at_ms: int(row, 0)?,
        queue: QueueId(int(row, 1)?),
        kind,
    })
}

impl Store {
    /// Appends events (in one transaction: all or none).
    pub async fn append_queue_events(&self, events: &[QueueEvent]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for chunk in events.chunks(BATCH) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| format!("({})", placeholders(i * COLUMNS + 1, COLUMNS)))
                .collect();
            let sql = format!(
                "INSERT INTO queue_events (at_ms, queue_id, kind, call_id, agent_id, waited_ms, \
                 position, detail) VALUES {}",
                rows.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for e in chunk {
                let (kind, call, agent, waited, position, detail) = row_of(&e.kind);
                q = q
                    .bind(e.at_ms)
                    .bind(e.queue.0)
                    .bind(kind)
                    .bind(call)
                    .bind(agent)
                    .bind(waited)
                    .bind(position)
                    .bind(detail);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The largest call id in the event log and the promised callbacks (0: none), so a
    /// new run can number its calls above it.
    pub async fn highest_queue_call_id(&self) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COALESCE(MAX(m), 0) FROM ( \
               SELECT MAX(call_id) AS m FROM queue_events \
               UNION ALL SELECT MAX(call_id) AS m FROM hotline_callbacks \
             ) ids",
        )
        .fetch_one(&self.pool)
        .await?;
        int(&row, 0)
    }

    /// The events from `from_ms` up to (not including) `to_ms`, in the order written.
    pub async fn queue_events(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<QueueEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT at_ms, queue_id, kind, call_id, agent_id, waited_ms, position, detail \
             FROM queue_events WHERE at_ms >= $1 AND at_ms < $2 ORDER BY id",
        )
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_of).collect()
    }

    /// The events of `queues` in `[from_ms, to_ms)`, in the order they were written (a
    /// hotline's wallboard and reports read only its own queues).
    pub async fn queue_events_of(
        &self,
        queues: &[i64],
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<QueueEvent>, StoreError> {
        if queues.is_empty() {
            return Ok(Vec::new());
        }
        let list = placeholders(3, queues.len());
        let sql = format!(
            "SELECT at_ms, queue_id, kind, call_id, agent_id, waited_ms, position, detail \
             FROM queue_events WHERE at_ms >= $1 AND at_ms < $2 AND queue_id IN ({list}) \
             ORDER BY id"
        );
        let mut query = sqlx::query(&sql).bind(from_ms).bind(to_ms);
        for q in queues {
            query = query.bind(q);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(event_of).collect()
    }

    /// Tries to change and to delete queue events, which the database must refuse;
    /// returns whether each was refused.
    #[doc(hidden)]
    pub async fn tamper_with_queue_events_for_test(&self) -> (bool, bool) {
        let update = sqlx::query("UPDATE queue_events SET waited_ms = 0")
            .execute(&self.pool)
            .await;
        let delete = sqlx::query("DELETE FROM queue_events")
            .execute(&self.pool)
            .await;
        (update.is_err(), delete.is_err())
    }
}
