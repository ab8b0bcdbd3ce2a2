use super::*;
use proptest::prelude::*;

const NOW: i64 = 1_796_601_600_000;

fn message(id: i64, number: Option<&str>, heard: bool) -> Message {
    Message {
        id,
        caller_number: number.map(str::to_owned),
        heard,
        duration_ms: 12_000,
    }
}

fn drain(menu: &mut Menu) -> Vec<Action> {
    std::iter::from_fn(|| menu.poll_action()).collect()
}

fn play(says: &[Say]) -> Action {
    Action::Play(says.to_vec())
}

fn c(clip: Clip) -> Say {
    Say::Clip(clip)
}

/// "Nachricht von …" and the recording of message `id`.
fn from(number: Option<&str>, id: i64) -> Vec<Say> {
    let caller = match number {
        Some(n) => Say::Digits(n.to_owned()),
        None => c(Clip::UnknownCaller),
    };
    vec![c(Clip::MessageFrom), caller, Say::Recording(id)]
}

fn help(call_back: bool) -> Action {
    let mut says = vec![c(Clip::Menu)];
    if call_back {
        says.push(c(Clip::MenuCallBack));
    }
    Action::Play(says)
}

fn the_end() -> Action {
    play(&[c(Clip::NoMore), c(Clip::Goodbye)])
}

#[test]
fn an_empty_box_says_so_and_hangs_up() {
    let mut menu = Menu::start(Vec::new());
    assert_eq!(
        drain(&mut menu),
        [play(&[c(Clip::NoNewMessages), c(Clip::Goodbye)])]
    );
    assert!(!menu.is_done());
    // Keys while the goodbye plays change nothing.
    menu.handle_digit('7');
    assert_eq!(drain(&mut menu), []);
    menu.handle_played(NOW);
    assert_eq!(drain(&mut menu), [Action::Hangup]);
    assert!(menu.is_done());
    // Over: nothing more, whatever comes.
    menu.handle_played(NOW);
    menu.handle_digit('1');
    menu.handle_timeout(NOW + 60_000);
    assert_eq!(drain(&mut menu), []);
    assert_eq!(menu.poll_timeout(), None);
}

#[test]
fn listening_to_the_end_plays_everything_and_marks_the_new_ones_heard() {
    let mut menu = Menu::start(vec![
        message(1, Some("2001"), false),
        message(2, None, false),
        message(3, Some("+49 30 1234"), true),
    ]);
    assert_eq!(
        drain(&mut menu),
        [play(&[
            c(Clip::YouHave),
            Say::Number(2),
            c(Clip::NewMessages)
        ])]
    );
    menu.handle_played(NOW);
    assert_eq!(drain(&mut menu), [play(&from(Some("2001"), 1))]);
    menu.handle_played(NOW);
    assert_eq!(drain(&mut menu), [Action::MarkHeard(1), help(true)]);
    menu.handle_played(NOW);
    assert_eq!(drain(&mut menu), []);
    assert_eq!(menu.poll_timeout(), Some(NOW + WAIT_MS));
    menu.handle_digit('2');
    assert_eq!(drain(&mut menu), [play(&from(None, 2))]);
    assert_eq!(menu.poll_timeout(), None);
    menu.handle_played(NOW);
    assert_eq!(drain(&mut menu), [Action::MarkHeard(2), help(false)]);
    menu.handle_digit('#');
    assert_eq!(drain(&mut menu), [play(&from(Some("+49 30 1234"), 3))]);
    // Heard before: not marked again.
    menu.handle_played(NOW);
    assert_eq!(drain(&mut menu), [help(true)]);
    menu.handle_digit('2');
    assert_eq!(drain(&mut menu), [the_end()]);
    menu.handle_played(NOW);
    assert_eq!(drain(&mut menu), [Action::Hangup]);
    assert!(menu.is_done());
}

#[test]
fn new_messages_come_first_in_the_order_given() {
    let mut menu = Menu::start(vec![
        message(1, None, true),
        message(2, None, false),
        message(3, None, true),
        message(4, None, false),
    ]);
    drain(&mut menu);
    let mut order = Vec::new();
    for _ in 0..4 {
        menu.handle_digit('#');
        for action in drain(&mut menu) {
            if let Action::Play(says) = action {
                order.extend(says.iter().filter_map(|s| match s {
                    Say::Recording(id) => Some(*id),
                    _ => None,
                }));
            }
        }
    }
    assert_eq!(order, [2, 4, 1, 3]);
}

#[test]
fn the_opening_sentence_counts_the_new_messages() {
    let opening = |messages: Vec<Message>| drain(&mut Menu::start(messages))[0].clone();
    assert_eq!(
        opening(vec![message(1, None, false)]),
        play(&[c(Clip::OneNewMessage)])
    );
    // Only old ones: none new, then they play.
    let mut old = Menu::start(vec![message(1, None, true)]);
    assert_eq!(drain(&mut old), [play(&[c(Clip::NoNewMessages)])]);
    old.handle_played(NOW);
    assert_eq!(drain(&mut old), [play(&from(None, 1))]);
    let many: Vec<Message> = (0..25).map(|id| message(id, None, false)).collect();
    assert_eq!(
        opening(many),
        play(&[c(Clip::YouHave), Say::Number(25), c(Clip::NewMessages)])
    );
}

#[test]
fn seven_deletes_and_goes_on_to_the_next() {
    let mut menu = Menu::start(vec![
        message(1, Some("2001"), false),
        message(2, Some("2002"), false),
    ]);
    drain(&mut menu);
    menu.handle_played(NOW);
    drain(&mut menu);
    // While the recording plays: deleted, not marked heard.
    menu.handle_digit('7');
    let mut next = vec![c(Clip::Deleted)];
    next.extend(from(Some("2002"), 2));
    assert_eq!(drain(&mut menu), [Action::Delete(1), Action::Play(next)]);
    menu.handle_played(NOW);
    assert_eq!(drain(&mut menu), [Action::MarkHeard(2), help(true)]);
    // Repeat is the right message after a deletion.
    menu.handle_digit('1');
    assert_eq!(drain(&mut menu), [play(&from(Some("2002"), 2))]);
}

#[test]
fn deleting_the_last_message_ends_the_menu() {
    let mut menu = Menu::start(vec![message(5, None, true)]);
    drain(&mut menu);
    menu.handle_played(NOW);
    menu.handle_played(NOW);
    drain(&mut menu);
    menu.handle_digit('7');
    assert_eq!(
        drain(&mut menu),
        [
            Action::Delete(5),
            play(&[c(Clip::Deleted), c(Clip::NoMore), c(Clip::Goodbye)])
        ]
    );
    menu.handle_digit('7');
    assert_eq!(drain(&mut menu), [], "nothing left to delete");
    menu.handle_played(NOW);
    assert_eq!(drain(&mut menu), [Action::Hangup]);
}

#[test]
fn nine_calls_back_a_known_number_and_ends_the_menu() {
    let mut menu = Menu::start(vec![message(1, Some("+49 30 1234"), false)]);
    drain(&mut menu);
    menu.handle_played(NOW);
    drain(&mut menu);
    menu.handle_digit('9');
    assert_eq!(
        drain(&mut menu),
        [
            Action::MarkHeard(1),
            Action::CallBack {
                number: "+49 30 1234".into()
            }
        ]
    );
    assert!(menu.is_done());
    menu.handle_played(NOW);
    menu.handle_digit('2');
    assert_eq!(drain(&mut menu), []);
}

#[test]
fn nine_without_a_number_is_the_help_without_the_call_back() {
    for number in [None, Some(""), Some("anonymous")] {
        let mut menu = Menu::start(vec![message(1, number, false)]);
        drain(&mut menu);
        menu.handle_played(NOW);
        assert_eq!(drain(&mut menu), [play(&from(None, 1))], "{number:?}");
        menu.handle_digit('9');
        assert_eq!(drain(&mut menu), [help(false)], "{number:?}");
        assert!(!menu.is_done());
    }
}

#[test]
fn zero_and_unknown_keys_say_the_help() {
    let mut menu = Menu::start(vec![message(1, Some("2001"), false)]);
    drain(&mut menu);
    menu.handle_played(NOW);
    drain(&mut menu);
    for key in ['0', '3', '4', '5', '6', '8', '*', 'A', 'x'] {
        menu.handle_digit(key);
        assert_eq!(drain(&mut menu), [help(true)], "{key:?}");
    }
    // The recording was cut short by the keys: not heard.
    menu.handle_played(NOW);
    assert_eq!(drain(&mut menu), []);
}

#[test]
fn one_repeats_and_two_skips_marking_heard() {
    let mut menu = Menu::start(vec![message(1, None, false), message(2, None, false)]);
    drain(&mut menu);
    menu.handle_played(NOW);
    drain(&mut menu);
    menu.handle_digit('1');
    assert_eq!(drain(&mut menu), [play(&from(None, 1))]);
    // Skipped in the middle: heard all the same (the caller chose to go on).
    menu.handle_digit('2');
    assert_eq!(
        drain(&mut menu),
        [Action::MarkHeard(1), play(&from(None, 2))]
    );
}

#[test]
fn a_key_during_the_opening_skips_to_the_first_message() {
    for key in ['7', '9', '2', '0'] {
        let mut menu = Menu::start(vec![message(1, Some("2001"), false)]);
        drain(&mut menu);
        menu.handle_digit(key);
        assert_eq!(drain(&mut menu), [play(&from(Some("2001"), 1))], "{key}");
    }
}

#[test]
fn silence_after_the_help_repeats_it_then_says_goodbye() {
    let mut menu = Menu::start(vec![message(1, None, true)]);
    drain(&mut menu);
    menu.handle_played(NOW);
    menu.handle_played(NOW);
    drain(&mut menu);
    let mut t = NOW;
    menu.handle_played(t);
    for _ in 1..IDLE_TIMEOUTS {
        let deadline = menu.poll_timeout().expect("waiting for a key");
        assert_eq!(deadline, t + WAIT_MS);
        menu.handle_timeout(deadline - 1);
        assert_eq!(drain(&mut menu), []);
        menu.handle_timeout(deadline);
        assert_eq!(drain(&mut menu), [help(false)]);
        assert_eq!(menu.poll_timeout(), None, "no wait while the help plays");
        t = deadline + 3_000;
        menu.handle_played(t);
    }
    let deadline = menu.poll_timeout().expect("waiting");
    menu.handle_timeout(deadline);
    assert_eq!(drain(&mut menu), [play(&[c(Clip::Goodbye)])]);
    menu.handle_played(deadline + 1_000);
    assert_eq!(drain(&mut menu), [Action::Hangup]);
}

#[test]
fn a_key_starts_the_count_of_silences_afresh() {
    let mut menu = Menu::start(vec![message(1, None, true)]);
    menu.handle_played(NOW);
    menu.handle_played(NOW);
    drain(&mut menu);
    let mut t = NOW;
    // Two silences, a key, two silences, a key…: never the third silence in a row.
    for round in 0..3 * IDLE_TIMEOUTS {
        menu.handle_played(t);
        t += WAIT_MS;
        menu.handle_timeout(t);
        let mut expected = vec![help(false)];
        if round % 2 == 1 {
            menu.handle_digit('0');
            expected.push(help(false));
        }
        assert_eq!(drain(&mut menu), expected, "round {round}");
    }
    assert!(!menu.is_done());
}

#[test]
fn a_recording_that_cannot_play_is_not_marked_heard() {
    let mut menu = Menu::start(vec![message(1, None, false)]);
    drain(&mut menu);
    menu.handle_played(NOW);
    drain(&mut menu);
    menu.handle_recording_failed();
    assert_eq!(drain(&mut menu), [help(false)]);
    // Only while a recording plays.
    menu.handle_recording_failed();
    assert_eq!(drain(&mut menu), []);
    menu.handle_played(NOW);
    menu.handle_played(NOW);
    assert_eq!(drain(&mut menu), [], "a spurious end changes nothing");
}

#[test]
fn every_clip_the_menu_names_is_a_built_in_prompt() {
    for clip in Clip::ALL {
        assert!(
            audio::prompts::NAMES.contains(&clip.name()),
            "{clip:?}: no clip {}",
            clip.name()
        );
    }
}

#[derive(Debug, Clone)]
enum Input {
    Digit(char),
    Played,
    RecordingFailed,
    Wait(i64),
}

fn any_input() -> impl Strategy<Value = Input> {
    prop_oneof![
        3 => proptest::sample::select("0123456789*#".chars().collect::<Vec<_>>())
            .prop_map(Input::Digit),
        3 => Just(Input::Played),
        1 => Just(Input::RecordingFailed),
        1 => (0..2 * WAIT_MS).prop_map(Input::Wait),
    ]
}

fn any_box() -> impl Strategy<Value = Vec<Message>> {
    proptest::collection::vec(
        (
            proptest::option::of("(\\+49 )?[0-9]{2,6}|anonymous"),
            any::<bool>(),
        ),
        0..6,
    )
    .prop_map(|messages| {
        messages
            .into_iter()
            .enumerate()
            .map(|(i, (number, heard))| Message {
                id: i as i64 + 100,
                caller_number: number,
                heard,
                duration_ms: 1_000,
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn any_sequence_of_inputs_keeps_the_promises(
        messages in any_box(),
        inputs in proptest::collection::vec(any_input(), 0..60),
    ) {
        let mut menu = Menu::start(messages.clone());
        let mut now = NOW;
        let mut deleted = Vec::new();
        let mut marked = Vec::new();
        let mut over = false;
        let mut actions = drain(&mut menu);
        for input in inputs {
            let waited = matches!(input, Input::Wait(_));
            match input {
                Input::Digit(d) => menu.handle_digit(d),
                Input::Played => menu.handle_played(now),
                Input::RecordingFailed => menu.handle_recording_failed(),
                Input::Wait(ms) => {
                    now += ms;
                    menu.handle_timeout(now);
                }
            }
            actions.extend(drain(&mut menu));
            if let Some(at) = menu.poll_timeout() {
                // A wait starts at the latest input and, once handled, lies ahead.
                prop_assert!(at <= now + WAIT_MS);
                prop_assert!(!waited || at > now, "a deadline left behind");
            }
        }
        for action in actions {
            prop_assert!(!over, "{action:?} after the end");
            let known = |id: i64| messages.iter().find(|m| m.id == id);
            match action {
                Action::Play(says) => {
                    prop_assert!(!says.is_empty());
                    for say in says {
                        if let Say::Recording(id) = say {
                            prop_assert!(known(id).is_some());
                            prop_assert!(!deleted.contains(&id), "plays deleted {id}");
                        }
                    }
                }
                Action::MarkHeard(id) => {
                    let m = known(id);
                    prop_assert!(m.is_some_and(|m| !m.heard), "marks {id}, heard or unknown");
                    prop_assert!(!marked.contains(&id) && !deleted.contains(&id));
                    marked.push(id);
                }
                Action::Delete(id) => {
                    prop_assert!(known(id).is_some() && !deleted.contains(&id));
                    deleted.push(id);
                }
                Action::CallBack { number } => {
                    prop_assert!(number.chars().any(|c| c.is_ascii_digit()));
                    prop_assert!(messages.iter().any(|m| m.caller_number.as_ref() == Some(&number)));
                    over = true;
                }
                Action::Hangup => over = true,
            }
        }
        prop_assert_eq!(over, menu.is_done());
    }

    #[test]
    fn only_listening_plays_every_message_and_hangs_up(messages in any_box()) {
        let mut menu = Menu::start(messages.clone());
        let mut actions = Vec::new();
        let mut now = NOW;
        // The opening, then per message its play and its help, then the end.
        for _ in 0..(2 * messages.len() + 2) {
            actions.extend(drain(&mut menu));
            menu.handle_played(now);
            if let Some(at) = menu.poll_timeout() {
                // Waiting after the help: the caller presses 2.
                now = at - 1;
                menu.handle_digit('2');
            }
        }
        actions.extend(drain(&mut menu));
        prop_assert_eq!(actions.last(), Some(&Action::Hangup));
        let played: Vec<i64> = actions.iter().flat_map(|a| match a {
            Action::Play(says) => says.iter().filter_map(|s| match s {
                Say::Recording(id) => Some(*id),
                _ => None,
            }).collect(),
            _ => Vec::new(),
        }).collect();
        let mut expected: Vec<&Message> = messages.iter().collect();
        expected.sort_by_key(|m| m.heard);
        prop_assert_eq!(played, expected.iter().map(|m| m.id).collect::<Vec<_>>());
        let marked = actions.iter().filter(|a| matches!(a, Action::MarkHeard(_))).count();
        prop_assert_eq!(marked, messages.iter().filter(|m| !m.heard).count());
    }
}
