//! docs/SPEC.md §3.6, §4.5 and §5.2: a session, PQXDH followed by the Double
//! Ratchet, on wire bytes. These are the functions a user calls.
//!
//! Mirrors `lockstep_spec::session`: [`Session::initiate`], [`Session::encrypt`],
//! [`Session::accept`] and [`Session::decrypt`], each with a deterministic form
//! (`*_with`) that takes the random bytes exactly as the spec does, so the protocol
//! vectors replay.
//!
//! - Alice: [`Session::initiate`] on a [`VerifiedPreKeyBundle`] (only verification
//!   makes one). Until her first successful decryption every message she encrypts is
//!   a PreKey message (SPEC §4.5).
//! - Bob: [`Session::accept`] on Alice's PreKey message, with his private prekeys in
//!   a [`PreKeyStore`]. One-time prekeys are removed only when `accept` succeeds.
//! - Both: [`Session::encrypt`], [`Session::decrypt`]; any error leaves the session
//!   byte-identical (`Session::to_bytes`, with `hazmat`).
//! - Franking (SPEC §9, [`crate::franking`]): [`Session::encrypt_franked`],
//!   [`Session::decrypt_franked`] and [`Session::accept_franked`], which keep
//!   nothing of a message that does not open its commitment.

use core::fmt;
use std::collections::{HashMap, HashSet};

use rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::Error;
use crate::bundle::{OneTimePreKeyId, PqPreKeyId, SignedPreKeyId};
use crate::consts::{
    AD_LEN, COMMITMENT_LEN, FRANKING_KEY_LEN, MAX_FRANKED_PLAINTEXT_LEN, MAX_PLAINTEXT_LEN,
    MSG_FRANKED, RATCHET_HEADER_LEN, TAG_LEN, VERSION,
};
use crate::franking::{self, FrankingContext, FrankingKey, Receipt, decode_delivery};
use crate::ml_kem::{DecapsulationKey, ENCAPSULATION_SEED_LEN};
use crate::pqxdh::{self, IdentityKeyPair, VerifiedPreKeyBundle};
use crate::ratchet::{
    Origin, State, ratchet_decrypt_checked, ratchet_encrypt, ratchet_init_alice, ratchet_init_bob,
};
use crate::state::{decode_state, encode_state};
use crate::storage::{self, SealedKind, StorageKey};
use crate::wire::{
    MessageRef, RatchetMessageRef, decode_message_ref, decode_prekey_message, encode_prekey_header,
};
use crate::x25519::{PrivateKey, PublicKey};

/// Bob's private prekeys, looked up by the ids a PreKey message names (SPEC §3.5).
///
/// [`Session::accept`] looks keys up, runs the handshake and the first decryption,
/// and only if both succeed removes the one-time keys it used
/// ([`PreKeyStore::remove_one_time_prekey`], and [`PreKeyStore::remove_pq_prekey`]
/// for a one-time post-quantum prekey): take, then commit.
pub trait PreKeyStore {
    /// The signed prekey `SPK_B` with this id.
    fn signed_prekey(&self, id: SignedPreKeyId) -> Option<PrivateKey>;
    /// The post-quantum prekey `PQPK_B` with this id, and whether it is last-resort.
    fn pq_prekey(&self, id: PqPreKeyId) -> Option<(DecapsulationKey, PqPreKeyKind)>;
    /// The one-time prekey `OPK_B` with this id.
    fn one_time_prekey(&self, id: OneTimePreKeyId) -> Option<PrivateKey>;
    /// Deletes a one-time prekey once a session used it (SPEC §3.5).
    fn remove_one_time_prekey(&mut self, id: OneTimePreKeyId);
    /// Deletes a one-time post-quantum prekey once a session used it (SPEC §3.5).
    fn remove_pq_prekey(&mut self, id: PqPreKeyId);
    /// SPEC §3.5: whether a session was already accepted under the last-resort
    /// post-quantum prekey `pqpk_id` from a PreKey message with this `EK_A`.
    fn accepted_under_last_resort(&self, pqpk_id: PqPreKeyId, ek_a: &[u8; 32]) -> bool;
    /// SPEC §3.5: remembers that a session was accepted under the last-resort
    /// post-quantum prekey `pqpk_id` from a PreKey message with this `EK_A`. The
    /// record must live as long as that prekey does.
    fn record_last_resort_use(&mut self, pqpk_id: PqPreKeyId, ek_a: [u8; 32]);
}

pub use crate::bundle::PqPreKeyKind;

/// A [`PreKeyStore`] in memory. Every key is wiped when it is removed, replaced or
/// the store is dropped.
///
/// Each private key sits alone in its own heap block that is wiped on drop: an
/// X25519 key as a boxed [`PrivateKey`], a post-quantum key as its 3168 encoded
/// bytes in a boxed slice under [`Zeroizing`] (a [`DecapsulationKey`] holds its
/// bytes inline and is not `Clone`); the maps hold only ids, kinds and pointers.
/// A map that held the key bytes inline would not wipe them: `HashMap::remove` moves
/// the value out and leaves its bytes in the table slot, and growing the map copies
/// every value into a new table and frees the old one unwiped. PQXDH's forward
/// secrecy against a later memory dump rests on a used one-time prekey being gone
/// (SPEC §3.5 deletes it), so the bytes must not outlive the deletion; `tests/wipe.rs`
/// reads the process's memory after removals to check it.
#[derive(Default)]
pub struct InMemoryPreKeyStore {
    signed: HashMap<SignedPreKeyId, Box<PrivateKey>>,
    pq: HashMap<PqPreKeyId, (WipedBytes, PqPreKeyKind)>,
    one_time: HashMap<OneTimePreKeyId, Box<PrivateKey>>,
    /// SPEC §3.5: per last-resort post-quantum prekey, the `EK_A` of every PreKey
    /// message accepted under it (public values: 32 bytes per session).
    last_resort_accepted: HashMap<PqPreKeyId, HashSet<[u8; 32]>>,
}

/// Encoded key bytes alone in a heap block of exactly their length, wiped on drop.
type WipedBytes = Zeroizing<Box<[u8]>>;

/// A copy of `key` in its own heap block. The bound is the point: only a key type
/// that wipes itself on drop may be stored.
fn boxed_copy<K: zeroize::ZeroizeOnDrop>(key: K) -> Box<K> {
    Box::new(key)
}

impl InMemoryPreKeyStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the signed prekey with this id.
    pub fn add_signed_prekey(&mut self, id: SignedPreKeyId, key: &PrivateKey) {
        // A replaced key's box is dropped here, which wipes it.
        self.signed.insert(id, boxed_copy(key.duplicate()));
    }

    /// Adds (or replaces) the post-quantum prekey with this id.
    pub fn add_pq_prekey(&mut self, id: PqPreKeyId, key: &DecapsulationKey, kind: PqPreKeyKind) {
        // A boxed slice of exactly the key's length: it never grows, so never moves.
        let bytes: WipedBytes = Zeroizing::new(Box::from(key.to_bytes().as_slice()));
        self.pq.insert(id, (bytes, kind));
        // A new key under this id starts a new replay record (SPEC §3.5).
        self.last_resort_accepted.remove(&id);
    }

    /// Adds (or replaces) the one-time prekey with this id.
    pub fn add_one_time_prekey(&mut self, id: OneTimePreKeyId, key: &PrivateKey) {
        self.one_time.insert(id, boxed_copy(key.duplicate()));
    }

    /// Whether the one-time prekey with this id is still held.
    #[must_use]
    pub fn has_one_time_prekey(&self, id: OneTimePreKeyId) -> bool {
        self.one_time.contains_key(&id)
    }

    /// Whether the post-quantum prekey with this id is still held.
    #[must_use]
    pub fn has_pq_prekey(&self, id: PqPreKeyId) -> bool {
        self.pq.contains_key(&id)
    }
}

impl PreKeyStore for InMemoryPreKeyStore {
    fn signed_prekey(&self, id: SignedPreKeyId) -> Option<PrivateKey> {
        self.signed.get(&id).map(|k| k.duplicate())
    }

    fn pq_prekey(&self, id: PqPreKeyId) -> Option<(DecapsulationKey, PqPreKeyKind)> {
        let (bytes, kind) = self.pq.get(&id)?;
        DecapsulationKey::from_bytes(bytes).ok().map(|k| (k, *kind))
    }

    fn one_time_prekey(&self, id: OneTimePreKeyId) -> Option<PrivateKey> {
        self.one_time.get(&id).map(|k| k.duplicate())
    }

    fn remove_one_time_prekey(&mut self, id: OneTimePreKeyId) {
        // The slot keeps only the box's pointer; dropping the box wipes the key.
        self.one_time.remove(&id);
    }

    fn remove_pq_prekey(&mut self, id: PqPreKeyId) {
        self.pq.remove(&id);
        self.last_resort_accepted.remove(&id);
    }

    fn accepted_under_last_resort(&self, pqpk_id: PqPreKeyId, ek_a: &[u8; 32]) -> bool {
        self.last_resort_accepted
            .get(&pqpk_id)
            .is_some_and(|record| record.contains(ek_a))
    }

    fn record_last_resort_use(&mut self, pqpk_id: PqPreKeyId, ek_a: [u8; 32]) {
        self.last_resort_accepted
            .entry(pqpk_id)
            .or_default()
            .insert(ek_a);
    }
}

impl fmt::Debug for InMemoryPreKeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryPreKeyStore")
            .field("signed", &self.signed.len())
            .field("pq", &self.pq.len())
            .field("one_time", &self.one_time.len())
            .finish()
    }
}

/// 32 bytes from `rng`, wiped on drop.
fn random32<R: CryptoRng + ?Sized>(rng: &mut R) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(out.as_mut_slice());
    out
}

/// SHA-256 of a PreKey header (SPEC §3.6 `prekey_hash`).
fn prekey_hash(header: &[u8]) -> [u8; 32] {
    Sha256::digest(header).into()
}

/// One party's end of a Lockstep session (SPEC §4.3). Not `Clone`: a session has one
/// owner; its state can be saved sealed with [`Session::to_encrypted_bytes`].
pub struct Session {
    state: State,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("state", &self.state)
            .finish()
    }
}

impl Session {
    /// SPEC §3.6: Alice starts a session from Bob's verified bundle, drawing `ek_a`,
    /// `m` and `r` from `rng` (in that order). Her first [`Session::encrypt`] gives
    /// the PreKey message.
    ///
    /// # Errors
    /// [`Error::NonContributory`] if a key of the bundle is of small order.
    pub fn initiate<R: CryptoRng + ?Sized>(
        rng: &mut R,
        identity: &IdentityKeyPair,
        bundle: &VerifiedPreKeyBundle,
    ) -> Result<Session, Error> {
        let ek_a = random32(rng);
        let m = random32(rng);
        let r = random32(rng);
        Self::initiate_with(identity, bundle, &ek_a, &m, &r)
    }

    hazmat_fn! {
        /// [`Session::initiate`] with the random bytes given, as the spec takes them:
        /// `ek_a` (ephemeral key), `m` (encapsulation randomness), `r` (first ratchet
        /// key).
        ///
        /// # Errors
        /// As [`Session::initiate`].
        fn initiate_with(
            identity: &IdentityKeyPair,
            bundle: &VerifiedPreKeyBundle,
            ek_a: &[u8; 32],
            m: &[u8; ENCAPSULATION_SEED_LEN],
            r: &[u8; 32],
        ) -> Result<Session, Error> {
            let (keys, header) = pqxdh::initiate(identity, bundle, ek_a, m)?;
            let mut state = ratchet_init_alice(&keys.sk, &keys.ad, &bundle.bundle().spk_b, r)?;
            state.origin = Origin::Initiator {
            pending_prekey: Some(encode_prekey_header(&header)),
        };
            Ok(Session { state })
        }
    }

    /// SPEC §3.6: Bob accepts Alice's PreKey message, drawing `r` from `rng`, and
    /// returns the session and the first plaintext. One-time prekeys it used are
    /// removed from `store` only on success; under a last-resort post-quantum prekey,
    /// `EK_A` is recorded instead (SPEC §3.5), so the same first message cannot open
    /// a second session.
    ///
    /// This accepts any identity key `IK_A`: whoever Alice is, she gets a session.
    /// Use [`Session::accept_trusted`] to decide on `IK_A` before anything is kept,
    /// or read [`Session::remote_identity_key`] afterwards.
    ///
    /// A PreKey message for a session Bob already has (Alice sends her PreKey header
    /// until she hears from him) belongs to that session's [`Session::decrypt`], not
    /// here: under a last-resort prekey it is refused here as a replay.
    ///
    /// # Errors
    /// Any wire error (SPEC §5.2); [`Error::UnknownPreKey`] if an id is not in
    /// `store`; [`Error::PreKeyReplay`] if the store recorded this `EK_A` under this
    /// last-resort prekey; [`Error::NonContributory`]; any error of decryption. On
    /// error the store is unchanged and no session exists.
    pub fn accept<R: CryptoRng + ?Sized, S: PreKeyStore + ?Sized>(
        rng: &mut R,
        identity: &IdentityKeyPair,
        store: &mut S,
        message: &[u8],
    ) -> Result<(Session, Vec<u8>), Error> {
        Self::accept_trusted(rng, identity, store, message, |_| true)
    }

    /// [`Session::accept`], asking `trust` about Alice's identity key `IK_A` once
    /// her first message has decrypted (so `IK_A` is authenticated: only its private
    /// key could have derived the session's keys with Bob's) and before the store
    /// changes. If `trust` returns `false`, nothing is kept: the one-time prekeys
    /// stay, no replay record is made, and no session exists.
    ///
    /// # Errors
    /// As [`Session::accept`], and [`Error::UntrustedIdentity`] if `trust` declines.
    pub fn accept_trusted<R, S, T>(
        rng: &mut R,
        identity: &IdentityKeyPair,
        store: &mut S,
        message: &[u8],
        trust: T,
    ) -> Result<(Session, Vec<u8>), Error>
    where
        R: CryptoRng + ?Sized,
        S: PreKeyStore + ?Sized,
        T: FnOnce(&PublicKey) -> bool,
    {
        let r = random32(rng);
        Self::accept_trusted_with(identity, store, message, &r, trust)
    }

    hazmat_fn! {
        /// [`Session::accept`] with Bob's next ratchet key `r` given.
        ///
        /// # Errors
        /// As [`Session::accept`].
        fn accept_with<S: PreKeyStore + ?Sized>(
            identity: &IdentityKeyPair,
            store: &mut S,
            message: &[u8],
            r: &[u8; 32],
        ) -> Result<(Session, Vec<u8>), Error> {
            Self::accept_trusted_with(identity, store, message, r, |_| true)
        }
    }

    /// [`Session::accept_trusted`] with `r` given.
    fn accept_trusted_with<S, T>(
        identity: &IdentityKeyPair,
        store: &mut S,
        message: &[u8],
        r: &[u8; 32],
        trust: T,
    ) -> Result<(Session, Vec<u8>), Error>
    where
        S: PreKeyStore + ?Sized,
        T: FnOnce(&PublicKey) -> bool,
    {
        let (session, plaintext, ()) =
            Self::accept_checked_with(identity, store, message, r, |ik_a, _| {
                if trust(ik_a) {
                    Ok(())
                } else {
                    Err(Error::UntrustedIdentity)
                }
            })?;
        Ok((session, plaintext))
    }

    /// SPEC §3.5, §3.6: [`Session::accept`] with `r` given: take, run, check, commit.
    ///
    /// `check` is given Alice's identity key `IK_A` and the first plaintext once the
    /// message has decrypted (so both are authenticated), and before the store
    /// changes: if it returns an error, that error is returned, nothing is kept (the
    /// one-time prekeys stay, no replay record is made, no session exists) and the
    /// plaintext is wiped. Its value is returned beside the session.
    fn accept_checked_with<S, C, V>(
        identity: &IdentityKeyPair,
        store: &mut S,
        message: &[u8],
        r: &[u8; 32],
        check: C,
    ) -> Result<(Session, Vec<u8>, V), Error>
    where
        S: PreKeyStore + ?Sized,
        C: FnOnce(&PublicKey, &[u8]) -> Result<V, Error>,
    {
        let prekey_message = decode_prekey_message(message)?;
        let header = &prekey_message.header;
        // Take: look the keys up.
        let spk_b = store
            .signed_prekey(SignedPreKeyId(header.spk_id))
            .ok_or(Error::UnknownPreKey)?;
        let (pqpk_b, pq_kind) = store
            .pq_prekey(PqPreKeyId(header.pqpk_id))
            .ok_or(Error::UnknownPreKey)?;
        let opk_b = match header.opk_id {
            Some(id) => Some(
                store
                    .one_time_prekey(OneTimePreKeyId(id))
                    .ok_or(Error::UnknownPreKey)?,
            ),
            None => None,
        };
        // SPEC §3.5: a first message replayed under a last-resort PQ prekey.
        if pq_kind == PqPreKeyKind::LastResort
            && store.accepted_under_last_resort(PqPreKeyId(header.pqpk_id), &header.ek_a)
        {
            return Err(Error::PreKeyReplay);
        }
        // Run.
        let keys = pqxdh::respond(identity, &spk_b, &pqpk_b, opk_b.as_ref(), header)?;
        let mut state = ratchet_init_bob(&keys.sk, &keys.ad, spk_b);
        // prekey_hash = SHA-256(header), the TH that PQXDH bound into SK
        state.origin = Origin::Responder {
            prekey_hash: keys.th,
        };
        let message = RatchetMessageRef {
            header: prekey_message.message.header,
            ciphertext: &prekey_message.message.ciphertext,
        };
        let mut plaintext = Zeroizing::new(ratchet_decrypt_checked(
            &mut state,
            &message,
            r,
            |_| Ok(()),
        )?);
        // `IK_A` is authenticated now (the first message decrypted under a key only
        // its private key and Bob's could derive): check before anything is kept.
        let checked = check(&PublicKey::from_bytes(header.ik_a), &plaintext)?;
        // Commit: delete the one-time prekeys used.
        if let Some(id) = header.opk_id {
            store.remove_one_time_prekey(OneTimePreKeyId(id));
        }
        match pq_kind {
            PqPreKeyKind::OneTime => store.remove_pq_prekey(PqPreKeyId(header.pqpk_id)),
            PqPreKeyKind::LastResort => {
                store.record_last_resort_use(PqPreKeyId(header.pqpk_id), header.ek_a);
            }
        }
        // Released: the buffer moves out, the wrapper is left empty.
        Ok((Session { state }, core::mem::take(&mut *plaintext), checked))
    }

    /// The peer's identity public key: `IK_B` for Alice, `IK_A` for Bob, as bound
    /// into the session's associated data `AD = EncodeEC(IK_A) ‖ EncodeEC(IK_B)`
    /// (SPEC §3.4). A session is Bob's exactly when it has a `prekey_hash` (SPEC
    /// §4.3: he keeps it for the session's life, and Alice never has one).
    #[must_use]
    pub fn remote_identity_key(&self) -> PublicKey {
        let ad = &self.state.ad;
        // AD = 0x05 ‖ IK_A ‖ 0x05 ‖ IK_B (SPEC §2 EncodeEC, §3.4).
        let (ik_a, ik_b) = ad.split_at(AD_LEN / 2);
        let remote = if matches!(self.state.origin, Origin::Responder { .. }) {
            ik_a
        } else {
            ik_b
        };
        let mut key = [0u8; 32];
        key.copy_from_slice(&remote[1..]);
        PublicKey::from_bytes(key)
    }

    /// SPEC §6.1: the session's state (SPEC §6) sealed under `key`, for storage;
    /// the salt is drawn from `rng`. Every sealing of the same state differs.
    ///
    /// # Errors
    /// None in practice: [`Error::ChaCha20CounterOverflow`] needs a state of 256 GiB.
    pub fn to_encrypted_bytes<R: CryptoRng + ?Sized>(
        &self,
        key: &StorageKey,
        rng: &mut R,
    ) -> Result<Vec<u8>, Error> {
        storage::seal(key, SealedKind::Session, &encode_state(&self.state), rng)
    }

    /// SPEC §6.1: a session from [`Session::to_encrypted_bytes`]'s output.
    ///
    /// # Errors
    /// [`Error::UnknownVersion`]; [`Error::SealedDataInvalid`] if the bytes do not
    /// open under `key` as a session; [`Error::InvalidState`] if what they hold does
    /// not decode (SPEC §6).
    pub fn from_encrypted_bytes(bytes: &[u8], key: &StorageKey) -> Result<Session, Error> {
        let state = storage::open(key, SealedKind::Session, bytes)?;
        Ok(Session {
            state: decode_state(&state)?,
        })
    }

    /// SPEC §4.5: encrypts `plaintext` into the bytes to send: a PreKey message while
    /// `pending_prekey` is set, else a ratchet message.
    ///
    /// # Errors
    /// [`Error::NoSendingChain`], [`Error::ChainExhausted`],
    /// [`Error::MessageTooLarge`]; the session is then unchanged.
    pub fn encrypt(&mut self, plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        // One allocation, the output: [PreKey header ‖] H ‖ ct ‖ tag.
        let prefix: &[u8] = self.state.origin.pending_prekey().unwrap_or_default();
        let mut out = Vec::with_capacity(
            prefix.len() + RATCHET_HEADER_LEN + plaintext.len().min(MAX_PLAINTEXT_LEN) + TAG_LEN,
        );
        out.extend_from_slice(prefix);
        ratchet_encrypt(&mut self.state, plaintext, &mut out)?;
        Ok(out)
    }

    /// SPEC §5, §5.2, §4.6: decodes and decrypts a message, drawing `r` (a new
    /// ratchet key, used if the message starts a DH ratchet step) from `rng`.
    ///
    /// # Errors
    /// Any wire error; [`Error::PreKeyMismatch`]; [`Error::Duplicate`],
    /// [`Error::TooManySkipped`], [`Error::NonContributory`],
    /// [`Error::ChainExhausted`], [`Error::DecryptionFailed`]. On any error the
    /// session is unchanged.
    pub fn decrypt<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        message: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let r = random32(rng);
        self.decrypt_with(message, &r)
    }

    hazmat_fn! {
        /// [`Session::decrypt`] with `r` given, as the spec takes it.
        ///
        /// # Errors
        /// As [`Session::decrypt`].
        fn decrypt_with(&mut self, message: &[u8], r: &[u8; 32]) -> Result<Vec<u8>, Error> {
            self.decrypt_checked(message, r, |_| Ok(()))
        }
    }

    /// [`Session::decrypt_with`], with `check` run on the plaintext after it has
    /// authenticated and before the session changes (SPEC §4.6's commit): if it
    /// refuses, the session is unchanged and its error returned.
    fn decrypt_checked(
        &mut self,
        message: &[u8],
        r: &[u8; 32],
        check: impl FnOnce(&[u8]) -> Result<(), Error>,
    ) -> Result<Vec<u8>, Error> {
        // The message is read where it lies; the plaintext is the one allocation.
        match decode_message_ref(message)? {
            MessageRef::PreKey { header, message } => {
                let hash = prekey_hash(header);
                let matches = match self.state.origin.prekey_hash() {
                    Some(prekey_hash) => bool::from(prekey_hash.ct_eq(&hash)),
                    None => false,
                };
                if !matches {
                    return Err(Error::PreKeyMismatch);
                }
                ratchet_decrypt_checked(&mut self.state, &message, r, check)
            }
            MessageRef::Ratchet(message) => {
                ratchet_decrypt_checked(&mut self.state, &message, r, check)
            }
        }
    }

    /// SPEC §9.2 `FrankEncrypt`: franks `message` for the context `ctx` (this
    /// session's own account as `ctx.sender`, its peer's as `ctx.recipient`), drawing
    /// the franking key `fk` from `rng`, and returns the submission for the platform
    /// (SPEC §9.3): `VERSION ‖ MSG_FRANKED ‖ c ‖ inner`, with `c = Commit(fk, ctx, m)`
    /// and `inner` the message [`Session::encrypt`] makes of `fk ‖ m` (a PreKey
    /// message while `pending_prekey` is set).
    ///
    /// # Errors
    /// [`Error::MessageTooLarge`] for a message over `MAX_FRANKED_PLAINTEXT_LEN`
    /// (65504 bytes); [`Error::NoSendingChain`], [`Error::ChainExhausted`]. The
    /// session is then unchanged.
    pub fn encrypt_franked<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        ctx: &FrankingContext,
        message: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let fk = random32(rng);
        self.encrypt_franked_with(ctx, &fk, message)
    }

    hazmat_fn! {
        /// [`Session::encrypt_franked`] with the franking key `fk` given, as the spec
        /// takes it.
        ///
        /// # Errors
        /// As [`Session::encrypt_franked`].
        fn encrypt_franked_with(
            &mut self,
            ctx: &FrankingContext,
            fk: &[u8; FRANKING_KEY_LEN],
            message: &[u8],
        ) -> Result<Vec<u8>, Error> {
            if message.len() > MAX_FRANKED_PLAINTEXT_LEN {
                return Err(Error::MessageTooLarge);
            }
            let fk = FrankingKey::from_bytes(*fk);
            let c = franking::commit(&fk, ctx, message);
            // The ratchet's plaintext fk ‖ m, wiped when dropped (its capacity is
            // exact, so it never moves).
            let mut payload = Zeroizing::new(Vec::with_capacity(FRANKING_KEY_LEN + message.len()));
            payload.extend_from_slice(fk.as_bytes());
            payload.extend_from_slice(message);
            // One allocation, the output: VERSION ‖ MSG_FRANKED ‖ c ‖ [PreKey header ‖]
            // H ‖ ct ‖ tag, as `encrypt` writes its part.
            let prefix: &[u8] = self.state.origin.pending_prekey().unwrap_or_default();
            let mut out = Vec::with_capacity(
                2 + COMMITMENT_LEN + prefix.len() + RATCHET_HEADER_LEN + payload.len() + TAG_LEN,
            );
            out.extend_from_slice(&[VERSION, MSG_FRANKED]);
            out.extend_from_slice(&c.0);
            out.extend_from_slice(prefix);
            ratchet_encrypt(&mut self.state, &payload, &mut out)?;
            Ok(out)
        }
    }

    /// SPEC §9.2 `FrankDecrypt`: decodes a delivery from the platform (SPEC §9.3),
    /// decrypts its `inner` as [`Session::decrypt`] does (drawing `r` from `rng`),
    /// and checks that the plaintext `fk ‖ m` opens the stamped commitment `c` in
    /// `ctx` (SPEC §9.2 `Open`; this session's peer as `ctx.sender`, its own account
    /// as `ctx.recipient`). Only then does the session move on. Returns `m` and the
    /// [`Receipt`] that reports it.
    ///
    /// The commitment is checked inside the ratchet's transaction: after the AEAD
    /// has authenticated the payload and before anything is committed (SPEC §4.6),
    /// so a refusal changes nothing and costs no copy of the session.
    ///
    /// # Errors
    /// Any error of decoding the delivery (SPEC §9.3); any error of
    /// [`Session::decrypt`]; [`Error::CommitmentMismatch`] if the plaintext does not
    /// open `c`. On any error the session is unchanged, so the same delivery is
    /// refused again the same way.
    pub fn decrypt_franked<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        ctx: &FrankingContext,
        delivered: &[u8],
    ) -> Result<(Vec<u8>, Receipt), Error> {
        let r = random32(rng);
        self.decrypt_franked_with(ctx, delivered, &r)
    }

    hazmat_fn! {
        /// [`Session::decrypt_franked`] with `r` given, as the spec takes it.
        ///
        /// # Errors
        /// As [`Session::decrypt_franked`].
        fn decrypt_franked_with(
            &mut self,
            ctx: &FrankingContext,
            delivered: &[u8],
            r: &[u8; 32],
        ) -> Result<(Vec<u8>, Receipt), Error> {
            let delivery = decode_delivery(delivered)?;
            // state', payload = Decrypt(state, inner, r); Open(payload, c) before
            // state' replaces state (the ratchet's commit waits for the check)
            let mut opened = None;
            let payload = Zeroizing::new(self.decrypt_checked(delivery.inner, r, |payload| {
                opened = Some(franking::open(ctx, &delivery.c, payload)?.0);
                Ok(())
            })?);
            let fk = opened.ok_or(Error::CommitmentMismatch)?;
            let receipt = Receipt::new(ctx, &delivery, fk);
            Ok((franking::message_of(payload), receipt))
        }
    }

    /// SPEC §9.2 `FrankAccept`: [`Session::accept_trusted`] on a delivery from the
    /// platform (SPEC §9.3) whose `inner` is Alice's PreKey message: once it has
    /// decrypted, `trust` is asked about `IK_A` and then the plaintext `fk ‖ m` must
    /// open the stamped commitment `c` in `ctx` (SPEC §9.2 `Open`), both before the
    /// store changes. Returns the session, `m` and its [`Receipt`].
    ///
    /// # Errors
    /// Any error of decoding the delivery (SPEC §9.3); any error of
    /// [`Session::accept_trusted`] on `inner` (including
    /// [`Error::UntrustedIdentity`]); [`Error::CommitmentMismatch`] if the plaintext
    /// does not open `c`. On any error the store is unchanged and no session exists.
    pub fn accept_franked<R, S, T>(
        rng: &mut R,
        identity: &IdentityKeyPair,
        store: &mut S,
        ctx: &FrankingContext,
        delivered: &[u8],
        trust: T,
    ) -> Result<(Session, Vec<u8>, Receipt), Error>
    where
        R: CryptoRng + ?Sized,
        S: PreKeyStore + ?Sized,
        T: FnOnce(&PublicKey) -> bool,
    {
        let r = random32(rng);
        Self::accept_franked_with(identity, store, ctx, delivered, &r, trust)
    }

    hazmat_fn! {
        /// [`Session::accept_franked`] with Bob's next ratchet key `r` given.
        ///
        /// # Errors
        /// As [`Session::accept_franked`].
        fn accept_franked_with<S, T>(
            identity: &IdentityKeyPair,
            store: &mut S,
            ctx: &FrankingContext,
            delivered: &[u8],
            r: &[u8; 32],
            trust: T,
        ) -> Result<(Session, Vec<u8>, Receipt), Error>
        where
            S: PreKeyStore + ?Sized,
            T: FnOnce(&PublicKey) -> bool,
        {
            let delivery = decode_delivery(delivered)?;
            let (session, payload, fk) =
                Self::accept_checked_with(identity, store, delivery.inner, r, |ik_a, payload| {
                    if !trust(ik_a) {
                        return Err(Error::UntrustedIdentity);
                    }
                    // Open(payload, c), before the store changes
                    franking::open(ctx, &delivery.c, payload).map(|(fk, _)| fk)
                })?;
            let receipt = Receipt::new(ctx, &delivery, fk);
            Ok((session, franking::message_of(Zeroizing::new(payload)), receipt))
        }
    }

    hazmat_fn! {
        /// SPEC §6: the canonical encoding of this session's state (secret: wiped when
        /// dropped).
        #[must_use]
        fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
            encode_state(&self.state)
        }
    }

    hazmat_fn! {
        /// SPEC §6: a session from its encoding.
        ///
        /// # Errors
        /// [`Error::UnknownVersion`], [`Error::InvalidState`].
        fn from_bytes(bytes: &[u8]) -> Result<Session, Error> {
            Ok(Session {
                state: decode_state(bytes)?,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::{MAX_PLAINTEXT_LEN, MAX_SKIP, PREKEY_HEADER_LEN};
    use crate::keys::DecapsulationKey;
    use crate::ml_kem::keygen_derand;
    use crate::pqxdh::sign_bundle;
    use crate::wire::PreKeyBundle;

    const SPK_ID: u32 = 0x1001;
    const PQPK_ID: u32 = 0x2002;
    const OPK_ID: u32 = 0x3003;

    struct Bob {
        identity: IdentityKeyPair,
        store: InMemoryPreKeyStore,
        bundle: PreKeyBundle,
    }

    fn bob() -> Bob {
        let identity = IdentityKeyPair::from_private_bytes([0x10; 32]);
        let spk = PrivateKey::from_bytes([0x30; 32]);
        let opk = PrivateKey::from_bytes([0x50; 32]);
        let (ek, dk) = keygen_derand(&[0x70; 64]);
        let bundle = sign_bundle(
            &identity,
            SPK_ID,
            &spk.public_key(),
            PQPK_ID,
            false,
            &ek,
            Some((OPK_ID, opk.public_key())),
            &[1; 64],
            &[2; 64],
        );
        let mut store = InMemoryPreKeyStore::new();
        store.add_signed_prekey(SignedPreKeyId(SPK_ID), &spk);
        store.add_pq_prekey(PqPreKeyId(PQPK_ID), &dk, PqPreKeyKind::OneTime);
        store.add_one_time_prekey(OneTimePreKeyId(OPK_ID), &opk);
        Bob {
            identity,
            store,
            bundle,
        }
    }

    fn alice(bob: &Bob) -> Session {
        let identity = IdentityKeyPair::from_private_bytes([0x20; 32]);
        let verified = PreKeyBundle::from_bytes(&bob.bundle.to_bytes())
            .unwrap()
            .verify()
            .unwrap();
        Session::initiate_with(&identity, &verified, &[0x21; 32], &[0x22; 32], &[0x23; 32]).unwrap()
    }

    /// Alice and Bob after one message each way.
    fn established() -> (Session, Session) {
        let mut b = bob();
        let mut alice = alice(&b);
        let first = alice.encrypt(b"hello").unwrap();
        let (mut bob, pt) =
            Session::accept_with(&b.identity, &mut b.store, &first, &[0x40; 32]).unwrap();
        assert_eq!(pt, b"hello");
        let reply = bob.encrypt(b"hi").unwrap();
        assert_eq!(alice.decrypt_with(&reply, &[0x41; 32]).unwrap(), b"hi");
        (alice, bob)
    }

    /// `decrypt_with` refuses `message` with `error` and leaves the state as it was.
    fn refused(session: &mut Session, message: &[u8], error: Error) {
        let before = session.to_bytes();
        assert_eq!(session.decrypt_with(message, &[0x99; 32]), Err(error));
        assert_eq!(
            session.to_bytes(),
            before,
            "a refused message changes nothing"
        );
    }

    #[test]
    fn conversation_round_trips_and_prekey_messages_stop_after_a_reply() {
        let (mut alice, mut bob) = established();
        let m = alice.encrypt(b"after").unwrap();
        assert_eq!(m[1], crate::consts::MSG_RATCHET);
        assert_eq!(bob.decrypt_with(&m, &[1; 32]).unwrap(), b"after");
        let restored = Session::from_bytes(&bob.to_bytes()).unwrap();
        assert_eq!(restored.to_bytes(), bob.to_bytes());
    }

    #[test]
    fn bad_input_is_refused_with_its_error_and_changes_nothing() {
        let (mut alice, mut bob) = established();
        let good = alice.encrypt(b"payload").unwrap();
        // truncated
        refused(&mut bob, &good[..57], Error::InvalidMessage);
        refused(&mut bob, &[], Error::InvalidMessage);
        refused(&mut bob, &good[..1], Error::InvalidMessage);
        // unknown version (whatever the length)
        let mut v2 = good.clone();
        v2[0] = 0x02;
        refused(&mut bob, &v2, Error::UnknownVersion);
        refused(&mut bob, &[0x02], Error::UnknownVersion);
        // unknown type
        let mut t = good.clone();
        t[1] = 0x03;
        refused(&mut bob, &t, Error::InvalidMessage);
        // oversized
        let mut big = good[..42].to_vec();
        big.resize(58 + MAX_PLAINTEXT_LEN + 1, 0);
        refused(&mut bob, &big, Error::MessageTooLarge);
        // tampered: every byte of the ciphertext and of the header's counters
        for i in (34..good.len()).step_by(3) {
            let mut bad = good.clone();
            bad[i] ^= 0x01;
            let before = bob.to_bytes();
            assert!(bob.decrypt_with(&bad, &[0x99; 32]).is_err(), "byte {i}");
            assert_eq!(bob.to_bytes(), before);
        }
        // the genuine message still decrypts, then is a replay
        assert_eq!(bob.decrypt_with(&good, &[7; 32]).unwrap(), b"payload");
        refused(&mut bob, &good, Error::Duplicate);
        // a PreKey message to Alice
        let mut prekey = vec![0u8; PREKEY_HEADER_LEN];
        prekey[0] = crate::consts::VERSION;
        prekey[1] = crate::consts::MSG_PREKEY;
        prekey.extend_from_slice(&good);
        refused(&mut alice, &prekey, Error::PreKeyMismatch);
    }

    #[test]
    fn ratchet_rejects_gap_over_max_skip_and_accepts_max_skip() {
        let (mut alice, mut bob) = established();
        let mut messages = Vec::new();
        for _ in 0..=MAX_SKIP + 1 {
            messages.push(alice.encrypt(b"x").unwrap());
        }
        // n = MAX_SKIP + 1 with Nr = 0: one key too many.
        refused(
            &mut bob,
            &messages[(MAX_SKIP + 1) as usize],
            Error::TooManySkipped,
        );
        // n = MAX_SKIP: exactly MAX_SKIP keys skipped, all stored.
        assert_eq!(
            bob.decrypt_with(&messages[MAX_SKIP as usize], &[3; 32])
                .unwrap(),
            b"x"
        );
        assert_eq!(bob.state.skipped.len(), MAX_SKIP as usize);
        assert_eq!(bob.decrypt_with(&messages[0], &[3; 32]).unwrap(), b"x");
        refused(&mut bob, &messages[0], Error::Duplicate);
    }

    #[test]
    fn bob_cannot_send_before_his_first_decryption_and_plaintexts_are_bounded() {
        let (mut alice, _) = established();
        let before = alice.to_bytes();
        assert_eq!(
            alice.encrypt(&vec![0; MAX_PLAINTEXT_LEN + 1]),
            Err(Error::MessageTooLarge)
        );
        assert_eq!(alice.to_bytes(), before);
        assert!(alice.encrypt(&vec![0; MAX_PLAINTEXT_LEN]).is_ok());
        let state = ratchet_init_bob(
            &pqxdh::SharedKey::from_bytes_for_tests([0; 32]),
            &[0; 66],
            PrivateKey::from_bytes([1; 32]),
        );
        let mut session = Session { state };
        assert_eq!(session.encrypt(b"x"), Err(Error::NoSendingChain));
    }

    #[test]
    fn the_rng_entry_points_make_a_working_session() {
        use rand_chacha::ChaCha20Rng;
        use rand_chacha::rand_core::SeedableRng;
        let mut rng = ChaCha20Rng::from_seed([7; 32]);
        let mut b = bob();
        let alice_id = IdentityKeyPair::generate(&mut rng);
        let verified = b.bundle.verify().unwrap();
        let mut alice = Session::initiate(&mut rng, &alice_id, &verified).unwrap();
        let first = alice.encrypt(b"one").unwrap();
        let (mut bob, pt) = Session::accept(&mut rng, &b.identity, &mut b.store, &first).unwrap();
        assert_eq!(pt, b"one");
        let reply = bob.encrypt(b"two").unwrap();
        assert_eq!(alice.decrypt(&mut rng, &reply).unwrap(), b"two");
    }

    #[test]
    fn store_consumes_one_time_prekeys_only_on_success() {
        let mut b = bob();
        let mut alice = alice(&b);
        let first = alice.encrypt(b"hello").unwrap();
        let mut tampered = first.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert_eq!(
            Session::accept_with(&b.identity, &mut b.store, &tampered, &[1; 32]).map(|_| ()),
            Err(Error::DecryptionFailed)
        );
        assert!(b.store.has_one_time_prekey(OneTimePreKeyId(OPK_ID)));
        assert!(b.store.has_pq_prekey(PqPreKeyId(PQPK_ID)));
        let (_, pt) = Session::accept_with(&b.identity, &mut b.store, &first, &[1; 32]).unwrap();
        assert_eq!(pt, b"hello");
        assert!(!b.store.has_one_time_prekey(OneTimePreKeyId(OPK_ID)));
        assert!(!b.store.has_pq_prekey(PqPreKeyId(PQPK_ID)));
        // The same PreKey message again: its prekeys are gone.
        assert_eq!(
            Session::accept_with(&b.identity, &mut b.store, &first, &[1; 32]).map(|_| ()),
            Err(Error::UnknownPreKey)
        );
        // A ratchet message cannot start a session.
        assert_eq!(
            Session::accept_with(
                &b.identity,
                &mut b.store,
                &first[PREKEY_HEADER_LEN..],
                &[1; 32]
            )
            .map(|_| ()),
            Err(Error::InvalidMessage)
        );
    }

    #[test]
    fn debug_prints_no_key_bytes() {
        let b = bob();
        let (alice, bob_session) = established();
        let secret_hex = ["1010", "3030", "5050", "2020", "2121", "2323", "4040"];
        let mut printed = format!(
            "{:?} {:?} {:?} {:?} {:?}",
            b.identity, b.store, alice, bob_session, b.bundle
        );
        printed.push_str(&format!("{:?}", b.bundle.verify().unwrap()));
        for hex in secret_hex {
            assert!(!printed.contains(hex), "{printed}");
        }
        // The state's secrets appear nowhere in the session's Debug.
        let state = alice.to_bytes();
        let rk: String = state[132..140].iter().map(|x| format!("{x:02x}")).collect();
        assert!(!printed.contains(&rk));
    }

    /// The peer's identity key, on both sides, before and after a save, and for
    /// Alice both before and after her first decryption (when her
    /// `pending_prekey` goes).
    #[test]
    fn remote_identity_key_is_the_peer_on_both_sides() {
        let alice_ik = IdentityKeyPair::from_private_bytes([0x20; 32]).public_key();
        let b = bob();
        let bob_ik = b.identity.public_key();
        assert_ne!(alice_ik, bob_ik);
        let fresh = alice(&b);
        assert_eq!(fresh.remote_identity_key(), bob_ik);
        let (alice, bob) = established();
        assert_eq!(alice.remote_identity_key(), bob_ik);
        assert_eq!(bob.remote_identity_key(), alice_ik);
        let bob = Session::from_bytes(&bob.to_bytes()).unwrap();
        assert_eq!(bob.remote_identity_key(), alice_ik);
    }

    /// A declined identity keeps nothing: the error is `UntrustedIdentity`, the
    /// one-time keys stay, and the same message is then accepted when trusted (so no
    /// replay record was made either, which the last-resort case below checks).
    #[test]
    fn a_declined_identity_changes_nothing() {
        let mut b = bob();
        let mut alice = alice(&b);
        let first = alice.encrypt(b"hello").unwrap();
        let mut asked = None;
        let declined =
            Session::accept_trusted_with(&b.identity, &mut b.store, &first, &[0x40; 32], |ik| {
                asked = Some(*ik);
                false
            });
        assert_eq!(declined.map(|_| ()), Err(Error::UntrustedIdentity));
        assert_eq!(
            asked,
            Some(IdentityKeyPair::from_private_bytes([0x20; 32]).public_key())
        );
        assert!(b.store.has_one_time_prekey(OneTimePreKeyId(OPK_ID)));
        assert!(b.store.has_pq_prekey(PqPreKeyId(PQPK_ID)));
        // Not asked when the message does not authenticate.
        let mut tampered = first.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        let result =
            Session::accept_trusted_with(&b.identity, &mut b.store, &tampered, &[0x40; 32], |_| {
                panic!("asked about an unauthenticated identity")
            });
        assert_eq!(result.map(|_| ()), Err(Error::DecryptionFailed));
        let (_, pt) =
            Session::accept_trusted_with(&b.identity, &mut b.store, &first, &[0x40; 32], |_| true)
                .unwrap();
        assert_eq!(pt, b"hello");
        assert!(!b.store.has_one_time_prekey(OneTimePreKeyId(OPK_ID)));

        // Under a last-resort prekey: a declined message leaves no replay record.
        let mut store = InMemoryPreKeyStore::new();
        store.add_signed_prekey(SignedPreKeyId(SPK_ID), &PrivateKey::from_bytes([0x30; 32]));
        let (_, dk) = keygen_derand(&[0x70; 64]);
        store.add_pq_prekey(PqPreKeyId(PQPK_ID), &dk, PqPreKeyKind::LastResort);
        store.add_one_time_prekey(OneTimePreKeyId(OPK_ID), &PrivateKey::from_bytes([0x50; 32]));
        let declined =
            Session::accept_trusted_with(&b.identity, &mut store, &first, &[0x40; 32], |_| false);
        assert_eq!(declined.map(|_| ()), Err(Error::UntrustedIdentity));
        assert!(!store.accepted_under_last_resort(PqPreKeyId(PQPK_ID), &first_ek_a(&first)));
        assert!(Session::accept_with(&b.identity, &mut store, &first, &[0x40; 32]).is_ok());
        assert!(store.accepted_under_last_resort(PqPreKeyId(PQPK_ID), &first_ek_a(&first)));
    }

    /// `EK_A` of a PreKey message.
    fn first_ek_a(message: &[u8]) -> [u8; 32] {
        decode_prekey_message(message).unwrap().header.ek_a
    }

    /// Sealed sessions open to the same state under the same key only; a sealed
    /// session is not a sealed key, and the other way round.
    #[test]
    fn sealed_sessions_round_trip_under_their_key_only() {
        let (alice, bob) = established();
        let key = StorageKey::from_bytes([0x99; 32]);
        let mut rng = Counter(0);
        for session in [&alice, &bob] {
            let sealed = session.to_encrypted_bytes(&key, &mut rng).unwrap();
            let opened = Session::from_encrypted_bytes(&sealed, &key).unwrap();
            assert_eq!(*opened.to_bytes(), *session.to_bytes());
            assert!(
                !sealed
                    .windows(16)
                    .any(|w| session.to_bytes().windows(16).any(|v| v == w))
            );
            let other = StorageKey::from_bytes([0x98; 32]);
            assert_eq!(
                Session::from_encrypted_bytes(&sealed, &other).map(|_| ()),
                Err(Error::SealedDataInvalid)
            );
            assert_eq!(
                PrivateKey::from_encrypted_bytes(&sealed, &key).map(|_| ()),
                Err(Error::SealedDataInvalid)
            );
        }
        let spk = PrivateKey::from_bytes([0x30; 32]);
        let sealed = spk.to_encrypted_bytes(&key, &mut rng).unwrap();
        assert_eq!(
            PrivateKey::from_encrypted_bytes(&sealed, &key)
                .unwrap()
                .public_key(),
            spk.public_key()
        );
        assert_eq!(
            Session::from_encrypted_bytes(&sealed, &key).map(|_| ()),
            Err(Error::SealedDataInvalid)
        );
        let identity = IdentityKeyPair::from_private_bytes([0x10; 32]);
        let sealed = identity.to_encrypted_bytes(&key, &mut rng).unwrap();
        assert_eq!(
            IdentityKeyPair::from_encrypted_bytes(&sealed, &key)
                .unwrap()
                .public_key(),
            identity.public_key()
        );
        let (_, dk) = keygen_derand(&[0x70; 64]);
        let sealed = dk.to_encrypted_bytes(&key, &mut rng).unwrap();
        assert!(DecapsulationKey::from_encrypted_bytes(&sealed, &key).unwrap() == dk);
    }

    /// The bundle builder signs what `sign_bundle` signs, field for field.
    #[test]
    fn the_builder_signs_the_bundle_sign_bundle_makes() {
        let b = bob();
        let spk = PrivateKey::from_bytes([0x30; 32]);
        let opk = PrivateKey::from_bytes([0x50; 32]);
        let (ek, _) = keygen_derand(&[0x70; 64]);
        let built = PreKeyBundle::builder(&b.identity)
            .one_time_prekey(crate::bundle::OneTimePreKeyId(OPK_ID), &opk.public_key())
            .pq_prekey(PqPreKeyId(PQPK_ID), &ek, PqPreKeyKind::OneTime)
            .signed_prekey(SignedPreKeyId(SPK_ID), &spk.public_key())
            .sign_with(&[1; 64], &[2; 64]);
        assert_eq!(built, b.bundle);
        assert_eq!(built.signed_prekey_id(), SignedPreKeyId(SPK_ID));
        assert_eq!(built.pq_prekey_id(), PqPreKeyId(PQPK_ID));
        assert_eq!(built.pq_prekey_kind(), PqPreKeyKind::OneTime);
        assert_eq!(
            built.one_time_prekey(),
            Some((OneTimePreKeyId(OPK_ID), opk.public_key()))
        );
        assert_eq!(built.identity_key(), b.identity.public_key());
        assert_eq!(built.signed_prekey(), spk.public_key());
    }

    /// A deterministic `CryptoRng` for the sealing tests: counts up.
    struct Counter(u8);

    impl rand_core::TryRng for Counter {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(u32::from(self.next_byte()))
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(u64::from(self.next_byte()))
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Self::Error> {
            dest.fill_with(|| self.next_byte());
            Ok(())
        }
    }

    impl rand_core::TryCryptoRng for Counter {}

    impl Counter {
        fn next_byte(&mut self) -> u8 {
            self.0 = self.0.wrapping_add(1);
            self.0
        }
    }
}
