//! Commands that name a call by an id it had before an attended transfer merged it.

use super::Calls;
use crate::command::Command;
use crate::party::CallId;

impl Calls {
    /// A command with a merged call's old id names the call it was merged into.
    pub(super) fn resolve(&self, command: Command) -> Command {
        let id = |c: CallId| self.aliases.get(&c).copied().unwrap_or(c);
        match command {
            Command::Answer { call, sdp } => Command::Answer {
                call: id(call),
                sdp,
            },
            Command::Reject { call } => Command::Reject { call: id(call) },
            Command::Hangup { call } => Command::Hangup { call: id(call) },
            Command::Hold { call, on } => Command::Hold { call: id(call), on },
            Command::Dtmf { call, digits } => Command::Dtmf {
                call: id(call),
                digits,
            },
            Command::Transfer { call, target } => Command::Transfer {
                call: id(call),
                target,
            },
            Command::TransferTo { call, to_call } => Command::TransferTo {
                call: id(call),
                to_call: id(to_call),
            },
            dial @ (Command::Dial { .. } | Command::DialVia { .. }) => dial,
        }
    }
}
