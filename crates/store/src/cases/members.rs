//! Who works with a hotline's cases: its agents and supervisors (active people only), for
//! choosing a case's assignee.

use super::StaffRef;
use crate::{int, text, Store, StoreError};

/// One of a hotline's people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineMember {
    /// Who.
    pub person: StaffRef,
    /// An agent in one of its queues.
    pub agent: bool,
    /// One of its supervisors.
    pub supervisor: bool,
}

impl Store {
    /// The hotline's agents and supervisors, each once, by name.
    pub async fn hotline_members(&self, hotline_id: i64) -> Result<Vec<HotlineMember>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id, s.login, s.display_name, MAX(m.agent), MAX(m.supervisor) FROM ( \
               SELECT a.staff_id AS id, 1 AS agent, 0 AS supervisor FROM hotline_agents a \
               JOIN hotline_queues q ON q.id = a.queue_id WHERE q.hotline_id = $1 \
               UNION ALL \
               SELECT staff_id AS id, 0 AS agent, 1 AS supervisor FROM hotline_supervisors \
               WHERE hotline_id = $1 \
             ) m JOIN staff s ON s.id = m.id WHERE s.disabled_at IS NULL \
             GROUP BY s.id, s.login, s.display_name ORDER BY s.display_name, s.login",
        )
        .bind(hotline_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(HotlineMember {
                    person: StaffRef {
                        id: int(r, 0)?,
                        login: text(r, 1)?,
                        name: text(r, 2)?,
                    },
                    agent: int(r, 3)? != 0,
                    supervisor: int(r, 4)? != 0,
                })
            })
            .collect()
    }
}
