//! How several open clients, phones, calls and meetings of one person merge into the one
//! state colleagues see. The rules are documented for users in `docs/presence.md`.

use crate::duty::Duty;
use crate::state::State;

/// Everything the merged state depends on besides the hand-set state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Signals {
    /// Open web clients (WebSocket connections).
    pub clients: u32,
    /// Open web clients whose user has been idle.
    pub idle_clients: u32,
    /// Registered phones (SIP devices); telephony drives this.
    pub devices: u32,
    /// Calls in progress (ringing or talking); telephony drives this.
    pub calls: u32,
    /// In a meeting; meetings drive this.
    pub in_meeting: bool,
    /// A hotline agent's duty; the hotline drives this.
    pub duty: Option<Duty>,
}

/// The state colleagues see, from the hand-set state and the signals. In order:
/// 1. "appear offline" by hand stays offline;
/// 2. no open client, no phone and no call: offline;
/// 3. do not disturb by hand stays do not disturb;
/// 4. a call in progress: on the phone; 5. a meeting: in a meeting;
/// 6. a hotline's wrap-up: busy; busy or away by hand stay so;
/// 7. available, but every open client idle: away;
/// 8. otherwise available.
pub fn merge(manual: State, s: Signals) -> State {
    match manual {
        State::Offline => State::Offline,
        _ if s.clients == 0 && s.devices == 0 && s.calls == 0 => State::Offline,
        State::DoNotDisturb => State::DoNotDisturb,
        _ if s.calls > 0 => State::OnThePhone,
        _ if s.in_meeting => State::InAMeeting,
        _ if s.duty == Some(Duty::WrapUp) => State::Busy,
        State::Busy | State::Away => manual,
        _ if s.clients > 0 && s.idle_clients >= s.clients => State::Away,
        _ => State::Available,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn one_client() -> Signals {
        Signals {
            clients: 1,
            ..Signals::default()
        }
    }

    #[test]
    fn the_documented_order() {
        let none = Signals::default();
        assert_eq!(merge(State::Available, none), State::Offline);
        assert_eq!(merge(State::Available, one_client()), State::Available);
        let phone_only = Signals { devices: 1, ..none };
        assert_eq!(merge(State::Available, phone_only), State::Available);
        let calling = Signals {
            calls: 1,
            ..one_client()
        };
        assert_eq!(merge(State::Available, calling), State::OnThePhone);
        assert_eq!(merge(State::Away, calling), State::OnThePhone);
        assert_eq!(merge(State::DoNotDisturb, calling), State::DoNotDisturb);
        assert_eq!(merge(State::Offline, calling), State::Offline);
        let meeting = Signals {
            in_meeting: true,
            ..one_client()
        };
        assert_eq!(merge(State::Busy, meeting), State::InAMeeting);
        let idle_of_two = Signals {
            clients: 2,
            idle_clients: 1,
            ..none
        };
        assert_eq!(merge(State::Available, idle_of_two), State::Available);
        let all_idle = Signals {
            idle_clients: 2,
            ..idle_of_two
        };
        assert_eq!(merge(State::Available, all_idle), State::Away);
        assert_eq!(merge(State::Busy, all_idle), State::Busy);
        // A hotline's wrap-up is busy, below a call and a meeting.
        let wrap_up = Signals {
            duty: Some(Duty::WrapUp),
            ..one_client()
        };
        assert_eq!(merge(State::Available, wrap_up), State::Busy);
        assert_eq!(merge(State::Away, wrap_up), State::Busy);
        let calling = Signals {
            calls: 1,
            ..wrap_up
        };
        assert_eq!(merge(State::Available, calling), State::OnThePhone);
        let paused = Signals {
            duty: Some(Duty::Paused),
            ..one_client()
        };
        assert_eq!(merge(State::Available, paused), State::Available);
    }

    proptest! {
        #[test]
        fn never_a_hand_only_state_from_nothing(
            manual in prop::sample::select(State::ALL.to_vec()),
            clients in 0u32..3, idle in 0u32..3, devices in 0u32..2, calls in 0u32..2,
            in_meeting: bool, wrap_up: bool,
        ) {
            let duty = wrap_up.then_some(Duty::WrapUp);
            let s = Signals { clients, idle_clients: idle.min(clients), devices, calls, in_meeting, duty };
            let out = merge(manual, s);
            // Offline exactly when hidden or unreachable.
            prop_assert_eq!(
                out == State::Offline,
                manual == State::Offline || (clients == 0 && devices == 0 && calls == 0)
            );
            // On the phone only with a call, in a meeting only in one.
            prop_assert!(out != State::OnThePhone || calls > 0);
            prop_assert!(out != State::InAMeeting || in_meeting);
            // Do not disturb is never overridden while reachable.
            if manual == State::DoNotDisturb && out != State::Offline {
                prop_assert_eq!(out, State::DoNotDisturb);
            }
        }
    }
}
