//! Where a dialled number leads: one's own box (`*98`, one's own number), a box to leave
//! a message in (`**EXTENSION`), an outside number through a trunk, a person through the
//! switch (their desk phones and forwarding) or straight to their browsers, or their box
//! when nobody can reach them now.

use super::{targets, voicemail_routes, Service};
use calls::numbers::Permission;
use calls::{Party, Target};
use live::calls::DeskError;

impl Service {
    /// Where a call for `dialled` goes: an outside number through the first trunk (if
    /// `allowed` lets the caller); a person straight to their browsers when browsers are
    /// all they have (Opus, no switch), else through the switch (every device rings,
    /// their forwarding applies). `me`: the caller, if a person.
    pub(super) async fn route(
        &self,
        me: Option<i64>,
        allowed: Permission,
        dialled: &str,
    ) -> Result<Target, DeskError> {
        if dialled.trim() == voicemail_routes::OWN_BOX {
            return self.own_mailbox(me).await;
        }
        if let Some(deposit) = self.deposit_target(dialled).await {
            return deposit;
        }
        if let Some(outside) = self.plan.check(dialled, allowed) {
            let outside = outside.map_err(|e| DeskError {
                code: "forbidden",
                message: e.to_string(),
            })?;
            let Some(trunk) = self.trunk_index(0) else {
                return Err(DeskError {
                    code: "unavailable",
                    message: "Für Anrufe nach außen ist keine Amtsleitung eingerichtet.".into(),
                });
            };
            let party = Party {
                person: None,
                name: outside.emergency.then(|| "Notruf".to_string()),
                number: outside.e164,
                login: None,
                unit: None,
            };
            return Ok(Target::Outside { party, trunk });
        }
        let target = targets::resolve(&self.store, dialled).await?;
        let Target::Browser(p) = &target else {
            return Ok(target);
        };
        let (Some(id), Some(login)) = (p.person, p.login.clone()) else {
            return Ok(target);
        };
        // One's own extension: one's own box, to hear it (as `*98`).
        if Some(id) == me {
            return self.own_mailbox(me).await;
        }
        if Some(id) != me
            && self.has_switch()
            && targets::has_phones_or_rules(&self.store, &login).await
        {
            return Ok(Target::Sip(p.clone()));
        }
        if Some(id) != me && !self.live.is_connected(id) {
            // Nobody can reach them now: their box, if they have one.
            if let Some(mailbox) = self.mailbox_target(p).await {
                return Ok(mailbox);
            }
            let name = p.name.clone().unwrap_or_default();
            return Err(DeskError {
                code: "unavailable",
                message: format!("{name} ist gerade nicht erreichbar."),
            });
        }
        Ok(target)
    }

    pub(super) fn has_switch(&self) -> bool {
        self.uas.first().is_some_and(|ua| ua.block().is_none())
    }

    /// Trunk `n`'s index in `uas`.
    pub(super) fn trunk_index(&self, n: usize) -> Option<usize> {
        let first = usize::from(self.has_switch());
        (first + n < self.uas.len()).then_some(n)
    }

    pub(super) fn ua_of_trunk(&self, n: usize) -> usize {
        n + usize::from(self.has_switch())
    }
}
