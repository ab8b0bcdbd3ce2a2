//! Upgrades (issue 20): the `durchwahl` binary of this checkout starts on a data folder
//! written by a release (`tests/fixtures/release-*/`, made by
//! `tests/fixtures/make-release-fixture.sh`) and loses nothing.
//!
//! - Each fixture, unpacked into a temporary folder: `durchwahl serve` starts on it
//!   (migrating it), answers `/healthz`, the database is at the newest migration, the
//!   person with an authenticator app signs in with a fresh code, the chat attachment
//!   downloads byte-identical for a member of the room; after a clean stop every count,
//!   every append-only row and every exact row of `expected.json` is unchanged and every
//!   file has its SHA-256.
//! - The comparison itself bites: a deleted message and a renamed person in a copy of
//!   the fixture are both reported.

mod fixture;
mod make;

use fixture::{Served, DATABASE};
use std::path::{Path, PathBuf};
use store::{schema_status, DatabaseUrl, SchemaStatus};

/// Every committed fixture folder.
fn releases() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(fixture::fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join(fixture::MANIFEST).exists())
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no fixture in tests/fixtures");
    found
}

/// Keeps what the clock alone would delete (voicemail and faxes) for the test's run.
fn config(dir: &Path) -> PathBuf {
    let file = dir.join("durchwahl.toml");
    std::fs::write(&file, "[voicemail]\nretention_days = 3650\n").unwrap();
    file
}

#[test]
fn this_version_starts_on_each_release_s_data_folder_and_loses_nothing() {
    for release in releases() {
        let name = release.file_name().unwrap().to_string_lossy().into_owned();
        let expected = fixture::manifest(&release);
        let work = tempfile::tempdir().unwrap();
        let data = work.path().join("data");
        fixture::unpack(&release, &data);

        let served = Served::start("serve", &data, Some(&config(work.path())));
        let health = served.client().get("/healthz");
        assert_eq!(health.status, 200, "{name}: {}", health.body);
        let url = DatabaseUrl::sqlite_in(&data);
        let status = fixture::block_on(schema_status(&url)).unwrap();
        let latest = store::MIGRATIONS.last().unwrap().version();
        assert_eq!(status, SchemaStatus::Current { latest }, "{name}");
        assert!(
            expected["migration"].as_i64().unwrap() <= latest,
            "{name}: made by a newer Durchwahl"
        );

        let who = &expected["sign_in"];
        let signed_in = fixture::sign_in(
            &served,
            who["login"].as_str().unwrap(),
            who["password"].as_str().unwrap(),
            Some(who["secret"].as_str().unwrap()),
        );
        let mut member = signed_in.unwrap_or_else(|e| panic!("{name}: {e}"));
        let attachment = &expected["attachment"];
        let download = member.get(&format!(
            "/api/v1/attachments/{}",
            attachment["id"].as_str().unwrap()
        ));
        assert_eq!(download.status, 200, "{name}: {}", download.body);
        assert_eq!(
            fixture::sha256(&download.bytes),
            attachment["sha256"].as_str().unwrap(),
            "{name}: the attachment's bytes"
        );
        let room = attachment["room"].as_i64().unwrap();
        let messages = member.get(&format!("/api/v1/rooms/{room}/messages")).json();
        assert!(
            messages
                .to_string()
                .contains(attachment["message"].as_str().unwrap()),
            "{name}: the message is not listed: {messages}"
        );
        served.stop();

        let lost = fixture::differences(
            &expected,
            &fixture::observe(&data.join(DATABASE), &expected),
        );
        assert!(
            lost.is_empty(),
            "{name}: lost or changed:\n{}",
            lost.join("\n")
        );
        let files = fixture::file_hashes(&data);
        for (file, hash) in expected["files"].as_object().unwrap() {
            assert_eq!(&files[file], hash, "{name}: {file}");
        }
    }
}

#[test]
fn a_lost_or_changed_row_is_reported() {
    let release = releases().pop().unwrap();
    let expected = fixture::manifest(&release);
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    fixture::unpack(&release, &data);
    let db = data.join(DATABASE);
    assert_eq!(
        fixture::differences(&expected, &fixture::observe(&db, &expected)),
        Vec::<String>::new(),
        "the unpacked fixture is as its manifest says"
    );

    // What a careless migration might do: drop a message, rewrite a name.
    fixture::block_on(async {
        let mut conn = fixture::connect(&db, true).await;
        for sql in [
            "DELETE FROM chat_messages WHERE attachment_id IS NULL",
            "UPDATE staff SET display_name = upper(display_name) WHERE login = 'admin'",
        ] {
            sqlx::query(sql).execute(&mut conn).await.unwrap();
        }
        sqlx::Connection::close(conn).await.unwrap();
    });
    let lost = fixture::differences(&expected, &fixture::observe(&db, &expected));
    let said = lost.join("\n");
    assert!(
        lost.iter().any(|l| l.starts_with("chat_messages: ")),
        "the count: {said}"
    );
    assert!(
        lost.iter().any(|l| l.starts_with("chat messages: ")),
        "the message's row: {said}"
    );
    assert!(
        lost.iter().any(|l| l.starts_with("people: ")),
        "the renamed person: {said}"
    );
}
