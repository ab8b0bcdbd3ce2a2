//! Any bytes into the staff CSV parser and the import planner: no panic, and every row it
//! accepts survives an export/parse round trip unchanged.
#![no_main]

use directory::{parse_staff_csv, plan_import, write_staff_csv, DirectorySnapshot};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
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
});
