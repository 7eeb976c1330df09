//! docs/SPEC.md §1 and §9.1: every constant, label and bound of Lockstep v1 and of its
//! franking extension, in one place.

/// SPEC §1: the version byte that starts every message, bundle and state.
pub const VERSION: u8 = 0x01;
/// SPEC §1, §5.2: the type byte of a PreKey message.
pub const MSG_PREKEY: u8 = 0x01;
/// SPEC §1, §5.1: the type byte of a ratchet message.
pub const MSG_RATCHET: u8 = 0x02;

/// SPEC §1; PQXDH rev 2 §2.1 "info": the application's info string for the PQXDH
/// KDF, naming the curve, the hash and the KEM, joined with `_` (at least 8 ASCII
/// bytes, as PQXDH asks).
pub const INFO_PQXDH: &[u8] = b"Lockstep_X25519_SHA-256_ML-KEM-1024";
/// SPEC §1, §4.1: the info string of `KDF_RK` (DR §5.2 leaves it to the application).
pub const INFO_RATCHET: &[u8] = b"Lockstep_Ratchet";
/// SPEC §1, §4.2: the info string of the per-message key and nonce derivation.
pub const INFO_MESSAGE_KEYS: &[u8] = b"Lockstep_MessageKeys";

/// SPEC §1; PQXDH rev 2 §2.2: `F`, 32 bytes 0xFF for curve X25519, in front of the
/// KDF input "for cryptographic domain separation with XEdDSA".
pub const F: [u8; 32] = [0xFF; 32];

/// SPEC §1, §4.1; DR §5.2: `KDF_CK`'s input for the message key.
pub const MK_CONSTANT: u8 = 0x01;
/// SPEC §1, §4.1; DR §5.2: `KDF_CK`'s input for the next chain key.
pub const CK_CONSTANT: u8 = 0x02;

/// SPEC §2: the first byte of `EncodeEC` (libsignal's X25519 key type byte).
pub const EC_PREFIX: u8 = 0x05;
/// SPEC §2: the first byte of `EncodeKEM` (libsignal's ML-KEM-1024 key type byte).
pub const KEM_PREFIX: u8 = 0x0A;

/// SPEC §1; DR §3.2 `MAX_SKIP`: the most message keys one message may make a
/// receiving chain skip.
pub const MAX_SKIP: u32 = 2000;
/// SPEC §1, §4.6: the most skipped message keys a session holds; the oldest is
/// evicted first.
pub const MAX_STORED_SKIPPED_KEYS: usize = 2000;
/// SPEC §1, §4.5: the largest plaintext of one message.
pub const MAX_PLAINTEXT_LEN: usize = 65536;

/// SPEC §3.4: the length of `AD = EncodeEC(IK_A) ‖ EncodeEC(IK_B)`.
pub const AD_LEN: usize = 66;
/// SPEC §5.1: the length of a ratchet message's header `H`.
pub const RATCHET_HEADER_LEN: usize = 42;
/// SPEC §5.1: the length of the AEAD tag that ends every ciphertext.
pub const TAG_LEN: usize = 16;
/// SPEC §5.2: the length of a PreKey message's PreKey header.
pub const PREKEY_HEADER_LEN: usize = 1647;
/// SPEC §3.2: the length of an encoded prekey bundle.
pub const BUNDLE_LEN: usize = 1807;
/// SPEC §6: the length of a session state with no skipped keys and no pending
/// PreKey header.
pub const STATE_FIXED_LEN: usize = 276;
/// SPEC §6: the length of one stored skipped key, `dh ‖ n ‖ mk`.
pub const SKIPPED_KEY_LEN: usize = 68;

// SPEC §6: the layout of a session state encoding, used by the encoder and the
// decoder (and, through this module, by the harness that reads states).

/// SPEC §6: flag bit 0, `DHr` present.
pub const STATE_FLAG_DHR: u8 = 0x01;
/// SPEC §6: flag bit 1, `CKs` present.
pub const STATE_FLAG_CKS: u8 = 0x02;
/// SPEC §6: flag bit 2, `CKr` present.
pub const STATE_FLAG_CKR: u8 = 0x04;
/// SPEC §6: flag bit 3, `pending_prekey` present.
pub const STATE_FLAG_PENDING_PREKEY: u8 = 0x08;
/// SPEC §6: flag bit 4, `prekey_hash` present.
pub const STATE_FLAG_PREKEY_HASH: u8 = 0x10;
/// SPEC §6: bits 5-7 of the flags, which must be zero.
pub const STATE_FLAGS_RESERVED: u8 = 0xE0;

/// SPEC §6: the offset of the flags.
pub const STATE_OFFSET_FLAGS: usize = 1;
/// SPEC §6: the offset of `AD`.
pub const STATE_OFFSET_AD: usize = 2;
/// SPEC §6: the offset of the `DHs` private key.
pub const STATE_OFFSET_DHS: usize = 68;
/// SPEC §6: the offset of `DHr`.
pub const STATE_OFFSET_DHR: usize = 100;
/// SPEC §6: the offset of `RK`.
pub const STATE_OFFSET_RK: usize = 132;
/// SPEC §6: the offset of `CKs`.
pub const STATE_OFFSET_CKS: usize = 164;
/// SPEC §6: the offset of `CKr`.
pub const STATE_OFFSET_CKR: usize = 196;
/// SPEC §6: the offset of `Ns`.
pub const STATE_OFFSET_NS: usize = 228;
/// SPEC §6: the offset of `Nr`.
pub const STATE_OFFSET_NR: usize = 232;
/// SPEC §6: the offset of `PN`.
pub const STATE_OFFSET_PN: usize = 236;
/// SPEC §6: the offset of `prekey_hash`.
pub const STATE_OFFSET_PREKEY_HASH: usize = 240;
/// SPEC §6: the offset of `count`.
pub const STATE_OFFSET_COUNT: usize = 272;

// SPEC §9.1: the franking extension's constants, and the lengths of its encodings
// (SPEC §9.3).

/// SPEC §9.1, §9.2: the label in front of `Commit`'s HMAC input.
pub const FRANKING_COMMIT_LABEL: &[u8] = b"Lockstep_Franking_Commitment";
/// SPEC §9.1, §9.2: the label in front of `StampTag`'s HMAC input.
pub const FRANKING_STAMP_LABEL: &[u8] = b"Lockstep_Franking_Stamp";
/// SPEC §9.1, §9.3: the type byte of a submission (sender to platform).
pub const MSG_FRANKED: u8 = 0x11;
/// SPEC §9.1, §9.3: the type byte of a delivery (platform to recipient).
pub const MSG_STAMPED: u8 = 0x12;
/// SPEC §9.1, §9.3: the type byte of a report (recipient to platform).
pub const MSG_REPORT: u8 = 0x13;
/// SPEC §9.1: the length of a franking key `fk`. Exactly 32 bytes: HMAC pads a
/// shorter key with zeros, so `fk` and `fk ‖ 0x00` would be one key (SPEC §9.4).
pub const FRANKING_KEY_LEN: usize = 32;
/// SPEC §9.1: the length of a commitment `c`, an HMAC-SHA-256 output.
pub const COMMITMENT_LEN: usize = 32;
/// SPEC §9.1: the length of a stamp tag, an HMAC-SHA-256 output.
pub const STAMP_LEN: usize = 32;
/// SPEC §9.1: the longest identifier of a sender or recipient; its length is one
/// byte in `Id(x)`.
pub const MAX_PARTY_ID_LEN: usize = 64;
/// SPEC §9.1: the largest franked plaintext, so that `fk ‖ m` fits in one message.
pub const MAX_FRANKED_PLAINTEXT_LEN: usize = MAX_PLAINTEXT_LEN - FRANKING_KEY_LEN;
/// SPEC §9.3: the fixed fields of a submission, `VERSION ‖ MSG_FRANKED ‖ c`.
pub const SUBMISSION_FIXED_LEN: usize = 34;
/// SPEC §9.3: the fixed fields of a delivery, `VERSION ‖ MSG_STAMPED ‖ u64be(t) ‖ c
/// ‖ tag`.
pub const DELIVERY_FIXED_LEN: usize = 74;
/// SPEC §9.3: the longest `inner` of a submission or delivery, a PreKey message of
/// the largest plaintext (`1647 + 58 + 65536` bytes).
pub const MAX_INNER_LEN: usize =
    PREKEY_HEADER_LEN + RATCHET_HEADER_LEN + MAX_PLAINTEXT_LEN + TAG_LEN;
