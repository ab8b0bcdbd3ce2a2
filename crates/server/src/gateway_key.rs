//! The access gateway's signing key, `DATA_DIR/gateway-signing.key` (issue 20,
//! `docs/gateway.md`): an Ed25519 key (PKCS#8) made with mode 0600 at the first start and
//! read at every start; upstreams verify the identity tokens it signs with the public key
//! at `/.well-known/jwks.json`. A backup holds it like every file of the data folder; a
//! lost key is replaced by a new one at the next start, and upstreams that cache the key
//! set fetch it again (its `kid` changes). Never logged.

use anyhow::Context;
use std::path::Path;
use web::gateway::signer::IdentitySigner;

/// The key file's name in the data folder.
pub const FILE_NAME: &str = "gateway-signing.key";

/// The signing key of this data folder, made at the first start.
pub fn load(data_dir: &Path) -> anyhow::Result<IdentitySigner> {
    let path = data_dir.join(FILE_NAME);
    match std::fs::read(&path) {
        Ok(bytes) => IdentitySigner::from_pkcs8(&bytes).with_context(|| {
            format!(
                "{} is not the gateway's signing key: restore it from the backup, or move it \
                 away and a new key is made at the next start",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let pkcs8 = IdentitySigner::generate_pkcs8();
            if crate::secrets_key::write_new_key_file(data_dir, &path, &pkcs8)? {
                tracing::info!(file = %path.display(), "made the gateway's signing key");
                Ok(IdentitySigner::from_pkcs8(&pkcs8)?)
            } else {
                load(data_dir)
            }
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_key_is_made_once_with_mode_0600_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = load(dir.path()).unwrap();
        let path = dir.path().join(FILE_NAME);
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(load(dir.path()).unwrap().kid(), first.kid());
        std::fs::write(&path, b"garbage").unwrap();
        assert!(load(dir.path()).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"garbage");
    }
}
