//! Signing in a worker's people over a few kept-alive connections, and learning the unit
//! room of each unit from one member.

use crate::http::{Connection, Response, Target};
use crate::org;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;
use tokio::time::sleep;

/// The password of every load-test account (see `prepare`).
pub const PASSWORD: &str = "Lastprobe-Passwort-2026";
/// Attempts per sign-in before giving up (each 503 or 429 costs one).
const ATTEMPTS: u32 = 40;

/// The outcome for a worker's slice.
#[derive(Debug, Default)]
pub struct SignIns {
    /// Session cookie per person of the slice (`None`: failed).
    pub cookies: Vec<Option<String>>,
    /// Unit room id per unit, learnt from the unit's first member in the slice.
    pub rooms: HashMap<usize, i64>,
    /// Answers 503/429 that were retried.
    pub retries: u64,
    /// The first failure, for the report.
    pub first_error: Option<String>,
}

/// Signs in people `first..first + count` over `connections` kept-alive connections.
pub async fn sign_in_all(
    target: &Target,
    first: usize,
    count: usize,
    connections: usize,
) -> SignIns {
    let next = Rc::new(Cell::new(first));
    let out = Rc::new(RefCell::new(SignIns {
        cookies: vec![None; count],
        ..SignIns::default()
    }));
    let tasks: Vec<_> = (0..connections.max(1))
        .map(|_| {
            let (next, out, target) = (Rc::clone(&next), Rc::clone(&out), target.clone());
            tokio::task::spawn_local(async move {
                let mut conn = None;
                loop {
                    let i = next.get();
                    if i >= first + count {
                        break;
                    }
                    next.set(i + 1);
                    let (result, retries) = sign_in(&mut conn, &target, &org::login(i)).await;
                    let room = match &result {
                        // The slice's first member of a unit asks for the unit's room.
                        Ok(cookie) if i == first || i % org::UNIT_SIZE == 0 => {
                            unit_room(&mut conn, &target, cookie).await
                        }
                        _ => Ok(None),
                    };
                    let mut out = out.borrow_mut();
                    out.retries += retries;
                    match (result, room) {
                        (Ok(cookie), room) => {
                            out.cookies[i - first] = Some(cookie);
                            match room {
                                Ok(Some(id)) => {
                                    out.rooms.insert(org::unit_of(i), id);
                                }
                                Ok(None) => {}
                                Err(e) => {
                                    let why = format!("rooms of {}: {e}", org::login(i));
                                    out.first_error.get_or_insert(why);
                                }
                            }
                        }
                        (Err(e), _) => {
                            let why = format!("{}: {e}", org::login(i));
                            out.first_error.get_or_insert(why);
                        }
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    Rc::try_unwrap(out)
        .map(RefCell::into_inner)
        .unwrap_or_default()
}

async fn request(
    conn: &mut Option<Connection>,
    target: &Target,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<&str>,
) -> anyhow::Result<Response> {
    if conn.as_ref().is_none_or(Connection::is_closed) {
        *conn = Some(Connection::open(target).await?);
    }
    let Some(c) = conn.as_mut() else {
        unreachable!("opened above")
    };
    let answer = c.request(target, method, path, cookie, body).await;
    if answer.is_err() {
        *conn = None;
    }
    answer
}

/// One sign-in, retrying 503 and 429 as the server asks. Returns the session cookie and
/// the number of retries.
async fn sign_in(
    conn: &mut Option<Connection>,
    target: &Target,
    login: &str,
) -> (Result<String, String>, u64) {
    let body = serde_json::json!({"login": login, "password": PASSWORD}).to_string();
    let (mut retries, mut failures) = (0, 0);
    let mut last = String::new();
    for attempt in 0..ATTEMPTS {
        match request(
            conn,
            target,
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&body),
        )
        .await
        {
            Ok(r) if r.status == 200 => {
                return match r.cookie("dw_session") {
                    Some(cookie) => (Ok(cookie), retries),
                    None => (
                        Err(format!(
                            "signed in without a session (a second factor is required?): {}",
                            String::from_utf8_lossy(&r.body)
                        )),
                        retries,
                    ),
                };
            }
            Ok(r) if r.status == 503 || r.status == 429 => {
                retries += 1;
                let wait = r
                    .header("retry-after")
                    .and_then(|s| s.parse::<u64>().ok())
                    .map_or(
                        Duration::from_millis(200 * u64::from(attempt + 1)),
                        Duration::from_secs,
                    );
                last = format!("HTTP {}", r.status);
                sleep(wait.min(Duration::from_secs(5))).await;
            }
            Ok(r) => {
                let text = String::from_utf8_lossy(&r.body)
                    .chars()
                    .take(200)
                    .collect::<String>();
                return (Err(format!("HTTP {}: {text}", r.status)), retries);
            }
            Err(e) => {
                // A server that does not answer at all is not retried for long.
                failures += 1;
                last = format!("{e:#}");
                if failures >= 3 {
                    break;
                }
                sleep(Duration::from_millis(200)).await;
            }
        }
    }
    let why = format!("gave up ({retries} busy answers, {failures} connection failures): {last}");
    (Err(why), retries)
}

/// The id of the person's unit room (`kind` `unit`) from `GET /api/v1/rooms`.
async fn unit_room(
    conn: &mut Option<Connection>,
    target: &Target,
    cookie: &str,
) -> anyhow::Result<Option<i64>> {
    let cookie = format!("dw_session={cookie}");
    let r = request(conn, target, "GET", "/api/v1/rooms", Some(&cookie), None).await?;
    if r.status != 200 {
        anyhow::bail!("HTTP {}", r.status);
    }
    Ok(unit_room_in(&serde_json::from_slice(&r.body)?))
}

/// Finds the unit room in a rooms list (a JSON array, or an object with `rooms`).
pub fn unit_room_in(rooms: &Value) -> Option<i64> {
    let list = rooms
        .as_array()
        .or_else(|| rooms.get("rooms")?.as_array())?;
    list.iter()
        .find(|r| r.get("kind").and_then(Value::as_str) == Some("unit"))?
        .get("id")?
        .as_i64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_unit_room_is_found_in_either_shape() {
        let list = json!([{"id": 3, "kind": "group"}, {"id": 7, "kind": "unit"}]);
        assert_eq!(unit_room_in(&list), Some(7));
        assert_eq!(unit_room_in(&json!({"rooms": list})), Some(7));
        assert_eq!(unit_room_in(&json!([{"id": 3, "kind": "direct"}])), None);
    }
}
