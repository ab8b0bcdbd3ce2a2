//! Rebuilds when a file is added to or removed from the web client: rust-embed embeds
//! each file with `include_bytes!`, which notices changed files but not new ones.
fn main() {
    println!("cargo:rerun-if-changed=../../web-client");
}
