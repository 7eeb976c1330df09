//! The `state_decode` target: `Session::from_bytes` against the spec's `decode_state`.

use super::*;

pub(super) const STATE: &str = "state_decode";

/// The plaintext [`state_decode`] encrypts from a decoded state.
pub(super) const STATE_PLAINTEXT: &[u8] = b"lockstep fuzz";

/// Arbitrary bytes into `Session::from_bytes` and the spec's `decode_state` (SPEC
/// §6): the same refusal, or both decode, and both re-encode to exactly the input.
/// A decoded state then encrypts a short message on both sides: the same message
/// bytes and the same next state, or the same refusal with the state unchanged.
///
/// # Errors
/// A [`Finding`] naming the property that failed.
pub fn state_decode(data: &[u8]) -> Result<(), Finding> {
    let implementation = Session::from_bytes(data).map_err(Failure::from);
    let spec_state = spec::state::decode_state(&seq(data)).map_err(Failure::from);
    let (mut session, state) = match (implementation, spec_state) {
        (Err(i), Err(s)) if i == s => return Ok(()),
        (Ok(session), Ok(state)) => (session, state),
        (i, s) => {
            return Err(finding(
                STATE,
                "spec and impl decode differently",
                format!(
                    "spec {:?}, impl {:?}",
                    s.map(|_| "decoded"),
                    i.map(|_| "decoded")
                ),
            ));
        }
    };
    if session.to_bytes().as_slice() != data {
        return Err(finding(STATE, "impl re-encodes differently", hex(data)));
    }
    if spec::state::encode_state(&state).to_native() != data {
        return Err(finding(STATE, "spec re-encodes differently", hex(data)));
    }
    let sent = session.encrypt(STATE_PLAINTEXT).map_err(Failure::from);
    let spec_sent = spec::session::encrypt(&state, &seq(STATE_PLAINTEXT));
    match (sent, spec_sent) {
        (Ok(message), Ok((next, spec_message))) => {
            if message != spec_message.to_native() {
                return Err(finding(
                    STATE,
                    "spec and impl encrypt differently",
                    hex(data),
                ));
            }
            if session.to_bytes().as_slice() != spec::state::encode_state(&next).to_native() {
                return Err(finding(
                    STATE,
                    "spec and impl states differ after encrypting",
                    hex(data),
                ));
            }
        }
        (Err(i), Err(s)) if i == Failure::from(s) => {
            if session.to_bytes().as_slice() != data {
                return Err(finding(
                    STATE,
                    "a refused encryption changed the state",
                    hex(data),
                ));
            }
        }
        (i, s) => {
            return Err(finding(
                STATE,
                "spec and impl encrypt differently",
                format!("spec {:?}, impl {:?}", s.map(|_| ()), i.map(|_| ())),
            ));
        }
    }
    Ok(())
}
