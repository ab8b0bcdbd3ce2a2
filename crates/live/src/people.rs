//! Who is who for presence and chat fan-out: every person's login, name and unit by staff
//! id, and staff ids by login. Held for the whole directory (100,000 people at the
//! largest sites), so each login is kept once: the login index holds staff ids, hashed
//! by the login stored with the person, not a second copy of the login.

use hashbrown::HashTable;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

/// Someone the caches know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Staff id.
    pub id: i64,
    /// Login.
    pub login: String,
    /// Display name.
    pub name: String,
    /// Unit id.
    pub unit_id: i64,
}

/// What is kept of a person (the staff id is the key).
#[derive(Debug)]
struct Known {
    login: Box<str>,
    name: Box<str>,
    unit_id: i64,
}

/// The people the caches know.
#[derive(Debug, Default)]
pub(crate) struct People {
    by_id: HashMap<i64, Known>,
    /// Staff ids, hashed by their login in `by_id`.
    by_login: HashTable<i64>,
    hasher: RandomState,
}

impl People {
    /// Empty, with room for `capacity` people.
    pub(crate) fn with_capacity(capacity: usize) -> People {
        People {
            by_id: HashMap::with_capacity(capacity),
            by_login: HashTable::with_capacity(capacity),
            hasher: RandomState::new(),
        }
    }

    /// Adds a person or updates their login, name and unit.
    pub(crate) fn insert(&mut self, p: Person) {
        let known = Known {
            login: p.login.into(),
            name: p.name.into(),
            unit_id: p.unit_id,
        };
        let login_hash = self.hasher.hash_one(&*known.login);
        let old = self.by_id.insert(p.id, known);
        match old {
            Some(old) if self.hasher.hash_one(&*old.login) == login_hash => return,
            Some(old) => {
                let old_hash = self.hasher.hash_one(&*old.login);
                if let Ok(entry) = self.by_login.find_entry(old_hash, |id| *id == p.id) {
                    entry.remove();
                }
            }
            None => {}
        }
        let (by_id, hasher) = (&self.by_id, &self.hasher);
        self.by_login.insert_unique(login_hash, p.id, |id| {
            by_id.get(id).map_or(0, |k| hasher.hash_one(&*k.login))
        });
    }

    /// A person by staff id.
    pub(crate) fn get(&self, id: i64) -> Option<Person> {
        self.by_id.get(&id).map(|k| Person {
            id,
            login: k.login.to_string(),
            name: k.name.to_string(),
            unit_id: k.unit_id,
        })
    }

    /// A person's login.
    pub(crate) fn login(&self, id: i64) -> Option<&str> {
        self.by_id.get(&id).map(|k| &*k.login)
    }

    /// A person's login and name.
    pub(crate) fn login_and_name(&self, id: i64) -> Option<(&str, &str)> {
        self.by_id.get(&id).map(|k| (&*k.login, &*k.name))
    }

    /// A staff id by login.
    pub(crate) fn id_of(&self, login: &str) -> Option<i64> {
        let by_id = &self.by_id;
        self.by_login
            .find(self.hasher.hash_one(login), |id| {
                by_id.get(id).is_some_and(|k| &*k.login == login)
            })
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: i64, login: &str) -> Person {
        Person {
            id,
            login: login.into(),
            name: format!("Name of {login}"),
            unit_id: 3,
        }
    }

    #[test]
    fn people_are_found_by_id_and_login_also_after_a_change_of_login() {
        let mut people = People::with_capacity(2);
        for i in 0..500 {
            people.insert(person(i, &format!("p{i}")));
        }
        assert_eq!(people.id_of("p321"), Some(321));
        assert_eq!(people.get(7).map(|p| p.login), Some("p7".to_owned()));
        assert_eq!(people.login_and_name(8), Some(("p8", "Name of p8")));
        people.insert(person(7, "renamed"));
        assert_eq!(people.id_of("p7"), None);
        assert_eq!(people.id_of("renamed"), Some(7));
        assert_eq!(people.login(7), Some("renamed"));
        // The old login goes to someone else.
        people.insert(person(900, "p7"));
        assert_eq!(people.id_of("p7"), Some(900));
        assert_eq!(people.id_of("nobody"), None);
        assert_eq!(people.get(901).map(|p| p.id), None);
    }
}
