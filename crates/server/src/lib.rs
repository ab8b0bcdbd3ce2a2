//! Durchwahl's server as a library: the configuration, the runtime that serves HTTP and
//! SIP on already-bound listeners until a shutdown future completes, and the commands of
//! the `durchwahl` binary. Tests run the whole server in their own process through
//! [`runtime::run`] (see the `testkit` crate).

pub mod backup;
pub mod call_service;
pub mod capacity_figures;
pub mod capacity_sampler;
mod case_retention;
pub mod cli;
pub mod config;
pub mod demo;
pub mod demo_equipment;
pub mod demo_fax;
pub mod demo_gateway;
pub mod demo_hotline;
pub mod demo_mobile_work;
pub mod demo_rollout_history;
pub mod demo_team_week;
pub mod demo_voicemail;
pub mod desk_release;
pub mod directory_sync;
pub mod doctor;
pub mod equipment_reminders;
pub mod fax_service;
pub mod gateway_health;
pub mod gateway_key;
pub mod logging;
pub mod mailer;
pub mod media_service;
pub mod mobile_work_calendar;
pub mod phones;
pub mod rollout_history;
pub mod runtime;
pub mod secrets_key;
pub mod service_figures;
pub mod sip_service;
mod table;
pub mod tls;
pub mod users;
pub mod week_presence;
