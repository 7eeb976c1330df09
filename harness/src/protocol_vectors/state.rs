//! `state.json`: states the conversations reached, valid and deliberately broken
//! encodings, decoded by the checker's [`SpecSide::decode_state`].

use super::*;

pub(super) fn find<'a>(
    conversations: &'a [Conversation],
    id: &str,
) -> Result<&'a Conversation, GenerateError> {
    conversations
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| unexpected(format!("no conversation {id}")))
}

/// The state encoding a step left for the party it changed.
pub(super) fn state_after(c: &Conversation, step: usize) -> Result<Vec<u8>, GenerateError> {
    match c.steps.get(step) {
        Some(Step::Send(s)) => Ok(s.sender_state.clone()),
        Some(Step::SendLost(s)) => Ok(s.sender_state.clone()),
        Some(Step::Deliver(d)) => Ok(d.receiver_state.clone()),
        None => Err(unexpected(format!("{}: no step {step}", c.id))),
    }
}

/// A valid state vector: the encoding, decoded by the checker's
/// [`SpecSide::decode_state`], which must encode it back and show its fields.
pub(super) fn state_vector(
    id: &str,
    source: String,
    description: &str,
    encoding: Vec<u8>,
) -> Result<StateVector, GenerateError> {
    let decoded = SpecSide
        .decode_state(&encoding)
        .map_err(refused(format!("{id}: decode_state")))?;
    if decoded.reencoded != encoding {
        return Err(unexpected(format!("{id}: does not encode back")));
    }
    let fields = decoded
        .fields
        .ok_or_else(|| unexpected(format!("{id}: SpecSide does not show the fields")))?;
    let state = fields.view;
    let mut skipped = Vec::new();
    for key in &state.skipped {
        skipped.push(SkippedKey {
            dh: key.dh,
            n: key.n,
            mk: key.mk,
        });
    }
    Ok(StateVector {
        id: id.to_owned(),
        source,
        description: description.to_owned(),
        flags: encoding[1],
        ad: fields
            .ad
            .try_into()
            .map_err(|_| unexpected(format!("{id}: AD is not 66 bytes")))?,
        dhs: state.dhs,
        dhr: state.dhr,
        rk: state.rk,
        cks: state.cks,
        ckr: state.ckr,
        ns: state.ns,
        nr: state.nr,
        pn: state.pn,
        prekey_hash: state.prekey_hash,
        skipped,
        pending_prekey: fields.pending_prekey,
        encoding,
    })
}

/// A rejected state vector: [`SpecSide::decode_state`] must refuse it with `error`.
pub(super) fn rejected(
    id: &str,
    description: &str,
    encoding: Vec<u8>,
    error: spec::Error,
) -> Result<RejectedState, GenerateError> {
    match SpecSide.decode_state(&encoding) {
        Err(e) if e == error.name() => Ok(RejectedState {
            id: id.to_owned(),
            source: "docs/SPEC.md §6 (\"Decoding rejects: ...\"), §7".to_owned(),
            description: description.to_owned(),
            encoding,
            error: e.to_owned(),
        }),
        Err(e) => Err(unexpected(format!("{id}: refused with {e}, not {error:?}"))),
        Ok(_) => Err(unexpected(format!("{id}: decoded"))),
    }
}

pub(super) fn with_byte(encoding: &[u8], offset: usize, value: u8) -> Vec<u8> {
    let mut out = encoding.to_vec();
    out[offset] = value;
    out
}

pub(super) fn states(conversations: &[Conversation]) -> Result<StateVectors, GenerateError> {
    let in_order = find(conversations, "ratchet_in_order")?;
    let out_of_order = find(conversations, "ratchet_out_of_order")?;
    // Alice after session::initiate; Bob after accepting; Alice after her first
    // decryption; Alice holding skipped keys from two chains.
    let alice_initial = in_order.alice_state.clone();
    let bob_accepted = state_after(in_order, 2)?;
    let alice_established = state_after(in_order, 5)?;
    let alice_skipped = state_after(out_of_order, 13)?;
    let valid = vec![
        state_vector(
            "state_alice_initial",
            "docs/SPEC.md §4.3, §4.4, §6; ratchet.json ratchet_in_order, alice_state (after session::initiate)".to_owned(),
            "Alice right after session::initiate: DHr (Bob's SPK_B) and CKs present, no CKr, the 1647-byte pending PreKey header at the end (flags 0x0b).",
            alice_initial.clone(),
        )?,
        state_vector(
            "state_bob_accepted",
            "docs/SPEC.md §4.3, §4.6, §5.2, §6; ratchet.json ratchet_in_order, Bob after step 2 (session::accept)".to_owned(),
            "Bob right after accepting Alice's PreKey message: both chains, prekey_hash present (flags 0x17).",
            bob_accepted.clone(),
        )?,
        state_vector(
            "state_alice_established",
            "docs/SPEC.md §4.3, §4.6, §6; ratchet.json ratchet_in_order, Alice after step 5 (her first decryption)".to_owned(),
            "Alice after her first decryption: pending_prekey cleared, no prekey_hash (flags 0x07), 276 bytes.",
            alice_established.clone(),
        )?,
        state_vector(
            "state_alice_skipped_keys",
            "docs/SPEC.md §4.3, §4.6, §6; ratchet.json ratchet_out_of_order, Alice after step 13".to_owned(),
            "Alice holding two skipped keys (b1 and b3, both of Bob's first chain), oldest first: 276 + 2 × 68 bytes.",
            alice_skipped.clone(),
        )?,
    ];

    let mut bad_count = bob_accepted.clone();
    bad_count[STATE_OFFSET_COUNT..STATE_OFFSET_COUNT + 4].copy_from_slice(&2001u32.to_be_bytes());
    let mut short_count = alice_skipped.clone();
    short_count[STATE_OFFSET_COUNT..STATE_OFFSET_COUNT + 4].copy_from_slice(&1u32.to_be_bytes());
    let mut duplicate = alice_skipped.clone();
    // The second key's (dh, n) made equal to the first's.
    let first = alice_skipped[276..276 + 36].to_vec();
    duplicate[276 + 68..276 + 68 + 36].copy_from_slice(&first);
    let mut trailing = bob_accepted.clone();
    trailing.push(0x00);
    let mut ckr_without_dhr = with_byte(&alice_established, 1, alice_established[1] & !0x01);
    ckr_without_dhr[100..132].fill(0);
    let e = spec::Error::InvalidState;
    let rejected = vec![
        rejected(
            "state_empty",
            "The empty string: no version byte.",
            Vec::new(),
            e,
        )?,
        rejected(
            "state_unknown_version",
            "state_bob_accepted with version byte 0x02.",
            with_byte(&bob_accepted, 0, 0x02),
            spec::Error::UnknownVersion,
        )?,
        rejected(
            "state_reserved_flag",
            "state_bob_accepted with flag bit 5 (0x20) set.",
            with_byte(&bob_accepted, 1, bob_accepted[1] | 0x20),
            e,
        )?,
        rejected(
            "state_absent_field_not_zero",
            "state_alice_initial (no CKr) with a non-zero byte in the CKr field (offset 196).",
            with_byte(&alice_initial, 196, 0x01),
            e,
        )?,
        rejected(
            "state_pending_prekey_and_prekey_hash",
            "state_alice_initial with flag bit 4 (prekey_hash) set as well as bit 3 (pending_prekey).",
            with_byte(&alice_initial, 1, alice_initial[1] | 0x10),
            e,
        )?,
        rejected(
            "state_count_over_limit",
            "state_bob_accepted with count 2001, over MAX_STORED_SKIPPED_KEYS.",
            bad_count.clone(),
            e,
        )?,
        rejected(
            "state_count_mismatch",
            "state_alice_skipped_keys with count 1 while two keys follow: the length is not the one count gives.",
            short_count,
            e,
        )?,
        rejected(
            "state_duplicate_skipped_key",
            "state_alice_skipped_keys with the second key's dh and n made equal to the first's.",
            duplicate,
            e,
        )?,
        rejected(
            "state_truncated",
            "state_bob_accepted without its last byte.",
            bob_accepted[..bob_accepted.len() - 1].to_vec(),
            e,
        )?,
        rejected(
            "state_trailing_byte",
            "state_bob_accepted with one byte 0x00 appended.",
            trailing,
            e,
        )?,
        rejected(
            "state_truncated_pending_prekey",
            "state_alice_initial without the last byte of its pending PreKey header.",
            alice_initial[..alice_initial.len() - 1].to_vec(),
            e,
        )?,
        rejected(
            "state_ckr_without_dhr",
            "state_alice_established (DHr, CKs, CKr) with the DHr flag (bit 0) cleared and the DHr field (offset 100) zeroed: CKr present without DHr, and nothing else wrong.",
            ckr_without_dhr,
            e,
        )?,
        rejected(
            "state_version_only",
            "The single byte 0x01: the right version and nothing else.",
            vec![0x01],
            e,
        )?,
        rejected(
            "state_unknown_version_one_byte",
            "The single byte 0x02: another version, and too short. The version is checked first: UnknownVersion.",
            vec![0x02],
            spec::Error::UnknownVersion,
        )?,
        rejected(
            "state_unknown_version_and_reserved_flag",
            "state_bob_accepted with version byte 0x02 and flag bit 5 (0x20) set: the version is checked first, UnknownVersion.",
            with_byte(
                &with_byte(&bob_accepted, 0, 0x02),
                1,
                bob_accepted[1] | 0x20,
            ),
            spec::Error::UnknownVersion,
        )?,
        rejected(
            "state_unknown_version_and_truncated",
            "The first 100 bytes of state_bob_accepted with version byte 0x02: the version is checked before the length, UnknownVersion.",
            with_byte(&bob_accepted[..100], 0, 0x02),
            spec::Error::UnknownVersion,
        )?,
        rejected(
            "state_unknown_version_and_count_over_limit",
            "state_count_over_limit with version byte 0x02: UnknownVersion.",
            with_byte(&bad_count, 0, 0x02),
            spec::Error::UnknownVersion,
        )?,
    ];
    Ok(StateVectors { valid, rejected })
}
