//! The model: who is registered until when, whose connection is open, the forwarding
//! rules, who is in how many calls, and each call — ringing somewhere (with how
//! forwarding got there) or answered. Written from `docs/switch.md`, not from the code.

use crate::{Dialled, Ev, Rules, DAY_MS, DEVICES, EXTENSIONS, RING_MS, T0};
use std::collections::BTreeSet;

#[derive(Debug, Clone)]
pub(crate) struct Path {
    pub(crate) current: usize,
    pub(crate) earlier: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(crate) enum State {
    Ringing {
        /// `None` for a call to a device: never forwarded.
        path: Option<Path>,
        ringing: BTreeSet<usize>,
        /// A device answered busy since it started ringing here: the best answer so
        /// far (RFC 3261 §16.7 step 6 ranks it before 487).
        declined: bool,
        deadline: i64,
    },
    Answered {
        callee: usize,
        /// Still counted as a call (not forgotten after a day without BYE).
        counted: bool,
        until: i64,
        /// The callee's connection closed since it answered (a browser).
        callee_closed: bool,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) id: String,
    pub(crate) caller: usize,
    pub(crate) state: State,
}

#[derive(Debug)]
pub(crate) struct Model {
    pub(crate) now: i64,
    /// Registered until, per device.
    pub(crate) registered: [Option<i64>; DEVICES.len()],
    /// Whether a browser's connection is open (others are always reachable).
    pub(crate) connected: [bool; DEVICES.len()],
    /// A browser's Contact came over its current connection in a call it placed or
    /// answered: the switch keeps it until the connection closes, so in-dialog requests
    /// to that Contact (also of older calls) take this connection, registered or not.
    pub(crate) noted: [bool; DEVICES.len()],
    pub(crate) rules: [Rules; EXTENSIONS.len()],
    /// Answered calls per person (index = extension).
    pub(crate) in_calls: [u32; EXTENSIONS.len()],
    pub(crate) calls: Vec<Call>,
    pub(crate) next_call: u32,
}

impl Model {
    pub(crate) fn new() -> Model {
        Model {
            now: T0,
            registered: [None; DEVICES.len()],
            connected: [false; DEVICES.len()],
            noted: [false; DEVICES.len()],
            rules: [Rules::default(); EXTENSIONS.len()],
            in_calls: [0; EXTENSIONS.len()],
            calls: Vec::new(),
            next_call: 1,
        }
    }

    pub(crate) fn is_registered(&self, device: usize) -> bool {
        self.registered[device].is_some_and(|until| until > self.now)
    }

    pub(crate) fn online(&self, ext: usize) -> bool {
        (0..DEVICES.len()).any(|d| DEVICES[d].ext == ext && self.is_registered(d))
    }

    pub(crate) fn busy(&self, ext: usize) -> bool {
        self.in_calls[ext] > 0
    }

    pub(crate) fn registered_of(&self, ext: usize) -> BTreeSet<usize> {
        (0..DEVICES.len())
            .filter(|d| DEVICES[*d].ext == ext && self.is_registered(*d))
            .collect()
    }

    /// Unconditional forwarding, then the busy rule of a person in a call; never back
    /// to an extension the call was at.
    pub(crate) fn follow(&self, path: &mut Path) {
        loop {
            let rules = self.rules[path.current];
            let fresh = |to: usize, path: &Path| to != path.current && !path.earlier.contains(&to);
            let next = rules.always.filter(|t| fresh(*t, path)).or_else(|| {
                rules
                    .busy
                    .filter(|t| self.busy(path.current) && fresh(*t, path))
            });
            match next {
                Some(to) => {
                    path.earlier.push(path.current);
                    path.current = to;
                }
                None => return,
            }
        }
    }

    /// Forwards after busy answers or no answer where a rule says; `false` when the
    /// call stays.
    pub(crate) fn forward_after(&self, path: &mut Path, busy: bool) -> bool {
        let rules = self.rules[path.current];
        let target = match busy {
            true => rules.busy,
            false => rules.no_answer.map(|(t, _)| t),
        };
        let Some(to) = target.filter(|t| *t != path.current && !path.earlier.contains(t)) else {
            return false;
        };
        path.earlier.push(path.current);
        path.current = to;
        self.follow(path);
        true
    }

    /// Moves a ringing call on: the devices that ring now, none when it stays.
    pub(crate) fn forward(&self, path: &mut Path, busy: bool) -> BTreeSet<usize> {
        let mut busy = busy;
        while self.forward_after(path, busy) {
            let devices = self.registered_of(path.current);
            if !devices.is_empty() {
                return devices;
            }
            busy = false;
        }
        BTreeSet::new()
    }

    pub(crate) fn ring_ms(&self, path: Option<&Path>) -> i64 {
        let no_answer = path.and_then(|p| self.rules[p.current].no_answer);
        no_answer.map_or(RING_MS, |(_, secs)| (i64::from(secs) * 1000).min(RING_MS))
    }

    /// A call from `caller` to `dialled`: what it rings, or the caller's status.
    pub(crate) fn route(&self, dialled: &Dialled) -> Result<(Option<Path>, BTreeSet<usize>), u16> {
        let (path, devices) = match *dialled {
            Dialled::Unknown => return Err(404),
            Dialled::Device(d) => {
                let devices = match self.is_registered(d) {
                    true => BTreeSet::from([d]),
                    false => BTreeSet::new(),
                };
                (None, devices)
            }
            Dialled::Extension(ext) => {
                let mut path = Path {
                    current: ext,
                    earlier: Vec::new(),
                };
                self.follow(&mut path);
                let mut devices = self.registered_of(path.current);
                if devices.is_empty() {
                    devices = self.forward(&mut path, false);
                }
                (Some(path), devices)
            }
        };
        match devices.is_empty() {
            true => Err(480),
            false => Ok((path, devices)),
        }
    }

    /// The next moment something is due: a registration runs out, a call stops ringing,
    /// an answered call is forgotten.
    pub(crate) fn next_deadline(&self) -> Option<i64> {
        let registrations = self.registered.iter().flatten().copied();
        let calls = self.calls.iter().filter_map(|c| match c.state {
            State::Ringing { deadline, .. } => Some(deadline),
            State::Answered { counted, until, .. } => counted.then_some(until),
        });
        registrations.chain(calls).min()
    }

    pub(crate) fn ringing(&self) -> Vec<usize> {
        (0..self.calls.len())
            .filter(|i| matches!(self.calls[*i].state, State::Ringing { .. }))
            .collect()
    }

    pub(crate) fn answered(&self) -> Vec<usize> {
        (0..self.calls.len())
            .filter(|i| matches!(self.calls[*i].state, State::Answered { .. }))
            .collect()
    }
}

impl Model {
    pub(crate) fn connected_or_udp(&self, device: usize) -> bool {
        !DEVICES[device].ws || self.connected[device]
    }

    pub(crate) fn answer(&mut self, index: usize, callee: usize, expect: &mut Vec<Ev>) {
        if DEVICES[callee].ws {
            self.noted[callee] = true;
        }
        let call = &mut self.calls[index];
        let State::Ringing { ringing, .. } = &call.state else {
            unreachable!()
        };
        for &other in ringing.iter().filter(|d| **d != callee) {
            expect.push(Ev::Cancelled {
                call: call.id.clone(),
                device: other,
            });
        }
        expect.push(Ev::Final {
            call: call.id.clone(),
            code: 200,
        });
        expect.push(Ev::Acked {
            call: call.id.clone(),
            device: callee,
        });
        call.state = State::Answered {
            callee,
            counted: true,
            until: self.now + DAY_MS,
            callee_closed: false,
        };
        let caller = call.caller;
        self.in_calls[DEVICES[caller].ext] += 1;
        self.in_calls[DEVICES[callee].ext] += 1;
    }

    pub(crate) fn decline(&mut self, index: usize, callee: usize, expect: &mut Vec<Ev>) {
        let State::Ringing {
            ringing, declined, ..
        } = &mut self.calls[index].state
        else {
            unreachable!()
        };
        ringing.remove(&callee);
        *declined = true;
        if ringing.is_empty() {
            // Every device said busy: busy forwarding, else the caller hears 486.
            self.move_on(index, true, 486, expect);
        }
    }

    /// Forwards the ringing call `index` after every device was busy (`busy`) or
    /// nobody answered in time: the new devices ring, or, when it stays, the caller
    /// hears `code` and the call is over. `false` when it is over.
    fn move_on(&mut self, index: usize, busy: bool, code: u16, expect: &mut Vec<Ev>) -> bool {
        let mut call = self.calls[index].clone();
        let State::Ringing {
            path,
            ringing,
            declined,
            deadline,
        } = &mut call.state
        else {
            unreachable!()
        };
        let moved = match path.as_mut() {
            Some(path) => self.forward(path, busy),
            None => BTreeSet::new(),
        };
        if moved.is_empty() {
            expect.push(Ev::Final {
                call: call.id,
                code,
            });
            self.calls.remove(index);
            return false;
        }
        for &device in &moved {
            let call = call.id.clone();
            expect.push(Ev::Rang { call, device });
        }
        *deadline = self.now + self.ring_ms(path.as_ref());
        *ringing = moved;
        *declined = false;
        self.calls[index] = call;
        true
    }

    /// What is due at `now`, in the switch's order: registrations run out, then calls
    /// stop ringing (in the order they started), then answered calls a day old are
    /// forgotten.
    pub(crate) fn fire(&mut self, expect: &mut Vec<Ev>) {
        let now = self.now;
        for until in self.registered.iter_mut() {
            if until.is_some_and(|u| u <= now) {
                *until = None;
            }
        }
        let mut index = 0;
        while index < self.calls.len() {
            let call = &self.calls[index];
            let State::Ringing {
                ringing, deadline, ..
            } = &call.state
            else {
                index += 1;
                continue;
            };
            if *deadline > now {
                index += 1;
                continue;
            }
            for &device in ringing {
                let call = call.id.clone();
                expect.push(Ev::Cancelled { call, device });
            }
            if self.move_on(index, false, 480, expect) {
                index += 1;
            }
        }
        for call in &mut self.calls {
            if let State::Answered {
                counted,
                until,
                callee,
                ..
            } = &mut call.state
            {
                if *counted && *until <= now {
                    *counted = false;
                    self.in_calls[DEVICES[call.caller].ext] -= 1;
                    self.in_calls[DEVICES[*callee].ext] -= 1;
                }
            }
        }
    }
}

pub(crate) fn pick(list: &[usize], n: usize) -> Option<usize> {
    (!list.is_empty()).then(|| list[n % list.len()])
}
