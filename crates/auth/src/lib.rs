//! Authentication decisions: password hashing and policy, second factors (TOTP, SMS
//! codes, recovery and enrolment-letter codes), brute-force throttling, session
//! tokens, and what follows a single sign-on. Everything here is pure: the current time
//! is a parameter, randomness comes from the operating system, and storage is the
//! caller's.
#![deny(missing_docs)]

pub mod codes;
pub mod network;
pub mod password;
pub mod qr_svg;
pub mod session_token;
pub mod sign_in;
pub mod single_sign_on;
pub mod sms_code;
pub mod throttle;
pub mod totp;

pub use codes::{
    generate_letter_code, generate_recovery_codes, generate_sip_password, hash_code, normalize_code,
};
pub use password::{check_policy, hash_password, verify_password, PasswordError};
pub use qr_svg::{qr_svg, try_qr_svg, QrTooLong};
pub use session_token::{generate_csrf_token, token_hash, SessionToken};
pub use sms_code::{new_sms_challenge, verify_sms, SmsChallenge, SmsError, SMS_CODE_VALIDITY_SECS};
pub use throttle::{cleared, decide, record_failure, Decision, FailureRecord, ThrottlePolicy};
pub use totp::{code_at, otpauth_uri, verify, TotpError, TotpSecret};
