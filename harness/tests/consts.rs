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
    assert_eq!(imp::FRANKING_COMMIT_LABEL, spec::FRANKING_COMMIT_LABEL);
    assert_eq!(imp::FRANKING_STAMP_LABEL, spec::FRANKING_STAMP_LABEL);
    assert_eq!(imp::MSG_FRANKED, spec::MSG_FRANKED);
    assert_eq!(imp::MSG_STAMPED, spec::MSG_STAMPED);
    assert_eq!(imp::MSG_REPORT, spec::MSG_REPORT);
    assert_eq!(imp::FRANKING_KEY_LEN, spec::FRANKING_KEY_LEN);
    assert_eq!(imp::COMMITMENT_LEN, spec::COMMITMENT_LEN);
    assert_eq!(imp::STAMP_LEN, spec::STAMP_LEN);
    assert_eq!(imp::MAX_PARTY_ID_LEN, spec::MAX_PARTY_ID_LEN);
    assert_eq!(
        imp::MAX_FRANKED_PLAINTEXT_LEN,
        spec::MAX_FRANKED_PLAINTEXT_LEN
    );
    assert_eq!(imp::SUBMISSION_FIXED_LEN, spec::SUBMISSION_FIXED_LEN);
    assert_eq!(imp::DELIVERY_FIXED_LEN, spec::DELIVERY_FIXED_LEN);
    assert_eq!(imp::MAX_INNER_LEN, spec::MAX_INNER_LEN);
    assert_eq!(imp::AD_LEN, spec::AD_LEN);
    assert_eq!(imp::RATCHET_HEADER_LEN, spec::RATCHET_HEADER_LEN);
    assert_eq!(imp::TAG_LEN, spec::TAG_LEN);
    assert_eq!(imp::PREKEY_HEADER_LEN, spec::PREKEY_HEADER_LEN);
    assert_eq!(imp::BUNDLE_LEN, spec::BUNDLE_LEN);
    assert_eq!(imp::STATE_FIXED_LEN, spec::STATE_FIXED_LEN);
    assert_eq!(imp::SKIPPED_KEY_LEN, spec::SKIPPED_KEY_LEN);
    assert_eq!(imp::STATE_FLAG_DHR, spec::STATE_FLAG_DHR);
    assert_eq!(imp::STATE_FLAG_CKS, spec::STATE_FLAG_CKS);
    assert_eq!(imp::STATE_FLAG_CKR, spec::STATE_FLAG_CKR);
    assert_eq!(
        imp::STATE_FLAG_PENDING_PREKEY,
        spec::STATE_FLAG_PENDING_PREKEY
    );
    assert_eq!(imp::STATE_FLAG_PREKEY_HASH, spec::STATE_FLAG_PREKEY_HASH);
    assert_eq!(imp::STATE_FLAGS_RESERVED, spec::STATE_FLAGS_RESERVED);
    assert_eq!(imp::STATE_OFFSET_FLAGS, spec::STATE_OFFSET_FLAGS);
    assert_eq!(imp::STATE_OFFSET_AD, spec::STATE_OFFSET_AD);
    assert_eq!(imp::STATE_OFFSET_DHS, spec::STATE_OFFSET_DHS);
    assert_eq!(imp::STATE_OFFSET_DHR, spec::STATE_OFFSET_DHR);
    assert_eq!(imp::STATE_OFFSET_RK, spec::STATE_OFFSET_RK);
    assert_eq!(imp::STATE_OFFSET_CKS, spec::STATE_OFFSET_CKS);
    assert_eq!(imp::STATE_OFFSET_CKR, spec::STATE_OFFSET_CKR);
    assert_eq!(imp::STATE_OFFSET_NS, spec::STATE_OFFSET_NS);
    assert_eq!(imp::STATE_OFFSET_NR, spec::STATE_OFFSET_NR);
    assert_eq!(imp::STATE_OFFSET_PN, spec::STATE_OFFSET_PN);
    assert_eq!(
        imp::STATE_OFFSET_PREKEY_HASH,
        spec::STATE_OFFSET_PREKEY_HASH
    );
    assert_eq!(imp::STATE_OFFSET_COUNT, spec::STATE_OFFSET_COUNT);
}
