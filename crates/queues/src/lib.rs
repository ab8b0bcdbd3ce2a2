//! The hotline's call distribution (ACD), pure: which agent is offered which waiting
//! caller (`strategy`), what state an agent is in (`agent`), what a waiting caller hears
//! when and who is rung for whom (`queue`), every figure of the wallboard and the
//! reports computed from the append-only queue event log (`event`, `figures`), and when
//! a hotline is open (`opening_hours`, with the public holidays of its state:
//! `holidays`). No sockets, no clocks, no SQL: the shells (call control, the store, the
//! web) feed events and the time in and carry the decisions out. Issue 16 builds the
//! hotline on this.

#![deny(missing_docs)]

pub mod agent;
pub mod event;
pub mod figures;
pub mod holidays;
pub mod opening_hours;
pub mod queue;
pub mod settings;
pub mod strategy;
pub mod switchboard;

pub use agent::{Agent, AgentError, AgentState, Availability};
pub use event::{CallId, EventKind, QueueEvent, QueueId};
pub use figures::{figures, open_calls, Figures, OpenCall, Slot, Thresholds};
pub use holidays::{holidays, is_holiday, Holiday, State};
pub use opening_hours::{Closure, OpeningHours};
pub use queue::{Action, Offer, OverflowReason, Prompt, Queue, QueueSettings};
pub use strategy::{Candidate, Strategy};
pub use switchboard::{Board, Clip, HotlineSetup, Order, Overflow, QueueSetup, Switchboard};
