//! Public types of `ratchet.json`.

/// One of the two parties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The initiator.
    Alice,
    /// The responder, whose bundle Alice used.
    Bob,
}

/// A conversation: a session set up from a [`PqxdhVector`](super::PqxdhVector), then [`Step`]s in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    /// Unique in the file, e.g. `ratchet_in_order`.
    pub id: String,
    /// The SPEC sections it exercises.
    pub source: String,
    /// What the conversation shows.
    pub description: String,
    /// The `id` of the `pqxdh.json` vector that sets the session up.
    pub handshake: String,
    /// The `r` of Alice's `session::initiate`.
    pub alice_r: [u8; 32],
    /// Alice's state encoding after `session::initiate`.
    pub alice_state: Vec<u8>,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// One step of a [`Conversation`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A message is encrypted.
    Send(SendStep),
    /// Messages are encrypted and lost.
    SendLost(SendLostStep),
    /// A message is delivered.
    Deliver(DeliverStep),
}

/// `session::encrypt` of one message, with its key schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendStep {
    /// What the step shows.
    pub note: String,
    /// Who encrypts.
    pub sender: Party,
    /// The plaintext.
    pub plaintext: Vec<u8>,
    /// The sender's `CKs` before.
    pub ck_before: [u8; 32],
    /// The sender's `CKs` after: `HMAC(ck_before, 0x02)`.
    pub ck_after: [u8; 32],
    /// The message key: `HMAC(ck_before, 0x01)`.
    pub mk: [u8; 32],
    /// The ChaCha20-Poly1305 key derived from `mk`.
    pub aead_key: [u8; 32],
    /// The ChaCha20-Poly1305 nonce derived from `mk`.
    pub aead_nonce: [u8; 12],
    /// Header `dh`: the sender's ratchet public key.
    pub dh: [u8; 32],
    /// Header `pn`.
    pub pn: u32,
    /// Header `n`.
    pub n: u32,
    /// The bytes sent.
    pub wire: Vec<u8>,
    /// The sender's state encoding after.
    pub sender_state: Vec<u8>,
}

/// `count` calls of `session::encrypt` whose messages are lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendLostStep {
    /// What the step shows.
    pub note: String,
    /// Who encrypts.
    pub sender: Party,
    /// The plaintext of each lost message.
    pub plaintext: Vec<u8>,
    /// How many messages are encrypted and lost.
    pub count: u32,
    /// The sender's state encoding after the last.
    pub sender_state: Vec<u8>,
}

/// What a delivery must give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The message decrypts to this plaintext.
    Ok(Vec<u8>),
    /// The message is refused with this SPEC §7 error, e.g. `DecryptionFailed`.
    Rejected(String),
}

/// `session::accept` (Bob's first delivery) or `session::decrypt` of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverStep {
    /// What the step shows, including any change made to the message.
    pub note: String,
    /// Who decrypts.
    pub receiver: Party,
    /// The index in `steps` of the send step whose message this is.
    pub sent_at: usize,
    /// The bytes delivered.
    pub wire: Vec<u8>,
    /// The randomness of the decryption (a new ratchet key, if it starts a DH
    /// ratchet step).
    pub r: [u8; 32],
    /// The result.
    pub outcome: Outcome,
    /// The receiver's state encoding after (before, on an error).
    pub receiver_state: Vec<u8>,
}
