//! The `held-values` check.

use super::*;

/// The most (value, message) pairs [`held_values`] tries per compromise before it
/// keeps to the messages of the state's current chains.
pub const HELD_VALUES_BUDGET: usize = 1 << 14;

/// `held-values`: a compromise of party P at step t exposes no message key of a
/// message P sent before t, or decrypted before t, in plain sight: no 32-byte value an
/// exposed state holds (`RK`, `CKs`, `CKr`, `DHs`, every stored skipped key), nor
/// `HMAC(v, 0x01)` or `HMAC(v, 0x02)` of one, opens such a message (SPEC §4.2 key
/// and nonce, `AD ‖ H`). Unlike [`crate::invariants::forward_secrecy`], whose
/// adversary derives keys the way the honest `KDF_CK` does, this adversary makes no
/// assumption about how keys are derived: it tries what it holds. A stored skipped key
/// is tried on the message its index `(dh, n)` names; the other values on every such
/// message while that costs at most [`HELD_VALUES_BUDGET`] tries, else on those of
/// the state's current sending and receiving chains.
///
/// # Errors
/// The first compromise whose state opens such a message.
pub fn held_values(run: &Run) -> Result<(), Violation> {
    for compromise in &run.compromises {
        let (party, step) = (compromise.party, compromise.step);
        let mut targets: Vec<(usize, RatchetMessage)> = Vec::new();
        for sent in &run.sent {
            let decrypted = run.deliveries.iter().any(|d| {
                d.to == party
                    && d.step < step
                    && d.result.is_ok()
                    && d.message == Some(sent.id)
                    && d.bytes == sent.bytes
            });
            if ((sent.from == party && sent.step < step) || decrypted)
                && let Some(message) = ratchet_message(&sent.bytes)
            {
                targets.push((sent.id, message));
            }
        }
        for bytes in &compromise.exposure.states {
            let Some(state) = StateView::parse(bytes) else {
                continue;
            };
            let ad = ByteSeq::from_public_slice(bytes.get(2..68).unwrap_or_default());
            let mut values: Vec<[u8; 32]> = vec![state.rk, state.dhs];
            values.extend(state.cks);
            values.extend(state.ckr);
            let mut keys: Vec<[u8; 32]> = Vec::new();
            for value in &values {
                keys.push(*value);
                for constant in [0x01u8, 0x02] {
                    let mac = spec::hmac::hmac(
                        &ByteSeq::from_public_slice(value),
                        &ByteSeq::from_public_slice(&[constant]),
                    );
                    keys.push(mac.to_public_array());
                }
            }
            let dhs_public = x25519_base(&scalar(&state.dhs)).to_public_array();
            let everywhere = keys.len().saturating_mul(targets.len()) <= HELD_VALUES_BUDGET;
            for (id, message) in &targets {
                let dh = message.header.dh.to_public_array();
                let near = dh == dhs_public || state.dhr == Some(dh);
                let mut tries: Vec<([u8; 32], &str)> = Vec::new();
                if everywhere || near {
                    tries.extend(
                        keys.iter()
                            .map(|key| (*key, "a chain, root or ratchet value")),
                    );
                }
                if let Some(skipped) = state.holds(&dh, message.header.n) {
                    for constant in [None, Some(0x01u8), Some(0x02)] {
                        let key = match constant {
                            None => skipped.mk,
                            Some(c) => spec::hmac::hmac(
                                &ByteSeq::from_public_slice(&skipped.mk),
                                &ByteSeq::from_public_slice(&[c]),
                            )
                            .to_public_array(),
                        };
                        tries.push((key, "a stored skipped key"));
                    }
                }
                for (key, what) in tries {
                    if opens(&MessageKey::from_public_slice(&key), &ad, message) {
                        let sent = &run.sent[*id];
                        return Err(violation(
                            HELD_VALUES,
                            Some(step),
                            format!(
                                "the state of {} exposed at step {step} holds {what} that opens message {id} ({} at step {}), which {} had {} before",
                                party.name(),
                                sent.from.name(),
                                sent.step,
                                party.name(),
                                if sent.from == party {
                                    "sent"
                                } else {
                                    "decrypted"
                                },
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}
