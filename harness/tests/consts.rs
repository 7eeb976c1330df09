//! The implementation keeps its own copy of SPEC §1's constants (it must not depend on
//! the spec at run time); this test keeps the two copies equal, constant by constant.

use lockstep::consts as imp;
use lockstep_spec::consts as spec;

#[test]
fn impl_constants_equal_spec_constants() {
    assert_eq!(imp::VERSION, spec::VERSION);
    assert_eq!(imp::MSG_PREKEY, spec::MSG_PREKEY);
    assert_eq!(imp::MSG_RATCHET, spec::MSG_RATCHET);
    assert_eq!(imp::INFO_PQXDH, spec::INFO_PQXDH);
    assert_eq!(imp::INFO_RATCHET, spec::INFO_RATCHET);
    assert_eq!(imp::INFO_MESSAGE_KEYS, spec::INFO_MESSAGE_KEYS);
    assert_eq!(imp::F, spec::F);
    assert_eq!(imp::MK_CONSTANT, spec::MK_CONSTANT);
    assert_eq!(imp::CK_CONSTANT, spec::CK_CONSTANT);
    assert_eq!(imp::EC_PREFIX, spec::EC_PREFIX);
    assert_eq!(imp::KEM_PREFIX, spec::KEM_PREFIX);
    assert_eq!(imp::MAX_SKIP, spec::MAX_SKIP);
    assert_eq!(imp::MAX_STORED_SKIPPED_KEYS, spec::MAX_STORED_SKIPPED_KEYS);
    assert_eq!(imp::MAX_PLAINTEXT_LEN, spec::MAX_PLAINTEXT_LEN);
    assert_eq!(imp::AD_LEN, spec::AD_LEN);
    assert_eq!(imp::RATCHET_HEADER_LEN, spec::RATCHET_HEADER_LEN);
    assert_eq!(imp::TAG_LEN, spec::TAG_LEN);
    assert_eq!(imp::PREKEY_HEADER_LEN, spec::PREKEY_HEADER_LEN);
    assert_eq!(imp::BUNDLE_LEN, spec::BUNDLE_LEN);
    assert_eq!(imp::STATE_FIXED_LEN, spec::STATE_FIXED_LEN);
    assert_eq!(imp::SKIPPED_KEY_LEN, spec::SKIPPED_KEY_LEN);
}
