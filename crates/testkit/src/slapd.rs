//! A throwaway OpenLDAP server per test (feature `tls`: its certificates are made with
//! rcgen): Debian's `/usr/sbin/slapd` as a child process with a `slapd.conf` of its own in
//! a temporary folder, on loopback at free ports, killed when the [`Slapd`] is dropped.
//! `scripts/test` installs `slapd` and `ldap-utils`.
//!
//! The directory looks like an administration's Active Directory as a sync sees it:
//! - `ou=Benutzer,dc=landkreis,dc=test`: people, `inetOrgPerson` + `adUser` (AD's
//!   `sAMAccountName`, `department`, `ipPhone`, `userAccountControl`, `memberOf` from
//!   `tests/ldap/ad-like.schema`), directly or in sub-OUs;
//! - `ou=Gruppen`: AD-style `group` entries whose `member` lists the people, who in turn
//!   carry the groups in `memberOf` ([`add`](Slapd::add), [`set_groups`](Slapd::set_groups)
//!   and [`delete`](Slapd::delete) keep both sides in step; [`modify`](Slapd::modify) does
//!   exactly what its LDIF says);
//! - `ou=Dienste`: the service account the sync binds as ([`Slapd::bind_dn`]), which may
//!   read everything but passwords, as may every signed-in person; anonymous users see
//!   nothing (AD's default).
//!
//! A search by anyone but the administrator stops at 500 entries (`sizelimit 500`, result
//! 4, sizeLimitExceeded) unless it pages (RFC 2696 paged results, any number of pages), as
//! AD stops at its MaxPageSize: a directory of 2,000 people proves a sync pages.
//! `ldap://` offers StartTLS, `ldaps://` is TLS from the start; both present a certificate
//! for 127.0.0.1 and localhost from a test CA whose PEM is at [`Slapd::ca_file`].
//!
//! ```no_run
//! # async fn example() {
//! use testkit::slapd::{generated_people, Slapd, TestPerson};
//! let slapd = Slapd::start_with(&generated_people(2_100)).await; // pages needed
//! let anna = TestPerson {
//!     login: "amueller".into(),
//!     name: "Anna Müller".into(),
//!     department: Some("Sozialamt".into()),
//!     phone: Some("+49 7461 926-2401".into()),
//!     groups: vec!["GG-Durchwahl".into(), "GG-Softphone".into()],
//!     password: Some("Frühling-2024".into()),
//!     ..Default::default()
//! };
//! slapd.add(&[anna]).await;
//! // … sync with url = slapd.ldaps_url, ca_file = slapd.ca_file, bind_dn = slapd.bind_dn,
//! // bind_password = slapd.bind_password, base_dn = testkit::slapd::PEOPLE_DN …
//! let dn = slapd.person_dn("amueller");
//! slapd.modify(&format!("dn: {dn}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 514\n")).await;
//! slapd.set_groups("amueller", &["GG-Durchwahl"]).await;
//! # }
//! ```

mod generated;
mod ldif;

pub use generated::{generated_changes, generated_people};

use crate::tls::Authority;
use ldif::{
    attribute, change_members, dn_of, escape_dn_value, escape_filter_value, group_entry, ou_entry,
    person_entry,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// The directory's root.
pub const BASE_DN: &str = "dc=landkreis,dc=test";
/// Where people are.
pub const PEOPLE_DN: &str = "ou=Benutzer,dc=landkreis,dc=test";
/// Where groups are.
pub const GROUPS_DN: &str = "ou=Gruppen,dc=landkreis,dc=test";
/// The service account a sync binds as.
pub const SYNC_DN: &str = "cn=durchwahl-sync,ou=Dienste,dc=landkreis,dc=test";
/// Its password.
pub const SYNC_PASSWORD: &str = "Sync-Kennwort-21";
/// The groups every directory has, empty until people join them.
pub const GROUPS: [&str; 3] = ["GG-Durchwahl", "GG-Softphone", "GG-Admins"];
const ADMIN_DN: &str = "cn=admin,dc=landkreis,dc=test";
const ADMIN_PASSWORD: &str = "Admin-Kennwort-21";
const SCHEMA: &str = include_str!("../../../tests/ldap/ad-like.schema");
const SLAPD: &str = "/usr/sbin/slapd";
const SLAPADD: &str = "/usr/sbin/slapadd";
const SLAPPASSWD: &str = "/usr/sbin/slappasswd";
/// How long slapd may take to answer after it was started.
const READY_WITHIN: Duration = Duration::from_secs(20);
/// How long slapadd, slappasswd and an ldap-utils client may take.
const TOOL_WITHIN: Duration = Duration::from_secs(120);

/// A person to put into the directory. `TestPerson { login, name, ..Default::default() }`
/// is an enabled person without unit, phone or groups.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestPerson {
    /// `sAMAccountName`, `uid` and the `cn` of the DN.
    pub login: String,
    /// `displayName`; its last word is `sn`, the words before it `givenName`.
    pub name: String,
    /// `department`.
    pub department: Option<String>,
    /// `telephoneNumber`, as admins type it: `+49 7461 926-2401`.
    pub phone: Option<String>,
    /// `ipPhone`, often just the extension.
    pub ip_phone: Option<String>,
    /// `mail`.
    pub mail: Option<String>,
    /// `mobile`.
    pub mobile: Option<String>,
    /// The `cn`s of the person's groups in `ou=Gruppen` (`memberOf`, and `member` there).
    pub groups: Vec<String>,
    /// `userAccountControl` 514 (disabled) instead of 512.
    pub disabled: bool,
    /// Stored as `{SSHA}` in `userPassword`, so the person can bind; none: cannot.
    pub password: Option<String>,
    /// A sub-OU of `ou=Benutzer` to put the person in.
    pub ou: Option<String>,
}

/// A running slapd, stopped and its folder removed when dropped.
pub struct Slapd {
    /// `ldap://127.0.0.1:PORT` (StartTLS offered).
    pub ldap_url: String,
    /// `ldaps://127.0.0.1:PORT`.
    pub ldaps_url: String,
    /// The PEM of the CA that issued the server's certificate.
    pub ca_file: PathBuf,
    /// [`BASE_DN`].
    pub base_dn: String,
    /// The sync's service account, [`SYNC_DN`].
    pub bind_dn: String,
    /// Its password, [`SYNC_PASSWORD`].
    pub bind_password: String,
    ports: (u16, u16),
    child: Option<Child>,
    known: Mutex<Known>,
    dir: TempDir,
}

/// What the directory holds, as far as this harness made it: DNs by login, sub-OUs, groups.
#[derive(Default)]
struct Known {
    dns: HashMap<String, String>,
    ous: BTreeSet<String>,
    groups: BTreeSet<String>,
}

/// Why a started slapd did not come up.
enum NotReady {
    PortTaken,
    Failed(String),
}

impl Slapd {
    /// An empty directory: the OUs, the groups in [`GROUPS`] and the service account.
    pub async fn start() -> Slapd {
        Slapd::start_with(&[]).await
    }

    /// A directory loaded with `people` by `slapadd` before slapd starts (20,000 people in
    /// a few seconds); their groups and sub-OUs are created with them.
    pub async fn start_with(people: &[TestPerson]) -> Slapd {
        let dir = tempfile::Builder::new()
            .prefix("durchwahl-slapd.")
            .tempdir()
            .expect("a temporary folder");
        let ca_file = write_certificates(dir.path());
        std::fs::write(dir.path().join("ad-like.schema"), SCHEMA).expect("write the schema");
        std::fs::create_dir(dir.path().join("data")).expect("create the database folder");
        std::fs::write(dir.path().join("slapd.conf"), config(dir.path()))
            .expect("write slapd.conf");

        let mut known = Known::default();
        let hashes = hash_passwords(people.iter().filter_map(|p| p.password.as_deref())).await;
        let sync_hash = hash_passwords([SYNC_PASSWORD]).await.remove(SYNC_PASSWORD);
        let ldif = initial_ldif(people, &hashes, sync_hash.as_deref(), &mut known);
        let ldif_file = dir.path().join("initial.ldif");
        std::fs::write(&ldif_file, ldif).expect("write the initial LDIF");
        let mut slapadd = Command::new(SLAPADD);
        slapadd
            .arg("-q")
            .arg("-f")
            .arg(dir.path().join("slapd.conf"));
        let slapadd = run_tool(slapadd.arg("-l").arg(&ldif_file), "", TOOL_WITHIN).await;
        assert!(
            slapadd.status.success(),
            "slapadd failed ({}):\n{}",
            slapadd.status,
            String::from_utf8_lossy(&slapadd.stderr)
        );
        std::fs::remove_file(&ldif_file).expect("remove the initial LDIF");

        let mut slapd = Slapd {
            ldap_url: String::new(),
            ldaps_url: String::new(),
            ca_file,
            base_dn: BASE_DN.to_string(),
            bind_dn: SYNC_DN.to_string(),
            bind_password: SYNC_PASSWORD.to_string(),
            ports: (0, 0),
            child: None,
            known: Mutex::new(known),
            dir,
        };
        // Free ports are checked by binding them; should one be taken before slapd binds
        // it, slapd exits and the next pair is tried.
        for _ in 0..5 {
            slapd.ports = (free_port(), free_port());
            if slapd.ports.0 == slapd.ports.1 {
                continue;
            }
            slapd.ldap_url = format!("ldap://127.0.0.1:{}", slapd.ports.0);
            slapd.ldaps_url = format!("ldaps://127.0.0.1:{}", slapd.ports.1);
            match slapd.run().await {
                Ok(()) => return slapd,
                Err(NotReady::PortTaken) => continue,
                Err(NotReady::Failed(why)) => panic!("{why}"),
            }
        }
        panic!("slapd found no free ports in 5 tries:\n{}", slapd.log());
    }

    /// The DN of a person this harness put into the directory; for any other login, where
    /// it would be without a sub-OU.
    pub fn person_dn(&self, login: &str) -> String {
        let known = self.known.lock().expect("not poisoned");
        known
            .dns
            .get(login)
            .cloned()
            .unwrap_or_else(|| dn_of(login, None))
    }

    /// The DN of the group with this `cn`.
    pub fn group_dn(cn: &str) -> String {
        format!("cn={},{GROUPS_DN}", escape_dn_value(cn))
    }

    /// Adds people as the administrator, with their new sub-OUs and groups, and adds them
    /// to their groups' `member`.
    pub async fn add(&self, people: &[TestPerson]) {
        let hashes = hash_passwords(people.iter().filter_map(|p| p.password.as_deref())).await;
        let mut ldif = String::new();
        let mut joining: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut new_groups = BTreeSet::new();
        {
            let mut known = self.known.lock().expect("not poisoned");
            for person in people {
                if let Some(ou) = &person.ou {
                    if known.ous.insert(ou.clone()) {
                        ou_entry(&mut ldif, ou, true);
                    }
                }
                let dn = dn_of(&person.login, person.ou.as_deref());
                let hash = person.password.as_ref().map(|p| hashes[p].as_str());
                person_entry(&mut ldif, person, &dn, hash, true);
                for group in &person.groups {
                    if known.groups.insert(group.clone()) {
                        new_groups.insert(group.clone());
                    }
                    joining.entry(group.clone()).or_default().push(dn.clone());
                }
                known.dns.insert(person.login.clone(), dn);
            }
        }
        for (group, members) in &joining {
            if new_groups.contains(group) {
                group_entry(&mut ldif, group, members, true);
            } else {
                change_members(&mut ldif, &Slapd::group_dn(group), "add", members);
            }
        }
        self.admin("ldapmodify", &[], &ldif).await;
    }

    /// Applies an LDIF of changes (`ldapmodify` as the administrator), exactly as written:
    /// a changed `memberOf` does not change the group's `member` (see [`Slapd::set_groups`]).
    /// Panics with ldapmodify's message when a change fails.
    pub async fn modify(&self, ldif: &str) {
        self.admin("ldapmodify", &[], ldif).await;
    }

    /// Sets a person's groups: `memberOf` on them and `member` on the groups, as AD shows a
    /// membership change. The groups must exist.
    pub async fn set_groups(&self, login: &str, groups: &[&str]) {
        let dn = self.person_dn(login);
        let now: BTreeSet<String> = self.groups_of(&dn).await.into_iter().collect();
        let wanted: BTreeSet<String> = groups.iter().map(|g| Slapd::group_dn(g)).collect();
        let mut ldif = String::new();
        attribute(&mut ldif, "dn", &dn);
        ldif.push_str("changetype: modify\nreplace: memberOf\n");
        for group in &wanted {
            attribute(&mut ldif, "memberOf", group);
        }
        ldif.push_str("-\n\n");
        for group in now.difference(&wanted) {
            change_members(&mut ldif, group, "delete", std::slice::from_ref(&dn));
        }
        for group in wanted.difference(&now) {
            change_members(&mut ldif, group, "add", std::slice::from_ref(&dn));
        }
        self.admin("ldapmodify", &[], &ldif).await;
    }

    /// Deletes an entry as the administrator, and the entry from its groups' `member`.
    pub async fn delete(&self, dn: &str) {
        let mut ldif = String::new();
        for group in self.groups_of(dn).await {
            change_members(&mut ldif, &group, "delete", &[dn.to_string()]);
        }
        attribute(&mut ldif, "dn", dn);
        ldif.push_str("changetype: delete\n\n");
        self.admin("ldapmodify", &[], &ldif).await;
        self.known
            .lock()
            .expect("not poisoned")
            .dns
            .retain(|_, d| d != dn);
    }

    /// Stops slapd (SIGTERM, SIGKILL after 5 s); its URLs refuse connections until
    /// [`Slapd::restart`].
    pub async fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = rustix::process::Pid::from_child(&child);
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        let deadline = Instant::now() + Duration::from_secs(5);
        while child.try_wait().expect("wait for slapd").is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Starts slapd again on the same ports with the same data (stopping it first if it runs).
    pub async fn restart(&mut self) {
        self.stop().await;
        match self.run().await {
            Ok(()) => {}
            Err(NotReady::PortTaken) => {
                panic!(
                    "slapd could not restart: a port was taken meanwhile\n{}",
                    self.log()
                )
            }
            Err(NotReady::Failed(why)) => panic!("{why}"),
        }
    }

    /// The administrator's DN and password, for a benchmark's changes. A sync must never
    /// bind as it: the administrator has no size limit, so paging would go unproven.
    pub fn admin_credentials(&self) -> (&'static str, &'static str) {
        (ADMIN_DN, ADMIN_PASSWORD)
    }

    /// slapd's process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// What slapd wrote to stderr so far (errors only).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("slapd.log")).unwrap_or_default()
    }

    /// Starts slapd on `self.ports` and waits until the service account can bind.
    async fn run(&mut self) -> Result<(), NotReady> {
        let dir = self.dir.path();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("slapd.log"))
            .expect("open slapd.log");
        // `-d none`: stays in the foreground and writes errors (only) to stderr. Running
        // as root needs no `-u`: slapd serves as whoever starts it.
        let child = std::process::Command::new(SLAPD)
            .arg("-d")
            .arg("none")
            .arg("-f")
            .arg(dir.join("slapd.conf"))
            .arg("-h")
            .arg(format!("{}/ {}/", self.ldap_url, self.ldaps_url))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{SLAPD} could not start ({e}); scripts/test installs slapd")
            });
        let child = self.child.insert(child);
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Some(status) = child.try_wait().expect("wait for slapd") {
                self.child = None;
                let log = self.log();
                return Err(if log.contains("Address already in use") {
                    NotReady::PortTaken
                } else {
                    NotReady::Failed(format!("slapd exited at start ({status}):\n{log}"))
                });
            }
            let mut whoami = Command::new("ldapwhoami");
            whoami
                .args(["-x", "-o", "nettimeout=2", "-H", &self.ldap_url])
                .args(["-D", SYNC_DN, "-w", SYNC_PASSWORD]);
            // Not answering within 5 s counts as not ready yet (the tool is killed).
            let answered = tokio::time::timeout(
                Duration::from_secs(5),
                run_tool(&mut whoami, "", TOOL_WITHIN),
            );
            if answered.await.is_ok_and(|out| out.status.success()) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(NotReady::Failed(format!(
                    "slapd did not answer at {} within {READY_WITHIN:?}:\n{}",
                    self.ldap_url,
                    self.log()
                )));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The groups whose `member` holds `dn`.
    async fn groups_of(&self, dn: &str) -> Vec<String> {
        let filter = format!("(member={})", escape_filter_value(dn));
        let out = self
            .admin(
                "ldapsearch",
                &[
                    "-LLL",
                    "-o",
                    "ldif-wrap=no",
                    "-b",
                    GROUPS_DN,
                    &filter,
                    "1.1",
                ],
                "",
            )
            .await;
        out.lines()
            .filter_map(|line| line.strip_prefix("dn: "))
            .map(str::to_string)
            .collect()
    }

    /// Runs an ldap-utils tool as the administrator with `input` on stdin; panics with
    /// its stderr when it fails. Returns its stdout.
    async fn admin(&self, tool: &str, args: &[&str], input: &str) -> String {
        let mut command = Command::new(tool);
        command
            .args(["-x", "-H", &self.ldap_url])
            .args(["-D", ADMIN_DN, "-w", ADMIN_PASSWORD])
            .args(args);
        let output = run_tool(&mut command, input, TOOL_WITHIN).await;
        if !output.status.success() {
            let shown: String = input.chars().take(4000).collect();
            panic!(
                "{tool} failed ({}): {}\ninput:\n{shown}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The config: old-style `slapd.conf` for one test, everything inside `dir`.
fn config(dir: &Path) -> String {
    let dir = dir.display();
    // Debian builds back-mdb as a module; other builds may have it built in.
    let module = if Path::new("/usr/lib/ldap/back_mdb.so").exists() {
        "modulepath /usr/lib/ldap\nmoduleload back_mdb\n"
    } else {
        ""
    };
    format!(
        r#"# Written by testkit::slapd for one test, removed with its folder.
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include "{dir}/ad-like.schema"
pidfile "{dir}/slapd.pid"
argsfile "{dir}/slapd.args"
{module}
# A search that does not page stops at 500 entries (sizeLimitExceeded), as AD stops at
# its MaxPageSize; a paged search gets everything, page by page. The administrator
# (rootdn) has no limit.
sizelimit size.soft=500 size.hard=500 size.prtotal=unlimited

TLSCACertificateFile "{dir}/ca.pem"
TLSCertificateFile "{dir}/server.pem"
TLSCertificateKeyFile "{dir}/server.key"

database mdb
suffix "{BASE_DN}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory "{dir}/data"
maxsize 4294967296
# Thrown away after the test: no fsync.
dbnosync
index objectClass eq
index cn,uid,sAMAccountName,mail eq
index member,memberOf eq
index entryUUID eq
index modifyTimestamp eq

# Passwords serve binds only, as in AD: nobody reads them.
access to attrs=userPassword
    by self write
    by anonymous auth
    by * none
# The sync's service account and every signed-in person read the rest; anonymous nothing.
access to *
    by dn.exact="{SYNC_DN}" read
    by users read
    by * none
"#
    )
}

/// A CA and a server certificate for 127.0.0.1 and localhost; returns the CA's file.
fn write_certificates(dir: &Path) -> PathBuf {
    let authority = Authority::new("Landkreis Test LDAP CA");
    let server = authority.issue("127.0.0.1", &["127.0.0.1", "localhost"]);
    std::fs::write(dir.join("server.pem"), &server.cert_pem).expect("write server.pem");
    std::fs::write(dir.join("server.key"), &server.key_pem).expect("write server.key");
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, &authority.cert_pem).expect("write ca.pem");
    ca_file
}

/// `{SSHA}` hashes by `slappasswd`, one run per distinct password.
async fn hash_passwords<'a>(
    passwords: impl IntoIterator<Item = &'a str>,
) -> HashMap<String, String> {
    let mut hashes = HashMap::new();
    for password in passwords {
        if hashes.contains_key(password) {
            continue;
        }
        let mut slappasswd = Command::new(SLAPPASSWD);
        slappasswd.args(["-h", "{SSHA}", "-s", password]);
        let out = run_tool(&mut slappasswd, "", TOOL_WITHIN).await;
        assert!(
            out.status.success(),
            "slappasswd: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let hash = String::from_utf8(out.stdout)
            .expect("an ASCII hash")
            .trim()
            .to_string();
        hashes.insert(password.to_string(), hash);
    }
    hashes
}

/// Everything slapadd loads: the tree, the service account, sub-OUs, people, groups.
fn initial_ldif(
    people: &[TestPerson],
    hashes: &HashMap<String, String>,
    sync_hash: Option<&str>,
    known: &mut Known,
) -> String {
    let mut ldif = format!(
        "dn: {BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\ndc: landkreis\no: Landkreis Test\n\n"
    );
    for ou in ["Benutzer", "Gruppen", "Dienste"] {
        write!(
            ldif,
            "dn: ou={ou},{BASE_DN}\nobjectClass: organizationalUnit\nou: {ou}\n\n"
        )
        .expect("a String");
    }
    ldif.push_str(&format!(
        "dn: {SYNC_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n\
         cn: durchwahl-sync\ndescription: Durchwahl directory sync (read only)\nuserPassword: {}\n\n",
        sync_hash.expect("the service account's hash")
    ));
    for ou in people.iter().filter_map(|p| p.ou.as_ref()) {
        if known.ous.insert(ou.clone()) {
            ou_entry(&mut ldif, ou, false);
        }
    }
    let mut members: BTreeMap<String, Vec<String>> =
        GROUPS.iter().map(|g| (g.to_string(), Vec::new())).collect();
    for person in people {
        let dn = dn_of(&person.login, person.ou.as_deref());
        let hash = person.password.as_ref().map(|p| hashes[p].as_str());
        person_entry(&mut ldif, person, &dn, hash, false);
        for group in &person.groups {
            members.entry(group.clone()).or_default().push(dn.clone());
        }
        let earlier = known.dns.insert(person.login.clone(), dn);
        assert!(
            earlier.is_none(),
            "two people with the login {}",
            person.login
        );
    }
    for (group, members) in &members {
        group_entry(&mut ldif, group, members, false);
        known.groups.insert(group.clone());
    }
    ldif
}

/// Runs a tool to its end with `input` on stdin (written while the output is read, so a
/// large LDIF cannot block on a full pipe); panics when it cannot start or takes longer
/// than `within` (it is killed then).
async fn run_tool(command: &mut Command, input: &str, within: Duration) -> Output {
    let program = command
        .as_std()
        .get_program()
        .to_string_lossy()
        .into_owned();
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{program} could not start ({e}); scripts/test installs slapd and ldap-utils")
        });
    let mut stdin = child.stdin.take().expect("stdin");
    let write = async move {
        // A tool that stops reading early says why in its exit status and stderr.
        let _ = stdin.write_all(input.as_bytes()).await;
    };
    let run = async { tokio::join!(write, child.wait_with_output()).1 };
    match tokio::time::timeout(within, run).await {
        Ok(output) => output.unwrap_or_else(|e| panic!("{program}: {e}")),
        Err(_) => panic!("{program} did not finish within {within:?}"),
    }
}

/// A loopback port below Linux's range for outgoing connections (32768–60999), so no
/// outgoing connection takes it between a stop and a restart; checked by binding it.
fn free_port() -> u16 {
    loop {
        let random = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        let port = 20_000 + (random % 12_768) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}
