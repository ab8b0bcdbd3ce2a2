//! The config command, database URLs, `serve` and `demo`.

use super::*;

#[test]
fn config_example_and_bad_database_urls() {
    let out = command(&["config", "example"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("[database]") && text.contains("DURCHWAHL_HTTP_LISTEN"),
        "{text}"
    );

    let out = command(&["users", "list", "--database-url", "mysql://h/db"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unsupported database URL \"mysql://h/db\"")
    );

    let dir = tempfile::tempdir().unwrap();
    let out = command(&["users", "list", "--data-dir", dir.path().to_str().unwrap()])
        .env("DURCHWAHL_DATABASE_URL", "durchwahl.db")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !dir.path().join("durchwahl.db").exists(),
        "no file is silently created"
    );
}

/// A running server process with plain GET.
struct Server(testkit::process::ServerProcess);

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut cmd = command(args);
        cmd.stderr(Stdio::null());
        Server(testkit::process::ServerProcess::start(cmd))
    }

    fn get(&self, path: &str) -> (u16, String) {
        let reply = testkit::http::Client::new(&self.0.address).get(path);
        (reply.status, reply.body)
    }

    fn terminate(self) -> bool {
        self.0.terminate()
    }
}

#[tokio::test]
async fn serve_answers_health_and_openapi_and_stops_on_sigterm() {
    for db in testkit::databases().await {
        let url = db.url.unredacted();
        // A data folder of its own (the key file, secrets.key), not /var/lib/durchwahl.
        let data = tempfile::tempdir().unwrap();
        let server = Server::start(&[
            "serve",
            "--http-listen",
            "127.0.0.1:0",
            "--sip-listen",
            "127.0.0.1:0",
            "--database-url",
            url,
            "--data-dir",
            data.path().to_str().unwrap(),
        ]);
        let (status, body) = server.get("/healthz");
        let health: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (status, health),
            (200, serde_json::json!({"database": "ok", "status": "ok"})),
            "{}",
            db.label
        );
        let (status, body) = server.get("/api/v1/openapi.json");
        assert_eq!(status, 200);
        let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["paths"]["/healthz"]["get"].is_object());
        let (status, page) = server.get("/");
        assert!(status == 200 && page.contains("lang=\"de\""), "{page}");
        assert_eq!(server.get("/nope").0, 404);
        assert!(
            server.terminate(),
            "{}: graceful shutdown exits 0",
            db.label
        );
    }
}

#[test]
fn demo_seeds_once_and_reuses_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let data = data.to_str().unwrap();
    let first = Server::start(&[
        "demo",
        "--data-dir",
        data,
        "--http-listen",
        "127.0.0.1:0",
        "--sip-listen",
        "127.0.0.1:0",
    ]);
    assert!(
        first.0.stdout.contains("Created the demo organisation"),
        "{}",
        first.0.stdout
    );
    assert!(
        first.0.stdout.contains("admin") && first.0.stdout.contains("Musterstadt-2020"),
        "{}",
        first.0.stdout
    );
    let (status, page) = first.get("/");
    assert!(
        status == 200 && page.contains("Landratsamt Musterstadt"),
        "{page}"
    );
    let count = |s: &str| s.lines().next().unwrap().to_string();
    let headline = count(&first.0.stdout);
    // The demo clerk's voicemail box holds three messages, as Ogg Opus files.
    let recordings = || {
        let mut n = 0;
        for folder in std::fs::read_dir(dir.path().join("demo/voicemail")).unwrap() {
            for file in std::fs::read_dir(folder.unwrap().path()).unwrap() {
                let bytes = std::fs::read(file.unwrap().path()).unwrap();
                assert!(bytes.starts_with(b"OggS"), "an Ogg file");
                n += 1;
            }
        }
        n
    };
    assert_eq!(recordings(), 3);
    // The demo clerk's unit has a fax box with a received fax and a sent one, as PDFs.
    let faxes = || {
        let mut pdfs = 0;
        for folder in std::fs::read_dir(dir.path().join("demo/fax")).unwrap() {
            for file in std::fs::read_dir(folder.unwrap().path()).unwrap() {
                let bytes = std::fs::read(file.unwrap().path()).unwrap();
                assert!(bytes.starts_with(b"%PDF-"), "a PDF");
                assert_eq!(fax::document::pdf_pages(&bytes), 2);
                pdfs += 1;
            }
        }
        pdfs
    };
    assert_eq!(faxes(), 2);
    assert!(first.terminate());

    let second = Server::start(&[
        "demo",
        "--data-dir",
        data,
        "--http-listen",
        "127.0.0.1:0",
        "--sip-listen",
        "127.0.0.1:0",
    ]);
    assert!(
        second.0.stdout.contains("Reusing the demo organisation"),
        "{}",
        second.0.stdout
    );
    assert_eq!(
        count(&second.0.stdout),
        headline,
        "no duplicates on the second start"
    );
    assert_eq!(second.get("/healthz").0, 200);
    assert_eq!(recordings(), 3, "no more on the second start");
    assert_eq!(faxes(), 2, "no more on the second start");
    assert!(second.terminate());

    // The demo never touches a real directory.
    let real = tempfile::tempdir().unwrap();
    let db = TestDb::sqlite_at(real.path());
    let staff = write(real.path(), "s.csv", GOOD.as_bytes());
    ok(&db, &["users", "import", &staff]);
    let out = command(&[
        "demo",
        "--data-dir",
        real.path().to_str().unwrap(),
        "--http-listen",
        "127.0.0.1:0",
        "--sip-listen",
        "127.0.0.1:0",
    ])
    .output()
    .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds a real directory"));
    let _ = DatabaseUrl::sqlite_in(real.path());
}
