//! docs/SPEC.md §6: the canonical encoding of a session state (SPEC §4.3), so that two
//! implementations' states can be compared byte for byte.
//!
//! | offset | length | field |
//! |---|---|---|
//! | 0 | 1 | `VERSION` (0x01) |
//! | 1 | 1 | flags: bit 0 `DHr`, bit 1 `CKs`, bit 2 `CKr`, bit 3 `pending_prekey`, bit 4 `prekey_hash` present; bits 5-7 zero |
//! | 2 | 66 | `AD` |
//! | 68 | 32 | `DHs` private key |
//! | 100 | 32 | `DHr` (`0^32` if absent) |
//! | 132 | 32 | `RK` |
//! | 164 | 32 | `CKs` (`0^32` if absent) |
//! | 196 | 32 | `CKr` (`0^32` if absent) |
//! | 228 | 4 | `Ns` |
//! | 232 | 4 | `Nr` |
//! | 236 | 4 | `PN` |
//! | 240 | 32 | `prekey_hash` (`0^32` if absent) |
//! | 272 | 4 | `count`: number of skipped keys, at most `MAX_STORED_SKIPPED_KEYS` |
//! | 276 | 68 × `count` | skipped keys, oldest first: `dh` (32) ‖ `n` (4) ‖ `mk` (32) |
//! | 276 + 68 × `count` | 1647 or 0 | `pending_prekey`, if flag bit 3 |
//!
//! Every field has one encoding, and the decoder accepts only what the encoder makes:
//! `decode_state(encode_state(s))` is `s` for every state the protocol makes, and
//! `encode_state(decode_state(b))` is `b` for every `b` that decodes. Flags, counters
//! and message numbers are public and are declassified as they are read; keys stay
//! secret bytes.

use crate::Error;
use crate::consts::{
    AD_LEN, MAX_STORED_SKIPPED_KEYS, PREKEY_HEADER_LEN, SKIPPED_KEY_LEN, STATE_FIXED_LEN,
    STATE_FLAG_CKR, STATE_FLAG_CKS, STATE_FLAG_DHR, STATE_FLAG_PENDING_PREKEY,
    STATE_FLAG_PREKEY_HASH, STATE_FLAGS_RESERVED, STATE_OFFSET_AD, STATE_OFFSET_CKR,
    STATE_OFFSET_CKS, STATE_OFFSET_COUNT, STATE_OFFSET_DHR, STATE_OFFSET_DHS, STATE_OFFSET_FLAGS,
    STATE_OFFSET_NR, STATE_OFFSET_NS, STATE_OFFSET_PN, STATE_OFFSET_PREKEY_HASH, STATE_OFFSET_RK,
    VERSION,
};
use crate::ratchet::{ChainKey, MessageKey, RootKey, SkippedKey, State};
use crate::sha256::Sha256Digest;
use crate::x25519::{X25519SerializedPoint, X25519SerializedScalar, x25519_base};
use hacspec_lib::*;

/// SPEC §6: the length of each key field (`DHs`, `DHr`, `RK`, `CKs`, `CKr`,
/// `prekey_hash`, and a skipped key's `dh` and `mk`).
const KEY_LEN: usize = 32;
/// SPEC §6: the length of each integer field, `u32be`.
const U32_LEN: usize = 4;

/// SPEC §6: `u32be(x)`.
fn u32be(x: u32) -> ByteSeq {
    ByteSeq::from_public_slice(&x.to_be_bytes())
}

/// SPEC §6: the public integer whose `u32be` encoding is `bytes[offset..offset + 4]`.
/// The caller has checked that the four bytes are there.
fn read_u32be(bytes: &ByteSeq, offset: usize) -> u32 {
    let mut x: u32 = 0;
    for i in 0..U32_LEN {
        x = (x << 8) | u32::from(U8::declassify(bytes[offset + i]));
    }
    x
}

/// `value` written into a field of `len` bytes: a value of the field's length is
/// copied whole. (A [`State`] whose `AD` or `pending_prekey` has another length is
/// not one SPEC §4.3 describes; its field is cut or zero-padded to `len`, so that
/// encoding never fails.)
fn field(value: &ByteSeq, len: usize) -> ByteSeq {
    let mut out = ByteSeq::new(len);
    let mut copied = value.len();
    if copied > len {
        copied = len;
    }
    for i in 0..copied {
        out[i] = value[i];
    }
    out
}

/// SPEC §6: the flags byte of a state.
fn flags(state: &State) -> u8 {
    let mut flags = 0;
    if state.dhr.is_some() {
        flags |= STATE_FLAG_DHR;
    }
    if state.cks.is_some() {
        flags |= STATE_FLAG_CKS;
    }
    if state.ckr.is_some() {
        flags |= STATE_FLAG_CKR;
    }
    if state.pending_prekey.is_some() {
        flags |= STATE_FLAG_PENDING_PREKEY;
    }
    if state.prekey_hash.is_some() {
        flags |= STATE_FLAG_PREKEY_HASH;
    }
    flags
}

/// SPEC §6: the canonical encoding of a session state.
///
/// ```text
/// VERSION ‖ flags ‖ AD ‖ DHs ‖ DHr ‖ RK ‖ CKs ‖ CKr ‖ u32be(Ns) ‖ u32be(Nr) ‖ u32be(PN)
///         ‖ prekey_hash ‖ u32be(count) ‖ (dh ‖ u32be(n) ‖ mk) × count [‖ pending_prekey]
/// ```
///
/// An absent `DHr`, `CKs`, `CKr` or `prekey_hash` is written as `0^32`.
pub fn encode_state(state: &State) -> ByteSeq {
    // count: number of skipped keys (a state the protocol makes holds at most 2000;
    // no Vec can hold 2^32 of them)
    let count = u32::try_from(state.skipped.len()).unwrap_or(u32::MAX);
    // VERSION ‖ flags
    let mut out = ByteSeq::from_public_slice(&[VERSION, flags(state)]);
    // ‖ AD
    out = out.concat(&field(&state.ad, AD_LEN));
    // ‖ DHs private key
    out = out.concat(&state.dhs);
    // ‖ DHr (0^32 if absent)
    out = match &state.dhr {
        Some(dhr) => out.concat(dhr),
        None => out.concat(&ByteSeq::new(KEY_LEN)),
    };
    // ‖ RK
    out = out.concat(&state.rk);
    // ‖ CKs (0^32 if absent)
    out = match &state.cks {
        Some(cks) => out.concat(cks),
        None => out.concat(&ByteSeq::new(KEY_LEN)),
    };
    // ‖ CKr (0^32 if absent)
    out = match &state.ckr {
        Some(ckr) => out.concat(ckr),
        None => out.concat(&ByteSeq::new(KEY_LEN)),
    };
    // ‖ Ns ‖ Nr ‖ PN
    out = out.concat(&u32be(state.ns));
    out = out.concat(&u32be(state.nr));
    out = out.concat(&u32be(state.pn));
    // ‖ prekey_hash (0^32 if absent)
    out = match &state.prekey_hash {
        Some(prekey_hash) => out.concat(prekey_hash),
        None => out.concat(&ByteSeq::new(KEY_LEN)),
    };
    // ‖ count
    out = out.concat(&u32be(count));
    // ‖ skipped keys, oldest first: dh (32) ‖ n (4) ‖ mk (32)
    for i in 0..state.skipped.len() {
        let key = &state.skipped[i];
        out = out.concat(&key.dh).concat(&u32be(key.n)).concat(&key.mk);
    }
    // ‖ pending_prekey, if flag bit 3
    if let Some(pending_prekey) = &state.pending_prekey {
        out = out.concat(&field(pending_prekey, PREKEY_HEADER_LEN));
    }
    out
}

/// SPEC §6: whether `bytes[offset..offset + len]` is all zeros. The caller has
/// checked that the bytes are there. Only absent fields are looked at, and their
/// being zero is what the encoding requires, so the verdict is public.
fn all_zero(bytes: &ByteSeq, offset: usize, len: usize) -> bool {
    let mut any_bit = U8::zero();
    for i in 0..len {
        any_bit |= bytes[offset + i];
    }
    any_bit.declassify() == 0
}

/// SPEC §6: whether an optional 32-byte field is present: its flag is set, or else
/// the field must be `0^32`. The caller has checked that the bytes are there.
fn present(bytes: &ByteSeq, flags: u8, flag: u8, offset: usize) -> Result<bool, Error> {
    if flags & flag != 0 {
        return Ok(true);
    }
    // an absent field that is not all zeros
    if !all_zero(bytes, offset, KEY_LEN) {
        return Err(Error::InvalidState);
    }
    Ok(false)
}

/// SPEC §6: the skipped keys, `count` of them from offset 276, refusing two under
/// one `(dh, n)`. The caller has checked that the bytes are there.
fn decode_skipped_keys(bytes: &ByteSeq, count: usize) -> Result<Vec<SkippedKey>, Error> {
    let mut skipped: Vec<SkippedKey> = Vec::new();
    for i in 0..count {
        let offset = STATE_FIXED_LEN + i * SKIPPED_KEY_LEN;
        // dh (32) ‖ n (4) ‖ mk (32)
        let key = SkippedKey {
            dh: X25519SerializedPoint::from_slice(bytes, offset, KEY_LEN),
            n: read_u32be(bytes, offset + KEY_LEN),
            mk: MessageKey::from_slice(bytes, offset + KEY_LEN + U32_LEN, KEY_LEN),
        };
        // two skipped keys with the same (dh, n)
        for earlier in &skipped {
            if earlier.n == key.n && earlier.dh.declassify_eq(&key.dh) {
                return Err(Error::InvalidState);
            }
        }
        skipped.push(key);
    }
    Ok(skipped)
}

/// SPEC §6: decodes a session state, strictly.
///
/// "Decoding rejects: another version, a reserved flag bit set, an absent field that
/// is not all zeros, `count` over the limit, two skipped keys with the same `(dh, n)`,
/// `pending_prekey` and `prekey_hash` both present, a length other than the one the
/// flags and `count` give."
///
/// # Errors
///
/// [`Error::UnknownVersion`] if the first byte is not `VERSION`;
/// [`Error::InvalidState`] for an empty input (it has no version byte) and for every
/// other case SPEC §6 lists.
pub fn decode_state(bytes: &ByteSeq) -> Result<State, Error> {
    if bytes.len() < 1 {
        return Err(Error::InvalidState);
    }
    // another version
    if U8::declassify(bytes[0]) != VERSION {
        return Err(Error::UnknownVersion);
    }
    // a length other than the one the flags and count give (here: too short to hold
    // the fixed fields)
    if bytes.len() < STATE_FIXED_LEN {
        return Err(Error::InvalidState);
    }
    let flags = U8::declassify(bytes[STATE_OFFSET_FLAGS]);
    // a reserved flag bit set
    if flags & STATE_FLAGS_RESERVED != 0 {
        return Err(Error::InvalidState);
    }
    // pending_prekey and prekey_hash both present
    if flags & STATE_FLAG_PENDING_PREKEY != 0 && flags & STATE_FLAG_PREKEY_HASH != 0 {
        return Err(Error::InvalidState);
    }
    // a receiving chain without the ratchet key it belongs to (no reachable state
    // has one: CKr is only ever set together with DHr)
    if flags & STATE_FLAG_CKR != 0 && flags & STATE_FLAG_DHR == 0 {
        return Err(Error::InvalidState);
    }
    // count over the limit
    let count = match usize::try_from(read_u32be(bytes, STATE_OFFSET_COUNT)) {
        Ok(count) if count <= MAX_STORED_SKIPPED_KEYS => count,
        _ => return Err(Error::InvalidState),
    };
    // a length other than the one the flags and count give
    let mut expected_len = STATE_FIXED_LEN + SKIPPED_KEY_LEN * count;
    if flags & STATE_FLAG_PENDING_PREKEY != 0 {
        expected_len += PREKEY_HEADER_LEN;
    }
    if bytes.len() != expected_len {
        return Err(Error::InvalidState);
    }
    // an absent field that is not all zeros
    let mut dhr = None;
    if present(bytes, flags, STATE_FLAG_DHR, STATE_OFFSET_DHR)? {
        dhr = Some(X25519SerializedPoint::from_slice(
            bytes,
            STATE_OFFSET_DHR,
            KEY_LEN,
        ));
    }
    let mut cks = None;
    if present(bytes, flags, STATE_FLAG_CKS, STATE_OFFSET_CKS)? {
        cks = Some(ChainKey::from_slice(bytes, STATE_OFFSET_CKS, KEY_LEN));
    }
    let mut ckr = None;
    if present(bytes, flags, STATE_FLAG_CKR, STATE_OFFSET_CKR)? {
        ckr = Some(ChainKey::from_slice(bytes, STATE_OFFSET_CKR, KEY_LEN));
    }
    let mut prekey_hash = None;
    if present(
        bytes,
        flags,
        STATE_FLAG_PREKEY_HASH,
        STATE_OFFSET_PREKEY_HASH,
    )? {
        prekey_hash = Some(Sha256Digest::from_slice(
            bytes,
            STATE_OFFSET_PREKEY_HASH,
            KEY_LEN,
        ));
    }
    // two skipped keys with the same (dh, n)
    let skipped = decode_skipped_keys(bytes, count)?;
    let mut pending_prekey = None;
    if flags & STATE_FLAG_PENDING_PREKEY != 0 {
        let offset = STATE_FIXED_LEN + SKIPPED_KEY_LEN * count;
        pending_prekey = Some(bytes.slice(offset, PREKEY_HEADER_LEN));
    }
    Ok(State {
        ad: bytes.slice(STATE_OFFSET_AD, AD_LEN),
        dhs: X25519SerializedScalar::from_slice(bytes, STATE_OFFSET_DHS, KEY_LEN),
        // SPEC §6 stores the private key only; the public key is derived.
        dhs_public: x25519_base(&X25519SerializedScalar::from_slice(
            bytes,
            STATE_OFFSET_DHS,
            KEY_LEN,
        )),
        dhr,
        rk: RootKey::from_slice(bytes, STATE_OFFSET_RK, KEY_LEN),
        cks,
        ckr,
        ns: read_u32be(bytes, STATE_OFFSET_NS),
        nr: read_u32be(bytes, STATE_OFFSET_NR),
        pn: read_u32be(bytes, STATE_OFFSET_PN),
        skipped,
        pending_prekey,
        prekey_hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratchet::{ratchet_decrypt, ratchet_encrypt, ratchet_init_alice, ratchet_init_bob};
    use crate::testing::counting;
    use crate::x25519::x25519_base;

    fn skipped_key(dh: u8, n: u32, mk: u8) -> SkippedKey {
        SkippedKey {
            dh: X25519SerializedPoint::from_seq(&counting(dh, 32)),
            n,
            mk: MessageKey::from_seq(&counting(mk, 32)),
        }
    }

    /// A state with every field but `pending_prekey` present (Bob's kind), and two
    /// skipped keys.
    fn full_state() -> State {
        State {
            ad: counting(0x10, 66),
            dhs: X25519SerializedScalar::from_seq(&counting(0x20, 32)),
            dhs_public: x25519_base(&X25519SerializedScalar::from_seq(&counting(0x20, 32))),
            dhr: Some(X25519SerializedPoint::from_seq(&counting(0x30, 32))),
            rk: RootKey::from_seq(&counting(0x40, 32)),
            cks: Some(ChainKey::from_seq(&counting(0x50, 32))),
            ckr: Some(ChainKey::from_seq(&counting(0x60, 32))),
            ns: 0x0102_0304,
            nr: 0x1112_1314,
            pn: 0x2122_2324,
            skipped: vec![
                skipped_key(0x70, 0x3132_3334, 0x80),
                skipped_key(0x90, 7, 0xA0),
            ],
            pending_prekey: None,
            prekey_hash: Some(Sha256Digest::from_seq(&counting(0xB0, 32))),
        }
    }

    /// Alice's kind: `pending_prekey` present, no receiving chain, no skipped keys.
    fn pending_state() -> State {
        State {
            dhr: Some(X25519SerializedPoint::from_seq(&counting(0x31, 32))),
            ckr: None,
            skipped: Vec::new(),
            pending_prekey: Some(counting(0xC0, PREKEY_HEADER_LEN)),
            prekey_hash: None,
            ..full_state()
        }
    }

    /// Bob's state before his first decryption, without a PreKey message: nothing
    /// optional present.
    fn bare_state() -> State {
        State {
            dhr: None,
            cks: None,
            ckr: None,
            ns: 0,
            nr: 0,
            pn: 0,
            skipped: Vec::new(),
            pending_prekey: None,
            prekey_hash: None,
            ..full_state()
        }
    }

    fn set(bytes: &ByteSeq, offset: usize, value: u8) -> ByteSeq {
        let mut out = bytes.clone();
        out[offset] = U8(value);
        out
    }

    /// Decoding succeeds, and the decoded state encodes back to the same bytes.
    fn decodes_canonically(bytes: &ByteSeq) -> Result<State, Error> {
        let state = decode_state(bytes)?;
        assert_eq!(encode_state(&state), *bytes);
        Ok(state)
    }

    /// SPEC §6: each field at the offset of the table, with its flag bit.
    #[test]
    fn spec_6_layout() {
        let encoded = encode_state(&full_state());
        assert_eq!(encoded.len(), 276 + 2 * 68);
        let skipped_1 = counting(0x70, 32)
            .concat(&ByteSeq::from_hex("31323334"))
            .concat(&counting(0x80, 32));
        let skipped_2 = counting(0x90, 32)
            .concat(&ByteSeq::from_hex("00000007"))
            .concat(&counting(0xA0, 32));
        let fields: Vec<(usize, ByteSeq)> = vec![
            (0, ByteSeq::from_hex("01")),
            // bits 0, 1, 2 and 4
            (1, ByteSeq::from_hex("17")),
            (2, counting(0x10, 66)),
            (68, counting(0x20, 32)),
            (100, counting(0x30, 32)),
            (132, counting(0x40, 32)),
            (164, counting(0x50, 32)),
            (196, counting(0x60, 32)),
            (228, ByteSeq::from_hex("01020304")),
            (232, ByteSeq::from_hex("11121314")),
            (236, ByteSeq::from_hex("21222324")),
            (240, counting(0xB0, 32)),
            (272, ByteSeq::from_hex("00000002")),
            (276, skipped_1),
            (344, skipped_2),
        ];
        let mut end = 0;
        for (offset, field) in fields {
            assert_eq!(offset, end, "fields are contiguous");
            assert_eq!(encoded.slice(offset, field.len()), field, "offset {offset}");
            end = offset + field.len();
        }
        assert_eq!(end, encoded.len());

        let decoded = decodes_canonically(&encoded).expect("valid");
        assert_eq!(decoded.ad, counting(0x10, 66));
        assert_eq!(decoded.dhs.to_hex(), counting(0x20, 32).to_hex());
        assert_eq!(
            decoded.dhr.expect("present").to_hex(),
            counting(0x30, 32).to_hex()
        );
        assert_eq!(decoded.rk.to_hex(), counting(0x40, 32).to_hex());
        assert_eq!(
            decoded.cks.expect("present").to_hex(),
            counting(0x50, 32).to_hex()
        );
        assert_eq!(
            decoded.ckr.expect("present").to_hex(),
            counting(0x60, 32).to_hex()
        );
        assert_eq!(
            (decoded.ns, decoded.nr, decoded.pn),
            (0x0102_0304, 0x1112_1314, 0x2122_2324)
        );
        assert_eq!(
            decoded.prekey_hash.expect("present").to_hex(),
            counting(0xB0, 32).to_hex()
        );
        assert_eq!(decoded.skipped.len(), 2);
        assert_eq!(decoded.skipped[0].n, 0x3132_3334);
        assert_eq!(decoded.skipped[1].dh.to_hex(), counting(0x90, 32).to_hex());
        assert_eq!(decoded.skipped[1].mk.to_hex(), counting(0xA0, 32).to_hex());
        assert!(decoded.pending_prekey.is_none());
    }

    /// SPEC §6: `pending_prekey` (flag bit 3) comes last, after the skipped keys; an
    /// absent field is `0^32`; a bare state is 276 bytes.
    #[test]
    fn spec_6_pending_prekey_and_absent_fields() {
        let encoded = encode_state(&pending_state());
        assert_eq!(encoded.len(), 276 + 1647);
        // bits 0, 1 and 3
        assert_eq!(encoded.slice(1, 1), ByteSeq::from_hex("0b"));
        assert_eq!(encoded.slice(196, 32), ByteSeq::new(32));
        assert_eq!(encoded.slice(240, 32), ByteSeq::new(32));
        assert_eq!(encoded.slice(272, 4), ByteSeq::new(4));
        assert_eq!(encoded.slice(276, 1647), counting(0xC0, 1647));
        let decoded = decodes_canonically(&encoded).expect("valid");
        assert_eq!(decoded.pending_prekey, Some(counting(0xC0, 1647)));
        assert!(decoded.ckr.is_none() && decoded.prekey_hash.is_none());

        // With skipped keys, pending_prekey follows them: 276 + 68 · count + 1647.
        let with_keys = State {
            skipped: vec![skipped_key(0x70, 1, 0x80)],
            ..pending_state()
        };
        let encoded = encode_state(&with_keys);
        assert_eq!(encoded.len(), 276 + 68 + 1647);
        assert_eq!(encoded.slice(276 + 68, 1647), counting(0xC0, 1647));
        decodes_canonically(&encoded).expect("valid");

        let encoded = encode_state(&bare_state());
        assert_eq!(encoded.len(), STATE_FIXED_LEN);
        assert_eq!(encoded.slice(1, 1), ByteSeq::from_hex("00"));
        for (offset, len) in [(100, 32), (164, 64), (228, 48)] {
            assert_eq!(
                encoded.slice(offset, len),
                ByteSeq::new(len),
                "offset {offset}"
            );
        }
        let decoded = decodes_canonically(&encoded).expect("valid");
        assert!(decoded.dhr.is_none() && decoded.cks.is_none() && decoded.ckr.is_none());
    }

    /// SPEC §6: the most skipped keys a state may hold, `MAX_STORED_SKIPPED_KEYS`, is
    /// accepted; one more is refused (with a length to match, so only the count is
    /// wrong).
    #[test]
    fn spec_6_count_limit() {
        let mut state = bare_state();
        for n in 0..2001 {
            state.skipped.push(skipped_key(0x70, n, 0x80));
        }
        let over = encode_state(&state);
        assert_eq!(over.len(), 276 + 68 * 2001);
        assert_eq!(decode_state(&over).err(), Some(Error::InvalidState));
        state.skipped.pop();
        let at_limit = encode_state(&state);
        assert_eq!(at_limit.len(), 276 + 68 * MAX_STORED_SKIPPED_KEYS);
        let decoded = decodes_canonically(&at_limit).expect("valid");
        assert_eq!(decoded.skipped.len(), MAX_STORED_SKIPPED_KEYS);
        // A count near 2^32 is refused without reading on.
        let huge = set(&set(&encode_state(&bare_state()), 272, 0xFF), 275, 0xFF);
        assert_eq!(decode_state(&huge).err(), Some(Error::InvalidState));
    }

    /// SPEC §6, §7: every malformed form the section lists.
    #[test]
    fn spec_6_rejects_each_malformed_form() {
        let full = encode_state(&full_state());
        let pending = encode_state(&pending_state());
        let bare = encode_state(&bare_state());

        // another version
        for version in [0x00, 0x02, 0xFF] {
            for encoded in [&full, &pending, &bare] {
                assert_eq!(
                    decode_state(&set(encoded, 0, version)).err(),
                    Some(Error::UnknownVersion)
                );
            }
            let lone = ByteSeq::from_public_slice(&[version]);
            assert_eq!(decode_state(&lone).err(), Some(Error::UnknownVersion));
        }
        // no version at all
        assert_eq!(
            decode_state(&ByteSeq::new(0)).err(),
            Some(Error::InvalidState)
        );

        // a reserved flag bit set
        for bit in [0x20, 0x40, 0x80] {
            for encoded in [&full, &pending, &bare] {
                let flags = U8::declassify(encoded[1]);
                assert_eq!(
                    decode_state(&set(encoded, 1, flags | bit)).err(),
                    Some(Error::InvalidState)
                );
            }
        }

        // CKr present without DHr: the DHr flag cleared and its bytes zeroed
        let mut no_dhr = set(&full, 1, 0x17 & !0x01);
        for index in 100..132 {
            no_dhr = set(&no_dhr, index, 0x00);
        }
        assert_eq!(decode_state(&no_dhr).err(), Some(Error::InvalidState));

        // an absent field that is not all zeros: DHr, CKs, CKr, prekey_hash, at the
        // first and the last byte of each
        for (offset, flag) in [(100, 0x01), (164, 0x02), (196, 0x04), (240, 0x10)] {
            // the flag cleared, the field left in place
            let cleared = set(&full, 1, 0x17 & !flag);
            assert_eq!(
                decode_state(&cleared).err(),
                Some(Error::InvalidState),
                "offset {offset}"
            );
            // one byte set in a field a bare state leaves absent
            for index in [offset, offset + 31] {
                let zeroed = decode_state(&set(&bare, index, 0x01)).err();
                assert_eq!(zeroed, Some(Error::InvalidState), "offset {index}");
            }
        }

        // two skipped keys with the same (dh, n): make the second key's dh and n the
        // first's; the same dh with another n, or another dh with the same n, is fine
        let same_n = full
            .slice(0, 344)
            .concat(&full.slice(276, 36))
            .concat(&full.slice(380, 32));
        assert_eq!(decode_state(&same_n).err(), Some(Error::InvalidState));
        let other_n = set(&same_n, 344 + 35, 0x35);
        decodes_canonically(&other_n).expect("another n");
        let other_dh = set(&same_n, 344, 0x00);
        decodes_canonically(&other_dh).expect("another dh");

        // pending_prekey and prekey_hash both present
        let both = set(&set(&pending, 1, 0x0B | 0x10), 240, 0x01);
        assert_eq!(decode_state(&both).err(), Some(Error::InvalidState));

        // a length other than the one the flags and count give
        for encoded in [&full, &pending, &bare] {
            for len in [0, 1, 2, 275, encoded.len() - 68, encoded.len() - 1] {
                let prefix = encoded.slice(0, len);
                assert!(decode_state(&prefix).is_err(), "len {len}");
            }
            for extra in [0x00, 0x01] {
                assert_eq!(
                    decode_state(&encoded.push(&U8(extra))).err(),
                    Some(Error::InvalidState)
                );
            }
        }
        // flag bit 3 without the 1647 bytes, and the bytes without the flag
        assert_eq!(
            decode_state(&set(&bare, 1, 0x08)).err(),
            Some(Error::InvalidState)
        );
        assert_eq!(
            decode_state(&set(&pending, 1, 0x03)).err(),
            Some(Error::InvalidState)
        );
        // a count that disagrees with the keys present
        assert_eq!(
            decode_state(&set(&full, 275, 0x01)).err(),
            Some(Error::InvalidState)
        );
        assert_eq!(
            decode_state(&set(&full, 275, 0x03)).err(),
            Some(Error::InvalidState)
        );
    }

    /// A small xorshift generator, so the inputs below are the same on every run.
    fn next(state: u64) -> u64 {
        let mut x = state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }

    /// SPEC §6: the decoder never panics, and what it accepts encodes back to the
    /// same bytes: valid encodings with a byte changed, removed or added at random.
    #[test]
    fn decode_never_panics_and_accepts_only_canonical_bytes() {
        let bases = [
            encode_state(&full_state()),
            encode_state(&pending_state()),
            encode_state(&bare_state()),
        ];
        let mut rng: u64 = 0x5EED_5747_E000_0001;
        let mut accepted = 0;
        let mut refused = 0;
        for round in 0..3000 {
            rng = next(rng);
            let base = &bases[usize::try_from(rng % 3).expect("< 3")];
            rng = next(rng);
            let offset = usize::try_from(rng >> 40).expect("< 2^24") % (base.len() + 1);
            rng = next(rng);
            // Mostly small values, so that zero and flag bits come up often.
            let value = u8::try_from(rng % 4).expect("< 4") << (rng >> 62);
            let mutated = match round % 3 {
                0 if offset < base.len() => set(base, offset, value),
                1 if offset < base.len() => base
                    .slice(0, offset)
                    .concat(&base.slice(offset + 1, base.len() - offset - 1)),
                _ => base
                    .slice(0, offset)
                    .push(&U8(value))
                    .concat(&base.slice(offset, base.len() - offset)),
            };
            match decodes_canonically(&mutated) {
                Ok(_) => accepted += 1,
                Err(_) => refused += 1,
            }
        }
        assert!(accepted > 100, "accepted {accepted}");
        assert!(refused > 100, "refused {refused}");
    }

    /// A state made by the ratchet survives encoding: the decoded copy carries on the
    /// conversation exactly as the original does.
    #[test]
    fn a_decoded_state_carries_on_the_conversation() {
        let sk = crate::pqxdh::SharedKey::from_seq(&counting(0x80, 32));
        let ad = counting(0xa0, 66);
        let spk = X25519SerializedScalar::from_seq(&counting(0x11, 32));
        let r = X25519SerializedScalar::from_seq(&counting(0x21, 32));
        let alice = ratchet_init_alice(&sk, &ad, &x25519_base(&spk), &r).expect("contributory");
        let bob = ratchet_init_bob(&sk, &ad, &spk);
        let plaintext = ByteSeq::from_public_slice(b"skipped");
        let (alice, _) = ratchet_encrypt(&alice, &plaintext).expect("sending chain");
        let (_, a1) = ratchet_encrypt(&alice, &plaintext).expect("sending chain");
        let r2 = X25519SerializedScalar::from_seq(&counting(0x31, 32));
        let (bob, _) = ratchet_decrypt(&bob, &a1, &r2).expect("decrypts");
        assert_eq!(bob.skipped.len(), 1);
        let encoded = encode_state(&bob);
        assert_eq!(encoded.len(), 276 + 68);
        let decoded = decodes_canonically(&encoded).expect("valid");
        let (original_next, original_out) = ratchet_encrypt(&bob, &plaintext).expect("chain");
        let (decoded_next, decoded_out) = ratchet_encrypt(&decoded, &plaintext).expect("chain");
        assert_eq!(encode_state(&original_next), encode_state(&decoded_next));
        assert_eq!(original_out.ciphertext, decoded_out.ciphertext);
    }
}
