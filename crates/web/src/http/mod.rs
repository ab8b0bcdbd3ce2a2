//! Serving HTTP: our own accept loop (header timeout, connections per address, TLS with
//! certificates reloaded in place), the health check and response headers every API
//! answer gets.

pub mod connection_cap;
pub mod health;
pub mod no_store;
pub mod open_files;
pub mod reloadable_tls;
pub mod server;
