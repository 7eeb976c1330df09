//! The files as stored: their JSON shapes.

use super::*;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile<V> {
    pub(super) primitive: String,
    pub(super) source: String,
    pub(super) notes: String,
    pub(super) vectors: Vec<V>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOpk {
    pub(super) id: u32,
    pub(super) private: String,
    pub(super) public: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPqxdh {
    pub(super) id: String,
    pub(super) source: String,
    pub(super) description: String,
    pub(super) ik_a_private: String,
    pub(super) ik_a: String,
    pub(super) ek_a_private: String,
    pub(super) ek_a: String,
    pub(super) m: String,
    pub(super) ik_b_private: String,
    pub(super) ik_b: String,
    pub(super) spk_id: u32,
    pub(super) spk_b_private: String,
    pub(super) spk_b: String,
    pub(super) pqpk_id: u32,
    pub(super) pq_last_resort: bool,
    pub(super) pqpk_d: String,
    pub(super) pqpk_z: String,
    pub(super) pqpk_b: String,
    pub(super) pqpk_b_private: String,
    pub(super) opk: Option<RawOpk>,
    pub(super) z_spk: String,
    pub(super) z_pqpk: String,
    pub(super) spk_sig: String,
    pub(super) pqpk_sig: String,
    pub(super) bundle: String,
    pub(super) dh1: String,
    pub(super) dh2: String,
    pub(super) dh3: String,
    pub(super) dh4: Option<String>,
    pub(super) ss: String,
    pub(super) ct: String,
    pub(super) sk: String,
    pub(super) ad: String,
    pub(super) prekey_header: String,
    pub(super) th: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRatchetFile {
    pub(super) primitive: String,
    pub(super) source: String,
    pub(super) notes: String,
    pub(super) conversations: Vec<RawConversation>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConversation {
    pub(super) id: String,
    pub(super) source: String,
    pub(super) description: String,
    pub(super) handshake: String,
    pub(super) alice_r: String,
    pub(super) alice_state: String,
    pub(super) steps: Vec<RawStep>,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum RawParty {
    Alice,
    Bob,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum RawStep {
    Send(RawSend),
    SendLost(RawSendLost),
    Deliver(RawDeliver),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSend {
    pub(super) note: String,
    pub(super) sender: RawParty,
    pub(super) plaintext: String,
    pub(super) ck_before: String,
    pub(super) ck_after: String,
    pub(super) mk: String,
    pub(super) aead_key: String,
    pub(super) aead_nonce: String,
    pub(super) dh: String,
    pub(super) pn: u32,
    pub(super) n: u32,
    pub(super) wire: String,
    pub(super) sender_state: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSendLost {
    pub(super) note: String,
    pub(super) sender: RawParty,
    pub(super) plaintext: String,
    pub(super) count: u32,
    pub(super) sender_state: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDeliver {
    pub(super) note: String,
    pub(super) receiver: RawParty,
    pub(super) sent_at: usize,
    pub(super) wire: String,
    pub(super) r: String,
    pub(super) outcome: String,
    pub(super) plaintext: Option<String>,
    pub(super) receiver_state: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStateFile {
    pub(super) primitive: String,
    pub(super) source: String,
    pub(super) notes: String,
    pub(super) vectors: Vec<RawState>,
    pub(super) rejected: Vec<RawRejectedState>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSkipped {
    pub(super) dh: String,
    pub(super) n: u32,
    pub(super) mk: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawState {
    pub(super) id: String,
    pub(super) source: String,
    pub(super) description: String,
    pub(super) encoding: String,
    pub(super) flags: u8,
    pub(super) ad: String,
    pub(super) dhs: String,
    pub(super) dhr: Option<String>,
    pub(super) rk: String,
    pub(super) cks: Option<String>,
    pub(super) ckr: Option<String>,
    pub(super) ns: u32,
    pub(super) nr: u32,
    pub(super) pn: u32,
    pub(super) prekey_hash: Option<String>,
    pub(super) skipped: Vec<RawSkipped>,
    pub(super) pending_prekey: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRejectedState {
    pub(super) id: String,
    pub(super) source: String,
    pub(super) description: String,
    pub(super) encoding: String,
    pub(super) error: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRulesFile {
    pub(super) primitive: String,
    pub(super) source: String,
    pub(super) notes: String,
    pub(super) decoding: Vec<RawDecoding>,
    pub(super) verification: Vec<RawVerification>,
    pub(super) decapsulation_keys: Vec<RawDecapsulationKey>,
    pub(super) sessions: Vec<RawSession>,
    pub(super) accepts: Vec<RawAccept>,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum RawStructure {
    Message,
    Bundle,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDecoding {
    pub(super) id: String,
    pub(super) source: String,
    pub(super) description: String,
    pub(super) structure: RawStructure,
    pub(super) encoding: String,
    pub(super) outcome: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVerification {
    pub(super) id: String,
    pub(super) source: String,
    pub(super) description: String,
    pub(super) handshake: String,
    pub(super) bundle: String,
    pub(super) outcome: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDecapsulationKey {
    pub(super) id: String,
    pub(super) source: String,
    pub(super) description: String,
    pub(super) dk: String,
    pub(super) outcome: String,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum RawAction {
    Encrypt,
    Decrypt,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSession {
    pub(super) id: String,
    pub(super) source: String,
    pub(super) description: String,
    pub(super) state: String,
    pub(super) action: RawAction,
    pub(super) input: String,
    pub(super) r: Option<String>,
    pub(super) outcome: String,
    pub(super) output: Option<String>,
    pub(super) state_after: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAcceptDelivery {
    pub(super) note: String,
    pub(super) wire: String,
    pub(super) r: String,
    pub(super) outcome: String,
    pub(super) plaintext: Option<String>,
    pub(super) state: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccept {
    pub(super) id: String,
    pub(super) source: String,
    pub(super) description: String,
    pub(super) handshake: String,
    pub(super) deliveries: Vec<RawAcceptDelivery>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFrankingFile {
    pub(super) primitive: String,
    pub(super) source: String,
    pub(super) notes: String,
    pub(super) commits: Vec<RawCommit>,
    pub(super) stamp_tags: Vec<RawStampTag>,
    pub(super) flows: Vec<RawFrankingFlow>,
    pub(super) reports: Vec<RawReport>,
    pub(super) decoding: Vec<RawFrankedDecoding>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCommit {
    pub(super) id: String,
    pub(super) source: String,
    pub(super) description: String,
    pub(super) fk: String,
    pub(super) sender: String,
    pub(super) recipient: String,
    pub(super) m: String,
    pub(super) outcome: String,
    pub(super) c: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStampTag {
    pub(super) id: String,
    pub(super) source: String,
    pub(super) description: String,
    pub(super) kp: String,
    pub(super) c: String,
    pub(super) sender: String,
    pub(super) recipient: String,
    pub(super) t: u64,
    pub(super) outcome: String,
    pub(super) tag: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVerified {
    pub(super) sender: String,
    pub(super) recipient: String,
    pub(super) t: u64,
    pub(super) m: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReport {
    pub(super) id: String,
    pub(super) source: String,
    pub(super) description: String,
    pub(super) kp: String,
    pub(super) reporter: String,
    pub(super) report: String,
    pub(super) outcome: String,
    pub(super) verified: Option<RawVerified>,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum RawFrankedStructure {
    Submission,
    Delivery,
    Report,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFrankedDecoding {
    pub(super) id: String,
    pub(super) source: String,
    pub(super) description: String,
    pub(super) structure: RawFrankedStructure,
    pub(super) encoding: String,
    pub(super) outcome: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFrankingFlow {
    pub(super) id: String,
    pub(super) source: String,
    pub(super) description: String,
    pub(super) handshake: String,
    pub(super) alice_r: String,
    pub(super) alice_state: String,
    pub(super) alice_id: String,
    pub(super) bob_id: String,
    pub(super) kp: String,
    pub(super) steps: Vec<RawFrankingStep>,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum RawFrankingStep {
    FrankEncrypt(RawFrankEncrypt),
    Stamp(RawStamp),
    FrankDeliver(RawFrankDeliver),
    Report(RawReportStep),
    VerifyReport(RawVerifyReport),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFrankEncrypt {
    pub(super) note: String,
    pub(super) sender: RawParty,
    pub(super) fk: String,
    pub(super) plaintext: String,
    pub(super) c: String,
    pub(super) submission: String,
    pub(super) sender_state: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStamp {
    pub(super) note: String,
    pub(super) sent_at: usize,
    pub(super) submission: String,
    pub(super) t: u64,
    pub(super) tag: String,
    pub(super) delivery: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReceipt {
    pub(super) t: u64,
    pub(super) c: String,
    pub(super) tag: String,
    pub(super) fk: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFrankDeliver {
    pub(super) note: String,
    pub(super) receiver: RawParty,
    pub(super) stamped_at: usize,
    pub(super) delivery: String,
    pub(super) r: String,
    pub(super) outcome: String,
    pub(super) plaintext: Option<String>,
    pub(super) receipt: Option<RawReceipt>,
    pub(super) receiver_state: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReportStep {
    pub(super) note: String,
    pub(super) reporter: RawParty,
    pub(super) delivered_at: usize,
    pub(super) plaintext: String,
    pub(super) report: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVerifyReport {
    pub(super) note: String,
    pub(super) reported_at: usize,
    pub(super) reporter: RawParty,
    pub(super) outcome: String,
    pub(super) verified: Option<RawVerified>,
}
