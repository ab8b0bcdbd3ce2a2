//! Any bytes into the staff CSV parser and the import planner (directory::fuzzing::staff_csv
//! says which invariants hold); an ordinary test in the directory crate runs the body over
//! the seeds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| directory::fuzzing::staff_csv(data));
