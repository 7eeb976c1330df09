//! Deliberately broken drivers, to show that each invariant catches its bug.
//!
//! A [`BrokenDriver`] is the implementation's driver with one [`Flaw`]. It keeps each
//! party's [`Session`] itself, as `lockstep` made it, and leaves to the wrapped
//! [`ImplDriver`] only what needs Bob's private prekeys: the set-up, the other session
//! of [`crate::model::Event::Inject`], and Bob's acceptance (whose session it then
//! loads from its SPEC §6 encoding).
//!
//! A flaw that sits inside decryption is built from the spec's public pieces: the
//! session's state is decoded with `lockstep_spec::state::decode_state`, a flawed copy
//! of SPEC §4.6's `RatchetDecrypt` ([`flawed_ratchet_decrypt`]) runs on it, and the
//! state it commits is encoded and loaded back with [`Session::from_bytes`]. Every
//! other flaw is a change around the implementation's own calls.
//!
//! | flaw | the bug | caught by |
//! |---|---|---|
//! | [`Flaw::KeepsOldStates`] | keeps every earlier state, exposed on compromise | `forward-secrecy` |
//! | [`Flaw::PredictableRatchetKeys`] | ratchet keys from a stored seed, not the caller's randomness | `post-compromise-security` |
//! | [`Flaw::CommitsBeforeAead`] | advances the state before the AEAD check, and keeps it on failure | `transactional` |
//! | [`Flaw::KeepsUsedSkippedKeys`] | does not delete a skipped key once used | `replay` |
//! | [`Flaw::IgnoresTag`] | decrypts without checking the Poly1305 tag | `authentication` |
//! | [`Flaw::NoSkipBound`] | skips more than `MAX_SKIP` keys (up to twice as many) | `bounds` |
//! | [`Flaw::DropsSkippedKeys`] | never stores skipped keys | `liveness` |
//! | [`Flaw::ReusesMessageKey`] | forgets the state update of the first encryption of each sending chain | `uniqueness` |
//! | [`Flaw::DelaysHealing`] | uses each decryption's ratchet key one decryption late (a pre-generated key pair kept with the session) | `post-compromise-security` (not its round-trip form) |
//! | [`Flaw::ReusesKeyAndNonce`] | seals every message of a sending chain with the chain's first (key, nonce), its state advancing correctly | `uniqueness` (as observed; not as re-derived) |

use lockstep::session::Session;
use lockstep_spec as spec;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use spec::consts::{MAX_SKIP, TAG_LEN};
use spec::ratchet::{
    MessageKey, State, dh_ratchet, header_ad, kdf_ck, message_key_material, skip_message_keys,
};
use spec::wire::{Message, RatchetMessage};
use spec::x25519::X25519SerializedScalar;
use spec::{ByteSeq, Error};

use crate::driver::{
    AeadUse, Driver, Exposure, Failure, ImplDriver, OtherSessionInputs, SetUpInputs,
};
use crate::invariants::{
    AUTHENTICATION, BOUNDS, FORWARD_SECRECY, LIVENESS, POST_COMPROMISE_SECURITY, REPLAY, StateView,
    TRANSACTIONAL, UNIQUENESS,
};
use crate::model::Party;

/// A deliberate bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Flaw {
    /// Keeps every earlier state of each party and gives them all up on compromise.
    KeepsOldStates,
    /// Derives each ratchet private key as SHA-256(seed ‖ counter) from a seed it
    /// stores with the session, ignoring the randomness it is given; a compromise
    /// copies the seed, so it exposes the next [`PREDICTED_KEYS`] keys.
    PredictableRatchetKeys,
    /// Advances the state (skips, DH ratchet step, `CKr`, `Nr`) before the AEAD check,
    /// and keeps it when the check fails.
    CommitsBeforeAead,
    /// Decrypts with a stored skipped key but does not delete it.
    KeepsUsedSkippedKeys,
    /// Decrypts with ChaCha20 alone, never checking the Poly1305 tag.
    IgnoresTag,
    /// Skips more than `MAX_SKIP` message keys: its bound is [`FLAWED_SKIP_BOUND`]
    /// instead (the store still evicts).
    NoSkipBound,
    /// Never stores skipped keys: every key skipped over is lost.
    DropsSkippedKeys,
    /// Forgets the state update of the first encryption of each sending chain, so the
    /// next message reuses its number and message key.
    ReusesMessageKey,
    /// Pre-generates its next ratchet key pair and keeps it with the session: each
    /// decryption uses the ratchet key the previous one was given (the first, one
    /// derived from the identity key), and keeps the one it is given. A compromise
    /// copies the kept key, so the first DH ratchet step after it is not fresh:
    /// healing comes one step late.
    DelaysHealing,
    /// Seals every message of a sending chain with the ChaCha20-Poly1305 key and nonce
    /// of the chain's first message (the constant-nonce bug), while its state (`CKs`,
    /// `Ns`) advances as SPEC §4.5 says, so re-deriving the keys from the states sees
    /// nothing; the recipient opens them the same way, so the conversation goes on.
    /// Reports the key and nonce it used.
    ReusesKeyAndNonce,
}

/// How many upcoming ratchet keys a compromise exposes under
/// [`Flaw::PredictableRatchetKeys`]: more than any test scenario delivers.
pub const PREDICTED_KEYS: u64 = 256;

impl Flaw {
    /// Every flaw.
    pub const ALL: &'static [Flaw] = &[
        Flaw::KeepsOldStates,
        Flaw::PredictableRatchetKeys,
        Flaw::CommitsBeforeAead,
        Flaw::KeepsUsedSkippedKeys,
        Flaw::IgnoresTag,
        Flaw::NoSkipBound,
        Flaw::DropsSkippedKeys,
        Flaw::ReusesMessageKey,
        Flaw::DelaysHealing,
        Flaw::ReusesKeyAndNonce,
    ];

    /// Its name on the command line, e.g. `"keeps-old-states"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Flaw::KeepsOldStates => "keeps-old-states",
            Flaw::PredictableRatchetKeys => "predictable-ratchet-keys",
            Flaw::CommitsBeforeAead => "commits-before-aead",
            Flaw::KeepsUsedSkippedKeys => "keeps-used-skipped-keys",
            Flaw::IgnoresTag => "ignores-tag",
            Flaw::NoSkipBound => "no-skip-bound",
            Flaw::DropsSkippedKeys => "drops-skipped-keys",
            Flaw::ReusesMessageKey => "reuses-message-key",
            Flaw::DelaysHealing => "delays-healing",
            Flaw::ReusesKeyAndNonce => "reuses-key-and-nonce",
        }
    }

    /// The flaw with this name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Flaw> {
        Flaw::ALL.iter().copied().find(|flaw| flaw.name() == name)
    }

    /// The name of the invariant that must catch it.
    #[must_use]
    pub fn caught_by(self) -> &'static str {
        match self {
            Flaw::KeepsOldStates => FORWARD_SECRECY,
            Flaw::PredictableRatchetKeys => POST_COMPROMISE_SECURITY,
            Flaw::CommitsBeforeAead => TRANSACTIONAL,
            Flaw::KeepsUsedSkippedKeys => REPLAY,
            Flaw::IgnoresTag => AUTHENTICATION,
            Flaw::NoSkipBound => BOUNDS,
            Flaw::DropsSkippedKeys => LIVENESS,
            Flaw::ReusesMessageKey | Flaw::ReusesKeyAndNonce => UNIQUENESS,
            Flaw::DelaysHealing => POST_COMPROMISE_SECURITY,
        }
    }

    /// Whether the bug sits inside decryption, in [`flawed_ratchet_decrypt`].
    fn in_ratchet_decrypt(self) -> bool {
        matches!(
            self,
            Flaw::CommitsBeforeAead
                | Flaw::KeepsUsedSkippedKeys
                | Flaw::IgnoresTag
                | Flaw::NoSkipBound
        )
    }
}

/// The index of a party's slot.
fn slot(party: Party) -> usize {
    match party {
        Party::Alice => 0,
        Party::Bob => 1,
    }
}

/// The implementation's driver with a flaw.
pub struct BrokenDriver {
    flaw: Flaw,
    /// The set-up, the other session, and Bob's acceptance (his prekeys are there).
    inner: ImplDriver,
    /// Each party's session, once it has one.
    sessions: [Option<Session>; 2],
    /// [`Flaw::KeepsOldStates`]: every state each party has had, oldest first.
    history: [Vec<Vec<u8>>; 2],
    /// [`Flaw::PredictableRatchetKeys`]: each party's seed and how many keys it drew.
    seeds: [([u8; 32], u64); 2],
    /// [`Flaw::ReusesMessageKey`]: the ratchet keys whose chain's first encryption
    /// was already forgotten.
    forgotten: Vec<[u8; 32]>,
    /// [`Flaw::DelaysHealing`]: each party's kept (pre-generated) ratchet key.
    held: [[u8; 32]; 2],
    /// [`Flaw::ReusesKeyAndNonce`]: each sending chain's first (key, nonce), by its
    /// ratchet public key.
    chain_pairs: Vec<([u8; 32], AeadUse)>,
    /// [`Flaw::ReusesKeyAndNonce`]: each message as sent (sealed with its chain's
    /// first pair), with the message the implementation made and the pair: the
    /// recipient's side of the bug opens the one as the implementation opens the
    /// other, so both parties share the bug and the conversation goes on.
    resealed: Vec<(Vec<u8>, Vec<u8>, AeadUse)>,
    /// The key and nonce of the last encryption or successful decryption, as the
    /// implementation's AEAD was called (or as the flaw sealed).
    aead: Option<AeadUse>,
}

impl BrokenDriver {
    /// A driver with `flaw`.
    #[must_use]
    pub fn new(flaw: Flaw) -> Self {
        BrokenDriver {
            flaw,
            inner: ImplDriver::new(),
            sessions: [None, None],
            history: [Vec::new(), Vec::new()],
            seeds: [([0; 32], 0); 2],
            forgotten: Vec::new(),
            held: [[0; 32]; 2],
            chain_pairs: Vec::new(),
            resealed: Vec::new(),
            aead: None,
        }
    }

    /// Its flaw.
    #[must_use]
    pub fn flaw(&self) -> Flaw {
        self.flaw
    }

    /// [`Flaw::PredictableRatchetKeys`]: the `index`-th ratchet key of a seed.
    fn predicted(seed: &[u8; 32], index: u64) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(seed);
        hash.update(index.to_be_bytes());
        hash.finalize().into()
    }

    /// After any change: [`Flaw::KeepsOldStates`] keeps the party's new state.
    fn remember(&mut self, party: Party) {
        if self.flaw != Flaw::KeepsOldStates {
            return;
        }
        if let Some(state) = self.state(party) {
            let history = &mut self.history[slot(party)];
            if history.last() != Some(&state) {
                history.push(state);
            }
        }
    }

    /// The ratchet key `party`'s next decryption uses.
    fn ratchet_key(&mut self, party: Party, given: &[u8; 32]) -> [u8; 32] {
        if self.flaw == Flaw::DelaysHealing {
            return core::mem::replace(&mut self.held[slot(party)], *given);
        }
        if self.flaw != Flaw::PredictableRatchetKeys {
            return *given;
        }
        let (seed, drawn) = &mut self.seeds[slot(party)];
        let key = Self::predicted(seed, *drawn);
        *drawn += 1;
        key
    }

    /// `party` (who has a session) decrypts.
    fn decrypt_in_session(
        &mut self,
        party: Party,
        message: &[u8],
        r: &[u8; 32],
    ) -> Result<Vec<u8>, Failure> {
        let flaw = self.flaw;
        let session = self.sessions[slot(party)]
            .as_mut()
            .ok_or(Failure::NoSession)?;
        if flaw.in_ratchet_decrypt() {
            let (commit, result) = spec_decrypt(&session.to_bytes(), message, r, flaw)?;
            if let Some(state) = commit {
                *session = Session::from_bytes(&state)?;
            }
            return Ok(result?.to_native());
        }
        let plaintext = session.decrypt_with(message, r)?;
        if flaw == Flaw::DropsSkippedKeys {
            drop_skipped_keys(session)?;
        }
        Ok(plaintext)
    }
}

/// The last AEAD call `lockstep::aead::observe` recorded on this thread, if it
/// `sealed` (else opened) as asked.
fn last_observed(sealed: bool) -> Option<AeadUse> {
    let last = lockstep::aead::observe::take().pop()?;
    (last.2 == sealed).then_some(AeadUse {
        key: last.0,
        nonce: last.1,
    })
}

/// The ratchet public key `dh` of a message's ratchet header (SPEC §5.1, §5.2).
fn ratchet_public_key(bytes: &[u8]) -> Option<[u8; 32]> {
    let r = ratchet_offset(bytes);
    bytes.get(r + 2..r + 34)?.try_into().ok()
}

/// Where the ratchet message starts: after the PreKey header of a PreKey message.
fn ratchet_offset(bytes: &[u8]) -> usize {
    use lockstep::consts::{MSG_PREKEY, PREKEY_HEADER_LEN};
    if bytes.get(1) == Some(&MSG_PREKEY) {
        PREKEY_HEADER_LEN
    } else {
        0
    }
}

/// [`Flaw::ReusesKeyAndNonce`]: the message's ciphertext replaced by `plaintext`
/// sealed under `pair` with `AD ‖ H` (SPEC §4.2), `AD` read from the sender's state
/// encoding (SPEC §6, bytes 2..68).
fn reseal(
    bytes: &mut Vec<u8>,
    state: &[u8],
    plaintext: &[u8],
    pair: AeadUse,
) -> Result<(), Failure> {
    use lockstep::aead::{Key, Nonce, seal};
    use lockstep::consts::RATCHET_HEADER_LEN;
    let r = ratchet_offset(bytes);
    let body = r + RATCHET_HEADER_LEN;
    let mut ad = state
        .get(2..2 + spec::consts::AD_LEN)
        .ok_or(Failure::Refused(lockstep_spec::Error::InvalidState))?
        .to_vec();
    ad.extend_from_slice(
        bytes
            .get(r..body)
            .ok_or(Failure::Refused(lockstep_spec::Error::InvalidMessage))?,
    );
    let sealed = seal(
        &Key::from_bytes(pair.key),
        &Nonce(pair.nonce),
        &ad,
        plaintext,
    )
    .map_err(|_| Failure::Refused(lockstep_spec::Error::MessageTooLarge))?;
    bytes.truncate(body);
    bytes.extend_from_slice(&sealed);
    Ok(())
}

/// [`Flaw::DropsSkippedKeys`]: the session's state with `MKSKIPPED` emptied.
fn drop_skipped_keys(session: &mut Session) -> Result<(), Failure> {
    let mut state = spec::state::decode_state(&ByteSeq::from_public_slice(&session.to_bytes()))?;
    state.skipped = Vec::new();
    *session = Session::from_bytes(&spec::state::encode_state(&state).to_native())?;
    Ok(())
}

/// SPEC §5.2 then the flawed §4.6, on a state encoding: the state to commit, if any,
/// and the outcome. As `lockstep_spec::session::decrypt`, but for the ratchet.
///
/// # Errors
/// A state that does not decode (the outer error); the decryption's refusal (the
/// inner one).
#[allow(
    clippy::type_complexity,
    reason = "a pair of the commit and the outcome is the shape of the flaw itself"
)]
fn spec_decrypt(
    state: &[u8],
    message: &[u8],
    r: &[u8; 32],
    flaw: Flaw,
) -> Result<(Option<Vec<u8>>, Result<ByteSeq, Error>), Failure> {
    let state = spec::state::decode_state(&ByteSeq::from_public_slice(state))?;
    let ratchet = match spec::wire::decode_message(&ByteSeq::from_public_slice(message)) {
        Err(error) => return Ok((None, Err(error))),
        Ok(Message::Ratchet(ratchet)) => ratchet,
        Ok(Message::PreKey(prekey)) => {
            let header = spec::wire::encode_prekey_header(&prekey.header);
            let hash = spec::sha256::hash(&header);
            let matches = state
                .prekey_hash
                .as_ref()
                .is_some_and(|prekey_hash| prekey_hash.declassify_eq(&hash));
            if !matches {
                return Ok((None, Err(Error::PreKeyMismatch)));
            }
            prekey.message
        }
    };
    let r = X25519SerializedScalar::from_public_slice(r);
    let (commit, result) = flawed_ratchet_decrypt(&state, &ratchet, &r, flaw);
    Ok((
        commit.map(|state| spec::state::encode_state(&state).to_native()),
        result,
    ))
}

/// SPEC §4.2 `DECRYPT`, or under [`Flaw::IgnoresTag`] ChaCha20 alone (the tag is cut
/// off and never compared).
fn open(flaw: Flaw, mk: &MessageKey, ciphertext: &ByteSeq, ad: &ByteSeq) -> Result<ByteSeq, Error> {
    if flaw != Flaw::IgnoresTag {
        return spec::ratchet::decrypt(mk, ciphertext, ad);
    }
    if ciphertext.len() < TAG_LEN {
        return Err(Error::DecryptionFailed);
    }
    let (key, nonce) = message_key_material(mk);
    let ct = ciphertext.slice(0, ciphertext.len() - TAG_LEN);
    spec::chacha20::chacha20_encrypt(&key, spec::U32(1), &nonce, &ct)
        .map_err(|_| Error::DecryptionFailed)
}

/// The bound [`Flaw::NoSkipBound`] checks in place of `MAX_SKIP`: twice as many keys,
/// so that a forged `H.n` of `2^32 - 1` costs it a moment rather than hours (the
/// [`BOUNDS`] invariant asks only that a skip over `MAX_SKIP` be refused).
pub const FLAWED_SKIP_BOUND: u32 = 2 * MAX_SKIP;

/// SPEC §4.6 `SkipMessageKeys`, or under [`Flaw::NoSkipBound`] the same in runs of at
/// most `MAX_SKIP` keys, so its check never fires, up to [`FLAWED_SKIP_BOUND`].
fn skip(flaw: Flaw, state: State, until: u32) -> Result<State, Error> {
    if flaw != Flaw::NoSkipBound {
        return skip_message_keys(state, until);
    }
    let mut state = state;
    if u64::from(state.nr) + u64::from(FLAWED_SKIP_BOUND) < u64::from(until) {
        return Err(Error::TooManySkipped);
    }
    while state.dhr.is_some() && state.ckr.is_some() && state.nr < until {
        let next = until.min(state.nr.saturating_add(MAX_SKIP));
        state = skip_message_keys(state, next)?;
    }
    Ok(state)
}

/// SPEC §4.6 `RatchetDecrypt` (as `lockstep_spec::ratchet::ratchet_decrypt`) with
/// `flaw`: the state to commit, if any, and the outcome. Only the four flaws that sit
/// inside decryption change anything: [`Flaw::KeepsUsedSkippedKeys`] (the used key
/// stays), [`Flaw::IgnoresTag`] (ChaCha20 alone, the tag never compared),
/// [`Flaw::NoSkipBound`] (a skip of up to [`FLAWED_SKIP_BOUND`] keys) and [`Flaw::CommitsBeforeAead`] (the advanced state is committed when
/// the AEAD fails).
pub fn flawed_ratchet_decrypt(
    state: &State,
    message: &RatchetMessage,
    r: &X25519SerializedScalar,
    flaw: Flaw,
) -> (Option<State>, Result<ByteSeq, Error>) {
    let header = &message.header;
    let ad = header_ad(&state.ad, header);
    // if (H.dh, H.n) in MKSKIPPED: decrypt with it, and remove it
    for (index, key) in state.skipped.iter().enumerate() {
        if key.n == header.n && key.dh.declassify_eq(&header.dh) {
            let plaintext = match open(flaw, &key.mk, &message.ciphertext, &ad) {
                Ok(plaintext) => plaintext,
                Err(error) => return (None, Err(error)),
            };
            let mut next = state.clone();
            if flaw != Flaw::KeepsUsedSkippedKeys {
                next.skipped.remove(index);
            }
            next.pending_prekey = None;
            return (Some(next), Ok(plaintext));
        }
    }
    let current = state
        .dhr
        .as_ref()
        .is_some_and(|dhr| dhr.declassify_eq(&header.dh));
    if current && header.n < state.nr {
        return (None, Err(Error::Duplicate));
    }
    let advanced = advance(flaw, state, header, r, current);
    let (mut next, mk) = match advanced {
        Ok(advanced) => advanced,
        Err(error) => return (None, Err(error)),
    };
    match open(flaw, &mk, &message.ciphertext, &ad) {
        Ok(plaintext) => {
            next.pending_prekey = None;
            (Some(next), Ok(plaintext))
        }
        Err(error) if flaw == Flaw::CommitsBeforeAead => (Some(next), Err(error)),
        Err(error) => (None, Err(error)),
    }
}

/// SPEC §4.6 `RatchetDecrypt` after the stored-key and `Duplicate` checks: the
/// skips, the DH ratchet step if `H.dh` is not the current chain's, and `KDF_CK`; the
/// advanced state and the message key.
fn advance(
    flaw: Flaw,
    state: &State,
    header: &spec::wire::RatchetHeader,
    r: &X25519SerializedScalar,
    current: bool,
) -> Result<(State, MessageKey), Error> {
    let mut next = state.clone();
    // if DHr is none or H.dh != DHr: SkipMessageKeys(H.pn); DHRatchet(H, r)
    if !current {
        next = skip(flaw, next, header.pn)?;
        next = dh_ratchet(next, header, r)?;
    }
    // SkipMessageKeys(H.n)
    next = skip(flaw, next, header.n)?;
    // CKr, mk = KDF_CK(CKr); Nr = Nr + 1
    let ckr = next.ckr.ok_or(Error::DecryptionFailed)?;
    let (ckr, mk) = kdf_ck(&ckr);
    next.ckr = Some(ckr);
    next.nr = next.nr.checked_add(1).ok_or(Error::ChainExhausted)?;
    Ok((next, mk))
}

impl Driver for BrokenDriver {
    fn name(&self) -> &'static str {
        self.flaw.name()
    }

    fn set_up(&mut self, inputs: &SetUpInputs) -> Result<Vec<u8>, Failure> {
        let bundle = self.inner.set_up(inputs)?;
        let alice = self.inner.state(Party::Alice).ok_or(Failure::NoSession)?;
        self.sessions = [Some(Session::from_bytes(&alice)?), None];
        // The seed "stored with the session": anything the party holds will do.
        for (party, secret) in [(Party::Alice, &inputs.ik_a), (Party::Bob, &inputs.ik_b)] {
            let mut hash = Sha256::new();
            hash.update(b"lockstep broken driver: ratchet seed\0");
            hash.update(secret);
            self.seeds[slot(party)] = (hash.finalize().into(), 0);
            self.held[slot(party)] = Self::predicted(&self.seeds[slot(party)].0, u64::MAX);
        }
        self.chain_pairs = Vec::new();
        self.resealed = Vec::new();
        self.history = [Vec::new(), Vec::new()];
        self.forgotten = Vec::new();
        self.remember(Party::Alice);
        Ok(bundle)
    }

    fn other_session(&mut self, inputs: &OtherSessionInputs) -> Result<[Vec<u8>; 2], Failure> {
        self.inner.other_session(inputs)
    }

    fn encrypt(&mut self, party: Party, plaintext: &[u8]) -> Result<Vec<u8>, Failure> {
        let flaw = self.flaw;
        let session = self.sessions[slot(party)]
            .as_mut()
            .ok_or(Failure::NoSession)?;
        let before = session.to_bytes();
        self.aead = None;
        lockstep::aead::observe::start();
        let mut bytes = session.encrypt(plaintext)?;
        self.aead = last_observed(true);
        if flaw == Flaw::ReusesKeyAndNonce {
            let public = ratchet_public_key(&bytes)
                .ok_or(Failure::Refused(lockstep_spec::Error::InvalidMessage))?;
            let first = match self.chain_pairs.iter().find(|(dh, _)| *dh == public) {
                Some((_, pair)) => *pair,
                None => {
                    let pair = self
                        .aead
                        .ok_or(Failure::Refused(lockstep_spec::Error::InvalidState))?;
                    self.chain_pairs.push((public, pair));
                    pair
                }
            };
            let genuine = bytes.clone();
            reseal(&mut bytes, &before, plaintext, first)?;
            self.resealed.push((bytes.clone(), genuine, first));
            self.aead = Some(first);
        }
        if flaw == Flaw::ReusesMessageKey {
            let view = StateView::parse(&before)
                .ok_or(Failure::Refused(lockstep_spec::Error::InvalidState))?;
            if view.ns == 0 && !self.forgotten.contains(&view.dhs) {
                self.forgotten.push(view.dhs);
                *session = Session::from_bytes(&before)?;
            }
        }
        self.remember(party);
        Ok(bytes)
    }

    fn decrypt(&mut self, party: Party, message: &[u8], r: &[u8; 32]) -> Result<Vec<u8>, Failure> {
        let r = self.ratchet_key(party, r);
        let resealed = self
            .resealed
            .iter()
            .find(|(sent, _, _)| sent.as_slice() == message)
            .map(|(_, genuine, pair)| (genuine.clone(), *pair));
        let message = match &resealed {
            Some((genuine, _)) => genuine.as_slice(),
            None => message,
        };
        self.aead = None;
        lockstep::aead::observe::start();
        let result = if self.sessions[slot(party)].is_some() {
            self.decrypt_in_session(party, message, &r)
        } else {
            // Bob's acceptance, with his prekeys, in the wrapped driver.
            let plaintext = self.inner.decrypt(party, message, &r)?;
            let state = self.inner.state(party).ok_or(Failure::NoSession)?;
            let mut session = Session::from_bytes(&state)?;
            if self.flaw == Flaw::DropsSkippedKeys {
                drop_skipped_keys(&mut session)?;
            }
            self.sessions[slot(party)] = Some(session);
            Ok(plaintext)
        };
        self.aead = match resealed {
            Some((_, pair)) => Some(pair),
            None => last_observed(false),
        }
        .filter(|_| result.is_ok());
        self.remember(party);
        result
    }

    fn take_aead_use(&mut self) -> Option<AeadUse> {
        self.aead.take()
    }

    fn verify_bundle(&mut self, bundle: &[u8]) -> Result<(), Failure> {
        self.inner.verify_bundle(bundle)
    }

    fn state(&self, party: Party) -> Option<Vec<u8>> {
        self.sessions[slot(party)]
            .as_ref()
            .map(|session| session.to_bytes().to_vec())
    }

    fn compromise(&self, party: Party) -> Exposure {
        let current: Vec<Vec<u8>> = self.state(party).into_iter().collect();
        match self.flaw {
            Flaw::KeepsOldStates => Exposure {
                states: self.history[slot(party)].clone(),
                future_ratchet_keys: Vec::new(),
            },
            Flaw::DelaysHealing => Exposure {
                states: current,
                future_ratchet_keys: vec![self.held[slot(party)]],
            },
            Flaw::PredictableRatchetKeys => {
                let (seed, drawn) = &self.seeds[slot(party)];
                Exposure {
                    states: current,
                    future_ratchet_keys: (*drawn..*drawn + PREDICTED_KEYS)
                        .map(|index| Self::predicted(seed, index))
                        .collect(),
                }
            }
            _ => Exposure {
                states: current,
                future_ratchet_keys: Vec::new(),
            },
        }
    }
}
