//! SHA-256 while bytes pass: every file is hashed as it is read for the manifest, hashed
//! again as it goes into the archive, and once more as a restore writes it out.

use sha2::{Digest, Sha256};
use std::io::{self, Read, Write};

/// Lowercase hex of a finished hash.
fn hex(hasher: Sha256) -> String {
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Size and SHA-256 of everything `reader` yields.
pub fn of_reader(mut reader: impl Read) -> io::Result<(u64, String)> {
    let mut writer = Hashing::new(io::sink());
    let size = io::copy(&mut reader, &mut writer)?;
    Ok((size, writer.finish().1))
}

/// A reader or writer that hashes what passes through it.
pub struct Hashing<T> {
    inner: T,
    hasher: Sha256,
    count: u64,
}

impl<T> Hashing<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
            count: 0,
        }
    }

    /// The bytes that passed and their SHA-256 (lowercase hex).
    pub fn finish(self) -> (u64, String) {
        let (_, count, sha256) = self.into_parts();
        (count, sha256)
    }

    /// The wrapped reader or writer, the bytes that passed and their SHA-256.
    pub fn into_parts(self) -> (T, u64, String) {
        (self.inner, self.count, hex(self.hasher))
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_known_hash_of_abc() {
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            super::of_reader(&b"abc"[..]).unwrap(),
            (
                3,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".into()
            )
        );
    }
}
