//! Staff: import (dry run, re-import, every problem at once), export (formulas defused),
//! hidden characters, features for a unit, passwords from standard input.

use super::*;

#[tokio::test]
async fn import_dry_run_import_and_reimport() {
    for db in testkit::databases().await {
        let dir = tempfile::tempdir().unwrap();
        // German Excel: semicolons and Windows-1252.
        // Latin-1 letters have the same byte in Windows-1252.
        let cp1252: Vec<u8> = GOOD
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap())
            .collect();
        let file = write(dir.path(), "staff.csv", &cp1252);

        let dry = ok(&db, &["users", "import", &file, "--dry-run"]);
        assert!(
            dry.contains("3 created, 0 updated, 0 unchanged, 5 new unit(s)"),
            "{dry}"
        );
        assert_eq!(
            staff_count(&db).await,
            0,
            "{}: a dry run writes nothing",
            db.label
        );

        let first = ok(&db, &["users", "import", &file]);
        assert!(
            first.contains("3 created, 0 updated, 0 unchanged"),
            "{first}"
        );
        let again = ok(&db, &["users", "import", &file]);
        assert!(
            again.contains("0 created, 0 updated, 3 unchanged, 0 new unit(s)"),
            "{again}"
        );

        let listed = ok(&db, &["users", "list", "--unit", "Abteilung 2"]);
        assert!(
            listed.contains("Bärbel Böhm") && listed.contains("Anna Adler"),
            "{listed}"
        );
        assert!(
            !listed.contains("Jürgen Weiß") && listed.contains("2 people"),
            "{listed}"
        );

        let changed = write(
            dir.path(),
            "changed.csv",
            GOOD.replace("Anna Adler", "Anna Adler-Groß").as_bytes(),
        );
        let update = ok(&db, &["users", "import", &changed]);
        assert!(
            update.contains("0 created, 1 updated, 2 unchanged"),
            "{update}"
        );
    }
}

#[tokio::test]
async fn a_bad_file_reports_every_problem_and_writes_nothing() {
    for db in testkit::databases().await {
        let dir = tempfile::tempdir().unwrap();
        let bad = "login,name,unit,extension,roles,features
n.neu,Nina Neu,Neue Abteilung,2501,,
n.neu,Nina Neu,Neue Abteilung,2502,,
x.ext,Xaver,Neue Abteilung,25a1,,
r.role,Rita,Neue Abteilung,2503,chef,
f.feat,Fritz,Neue Abteilung,2504,,fax
d.ext,Doris,Neue Abteilung,2501,,
";
        let file = write(dir.path(), "bad.csv", bad.as_bytes());
        let stderr = fails(&db, &["users", "import", &file]);
        for expected in [
            "line 3, field login: login \"n.neu\" already appears on line 2",
            "line 4, field extension: extension \"25a1\" is not valid",
            "line 5, field roles: unknown role \"chef\"",
            "line 6, field features: unknown feature \"fax\"",
            "line 7, field extension: extension 2501 is also given to \"n.neu\" on line 2",
            "5 problem(s)",
            "nothing was imported",
        ] {
            assert!(
                stderr.contains(expected),
                "{}: missing {expected:?} in\n{stderr}",
                db.label
            );
        }
        assert_eq!(
            staff_count(&db).await,
            0,
            "{}: not even the good row is written",
            db.label
        );

        let missing = write(
            dir.path(),
            "missing.csv",
            b"login,name,extension\na.b,A B,2001\n",
        );
        let stderr = fails(&db, &["users", "import", &missing]);
        assert!(
            stderr.contains("line 1: required column \"unit\" is missing"),
            "{stderr}"
        );

        // Against the database: an extension someone already holds.
        let good = write(dir.path(), "good.csv", GOOD.as_bytes());
        ok(&db, &["users", "import", &good]);
        let taken = write(
            dir.path(),
            "taken.csv",
            b"login,name,unit,extension\nz.neu,Zoe Neu,Bauamt,2201\n",
        );
        let stderr = fails(&db, &["users", "import", &taken]);
        assert!(
            stderr
                .contains("line 2, field extension: extension 2201 already belongs to \"b.boehm\""),
            "{stderr}"
        );
        assert_eq!(staff_count(&db).await, 3, "{}", db.label);

        let stderr = fails(&db, &["users", "import", "/nonexistent/staff.csv"]);
        assert!(
            stderr.contains("cannot read /nonexistent/staff.csv"),
            "{stderr}"
        );
    }
}

#[tokio::test]
async fn export_writes_the_import_format_back() {
    for db in testkit::databases().await {
        let dir = import_good(&db);
        let plain = dir.path().join("export.csv").display().to_string();
        ok(&db, &["users", "export", &plain]);
        let text = std::fs::read_to_string(&plain).unwrap();
        assert!(
            text.starts_with(
                "login,name,unit,extension,email,mobile,home_phone,roles,features,head_of\n"
            ),
            "{text}"
        );
        assert!(text.contains("a.adler,Anna Adler,Abteilung 2/Sachgebiet 23 IKT,2301,a.adler@lra.example,,,admin;user,softphone;meetings,\n"), "{text}");
        let again = ok(&db, &["users", "import", &plain]);
        assert!(
            again.contains("0 created, 0 updated, 3 unchanged"),
            "{again}"
        );

        let excel = dir.path().join("excel.csv").display().to_string();
        ok(&db, &["users", "export", &excel, "--excel"]);
        let bytes = std::fs::read(&excel).unwrap();
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]) && bytes[3..].starts_with(b"login;name;"));
        let again = ok(&db, &["users", "import", &excel]);
        assert!(
            again.contains("0 created, 0 updated, 3 unchanged"),
            "{again}"
        );

        let stdout = ok(&db, &["users", "export", "-"]);
        assert_eq!(stdout, text);
    }
}

/// A name a spreadsheet would run as a formula, and a mobile number that starts with `+`.
const FORMULAS: &str = "login,name,unit,extension,mobile
e.vil,\"=HYPERLINK(\"\"x\"\")\",Gesundheitsamt/Hotline,2402,+49 151 5550123
";

#[tokio::test]
async fn export_defuses_formulas_and_reimports_unchanged() {
    for db in testkit::databases().await {
        let l = &db.label;
        let dir = import_good(&db);
        ok(
            &db,
            &[
                "users",
                "import",
                &write(dir.path(), "formulas.csv", FORMULAS.as_bytes()),
            ],
        );
        for (file, excel) in [("plain.csv", false), ("excel.csv", true)] {
            let path = dir.path().join(file).display().to_string();
            let mut args = vec!["users", "export", &path];
            if excel {
                args.push("--excel");
            }
            ok(&db, &args);
            let text = std::fs::read_to_string(&path).unwrap();
            let sep = if excel { ';' } else { ',' };
            let row = text.lines().find(|r| r.starts_with("e.vil")).unwrap();
            assert_eq!(
                row,
                format!("e.vil{sep}\"'=HYPERLINK(\"\"x\"\")\"{sep}Gesundheitsamt/Hotline{sep}2402{sep}{sep}'+49 151 5550123{sep}{sep}user{sep}{sep}"),
                "{l}: defused cells"
            );
            let again = ok(&db, &["users", "import", &path]);
            assert!(
                again.contains("0 created, 0 updated, 4 unchanged"),
                "{l}: {again}"
            );
        }
        let store = Store::open(&db.url).await.unwrap();
        let staff = store.list_staff(None).await.unwrap();
        store.close().await;
        let eve = staff.iter().find(|s| s.login.as_str() == "e.vil").unwrap();
        assert_eq!(eve.name, "=HYPERLINK(\"x\")", "{l}");
        assert_eq!(eve.mobile.as_deref(), Some("+49 151 5550123"), "{l}");
    }
}

#[tokio::test]
async fn hidden_characters_in_names_units_and_labels_are_refused_with_nothing_written() {
    for db in testkit::databases().await {
        let l = &db.label;
        let dir = import_good(&db);
        let spoofed = "login,name,unit,extension\n\
                       e.vil,\u{202E}relda annA,Bauamt,2599\n\
                       f.ine,Fine,Bau\u{200B}amt,2598\n";
        let err = fails(
            &db,
            &[
                "users",
                "import",
                &write(dir.path(), "spoofed.csv", spoofed.as_bytes()),
            ],
        );
        assert!(
            err.contains("line 2, field name: name \"\\u{202e}relda annA\" contains the invisible character U+202E (right-to-left override)"),
            "{l}: {err}"
        );
        assert!(
            err.contains("line 3, field unit: unit path \"Bau\\u{200b}amt\" contains the invisible character U+200B (zero-width space)"),
            "{l}: {err}"
        );
        assert!(!err.contains('\u{202E}'), "{l}: escaped, never raw: {err}");
        assert_eq!(staff_count(&db).await, 3, "{l}: nothing imported");

        let err = fails(
            &db,
            &["phones", "add", "a.adler", "--label", "Handy\u{2067}"],
        );
        assert!(
            err.contains("device label \"Handy\\u{2067}\" contains the invisible character U+2067"),
            "{l}: {err}"
        );
        let rows = "login,label,password\na.adler,Softphone,\nc.weiss,Tisch\u{FEFF}telefon,\n";
        let out = dir.path().join("creds.csv");
        let err = fails(
            &db,
            &[
                "phones",
                "import",
                &write(dir.path(), "phones.csv", rows.as_bytes()),
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(err.contains("line 3: device label"), "{l}: {err}");
        assert!(err.contains("U+FEFF (byte order mark)"), "{l}: {err}");
        assert!(!out.exists(), "{l}");
        assert!(
            ok(&db, &["phones", "list"]).lines().count() <= 1,
            "{l}: no device made"
        );
    }
}

#[tokio::test]
async fn features_switch_for_a_unit_or_people_in_one_command() {
    for db in testkit::databases().await {
        let _dir = import_good(&db);
        let out = ok(
            &db,
            &["users", "enable", "softphone", "--unit", "Abteilung 2"],
        );
        assert!(
            out.contains("softphone switched on for 1 of 2 people in unit Abteilung 2"),
            "{out}"
        );
        let out = ok(
            &db,
            &[
                "users", "disable", "hotline", "--login", "c.weiss", "b.boehm",
            ],
        );
        assert!(
            out.contains("hotline switched off for 1 of 2 people"),
            "{out}"
        );
        let listed = ok(&db, &["users", "list"]);
        let row = |login: &str| {
            listed
                .lines()
                .find(|l| l.starts_with(login))
                .unwrap()
                .to_string()
        };
        assert!(row("b.boehm").ends_with("softphone"), "{listed}");
        assert!(row("c.weiss").ends_with("softphone"), "{listed}");

        let err = fails(&db, &["users", "enable", "fax", "--unit", "Abteilung 2"]);
        assert!(err.contains("unknown feature \"fax\""), "{err}");
        let err = fails(
            &db,
            &["users", "enable", "meetings", "--unit", "Abteilung 9"],
        );
        assert!(err.contains("no unit \"Abteilung 9\""), "{err}");
        let err = fails(
            &db,
            &["users", "enable", "meetings", "--login", "b.boehm", "ghost"],
        );
        assert!(err.contains("not in the directory: ghost"), "{err}");
        let err = fails(&db, &["users", "enable", "meetings"]);
        assert!(err.contains("--unit") || err.contains("required"), "{err}");
        assert_eq!(
            ok(&db, &["users", "list"]),
            listed,
            "{}: failed switches change nothing",
            db.label
        );
    }
}

#[tokio::test]
async fn set_password_reads_stdin_checks_policy_and_stores_only_a_hash() {
    for db in testkit::databases().await {
        let _dir = import_good(&db);
        let out = run(
            &db,
            &["users", "set-password", "b.boehm"],
            "Grüne Wiese am Inn\n",
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !all.contains("Grüne Wiese"),
            "the password is never printed"
        );

        let store = Store::open(&db.url).await.unwrap();
        let login = directory::Login::parse("b.boehm").unwrap();
        let hash = store.password_hash(&login).await.unwrap().unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(auth::verify_password("Grüne Wiese am Inn", &hash).unwrap());

        // A new password ends the person's sessions (their sockets close at the running
        // server's next check) and is audited, like a change in the web client.
        let who = store.account_by_login(&login).await.unwrap().unwrap().id;
        let session = store::NewSession {
            staff_id: who,
            token_hash: "t",
            csrf_token: "c",
            now: 1,
            expires_at: i64::MAX,
            source: "10.0.0.1",
            user_agent: "test",
            how: "password",
        };
        store.create_session(&session).await.unwrap();
        let again = run(
            &db,
            &["users", "set-password", "b.boehm"],
            "Ein anderes Passwort 2\n",
        );
        assert!(
            again.status.success(),
            "{}",
            String::from_utf8_lossy(&again.stderr)
        );
        assert!(String::from_utf8_lossy(&again.stdout).contains("1 session(s) ended"));
        assert!(
            store.sessions_of(who, 2).await.unwrap().is_empty(),
            "{}",
            db.label
        );
        let audit = store
            .audit_entries(&store::AuditFilter::default())
            .await
            .unwrap();
        assert_eq!(
            audit
                .iter()
                .filter(|e| e.action == "password.set" && e.target.as_deref() == Some("b.boehm"))
                .count(),
            2,
            "{}",
            db.label
        );
        let hash = store.password_hash(&login).await.unwrap().unwrap();

        let short = run(&db, &["users", "set-password", "b.boehm"], "kurz\n");
        assert!(!short.status.success());
        assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10 characters"));
        let unknown = run(
            &db,
            &["users", "set-password", "ghost"],
            "Grüne Wiese am Inn\n",
        );
        assert!(String::from_utf8_lossy(&unknown.stderr).contains("no person with login ghost"));
        assert_eq!(
            store.password_hash(&login).await.unwrap().unwrap(),
            hash,
            "failures change nothing"
        );
        store.close().await;
    }
}

#[tokio::test]
async fn heads_and_deputies_from_the_head_of_column_round_trip() {
    for db in testkit::databases().await {
        let dir = import_good(&db);
        let heads = GOOD
            .replace("roles;features\n", "roles;features;head_of\n")
            .replace("softphone|meetings\n", "softphone|meetings;Abteilung 2\n")
            .replace("2201;;;\n", "2201;;;;stellv:Abteilung 2\n")
            .replace("hotline|softphone\n", "hotline|softphone;\n");
        let file = write(dir.path(), "heads.csv", heads.as_bytes());
        let dry = ok(&db, &["users", "import", &file, "--dry-run"]);
        assert!(
            dry.contains(
                "0 created, 0 updated, 3 unchanged, 0 new unit(s), 1 unit(s) with new leaders"
            ),
            "{}: {dry}",
            db.label
        );
        ok(&db, &["users", "import", &file]);
        let exported = ok(&db, &["users", "export", "-"]);
        assert!(
            exported.contains(",softphone;meetings,Abteilung 2\n")
                && exported.contains(",stellv:Abteilung 2\n"),
            "{}: {exported}",
            db.label
        );
        let back = write(dir.path(), "back.csv", exported.as_bytes());
        let again = ok(&db, &["users", "import", &back]);
        assert!(
            again.contains("3 unchanged, 0 new unit(s), 0 unit(s) with new leaders"),
            "{}: {again}",
            db.label
        );
    }
}
