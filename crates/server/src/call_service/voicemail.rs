//! The voicemail's shell: a caller answered by a box hears its greeting (the owner's
//! absence or personal greeting, else the built-in one, `::voicemail::greeting`), the
//! signal tone, and is recorded until they hang up, press `#`, or reach `[voicemail]
//! max_seconds`; the recording is trimmed and kept (`voicemail_files`), the owner told.
//! `*98` (a box dialled to listen) runs the phone menu (`voicemail_menu`).

use super::Service;
use audio::prompts::{self, Language};
use calls::{CallId, LegRef, Party, VoicemailEvent};
use media::player::Frame;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use store::{GreetingKind, Mailbox};

/// `[voicemail]`, as the call service uses it.
#[derive(Debug, Clone)]
pub struct VoicemailSettings {
    /// The data folder: recordings go to `voicemail/<box>/` below it.
    pub data_dir: PathBuf,
    /// The longest message.
    pub max_seconds: u32,
    /// Messages are deleted after this many days.
    pub retention_days: u32,
    /// The web client's address, for links in e-mails.
    pub web_address: String,
}

/// Where a caller answered by a box is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// The greeting plays (`#` skips it).
    Greeting,
    /// The signal tone plays.
    Tone,
    /// What they say is recorded (`#` ends it).
    Recording,
    /// The phone menu of `*98`.
    Menu,
}

/// A caller at a box.
#[derive(Debug)]
pub(super) struct Session {
    pub mailbox: i64,
    pub leg: LegRef,
    pub caller: Party,
    stage: Stage,
    pub answered_ms: i64,
    /// The call has ended; the session waits for its recording.
    ended: bool,
    /// The `*98` menu.
    pub menu: Option<super::voicemail_menu::Listening>,
    /// When what plays now ends (Unix ms): an end reported much sooner is the end of
    /// what played before (it crossed the new prompt on its way).
    prompt_ends: i64,
}

/// The boxes' callers.
pub(super) struct Voicemails {
    sessions: HashMap<CallId, Session>,
    by_leg: HashMap<LegRef, CallId>,
    pub settings: VoicemailSettings,
    /// Who hears of new messages, and how.
    pub notify: super::voicemail_mail::Notifier,
    tone: Arc<[Frame]>,
    /// Played (looping) while a message is recorded: the caller's line stays alive for
    /// carriers that end calls without incoming audio.
    quiet: Arc<[Frame]>,
    /// Where finished recordings go to be kept, in order.
    keeper: tokio::sync::mpsc::UnboundedSender<(Session, CallId, Vec<i16>)>,
}

/// Keeps finished recordings one after another (one encoder at a time), then tells
/// their boxes' listeners and owners.
async fn keep_in_order(
    notify: super::voicemail_mail::Notifier,
    mut recordings: tokio::sync::mpsc::UnboundedReceiver<(Session, CallId, Vec<i16>)>,
) {
    while let Some((session, call, samples)) = recordings.recv().await {
        let saved = super::voicemail_files::save(
            &notify.store,
            &notify.settings.data_dir,
            &session,
            call,
            samples,
        )
        .await;
        match saved {
            Ok(Some(id)) => {
                notify.count(session.mailbox).await;
                notify.mail(session.mailbox, id).await;
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, mailbox = session.mailbox,
                "a voicemail could not be kept"),
        }
    }
}

impl Voicemails {
    /// Starts the keeper task too (call inside the runtime).
    pub fn new(settings: VoicemailSettings, notify: super::voicemail_mail::Notifier) -> Voicemails {
        let (keeper, recordings) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(keep_in_order(notify.clone(), recordings));
        Voicemails {
            sessions: HashMap::new(),
            by_leg: HashMap::new(),
            settings,
            keeper,
            notify,
            quiet: vec![[prompts::SILENCE; 160]].into(),
            // The signal tone: one beep of 1 kHz, half a second, then a moment of quiet.
            tone: audio::tone::beeps(1000.0, 500, 100, 1).into(),
        }
    }

    /// Whether `leg` is a caller at a box (its prompts and recordings are the voicemail's).
    pub fn owns(&self, leg: LegRef) -> bool {
        self.by_leg.contains_key(&leg)
    }

    fn call_of(&self, leg: LegRef) -> Option<CallId> {
        self.by_leg.get(&leg).copied()
    }

    fn forget(&mut self, call: CallId) -> Option<Session> {
        let s = self.sessions.remove(&call)?;
        self.by_leg.remove(&s.leg);
        Some(s)
    }

    pub fn session_mut(&mut self, call: CallId) -> Option<&mut Session> {
        self.sessions.get_mut(&call)
    }

    /// When a `*98` menu next needs the time.
    pub fn poll_timeout(&self) -> Option<i64> {
        self.sessions
            .values()
            .filter_map(|s| s.menu.as_ref()?.poll_timeout())
            .min()
    }

    /// The calls whose menu's wait has run out at `now`.
    pub fn menus_due(&self, now: i64) -> Vec<CallId> {
        self.sessions
            .iter()
            .filter(|(_, s)| {
                s.menu
                    .as_ref()
                    .and_then(|m| m.poll_timeout())
                    .is_some_and(|t| t <= now)
            })
            .map(|(&c, _)| c)
            .collect()
    }
}

/// The organisation's local date today (Europe/Berlin), for the absence greeting.
fn today(now_ms: i64) -> Option<::voicemail::Date> {
    let day = super::hotline::local_time(now_ms).date();
    ::voicemail::Date::new(
        u16::try_from(day.year()).ok()?,
        u8::try_from(day.month()).ok()?,
        u8::try_from(day.day()).ok()?,
    )
}

/// A box's language for the built-in prompts.
pub(super) fn language(mailbox: &Mailbox) -> Language {
    match mailbox.language.as_str() {
        "en" => Language::English,
        _ => Language::German,
    }
}

impl Service {
    /// What call control reported about calls at boxes.
    pub(super) async fn run_voicemail(&mut self, events: Vec<VoicemailEvent>) {
        for event in events {
            match event {
                VoicemailEvent::Answered {
                    call,
                    mailbox,
                    listen,
                    caller,
                    leg,
                    ..
                } => {
                    let session = Session {
                        mailbox,
                        leg,
                        caller,
                        stage: if listen { Stage::Menu } else { Stage::Greeting },
                        answered_ms: self.live.now_ms(),
                        ended: false,
                        menu: None,
                        prompt_ends: 0,
                    };
                    self.voicemails.by_leg.insert(leg, call);
                    self.voicemails.sessions.insert(call, session);
                    if listen {
                        self.start_menu(call).await;
                    } else {
                        self.greet(call).await;
                    }
                }
                VoicemailEvent::Digit { call, digit } => self.voicemail_digit(call, digit).await,
                VoicemailEvent::Ended { call } => {
                    let Some(s) = self.voicemails.sessions.get_mut(&call) else {
                        continue;
                    };
                    // A recording under way comes with the leg's end (`voicemail_recorded`).
                    if s.stage == Stage::Recording {
                        s.ended = true;
                    } else {
                        self.voicemails.forget(call);
                    }
                }
            }
        }
    }

    /// Plays the box's greeting to the caller.
    async fn greet(&mut self, call: CallId) {
        let Some(s) = self.voicemails.sessions.get(&call) else {
            return;
        };
        let (id, leg) = (s.mailbox, s.leg);
        let frames = match self.store.mailbox(id).await {
            Ok(Some(mailbox)) => self.greeting(&mailbox).await,
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "a voicemail box could not be read");
                None
            }
        };
        let frames = frames.unwrap_or_else(|| {
            prompts::to_frames(&prompts::voicemail_greeting(Language::German, ""))
        });
        self.play_at_box(call, leg, frames);
    }

    /// Plays `frames` to the caller at a box (instead of what plays now), noting when it
    /// ends.
    pub(super) fn play_at_box(&mut self, call: CallId, leg: LegRef, frames: Arc<[Frame]>) {
        let ends = self.live.now_ms() + frames.len() as i64 * 20;
        if let Some(s) = self.voicemails.sessions.get_mut(&call) {
            s.prompt_ends = ends;
        }
        self.media.play(leg, frames, media::Codec::Pcma, false);
    }

    /// The greeting a caller of `mailbox` hears now.
    async fn greeting(&self, mailbox: &Mailbox) -> Option<Arc<[Frame]>> {
        let absence = (mailbox.absence_on && mailbox.has_absence).then(|| ::voicemail::Absence {
            last_day: mailbox
                .absence_until
                .as_deref()
                .and_then(|d| d.parse().ok()),
        });
        let greetings = ::voicemail::Greetings {
            personal: mailbox.has_greeting,
            absence,
            language: match language(mailbox) {
                Language::English => ::voicemail::Language::English,
                Language::German => ::voicemail::Language::German,
            },
        };
        let today = today(self.live.now_ms())?;
        let kind = match ::voicemail::greeting::choose(&greetings, today) {
            ::voicemail::Greeting::Absence => GreetingKind::Absence,
            ::voicemail::Greeting::Personal => GreetingKind::Personal,
            ::voicemail::Greeting::Default { .. } => {
                // The number the box is reached under: the person's extension, the
                // hotline's, a unit box's own (the prompts are clips: names cannot be said).
                let extension = match (mailbox.staff_id, mailbox.hotline_id, &mailbox.number) {
                    (_, _, Some(number)) => Some(number.clone()),
                    (Some(id), ..) => self
                        .store
                        .panel_person_by_id(id)
                        .await
                        .ok()
                        .flatten()
                        .map(|p| p.extension),
                    (None, Some(h), _) => self.store.hotline_book().await.ok().and_then(|b| {
                        b.hotlines
                            .into_iter()
                            .find(|x| x.id == h)
                            .map(|x| x.extension)
                    }),
                    (None, None, None) => None,
                }
                .unwrap_or_default();
                let alaw = prompts::voicemail_greeting(language(mailbox), &extension);
                return Some(prompts::to_frames(&alaw));
            }
        };
        let alaw = self
            .store
            .mailbox_greeting_alaw(mailbox.id, kind)
            .await
            .ok()??;
        Some(prompts::to_frames(&alaw))
    }

    async fn voicemail_digit(&mut self, call: CallId, digit: char) {
        let Some(s) = self.voicemails.sessions.get_mut(&call) else {
            return;
        };
        match (s.stage, digit) {
            // `#` skips the greeting.
            (Stage::Greeting, '#') => {
                s.stage = Stage::Tone;
                let leg = s.leg;
                self.play_at_box(call, leg, self.voicemails.tone.clone());
            }
            // `#` ends the message (kept, then the call ends).
            (Stage::Recording, '#') => self.media.stop_recording(s.leg),
            (Stage::Menu, digit) => self.menu_digit(call, digit).await,
            _ => {}
        }
    }

    /// A prompt played into a caller's leg at a box came to its end.
    pub(super) async fn voicemail_played(&mut self, leg: LegRef) {
        let Some(call) = self.voicemails.call_of(leg) else {
            return;
        };
        let now = self.live.now_ms();
        let Some(s) = self.voicemails.sessions.get_mut(&call) else {
            return;
        };
        // The end of what played before the prompt now playing: not this one's.
        if now + 200 < s.prompt_ends {
            return;
        }
        match s.stage {
            Stage::Greeting => {
                s.stage = Stage::Tone;
                self.play_at_box(call, leg, self.voicemails.tone.clone());
            }
            Stage::Tone => {
                s.stage = Stage::Recording;
                let max = ::voicemail::trim::max_samples(self.voicemails.settings.max_seconds);
                self.media.record(leg, max);
                self.media
                    .play(leg, self.voicemails.quiet.clone(), media::Codec::Pcma, true);
            }
            Stage::Menu => self.menu_played(call).await,
            Stage::Recording => {}
        }
    }

    /// A recording at a box ended: keep it (trimmed; nothing if nothing was said), tell
    /// the owner, and end the call if the caller is still there.
    pub(super) async fn voicemail_recorded(&mut self, leg: LegRef, samples: Vec<i16>) {
        let Some(call) = self.voicemails.call_of(leg) else {
            return;
        };
        let Some(session) = self.voicemails.forget(call) else {
            return;
        };
        if !session.ended {
            let _ = self.calls.end_voicemail(self.live.now_ms(), call);
        }
        // Kept and told of by the keeper, one message after another in the order the
        // calls ended: encoding and writing take a moment that the other calls must not
        // wait for, and two hundred at once must not fight for the cores and the database.
        if self
            .voicemails
            .keeper
            .send((session, call, samples))
            .is_err()
        {
            tracing::error!("the voicemail keeper is gone: a message is lost");
        }
    }

    /// Sends those who may hear `mailbox` the number of its unheard messages.
    pub(super) async fn tell_voicemail_count(&self, mailbox: i64) {
        self.voicemails.notify.count(mailbox).await;
    }
}
