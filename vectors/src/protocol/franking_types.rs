//! Public types of `franking.json` (docs/SPEC.md §9, message franking).

use super::{Outcome, Party, Verdict};

/// One `Commit(fk, sender, recipient, m)` (SPEC §9.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitVector {
    /// Unique in the file, e.g. `commit_empty_message`.
    pub id: String,
    /// The SPEC clauses it exercises.
    pub source: String,
    /// What the vector shows.
    pub description: String,
    /// The franking key `fk`.
    pub fk: [u8; 32],
    /// The sender's identifier (1 to 64 bytes, unless the vector is refused).
    pub sender: Vec<u8>,
    /// The recipient's identifier.
    pub recipient: Vec<u8>,
    /// The message `m`.
    pub m: Vec<u8>,
    /// [`Verdict::Ok`], or the error (`InvalidMessage` for an identifier outside
    /// 1..64 bytes).
    pub outcome: Verdict,
    /// The commitment `c`, exactly when the outcome is ok.
    pub c: Option<[u8; 32]>,
}

/// One `StampTag(K_P, c, sender, recipient, t)` (SPEC §9.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampTagVector {
    /// Unique in the file, e.g. `stamp_tag_t_max`.
    pub id: String,
    /// The SPEC clauses it exercises.
    pub source: String,
    /// What the vector shows.
    pub description: String,
    /// The platform's stamping key `K_P`.
    pub kp: [u8; 32],
    /// The commitment `c`.
    pub c: [u8; 32],
    /// The sender's identifier.
    pub sender: Vec<u8>,
    /// The recipient's identifier.
    pub recipient: Vec<u8>,
    /// The time `t`, 0 to 2^64 - 1.
    pub t: u64,
    /// [`Verdict::Ok`], or the error.
    pub outcome: Verdict,
    /// The stamp tag, exactly when the outcome is ok.
    pub tag: Option<[u8; 32]>,
}

/// What a report that verified proves (SPEC §9.2 `VerifyReport`'s result).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedReportFields {
    /// The sender's identifier.
    pub sender: Vec<u8>,
    /// The recipient's identifier (the reporter).
    pub recipient: Vec<u8>,
    /// The time the platform stamped.
    pub t: u64,
    /// The message the sender committed to.
    pub m: Vec<u8>,
}

/// A report given to the platform's `VerifyReport` (SPEC §9.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportVector {
    /// Unique in the file, e.g. `report_tag_changed`.
    pub id: String,
    /// The SPEC clauses that fix the outcome.
    pub source: String,
    /// What was changed, and from which genuine report.
    pub description: String,
    /// The platform's stamping key `K_P`.
    pub kp: [u8; 32],
    /// The identifier of the account that sent the report.
    pub reporter: Vec<u8>,
    /// The report's bytes (SPEC §9.3).
    pub report: Vec<u8>,
    /// [`Verdict::Ok`], or the error.
    pub outcome: Verdict,
    /// What it proves, exactly when the outcome is ok.
    pub verified: Option<VerifiedReportFields>,
}

/// Which SPEC §9.3 decoder a [`FrankedDecodingVector`] is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrankedStructure {
    /// A submission (`MSG_FRANKED`): `decode_submission`.
    Submission,
    /// A delivery (`MSG_STAMPED`): `decode_delivery`.
    Delivery,
    /// A report (`MSG_REPORT`): `decode_report`.
    Report,
}

/// Bytes given to a SPEC §9.3 decoder, and what it must say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrankedDecodingVector {
    /// Unique in the file, e.g. `report_sender_id_len_65`.
    pub id: String,
    /// The SPEC clauses that fix the outcome.
    pub source: String,
    /// What was changed, and from which genuine encoding.
    pub description: String,
    /// The decoder.
    pub structure: FrankedStructure,
    /// The bytes.
    pub encoding: Vec<u8>,
    /// [`Verdict::Ok`]: decodes, and encodes back to `encoding`; else the error.
    pub outcome: Verdict,
}

/// A franked conversation: a session set up from a `pqxdh.json` handshake, as in
/// `ratchet.json`, then [`FrankingStep`]s in order, with the platform in between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrankingFlow {
    /// Unique in the file.
    pub id: String,
    /// The SPEC sections it exercises.
    pub source: String,
    /// What the flow shows.
    pub description: String,
    /// The `id` of the `pqxdh.json` vector that sets the session up.
    pub handshake: String,
    /// The `r` of Alice's `session::initiate`.
    pub alice_r: [u8; 32],
    /// Alice's state encoding after `session::initiate`.
    pub alice_state: Vec<u8>,
    /// Alice's identifier on the platform (1 to 64 bytes).
    pub alice_id: Vec<u8>,
    /// Bob's identifier on the platform (1 to 64 bytes).
    pub bob_id: Vec<u8>,
    /// The platform's stamping key `K_P`.
    pub kp: [u8; 32],
    /// The steps, in order.
    pub steps: Vec<FrankingStep>,
}

/// One step of a [`FrankingFlow`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrankingStep {
    /// A party franks a message (SPEC §9.2 `FrankEncrypt`).
    FrankEncrypt(FrankEncryptStep),
    /// The platform stamps a submission (SPEC §9.2 `Stamp`).
    Stamp(StampStep),
    /// A party is handed a delivery (SPEC §9.2 `FrankAccept` or `FrankDecrypt`).
    FrankDeliver(FrankDeliverStep),
    /// A party reports a message it accepted (SPEC §9.2 `Report`).
    Report(ReportStep),
    /// The platform verifies a report (SPEC §9.2 `VerifyReport`).
    VerifyReport(VerifyReportStep),
}

/// `sender` franks `plaintext` with the franking key `fk`, in the context
/// (its identifier, the other party's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrankEncryptStep {
    /// What the step shows.
    pub note: String,
    /// Who franks.
    pub sender: Party,
    /// The franking key.
    pub fk: [u8; 32],
    /// The message `m`.
    pub plaintext: Vec<u8>,
    /// `c = Commit(fk, sender, recipient, m)`.
    pub c: [u8; 32],
    /// The submission, `VERSION ‖ MSG_FRANKED ‖ c ‖ inner`.
    pub submission: Vec<u8>,
    /// The sender's state encoding after.
    pub sender_state: Vec<u8>,
}

/// The platform stamps `submission`, the one of step `sent_at` (changed where the
/// note says), in the context of that step's sender and its peer, at time `t`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampStep {
    /// What the step shows, including any change made to the submission.
    pub note: String,
    /// The index of the [`FrankEncryptStep`] whose submission this is.
    pub sent_at: usize,
    /// The bytes the platform is given.
    pub submission: Vec<u8>,
    /// The platform's time.
    pub t: u64,
    /// `StampTag(K_P, c, sender, recipient, t)` over the submission's `c`.
    pub tag: [u8; 32],
    /// The delivery, `VERSION ‖ MSG_STAMPED ‖ u64be(t) ‖ c ‖ tag ‖ inner`.
    pub delivery: Vec<u8>,
}

/// What a recipient keeps of a franked message it accepted (SPEC §9.2), besides the
/// context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrankingReceipt {
    /// The platform's time.
    pub t: u64,
    /// The stamped commitment.
    pub c: [u8; 32],
    /// The stamp tag, as delivered.
    pub tag: [u8; 32],
    /// The franking key that opened `c`.
    pub fk: [u8; 32],
}

/// `receiver` is handed `delivery`, the one of step `stamped_at` (changed where the
/// note says): Bob's first is `FrankAccept` with the handshake's keys, every other
/// one `FrankDecrypt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrankDeliverStep {
    /// What the step shows, including any change made to the delivery.
    pub note: String,
    /// Who receives.
    pub receiver: Party,
    /// The index of the [`StampStep`] whose delivery this is.
    pub stamped_at: usize,
    /// The bytes delivered.
    pub delivery: Vec<u8>,
    /// The randomness of the decryption.
    pub r: [u8; 32],
    /// `Ok` with the message, or the error.
    pub outcome: Outcome,
    /// The receipt, exactly when the outcome is ok.
    pub receipt: Option<FrankingReceipt>,
    /// The receiver's state encoding after (the one it had, on an error); `None`
    /// only for a refused first message to Bob, who then has no session.
    pub receiver_state: Option<Vec<u8>>,
}

/// `reporter` reports the message it accepted at step `delivered_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportStep {
    /// What the step shows.
    pub note: String,
    /// Who reports: the receiver of step `delivered_at`.
    pub reporter: Party,
    /// The index of the accepted [`FrankDeliverStep`].
    pub delivered_at: usize,
    /// The message reported: the one accepted at `delivered_at`.
    pub plaintext: Vec<u8>,
    /// The report, `VERSION ‖ MSG_REPORT ‖ Id(sender) ‖ Id(recipient) ‖ u64be(t) ‖ c
    /// ‖ tag ‖ fk ‖ m`.
    pub report: Vec<u8>,
}

/// The platform verifies the report of step `reported_at`, sent by `reporter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReportStep {
    /// What the step shows.
    pub note: String,
    /// The index of the [`ReportStep`].
    pub reported_at: usize,
    /// The account that sent the report.
    pub reporter: Party,
    /// [`Verdict::Ok`], or the error.
    pub outcome: Verdict,
    /// What the report proves, exactly when the outcome is ok.
    pub verified: Option<VerifiedReportFields>,
}

/// The contents of `franking.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrankingVectors {
    /// `Commit` on given inputs.
    pub commits: Vec<CommitVector>,
    /// `StampTag` on given inputs.
    pub stamp_tags: Vec<StampTagVector>,
    /// Franked conversations through the platform.
    pub flows: Vec<FrankingFlow>,
    /// Reports given to `VerifyReport`.
    pub reports: Vec<ReportVector>,
    /// The SPEC §9.3 decoders.
    pub decoding: Vec<FrankedDecodingVector>,
}
