//! The `*98` phone menu: a person listens to their box from a desk phone. A state machine
//! without I/O: the shell feeds the caller's keys ([`Menu::handle_digit`]), the end of
//! what it played ([`Menu::handle_played`]) and the time ([`Menu::handle_timeout`] at
//! [`Menu::poll_timeout`]), and carries out what [`Menu::poll_action`] hands out until it
//! gives `None`.
//!
//! What the caller hears: "Sie haben drei neue Nachrichten." (or "eine neue Nachricht",
//! or "keine neuen Nachrichten"), then each message, new ones first: "Nachricht von zwei
//! null null eins" (or "von unbekanntem Anrufer"), the recording, then the help. A message
//! played to its end counts as heard. After the last one: "Keine weiteren Nachrichten. Auf
//! Wiederhören." and the menu hangs up. An empty box says "Sie haben keine neuen
//! Nachrichten. Auf Wiederhören."
//!
//! ## The keys
//!
//! | Key       | What it does                                                          |
//! |-----------|-----------------------------------------------------------------------|
//! | `1`       | Play the message again                                                |
//! | `2`       | Next message; this one counts as heard                                |
//! | `#`       | Next message, as `2`                                                  |
//! | `7`       | Delete the message ("Die Nachricht wurde gelöscht."), then the next   |
//! | `9`       | Call the caller back (only when their number is known); ends the menu |
//! | `0`       | The help                                                              |
//! | any other | The help (so does `9` when the number is unknown)                     |
//!
//! The keys work while a message or the help plays, and afterwards. During the opening
//! sentence any key skips to the first message. The spoken help names `1`, `2` and `7`,
//! and `9` when the message has a number to call back. After the help the menu waits
//! [`WAIT_MS`] for a key and says the help again; the [`IDLE_TIMEOUTS`]th time nobody
//! pressed anything it says goodbye and hangs up.
//!
//! Each [`Action::Play`] replaces whatever plays now: the shell stops it and reports only
//! the end of the latest one, and only when it played to its end.

use std::collections::VecDeque;

/// How long the menu waits for a key after the help, in ms.
pub const WAIT_MS: i64 = 10_000;

/// The wait runs out this many times in a row without a key: goodbye, hang up.
pub const IDLE_TIMEOUTS: u32 = 3;

/// A message in the box, as the store has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The message's id in the store.
    pub id: i64,
    /// The caller's number, if it came with the call.
    pub caller_number: Option<String>,
    /// Already heard (in the browser or on a phone).
    pub heard: bool,
    /// The recording's length (the menu does not say it; the shell may use it).
    pub duration_ms: u32,
}

/// A built-in prompt the menu says: `crates/audio`'s clip [`Clip::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Clip {
    /// "Sie haben" (before a number).
    YouHave,
    /// "neue Nachrichten." (after a number).
    NewMessages,
    /// "Sie haben eine neue Nachricht."
    OneNewMessage,
    /// "Sie haben keine neuen Nachrichten."
    NoNewMessages,
    /// "Nachricht von" (before the caller's number).
    MessageFrom,
    /// "unbekanntem Anrufer." (after "Nachricht von").
    UnknownCaller,
    /// "Zum Wiederholen drücken Sie die Eins, für die nächste Nachricht die Zwei, zum
    /// Löschen die Sieben."
    Menu,
    /// "Für einen Rückruf drücken Sie die Neun."
    MenuCallBack,
    /// "Die Nachricht wurde gelöscht."
    Deleted,
    /// "Keine weiteren Nachrichten."
    NoMore,
    /// "Auf Wiederhören."
    Goodbye,
    /// "Dieses Gerät darf diese Mailbox nicht abhören." Not said by the menu: the shell
    /// says it instead of starting one for a device that may not listen.
    NotAllowed,
}

impl Clip {
    /// Every clip.
    pub const ALL: [Clip; 12] = [
        Clip::YouHave,
        Clip::NewMessages,
        Clip::OneNewMessage,
        Clip::NoNewMessages,
        Clip::MessageFrom,
        Clip::UnknownCaller,
        Clip::Menu,
        Clip::MenuCallBack,
        Clip::Deleted,
        Clip::NoMore,
        Clip::Goodbye,
        Clip::NotAllowed,
    ];

    /// The name of the clip in `crates/audio/prompts/{de,en}/` (`audio::prompts::clip`).
    pub fn name(self) -> &'static str {
        match self {
            Clip::YouHave => "vm_you_have",
            Clip::NewMessages => "vm_new_messages",
            Clip::OneNewMessage => "vm_one_new_message",
            Clip::NoNewMessages => "vm_no_new_messages",
            Clip::MessageFrom => "vm_message_from",
            Clip::UnknownCaller => "vm_unknown_caller",
            Clip::Menu => "vm_menu",
            Clip::MenuCallBack => "vm_menu_call_back",
            Clip::Deleted => "vm_deleted",
            Clip::NoMore => "vm_no_more",
            Clip::Goodbye => "goodbye",
            Clip::NotAllowed => "vm_not_allowed",
        }
    }
}

/// One part of what is played, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Say {
    /// A built-in prompt.
    Clip(Clip),
    /// A number as a word (`audio::prompts::number`).
    Number(u32),
    /// A phone number read digit by digit, anything but 0 to 9 unsaid
    /// (`audio::prompts::digits`).
    Digits(String),
    /// The recording of the message with this id.
    Recording(i64),
}

/// What the shell does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Play these, one after the other, instead of what plays now; report the end with
    /// [`Menu::handle_played`] (or a recording that cannot be played with
    /// [`Menu::handle_recording_failed`]).
    Play(Vec<Say>),
    /// Mark the message heard (store, web client, message-waiting lamp).
    MarkHeard(i64),
    /// Delete the message.
    Delete(i64),
    /// Call this number back from the person's phone; the menu is over.
    CallBack {
        /// The caller's number, as the message has it.
        number: String,
    },
    /// End the call; the menu is over.
    Hangup,
}

/// The menu of one call.
#[derive(Debug, Clone)]
pub struct Menu {
    /// What is left in the box, new messages first.
    messages: Vec<Message>,
    state: State,
    /// How many times in a row the wait for a key ran out.
    idle: u32,
    actions: VecDeque<Action>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// The opening sentence plays.
    Intro,
    /// At the message `index`.
    At { index: usize, stage: Stage },
    /// The last words play; then the menu hangs up.
    Closing,
    /// Hung up or calling back.
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// The message (its caller, then the recording) plays.
    Playing,
    /// The help plays.
    Help,
    /// Waiting for a key since `since`.
    Waiting { since: i64 },
}

impl Menu {
    /// The menu for a box holding `messages` (put in order, new ones first, keeping the
    /// given order otherwise); the opening sentence is the first action.
    pub fn start(mut messages: Vec<Message>) -> Menu {
        messages.sort_by_key(|m| m.heard);
        let new = messages.iter().filter(|m| !m.heard).count();
        let mut opening = match new {
            0 => vec![Say::Clip(Clip::NoNewMessages)],
            1 => vec![Say::Clip(Clip::OneNewMessage)],
            n => vec![
                Say::Clip(Clip::YouHave),
                Say::Number(u32::try_from(n).unwrap_or(u32::MAX)),
                Say::Clip(Clip::NewMessages),
            ],
        };
        let state = if messages.is_empty() {
            opening.push(Say::Clip(Clip::Goodbye));
            State::Closing
        } else {
            State::Intro
        };
        Menu {
            messages,
            state,
            idle: 0,
            actions: VecDeque::from([Action::Play(opening)]),
        }
    }

    /// The caller pressed `digit` (`0`–`9`, `*`, `#`).
    pub fn handle_digit(&mut self, digit: char) {
        let index = match self.state {
            State::Intro => {
                self.play_message(0, Vec::new());
                return;
            }
            State::At { index, .. } => index,
            State::Closing | State::Done => return,
        };
        self.idle = 0;
        let number = callable(&self.messages[index]).map(str::to_owned);
        match (digit, number) {
            ('1', _) => self.play_message(index, Vec::new()),
            ('2' | '#', _) => {
                self.mark_heard(index);
                self.next(index + 1, Vec::new());
            }
            ('7', _) => {
                let gone = self.messages.remove(index);
                self.actions.push_back(Action::Delete(gone.id));
                // The next message moved up to `index`.
                self.next(index, vec![Say::Clip(Clip::Deleted)]);
            }
            ('9', Some(number)) => {
                self.mark_heard(index);
                self.actions.push_back(Action::CallBack { number });
                self.state = State::Done;
            }
            _ => self.play_help(index),
        }
    }

    /// What the last [`Action::Play`] asked for played to its end, at `now` (Unix ms).
    pub fn handle_played(&mut self, now: i64) {
        match self.state {
            State::Intro => self.play_message(0, Vec::new()),
            State::At {
                index,
                stage: Stage::Playing,
            } => {
                self.mark_heard(index);
                self.play_help(index);
            }
            State::At {
                index,
                stage: Stage::Help,
            } => {
                self.state = State::At {
                    index,
                    stage: Stage::Waiting { since: now },
                };
            }
            State::Closing => {
                self.actions.push_back(Action::Hangup);
                self.state = State::Done;
            }
            State::At {
                stage: Stage::Waiting { .. },
                ..
            }
            | State::Done => {}
        }
    }

    /// The recording in the last [`Action::Play`] could not be played (missing or
    /// damaged): the message does not count as heard, the help follows.
    pub fn handle_recording_failed(&mut self) {
        if let State::At {
            index,
            stage: Stage::Playing,
        } = self.state
        {
            self.play_help(index);
        }
    }

    /// When [`Menu::handle_timeout`] has something to do (Unix ms): the end of the wait
    /// for a key.
    pub fn poll_timeout(&self) -> Option<i64> {
        match self.state {
            State::At {
                stage: Stage::Waiting { since },
                ..
            } => Some(since.saturating_add(WAIT_MS)),
            _ => None,
        }
    }

    /// The time is `now` (Unix ms): if the wait for a key ran out, the help again, or
    /// goodbye after [`IDLE_TIMEOUTS`].
    pub fn handle_timeout(&mut self, now: i64) {
        let (State::At { index, .. }, Some(deadline)) = (self.state, self.poll_timeout()) else {
            return;
        };
        if now < deadline {
            return;
        }
        self.idle += 1;
        if self.idle >= IDLE_TIMEOUTS {
            self.close(vec![Say::Clip(Clip::Goodbye)]);
        } else {
            self.play_help(index);
        }
    }

    /// The next thing for the shell to do, `None` when there is nothing until the next
    /// input.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// Whether the menu is over (hung up or calling back): it ignores any further input.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// "Nachricht von …" and the recording of the message at `index`, after `before`.
    fn play_message(&mut self, index: usize, mut before: Vec<Say>) {
        let message = &self.messages[index];
        before.push(Say::Clip(Clip::MessageFrom));
        before.push(match callable(message) {
            Some(number) => Say::Digits(number.to_owned()),
            None => Say::Clip(Clip::UnknownCaller),
        });
        before.push(Say::Recording(message.id));
        self.actions.push_back(Action::Play(before));
        self.state = State::At {
            index,
            stage: Stage::Playing,
        };
    }

    /// The message at `index` (after `before`), or the end when there is none.
    fn next(&mut self, index: usize, mut before: Vec<Say>) {
        if index < self.messages.len() {
            self.play_message(index, before);
        } else {
            before.extend([Say::Clip(Clip::NoMore), Say::Clip(Clip::Goodbye)]);
            self.close(before);
        }
    }

    fn play_help(&mut self, index: usize) {
        let mut help = vec![Say::Clip(Clip::Menu)];
        if callable(&self.messages[index]).is_some() {
            help.push(Say::Clip(Clip::MenuCallBack));
        }
        self.actions.push_back(Action::Play(help));
        self.state = State::At {
            index,
            stage: Stage::Help,
        };
    }

    /// Says `last`, then hangs up once it has played.
    fn close(&mut self, last: Vec<Say>) {
        self.actions.push_back(Action::Play(last));
        self.state = State::Closing;
    }

    fn mark_heard(&mut self, index: usize) {
        let message = &mut self.messages[index];
        if !message.heard {
            message.heard = true;
            self.actions.push_back(Action::MarkHeard(message.id));
        }
    }
}

/// The number to say and to call back: only one with a digit in it ("anonymous" is none).
fn callable(message: &Message) -> Option<&str> {
    message
        .caller_number
        .as_deref()
        .filter(|n| n.chars().any(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests;
