//! Where voicemail comes into routing: before a person is rung, call control learns their
//! box (so an unanswered call goes on there); a person nobody can reach now is sent to
//! their box at once; `*98` is one's own box, to hear it.

use super::Service;
use calls::{Party, Target};
use live::calls::DeskError;

/// The number that plays one's own box.
pub const OWN_BOX: &str = "*98";

/// Before an extension: straight to that person's box, to leave a message (`**2501`);
/// the switch sends calls there that nobody answered at desk phones.
pub const DEPOSIT: &str = "**";

impl Service {
    /// Tells call control the box of the person `target` rings (none, or switched off:
    /// their unanswered calls end as before).
    pub(super) async fn ready_mailbox(&mut self, target: &Target) {
        let person = match target {
            Target::Browser(p) | Target::Sip(p) => p.person,
            _ => None,
        };
        let Some(person) = person else { return };
        let mailbox = match self.store.person_mailbox(person, self.live.now_ms()).await {
            Ok(b) => b.enabled.then_some(b.id),
            Err(e) => {
                tracing::error!(error = %e, "a voicemail box could not be read");
                None
            }
        };
        self.calls.set_mailbox(person, mailbox);
    }

    /// The box of `p` (a person nobody can reach now), if it is switched on.
    pub(super) async fn mailbox_target(&self, p: &Party) -> Option<Target> {
        let person = p.person?;
        let b = self
            .store
            .person_mailbox(person, self.live.now_ms())
            .await
            .ok()?;
        b.enabled.then(|| Target::Voicemail {
            mailbox: b.id,
            listen: false,
            party: p.clone(),
        })
    }

    /// `**EXTENSION`: that person's box, to leave a message (refused when it is off).
    pub(super) async fn deposit_target(&self, dialled: &str) -> Option<Result<Target, DeskError>> {
        let extension = dialled.trim().strip_prefix(DEPOSIT)?;
        let off = || DeskError {
            code: "unavailable",
            message: "Diese Mailbox nimmt keine Nachrichten an.".into(),
        };
        let person = match self.store.panel_person_by_extension(extension).await {
            Ok(Some(p)) => p,
            Ok(None) => {
                return Some(Err(DeskError {
                    code: "not_found",
                    message: format!("Unter „{extension}“ gibt es keine Mailbox."),
                }))
            }
            Err(_) => return Some(Err(off())),
        };
        let party = super::targets::party(&person);
        Some(self.mailbox_target(&party).await.ok_or_else(off))
    }

    /// `*98` dialled by `me`: their own box, to hear it.
    pub(super) async fn own_mailbox(&self, me: Option<i64>) -> Result<Target, DeskError> {
        let refused = || DeskError {
            code: "forbidden",
            message: "Die Mailbox kann nur von einem eigenen Gerät abgehört werden.".into(),
        };
        let me = me.ok_or_else(refused)?;
        let b = self
            .store
            .person_mailbox(me, self.live.now_ms())
            .await
            .map_err(|_| DeskError {
                code: "unavailable",
                message: "Die Mailbox ist gerade nicht erreichbar.".into(),
            })?;
        Ok(Target::Voicemail {
            mailbox: b.id,
            listen: true,
            party: Party::service(OWN_BOX, "Mailbox"),
        })
    }
}
