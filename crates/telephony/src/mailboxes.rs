//! Message-waiting (RFC 3842): what the notifier knows of the voicemail boxes desk phones
//! watch. The boxes live in the store, so the switch does not read them; the shell tells
//! it a person's counts (new = unheard, old = heard) when asked ([`crate::Notice::
//! VoicemailCounts`]) and whenever they change ([`crate::Switch::handle_voicemail`]).
//!
//! **Only what is watched.** A person is known here from their first message-summary
//! subscription on, and forgotten once nobody watches their box any more; a change for a
//! person nobody watches is dropped. So memory follows the phones that show a lamp, not
//! the staff, and nothing is read at start.
//!
//! **Asked, not guessed.** A subscription to a box whose counts are not known yet gets
//! its 200 at once and its first NOTIFY when the counts arrive: a lamp that showed "no"
//! for the moment of the lookup and then "yes" would blink for nothing.

use std::collections::HashMap;

/// A watched box: whose account the summary names, and its counts once told.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mailbox {
    /// `Message-Account`: `sip:EXTENSION@DOMAIN` of the owner.
    account: String,
    /// (new, old), once the shell told them.
    counts: Option<(u32, u32)>,
}

/// The watched boxes, by person.
#[derive(Debug, Default)]
pub(crate) struct Mailboxes {
    boxes: HashMap<i64, Mailbox>,
}

impl Mailboxes {
    /// `person`'s box is watched (a subscription was accepted); `account` is the address
    /// the summaries name (their extension may have changed since the last time).
    pub(crate) fn watched(&mut self, person: i64, account: String) {
        self.boxes
            .entry(person)
            .and_modify(|b| b.account.clone_from(&account))
            .or_insert(Mailbox {
                account,
                counts: None,
            });
    }

    /// `person`'s extension may have changed: a watched box names `account` from now on.
    pub(crate) fn rename(&mut self, person: i64, account: &str) {
        if let Some(b) = self.boxes.get_mut(&person) {
            if b.account != account {
                account.clone_into(&mut b.account);
            }
        }
    }

    /// The summary body for `person`'s box, when its counts are known.
    pub(crate) fn summary(&self, person: i64) -> Option<String> {
        let b = self.boxes.get(&person)?;
        let (new, old) = b.counts?;
        Some(voicemail::mwi::summary(&b.account, new, old))
    }

    /// The counts of `person`'s box, as the shell read them: whether the watchers are
    /// owed a NOTIFY (the counts changed, or were not known: the first NOTIFY is still
    /// owed). `false` for a box nobody watches.
    pub(crate) fn set_counts(&mut self, person: i64, new: u32, old: u32) -> bool {
        match self.boxes.get_mut(&person) {
            Some(b) => b.counts.replace((new, old)) != Some((new, old)),
            None => false,
        }
    }

    /// Nobody watches `person`'s box any more.
    pub(crate) fn forget(&mut self, person: i64) {
        self.boxes.remove(&person);
    }

    /// The people whose boxes are watched.
    pub(crate) fn people(&self) -> impl Iterator<Item = i64> + '_ {
        self.boxes.keys().copied()
    }

    /// Whether no box is watched.
    pub(crate) fn is_empty(&self) -> bool {
        self.boxes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANNA: &str = "sip:2401@pbx.example";

    #[test]
    fn a_box_is_summarised_once_its_counts_are_told_and_only_changes_are_owed() {
        let mut boxes = Mailboxes::default();
        assert!(!boxes.set_counts(7, 1, 0), "nobody watches 7 yet");
        boxes.watched(7, ANNA.into());
        assert_eq!(boxes.summary(7), None, "not known: nothing to say yet");
        assert!(boxes.set_counts(7, 0, 0), "the first NOTIFY is owed");
        let text = boxes.summary(7).unwrap();
        assert!(text.starts_with("Messages-Waiting: no\r\n"), "{text}");
        assert!(text.contains("Message-Account: sip:2401@pbx.example\r\n"));
        assert!(!boxes.set_counts(7, 0, 0), "unchanged");
        assert!(boxes.set_counts(7, 1, 0));
        let text = boxes.summary(7).unwrap();
        assert!(text.contains("Messages-Waiting: yes\r\n"), "{text}");
        assert!(text.contains("Voice-Message: 1/0 (0/0)\r\n"), "{text}");
        // Watched again after an extension change: the counts stay, the account follows.
        boxes.watched(7, "sip:2499@pbx.example".into());
        assert!(boxes.summary(7).unwrap().contains("sip:2499@pbx.example"));
        boxes.rename(7, ANNA);
        boxes.rename(8, "sip:2500@pbx.example");
        assert!(boxes.summary(7).unwrap().contains(ANNA));
        assert_eq!(boxes.summary(8), None, "renaming watches nothing");
        assert_eq!(boxes.people().collect::<Vec<_>>(), [7]);
        boxes.forget(7);
        assert!(boxes.is_empty());
        assert_eq!(boxes.summary(7), None);
    }
}
