//! The demo organisation "Landratsamt Musterstadt": about 600 staff in realistic units,
//! generated deterministically so every demo looks the same.

use crate::role::default_roles;
use crate::{Extension, Feature, FeatureSet, Login, Role, StaffRecord, UnitPath};
use std::collections::HashSet;

/// The demo organisation's name.
pub const ORGANISATION: &str = "Landratsamt Musterstadt";

/// Units with their head count.
const UNITS: &[(&str, usize)] = &[
    ("Landrat/Büro des Landrats", 8),
    (
        "Abteilung 1 Zentrale Dienste/Sachgebiet 11 Bürgerservice",
        34,
    ),
    ("Abteilung 1 Zentrale Dienste/Sachgebiet 12 Kreiskasse", 22),
    (
        "Abteilung 1 Zentrale Dienste/Sachgebiet 13 Kommunalaufsicht",
        12,
    ),
    (
        "Abteilung 1 Zentrale Dienste/Sachgebiet 14 Öffentliche Sicherheit und Ordnung",
        22,
    ),
    (
        "Abteilung 2 Organisation und Finanzen/Sachgebiet 21 Finanzen",
        20,
    ),
    (
        "Abteilung 2 Organisation und Finanzen/Sachgebiet 22 Organisation und Personal",
        26,
    ),
    (
        "Abteilung 2 Organisation und Finanzen/Sachgebiet 23 IKT",
        18,
    ),
    ("Gesundheitsamt/Infektionsschutz", 30),
    ("Gesundheitsamt/Hotline", 40),
    ("Gesundheitsamt/Amtsärztlicher Dienst", 16),
    ("Bauamt/Bauaufsicht", 36),
    ("Bauamt/Hochbau und Liegenschaften", 18),
    ("Ausländerbehörde", 34),
    ("Jobcenter/Leistungsgewährung", 60),
    ("Jobcenter/Markt und Integration", 44),
    ("Jugendamt/Allgemeiner Sozialer Dienst", 38),
    ("Sozialamt", 40),
    ("Straßenverkehrsamt/Zulassungsstelle", 36),
    ("Straßenverkehrsamt/Führerscheinstelle", 22),
    ("Umweltamt", 20),
];

/// Given names of the demo (also the test directory's generated people).
pub const FIRST: &[&str] = &[
    "Jürgen",
    "Bärbel",
    "Sören",
    "Jörg",
    "Anna",
    "Lena",
    "Günther",
    "Ursula",
    "Matthias",
    "Sabine",
    "Björn",
    "Käthe",
    "Hans-Peter",
    "Michaela",
    "Thomas",
    "Ömer",
    "Andrea",
    "Stefan",
    "Monika",
    "Frank",
    "Claudia",
    "Uwe",
    "Petra",
    "Markus",
    "Özlem",
    "Ralf",
    "Susanne",
    "Tobias",
    "Karin",
    "Jürgen",
    "Heike",
    "Florian",
    "Birgit",
    "Dominik",
    "Lea",
    "Arno",
];
/// Surnames of the demo (also the test directory's generated people).
pub const LAST: &[&str] = &[
    "Müller",
    "Schäfer",
    "Weiß",
    "Groß",
    "Köhler",
    "Böhm",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Krause",
    "Lehmann",
    "Schmid",
    "Schulze",
    "Maier",
    "Köster",
    "Jäger",
    "Günther",
    "Größl",
    "Lücht",
    "Sommerhäuser",
    "Frimmel",
];

/// The demo logins printed at start, with their roles.
pub const DEMO_LOGINS: &[(&str, &str)] = &[
    ("admin", "IT-Administration (Sachgebiet 23 IKT)"),
    (
        "teamleitung",
        "Teamleitung Hotline Gesundheitsamt (supervisor)",
    ),
    ("hotline", "Hotline-Agentin Gesundheitsamt (agent)"),
    ("sachbearbeitung", "Sachbearbeiter Ausländerbehörde (user)"),
];

/// A small deterministic generator (xorshift64*), so the demo needs no randomness source.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

/// ASCII login part for a German name: ä→ae, ß→ss, other letters kept, the rest dropped.
fn ascii_fold(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

/// The demo staff: about 600 people with extensions 2000–2999.
pub fn demo_staff() -> Vec<StaffRecord> {
    let mut rng = Xorshift(0x00C0_FFEE_2020);
    let mut logins = HashSet::new();
    let mut staff = Vec::new();
    let mut next_extension = 2000u32;
    for &(unit, count) in UNITS {
        let unit_path = UnitPath::parse(unit).expect("demo unit paths are valid");
        for i in 0..count {
            let first = FIRST[rng.next(FIRST.len())];
            let last = LAST[rng.next(LAST.len())];
            let base = format!(
                "{}.{}",
                ascii_fold(&first[..first.chars().next().map_or(0, char::len_utf8)]),
                ascii_fold(last)
            );
            let mut login = base.clone();
            let mut n = 2;
            while !logins.insert(login.clone()) {
                login = format!("{base}{n}");
                n += 1;
            }
            staff.push(person(
                &login,
                &format!("{first} {last}"),
                &unit_path,
                next_extension,
                i,
                unit,
            ));
            next_extension += 1;
        }
    }
    let named = [
        (
            "admin",
            "Peter Frimmel",
            "Abteilung 2 Organisation und Finanzen/Sachgebiet 23 IKT",
        ),
        ("teamleitung", "Lea Sommerhäuser", "Gesundheitsamt/Hotline"),
        ("hotline", "Özlem Yıldız", "Gesundheitsamt/Hotline"),
        ("sachbearbeitung", "Jürgen Weiß", "Ausländerbehörde"),
    ];
    for (login, name, unit) in named {
        let unit_path = UnitPath::parse(unit).expect("demo unit paths are valid");
        let mut p = person(login, name, &unit_path, next_extension, 1, unit);
        p.roles = match login {
            "admin" => default_roles().with(Role::Admin),
            "teamleitung" => default_roles().with(Role::Supervisor).with(Role::Agent),
            "hotline" => default_roles().with(Role::Agent),
            _ => default_roles(),
        };
        staff.push(p);
        next_extension += 1;
    }
    staff
}

fn person(
    login: &str,
    name: &str,
    unit: &UnitPath,
    ext: u32,
    index: usize,
    unit_name: &str,
) -> StaffRecord {
    let hotline = unit_name.ends_with("Hotline");
    let ikt = unit_name.ends_with("IKT");
    let mut roles = default_roles();
    if index == 0 {
        roles = roles.with(Role::Supervisor);
    }
    if hotline {
        roles = roles.with(Role::Agent);
    }
    if ikt && index < 3 {
        roles = roles.with(Role::Admin);
    }
    let mut features = FeatureSet::default().with(Feature::Softphone);
    if index.is_multiple_of(3) {
        features = features.with(Feature::MobileWork);
    }
    if index == 0 || ikt {
        features = features.with(Feature::Meetings);
    }
    if hotline {
        features = features.with(Feature::Hotline);
    }
    StaffRecord {
        login: Login::parse(login).expect("demo logins are valid"),
        name: name.to_string(),
        unit: unit.clone(),
        extension: Extension::parse(&ext.to_string()).expect("demo extensions are valid"),
        email: Some(format!("{login}@lra-musterstadt.example")),
        mobile: index
            .is_multiple_of(4)
            .then(|| format!("+49 151 {:08}", 20_000_000 + ext * 7)),
        home_phone: None,
        roles,
        features,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_is_about_600_unique_people_in_the_2000_range() {
        let staff = demo_staff();
        assert!((580..=640).contains(&staff.len()), "{}", staff.len());
        let logins: HashSet<_> = staff.iter().map(|s| &s.login).collect();
        let exts: HashSet<_> = staff.iter().map(|s| &s.extension).collect();
        assert_eq!(logins.len(), staff.len());
        assert_eq!(exts.len(), staff.len());
        assert!(staff
            .iter()
            .all(|s| ("2000".."3000").contains(&s.extension.as_str())));
        assert!(staff.iter().any(|s| s.name.contains('ü')));
        assert_eq!(demo_staff(), staff, "the demo is deterministic");
    }
}
