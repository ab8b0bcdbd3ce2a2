//! The switchboard's orders carried out by the call service: prompts into callers' legs,
//! offers to agents where they can answer (their browser, else their phones), and the
//! inputs from the web (agents' commands, boards, reloads).

use super::hotline::{PUSH_EVERY_MS, REFRESH_MS};
use super::{targets, Service};
use calls::numbers::Permission;
use calls::Target;
use live::calls::DeskError;
use live::hotlines::{AgentCommand, AnswerOn, HotlineInput};
use queues::switchboard::Order;
use queues::Availability;

impl Service {
    /// Feeds what call control reported about hotline calls to the switchboard and
    /// carries out its orders until it is quiet; whether anything happened.
    pub(super) async fn run_hotline(&mut self, reported: Vec<calls::HotlineEvent>) -> bool {
        self.refresh_agents(false);
        let now = self.live.now_ms();
        let mut any = !reported.is_empty();
        for event in reported {
            // A colleague with only a browser cannot be called back (a callback goes
            // through the switch): they are not offered one.
            let browser_only = match &event {
                calls::HotlineEvent::Arrived { call, caller, .. } => match &caller.login {
                    Some(login) => {
                        (!targets::has_phones_or_rules(&self.store, login).await).then_some(*call)
                    }
                    None => None,
                },
                _ => None,
            };
            self.hotlines.handle(now, event);
            if let Some(call) = browser_only {
                self.hotlines.board.no_callback(self.hotlines.ids.q(call));
            }
        }
        while let Some(order) = self.hotlines.board.poll_order() {
            any = true;
            self.carry_out_order(order).await;
        }
        self.hotlines.log_events();
        self.push_boards();
        any
    }

    async fn carry_out_order(&mut self, order: Order) {
        let now = self.live.now_ms();
        match order {
            Order::Play {
                call,
                clip,
                looping,
            } => {
                let leg = self.hotlines.legs.get(&self.hotlines.ids.c(call)).copied();
                match (leg, self.hotlines.clips.frames(clip)) {
                    (Some(leg), Some(frames)) => {
                        self.media.play(leg, frames, media::Codec::Pcma, looping);
                    }
                    // Nothing to play: as if it had played.
                    (Some(_), None) => self.hotlines.board.handle_played(now, call),
                    (None, _) => {}
                }
            }
            Order::Offer { call, agent, until } => {
                // Presence may have changed since the last look (do-not-disturb, a call).
                let availability = self.availability(agent);
                if !availability.free() {
                    self.hotlines
                        .board
                        .set_availability(now, agent, availability);
                    self.hotlines.board.handle_offer_ended(now, call, agent);
                    return;
                }
                let offered = match self.reach(agent).await {
                    Some(target) => self
                        .calls
                        .offer(now, self.hotlines.ids.c(call), agent, target, until)
                        .is_ok(),
                    None => false,
                };
                if !offered {
                    if self.hotlines.answer_on(agent) == AnswerOn::Mobile {
                        // No mobile in the directory any more: not until they choose again.
                        self.hotlines.mobile_missing.insert(agent);
                    }
                    // Not reachable (no browser open, no phone): not offered again until
                    // the presence refresh finds them.
                    let mut availability = self.availability(agent);
                    availability.offline = true;
                    self.hotlines
                        .board
                        .set_availability(now, agent, availability);
                    self.hotlines.board.handle_offer_ended(now, call, agent);
                }
            }
            Order::Forward {
                call,
                person,
                until,
            } => {
                // Rung like any call to them: their phones and forwarding, else browsers.
                let target = match self.live.person(person) {
                    Some(p) => match self.store.panel_person(&p.login).await {
                        Ok(Some(me)) => self
                            .route(None, Permission::Internal, &me.extension)
                            .await
                            .ok(),
                        _ => None,
                    },
                    None => None,
                };
                let offered = target.is_some_and(|target| {
                    self.calls
                        .offer(now, self.hotlines.ids.c(call), person, target, until)
                        .is_ok()
                });
                if !offered {
                    self.hotlines.board.handle_offer_ended(now, call, person);
                }
            }
            Order::Withdraw { call, agent } => {
                self.calls
                    .withdraw_offer(now, self.hotlines.ids.c(call), agent)
            }
            Order::CallBack { call, agent, until } => {
                let placed = self.call_back(now, call, agent, until).await;
                if !placed {
                    self.hotlines.board.handle_callback_failed(now, call, agent);
                }
            }
            Order::SendAway { call } => {
                let _ = self.calls.send_away(now, self.hotlines.ids.c(call));
            }
            Order::Voicemail { call, hotline } => {
                let call = self.hotlines.ids.c(call);
                let handed = match self.store.hotline_mailbox(hotline, now).await {
                    Ok(b) => self.calls.hotline_to_voicemail(now, call, b.id).is_ok(),
                    Err(e) => {
                        tracing::error!(error = %e, hotline, "the hotline's voicemail box could not be read");
                        false
                    }
                };
                if !handed {
                    let _ = self.calls.send_away(now, call);
                }
            }
        }
    }

    /// Calls a caller back for `agent` (their device rings first): whether it could be
    /// placed.
    async fn call_back(&mut self, now: i64, call: queues::CallId, agent: i64, until: i64) -> bool {
        let Some((caller, via)) = self
            .hotlines
            .callers
            .get(&self.hotlines.ids.c(call))
            .cloned()
        else {
            return false;
        };
        let Some(hotline) = self.hotlines.board.hotline_of_place(call) else {
            return false;
        };
        let Some(h) = self.hotlines.book.hotlines.iter().find(|h| h.id == hotline) else {
            return false;
        };
        let shown = calls::Party::service(&h.extension, &h.name);
        let target = match (caller.person, via) {
            (None, calls::Via::Trunk(trunk)) => Target::Outside {
                party: caller,
                trunk,
            },
            _ => Target::Sip(caller),
        };
        // Wherever the agent takes the calls: browser, desk phone or mobile.
        let Some(reach) = self.reach(agent).await else {
            return false;
        };
        let request = calls::CallbackRequest {
            place: self.hotlines.ids.c(call),
            agent,
            reach,
            caller: target,
            hotline: shown,
            hotline_id: hotline,
            until,
        };
        self.calls.call_back(now, request).is_ok()
    }

    /// Where an agent answers, as they chose: `auto` their browser when one is open, else
    /// their phones through the switch; or only the browser, only the phones, or their
    /// mobile through the trunk. `None`: not reachable there now.
    async fn reach(&self, agent: i64) -> Option<Target> {
        let login = self.live.person(agent)?.login;
        let me = self.store.panel_person(&login).await.ok().flatten()?;
        let party = targets::party(&me);
        let browser = self.live.is_connected(agent);
        let phones = || async {
            let any = self.store.devices_of(&login).await;
            (any.is_ok_and(|d| !d.is_empty()) && self.has_switch())
                .then(|| Target::Sip(party.clone()))
        };
        match self.hotlines.answer_on(agent) {
            AnswerOn::Auto if browser => Some(Target::Browser(party.clone())),
            AnswerOn::Auto | AnswerOn::Phone => phones().await,
            AnswerOn::Browser => browser.then(|| Target::Browser(party.clone())),
            AnswerOn::Mobile => self
                .mobile_of(&login)
                .await
                .map(|(party, trunk)| Target::Outside { party, trunk }),
        }
    }

    /// A person's mobile (from the directory) and the trunk to reach it through.
    async fn mobile_of(&self, login: &str) -> Option<(calls::Party, usize)> {
        let trunk = self.trunk_index(0)?;
        let login = directory::Login::parse(login).ok()?;
        let record = self.store.person(&login).await.ok().flatten()?;
        let mobile = record.mobile.filter(|m| !m.trim().is_empty())?;
        let party = calls::Party {
            person: None,
            name: None,
            number: calls::numbers::normalise_called(&mobile, &self.plan),
            login: None,
            unit: None,
        };
        Some((party, trunk))
    }

    /// Checks and keeps where an agent takes the calls: an agent of some queue; a mobile
    /// needs one in the directory and a trunk to reach it.
    async fn keep_answer_on(&mut self, agent: i64, on: AnswerOn) -> Result<(), DeskError> {
        let refused = |code, message: &str| DeskError {
            code,
            message: message.into(),
        };
        if !self
            .hotlines
            .book
            .agents
            .iter()
            .any(|a| a.staff_id == agent)
        {
            return Err(refused(
                "forbidden",
                "Sie sind in keiner Warteschlange Agent.",
            ));
        }
        let login = self.live.person(agent).map(|p| p.login).unwrap_or_default();
        if on == AnswerOn::Phone {
            let phones = self.store.devices_of(&login).await;
            if !self.has_switch() || !phones.is_ok_and(|d| !d.is_empty()) {
                return Err(refused(
                    "bad_request",
                    "Für Sie ist kein Tischtelefon eingerichtet.",
                ));
            }
        }
        if on == AnswerOn::Mobile {
            if self.trunk_index(0).is_none() {
                return Err(refused(
                    "bad_request",
                    "Für Anrufe auf das Handy ist keine Amtsleitung eingerichtet.",
                ));
            }
            if self.mobile_of(&login).await.is_none() {
                return Err(refused(
                    "bad_request",
                    "Im Verzeichnis ist für Sie keine Handynummer eingetragen.",
                ));
            }
        }
        self.store
            .set_answer_on(agent, on.as_str())
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "where an agent answers could not be kept");
                refused(
                    "unavailable",
                    "Die Einstellung konnte nicht gespeichert werden.",
                )
            })
    }

    /// What else keeps an agent, from presence, and whether the device they chose can be
    /// reached now (an offer to an unreachable one would only fail again).
    fn availability(&self, agent: i64) -> Availability {
        use presence::State;
        let state = self.live.presence_state(agent);
        let reachable = match self.hotlines.answer_on(agent) {
            AnswerOn::Auto => !matches!(state, None | Some(State::Offline)),
            AnswerOn::Browser => self.live.is_connected(agent),
            AnswerOn::Phone => self.has_switch() && self.live.has_phone(agent),
            // Without any client open; not again after the mobile could not be found.
            AnswerOn::Mobile => {
                self.trunk_index(0).is_some() && !self.hotlines.mobile_missing.contains(&agent)
            }
        };
        Availability {
            on_other_call: state == Some(State::OnThePhone),
            dnd: state == Some(State::DoNotDisturb),
            in_meeting: state == Some(State::InAMeeting),
            offline: !reachable,
        }
    }

    /// Refreshes every logged-in agent's availability (presence changed meanwhile), at
    /// most every [`REFRESH_MS`] unless `now_anyway`.
    pub(super) fn refresh_agents(&mut self, now_anyway: bool) {
        let now = self.live.now_ms();
        if !now_anyway && now < self.hotlines.refreshed_ms + REFRESH_MS {
            return;
        }
        self.hotlines.refreshed_ms = now;
        let agents: Vec<i64> = self
            .hotlines
            .book
            .agents
            .iter()
            .map(|a| a.staff_id)
            .collect();
        for agent in agents {
            if self.hotlines.board.agent(agent).is_some() {
                let availability = self.availability(agent);
                self.hotlines
                    .board
                    .set_availability(now, agent, availability);
            }
        }
    }

    /// A request from the web.
    pub(super) async fn hotline_input(&mut self, input: HotlineInput) {
        let now = self.live.now_ms();
        match input {
            HotlineInput::Agent {
                agent,
                command,
                reply,
            } => {
                if let AgentCommand::AnswerOn(on) = command {
                    if let Err(e) = self.keep_answer_on(agent, on).await {
                        let _ = reply.send(Err(e));
                        return;
                    }
                }
                let result = self.hotlines.agent_command(now, agent, command);
                let answer = match result {
                    Ok((view, changed)) => {
                        if let Some((queues, logged_in)) = changed {
                            if let Err(e) =
                                self.store.set_agent_logins(agent, &queues, logged_in).await
                            {
                                tracing::error!(error = %e, "an agent's login could not be kept");
                            }
                        }
                        Ok(view)
                    }
                    Err(e) => Err(e),
                };
                let _ = reply.send(answer);
            }
            HotlineInput::Board { hotline, reply } => {
                let _ = reply.send(self.hotlines.board_view(hotline));
            }
            HotlineInput::Reload { done } => {
                let store = self.store.clone();
                self.hotlines.reload(&store, now).await;
                self.end_disallowed_listening(now);
                let _ = done.send(());
            }
        }
        self.refresh_agents(true);
        self.run_hotline(Vec::new()).await;
    }

    /// Pushes the boards that changed to their watchers, and agents' own views.
    /// A hotline's board goes out at most every [`PUSH_EVERY_MS`] (changes in between
    /// are in the next one): in full to its supervisors, to its agents only who waits
    /// (not their colleagues' states and pause reasons).
    fn push_boards(&mut self) {
        let now = self.live.now_ms();
        let frames = self.live.frames();
        let due: Vec<i64> = self
            .hotlines
            .dirty
            .iter()
            .copied()
            .filter(|h| {
                self.hotlines
                    .pushed_ms
                    .get(h)
                    .is_none_or(|at| now >= at + PUSH_EVERY_MS)
            })
            .collect();
        for hotline in due {
            self.hotlines.dirty.remove(&hotline);
            self.hotlines.pushed_ms.insert(hotline, now);
            let mut board = self.hotlines.board_view(hotline);
            let full = frames.hotline_board(hotline, &board);
            let (supervisors, agents) = self.hotlines.watchers(hotline);
            for person in supervisors.iter() {
                self.live.to_person(*person, None, full.clone());
            }
            board.agents.clear();
            let waiting_only = frames.hotline_board(hotline, &board);
            for person in agents.iter().filter(|p| !supervisors.contains(p)) {
                self.live.to_person(*person, None, waiting_only.clone());
            }
        }
        for agent in std::mem::take(&mut self.hotlines.agents_changed) {
            let frame = frames.hotline_agent(&self.hotlines.agent_view(agent));
            self.live.to_person(agent, None, frame);
            // Colleagues see it in the team panel (wrap-up also as busy).
            self.live.hotline_duty(agent, self.hotlines.duty_of(agent));
        }
    }

    /// A waiting caller's leg played its prompt to the end.
    pub(super) fn hotline_played(&mut self, leg: calls::LegRef) {
        let now = self.live.now_ms();
        self.hotlines.played(now, leg);
    }
}
