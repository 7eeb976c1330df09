//! The one checker of the protocol vectors in `vectors/protocol/`: [`check_all`]
//! replays every file on a [`VectorSide`] (the spec, [`SpecSide`], or the
//! implementation, [`ImplSide`]) from its recorded inputs alone and compares, byte
//! for byte, every output, intermediate value, wire message, error and state
//! encoding the files record.
//!
//! - `pqxdh.json` ([`check_pqxdh`]): the label derivations of the inputs, the public
//!   keys, ML-KEM key generation, the signed bundle, the DH outputs and `SS` by the
//!   primitives, Alice's and Bob's PQXDH keys, the PreKey header and `TH`;
//! - `ratchet.json` ([`check_ratchet`]): every step of every conversation (the key
//!   schedule of each send and, where the side observes them, the chain keys,
//!   message key, AEAD key and nonce the send itself used, the wire bytes and their
//!   header, plaintexts, refusals, both parties' state encodings);
//! - `state.json` ([`check_state`]): decoding, re-encoding, the decoded fields, the
//!   refusals of malformed encodings;
//! - `rules.json` ([`check_rules_decoding`], [`check_rules_verification`],
//!   [`check_rules_decapsulation_keys`], [`check_rules_sessions`],
//!   [`check_rules_accepts`]): wire decoding, bundle verification, decapsulation key
//!   checks, single session operations and `accept` sequences on one prekey store;
//! - `franking.json` ([`check_franking`]: [`check_franking_commits`],
//!   [`check_franking_stamp_tags`], [`check_franking_flows`],
//!   [`check_franking_reports`], [`check_franking_decoding`]): SPEC §9's two HMACs,
//!   franked conversations through the platform (every submission, delivery,
//!   receipt, report and state), `VerifyReport`, and the §9.3 decoders.
//!
//! Errors are compared by their SPEC §7 name (`Error::name()` on both sides), never
//! by variant. What only one side can show (the spec's PQXDH intermediates, its
//! decoded state fields and the chain step of its sends, the implementation's
//! prekey store) is optional: a method of [`VectorSide`] whose default is "not
//! observed", or an `Option` in what a method returns. The same function then
//! checks it where a side observes it.
//!
//! The checks never panic: every mismatch becomes a [`Mismatch`] (vector id, step,
//! field) in a [`Report`], which also counts what was checked. The harness tests
//! (`harness/tests/protocol_vectors.rs`) and `lockstep check` (`cli/src/protocol.rs`)
//! both call these functions.

use std::fmt;

use lockstep_vectors::protocol::{
    self, Conversation, FrankedStructure, FrankingReceipt, FrankingVectors, PqxdhVector,
    RuleVectors, SessionAction, StateVectors, VerifiedReportFields,
};

use crate::invariants::StateView;
use crate::model::Party;

mod franking;
mod impl_side;
mod pqxdh;
mod ratchet;
mod rules;
mod spec_side;
mod state;

pub use franking::{
    check_franking, check_franking_commits, check_franking_decoding, check_franking_flows,
    check_franking_reports, check_franking_stamp_tags,
};
pub use impl_side::ImplSide;
pub use pqxdh::check_pqxdh;
pub use ratchet::check_ratchet;
pub(crate) use ratchet::party;
pub use rules::{
    check_rules_accepts, check_rules_decapsulation_keys, check_rules_decoding,
    check_rules_sessions, check_rules_verification,
};
pub(crate) use rules::{decoded, verdict};
pub use spec_side::SpecSide;
pub use state::check_state;

/// A refusal, by its SPEC §7 name (`"DecryptionFailed"`), as both sides' errors
/// give it.
pub type Refusal = &'static str;

/// What a side's key agreement (SPEC §3.4) shows of its keys; `None`: the side does
/// not expose that value (the implementation erases the DH outputs and `SS`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PqxdhKeys {
    /// `DH1`.
    pub dh1: Option<[u8; 32]>,
    /// `DH2`.
    pub dh2: Option<[u8; 32]>,
    /// `DH3`.
    pub dh3: Option<[u8; 32]>,
    /// `DH4` (itself absent without a one-time prekey).
    pub dh4: Option<Option<[u8; 32]>>,
    /// `SS`.
    pub ss: Option<[u8; 32]>,
    /// `SK`.
    pub sk: [u8; 32],
    /// `AD`.
    pub ad: Vec<u8>,
    /// `TH`.
    pub th: [u8; 32],
}

/// A handshake run from a [`PqxdhVector`]'s recorded inputs.
#[derive(Clone, Debug)]
pub struct PqxdhRun {
    /// Alice's keys (`initiate` on the recorded bundle).
    pub alice: PqxdhKeys,
    /// Her PreKey header, encoded.
    pub prekey_header: Vec<u8>,
    /// `CT`, as the header carries it.
    pub ct: Vec<u8>,
    /// The header's `opk_id`.
    pub opk_id: Option<u32>,
    /// Bob's keys (`respond` to that header), or his refusal.
    pub bob: Result<PqxdhKeys, Refusal>,
}

/// Bob's bundle, signed by a side from a [`PqxdhVector`]'s inputs.
#[derive(Clone, Debug)]
pub struct SignedBundle {
    /// `SPK_sig`.
    pub spk_sig: Vec<u8>,
    /// `PQPK_sig`.
    pub pqpk_sig: Vec<u8>,
    /// The encoding (SPEC §3.2).
    pub bundle: Vec<u8>,
    /// Whether the recorded bundle decodes to the bundle signed (compared as values
    /// where the side's bundle type can be); `None`: not observed.
    pub recorded_decodes_to_it: Option<bool>,
}

/// A message decoded by a side (SPEC §5).
#[derive(Clone, Debug)]
pub struct DecodedMessage {
    /// The message encoded again.
    pub reencoded: Vec<u8>,
    /// The PreKey header, encoded again, if it is a PreKey message.
    pub prekey_header: Option<Vec<u8>>,
    /// Header `dh`.
    pub dh: [u8; 32],
    /// Header `pn`.
    pub pn: u32,
    /// Header `n`.
    pub n: u32,
    /// `ct ‖ tag`.
    pub ciphertext: Vec<u8>,
}

/// The fields of a state (SPEC §6), as in `state.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateFields {
    /// `AD`.
    pub ad: Vec<u8>,
    /// The other fields, in the harness's own shape ([`StateView`], whose
    /// `pending_prekey` only says whether there is one).
    pub view: StateView,
    /// `pending_prekey`.
    pub pending_prekey: Option<Vec<u8>>,
}

impl StateFields {
    /// The fields read from a SPEC §6 encoding by the harness's own reader
    /// ([`StateView::parse`]), for a side that does not expose its state's fields;
    /// none if the encoding is malformed.
    #[must_use]
    pub fn read(encoding: &[u8]) -> Option<StateFields> {
        use lockstep_spec::consts::{AD_LEN, PREKEY_HEADER_LEN, STATE_OFFSET_AD};
        let view = StateView::parse(encoding)?;
        let pending_prekey = if view.pending_prekey {
            Some(
                encoding
                    .get(encoding.len().checked_sub(PREKEY_HEADER_LEN)?..)?
                    .to_vec(),
            )
        } else {
            None
        };
        Some(StateFields {
            ad: encoding
                .get(STATE_OFFSET_AD..STATE_OFFSET_AD + AD_LEN)?
                .to_vec(),
            view,
            pending_prekey,
        })
    }
}

/// A state encoding decoded by a side.
#[derive(Clone, Debug)]
pub struct DecodedState {
    /// The state encoded again.
    pub reencoded: Vec<u8>,
    /// Its fields, if the side exposes them.
    pub fields: Option<StateFields>,
}

/// What a side's send gave: the wire bytes, and the AEAD key and nonce the side
/// sealed them with and the sending chain's step, if it observes them.
#[derive(Clone, Debug)]
pub struct Sent {
    /// The bytes sent.
    pub wire: Vec<u8>,
    /// `(key, nonce)` of the seal.
    pub aead: Option<([u8; 32], [u8; 12])>,
    /// The sending chain's `KDF_CK` step (SPEC §4.5); `None`: not observed.
    pub chain: Option<ChainStep>,
}

/// One step of a sending chain as the sender took it (SPEC §4.1, §4.5): `CKs`
/// before and after, and the message key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainStep {
    /// `CKs` before the send.
    pub ck_before: [u8; 32],
    /// `CKs` after the send.
    pub ck_after: [u8; 32],
    /// The message key the send used.
    pub mk: [u8; 32],
}

/// What one session operation on a state gave.
#[derive(Clone, Debug)]
pub struct Operated {
    /// The output (wire bytes or plaintext), or the refusal.
    pub result: Result<Vec<u8>, Refusal>,
    /// The state encoding after (the one it had, on a refusal).
    pub state_after: Vec<u8>,
}

/// Whether Bob's prekey store still holds the keys of a handshake after an accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreKeysHeld {
    /// The one-time prekey.
    pub one_time: bool,
    /// The post-quantum prekey.
    pub post_quantum: bool,
}

/// A franking context (SPEC §9.1) as bytes: the sender's and the recipient's
/// identifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrankingIds<'a> {
    /// The sender's identifier.
    pub sender: &'a [u8],
    /// The recipient's identifier.
    pub recipient: &'a [u8],
}

/// A side that replays the protocol vectors at the byte level: every input comes
/// from a vector as bytes, every output goes back as bytes, every refusal as its
/// SPEC §7 name.
pub trait VectorSide {
    /// Both parties of a conversation and Bob's prekey store.
    type Conversation;
    /// Bob's prekey store for a handshake's keys (SPEC §3.5), with its replay record.
    type Store;

    /// `"spec"` or `"impl"`, for reports.
    fn name(&self) -> &'static str;

    // --- primitives ---

    /// SHA-256.
    fn sha256(&self, bytes: &[u8]) -> [u8; 32];
    /// SHA-512.
    fn sha512(&self, bytes: &[u8]) -> [u8; 64];
    /// `X25519(private, 9)` for an ephemeral or prekey.
    fn public_key(&self, private: &[u8; 32]) -> [u8; 32];
    /// The public key of an identity private key.
    fn identity_public_key(&self, private: &[u8; 32]) -> [u8; 32] {
        self.public_key(private)
    }
    /// `X25519(private, public)`.
    ///
    /// # Errors
    /// The side's refusal (the implementation refuses an all-zero output).
    fn x25519(&self, private: &[u8; 32], public: &[u8; 32]) -> Result<[u8; 32], Refusal>;
    /// ML-KEM-1024 `keygen(d, z)`: `(ek, dk)`.
    fn ml_kem_keygen(&self, d: &[u8; 32], z: &[u8; 32]) -> (Vec<u8>, Vec<u8>);
    /// ML-KEM-1024 `decaps(dk, ct)`, with the side's input checks on `dk`.
    ///
    /// # Errors
    /// The refusal of the checks.
    fn decapsulate(&self, dk: &[u8], ct: &[u8]) -> Result<[u8; 32], Refusal>;
    /// SPEC §3.4: `SK = KDF(DH1 ‖ DH2 ‖ DH3 [‖ DH4] ‖ SS, TH)` of recorded values;
    /// `None`: not observed.
    fn pqxdh_kdf(&self, v: &PqxdhVector) -> Option<[u8; 32]> {
        let _ = v;
        None
    }
    /// SPEC §4.1: `KDF_CK(ck)`: `(ck', mk)`.
    fn kdf_ck(&self, ck: &[u8; 32]) -> ([u8; 32], [u8; 32]);
    /// SPEC §4.2: the AEAD key and nonce of a message key.
    fn message_key_material(&self, mk: &[u8; 32]) -> ([u8; 32], [u8; 12]);
    /// SPEC §4.2, §4.5: `ct ‖ tag` of `plaintext` under `key`, `nonce` and
    /// `AD ‖ H` with the header of the message `wire`; `None`: not observed.
    fn seal_message(
        &self,
        key: &[u8; 32],
        nonce: &[u8; 12],
        ad: &[u8],
        wire: &[u8],
        plaintext: &[u8],
    ) -> Option<Result<Vec<u8>, Refusal>> {
        let _ = (key, nonce, ad, wire, plaintext);
        None
    }

    // --- decoders ---

    /// SPEC §5: `decode_message`.
    ///
    /// # Errors
    /// The decoder's refusal.
    fn decode_message(&self, bytes: &[u8]) -> Result<DecodedMessage, Refusal>;
    /// A second decoder of messages the side has (the implementation's borrowed one),
    /// which must agree; `None`: there is none.
    fn decode_message_again(&self, bytes: &[u8]) -> Option<Result<(), Refusal>> {
        let _ = bytes;
        None
    }
    /// SPEC §3.2: `decode_bundle`, then the bundle encoded again.
    ///
    /// # Errors
    /// The decoder's refusal.
    fn decode_bundle(&self, bytes: &[u8]) -> Result<Vec<u8>, Refusal>;
    /// SPEC §3.2, §3.3: decode and verify a bundle.
    ///
    /// # Errors
    /// The refusal.
    fn verify_bundle(&self, bytes: &[u8]) -> Result<(), Refusal>;
    /// SPEC §6: decode a state.
    ///
    /// # Errors
    /// The decoder's refusal.
    fn decode_state(&self, bytes: &[u8]) -> Result<DecodedState, Refusal>;

    // --- the handshake ---

    /// SPEC §3.2: Bob signs his bundle from the vector's inputs.
    ///
    /// # Errors
    /// A refusal of the side's key types.
    fn sign_bundle(&self, v: &PqxdhVector) -> Result<SignedBundle, Refusal>;
    /// SPEC §3.3-§3.5: Alice decodes and verifies the recorded bundle and initiates;
    /// Bob responds to her header.
    ///
    /// # Errors
    /// The step that refused and its refusal.
    fn pqxdh(&self, v: &PqxdhVector) -> Result<PqxdhRun, (&'static str, Refusal)>;

    // --- sessions ---

    /// Bob's store holding the keys of handshake `h`.
    ///
    /// # Errors
    /// A refusal of the recorded keys.
    fn store(&self, h: &PqxdhVector) -> Result<Self::Store, Refusal>;
    /// SPEC §3.5, §3.6: Bob accepts a PreKey message with `store`: the plaintext and
    /// the new session's state encoding.
    ///
    /// # Errors
    /// The refusal.
    fn accept(
        &self,
        store: &mut Self::Store,
        wire: &[u8],
        r: &[u8; 32],
    ) -> Result<(Vec<u8>, Vec<u8>), Refusal>;
    /// Whether `store` still holds handshake `h`'s one-time and post-quantum
    /// prekeys; `None`: not observed.
    fn prekeys_held(&self, store: &Self::Store, h: &PqxdhVector) -> Option<PreKeysHeld> {
        let _ = (store, h);
        None
    }
    /// Alice's `session::initiate` on handshake `h` with ratchet key `alice_r`: the
    /// conversation, and `SK` if the side shows it.
    ///
    /// # Errors
    /// The refusal.
    fn start(
        &self,
        h: &PqxdhVector,
        alice_r: &[u8; 32],
    ) -> Result<(Self::Conversation, Option<[u8; 32]>), Refusal>;
    /// `party`'s state encoding, if it has a session.
    fn state(&self, c: &Self::Conversation, party: Party) -> Option<Vec<u8>>;
    /// The store of the conversation, for [`VectorSide::prekeys_held`].
    fn conversation_store<'a>(&self, c: &'a Self::Conversation) -> &'a Self::Store;
    /// SPEC §4.5: `party` encrypts `plaintext`.
    ///
    /// # Errors
    /// The refusal, or `"NoSession"`.
    fn encrypt(
        &self,
        c: &mut Self::Conversation,
        party: Party,
        plaintext: &[u8],
    ) -> Result<Sent, Refusal>;
    /// SPEC §4.6, §5.2: `party` decrypts `wire` with randomness `r`; Bob without a
    /// session accepts it ([`VectorSide::accept`] with the conversation's store).
    ///
    /// # Errors
    /// The refusal, or `"NoSession"`.
    fn deliver(
        &self,
        c: &mut Self::Conversation,
        party: Party,
        wire: &[u8],
        r: &[u8; 32],
    ) -> Result<Vec<u8>, Refusal>;
    /// One session operation on a state encoding: the result and the state encoding
    /// after (the one it had, on a refusal).
    ///
    /// # Errors
    /// The state's refusal to decode.
    fn session_operation(
        &self,
        state: &[u8],
        action: SessionAction,
        input: &[u8],
        r: Option<&[u8; 32]>,
    ) -> Result<Operated, Refusal>;

    // --- franking (SPEC §9) ---

    /// What a recipient keeps of a franked message it accepted (SPEC §9.2).
    type Receipt;

    /// SPEC §9.2: `Commit(fk, sender, recipient, m)`.
    ///
    /// # Errors
    /// The refusal of an identifier outside 1..64 bytes.
    fn commit(&self, fk: &[u8; 32], ids: FrankingIds<'_>, m: &[u8]) -> Result<[u8; 32], Refusal>;
    /// SPEC §9.2: `StampTag(K_P, c, sender, recipient, t)`.
    ///
    /// # Errors
    /// The refusal of an identifier outside 1..64 bytes.
    fn stamp_tag(
        &self,
        kp: &[u8; 32],
        c: &[u8; 32],
        ids: FrankingIds<'_>,
        t: u64,
    ) -> Result<[u8; 32], Refusal>;
    /// SPEC §9.2: the platform's `Stamp`: the delivery of a submission.
    ///
    /// # Errors
    /// The submission decoder's refusal, or an identifier's.
    fn stamp(
        &self,
        kp: &[u8; 32],
        ids: FrankingIds<'_>,
        t: u64,
        submission: &[u8],
    ) -> Result<Vec<u8>, Refusal>;
    /// SPEC §9.3: decode a submission, delivery or report, then encode it again.
    ///
    /// # Errors
    /// The decoder's refusal.
    fn decode_franked(&self, structure: FrankedStructure, bytes: &[u8])
    -> Result<Vec<u8>, Refusal>;
    /// SPEC §9.2: the platform's `VerifyReport` of a report sent by `reporter`.
    ///
    /// # Errors
    /// The refusal.
    fn verify_report(
        &self,
        kp: &[u8; 32],
        reporter: &[u8],
        report: &[u8],
    ) -> Result<VerifiedReportFields, Refusal>;
    /// SPEC §9.2: `party` franks `m` with the franking key `fk` (`FrankEncrypt`):
    /// the submission.
    ///
    /// # Errors
    /// The refusal, or `"NoSession"`.
    fn frank_encrypt(
        &self,
        c: &mut Self::Conversation,
        party: Party,
        ids: FrankingIds<'_>,
        fk: &[u8; 32],
        m: &[u8],
    ) -> Result<Vec<u8>, Refusal>;
    /// SPEC §9.2: `party` is handed a delivery with randomness `r`: `FrankDecrypt`,
    /// or for Bob without a session `FrankAccept` with the conversation's store. The
    /// message and its receipt; on a refusal the party's state (and the store) is
    /// unchanged.
    ///
    /// # Errors
    /// The refusal, or `"NoSession"`.
    fn frank_deliver(
        &self,
        c: &mut Self::Conversation,
        party: Party,
        ids: FrankingIds<'_>,
        delivery: &[u8],
        r: &[u8; 32],
    ) -> Result<(Vec<u8>, Self::Receipt), Refusal>;
    /// A receipt's time, commitment, stamp tag and franking key.
    fn receipt_fields(&self, receipt: &Self::Receipt) -> FrankingReceipt;
    /// SPEC §9.2: `Report(receipt, m)`, for `m` the message the receipt came with
    /// (the implementation refuses any other).
    ///
    /// # Errors
    /// The refusal.
    fn report(&self, receipt: &Self::Receipt, m: &[u8]) -> Result<Vec<u8>, Refusal>;
}

/// The refusal of a party with no session.
pub const NO_SESSION: Refusal = "NoSession";

/// One mismatch between a side and the vectors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The vector, and the step or delivery (`ratchet_in_order step 4`), or the file.
    pub what: String,
    /// The field, or what was checked.
    pub field: String,
    /// What differs.
    pub detail: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.what, self.field, self.detail)
    }
}

/// How much a check covered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Handshakes of `pqxdh.json`.
    pub handshakes: usize,
    /// Conversations of `ratchet.json`.
    pub conversations: usize,
    /// Their steps.
    pub steps: usize,
    /// Send steps.
    pub sends: usize,
    /// Messages encrypted and lost by `send_lost` steps.
    pub lost_sends: u64,
    /// Deliveries.
    pub deliveries: usize,
    /// Deliveries refused.
    pub refusals: usize,
    /// Valid state encodings.
    pub states: usize,
    /// Rejected state encodings.
    pub rejected_states: usize,
    /// `rules.json` decoding vectors.
    pub decoding: usize,
    /// `rules.json` verification vectors.
    pub verification: usize,
    /// `rules.json` decapsulation key vectors.
    pub decapsulation_keys: usize,
    /// `rules.json` session operations.
    pub sessions: usize,
    /// `rules.json` accept sequences.
    pub accepts: usize,
    /// Their deliveries.
    pub accept_deliveries: usize,
    /// `franking.json` commitments.
    pub franking_commits: usize,
    /// `franking.json` stamp tags.
    pub franking_stamp_tags: usize,
    /// `franking.json` flows.
    pub franking_flows: usize,
    /// Their steps.
    pub franking_steps: usize,
    /// `franking.json` reports given to `VerifyReport`.
    pub franking_reports: usize,
    /// `franking.json` decoding vectors.
    pub franking_decoding: usize,
}

impl Counts {
    /// The vectors, steps and encodings checked, as one number of cases.
    #[must_use]
    pub fn cases(&self) -> usize {
        self.handshakes
            + self.steps
            + self.states
            + self.rejected_states
            + self.decoding
            + self.verification
            + self.decapsulation_keys
            + self.sessions
            + self.accept_deliveries
            + self.franking_commits
            + self.franking_stamp_tags
            + self.franking_steps
            + self.franking_reports
            + self.franking_decoding
    }
}

impl fmt::Display for Counts {
    /// The counts that are not zero, e.g. `3 handshakes, 66 steps (30 sends, ...)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lost = usize::try_from(self.lost_sends).unwrap_or(usize::MAX);
        let parts = [
            (self.handshakes, "handshakes"),
            (self.conversations, "conversations"),
            (self.steps, "steps"),
            (self.sends, "sends"),
            (lost, "lost sends"),
            (self.deliveries, "deliveries"),
            (self.refusals, "refused deliveries"),
            (self.states, "valid states"),
            (self.rejected_states, "rejected states"),
            (self.decoding, "decoding vectors"),
            (self.verification, "verification vectors"),
            (self.decapsulation_keys, "decapsulation keys"),
            (self.sessions, "session operations"),
            (self.accepts, "accept sequences"),
            (self.accept_deliveries, "accept deliveries"),
            (self.franking_commits, "franking commitments"),
            (self.franking_stamp_tags, "franking stamp tags"),
            (self.franking_flows, "franking flows"),
            (self.franking_steps, "franking steps"),
            (self.franking_reports, "franking reports"),
            (self.franking_decoding, "franking decoding vectors"),
        ];
        let mut first = true;
        for (count, what) in parts {
            if count > 0 {
                write!(f, "{}{count} {what}", if first { "" } else { ", " })?;
                first = false;
            }
        }
        if first {
            f.write_str("nothing")?;
        }
        Ok(())
    }
}

/// What a check found: every mismatch, and what it covered.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The side's name.
    pub side: &'static str,
    /// Every mismatch, in the order found.
    pub mismatches: Vec<Mismatch>,
    /// What was checked.
    pub counts: Counts,
}

impl Report {
    /// An empty report for `side`.
    #[must_use]
    pub fn new(side: &'static str) -> Self {
        Report {
            side,
            mismatches: Vec::new(),
            counts: Counts::default(),
        }
    }

    /// Whether nothing differed.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.mismatches.is_empty()
    }

    /// A mismatch.
    pub(crate) fn fail(&mut self, what: &str, field: &str, detail: impl Into<String>) {
        self.mismatches.push(Mismatch {
            what: what.to_owned(),
            field: field.to_owned(),
            detail: detail.into(),
        });
    }

    /// Bytes that must be equal; the mismatch shows the bytes around the first
    /// difference.
    pub(crate) fn same(&mut self, what: &str, field: &str, got: &[u8], want: &[u8]) {
        if got != want {
            let at = got
                .iter()
                .zip(want)
                .position(|(a, b)| a != b)
                .unwrap_or(got.len().min(want.len()));
            let from = at.saturating_sub(8);
            self.fail(
                what,
                field,
                format!(
                    "first difference at byte {at} ({} vs {} bytes): from byte {from}, got {}, want {}",
                    got.len(),
                    want.len(),
                    short_hex(got.get(from..).unwrap_or_default()),
                    short_hex(want.get(from..).unwrap_or_default())
                ),
            );
        }
    }

    /// Values that must be equal.
    pub(crate) fn same_value<T: PartialEq + fmt::Debug>(
        &mut self,
        what: &str,
        field: &str,
        got: T,
        want: T,
    ) {
        if got != want {
            self.fail(what, field, format!("got {got:?}, want {want:?}"));
        }
    }

    /// A value a side may not observe: compared only if it does.
    pub(crate) fn same_if_observed<T: PartialEq + fmt::Debug>(
        &mut self,
        what: &str,
        field: &str,
        got: Option<T>,
        want: T,
    ) {
        if let Some(got) = got {
            self.same_value(what, field, got, want);
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} mismatches", self.side, self.mismatches.len())?;
        for m in &self.mismatches {
            write!(f, "\n  {m}")?;
        }
        Ok(())
    }
}

fn short_hex(bytes: &[u8]) -> String {
    const SHOWN: usize = 40;
    let mut out = String::new();
    for b in bytes.iter().take(SHOWN) {
        out.push_str(&format!("{b:02x}"));
    }
    if bytes.len() > SHOWN {
        out.push_str(&format!("… ({} bytes)", bytes.len()));
    }
    out
}

/// The five files, loaded.
#[derive(Clone, Debug)]
pub struct ProtocolVectors {
    /// `pqxdh.json`.
    pub pqxdh: Vec<PqxdhVector>,
    /// `ratchet.json`.
    pub ratchet: Vec<Conversation>,
    /// `state.json`.
    pub state: StateVectors,
    /// `rules.json`.
    pub rules: RuleVectors,
    /// `franking.json`.
    pub franking: FrankingVectors,
}

impl ProtocolVectors {
    /// The committed files (compiled into `lockstep-vectors`).
    ///
    /// # Errors
    /// If a file is malformed.
    pub fn load() -> Result<Self, lockstep_vectors::Error> {
        Ok(ProtocolVectors {
            pqxdh: protocol::pqxdh()?,
            ratchet: protocol::ratchet()?,
            state: protocol::state()?,
            rules: protocol::rules()?,
            franking: protocol::franking()?,
        })
    }
}

/// Every check of every file on `side`.
pub fn check_all<S: VectorSide>(side: &S, vectors: &ProtocolVectors) -> Report {
    let mut report = Report::new(side.name());
    check_pqxdh(side, &vectors.pqxdh, &mut report);
    check_ratchet(side, &vectors.pqxdh, &vectors.ratchet, &mut report);
    check_state(side, &vectors.state, &vectors.ratchet, &mut report);
    check_rules_decoding(side, &vectors.rules, &mut report);
    check_rules_verification(side, &vectors.rules, &vectors.pqxdh, &mut report);
    check_rules_decapsulation_keys(side, &vectors.rules, &vectors.pqxdh, &mut report);
    check_rules_sessions(side, &vectors.rules, &mut report);
    check_rules_accepts(side, &vectors.rules, &vectors.pqxdh, &mut report);
    check_franking(side, &vectors.pqxdh, &vectors.franking, &mut report);
    report
}

/// The label derivation the files document: SHA-256 of
/// `"lockstep v1 vectors / <id> / <name>"`.
pub(crate) fn derived32<S: VectorSide>(side: &S, id: &str, name: &str) -> [u8; 32] {
    side.sha256(format!("lockstep v1 vectors / {id} / {name}").as_bytes())
}

/// The same with SHA-512.
pub(crate) fn derived64<S: VectorSide>(side: &S, id: &str, name: &str) -> [u8; 64] {
    side.sha512(format!("lockstep v1 vectors / {id} / {name}").as_bytes())
}

/// A file's count, as the tests and the generator fix it.
pub(crate) fn expect_count(report: &mut Report, file: &str, field: &str, got: usize, want: usize) {
    report.same_value(file, field, got, want);
}

/// Every error in `names` was the outcome of some vector in `seen`.
pub(crate) fn expect_errors(report: &mut Report, file: &str, seen: &[String], names: &[&str]) {
    for name in names {
        if !seen.iter().any(|s| s == name) {
            report.fail(file, "errors", format!("no vector refused with {name}"));
        }
    }
}
