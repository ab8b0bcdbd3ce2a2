//! Issue 21 against a real directory server: Debian's slapd with Active-Directory-like
//! people (`testkit::slapd`), on SQLite and PostgreSQL. The initial sync pages through
//! more than 2,000 entries (slapd stops unpaged searches at 500); changes in the
//! directory arrive at the next sync and end a leaver's sessions and registrations; the
//! guard stops a sync with a wrong filter; people sign in with the directory's password;
//! an unreachable directory is a clear error, not a hang.

use durchwahl::directory_sync::client::LdapClient;
use durchwahl::directory_sync::config::LdapConfig;
use durchwahl::directory_sync::run::{sync_once, SyncRequest, Trigger};
use serde_json::json;
use std::time::{Duration, Instant};
use testkit::server::{self, Options, TestServer};
use testkit::sip_phone::udp::UdpPhone;
use testkit::slapd::{generated_people, Slapd, TestPerson, SYNC_DN, SYNC_PASSWORD};

const GENERATED: usize = 2_100;
const KLARA_PASSWORD: &str = "Verzeichnis-Kennwort-1";
const LEO_PASSWORD: &str = "Verzeichnis-Kennwort-2";

fn person(login: &str, name: &str, unit: &str, extension: &str, groups: &[&str]) -> TestPerson {
    TestPerson {
        login: login.into(),
        name: name.into(),
        department: Some(unit.into()),
        phone: Some(format!("+49 7461 926-{extension}")),
        groups: groups.iter().map(|g| g.to_string()).collect(),
        ..TestPerson::default()
    }
}

fn directory_people() -> Vec<TestPerson> {
    let mut people = generated_people(GENERATED);
    let both = ["GG-Durchwahl", "GG-Softphone"];
    let mut klara = person(
        "k.kommt",
        "Klara Kommt",
        "Amt für Digitalisierung/Sachgebiet IT",
        "7001",
        &both,
    );
    klara.password = Some(KLARA_PASSWORD.into());
    let mut leo = person("l.geht", "Leo Geht", "Bauamt", "7002", &both);
    leo.password = Some(LEO_PASSWORD.into());
    // b.user of the CSV fixture, now in the directory with a new extension and name.
    let barbara = person(
        "b.user",
        "Bärbel Böhm-Neu",
        "Gesundheitsamt/Hotline",
        "7003",
        &["GG-Durchwahl"],
    );
    people.extend([klara, leo, barbara]);
    people
}

fn ldap_config(slapd: &Slapd, filter: &str) -> LdapConfig {
    let mut config = LdapConfig {
        url: slapd.ldaps_url.clone(),
        ca_file: Some(slapd.ca_file.clone()),
        bind_dn: SYNC_DN.into(),
        bind_password: SYNC_PASSWORD.into(),
        base_dn: "ou=Benutzer,dc=landkreis,dc=test".into(),
        user_filter: filter.into(),
        interval_minutes: 0,
        change_attribute: "modifyTimestamp".into(),
        timeout_seconds: 5,
        ..LdapConfig::default()
    };
    config.mapping.id_attribute = "entryUUID".into();
    config.groups = vec![directory::sync::GroupRule {
        group: "GG-Softphone".into(),
        roles: vec![],
        features: vec!["softphone".into()],
    }];
    config
}

const MEMBERS: &str = "(memberOf=cn=GG-Durchwahl,ou=Gruppen,dc=landkreis,dc=test)";

fn wait_for_first_run(s: &TestServer) -> store::SyncRun {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let runs = s.block_on(s.store.sync_runs(5)).unwrap();
        if let Some(run) = runs.into_iter().last() {
            return run;
        }
        assert!(Instant::now() < deadline, "{}: no sync at start", s.label);
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn staff(s: &TestServer, login: &str) -> Option<directory::StaffRecord> {
    let login = directory::Login::parse(login).unwrap();
    s.block_on(s.store.person(&login)).unwrap()
}

fn sign_in(s: &TestServer, login: &str, password: &str) -> (u16, serde_json::Value) {
    let mut c = s.client();
    let r = c.post(
        "/api/v1/auth/login",
        json!({"login": login, "password": password}),
    );
    let body = serde_json::from_str(&r.body).unwrap_or(serde_json::Value::Null);
    (r.status, body)
}

fn admin_sync(s: &TestServer, body: serde_json::Value) -> (u16, serde_json::Value) {
    let mut admin = s.signed_in("a.admin");
    let r = admin.post("/api/v1/admin/directory/sync", body);
    let body = serde_json::from_str(&r.body).unwrap_or(serde_json::Value::Null);
    (r.status, body)
}

#[test]
fn the_directory_is_followed_on_both_databases() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut slapd = runtime.block_on(Slapd::start_with(&directory_people()));
    let config = ldap_config(&slapd, MEMBERS);
    let servers = server::on_every_database(|| {
        let mut options = Options::default();
        options.config.directory.ldap = Some(config.clone());
        options
    });

    // 1. The sync at start: everyone in the group, paged past slapd's 500, the conflicts
    //    with people from the CSV fixture reported, b.user adopted.
    for s in &servers {
        let run = wait_for_first_run(s);
        // 2,100 generated, 105 outside GG-Durchwahl; three hold an extension of the
        // fixture (2301 a.admin, 2501 c.clerk, 2502 d.new); 2401 is free once b.user moves.
        assert_eq!(
            (
                run.kind.as_str(),
                run.outcome.as_str(),
                run.added,
                run.changed,
                run.problems
            ),
            ("full", "applied", 1_995 - 3 + 2, 1, 3),
            "{}: {}",
            s.label,
            run.report
        );
        assert!(
            run.report
                .contains("extension 2301 also belongs to a.admin"),
            "{}",
            run.report
        );
        let klara = staff(s, "k.kommt").expect("k.kommt synced");
        assert_eq!(
            klara.unit.to_string(),
            "Amt für Digitalisierung/Sachgebiet IT"
        );
        assert_eq!(klara.extension.as_str(), "7001");
        assert!(klara.features.contains(directory::Feature::Softphone));
        let barbara = staff(s, "b.user").unwrap();
        assert_eq!(
            (barbara.name.as_str(), barbara.extension.as_str()),
            ("Bärbel Böhm-Neu", "7003")
        );
        assert_eq!(
            staff(s, "a.admin").unwrap().extension.as_str(),
            "2301",
            "a.admin keeps hers"
        );
        // Taken over from the CSV fixture: the local password is gone.
        let login = directory::Login::parse("b.user").unwrap();
        assert_eq!(s.block_on(s.store.password_hash(&login)).unwrap(), None);
    }

    // 2. Sign-in with the directory's password; a wrong one counts in the throttle.
    for s in &servers {
        assert_eq!(sign_in(s, "k.kommt", KLARA_PASSWORD).0, 200, "{}", s.label);
        assert_eq!(sign_in(s, "k.kommt", "falsch").0, 401);
        assert_eq!(
            sign_in(s, "b.user", server::PASSWORD).0,
            401,
            "the directory decides now"
        );
        let failed = s
            .block_on(s.store.audit_entries(&store::AuditFilter {
                person: Some("k.kommt".into()),
                action_prefix: Some("login.failed".into()),
                limit: 10,
                ..Default::default()
            }))
            .unwrap();
        assert_eq!(failed.len(), 1, "{}", s.label);
    }

    // The password is the directory's: changed there, confirmed by a bind.
    for s in &servers {
        let mut klara = s.client();
        let r = klara.post(
            "/api/v1/auth/login",
            json!({"login": "k.kommt", "password": KLARA_PASSWORD}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let r = klara.post(
            "/api/v1/me/password",
            json!({"current": KLARA_PASSWORD, "new": "Ein ganz neues Kennwort 2026"}),
        );
        assert_eq!(r.status, 409, "{}", r.body);
        let r = klara.post(
            "/api/v1/me/recovery-codes",
            json!({"password": KLARA_PASSWORD}),
        );
        assert_eq!(
            r.status, 200,
            "{}: confirmed at the directory: {}",
            s.label, r.body
        );
    }

    // Leo signs in and registers a desk phone.
    let mut leo = Vec::new();
    for s in &servers {
        let mut client = s.client();
        let r = client.post(
            "/api/v1/auth/login",
            json!({"login": "l.geht", "password": LEO_PASSWORD}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert_eq!(client.get("/api/v1/me").status, 200);
        let mut phone = UdpPhone::bind(s.sip_account("l.geht", "Tischtelefon"), s.sip).unwrap();
        assert!(phone.register_until_accepted(Duration::from_secs(5)) > 0);
        leo.push((client, phone));
    }

    // 3. Changes in the directory arrive at the next sync.
    runtime.block_on(async {
        slapd
            .add(&[person("n.neu", "Nora Neu", "Bauamt", "7004", &["GG-Durchwahl"])])
            .await;
        slapd
            .modify(&format!(
                "dn: {}\nchangetype: modify\nreplace: department\ndepartment: Ordnungsamt\n",
                slapd.person_dn("k.kommt")
            ))
            .await;
        slapd.delete(&slapd.person_dn("l.geht")).await;
        // Generated person 3 is disabled in the directory, person 6 leaves GG-Softphone.
        let third = &generated_people(7)[3];
        slapd
            .modify(&format!(
                "dn: {}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 514\n",
                slapd.person_dn(&third.login)
            ))
            .await;
        slapd
            .set_groups(&generated_people(7)[6].login, &["GG-Durchwahl"])
            .await;
    });
    let sixth = generated_people(7)[6].login.clone();
    let third = generated_people(7)[3].login.clone();
    for (s, (client, phone)) in servers.iter().zip(&mut leo) {
        let (status, report) = admin_sync(s, json!({}));
        assert_eq!(status, 200, "{}: {report}", s.label);
        assert_eq!(
            (
                report["outcome"].as_str(),
                report["added"].as_i64(),
                report["changed"].as_i64()
            ),
            (Some("applied"), Some(1), Some(2)),
            "{}: {report}",
            s.label
        );
        assert_eq!(report["disabled"], 2, "{report}");
        assert_eq!(staff(s, "k.kommt").unwrap().unit.to_string(), "Ordnungsamt");
        assert!(!staff(s, &sixth)
            .unwrap()
            .features
            .contains(directory::Feature::Softphone));
        assert!(staff(s, "n.neu").is_some());
        // The leaver: no sign-in, no session, no registration; kept for the audit.
        for login in ["l.geht", third.as_str()] {
            let login = directory::Login::parse(login).unwrap();
            assert!(s
                .block_on(s.store.account_by_login(&login))
                .unwrap()
                .is_none());
        }
        assert_eq!(
            client.get("/api/v1/me").status,
            401,
            "{}: session ended",
            s.label
        );
        let mut admin = s.signed_in("a.admin");
        assert_eq!(
            admin.get("/api/v1/admin/staff/l.geht").status,
            404,
            "{}",
            s.label
        );
        let listed = admin.get("/api/v1/admin/staff?q=l.geht").body;
        assert!(!listed.contains("l.geht"), "{listed}");
        assert_eq!(sign_in(s, "l.geht", LEO_PASSWORD).0, 401);
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match phone.register_and_wait() {
                Err(code) => {
                    assert!(code == 401 || code == 403, "{code}");
                    break;
                }
                Ok(_) => assert!(Instant::now() < deadline, "{}: still registers", s.label),
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let disabled = s
            .block_on(s.store.audit_entries(&store::AuditFilter {
                person: Some("l.geht".into()),
                action_prefix: Some("person.disabled".into()),
                limit: 5,
                ..Default::default()
            }))
            .unwrap();
        assert_eq!(disabled.len(), 1, "{}", s.label);
    }

    // 4. An incremental sync reads only what changed; a leaver who comes back is the same
    //    person again.
    runtime.block_on(async {
        let mut back = person("l.geht", "Leo Geht", "Bauamt", "7002", &["GG-Durchwahl"]);
        back.password = Some(LEO_PASSWORD.into());
        slapd.add(&[back]).await;
    });
    for s in &servers {
        let leo_id_before = s
            .block_on(s.store.known_people())
            .unwrap()
            .iter()
            .position(|p| p.record.login.as_str() == "l.geht");
        let client = LdapClient::new(ldap_config(&slapd, MEMBERS)).unwrap();
        let request = SyncRequest {
            trigger: Trigger::Cli,
            dry_run: false,
            confirm: false,
            full: false,
            actor: None,
        };
        let now = s.block_on(async { unix_now() });
        let outcome = s
            .block_on(sync_once(&client, &s.store, request, now))
            .unwrap();
        assert_eq!(outcome.run.kind, "incremental", "{}", s.label);
        // l.geht is new to the directory (a new entryUUID), so not "enabled" but adopted
        // by login: the same row, enabled again.
        assert_eq!(
            (outcome.run.added, outcome.run.enabled),
            (0, 1),
            "{}",
            outcome.run.report
        );
        let known = s.block_on(s.store.known_people()).unwrap();
        assert_eq!(
            known
                .iter()
                .position(|p| p.record.login.as_str() == "l.geht"),
            leo_id_before
        );
        assert_eq!(sign_in(s, "l.geht", LEO_PASSWORD).0, 200, "{}", s.label);
    }

    // 5. The guard: a wrong filter would disable most people; nothing is written.
    for s in &servers {
        let before = s.block_on(s.store.known_people()).unwrap();
        let wrong = LdapClient::new(ldap_config(&slapd, "(department=Bauamt)")).unwrap();
        let request = SyncRequest {
            trigger: Trigger::Cli,
            dry_run: false,
            confirm: false,
            full: true,
            actor: None,
        };
        let outcome = s
            .block_on(sync_once(&wrong, &s.store, request, unix_now()))
            .unwrap();
        assert_eq!(outcome.run.outcome, "guard", "{}", s.label);
        assert!(
            outcome.run.report.starts_with("STOPPED"),
            "{}",
            outcome.run.report
        );
        assert_eq!(
            s.block_on(s.store.known_people()).unwrap(),
            before,
            "nothing written"
        );
        // The web's dry run says what a sync would do, and writes nothing either.
        let (status, report) = admin_sync(s, json!({"dry_run": true}));
        assert_eq!(
            (status, report["outcome"].as_str()),
            (200, Some("dry_run")),
            "{report}"
        );
    }

    // StartTLS on ldap:// works as ldaps:// does; a certificate from another CA is refused.
    for s in &servers {
        let mut start_tls = ldap_config(&slapd, MEMBERS);
        start_tls.url = slapd.ldap_url.clone();
        let request = SyncRequest {
            trigger: Trigger::Cli,
            dry_run: true,
            confirm: false,
            full: true,
            actor: None,
        };
        let client = LdapClient::new(start_tls.clone()).unwrap();
        let outcome = s.block_on(sync_once(&client, &s.store, request.clone(), unix_now()));
        assert_eq!(outcome.unwrap().run.outcome, "dry_run", "{}", s.label);
        let other_ca = tempfile::NamedTempFile::new().unwrap();
        let authority = testkit::tls::Authority::new("Eine andere Stelle");
        std::fs::write(other_ca.path(), &authority.cert_pem).unwrap();
        start_tls.ca_file = Some(other_ca.path().to_path_buf());
        let client = LdapClient::new(start_tls).unwrap();
        let refused = s.block_on(sync_once(&client, &s.store, request, unix_now()));
        let error = refused.unwrap_err().to_string();
        assert!(error.contains("cannot be reached"), "{error}");
    }

    // 6. A CSV import cannot change what the directory owns.
    for s in &servers {
        let csv = "login,name,unit,extension\nk.kommt,Klara Anders,Ordnungsamt,7001\n";
        let snapshot = s.block_on(s.store.snapshot()).unwrap();
        let plan = directory::plan_import(&snapshot, directory::parse_staff_csv(csv.as_bytes()));
        assert_eq!(plan.problems.len(), 1, "{:?}", plan.problems);
        assert!(plan.problems[0].to_string().contains("LDAP directory"));
        // Nor can an administrator on the web; fields the directory does not own can.
        let mut admin = s.signed_in("a.admin");
        let r = admin.request(
            "PATCH",
            "/api/v1/admin/staff/k.kommt",
            Some(json!({"name": "Klara Anders"})),
        );
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(r.body.contains("Verzeichnis"), "{}", r.body);
        let r = admin.request(
            "PATCH",
            "/api/v1/admin/staff/k.kommt",
            Some(json!({"home_phone": "07461 1234"})),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }

    // 7. The directory unreachable: a clear error within the timeout, not a hang.
    runtime.block_on(slapd.stop());
    for s in &servers {
        let started = Instant::now();
        let (status, body) = sign_in(s, "k.kommt", KLARA_PASSWORD);
        assert_eq!(status, 503, "{}: {body}", s.label);
        assert!(body.to_string().contains("Verzeichnis"), "{body}");
        assert!(started.elapsed() < Duration::from_secs(12));
        let (status, body) = admin_sync(s, json!({}));
        assert_eq!(status, 503, "{body}");
        assert!(body.to_string().contains("cannot be reached"), "{body}");
        let runs = s.block_on(s.store.sync_runs(1)).unwrap();
        assert_eq!(runs[0].outcome, "failed");
        // Local people still sign in.
        assert_eq!(sign_in(s, "c.clerk", server::PASSWORD).0, 200);
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
