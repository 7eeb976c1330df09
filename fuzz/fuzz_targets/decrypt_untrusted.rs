//! `decrypt_untrusted`: see `lockstep_harness::fuzz::decrypt_untrusted` for what it checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = lockstep_harness::fuzz::decrypt_untrusted(data) {
        panic!("{finding}");
    }
});
