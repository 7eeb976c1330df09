//! `conversation_impl`: see `lockstep_harness::fuzz::conversation_impl` for what it checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = lockstep_harness::fuzz::conversation_impl(data) {
        panic!("{finding}");
    }
});
