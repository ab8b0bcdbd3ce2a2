//! `*98`: the owner hears their box on the phone. The menu (`voicemail::menu`) decides;
//! this plays what it says (built-in clips, numbers, the recordings decoded from Opus to
//! A-law), marks heard, deletes, calls back and hangs up, and keeps the owner's clients'
//! count up to date.

use super::voicemail::language;
use super::Service;
use audio::prompts::{self, Language};
use calls::numbers::Permission;
use calls::CallId;
use voicemail::menu::{Action, Menu, Message, Say};

/// The menu of one caller.
#[derive(Debug)]
pub(super) struct Listening {
    menu: Menu,
    language: Language,
    owner: Option<i64>,
    /// A call back was refused: what plays now says so, then the call ends.
    closing: bool,
}

impl Listening {
    /// When the menu next needs the time.
    pub fn poll_timeout(&self) -> Option<i64> {
        self.menu.poll_timeout()
    }
}

impl Service {
    /// The owner reached their box: the menu starts.
    pub(super) async fn start_menu(&mut self, call: CallId) {
        let Some(mailbox) = self.voicemails.session_mut(call).map(|s| s.mailbox) else {
            return;
        };
        let (b, rows) = match (
            self.store.mailbox(mailbox).await,
            self.store.voicemails(mailbox).await,
        ) {
            (Ok(Some(b)), Ok(rows)) => (b, rows),
            _ => {
                let _ = self.calls.end_voicemail(self.live.now_ms(), call);
                return;
            }
        };
        let messages = rows
            .into_iter()
            .map(|m| Message {
                id: m.id,
                caller_number: m.caller_number,
                heard: m.heard_at.is_some(),
                duration_ms: u32::try_from(m.duration_ms).unwrap_or(u32::MAX),
            })
            .collect();
        if let Some(s) = self.voicemails.session_mut(call) {
            s.menu = Some(Listening {
                menu: Menu::start(messages),
                language: language(&b),
                owner: b.staff_id,
                closing: false,
            });
        }
        self.drive_menu(call).await;
    }

    pub(super) async fn menu_digit(&mut self, call: CallId, digit: char) {
        if let Some(l) = self
            .voicemails
            .session_mut(call)
            .and_then(|s| s.menu.as_mut())
        {
            l.menu.handle_digit(digit);
        }
        self.drive_menu(call).await;
    }

    pub(super) async fn menu_played(&mut self, call: CallId) {
        let now = self.live.now_ms();
        if let Some(l) = self
            .voicemails
            .session_mut(call)
            .and_then(|s| s.menu.as_mut())
        {
            if l.closing {
                let _ = self.calls.end_voicemail(now, call);
                return;
            }
            l.menu.handle_played(now);
        }
        self.drive_menu(call).await;
    }

    /// The menus whose wait for a key ran out.
    pub(super) async fn menu_timeouts(&mut self, now: i64) {
        for call in self.voicemails.menus_due(now) {
            if let Some(l) = self
                .voicemails
                .session_mut(call)
                .and_then(|s| s.menu.as_mut())
            {
                l.menu.handle_timeout(now);
            }
            self.drive_menu(call).await;
        }
    }

    /// Carries out what the menu of `call` asks until it asks nothing more.
    async fn drive_menu(&mut self, call: CallId) {
        loop {
            let Some(s) = self.voicemails.session_mut(call) else {
                return;
            };
            let (leg, mailbox) = (s.leg, s.mailbox);
            let Some(l) = s.menu.as_mut() else { return };
            let Some(action) = l.menu.poll_action() else {
                return;
            };
            let (language, owner) = (l.language, l.owner);
            let now = self.live.now_ms();
            match action {
                Action::Play(says) => {
                    let (alaw, failed) = self.render(language, &says).await;
                    if failed {
                        if let Some(l) = self.menu_of(call) {
                            l.menu.handle_recording_failed();
                        }
                    }
                    self.play_at_box(call, leg, prompts::to_frames(&alaw));
                }
                Action::MarkHeard(id) => {
                    if let Err(e) = self.store.mark_voicemail(id, true, now).await {
                        tracing::warn!(error = %e, "a voicemail could not be marked heard");
                    }
                    self.tell_voicemail_count(mailbox).await;
                }
                Action::Delete(id) => {
                    self.audit_phone_delete(owner, id).await;
                    match self.store.delete_voicemail(id).await {
                        Ok(Some(file)) => super::voicemail_files::remove_file(
                            &self.voicemails.settings.data_dir,
                            &file,
                        ),
                        Ok(None) => {}
                        Err(e) => tracing::warn!(error = %e, "a voicemail could not be deleted"),
                    }
                    self.tell_voicemail_count(mailbox).await;
                }
                Action::CallBack { number } => {
                    if !self.call_back_from_box(call, owner, &number).await {
                        // Not allowed (or not reachable from here): said so, then goodbye.
                        let mut alaw = prompts::clip(language, "vm_not_allowed")
                            .unwrap_or_default()
                            .to_vec();
                        alaw.extend_from_slice(
                            prompts::clip(language, "goodbye").unwrap_or_default(),
                        );
                        if let Some(l) = self.menu_of(call) {
                            l.closing = true;
                        }
                        self.play_at_box(call, leg, prompts::to_frames(&alaw));
                    }
                    return;
                }
                Action::Hangup => {
                    let _ = self.calls.end_voicemail(now, call);
                    return;
                }
            }
        }
    }

    fn menu_of(&mut self, call: CallId) -> Option<&mut Listening> {
        self.voicemails
            .session_mut(call)
            .and_then(|s| s.menu.as_mut())
    }

    /// Rings `number` for the owner from their `*98` call; whether it rings.
    async fn call_back_from_box(&mut self, call: CallId, owner: Option<i64>, number: &str) -> bool {
        let allowed = match owner {
            Some(id) => match self.store.panel_person_by_id(id).await {
                Ok(Some(p)) => self.config.permission(&p.login),
                _ => Permission::Internal,
            },
            None => Permission::Internal,
        };
        let Ok(target) = self.route(owner, allowed, number).await else {
            return false;
        };
        self.ready_mailbox(&target).await;
        self.calls
            .call_back_from_voicemail(self.live.now_ms(), call, target)
            .is_ok()
    }

    /// What the menu says, as A-law; whether a recording could not be read.
    async fn render(&self, language: Language, says: &[Say]) -> (Vec<u8>, bool) {
        let mut alaw = Vec::new();
        let mut failed = false;
        for say in says {
            match say {
                Say::Clip(clip) => {
                    if let Some(c) = prompts::clip(language, clip.name()) {
                        alaw.extend_from_slice(c);
                    }
                }
                Say::Number(n) => alaw.extend(prompts::number(language, *n)),
                Say::Digits(d) => alaw.extend(prompts::digits(language, d)),
                Say::Recording(id) => match self.recording_alaw(*id).await {
                    Some(r) => alaw.extend(r),
                    None => failed = true,
                },
            }
        }
        (alaw, failed)
    }

    /// A message's recording as A-law (decoded at 8 kHz from its Ogg Opus file).
    async fn recording_alaw(&self, id: i64) -> Option<Vec<u8>> {
        let m = self.store.voicemail(id).await.ok()??;
        let path = self.voicemails.settings.data_dir.join(&m.file);
        let bytes = tokio::fs::read(&path).await.ok()?;
        let longest = self.voicemails.settings.max_seconds + 60;
        tokio::task::spawn_blocking(move || {
            let pcm = audio::opus::from_ogg_opus_at(&bytes, longest, 8_000).ok()?;
            let samples = audio::to_8khz(&pcm);
            Some(audio::frames(&samples, media::Codec::Pcma).concat())
        })
        .await
        .ok()?
    }

    /// A message deleted on the phone is audited as one deleted in the browser.
    async fn audit_phone_delete(&self, owner: Option<i64>, id: i64) {
        let login = match owner {
            Some(o) => self
                .store
                .panel_person_by_id(o)
                .await
                .ok()
                .flatten()
                .map(|p| p.login),
            None => None,
        };
        let entry = store::AuditEntry {
            at: self.live.now_ms() / 1_000,
            actor: login.clone(),
            action: "voicemail.deleted".into(),
            target: login,
            source: Some("*98".into()),
            detail: format!("message {id} on the phone"),
        };
        if let Err(e) = self.store.audit(&entry).await {
            tracing::error!(error = %e, "a deletion on the phone could not be audited");
        }
    }
}
