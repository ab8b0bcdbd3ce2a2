//! A supervisor's `call.listen`: listening in on an agent's conversation, or whispering
//! to the agent. Staff councils must agree to it, so it is off for every hotline until an
//! administrator switches it on, only a hotline's supervisors may do it, and every start
//! is written to the audit log before any audio flows (no audit, no listening).

use super::{refusal, Service};
use calls::{Command, Party, Target};
use live::calls::DeskError;
use live::Person;
use queues::AgentState;

fn error(code: &'static str, message: &str) -> DeskError {
    DeskError {
        code,
        message: message.into(),
    }
}

impl Service {
    /// Ends listening that the settings no longer allow (switched off for the hotline, or
    /// the person no longer its supervisor), after the hotlines were read again.
    pub(super) fn end_disallowed_listening(&mut self, now: i64) {
        let book = &self.hotlines.book;
        let ended: Vec<calls::CallId> = self
            .calls
            .listenings()
            .into_iter()
            .filter(|&(_, hotline, supervisor)| {
                let allowed = book
                    .hotlines
                    .iter()
                    .any(|h| h.id == hotline && h.supervisor_listen);
                let supervises =
                    supervisor.is_some_and(|p| book.supervisors.contains(&(hotline, p)));
                !(allowed && supervises)
            })
            .map(|(id, ..)| id)
            .collect();
        for id in ended {
            tracing::info!(call = %id, "listening in ended: no longer allowed");
            self.calls.stop_listening(now, id);
        }
    }

    /// Starts `person`'s listening call on `agent`'s conversation at `hotline` (their
    /// browser's offer `sdp`); returns the new call's id.
    pub(super) async fn listen(
        &mut self,
        person: &Person,
        conn: u64,
        (hotline, agent, whisper): (i64, i64, bool),
        sdp: String,
    ) -> Result<String, DeskError> {
        let book = &self.hotlines.book;
        let h = book
            .hotlines
            .iter()
            .find(|h| h.id == hotline)
            .ok_or_else(|| error("not_found", "Diese Hotline gibt es nicht."))?;
        if !book.supervisors.contains(&(hotline, person.id)) {
            return Err(error(
                "forbidden",
                "Mithören kann nur, wer die Hotline als Supervisor betreut.",
            ));
        }
        if !h.supervisor_listen {
            return Err(error(
                "forbidden",
                "Mithören und Flüstern sind für diese Hotline nicht freigegeben.",
            ));
        }
        if agent == person.id {
            return Err(error(
                "bad_request",
                "Sie können sich nicht selbst zuhören.",
            ));
        }
        let not_talking = || {
            error(
                "not_found",
                "Dieser Agent führt gerade kein Gespräch dieser Hotline.",
            )
        };
        let call = match self.hotlines.board.agent(agent).map(|a| &a.state) {
            Some(AgentState::OnCall { call }) => self.hotlines.ids.c(*call),
            _ => return Err(not_talking()),
        };
        let agent_person = self.live.person(agent).ok_or_else(not_talking)?;
        let (action, shown) = match whisper {
            false => ("hotline.listen", "Mithören"),
            true => ("hotline.whisper", "Flüstern"),
        };
        let party = Party::service(&h.extension, &format!("{shown}: {}", agent_person.name));
        let me = self.me(person).await?;
        let detail = format!("Hotline „{}“, Gespräch {call}", h.name);
        // Checked by call control without changing anything first, so a refused request
        // leaves no audit entry for a listening that never happened.
        if self.calls.listener_of(call).is_some() {
            return Err(error(
                "bad_request",
                "Bei diesem Gespräch hört bereits jemand mit.",
            ));
        }
        self.calls.may_listen(hotline, call).map_err(refusal)?;
        let entry = store::AuditEntry {
            at: self.live.now_ms() / 1000,
            actor: Some(person.login.clone()),
            action: action.into(),
            target: Some(agent_person.login.clone()),
            source: None,
            detail,
        };
        if let Err(e) = self.store.audit(&entry).await {
            tracing::error!(error = %e, "listening in could not be audited, so it is refused");
            return Err(error(
                "unavailable",
                "Mithören ist gerade nicht möglich (Protokoll nicht erreichbar).",
            ));
        }
        let command = Command::Dial {
            from: me,
            target: Target::Listen {
                hotline,
                call,
                whisper,
                party,
            },
            sdp,
        };
        self.calls
            .handle_command(self.live.now_ms(), person.id, conn, command)
            .map(|c| c.to_string())
            .map_err(refusal)
    }
}
