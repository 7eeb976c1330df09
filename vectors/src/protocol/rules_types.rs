//! Public types of `rules.json`.

use super::*;

/// Whether an input is accepted, for vectors whose success has no output to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Accepted.
    Ok,
    /// Refused with this SPEC §7 error.
    Rejected(String),
}

/// What a [`DecodingVector`]'s bytes are meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structure {
    /// A message (SPEC §5): `decode_message`, which reads the type byte.
    Message,
    /// A prekey bundle (SPEC §3.2): `decode_bundle`.
    Bundle,
}

/// Bytes given to a wire decoder (SPEC §3.2, §5), and what it must say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodingVector {
    /// Unique in the file, e.g. `message_empty`.
    pub id: String,
    /// The SPEC clauses that fix the outcome.
    pub source: String,
    /// What was changed, and from which genuine encoding.
    pub description: String,
    /// The decoder.
    pub structure: Structure,
    /// The bytes.
    pub encoding: Vec<u8>,
    /// [`Verdict::Ok`]: decodes, and encodes back to `encoding`; else the error.
    pub outcome: Verdict,
}

/// A bundle that decodes, given to verification (SPEC §3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationVector {
    /// Unique in the file, e.g. `verify_spk_sig_s_plus_q`.
    pub id: String,
    /// The SPEC clauses that fix the outcome.
    pub source: String,
    /// What was changed, and from which genuine bundle.
    pub description: String,
    /// The `pqxdh.json` handshake whose bundle it was made from.
    pub handshake: String,
    /// The bundle (1807 bytes).
    pub bundle: Vec<u8>,
    /// [`Verdict::Ok`] if it verifies, else the error.
    pub outcome: Verdict,
}

/// An ML-KEM-1024 decapsulation key given to `DECAPS`'s input checks (SPEC §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecapsulationKeyVector {
    /// Unique in the file.
    pub id: String,
    /// The SPEC clauses that fix the outcome.
    pub source: String,
    /// What was changed, and from which genuine key.
    pub description: String,
    /// The key (3168 bytes).
    pub dk: Vec<u8>,
    /// [`Verdict::Ok`] if it passes the checks, else the error.
    pub outcome: Verdict,
}

/// The session operation of a [`SessionVector`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionAction {
    /// `session::encrypt(state, input)`; the output is the wire bytes.
    Encrypt,
    /// `session::decrypt(state, input, r)`; the output is the plaintext.
    Decrypt,
}

/// One session operation on a given state encoding (SPEC §4.5, §4.6, §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionVector {
    /// Unique in the file.
    pub id: String,
    /// The SPEC clauses, and where the state and input come from.
    pub source: String,
    /// What the vector shows, and how the state or input was changed.
    pub description: String,
    /// The state encoding (SPEC §6) the operation starts from.
    pub state: Vec<u8>,
    /// Encrypt or decrypt.
    pub action: SessionAction,
    /// The plaintext (encrypt) or the wire bytes (decrypt).
    pub input: Vec<u8>,
    /// The decryption's randomness; `None` for encrypt.
    pub r: Option<[u8; 32]>,
    /// `Ok` with the wire bytes (encrypt) or the plaintext (decrypt), or the error.
    pub outcome: Outcome,
    /// The state encoding after (`state`, on an error).
    pub state_after: Vec<u8>,
}

/// One PreKey message given to Bob's `accept`, with his prekey store as the earlier
/// deliveries of its [`AcceptVector`] left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptDelivery {
    /// What the delivery shows, including any change made to the message.
    pub note: String,
    /// The bytes delivered.
    pub wire: Vec<u8>,
    /// Bob's randomness for the session's first DH ratchet step.
    pub r: [u8; 32],
    /// `Ok` with the plaintext, or the error.
    pub outcome: Outcome,
    /// The new session's state encoding; `None` on an error (no session is made).
    pub state: Option<Vec<u8>>,
}

/// PreKey messages delivered, in order, to `accept` with one prekey store holding
/// the keys of a `pqxdh.json` handshake (SPEC §3.5, §3.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptVector {
    /// Unique in the file.
    pub id: String,
    /// The SPEC clauses it exercises.
    pub source: String,
    /// What the vector shows.
    pub description: String,
    /// The `pqxdh.json` handshake whose keys Bob's store holds.
    pub handshake: String,
    /// The deliveries, in order.
    pub deliveries: Vec<AcceptDelivery>,
}

/// The contents of `rules.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleVectors {
    /// Wire decoding, accepted and refused.
    pub decoding: Vec<DecodingVector>,
    /// Bundle verification.
    pub verification: Vec<VerificationVector>,
    /// Decapsulation key checks.
    pub decapsulation_keys: Vec<DecapsulationKeyVector>,
    /// Single session operations on given states.
    pub sessions: Vec<SessionVector>,
    /// Sequences of `accept` on one store.
    pub accepts: Vec<AcceptVector>,
}
