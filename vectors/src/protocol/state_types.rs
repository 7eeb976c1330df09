//! Public types of `state.json`.

/// A stored skipped message key in a [`StateVector`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedKey {
    /// The ratchet public key of its chain.
    pub dh: [u8; 32],
    /// Its message number.
    pub n: u32,
    /// The message key.
    pub mk: [u8; 32],
}

/// A state encoding (SPEC §6) and its decoded fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateVector {
    /// Unique in the file, e.g. `state_alice_initial`.
    pub id: String,
    /// The SPEC sections, and the conversation and step the state comes from.
    pub source: String,
    /// What the vector shows.
    pub description: String,
    /// The encoding.
    pub encoding: Vec<u8>,
    /// The flags byte.
    pub flags: u8,
    /// `AD`.
    pub ad: [u8; 66],
    /// `DHs`, the private key.
    pub dhs: [u8; 32],
    /// `DHr`.
    pub dhr: Option<[u8; 32]>,
    /// `RK`.
    pub rk: [u8; 32],
    /// `CKs`.
    pub cks: Option<[u8; 32]>,
    /// `CKr`.
    pub ckr: Option<[u8; 32]>,
    /// `Ns`.
    pub ns: u32,
    /// `Nr`.
    pub nr: u32,
    /// `PN`.
    pub pn: u32,
    /// `prekey_hash`.
    pub prekey_hash: Option<[u8; 32]>,
    /// `MKSKIPPED`, oldest first.
    pub skipped: Vec<SkippedKey>,
    /// `pending_prekey` (1647 bytes).
    pub pending_prekey: Option<Vec<u8>>,
}

/// A byte string that is not a state encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedState {
    /// Unique in the file, e.g. `state_reserved_flag`.
    pub id: String,
    /// The SPEC clause that rejects it.
    pub source: String,
    /// What was changed, and from which valid encoding.
    pub description: String,
    /// The bytes.
    pub encoding: Vec<u8>,
    /// The SPEC §7 error, e.g. `InvalidState`.
    pub error: String,
}

/// The contents of `state.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateVectors {
    /// Encodings that decode.
    pub valid: Vec<StateVector>,
    /// Encodings that must be refused.
    pub rejected: Vec<RejectedState>,
}
