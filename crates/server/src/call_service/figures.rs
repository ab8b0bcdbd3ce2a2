//! Call control's figures for `/metrics`, read from the state it keeps when asked: calls
//! held, callers waiting at hotlines, logged-in agents by state (each person once, however
//! many hotlines they serve).

use super::Service;
use std::collections::HashMap;
use web::metrics::services::CallFigures;

/// An ask for call control's figures, answered on its loop between two inputs.
pub type FiguresAsk = tokio::sync::oneshot::Sender<CallFigures>;

impl Service {
    /// The figures now.
    pub(super) fn figures(&self) -> CallFigures {
        let mut waiting = 0;
        let mut agents: HashMap<i64, &'static str> = HashMap::new();
        for hotline in &self.hotlines.book.hotlines {
            let board = self.hotlines.board_view(hotline.id);
            waiting += board.waiting.len() as u64;
            for line in board.agents {
                agents.insert(line.agent, line.state);
            }
        }
        let mut by_state: Vec<(&'static str, u64)> = Vec::new();
        for state in agents.into_values() {
            match by_state.iter_mut().find(|(s, _)| *s == state) {
                Some((_, n)) => *n += 1,
                None => by_state.push((state, 1)),
            }
        }
        CallFigures {
            calls: self.calls.len() as u64,
            waiting,
            agents: by_state,
        }
    }
}
