//! The throwaway OpenLDAP server itself (testkit::slapd), checked with ldap-utils'
//! clients as a sync would see it: paging needed over 500 entries, TLS both ways checked
//! against the test CA, people binding with their passwords, changes, stop and restart.

use testkit::slapd::{
    generated_changes, generated_people, Slapd, TestPerson, GROUPS_DN, PEOPLE_DN,
};
use tokio::process::Command;

/// An ldap-utils tool at `url`, bound as `dn`, trusting `ca_file` only.
fn tool(name: &str, url: &str, ca_file: &std::path::Path, dn: &str, password: &str) -> Command {
    let mut command = Command::new(name);
    command
        .env("LDAPTLS_CACERT", ca_file)
        .env("LDAPTLS_REQCERT", "demand")
        .args(["-x", "-o", "nettimeout=5", "-o", "ldif-wrap=no", "-H", url])
        .args(["-D", dn, "-w", password]);
    command
}

/// The same, bound as the sync's service account.
fn as_sync(name: &str, slapd: &Slapd, url: &str) -> Command {
    tool(
        name,
        url,
        &slapd.ca_file,
        &slapd.bind_dn,
        &slapd.bind_password,
    )
}

/// Exit code, stdout, stderr.
async fn run(mut command: Command) -> (i32, String, String) {
    let out = command.output().await.expect("ldap-utils are installed");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

fn entries(ldif: &str) -> usize {
    ldif.lines().filter(|l| l.starts_with("dn:")).count()
}

/// Entries found under `ou=Benutzer` by the service account over plain `ldap://`, paged.
async fn people(slapd: &Slapd, filter: &str) -> usize {
    let mut search = as_sync("ldapsearch", slapd, &slapd.ldap_url);
    search.args([
        "-LLL",
        "-E",
        "pr=500/noprompt",
        "-b",
        PEOPLE_DN,
        filter,
        "1.1",
    ]);
    let (code, out, err) = run(search).await;
    assert_eq!(code, 0, "{filter}: {err}");
    entries(&out)
}

#[tokio::test]
async fn over_500_people_need_paging_and_both_tls_ways_check_the_ca() {
    let slapd = Slapd::start_with(&generated_people(2_100)).await;
    let all = "(objectClass=inetOrgPerson)";

    let mut unpaged = as_sync("ldapsearch", &slapd, &slapd.ldap_url);
    unpaged.args(["-LLL", "-b", PEOPLE_DN, all, "1.1"]);
    let (code, out, err) = run(unpaged).await;
    assert_eq!(code, 4, "sizeLimitExceeded without paging: {err}");
    assert_eq!(entries(&out), 500);
    assert_eq!(people(&slapd, all).await, 2_100, "all of them with paging");

    // AD's filters work: the bitwise rule on userAccountControl, groups by memberOf.
    let disabled = "(userAccountControl:1.2.840.113556.1.4.803:=2)";
    assert_eq!(people(&slapd, disabled).await, 21);
    let softphone = format!("(memberOf={})", Slapd::group_dn("GG-Softphone"));
    assert_eq!(people(&slapd, &softphone).await, 700);
    assert!(
        people(&slapd, "(displayName=Jürgen Müller)").await > 0,
        "UTF-8 names"
    );

    let first = &generated_people(1)[0];
    let mut one = as_sync("ldapsearch", &slapd, &slapd.ldaps_url);
    let filter = format!("(sAMAccountName={})", first.login.to_uppercase());
    one.args([
        "-LLL",
        "-b",
        PEOPLE_DN,
        &filter,
        "entryUUID",
        "modifyTimestamp",
        "+",
        "*",
    ]);
    let (code, out, err) = run(one).await;
    assert_eq!(code, 0, "ldaps with the CA: {err}");
    assert_eq!(entries(&out), 1, "sAMAccountName ignores case:\n{out}");
    for wanted in [
        "entryUUID: ",
        "modifyTimestamp: ",
        "telephoneNumber: +49 7461 926-2000",
        "ipPhone: 2000",
        "userAccountControl: 512",
    ] {
        assert!(out.contains(wanted), "{wanted} in\n{out}");
    }
    assert!(
        out.contains(&format!("dn: {}", slapd.person_dn(&first.login))),
        "{out}"
    );
    assert!(
        out.contains("memberOf: cn=GG-Durchwahl,ou=Gruppen,dc=landkreis,dc=test"),
        "{out}"
    );

    let mut start_tls = as_sync("ldapwhoami", &slapd, &slapd.ldap_url);
    start_tls.arg("-ZZ");
    let (code, out, err) = run(start_tls).await;
    assert_eq!(code, 0, "StartTLS with the CA: {err}");
    assert!(out.contains("cn=durchwahl-sync"), "{out}");

    // The benchmark's 50 changes apply: 10 more disabled, 5 fewer in GG-Softphone.
    slapd.modify(&generated_changes(2_100)).await;
    assert_eq!(people(&slapd, disabled).await, 31);
    assert_eq!(people(&slapd, &softphone).await, 695);
    assert_eq!(people(&slapd, all).await, 2_105);

    // Another CA is refused, on both ways.
    let stranger = tempfile::tempdir().unwrap();
    let other_ca = stranger.path().join("other-ca.pem");
    std::fs::write(&other_ca, testkit::tls::Authority::new("Other CA").cert_pem).unwrap();
    let ldaps = tool(
        "ldapwhoami",
        &slapd.ldaps_url,
        &other_ca,
        &slapd.bind_dn,
        &slapd.bind_password,
    );
    let (code, _, _) = run(ldaps).await;
    assert_ne!(
        code, 0,
        "ldaps with a CA that did not issue the certificate"
    );
    let mut start_tls = tool(
        "ldapwhoami",
        &slapd.ldap_url,
        &other_ca,
        &slapd.bind_dn,
        &slapd.bind_password,
    );
    start_tls.arg("-ZZ");
    let (code, _, _) = run(start_tls).await;
    assert_ne!(
        code, 0,
        "StartTLS with a CA that did not issue the certificate"
    );
}

#[tokio::test]
async fn people_bind_with_their_password_and_changes_arrive() {
    let slapd = Slapd::start().await;
    assert_eq!(people(&slapd, "(objectClass=inetOrgPerson)").await, 0);
    let anna = TestPerson {
        login: "amueller".into(),
        name: "Anna Müller".into(),
        department: Some("Sozialamt".into()),
        phone: Some("+49 7461 926-2401".into()),
        groups: vec!["GG-Softphone".into(), "GG-Durchwahl".into()],
        password: Some("Frühling-2024".into()),
        ou: Some("Dezernat 2".into()),
        ..Default::default()
    };
    slapd.add(std::slice::from_ref(&anna)).await;
    let dn = slapd.person_dn("amueller");
    assert_eq!(
        dn,
        "cn=amueller,ou=Dezernat 2,ou=Benutzer,dc=landkreis,dc=test"
    );

    let bind = |password: &str| {
        tool(
            "ldapwhoami",
            &slapd.ldaps_url,
            &slapd.ca_file,
            &dn,
            password,
        )
    };
    let (code, out, err) = run(bind("Frühling-2024")).await;
    assert_eq!(
        (code, out.trim()),
        (0, format!("dn:{dn}").as_str()),
        "{err}"
    );
    let (code, _, _) = run(bind("Sommer-2024")).await;
    assert_eq!(code, 49, "invalidCredentials for a wrong password");

    // Nobody reads passwords, not even the service account; anonymous sees nothing.
    let mut read = as_sync("ldapsearch", &slapd, &slapd.ldap_url);
    read.args([
        "-LLL",
        "-b",
        &dn,
        "-s",
        "base",
        "(objectClass=*)",
        "userPassword",
        "department",
    ]);
    let (_, out, _) = run(read).await;
    assert!(
        out.contains("department: Sozialamt") && !out.contains("userPassword"),
        "{out}"
    );
    let mut anonymous = Command::new("ldapsearch");
    anonymous.args([
        "-x",
        "-LLL",
        "-H",
        &slapd.ldap_url,
        "-b",
        PEOPLE_DN,
        "(objectClass=*)",
    ]);
    let (code, out, _) = run(anonymous).await;
    assert_eq!((code, entries(&out)), (32, 0), "anonymous: noSuchObject");

    let members = |group: &'static str| {
        let mut search = as_sync("ldapsearch", &slapd, &slapd.ldap_url);
        search.args(["-LLL", "-b", GROUPS_DN, &format!("(cn={group})"), "member"]);
        run(search)
    };
    assert!(members("GG-Softphone")
        .await
        .1
        .contains(&format!("member: {dn}")));

    slapd
        .set_groups("amueller", &["GG-Durchwahl", "GG-Admins"])
        .await;
    assert!(!members("GG-Softphone").await.1.contains(&dn));
    assert!(members("GG-Admins").await.1.contains(&dn));
    let softphone = format!("(memberOf={})", Slapd::group_dn("GG-Softphone"));
    assert_eq!(people(&slapd, &softphone).await, 0);
    let admins = format!("(memberOf={})", Slapd::group_dn("GG-Admins"));
    assert_eq!(people(&slapd, &admins).await, 1);

    slapd
        .modify(&format!("dn: {dn}\nchangetype: modify\nreplace: department\ndepartment: Jugendamt\n-\nreplace: userAccountControl\nuserAccountControl: 514\n"))
        .await;
    assert_eq!(
        people(&slapd, "(&(department=jugendamt)(userAccountControl=514))").await,
        1
    );

    slapd.delete(&dn).await;
    assert_eq!(people(&slapd, "(objectClass=inetOrgPerson)").await, 0);
    assert!(!members("GG-Admins").await.1.contains(&dn));
}

#[tokio::test]
async fn a_stopped_directory_refuses_and_a_restarted_one_has_its_data() {
    let mut slapd = Slapd::start_with(&generated_people(3)).await;
    let url = slapd.ldap_url.clone();
    slapd.stop().await;
    let started = std::time::Instant::now();
    let (code, _, err) = run(as_sync("ldapwhoami", &slapd, &url)).await;
    assert_eq!(code, 255, "cannot contact: {err}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "refused, not hanging"
    );

    slapd.restart().await;
    assert_eq!(slapd.ldap_url, url, "the same URL again");
    assert_eq!(people(&slapd, "(objectClass=inetOrgPerson)").await, 3);
}
