//! Phones: added, listed, removed (only digests stored), imported by the hundred.

use super::*;

fn key_values(text: &str) -> std::collections::HashMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn phones_add_list_remove_with_digests_only() {
    for db in testkit::databases().await {
        let l = &db.label;
        let _dir = import_good(&db);
        let first = key_values(&ok(
            &db,
            &["phones", "add", "c.weiss", "--label", "Softphone"],
        ));
        assert_eq!(first["sip_username"], "2401-1", "{l}");
        assert_eq!(first["extension"], "2401", "{l}");
        assert_eq!(first["domain"], "durchwahl.local", "{l}");
        let password = &first["sip_password"];
        assert_eq!(password.len(), 24, "{l}: {password}");

        let json: serde_json::Value = serde_json::from_str(&ok(
            &db,
            &[
                "phones",
                "add",
                "c.weiss",
                "--label",
                "Tischtelefon",
                "--json",
            ],
        ))
        .unwrap();
        assert_eq!(json["sip_username"], "2401-2", "{l}");
        // The same label twice, an unknown person or a bad label: refused, nothing made.
        let again = fails(&db, &["phones", "add", "c.weiss", "--label", "Softphone"]);
        assert!(again.contains("nothing was created"), "{l}: {again}");
        assert!(fails(&db, &["phones", "add", "x.none", "--label", "A"]).contains("x.none"));
        assert!(fails(&db, &["phones", "add", "c.weiss", "--label", " "]).contains("label"));
        // b.boehm may have a device, but it cannot register without the feature.
        let out = run(&db, &["phones", "add", "b.boehm", "--label", "Handy"], "");
        assert!(out.status.success(), "{l}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("softphone"),
            "{l}"
        );

        let listed = ok(&db, &["phones", "list", "c.weiss"]);
        assert!(
            listed.contains("Softphone") && listed.contains("2401-2"),
            "{l}: {listed}"
        );
        let store = Store::open(&db.url).await.unwrap();
        let device = store.device("2401-1").await.unwrap().unwrap();
        assert_eq!(
            device.ha1_md5,
            md5_hex(&format!("2401-1:durchwahl.local:{password}")),
            "{l}: MD5 HA1 of user:realm:password"
        );
        let everything = format!("{:?}", store.all_devices().await.unwrap());
        assert!(
            !everything.contains(password.as_str()),
            "{l}: no password stored"
        );
        store.close().await;

        assert_eq!(
            ok(&db, &["phones", "remove", "2401-1"]).trim(),
            "removed 2401-1"
        );
        assert!(
            fails(&db, &["phones", "remove", "2401-1"]).contains("no device"),
            "{l}"
        );
    }
}

/// MD5 in lower-case hex, by RustCrypto's implementation (not ours).
fn md5_hex(text: &str) -> String {
    use md5::{Digest, Md5};
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn phones_import_makes_hundreds_at_once_or_nothing() {
    for db in testkit::databases().await {
        let l = &db.label;
        let dir = import_good(&db);
        let mut rows = String::from("login,label,password\n");
        for i in 0..300 {
            rows.push_str(&format!("c.weiss,Gerät {i},\n"));
        }
        rows.push_str("a.adler,Softphone,mein-eigenes-passwort\n");
        let file = write(dir.path(), "phones.csv", rows.as_bytes());
        let out = dir.path().join("creds.csv");
        let printed = ok(
            &db,
            &["phones", "import", &file, "--out", out.to_str().unwrap()],
        );
        assert!(printed.contains("301 device(s) created"), "{l}: {printed}");
        let creds = std::fs::read_to_string(&out).unwrap();
        let lines: Vec<&str> = creds.lines().collect();
        assert_eq!(
            lines[0],
            "login,label,sip_username,sip_password,extension,domain"
        );
        assert_eq!(lines.len(), 302, "{l}");
        assert!(
            lines[1].starts_with("c.weiss,Gerät 0,2401-1,"),
            "{l}: {}",
            lines[1]
        );
        assert!(lines[300].starts_with("c.weiss,Gerät 299,2401-300,"), "{l}");
        assert_eq!(
            lines[301],
            "a.adler,Softphone,2301-1,mein-eigenes-passwort,2301,durchwahl.local"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{l}: only the owner reads passwords");
        }
        // The credentials file is never overwritten.
        let err = fails(
            &db,
            &["phones", "import", &file, "--out", out.to_str().unwrap()],
        );
        assert!(err.contains("must not exist"), "{l}: {err}");

        // One bad row (unknown login, short password, empty label): nothing at all.
        let bad =
            "login,label,password\nb.boehm,Handy,\nx.none,Handy,\nb.boehm,Tisch,kurz\nb.boehm, ,\n";
        let bad_file = write(dir.path(), "bad.csv", bad.as_bytes());
        let out2 = dir.path().join("creds2.csv");
        let err = fails(
            &db,
            &[
                "phones",
                "import",
                &bad_file,
                "--out",
                out2.to_str().unwrap(),
            ],
        );
        assert!(
            err.contains("line 4") && err.contains("line 5"),
            "{l}: {err}"
        );
        assert!(!out2.exists(), "{l}");
        let unknown = "login,label,password\nb.boehm,Handy,\nx.none,Handy,\n";
        let unknown_file = write(dir.path(), "unknown.csv", unknown.as_bytes());
        let err = fails(
            &db,
            &[
                "phones",
                "import",
                &unknown_file,
                "--out",
                out2.to_str().unwrap(),
            ],
        );
        assert!(err.contains("x.none"), "{l}: {err}");
        assert!(!out2.exists(), "{l}: no half-written credentials");
        assert!(
            ok(&db, &["phones", "list", "b.boehm"]).lines().count() <= 1,
            "{l}"
        );
    }
}
