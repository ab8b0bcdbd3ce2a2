//! A generated directory: as many people as a test or the benchmark needs, the same
//! every time.

use super::ldif::{attribute, change_members, dn_of, person_entry};
use super::{Slapd, TestPerson};
use directory::demo_org::{FIRST as GIVEN, LAST as SURNAMES};

/// Departments of a district administration, with the Dezernat (sub-OU) each belongs to.
const DEPARTMENTS: [&str; 40] = [
    "Hauptamt",
    "Personalamt",
    "Kämmerei",
    "Kreiskasse",
    "Rechnungsprüfungsamt",
    "Amt für Digitalisierung",
    "Pressestelle",
    "Rechtsamt",
    "Ordnungsamt",
    "Straßenverkehrsamt",
    "Ausländerbehörde",
    "Bürgerbüro",
    "Standesamt",
    "Amt für Brand- und Katastrophenschutz",
    "Kommunalaufsicht",
    "Zentrale Vergabestelle",
    "Jugendamt",
    "Sozialamt",
    "Jobcenter",
    "Gesundheitsamt",
    "Versorgungsamt",
    "Eingliederungshilfe",
    "Pflegestützpunkt",
    "Gleichstellungsstelle",
    "Bauamt",
    "Umweltamt",
    "Wasserwirtschaftsamt",
    "Vermessungsamt",
    "Straßenbauamt",
    "Abfallwirtschaft",
    "Flurneuordnung",
    "Veterinäramt",
    "Landwirtschaftsamt",
    "Forstamt",
    "Schulamt",
    "Kulturamt",
    "Kreisarchiv",
    "Musikschule",
    "Volkshochschule",
    "Amt für Wirtschaftsförderung",
];

/// `n` people, the same for the same `n`: spread over 40 departments in 5 Dezernate
/// (sub-OUs), names with umlauts, unique extensions of one length as in a real house:
/// 4 digits from 2000 up to 8,000 people, else 5 digits from 20000, in `telephoneNumber`
/// as `+49 7461 926-2000` and every second also in `ipPhone`; every fifth has a mobile
/// number; all but every 20th are in GG-Durchwahl, every third in GG-Softphone, every
/// 1000th in GG-Admins; every 100th is disabled. Nobody has a password.
pub fn generated_people(n: usize) -> Vec<TestPerson> {
    (0..n)
        .map(|i| generated_person(i, first_extension(n) + i))
        .collect()
}

fn first_extension(n: usize) -> usize {
    if n <= 8_000 {
        2_000
    } else {
        20_000
    }
}

/// 50 changes to a directory of `generated_people(n)`, as LDIF for `ldapmodify`, of the
/// kinds an incremental sync must notice: 20 people move to the next department, 10 get
/// a new extension (`telephoneNumber` and `ipPhone`), 10 are disabled, 5 leave
/// GG-Softphone (their `memberOf` and the group's `member`), 5 new people join
/// GG-Durchwahl. New extensions follow the last one, so they stay unique and of the same
/// length for 200 ≤ n ≤ 7,950 and 8,001 ≤ n ≤ 39,950.
pub fn generated_changes(n: usize) -> String {
    assert!(
        (200..=7_950).contains(&n) || (8_001..=39_950).contains(&n),
        "generated_changes for 200–7,950 or 8,001–39,950 people, not {n}"
    );
    let first = first_extension(n);
    let person = |i: usize| generated_person(i, first + i);
    let dn = |p: &TestPerson| dn_of(&p.login, p.ou.as_deref());
    let mut ldif = String::new();
    let mut modify = |p: &TestPerson, changes: &[(&str, &str)]| {
        attribute(&mut ldif, "dn", &dn(p));
        ldif.push_str("changetype: modify\n");
        for (name, value) in changes {
            ldif.push_str(&format!("replace: {name}\n"));
            attribute(&mut ldif, name, value);
            ldif.push_str("-\n");
        }
        ldif.push('\n');
    };
    for k in 0..20 {
        let p = person(10 * k + 1);
        let now = DEPARTMENTS
            .iter()
            .position(|d| Some(*d) == p.department.as_deref());
        let next = DEPARTMENTS[now.map_or(0, |d| (d + 1) % DEPARTMENTS.len())];
        modify(&p, &[("department", next)]);
    }
    for k in 0..10 {
        let extension = (first + n + k).to_string();
        let phone = format!("+49 7461 926-{extension}");
        modify(
            &person(10 * k + 2),
            &[("telephoneNumber", &phone), ("ipPhone", &extension)],
        );
    }
    for k in 0..10 {
        modify(&person(10 * k + 3), &[("userAccountControl", "514")]);
    }
    let mut leavers = Vec::new();
    for k in 0..5 {
        let p = person(30 * k + 6);
        attribute(&mut ldif, "dn", &dn(&p));
        ldif.push_str("changetype: modify\nreplace: memberOf\n");
        for group in p.groups.iter().filter(|g| *g != "GG-Softphone") {
            attribute(&mut ldif, "memberOf", &Slapd::group_dn(group));
        }
        ldif.push_str("-\n\n");
        leavers.push(dn(&p));
    }
    change_members(
        &mut ldif,
        &Slapd::group_dn("GG-Softphone"),
        "delete",
        &leavers,
    );
    let newcomers: Vec<TestPerson> = (0..5)
        .map(|k| TestPerson {
            groups: vec!["GG-Durchwahl".to_string()],
            ..generated_person(n + k, first + n + 10 + k)
        })
        .collect();
    for p in &newcomers {
        person_entry(&mut ldif, p, &dn(p), None, true);
    }
    let joining: Vec<String> = newcomers.iter().map(dn).collect();
    change_members(&mut ldif, &Slapd::group_dn("GG-Durchwahl"), "add", &joining);
    ldif
}

fn generated_person(i: usize, extension: usize) -> TestPerson {
    // A fixed scramble of i, so neighbours differ in name and department.
    let h = (i as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(29);
    let given = GIVEN[(h % GIVEN.len() as u64) as usize];
    let surname = SURNAMES[((h >> 8) % SURNAMES.len() as u64) as usize];
    let department = ((h >> 16) % 40) as usize;
    let initial: String = given.chars().take(1).collect();
    let login = format!("{}{}{i}", ascii_lower(&initial), ascii_lower(surname));
    let mut groups = Vec::new();
    if i % 20 != 19 {
        groups.push("GG-Durchwahl".to_string());
    }
    if i.is_multiple_of(3) {
        groups.push("GG-Softphone".to_string());
    }
    if i.is_multiple_of(1000) {
        groups.push("GG-Admins".to_string());
    }
    TestPerson {
        mail: Some(format!("{login}@landkreis.test")),
        login,
        name: format!("{given} {surname}"),
        department: Some(DEPARTMENTS[department].to_string()),
        phone: Some(format!("+49 7461 926-{extension}")),
        ip_phone: i.is_multiple_of(2).then(|| extension.to_string()),
        mobile: i
            .is_multiple_of(5)
            .then(|| format!("+49 151 {:08}", 10_000_000 + i)),
        groups,
        disabled: i % 100 == 99,
        password: None,
        ou: Some(format!("Dezernat {}", department / 8 + 1)),
    }
}

/// Lower case ASCII for a login: ä → ae, ß → ss, ı → i, …
fn ascii_lower(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'ı' => out.push('i'),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn generated_people_are_deterministic_and_unique() {
        let people = generated_people(20_000);
        assert_eq!(people, generated_people(20_000));
        let logins: BTreeSet<&str> = people.iter().map(|p| p.login.as_str()).collect();
        assert_eq!(logins.len(), people.len(), "unique logins");
        let phones: BTreeSet<&str> = people.iter().filter_map(|p| p.phone.as_deref()).collect();
        assert_eq!(phones.len(), people.len(), "unique extensions");
        assert!(logins
            .iter()
            .all(|l| l.bytes().all(|b| b.is_ascii_alphanumeric())));
        let departments: BTreeSet<&str> = people
            .iter()
            .filter_map(|p| p.department.as_deref())
            .collect();
        assert_eq!(departments.len(), 40);
        assert!(people.iter().any(|p| p.name.contains('ü')));
        assert_eq!(people.iter().filter(|p| p.disabled).count(), 200);
        assert_eq!(people[0].phone.as_deref(), Some("+49 7461 926-20000"));
        assert_eq!(people[19_999].ip_phone, None);
        assert_eq!(people[19_998].ip_phone.as_deref(), Some("39998"));
        let changes = generated_changes(20_000);
        assert_eq!(
            changes.matches("changetype: modify").count(),
            47,
            "45 people, 2 groups"
        );
        assert_eq!(changes.matches("changetype: add").count(), 5);
        assert!(changes.contains("ipPhone: 40009\n"));
        let small = generated_people(8_000);
        assert_eq!(small[0].phone.as_deref(), Some("+49 7461 926-2000"));
        assert_eq!(small[7_999].phone.as_deref(), Some("+49 7461 926-9999"));
    }
}
