//! Who may do what in a chat room. Pure decisions; the store and handlers only ask.

use crate::PresenceError;
use serde::{Deserialize, Serialize};

/// The kinds of room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomKind {
    /// Two people; created once per pair.
    Direct,
    /// A named room of several people.
    Group,
    /// The room of a unit; members follow the directory.
    Unit,
}

impl RoomKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RoomKind::Direct => "direct",
            RoomKind::Group => "group",
            RoomKind::Unit => "unit",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<RoomKind> {
        [RoomKind::Direct, RoomKind::Group, RoomKind::Unit]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// A room as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomFacts {
    /// Its kind.
    pub kind: RoomKind,
    /// Whether administrators manage its members.
    pub managed: bool,
}

/// The person asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// Member of the room.
    pub member: bool,
    /// Has the admin role.
    pub admin: bool,
}

/// The longest room name, in characters.
pub const ROOM_NAME_MAX_CHARS: usize = 80;

/// Checks a room name: 1 to [`ROOM_NAME_MAX_CHARS`] characters, no control characters,
/// nothing hidden that changes how it is shown (a room named `\u{202E}…` would show its
/// title reversed in everyone's room list).
pub fn check_room_name(name: &str) -> Result<String, PresenceError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > ROOM_NAME_MAX_CHARS {
        return Err(PresenceError::RoomName {
            max: ROOM_NAME_MAX_CHARS,
        });
    }
    if name.chars().any(char::is_control) {
        return Err(PresenceError::RoomName {
            max: ROOM_NAME_MAX_CHARS,
        });
    }
    if let Some(hidden) = directory::display_text::first_hidden(name) {
        return Err(PresenceError::RoomNameHidden(hidden));
    }
    Ok(name.to_owned())
}

/// Reading, posting and uploading need membership.
pub fn may_post(actor: Actor) -> Result<(), PresenceError> {
    if actor.member {
        Ok(())
    } else {
        Err(PresenceError::NotMember)
    }
}

/// Adding someone: members of unmanaged group rooms, administrators for managed rooms.
/// Direct and unit rooms have fixed members.
pub fn may_add_member(room: RoomFacts, actor: Actor) -> Result<(), PresenceError> {
    match room.kind {
        RoomKind::Direct | RoomKind::Unit => Err(PresenceError::FixedMembers),
        RoomKind::Group if room.managed && !actor.admin => Err(PresenceError::AdminOnly),
        RoomKind::Group if !room.managed && !actor.member => Err(PresenceError::NotMember),
        RoomKind::Group => Ok(()),
    }
}

/// Removing `target_is_self` (leaving) or someone else.
pub fn may_remove_member(
    room: RoomFacts,
    actor: Actor,
    target_is_self: bool,
) -> Result<(), PresenceError> {
    match room.kind {
        RoomKind::Direct | RoomKind::Unit => Err(PresenceError::FixedMembers),
        RoomKind::Group if room.managed && !actor.admin => Err(PresenceError::AdminOnly),
        RoomKind::Group if room.managed => Ok(()),
        RoomKind::Group if target_is_self && actor.member => Ok(()),
        RoomKind::Group if !actor.member => Err(PresenceError::NotMember),
        RoomKind::Group => Err(PresenceError::OnlyLeave),
    }
}

/// Editing or deleting a message: only its author, and not once it is deleted.
pub fn may_change_message(is_author: bool, deleted: bool) -> Result<(), PresenceError> {
    if !is_author {
        Err(PresenceError::NotAuthor)
    } else if deleted {
        Err(PresenceError::MessageDeleted)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMBER: Actor = Actor {
        member: true,
        admin: false,
    };
    const STRANGER: Actor = Actor {
        member: false,
        admin: false,
    };
    const ADMIN: Actor = Actor {
        member: false,
        admin: true,
    };

    fn room(kind: RoomKind, managed: bool) -> RoomFacts {
        RoomFacts { kind, managed }
    }

    #[test]
    fn membership_rules() {
        let group = room(RoomKind::Group, false);
        let managed = room(RoomKind::Group, true);
        assert_eq!(may_add_member(group, MEMBER), Ok(()));
        assert_eq!(
            may_add_member(group, STRANGER),
            Err(PresenceError::NotMember)
        );
        assert_eq!(
            may_add_member(managed, MEMBER),
            Err(PresenceError::AdminOnly)
        );
        assert_eq!(may_add_member(managed, ADMIN), Ok(()));
        assert_eq!(
            may_add_member(room(RoomKind::Unit, false), ADMIN),
            Err(PresenceError::FixedMembers)
        );
        assert_eq!(may_remove_member(group, MEMBER, true), Ok(()));
        assert_eq!(
            may_remove_member(group, MEMBER, false),
            Err(PresenceError::OnlyLeave)
        );
        assert_eq!(
            may_remove_member(managed, MEMBER, true),
            Err(PresenceError::AdminOnly)
        );
        assert_eq!(may_remove_member(managed, ADMIN, false), Ok(()));
        assert_eq!(
            may_remove_member(room(RoomKind::Direct, false), MEMBER, true),
            Err(PresenceError::FixedMembers)
        );
        assert_eq!(may_post(STRANGER), Err(PresenceError::NotMember));
        assert_eq!(
            may_change_message(false, false),
            Err(PresenceError::NotAuthor)
        );
        assert_eq!(
            may_change_message(true, true),
            Err(PresenceError::MessageDeleted)
        );
    }

    #[test]
    fn names() {
        assert_eq!(
            check_room_name("  Bauantrag Müller ").unwrap(),
            "Bauantrag Müller"
        );
        assert!(check_room_name("").is_err());
        assert!(check_room_name(&"x".repeat(81)).is_err());
        assert_eq!(
            check_room_name("Bauantrag \u{202E}relleüM"),
            Err(PresenceError::RoomNameHidden(
                directory::display_text::HiddenChar('\u{202E}')
            ))
        );
        assert!(check_room_name("Familien\u{200D}service").is_err());
        assert_eq!(check_room_name("Kaffeeküche ☕️").unwrap(), "Kaffeeküche ☕️");
        assert_eq!(RoomKind::parse("unit"), Some(RoomKind::Unit));
    }
}
