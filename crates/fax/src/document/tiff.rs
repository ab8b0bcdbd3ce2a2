//! Counting the pages of a TIFF by walking its chain of image file directories (TIFF 6.0
//! §2: header, then IFDs linked by offsets). Pure: bytes in, a count or `None` out.

/// No fax has more pages than this; a longer chain is taken as a loop or garbage.
const MAX_PAGES: u32 = 10_000;

/// The number of pages (IFDs) of a TIFF, or `None` when `tiff` is not a well-formed
/// classic TIFF (bad header, an IFD outside the file, a loop in the chain).
pub fn page_count(tiff: &[u8]) -> Option<u32> {
    let big_endian = match tiff.get(..4)? {
        [b'I', b'I', 42, 0] => false,
        [b'M', b'M', 0, 42] => true,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = tiff.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let mut offset = u32_at(4)?;
    let mut pages = 0;
    let mut last = 0;
    while offset != 0 {
        // IFDs of one writer follow each other forwards; requiring it rules out loops.
        if offset <= last || pages == MAX_PAGES {
            return None;
        }
        last = offset;
        let at = usize::try_from(offset).ok()?;
        let entries = usize::from(u16_at(at)?);
        offset = u32_at(at.checked_add(2 + 12 * entries)?)?;
        pages += 1;
    }
    Some(pages)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A little-endian TIFF with `pages` empty IFDs one after another.
    fn tiff(pages: u32) -> Vec<u8> {
        let mut out = b"II\x2A\x00".to_vec();
        out.extend_from_slice(&(if pages == 0 { 0u32 } else { 8 }).to_le_bytes());
        for page in 0..pages {
            out.extend_from_slice(&0u16.to_le_bytes());
            let next = if page + 1 == pages {
                0
            } else {
                8 + 6 * (page + 1)
            };
            out.extend_from_slice(&next.to_le_bytes());
        }
        out
    }

    #[test]
    fn counts_the_ifd_chain() {
        assert_eq!(page_count(&tiff(0)), Some(0));
        assert_eq!(page_count(&tiff(1)), Some(1));
        assert_eq!(page_count(&tiff(3)), Some(3));
        let mut big = b"MM\x00\x2A\x00\x00\x00\x08".to_vec();
        big.extend_from_slice(&[0, 1, 1, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(page_count(&big), Some(1));
    }

    #[test]
    fn broken_files_are_none() {
        assert_eq!(page_count(b""), None);
        assert_eq!(page_count(b"%PDF-1.4"), None);
        let mut cut = tiff(2);
        cut.truncate(cut.len() - 2);
        assert_eq!(page_count(&cut), None);
        // An IFD pointing back at itself.
        let mut looped = tiff(1);
        looped[10..14].copy_from_slice(&8u32.to_le_bytes());
        assert_eq!(page_count(&looped), None);
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(mut bytes in proptest::collection::vec(any::<u8>(), 0..400), le in any::<bool>()) {
            if bytes.len() >= 4 {
                bytes[..4].copy_from_slice(if le { b"II\x2A\x00" } else { b"MM\x00\x2A" });
            }
            let _ = page_count(&bytes);
        }
    }
}
