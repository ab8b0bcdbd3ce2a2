//! The hotlines in the call service: the pure switchboard (`queues::Switchboard`) fed
//! with what call control reports about hotline calls, what agents do (through
//! `live::hotlines`) and their presence; its orders carried out on call control (offers,
//! withdrawals, sending callers away) and on the media (prompts); its events appended to
//! the queue event log; the live board pushed to supervisors and agents.

use super::clips::Clips;
use calls::{CallId, HotlineEvent, LegRef};
use live::calls::DeskError;
use live::hotlines::{
    AgentCommand, AgentLine, AgentQueue, AgentView, AnswerOn, BoardView, WaitingLine,
};
use queues::switchboard::{AgentCommandError, HotlineSetup, Overflow, QueueSetup};
use queues::{AgentState, OpeningHours, QueueEvent, QueueId, QueueSettings, Strategy};
use std::collections::{BTreeSet, HashMap};
use store::{HotlineBook, Store};
use tokio::sync::mpsc;

/// How often agents' presence is looked at again.
pub(super) const REFRESH_MS: i64 = 500;
/// The most often a hotline's board is pushed.
pub(super) const PUSH_EVERY_MS: i64 = 500;

/// Events per write of the queue event log.
const EVENT_BATCH: usize = 500;

/// Queues an agent logged in to (`true`) or out of: kept in the store over a restart.
pub(super) type LoginChange = (Vec<i64>, bool);

/// The hotlines' state in the call service.
pub(super) struct Hotlines {
    pub board: queues::Switchboard,
    pub book: HotlineBook,
    /// The leg of each waiting caller.
    pub legs: HashMap<CallId, LegRef>,
    /// Who each caller is and how they called (to call them back), until they are served.
    pub callers: HashMap<CallId, (calls::Party, calls::Via)>,
    pub by_leg: HashMap<LegRef, CallId>,
    pub clips: Clips,
    pub(super) events: mpsc::UnboundedSender<QueueEvent>,
    /// Callbacks promised and not yet done, kept in the store (`hotline_recovery.rs`).
    pub(super) promised: std::collections::HashSet<queues::CallId>,
    pub(super) promises: mpsc::UnboundedSender<super::hotline_recovery::Promise>,
    /// Hotlines whose board changed since it was last pushed.
    pub dirty: BTreeSet<i64>,
    /// Agents whose own view changed.
    pub agents_changed: BTreeSet<i64>,
    /// When agents' presence was last looked at.
    pub refreshed_ms: i64,
    /// When each hotline's board was last pushed.
    pub pushed_ms: HashMap<i64, i64>,
    /// This run's call ids in the event log.
    pub ids: super::run_ids::RunIds,
    /// Agents on the mobile whose number could not be found (until they choose again).
    pub mobile_missing: BTreeSet<i64>,
}

impl Hotlines {
    /// Reads the hotlines and starts the writer of the event log.
    pub async fn load(store: &Store, now: i64) -> Hotlines {
        // Above every call id stored so far, so no two runs share one.
        let highest = match store.highest_queue_call_id().await {
            Ok(id) => id,
            Err(e) => {
                tracing::error!(error = %e, "the highest hotline call id could not be read");
                0
            }
        };
        let (events, rx) = mpsc::unbounded_channel();
        tokio::spawn(write_events(store.clone(), rx));
        let (promises, rx) = mpsc::unbounded_channel();
        tokio::spawn(super::hotline_recovery::write_promises(store.clone(), rx));
        let mut hotlines = Hotlines {
            board: queues::Switchboard::default(),
            book: HotlineBook::default(),
            legs: HashMap::new(),
            callers: HashMap::new(),
            by_leg: HashMap::new(),
            clips: Clips::default(),
            events,
            promised: std::collections::HashSet::new(),
            promises,
            dirty: BTreeSet::new(),
            agents_changed: BTreeSet::new(),
            refreshed_ms: 0,
            pushed_ms: HashMap::new(),
            ids: super::run_ids::RunIds::after(highest, now),
            mobile_missing: BTreeSet::new(),
        };
        hotlines.reload(store, now).await;
        hotlines.recover(store, now).await;
        hotlines
    }

    /// Reads the settings again (agents logged in stay, and are restored at start).
    pub async fn reload(&mut self, store: &Store, now: i64) {
        let book = match store.hotline_book().await {
            Ok(book) => book,
            Err(e) => {
                tracing::error!(error = %e, "the hotlines could not be read");
                return;
            }
        };
        self.clips.load(store, &book).await;
        let (hotlines, queues) = setups(&book);
        self.board.configure(now, hotlines, queues);
        // Callbacks promised in a queue that is gone now cannot be kept.
        let void: Vec<queues::CallId> = self
            .promised
            .iter()
            .copied()
            .filter(|c| self.board.hotline_of_place(*c).is_none())
            .collect();
        for call in void {
            self.promised.remove(&call);
            let _ = self
                .promises
                .send(super::hotline_recovery::Promise::Kept(call.0));
        }
        for a in book.agents.iter().filter(|a| a.logged_in) {
            if self.board.agent(a.staff_id).is_none() {
                self.board
                    .restore_login(now, a.staff_id, QueueId(a.queue_id));
            }
        }
        self.dirty.extend(book.hotlines.iter().map(|h| h.id));
        // Logged in at start, or changed by the settings (members before and after):
        // their views and duties follow.
        let members = book.agents.iter().chain(&self.book.agents);
        self.agents_changed.extend(members.map(|a| a.staff_id));
        self.book = book;
    }

    /// What call control reported about a hotline call.
    pub fn handle(&mut self, now: i64, event: HotlineEvent) {
        match event {
            HotlineEvent::Arrived {
                call,
                hotline,
                leg,
                caller,
                via,
                ..
            } => {
                self.legs.insert(call, leg);
                self.callers.insert(call, (caller.clone(), via));
                self.by_leg.insert(leg, call);
                let local = local_time(now);
                let callable = callable(&caller.number);
                self.board
                    .handle_arrived(now, self.ids.q(call), hotline, Some(local));
                if !callable {
                    self.board.no_callback(self.ids.q(call));
                }
                self.dirty.insert(hotline);
            }
            HotlineEvent::Digit { call, digit } => {
                self.board.handle_digit(now, self.ids.q(call), digit)
            }
            HotlineEvent::Answered { call, agent } => {
                self.forget(call);
                self.callers.remove(&call);
                self.board.handle_answered(now, self.ids.q(call), agent);
                self.agents_changed.insert(agent);
            }
            HotlineEvent::OfferEnded { call, agent } => {
                self.board.handle_offer_ended(now, self.ids.q(call), agent);
                self.agents_changed.insert(agent);
            }
            HotlineEvent::Left { call } => {
                self.forget(call);
                self.board.handle_left(now, self.ids.q(call));
                // A caller who asked for a callback keeps the place: they are called back.
                if !self.board.keeps_place(self.ids.q(call)) {
                    self.callers.remove(&call);
                }
            }
            HotlineEvent::CallbackReached { call, agent } => {
                self.callers.remove(&call);
                self.board
                    .handle_callback_reached(now, self.ids.q(call), agent);
                self.agents_changed.insert(agent);
            }
            HotlineEvent::CallbackFailed { call, agent } => {
                self.board
                    .handle_callback_failed(now, self.ids.q(call), agent);
                self.agents_changed.insert(agent);
            }
            HotlineEvent::Ended { call, agent } => {
                self.board.handle_ended(now, self.ids.q(call), agent);
                self.agents_changed.insert(agent);
            }
        }
    }

    /// A prompt ended on `leg`.
    pub fn played(&mut self, now: i64, leg: LegRef) {
        if let Some(call) = self.by_leg.get(&leg).copied() {
            self.board.handle_played(now, self.ids.q(call));
        }
    }

    fn forget(&mut self, call: CallId) {
        if let Some(leg) = self.legs.remove(&call) {
            self.by_leg.remove(&leg);
        }
    }

    /// Hands the switchboard's events to the log's writer; notes whose boards changed.
    pub fn log_events(&mut self) {
        while let Some(e) = self.board.poll_event() {
            if let Some(hotline) = self.hotline_of_queue(e.queue.0) {
                self.dirty.insert(hotline);
            }
            if let Some(agent) = agent_of(&e.kind) {
                self.agents_changed.insert(agent);
            }
            self.keep_promises(&e);
            let _ = self.events.send(e);
        }
    }

    fn hotline_of_queue(&self, queue: i64) -> Option<i64> {
        self.book
            .queues
            .iter()
            .find(|q| q.id == queue)
            .map(|q| q.hotline_id)
    }

    /// An agent's command; their view afterwards.
    pub fn agent_command(
        &mut self,
        now: i64,
        agent: i64,
        command: AgentCommand,
    ) -> Result<(AgentView, Option<LoginChange>), DeskError> {
        let refused = |e: AgentCommandError| DeskError {
            code: match e {
                AgentCommandError::NotMember => "forbidden",
                _ => "bad_request",
            },
            message: e.to_string(),
        };
        let before: Vec<i64> = self.logged_in_queues(agent);
        match command {
            AgentCommand::LogIn(queue) => {
                self.board
                    .log_in(now, agent, queue.map(QueueId))
                    .map_err(refused)?;
            }
            AgentCommand::LogOut(queue) => {
                self.board.log_out(now, agent, queue.map(QueueId));
            }
            AgentCommand::Pause(reason) => {
                let reason = reason.trim();
                if reason.is_empty()
                    || reason.chars().count() > 60
                    || reason.chars().any(char::is_control)
                {
                    return Err(DeskError {
                        code: "bad_request",
                        message:
                            "Bitte geben Sie einen Grund für die Pause an (höchstens 60 Zeichen)."
                                .into(),
                    });
                }
                self.board.pause(now, agent, reason).map_err(refused)?;
            }
            AgentCommand::Resume => self.board.resume(now, agent),
            AgentCommand::EndWrapUp => self.board.end_wrap_up(now, agent),
            // Checked and stored by the call service before (`hotline_orders.rs`).
            AgentCommand::AnswerOn(on) => {
                self.mobile_missing.remove(&agent);
                self.book.answer_on.retain(|(p, _)| *p != agent);
                if on != AnswerOn::Auto {
                    self.book.answer_on.push((agent, on.as_str().to_string()));
                }
            }
            AgentCommand::Status => {}
        }
        let after = self.logged_in_queues(agent);
        // Logins to keep over a restart: the queues that changed.
        let changed = if before == after {
            None
        } else {
            let logged_in = after.len() > before.len();
            let queues: Vec<i64> = if logged_in {
                after
                    .iter()
                    .filter(|q| !before.contains(q))
                    .copied()
                    .collect()
            } else {
                before
                    .iter()
                    .filter(|q| !after.contains(q))
                    .copied()
                    .collect()
            };
            Some((queues, logged_in))
        };
        self.agents_changed.insert(agent);
        for q in before.iter().chain(after.iter()) {
            if let Some(h) = self.hotline_of_queue(*q) {
                self.dirty.insert(h);
            }
        }
        Ok((self.agent_view(agent), changed))
    }

    fn logged_in_queues(&self, agent: i64) -> Vec<i64> {
        self.board
            .agent(agent)
            .map(|a| a.queues.keys().map(|q| q.0).collect())
            .unwrap_or_default()
    }

    /// An agent as they see themselves.
    pub fn agent_view(&self, agent: i64) -> AgentView {
        let a = self.board.agent(agent);
        let logged_in = a.is_some_and(|a| !a.queues.is_empty());
        let (state, reason, wrap_up_until_ms) = match a.map(|a| &a.state) {
            _ if !logged_in => ("logged_out", None, None),
            Some(s) => state_of(s),
            None => ("logged_out", None, None),
        };
        let mut waiting: HashMap<i64, u32> = HashMap::new();
        let mut hotlines: Vec<i64> = Vec::new();
        for m in self.book.agents.iter().filter(|m| m.staff_id == agent) {
            if let Some(q) = self.book.queues.iter().find(|q| q.id == m.queue_id) {
                if !hotlines.contains(&q.hotline_id) {
                    hotlines.push(q.hotline_id);
                }
            }
        }
        for h in hotlines {
            for w in self.board.board(h).waiting {
                *waiting.entry(w.queue.0).or_default() += 1;
            }
        }
        let queues = self
            .book
            .agents
            .iter()
            .filter(|m| m.staff_id == agent)
            .filter_map(|m| {
                let q = self.book.queues.iter().find(|q| q.id == m.queue_id)?;
                let h = self.book.hotlines.iter().find(|h| h.id == q.hotline_id)?;
                Some(AgentQueue {
                    queue: q.id,
                    name: q.name.clone(),
                    hotline: h.id,
                    hotline_name: h.name.clone(),
                    level: m.level,
                    logged_in: a.is_some_and(|a| a.queues.contains_key(&QueueId(q.id))),
                    waiting: waiting.get(&q.id).copied().unwrap_or(0),
                })
            })
            .collect();
        AgentView {
            answer_on: self.answer_on(agent),
            state,
            reason,
            wrap_up_until_ms,
            calls_today: a.map_or(0, |a| a.calls_today),
            queues,
        }
    }

    /// Where an agent takes the calls.
    pub fn answer_on(&self, agent: i64) -> AnswerOn {
        self.book
            .answer_on
            .iter()
            .find(|(p, _)| *p == agent)
            .and_then(|(_, on)| AnswerOn::parse(on))
            .unwrap_or_default()
    }

    /// What colleagues see of an agent's hotline work (`None`: not logged in).
    pub fn duty_of(&self, agent: i64) -> Option<presence::Duty> {
        use presence::Duty;
        let a = self.board.agent(agent).filter(|a| !a.queues.is_empty())?;
        Some(match a.state {
            AgentState::Ready { .. } | AgentState::Ringing { .. } | AgentState::OnCall { .. } => {
                Duty::Ready
            }
            AgentState::WrapUp { .. } => Duty::WrapUp,
            AgentState::Paused { .. } => Duty::Paused,
        })
    }

    /// A hotline's live board.
    pub fn board_view(&self, hotline: i64) -> BoardView {
        let board = self.board.board(hotline);
        let queues: Vec<i64> = self
            .book
            .queues
            .iter()
            .filter(|q| q.hotline_id == hotline)
            .map(|q| q.id)
            .collect();
        let listening = self
            .book
            .hotlines
            .iter()
            .any(|h| h.id == hotline && h.supervisor_listen);
        BoardView {
            listening,
            waiting: board
                .waiting
                .iter()
                .map(|w| WaitingLine {
                    queue: w.queue.0,
                    since_ms: w.since_ms,
                    callback: w.callback,
                })
                .collect(),
            agents: board
                .agents
                .iter()
                .map(|a| {
                    let (state, reason, _) = state_of(&a.state);
                    AgentLine {
                        agent: a.id,
                        state,
                        reason,
                        queues: a
                            .queues
                            .keys()
                            .map(|q| q.0)
                            .filter(|q| queues.contains(q))
                            .collect(),
                        calls_today: a.calls_today,
                    }
                })
                .collect(),
        }
    }

    /// Who sees a hotline's board live: its supervisors, and its agents (who waits only).
    pub fn watchers(&self, hotline: i64) -> (BTreeSet<i64>, BTreeSet<i64>) {
        let queues: Vec<i64> = self
            .book
            .queues
            .iter()
            .filter(|q| q.hotline_id == hotline)
            .map(|q| q.id)
            .collect();
        let agents = self
            .book
            .agents
            .iter()
            .filter(|a| queues.contains(&a.queue_id))
            .map(|a| a.staff_id);
        let supervisors = self
            .book
            .supervisors
            .iter()
            .filter(|(h, _)| *h == hotline)
            .map(|(_, p)| *p);
        (supervisors.collect(), agents.collect())
    }

    /// When the next board push is due (changes wait for the push interval).
    pub fn push_due(&self) -> Option<i64> {
        self.dirty
            .iter()
            .map(|h| self.pushed_ms.get(h).map_or(0, |at| at + PUSH_EVERY_MS))
            .min()
    }
}

/// Whether a caller's number can be called back (a withheld number cannot).
fn callable(number: &str) -> bool {
    let digits = number.strip_prefix('+').unwrap_or(number);
    digits.len() >= 2 && digits.chars().all(|c| c.is_ascii_digit())
}

fn state_of(state: &AgentState) -> (&'static str, Option<String>, Option<i64>) {
    match state {
        AgentState::Ready { .. } => ("ready", None, None),
        AgentState::Ringing { .. } => ("ringing", None, None),
        AgentState::OnCall { .. } => ("on_call", None, None),
        AgentState::WrapUp { until_ms } => ("wrap_up", None, Some(*until_ms)),
        AgentState::Paused { reason } => ("paused", Some(reason.clone()), None),
    }
}

fn agent_of(kind: &queues::EventKind) -> Option<i64> {
    use queues::EventKind as K;
    match kind {
        K::Offered { agent, .. }
        | K::Answered { agent, .. }
        | K::CallbackDone { agent, .. }
        | K::AgentLogin { agent }
        | K::AgentLogout { agent }
        | K::AgentPaused { agent, .. }
        | K::AgentResumed { agent }
        | K::WrapUpEnded { agent, .. } => Some(*agent),
        _ => None,
    }
}

/// The switchboard's settings from the stored hotlines.
fn setups(book: &HotlineBook) -> (Vec<HotlineSetup>, Vec<QueueSetup>) {
    let mut hotlines = Vec::new();
    for h in &book.hotlines {
        let queues: Vec<&store::HotlineQueue> = book
            .queues
            .iter()
            .filter(|q| q.hotline_id == h.id)
            .collect();
        let Some(first) = queues.first() else {
            continue;
        };
        let menu = queues
            .iter()
            .filter_map(|q| {
                let digit = q.menu_digit.as_deref()?.chars().next()?;
                Some((digit, QueueId(q.id)))
            })
            .collect();
        hotlines.push(HotlineSetup {
            id: h.id,
            hours: hours_of(h, book),
            menu,
            first_queue: QueueId(first.id),
        });
    }
    let queues = book
        .queues
        .iter()
        .map(|q| {
            let mut settings = QueueSettings::new(strategy_of(q));
            settings.ring_ms = q.ring_secs * 1_000;
            settings.max_wait_ms = q.max_wait_secs.map(|s| s * 1_000);
            settings.max_length = q.max_length.map(|n| n.clamp(1, u32::MAX as i64) as u32);
            settings.position_every_ms = q.position_every_secs.map(|s| s * 1_000);
            settings.periodic_every_ms = q
                .periodic_announcement
                .and(q.periodic_every_secs)
                .map(|s| s * 1_000);
            settings.callback_after_ms = q.callback_after_secs.map(|s| s * 1_000);
            settings.callback_key = q.callback_key.chars().next().unwrap_or('1');
            let overflow = match (q.overflow_kind.as_str(), &q.overflow_target) {
                ("queue", Some(t)) => t
                    .parse()
                    .map(|id| Overflow::Queue(QueueId(id)))
                    .unwrap_or(Overflow::Closed),
                ("person", Some(t)) => t.parse().map_or(Overflow::Closed, Overflow::Person),
                ("voicemail", _) => Overflow::Voicemail,
                _ => Overflow::Closed,
            };
            let members: Vec<(i64, u8)> = book
                .agents
                .iter()
                .filter(|a| a.queue_id == q.id)
                .map(|a| (a.staff_id, a.level.clamp(1, 9) as u8))
                .collect();
            QueueSetup {
                id: QueueId(q.id),
                hotline: q.hotline_id,
                settings,
                wrap_up_ms: q.wrap_up_secs * 1_000,
                overflow,
                members,
            }
        })
        .collect();
    (hotlines, queues)
}

fn strategy_of(q: &store::HotlineQueue) -> Strategy {
    match q.strategy.as_str() {
        "ring_all" => Strategy::RingAll,
        "round_robin" => Strategy::RoundRobin,
        "fewest_calls" => Strategy::FewestCalls,
        "skills" => Strategy::Skills {
            widen_after_ms: q.widen_after_secs * 1_000,
        },
        _ => Strategy::LongestIdle,
    }
}

/// Opening hours from the stored text (hours that cannot be read close that day, logged).
fn hours_of(h: &store::Hotline, book: &HotlineBook) -> Option<OpeningHours> {
    if h.hours.iter().all(|d| d.trim().is_empty()) {
        return None;
    }
    let mut hours = OpeningHours::default();
    for (i, day) in h.hours.iter().enumerate() {
        match OpeningHours::parse_day(day) {
            Ok(spans) => hours.weekly[i] = spans,
            Err(e) => tracing::warn!(hotline = h.id, error = %e, "opening hours ignored"),
        }
    }
    hours.state = h.holiday_state.as_deref().and_then(queues::State::parse);
    hours.closures = book
        .closures
        .iter()
        .filter(|c| c.hotline_id == h.id)
        .filter_map(|c| {
            Some(queues::Closure {
                from: c.first_day.parse().ok()?,
                to: c.last_day.parse().ok()?,
            })
        })
        .collect();
    Some(hours)
}

/// The local time (Europe/Berlin) at `now_ms`.
pub(crate) fn local_time(now_ms: i64) -> jiff::civil::DateTime {
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_millisecond(now_ms)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned_datetime(tz)
        .datetime()
}

/// Appends the switchboard's events to the log, in batches; a failed write is retried
/// (nothing is dropped while the database is briefly away).
async fn write_events(store: Store, mut rx: mpsc::UnboundedReceiver<QueueEvent>) {
    let mut batch = Vec::with_capacity(EVENT_BATCH);
    while rx.recv_many(&mut batch, EVENT_BATCH).await > 0 {
        let mut wait = std::time::Duration::from_millis(200);
        while let Err(e) = store.append_queue_events(&batch).await {
            tracing::error!(error = %e, events = batch.len(), "queue events could not be stored; retrying");
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(std::time::Duration::from_secs(10));
        }
        batch.clear();
    }
}
