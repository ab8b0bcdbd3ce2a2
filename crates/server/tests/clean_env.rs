//! A stray `DURCHWAHL_*` variable in the developer's shell changes no test: the test
//! helpers start the binary without inheriting any. Its own test binary, so that setting
//! variables in this process touches no other test.

mod common;

/// The test process has a listen address the binary would refuse and a variable it does
/// not know (either alone stops it at start-up); the CLI and the server still run.
#[test]
fn stray_durchwahl_variables_do_not_reach_the_binary() {
    // The only test in this binary: nothing else reads the environment concurrently.
    std::env::set_var("DURCHWAHL_HTTP_LISTEN", "not an address");
    std::env::set_var("DURCHWAHL_NO_SUCH_SETTING", "1");

    // setup() imports staff and sets passwords through the CLI, then starts the server.
    let s = common::process::setup("");
    let reply = s.client().get("/healthz");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        s.server.address.starts_with("127.0.0.1:"),
        "listening where the test said, not where the stray variable says: {}",
        s.server.address
    );

    // Variables a test sets on the command still reach it.
    let mut cmd = testkit::process::command(common::BIN);
    cmd.args(["users", "list", "--data-dir", "/nonexistent/durchwahl-test"])
        .env("DURCHWAHL_DATABASE_URL", "durchwahl.db");
    let out = testkit::process::run_with_input(cmd, "");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
