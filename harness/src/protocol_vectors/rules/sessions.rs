//! `rules.json`, sessions: single `encrypt` and `decrypt` calls on changed states.

use super::*;

pub(super) fn u32_at(state: &[u8], offset: usize, value: u32) -> Vec<u8> {
    with_bytes(state, offset, &value.to_be_bytes())
}

pub(super) struct SessionPlan<'a> {
    pub(super) id: &'a str,
    pub(super) source: &'a str,
    pub(super) description: &'a str,
    pub(super) state: Vec<u8>,
    pub(super) action: SessionAction,
    pub(super) input: Vec<u8>,
    pub(super) want: Result<(), spec::Error>,
}

/// One session operation of `plan`, run by the checker's
/// [`SpecSide::session_operation`], which must give the planned outcome.
pub(super) fn session(plan: SessionPlan<'_>) -> Result<SessionVector, GenerateError> {
    let id = plan.id;
    let r = match plan.action {
        SessionAction::Encrypt => None,
        SessionAction::Decrypt => Some(derive32(id, "r")),
    };
    let operated = SpecSide
        .session_operation(&plan.state, plan.action, &plan.input, r.as_ref())
        .map_err(refused(format!("{id}: state")))?;
    let outcome = match (operated.result, plan.want) {
        (Ok(output), Ok(())) => Outcome::Ok(output),
        (Err(e), Err(want)) if e == want.name() => {
            // Refused: the state is the one it was.
            if operated.state_after != plan.state {
                return Err(unexpected(format!("{id}: refused, and the state changed")));
            }
            Outcome::Rejected(e.to_owned())
        }
        (Ok(_), Err(want)) => return Err(unexpected(format!("{id}: succeeded; want {want:?}"))),
        (Err(e), _) => return Err(unexpected(format!("{id}: refused with {e}"))),
    };
    let state_after = operated.state_after;
    Ok(SessionVector {
        id: id.to_owned(),
        source: plan.source.to_owned(),
        description: plan.description.to_owned(),
        state: plan.state,
        action: plan.action,
        input: plan.input,
        r,
        outcome,
        state_after,
    })
}

pub(super) fn session_vectors(
    handshakes: &[PqxdhVector],
    conversations: &[Conversation],
) -> Result<Vec<SessionVector>, GenerateError> {
    use SessionAction::{Decrypt, Encrypt};
    use spec::Error::{
        ChainExhausted, DecryptionFailed, InvalidMessage, PreKeyMismatch, TooManySkipped,
    };
    let c = find(conversations, "ratchet_in_order")?;
    let other = find(conversations, "ratchet_out_of_order")?;
    let sent = |c: &Conversation, step: usize| match c.steps.get(step) {
        Some(Step::Send(s)) => Ok(s.wire.clone()),
        _ => Err(unexpected(format!("{}: step {step} is not a send", c.id))),
    };
    let alice_initial = c.alice_state.clone();
    let bob_accepted = state_after(c, 2)?;
    let bob_before_a2 = state_after(c, 4)?;
    let alice_after_a2 = state_after(c, 6)?;
    let bob_after_a2 = state_after(c, 7)?;
    let a1 = sent(c, 1)?;
    let a2 = sent(c, 6)?;
    let b1 = sent(c, 8)?;
    let prekey_header = handshakes[0].prekey_header.clone();
    if a1[..PREKEY_HEADER_LEN] != prekey_header[..] {
        return Err(unexpected(
            "sessions: a1 does not carry pqxdh_with_opk's PreKey header",
        ));
    }
    // A ratchet message claiming Alice's initial DHr (SPK_B) as its key: the ratchet
    // message of a0 with its dh replaced.
    let a0_ratchet = sent(c, 0)?[PREKEY_HEADER_LEN..].to_vec();
    let claims_spk = with_bytes(&a0_ratchet, 2, &handshakes[0].spk_b);

    let ns_max_minus_1 = u32_at(&alice_after_a2, spec::consts::STATE_OFFSET_NS, u32::MAX - 1);
    let nr_max_minus_1 = u32_at(&bob_after_a2, spec::consts::STATE_OFFSET_NR, u32::MAX - 1);

    let source_mismatch =
        "docs/SPEC.md §5.2 (prekey_hash, PreKeyMismatch), §7; ratchet.json ratchet_in_order";
    let source_exhausted = "docs/SPEC.md §4.5, §4.6 (\"Nr would wrap\"), §7 ChainExhausted; ratchet.json ratchet_in_order";
    let mut out = vec![
        session(SessionPlan {
            id: "session_prekey_of_another_session",
            source: source_mismatch,
            description: "Bob's state right after accepting (ratchet_in_order, after step 2) given the first PreKey message of another session (ratchet_out_of_order step 0, another handshake): its PreKey header's hash is not his prekey_hash.",
            state: bob_accepted.clone(),
            action: Decrypt,
            input: sent(other, 0)?,
            want: Err(PreKeyMismatch),
        })?,
        session(SessionPlan {
            id: "session_prekey_other_header",
            source: source_mismatch,
            description: "Bob's state right after accepting (ratchet_in_order, after step 2) given Alice's second PreKey message (step 1) with the first byte of CT (offset 79) xor 0x01. Unchanged, it decrypts (step 3); with another PreKey header it is refused before its ratchet message is looked at.",
            state: bob_accepted.clone(),
            action: Decrypt,
            input: with_byte(&a1, 79, a1[79] ^ 0x01),
            want: Err(PreKeyMismatch),
        })?,
        session(SessionPlan {
            id: "session_prekey_to_alice_control",
            source: source_mismatch,
            description: "Alice's state before ratchet_in_order step 10 (after step 6) given Bob's message b1 (step 8), a ratchet message: it decrypts, as at step 10. The control for the next vector.",
            state: alice_after_a2.clone(),
            action: Decrypt,
            input: b1.clone(),
            want: Ok(()),
        })?,
        session(SessionPlan {
            id: "session_prekey_to_alice",
            source: source_mismatch,
            description: "As session_prekey_to_alice_control, with b1 wrapped in Alice's own PreKey header (pqxdh_with_opk's prekey_header ‖ b1): Alice's session has no prekey_hash, so any PreKey message to her is refused.",
            state: alice_after_a2.clone(),
            action: Decrypt,
            input: [prekey_header.as_slice(), &b1].concat(),
            want: Err(PreKeyMismatch),
        })?,
        session(SessionPlan {
            id: "session_prekey_ek_a_bit_255",
            source: "docs/SPEC.md §2 (canonical keys), §5 (a session decodes a message completely first), §5.2",
            description: "Bob's state right after accepting (ratchet_in_order, after step 2) given Alice's second PreKey message (step 1) with bit 255 of EK_A set: decoding refuses it (InvalidMessage) before the prekey_hash comparison.",
            state: bob_accepted.clone(),
            action: Decrypt,
            input: bit_255(&a1, 34),
            want: Err(InvalidMessage),
        })?,
        session(SessionPlan {
            id: "session_ratchet_dh_bit_255",
            source: "docs/SPEC.md §2 (canonical keys), §5.1",
            description: "Bob's state before ratchet_in_order step 7 (after step 4) given a2 (step 6) with bit 255 of dh set. Unchanged it decrypts (step 7); an X25519 that masks bit 255 would compute the same DH, but the key is refused when decoded.",
            state: bob_before_a2.clone(),
            action: Decrypt,
            input: bit_255(&a2, 2),
            want: Err(InvalidMessage),
        })?,
        session(SessionPlan {
            id: "session_ratchet_dh_p",
            source: "docs/SPEC.md §2 (canonical keys), §5.1",
            description: "Bob's state before ratchet_in_order step 7 given a2 with dh = p (which X25519 would read as 0).",
            state: bob_before_a2.clone(),
            action: Decrypt,
            input: with_bytes(&a2, 2, &P),
            want: Err(InvalidMessage),
        })?,
        session(SessionPlan {
            id: "session_no_receiving_chain",
            source: "docs/SPEC.md §4.6 (\"No receiving chain\"), §7 DecryptionFailed; ratchet.json ratchet_in_order",
            description: "Alice's state right after session::initiate (DHr = SPK_B, no CKr) given a ratchet message claiming SPK_B as its ratchet key (a0's ratchet message with dh = SPK_B, pn = 0, n = 0): no DH ratchet step, no receiving chain, refused as DecryptionFailed.",
            state: alice_initial,
            action: Decrypt,
            input: claims_spk,
            want: Err(DecryptionFailed),
        })?,
    ];
    // Sending at the end of a chain.
    let last_send = session(SessionPlan {
        id: "session_encrypt_ns_max_minus_1",
        source: source_exhausted,
        description: "Alice's state after ratchet_in_order step 6 with Ns (offset 228) set to 2^32 - 2: the last message number a chain can send, n = 2^32 - 2; Ns becomes 2^32 - 1.",
        state: ns_max_minus_1,
        action: Encrypt,
        input: b"a: the last one".to_vec(),
        want: Ok(()),
    })?;
    let (Outcome::Ok(last_wire), exhausted_state) =
        (&last_send.outcome, last_send.state_after.clone())
    else {
        return Err(unexpected("session_encrypt_ns_max_minus_1: no wire"));
    };
    let last_wire = last_wire.clone();
    // The same message numbered 2^32 - 1 (n at bytes 38..42).
    let wrapping = with_bytes(&last_wire, 38, &u32::MAX.to_be_bytes());
    out.push(last_send);
    out.push(session(SessionPlan {
        id: "session_encrypt_chain_exhausted",
        source: source_exhausted,
        description: "session_encrypt_ns_max_minus_1's state after: Ns = 2^32 - 1, so encrypting is refused as ChainExhausted.",
        state: exhausted_state,
        action: Encrypt,
        input: b"a: one too many".to_vec(),
        want: Err(ChainExhausted),
    })?);
    let received = session(SessionPlan {
        id: "session_decrypt_nr_max_minus_1",
        source: source_exhausted,
        description: "Bob's state after ratchet_in_order step 7 (receiving Alice's chain) with Nr (offset 232) set to 2^32 - 2, given session_encrypt_ns_max_minus_1's message (n = 2^32 - 2, same chain keys): it decrypts, and Nr becomes 2^32 - 1.",
        state: nr_max_minus_1.clone(),
        action: Decrypt,
        input: last_wire,
        want: Ok(()),
    })?;
    let nr_max = received.state_after.clone();
    out.push(received);
    out.push(session(SessionPlan {
        id: "session_decrypt_nr_would_wrap",
        source: source_exhausted,
        description: "session_decrypt_nr_max_minus_1's state after (Nr = 2^32 - 1) given that message with n set to 2^32 - 1: Nr + 1 would wrap, refused as ChainExhausted before the AEAD.",
        state: nr_max,
        action: Decrypt,
        input: wrapping.clone(),
        want: Err(ChainExhausted),
    })?);
    out.push(session(SessionPlan {
        id: "session_decrypt_nr_would_wrap_after_skip",
        source: "docs/SPEC.md §4.6 (\"made without overflow\", \"Nr would wrap\"); ratchet.json ratchet_in_order",
        description: "Bob's state with Nr = 2^32 - 2 (as session_decrypt_nr_max_minus_1) given the message numbered 2^32 - 1: Nr + MAX_SKIP, computed without overflow, is not below 2^32 - 1, so one key is skipped, then Nr would wrap: ChainExhausted (a 32-bit sum would wrap to 1998 and refuse it as TooManySkipped).",
        state: nr_max_minus_1,
        action: Decrypt,
        input: wrapping.clone(),
        want: Err(ChainExhausted),
    })?);
    out.push(session(SessionPlan {
        id: "session_decrypt_far_jump_before_wrap",
        source: "docs/SPEC.md §4.6 (\"a far jump is TooManySkipped first\"); ratchet.json ratchet_in_order",
        description: "Bob's state after ratchet_in_order step 7 (Nr = 1) given the message numbered 2^32 - 1: SkipMessageKeys refuses the jump as TooManySkipped before the wrap is looked at.",
        state: bob_after_a2,
        action: Decrypt,
        input: wrapping,
        want: Err(TooManySkipped),
    })?);
    Ok(out)
}
