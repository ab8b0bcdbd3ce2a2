//! Shared set-up of the SIP end-to-end tests against sipp: provisioning through the CLI,
//! the server with its SIP address, bounded sipp runs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use testkit::process::ServerProcess;
use testkit::TestDb;

pub const BIN: &str = env!("CARGO_BIN_EXE_durchwahl");
pub const DOMAIN: &str = "bench.local";

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn scenario(name: &str) -> String {
    repo()
        .join("tests/sip/scenarios")
        .join(name)
        .display()
        .to_string()
}

pub fn durchwahl(db: &TestDb, args: &[&str]) -> String {
    durchwahl_with_input(db, args, "")
}

pub fn durchwahl_with_input(db: &TestDb, args: &[&str], stdin: &str) -> String {
    let mut cmd = testkit::process::command(BIN);
    cmd.args(args)
        .args(["--database-url", db.url.unredacted(), "--log-level", "warn"])
        .env("DURCHWAHL_SIP_DOMAIN", DOMAIN);
    let out = testkit::process::run_with_input(cmd, stdin);
    assert!(
        out.status.success(),
        "{}: durchwahl {args:?}: {}",
        db.label,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A device's credentials from the `phones import` output.
#[derive(Clone, Debug)]
pub struct Device {
    pub login: String,
    pub user: String,
    pub password: String,
}

/// Imports `staff` (`users import` CSV) and `phones` (`phones import` CSV) and returns
/// the devices in file order.
pub fn import(db: &TestDb, dir: &Path, staff: &str, phones: &str) -> Vec<Device> {
    let staff_file = dir.join("staff.csv");
    std::fs::write(&staff_file, staff).unwrap();
    durchwahl(db, &["users", "import", staff_file.to_str().unwrap()]);

    let phones_file = dir.join("phones.csv");
    let creds = dir.join("creds.csv");
    std::fs::write(&phones_file, phones).unwrap();
    durchwahl(
        db,
        &[
            "phones",
            "import",
            phones_file.to_str().unwrap(),
            "--out",
            creds.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&creds).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("login,label,sip_username,sip_password,extension,domain")
    );
    lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f[5], DOMAIN, "{line}");
            Device {
                login: f[0].into(),
                user: f[2].into(),
                password: f[3].into(),
            }
        })
        .collect()
}

/// The server on `db` (log appended to `log`) and its SIP address.
pub fn serve(db: &TestDb, sip_listen: &str, log: &Path) -> (ServerProcess, String) {
    serve_with_config(db, sip_listen, log, "")
}

/// [`serve`] with a configuration file holding `config` (TOML), next to the log.
pub fn serve_with_config(
    db: &TestDb,
    sip_listen: &str,
    log: &Path,
    config: &str,
) -> (ServerProcess, String) {
    let file = log.with_extension("toml");
    std::fs::write(&file, config).unwrap();
    let mut cmd = testkit::process::command(BIN);
    cmd.args(["--config", file.to_str().unwrap()]);
    cmd.args([
        "serve",
        "--http-listen",
        "127.0.0.1:0",
        "--sip-listen",
        sip_listen,
        "--database-url",
        db.url.unredacted(),
        "--log-level",
        "info",
    ])
    // The data folder (its key file, secrets.key) next to the log, not /var/lib/durchwahl.
    .args(["--data-dir", log.with_extension("data").to_str().unwrap()])
    .env("DURCHWAHL_SIP_DOMAIN", DOMAIN)
    .stderr(
        std::fs::File::options()
            .append(true)
            .create(true)
            .open(log)
            .unwrap(),
    );
    let server = ServerProcess::start(cmd);
    let sip = server
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("sip listening on "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no SIP address in {:?}", server.stdout))
        .to_string();
    (server, sip)
}

pub fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A bounded sipp run; `csv` holds `user;password` lines.
pub fn sipp(dir: &Path, name: &str, scenario_file: &str, port: u16, extra: &[&str]) -> Command {
    let mut cmd = Command::new("timeout");
    cmd.args(["-k", "5", "60", "sipp", "-sf"])
        .arg(scenario(scenario_file))
        .args(["-key", "domain", DOMAIN, "-i", "127.0.0.1", "-p"])
        .arg(port.to_string())
        .args(["-nostdin", "-timeout", "30s", "-timeout_error"])
        .args(["-recv_timeout", "10000", "-trace_err", "-error_file"])
        .arg(dir.join(format!("{name}.err")))
        .args(extra)
        .stdout(std::process::Stdio::null());
    cmd
}

pub fn credentials(dir: &Path, name: &str, devices: &[&Device]) -> String {
    let path = dir.join(format!("{name}.csv"));
    let mut text = String::from("SEQUENTIAL\n");
    for d in devices {
        text += &format!("{};{}\n", d.user, d.password);
    }
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

pub fn succeeded(dir: &Path, name: &str, out: std::io::Result<Output>) {
    let out = out.expect("run sipp (is sip-tester installed? scripts/test installs it)");
    let errors = std::fs::read_to_string(dir.join(format!("{name}.err"))).unwrap_or_default();
    assert!(
        out.status.success(),
        "sipp {name}: {:?}\n{errors}",
        out.status
    );
}

/// Registers `device` with its contact on `port` and keeps the binding.
pub fn register(dir: &Path, server: &str, device: &Device, port: u16) {
    let name = format!("register-{}-{port}", device.user);
    let csv = credentials(dir, &name, &[device]);
    let out = sipp(dir, &name, "register_only.xml", port, &["-inf", &csv])
        .args(["-m", "1", server])
        .output();
    succeeded(dir, &name, out);
}

/// Runs sipp with `file` on `port` (bounded: killed after 60 s), writing its messages and
/// errors next to `dir/name`.
pub fn spawn_sipp(dir: &Path, name: &str, file: &str, port: u16, extra: &[&str]) -> Child {
    Command::new("timeout")
        .args([
            "-k",
            "5",
            "60",
            "sipp",
            "-sf",
            &scenario(file),
            "-i",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .args([
            "-nostdin",
            "-timeout",
            "40s",
            "-timeout_error",
            "-trace_err",
            "-error_file",
        ])
        .arg(dir.join(format!("{name}.err")))
        .args(["-trace_msg", "-message_file"])
        .arg(dir.join(format!("{name}.msg")))
        .args(extra)
        .stdout(Stdio::null())
        .current_dir(dir)
        .spawn()
        .expect("run sipp (scripts/test installs sip-tester)")
}

/// Waits for sipp to end; asserts it succeeded; returns the messages it saw.
pub fn finished(mut child: Child, dir: &Path, name: &str) -> String {
    let status = child.wait().unwrap();
    let messages = std::fs::read_to_string(dir.join(format!("{name}.msg"))).unwrap_or_default();
    let errors = std::fs::read_to_string(dir.join(format!("{name}.err"))).unwrap_or_default();
    assert!(
        status.success(),
        "sipp {name}: {status:?}\n{errors}\n{messages}"
    );
    messages
}

/// The configuration of an IP-based (or registering) trunk at the carrier `carrier`,
/// listening on `trunk`, with the number block +49 9321 928-…; Bärbel may call internal
/// numbers only.
pub fn trunk_config(carrier: u16, trunk: u16, mode: &str) -> String {
    format!(
        "[calls]\narea_code = \"9321\"\npermissions = {{ \"b.user\" = \"internal\" }}\n\
         [[trunks]]\nname = \"Testträger\"\nproxy = \"127.0.0.1:{carrier}\"\nlisten = \"127.0.0.1:{trunk}\"\n\
         mode = \"{mode}\"\nnumber_block = \"+499321928\"\n"
    )
}
