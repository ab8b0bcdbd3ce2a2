//! The body of the fuzz target in `fuzz/`, here so that an ordinary test runs it over the
//! committed seed corpus (and it cannot rot while nobody runs the fuzzer).

use crate::{parse_staff_csv, plan_import, write_staff_csv, DirectorySnapshot};

/// The body of the `staff_csv` fuzz target; panics on a broken invariant.
///
/// Any bytes into the staff CSV parser and the import planner: no panic, and when the
/// plan has no problems, every row survives an export/parse round trip unchanged.
pub fn staff_csv(data: &[u8]) {
    let parsed = parse_staff_csv(data);
    let rows: Vec<_> = parsed.rows.iter().map(|r| r.record.clone()).collect();
    let dialect = parsed.dialect;
    let plan = plan_import(&DirectorySnapshot::default(), parsed);
    if plan.problems.is_empty() {
        let again = parse_staff_csv(&write_staff_csv(&rows, dialect, false));
        assert!(again.problems.is_empty(), "{:?}", again.problems);
        let back: Vec<_> = again.rows.into_iter().map(|r| r.record).collect();
        assert_eq!(back, rows);
    }
}

#[cfg(test)]
mod tests {
    /// Every seed of `fuzz/corpus/staff_csv`.
    #[test]
    fn the_committed_corpus_keeps_every_invariant() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/staff_csv");
        let mut seeds = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| super::staff_csv(&data));
            assert!(outcome.is_ok(), "{} breaks an invariant", path.display());
            seeds += 1;
        }
        assert!(seeds >= 4, "only {seeds} seeds in {}", dir.display());
    }
}
