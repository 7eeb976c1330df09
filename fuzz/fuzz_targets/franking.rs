//! `franking`: see `lockstep_harness::fuzz::franking` for what it checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = lockstep_harness::fuzz::franking(data) {
        panic!("{finding}");
    }
});
