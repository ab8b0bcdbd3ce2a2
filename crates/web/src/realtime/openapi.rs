//! OpenAPI paths of presence, the team panel and chat. The WebSocket protocol itself is
//! described in docs/realtime-protocol.md.

use crate::openapi::{object, op};
use serde_json::{json, Value};

/// The paths.
pub fn paths() -> Vec<(&'static str, Value)> {
    let login = || Some(object(&[("login", "string")], &["login"]));
    let presence_body = || {
        Some(
            json!({"type": "object", "required": ["state"], "properties": {
            "state": {"type": "string", "enum": ["available", "busy", "away", "do_not_disturb", "offline"]},
            "location": {"type": ["string", "null"], "enum": ["office", "home_office", "on_the_road", null]},
            "note": {"type": ["string", "null"], "maxLength": 200},
            "until": {"type": ["string", "null"], "format": "date-time"}}}),
        )
    };
    let room_body = || {
        Some(
            json!({"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "maxLength": 80},
            "members": {"type": "array", "items": {"type": "string"}}}}),
        )
    };
    let member = &[
        ("200", "Done"),
        ("403", "Not a member of the room"),
        ("404", "No such room or person"),
    ][..];
    vec![
        (
            "/api/v1/ws",
            json!({"get": op("The real-time WebSocket (protocol in docs/realtime-protocol.md)", "realtime", "user", None,
            &[("101", "Switching to the WebSocket protocol"), ("403", "A page of another site (Origin)")])}),
        ),
        (
            "/api/v1/presence",
            json!({"get": op("Presence of a unit (?unit=PATH), of people (?logins=a,b), or of people found by name, login or extension (?q=TEXT, up to 50)", "presence", "user", None,
            &[("200", "{entries: [{login, name, extension, unit, presence}]}"), ("400", "Not exactly one of unit, logins and q, or q empty or over 100 characters"), ("404", "Unknown unit")])}),
        ),
        (
            "/api/v1/me/presence",
            json!({"put": op("Set own presence", "presence", "user", presence_body(),
            &[("200", "The own presence entry"), ("400", "Unknown state or location, note too long, until in the past")])}),
        ),
        (
            "/api/v1/team-panel",
            json!({"get": op("Own unit, favourites and team-panel groups with presence", "presence", "user", None,
            &[("200", "{unit: {path, entries}, favourites, groups: [{id, name, entries}]}")])}),
        ),
        (
            "/api/v1/me/favourites/{login}",
            json!({
            "put": op("Add a favourite", "presence", "user", None, &[("204", "Added"), ("400", "Oneself"), ("404", "Not in the directory")]),
            "delete": op("Remove a favourite", "presence", "user", None, &[("204", "Removed"), ("404", "Not a favourite")])}),
        ),
        (
            "/api/v1/me/watches",
            json!({
            "get": op("Own watches (tell me when available)", "presence", "user", None, &[("200", "{watches: [{login, name, expires_at}]}")]),
            "post": op("Watch a colleague; fires once when available", "presence", "user", login(),
                &[("201", "{login, expires_at}"), ("400", "Oneself"), ("404", "Not in the directory")])}),
        ),
        (
            "/api/v1/me/watches/{login}",
            json!({"delete": op("Remove a watch", "presence", "user", None, &[("204", "Removed"), ("404", "No such watch")])}),
        ),
        (
            "/api/v1/rooms",
            json!({
            "get": op("Own chat rooms with unread counts", "chat", "user", None, &[("200", "{rooms: [{id, kind, name, title, managed, members, unread, last_read, last_message}]}")]),
            "post": op("Create a group room (the creator is a member)", "chat", "user", room_body(),
                &[("201", "The room"), ("400", "Bad name: empty, too long, control characters or a hidden character (bidi override, zero-width, BOM…)"), ("404", "Unknown members")])}),
        ),
        (
            "/api/v1/rooms/direct",
            json!({"post": op("The 1:1 room with a colleague (created once)", "chat", "user", login(),
            &[("200", "The room"), ("400", "Oneself"), ("404", "Not in the directory")])}),
        ),
        (
            "/api/v1/rooms/{id}/messages",
            json!({
            "get": op("History, newest first (?before=ID&limit=N, at most 100)", "chat", "user", None, &[("200", "{messages, more}"), ("403", "Not a member")]),
            "post": op("Send a message; answered once stored", "chat", "user",
                Some(json!({"type": "object", "properties": {"text": {"type": "string", "maxLength": 4000}, "attachment": {"type": ["string", "null"]}}})),
                &[("201", "The stored message"), ("400", "Empty, too long or control characters (a bidi override left open is closed at its line's end, not refused)"), ("403", "Not a member"), ("503", "Chat writer busy; see Retry-After")])}),
        ),
        (
            "/api/v1/rooms/{id}/messages/{mid}",
            json!({
            "patch": op("Edit an own message", "chat", "user", Some(object(&[("text", "string")], &["text"])),
                &[("200", "The message"), ("403", "Not the author"), ("404", "No such message"), ("409", "Deleted")]),
            "delete": op("Delete an own message", "chat", "user", None, &[("200", "The message, marked deleted"), ("403", "Not the author"), ("404", "No such message")])}),
        ),
        (
            "/api/v1/rooms/{id}/read",
            json!({"post": op("Move the read marker", "chat", "user", Some(object(&[("up_to", "integer")], &["up_to"])),
            &[("200", "{unread}"), ("403", "Not a member")])}),
        ),
        (
            "/api/v1/rooms/{id}/members",
            json!({"post": op("Add a member (group rooms; admins for managed rooms)", "chat", "user", login(), member)}),
        ),
        (
            "/api/v1/rooms/{id}/members/{login}",
            json!({"delete": op("Leave (own login) or remove (admins, managed rooms)", "chat", "user", None, member)}),
        ),
        (
            "/api/v1/rooms/{id}/attachments",
            json!({"post": op("Upload a file (raw body, ?name=FILE, Content-Type)", "chat", "user", None,
            &[("201", "{id, name, size, content_type}"), ("400", "No name or empty"), ("403", "Not a member"), ("413", "Larger than [chat] attachment_max_mib")])}),
        ),
        (
            "/api/v1/attachments/{id}",
            json!({"get": op("Download a file (members of its room only)", "chat", "user", None,
            &[("200", "The file, as a download"), ("404", "No such file, or not a member")])}),
        ),
        (
            "/api/v1/search",
            json!({"get": op("Search own rooms (?q=, 2 to 100 characters)", "chat", "user", None,
            &[("200", "{messages}, newest first, at most 50"), ("400", "Query too short or long")])}),
        ),
        (
            "/api/v1/admin/rooms",
            json!({"post": op("Create a room whose members administrators manage", "admin", "admin", room_body(),
            &[("201", "The room"), ("404", "Unknown members")])}),
        ),
        (
            "/api/v1/admin/groups",
            json!({
            "get": op("Team-panel groups", "admin", "admin", None, &[("200", "{groups: [{id, name, unit, members}]}")]),
            "post": op("Create a team-panel group", "admin", "admin", room_body(), &[("201", "{id, name}"), ("400", "Bad name; a name with a hidden character (bidi override, zero-width, BOM…) answers {field: name, problem: hidden_character}"), ("404", "Unknown members"), ("409", "Name taken")])}),
        ),
        (
            "/api/v1/admin/groups/{id}/members/{login}",
            json!({
            "put": op("Add to a team-panel group", "admin", "admin", None, &[("204", "Added"), ("404", "No such group or person")]),
            "delete": op("Remove from a team-panel group", "admin", "admin", None, &[("204", "Removed"), ("404", "Not in the group")])}),
        ),
    ]
}
