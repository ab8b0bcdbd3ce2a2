//! What the parts of the switch raise while they handle an input, besides what they send:
//! [`Notice`]s for the shell, and news for the other parts. A part never calls another
//! part: the registrar and the proxy raise news here, and the facade (`switch.rs`) hands
//! it to the notifier once the input is handled, so the presence and busy lamp NOTIFYs
//! of one input go out together after its answers.

use crate::dialog_info::CallEvent;
use crate::notice::Notice;
use std::collections::VecDeque;

/// News of people's calls, for the notifier's busy lamps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallNews {
    /// A change in one person's calls.
    Of {
        /// The person.
        person: i64,
        /// What changed.
        event: CallEvent,
    },
    /// A call ended whose people are not known here (a BYE passed): every followed
    /// person in it.
    EndedEverywhere {
        /// The call.
        call_id: String,
    },
    /// A person's calls were forgotten (a day without BYE): their lamp goes dark.
    Forgotten {
        /// The person.
        person: i64,
    },
}

/// The notices and news of the parts.
#[derive(Debug, Default)]
pub(crate) struct Raised {
    notices: VecDeque<Notice>,
    /// People whose registered devices or calls changed ([`Notice::Devices`],
    /// [`Notice::Call`]): their presence watchers hear of it.
    people: Vec<i64>,
    calls: Vec<CallNews>,
    following: Following,
}

/// Which calls the notifier follows for busy lamps, set by the facade before each input:
/// the proxy makes no [`CallNews::Of`] for the others, so a switch without subscriptions
/// pays nothing for busy lamps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Following {
    /// None: nobody subscribes and no lamp is lit.
    #[default]
    Nothing,
    /// Only the calls it follows already (nobody subscribes any more; lamps that are
    /// lit go dark as their calls end).
    Known,
    /// Every call (someone subscribes).
    All,
}

impl Raised {
    /// A notice for the shell.
    pub(crate) fn notice(&mut self, notice: Notice) {
        if let Notice::Devices { person_id, .. } | Notice::Call { person_id, .. } = notice {
            self.people.push(person_id);
        }
        self.notices.push_back(notice);
    }

    /// The next notice for the shell.
    pub(crate) fn poll_notice(&mut self) -> Option<Notice> {
        self.notices.pop_front()
    }

    /// Whether the proxy should tell how calls go on ([`Raised::call`]).
    pub(crate) fn follows_calls(&self) -> bool {
        self.following != Following::Nothing
    }

    /// Whether the proxy should tell of new calls.
    pub(crate) fn follows_new_calls(&self) -> bool {
        self.following == Following::All
    }

    /// Set by the facade before each input, from the notifier.
    pub(crate) fn set_following(&mut self, following: Following) {
        self.following = following;
    }

    /// News of a call.
    pub(crate) fn call(&mut self, news: CallNews) {
        self.calls.push(news);
    }

    /// Whether there is news for the notifier.
    pub(crate) fn has_news(&self) -> bool {
        !self.people.is_empty() || !self.calls.is_empty()
    }

    /// Takes the news: the people whose presence changed (each once) and the call news
    /// in the order raised.
    pub(crate) fn take_news(&mut self) -> (Vec<i64>, Vec<CallNews>) {
        let mut people = std::mem::take(&mut self.people);
        people.sort_unstable();
        people.dedup();
        (people, std::mem::take(&mut self.calls))
    }

    /// Drops the news (nobody listens: the notifier has nothing to tell), keeping the
    /// room for the next input.
    pub(crate) fn drop_news(&mut self) {
        // After a burst (100,000 bindings restored at start) the room goes too.
        if self.people.capacity() > 1024 {
            self.people = Vec::new();
        }
        self.people.clear();
        self.calls.clear();
    }
}
