//! Authentication decisions: password hashing and policy. Second factors, the sign-in
//! state machine and sessions follow in their own modules.
#![deny(missing_docs)]

pub mod password;

pub use password::{check_policy, hash_password, verify_password, PasswordError};
