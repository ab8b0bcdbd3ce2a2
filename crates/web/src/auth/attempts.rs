//! Password and code attempts, counted before they are checked: the shell side of
//! `auth::throttle`. Each attempt first reserves a failure for the source address and
//! for the account with a compare-and-swap on the stored counter, and only a reserved
//! attempt is checked, so however many requests arrive at once, no more checks run per
//! lock window than the policy allows (issue 13: 200 parallel guesses were all checked).

use crate::admin::audit_trail::record;
use crate::error::ApiError;
use crate::AppState;
use auth::throttle::{reserve, Decision, FailureRecord, ThrottlePolicy};
use store::{FailureRow, FailureScope};

/// Compare-and-swap rounds before giving up with 503: each lost round means another
/// attempt was counted, so after a few the counter is delayed or locked anyway.
const MAX_ROUNDS: usize = 64;

fn to_record(r: FailureRow) -> FailureRecord {
    FailureRecord {
        failures: r.failures.max(0) as u32,
        last_failure: r.last_failure.max(0) as u64,
        locked_until: r.locked_until.map(|t| t.max(0) as u64),
    }
}

fn to_row(r: FailureRecord) -> FailureRow {
    FailureRow {
        failures: i64::from(r.failures),
        last_failure: r.last_failure as i64,
        locked_until: r.locked_until.map(|t| t as i64),
    }
}

fn refusal(decision: Decision, now: i64) -> ApiError {
    match decision {
        Decision::Locked { until } => ApiError::TooManyRequests((until as i64 - now).max(1) as u64),
        Decision::RetryAfter(secs) => ApiError::TooManyRequests(secs.max(1)),
        Decision::Allowed => ApiError::Internal,
    }
}

/// Counts one attempt on `account_key` (the login as typed, lower-cased) from `source`
/// before its credential is checked; 429 with the wait when either is delayed or locked.
/// The source is counted first: a locked address cannot push anyone's account towards
/// its lock.
pub async fn count_attempt(
    state: &AppState,
    account_key: &str,
    source: &str,
    now: i64,
) -> Result<(), ApiError> {
    let scopes: [(FailureScope, &str, &ThrottlePolicy); 2] = [
        (FailureScope::Source, source, &state.auth.source_throttle),
        (
            FailureScope::Account,
            account_key,
            &state.auth.account_throttle,
        ),
    ];
    for (scope, key, policy) in scopes {
        count_one(state, scope, key, policy, source, now).await?;
    }
    Ok(())
}

/// Counts one attempt from `source` alone, before it is checked: for a sign-in whose
/// person is not known yet (a callback from the single sign-on provider). 429 with the
/// wait when the address is delayed or locked.
pub async fn count_source_attempt(
    state: &AppState,
    source: &str,
    now: i64,
) -> Result<(), ApiError> {
    let policy = &state.auth.source_throttle;
    count_one(state, FailureScope::Source, source, policy, source, now).await
}

async fn count_one(
    state: &AppState,
    scope: FailureScope,
    key: &str,
    policy: &ThrottlePolicy,
    source: &str,
    now: i64,
) -> Result<(), ApiError> {
    for _ in 0..MAX_ROUNDS {
        let stored = state.store.failure_row(scope, key).await?;
        let before = to_record(stored);
        let after = reserve(policy, before, now as u64).map_err(|d| refusal(d, now))?;
        if !state
            .store
            .swap_failure_row(scope, key, stored, to_row(after))
            .await?
        {
            continue;
        }
        if after.locked_until.is_some() && before.locked_until != after.locked_until {
            let scope_name = match scope {
                FailureScope::Account => "account",
                FailureScope::Source => "source",
            };
            record(
                state,
                None,
                "login.locked",
                Some(key),
                source,
                format!("{scope_name} locked after {} failures", after.failures),
            )
            .await?;
        }
        return Ok(());
    }
    Err(ApiError::Unavailable(
        "too many sign-in attempts at once; try again".into(),
    ))
}

/// A checked attempt failed: it was counted already; audits it and gives the answer.
pub async fn failed(
    state: &AppState,
    account_key: &str,
    source: &str,
    what: &str,
) -> Result<ApiError, ApiError> {
    record(state, None, what, Some(account_key), source, "").await?;
    Ok(ApiError::WrongCredentials)
}

/// A checked attempt succeeded: the account's count starts again (the address's stays,
/// an office shares it).
pub async fn succeeded(state: &AppState, account_key: &str) -> Result<(), ApiError> {
    state
        .store
        .clear_failures(FailureScope::Account, account_key)
        .await?;
    Ok(())
}

/// Asks a signed-in person for their password again before a sensitive change (a new
/// password, new recovery codes, a new authenticator app): counted, throttled and
/// audited like a sign-in, so a borrowed session cannot guess it.
pub async fn confirm_password(
    state: &AppState,
    who: &crate::auth::session::SignedIn,
    password: String,
    source: &str,
) -> Result<(), ApiError> {
    let key = who.account.login.as_str();
    count_attempt(state, key, source, state.now()).await?;
    let ok = crate::auth::sign_in::verify_password(state, Some(&who.account), password).await?;
    if !ok {
        return Err(failed(state, key, source, "password.confirm.failed").await?);
    }
    succeeded(state, key).await
}
