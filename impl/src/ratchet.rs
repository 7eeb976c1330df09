//! docs/SPEC.md §4; "The Double Ratchet Algorithm" §3: the Double Ratchet with
//! X25519, HKDF/HMAC-SHA-256 and ChaCha20-Poly1305.
//!
//! Mirrors `lockstep_spec::ratchet`: [`kdf_rk`], [`kdf_ck`], [`message_key_material`],
//! [`encrypt`], [`decrypt`], [`header_ad`], [`ratchet_init_alice`],
//! [`ratchet_init_bob`], [`ratchet_encrypt`] and [`ratchet_decrypt`] with its steps
//! [`try_skipped_message_keys`], `skip_message_keys` and `dh_ratchet` (crate-private: they return
//! uncommitted locals).
//!
//! Where the spec copies the whole state, this module works in place but commits
//! only after authentication: [`ratchet_decrypt`] computes the new receiving chain,
//! the new ratchet keys and the keys to store into locals, opens the AEAD, and only
//! then writes them into the state. Any error leaves the state untouched. `MAX_SKIP`
//! is checked before any key is derived. Skipped keys are found in O(1) (a hash map
//! by `(dh, n)`) and evicted oldest first (an ordered index by insertion number).
//!
//! Each skipped message key lives in its own heap box, which wipes it when dropped,
//! from the moment it is derived: a deleted key leaves no copy in a table slot, a
//! rehashed table or a staging buffer (forward secrecy against a memory dump;
//! `tests/wipe.rs` checks it).

use core::fmt;
use std::collections::{HashMap, VecDeque};

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::Error;
use crate::aead;
use crate::consts::{
    AD_LEN, CK_CONSTANT, INFO_MESSAGE_KEYS, INFO_RATCHET, MAX_PLAINTEXT_LEN, MAX_SKIP,
    MAX_STORED_SKIPPED_KEYS, MK_CONSTANT, RATCHET_HEADER_LEN,
};
use crate::hkdf::hkdf;
use crate::hmac::hmac_sha256;
use crate::pqxdh::SharedKey;
use crate::wire::{RatchetHeader, RatchetMessageRef, encode_ratchet_header};
use crate::x25519::{self, PrivateKey, PublicKey};

/// SPEC §4.1: the length of every root, chain and message key.
const KEY_LEN: usize = 32;

macro_rules! secret_key {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Secret: not `Copy`, wiped on drop, compared in constant time, printed as
        /// `<redacted>`.
        #[derive(Clone, Zeroize, ZeroizeOnDrop)]
        pub struct $name([u8; KEY_LEN]);

        impl $name {
            /// The key with these bytes (for decoding a state and for the vectors).
            #[doc(hidden)]
            #[must_use]
            pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
                $name(bytes)
            }

            /// The secret bytes. A call is where the key leaves its type: the SPEC §6
            /// state encoding (`state::encode_state`) and the vector suites.
            #[doc(hidden)]
            #[must_use]
            pub fn expose_secret(&self) -> &[u8; KEY_LEN] {
                &self.0
            }
        }

        impl ConstantTimeEq for $name {
            fn ct_eq(&self, other: &Self) -> subtle::Choice {
                self.0.ct_eq(&other.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

secret_key!(
    /// SPEC §4.3; DR §3.2 `RK`: the root key.
    RootKey
);
secret_key!(
    /// SPEC §4.3; DR §3.2 `CKs`, `CKr`: a sending or receiving chain key.
    ChainKey
);
secret_key!(
    /// SPEC §4.1; DR §2.2: a message key, used for one message only.
    MessageKey
);

/// A message key alone in its own heap block, wiped (by [`MessageKey`]'s
/// `ZeroizeOnDrop`) in that block before the block is freed.
///
/// Why boxed: a container that holds a key inline does not wipe it when the key
/// leaves. `HashMap::remove` moves the value out and leaves its bytes in the table
/// slot; a rehash copies every value into a new table and frees the old one as it
/// is; a `Vec` that grows or is dropped after its values were moved out frees its
/// buffer unwiped. Forward secrecy against a memory dump taken later needs each
/// deleted key gone (DR §3.5 deletes used skipped keys, and evicting old ones is
/// what bounds their exposure), so tables, queues and staging buffers hold only the
/// box's pointer, and on the heap the key's bytes are in exactly one block, which
/// its own `Drop` wipes. `tests/wipe.rs` reads the process's memory to check it.
pub(crate) type BoxedMessageKey = Box<MessageKey>;

/// Moves `key` into its own heap block (the one allocation per stored skipped key).
/// The bound is the point: only a key that wipes itself on drop may be boxed here.
fn boxed<K: ZeroizeOnDrop>(key: K) -> Box<K> {
    Box::new(key)
}

/// SPEC §4.3 `MKSKIPPED`: skipped message keys indexed by `(dh, n)`, oldest first,
/// at most `MAX_STORED_SKIPPED_KEYS`.
///
/// Each key is a [`BoxedMessageKey`]: removing, replacing or evicting a key drops
/// its box, which wipes the key; the map's slots, its rehashes and `by_age` move
/// only pointers, ages and the public `(dh, n)`.
///
/// `by_index` finds a key in O(1). `by_age` is the insertion order: each store
/// appends `(age, dh, n)` at its back, and eviction pops the front. A removed or
/// replaced key leaves its entry behind, recognised as stale because its age is no
/// longer the one `by_index` holds; stale entries are skipped when met and dropped
/// in one pass once they outnumber the live ones, so every operation is amortised
/// O(1).
#[derive(Clone, Default)]
pub(crate) struct SkippedKeys {
    by_index: HashMap<([u8; 32], u32), (u64, BoxedMessageKey)>,
    by_age: VecDeque<(u64, [u8; 32], u32)>,
    next_age: u64,
}

/// Whether the order entry `(age, dh, n)` is the live one for its index.
fn is_live(
    by_index: &HashMap<([u8; 32], u32), (u64, BoxedMessageKey)>,
    entry: &(u64, [u8; 32], u32),
) -> bool {
    let (age, dh, n) = entry;
    by_index
        .get(&(*dh, *n))
        .is_some_and(|(live, _)| live == age)
}

impl SkippedKeys {
    /// The key stored for `(dh, n)`, if any.
    pub(crate) fn get(&self, dh: &[u8; 32], n: u32) -> Option<&MessageKey> {
        self.by_index.get(&(*dh, n)).map(|(_, mk)| &**mk)
    }

    /// Whether a key is stored for `(dh, n)`.
    pub(crate) fn contains(&self, dh: &[u8; 32], n: u32) -> bool {
        self.by_index.contains_key(&(*dh, n))
    }

    /// Removes the key stored for `(dh, n)`, if any, and wipes it.
    pub(crate) fn remove(&mut self, dh: &[u8; 32], n: u32) {
        // The slot keeps only the box's pointer; dropping the box wipes the key.
        self.by_index.remove(&(*dh, n));
        self.drop_stale_entries();
    }

    /// SPEC §4.6: append `(dh, n, mk)` as the newest key (an older key under the
    /// same index is replaced, DR §3.2's dictionary); if more than
    /// `MAX_STORED_SKIPPED_KEYS` keys are then held, remove the oldest. Replaced and
    /// evicted keys are wiped.
    pub(crate) fn store(&mut self, dh: [u8; 32], n: u32, mk: MessageKey) {
        self.store_boxed(dh, n, boxed(mk));
    }

    /// [`SkippedKeys::store`] for a key already in its box (the staging buffer of
    /// [`ratchet_decrypt`] holds boxes, so committing moves pointers only).
    pub(crate) fn store_boxed(&mut self, dh: [u8; 32], n: u32, mk: BoxedMessageKey) {
        let age = self.next_age;
        self.next_age = self.next_age.wrapping_add(1);
        self.by_index.insert((dh, n), (age, mk));
        self.by_age.push_back((age, dh, n));
        if self.by_index.len() > MAX_STORED_SKIPPED_KEYS {
            while let Some(entry) = self.by_age.pop_front() {
                if is_live(&self.by_index, &entry) {
                    self.by_index.remove(&(entry.1, entry.2));
                    break;
                }
            }
        }
        self.drop_stale_entries();
    }

    /// Drops the stale order entries in one pass once they outnumber the live ones.
    fn drop_stale_entries(&mut self) {
        if self.by_age.len() > 2 * self.by_index.len() + 64 {
            let by_index = &self.by_index;
            self.by_age.retain(|entry| is_live(by_index, entry));
        }
    }

    /// Makes room for `additional` more keys (at most the limit), so storing a run
    /// of skipped keys rehashes once at most.
    pub(crate) fn reserve(&mut self, additional: usize) {
        let wanted = additional.min(MAX_STORED_SKIPPED_KEYS.saturating_sub(self.by_index.len()));
        self.by_index.reserve(wanted);
        self.by_age.reserve(wanted);
    }

    /// The number of stored keys.
    pub(crate) fn len(&self) -> usize {
        self.by_index.len()
    }

    /// The stored keys, oldest first.
    pub(crate) fn iter_oldest_first(
        &self,
    ) -> impl Iterator<Item = (&[u8; 32], u32, &MessageKey)> + '_ {
        self.by_age.iter().filter_map(|(age, dh, n)| {
            self.by_index
                .get(&(*dh, *n))
                .filter(|(live, _)| live == age)
                .map(|(_, mk)| (dh, *n, &**mk))
        })
    }
}

/// SPEC §4.3; DR §3.2: the state of one party of a session.
///
/// Fields are crate-private; [`crate::session::Session`] owns one and encodes it
/// with [`crate::state::encode_state`].
pub struct State {
    /// `AD`: the 66-byte associated data.
    pub(crate) ad: [u8; AD_LEN],
    /// `DHs`: our ratchet private key, as generated or supplied.
    pub(crate) dhs: PrivateKey,
    /// `DHs.public`, kept beside the private key.
    pub(crate) dhs_public: [u8; 32],
    /// `DHr` and `CKr`: their ratchet public key once known, and the receiving
    /// chain under it once one exists.
    pub(crate) receiving: Option<Receiving>,
    /// `RK`.
    pub(crate) rk: RootKey,
    /// `CKs`.
    pub(crate) cks: Option<ChainKey>,
    /// `Ns`.
    pub(crate) ns: u32,
    /// `Nr`.
    pub(crate) nr: u32,
    /// `PN`.
    pub(crate) pn: u32,
    /// `MKSKIPPED`.
    pub(crate) skipped: SkippedKeys,
    /// `pending_prekey` or `prekey_hash`: how the session began.
    pub(crate) origin: Origin,
}

/// SPEC §4.3 `DHr` and `CKr`. A receiving chain exists only under a known `DHr`:
/// `CKr` without `DHr`, which SPEC §6 refuses to decode, has no value of this type.
/// Alice starts with `DHr = SPK_B` and no `CKr`; Bob starts with neither (no
/// `Receiving` at all) and gets both from Alice's first message.
#[derive(Clone)]
pub(crate) struct Receiving {
    /// `DHr`: their ratchet public key, as received.
    pub(crate) dhr: [u8; 32],
    /// `CKr`.
    pub(crate) ckr: Option<ChainKey>,
}

/// SPEC §4.3 `pending_prekey` and `prekey_hash`: which side began the session and
/// what it keeps of the PreKey message. A session with both, which SPEC §6 refuses
/// to decode, has no value of this type.
pub(crate) enum Origin {
    /// Alice's session (and a decoded one with neither field): her 1647-byte PreKey
    /// header, sent in front of every message until her first successful decryption.
    Initiator {
        /// `pending_prekey`.
        pending_prekey: Option<Vec<u8>>,
    },
    /// Bob's session: the SHA-256 of the PreKey header that made it (`TH`, SPEC
    /// §3.4), kept for the session's life to recognise Alice's repeats.
    Responder {
        /// `prekey_hash`.
        prekey_hash: [u8; 32],
    },
}

impl Origin {
    /// `pending_prekey`, if the session has one.
    pub(crate) fn pending_prekey(&self) -> Option<&[u8]> {
        match self {
            Origin::Initiator { pending_prekey } => pending_prekey.as_deref(),
            Origin::Responder { .. } => None,
        }
    }

    /// `prekey_hash`, if the session has one.
    pub(crate) fn prekey_hash(&self) -> Option<&[u8; 32]> {
        match self {
            Origin::Initiator { .. } => None,
            Origin::Responder { prekey_hash } => Some(prekey_hash),
        }
    }

    /// SPEC §4.6: a message decrypted, so Alice's `pending_prekey` goes.
    fn decrypted(&mut self) {
        if let Origin::Initiator { pending_prekey } = self {
            *pending_prekey = None;
        }
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("State")
            .field("ns", &self.ns)
            .field("nr", &self.nr)
            .field("pn", &self.pn)
            .field("skipped", &self.skipped.len())
            .field("pending_prekey", &self.origin.pending_prekey().is_some())
            .finish_non_exhaustive()
    }
}

/// SPEC §4.1 `KDF_RK(rk, dh_out) = HKDF(salt = rk, ikm = dh_out, INFO_RATCHET, 64)`.
///
/// ```text
/// KDF_RK(rk, dh_out) = HKDF(salt = rk, ikm = dh_out, info = INFO_RATCHET, L = 64)
///                      -> (new rk = bytes 0..32, ck = bytes 32..64)
/// ```
#[must_use]
pub fn kdf_rk(rk: &RootKey, dh_out: &x25519::SharedSecret) -> (RootKey, ChainKey) {
    let okm = hkdf::<64>(&rk.0, dh_out.as_bytes(), INFO_RATCHET);
    let mut new_rk = [0u8; KEY_LEN];
    let mut ck = [0u8; KEY_LEN];
    new_rk.copy_from_slice(&okm[..KEY_LEN]);
    ck.copy_from_slice(&okm[KEY_LEN..]);
    (RootKey(new_rk), ChainKey(ck))
}

/// SPEC §4.1 `KDF_CK(ck) = (next ck = HMAC(ck, 0x02), mk = HMAC(ck, 0x01))`.
///
/// ```text
/// KDF_CK(ck) = (next ck = HMAC(ck, 0x02), mk = HMAC(ck, 0x01))
/// ```
#[must_use]
pub fn kdf_ck(ck: &ChainKey) -> (ChainKey, MessageKey) {
    let next = hmac_sha256(&ck.0, &[CK_CONSTANT]);
    let mk = hmac_sha256(&ck.0, &[MK_CONSTANT]);
    (ChainKey(*next), MessageKey(*mk))
}

/// SPEC §4.2: `okm = HKDF(0^32, mk, INFO_MESSAGE_KEYS, 44)`; key `okm[0..32]`,
/// nonce `okm[32..44]`.
///
/// ```text
/// okm   = HKDF(salt = 0^32, ikm = mk, info = INFO_MESSAGE_KEYS, L = 44)
/// key   = okm[0..32], nonce = okm[32..44]
/// ```
#[must_use]
pub fn message_key_material(mk: &MessageKey) -> (aead::Key, aead::Nonce) {
    let okm = hkdf::<44>(&[0u8; 32], &mk.0, INFO_MESSAGE_KEYS);
    let mut key = [0u8; aead::KEY_LEN];
    let mut nonce = [0u8; aead::NONCE_LEN];
    key.copy_from_slice(&okm[..aead::KEY_LEN]);
    nonce.copy_from_slice(&okm[aead::KEY_LEN..]);
    let key = aead::Key::from_bytes(key);
    (key, aead::Nonce(nonce))
}

/// SPEC §4.2 `ENCRYPT(mk, pt, ad)`: `ct ‖ tag`.
///
/// ```text
/// ENCRYPT(mk, pt, ad):
///     okm   = HKDF(salt = 0^32, ikm = mk, info = INFO_MESSAGE_KEYS, L = 44)
///     key   = okm[0..32], nonce = okm[32..44]
///     return AEAD(key, nonce, ad, pt)        ct ‖ 16-byte tag
/// ```
///
/// # Errors
/// [`Error::MessageTooLarge`] for a plaintext the AEAD refuses (never for one of at
/// most `MAX_PLAINTEXT_LEN` bytes).
pub fn encrypt(mk: &MessageKey, plaintext: &[u8], ad: &[u8]) -> Result<Vec<u8>, Error> {
    let (key, nonce) = message_key_material(mk);
    aead::seal(&key, &nonce, ad, plaintext).map_err(|_| Error::MessageTooLarge)
}

/// SPEC §4.2 `DECRYPT(mk, ct, ad)`.
///
/// # Errors
/// [`Error::DecryptionFailed`] if shorter than a tag or the tag does not verify.
pub fn decrypt(mk: &MessageKey, ciphertext: &[u8], ad: &[u8]) -> Result<Vec<u8>, Error> {
    let (key, nonce) = message_key_material(mk);
    aead::open(&key, &nonce, ad, ciphertext).map_err(|_| Error::DecryptionFailed)
}

/// SPEC §4.2 `AD ‖ H`, 66 + 42 bytes.
#[must_use]
pub fn header_ad(ad: &[u8; AD_LEN], header: &RatchetHeader) -> [u8; AD_LEN + RATCHET_HEADER_LEN] {
    let mut out = [0u8; AD_LEN + RATCHET_HEADER_LEN];
    out[..AD_LEN].copy_from_slice(ad);
    out[AD_LEN..].copy_from_slice(&encode_ratchet_header(header));
    out
}

/// SPEC §4.4 `RatchetInitAlice(SK, SPK_B, r)`.
///
/// ```text
/// RatchetInitAlice(SK, SPK_B, r):            r: 32 random bytes
///     DHs = GENERATE_DH(r); DHr = SPK_B
///     RK, CKs = KDF_RK(SK, DH(DHs, DHr))
///     CKr = none; Ns = Nr = PN = 0; MKSKIPPED = []
/// ```
///
/// # Errors
/// [`Error::NonContributory`] if `DH(DHs, SPK_B)` is all zeros.
pub fn ratchet_init_alice(
    sk: &SharedKey,
    ad: &[u8; AD_LEN],
    spk_b: &[u8; 32],
    r: &[u8; 32],
) -> Result<State, Error> {
    // DHs = GENERATE_DH(r); DHr = SPK_B
    let dhs = PrivateKey::from_bytes(*r);
    // RK, CKs = KDF_RK(SK, DH(DHs, DHr))
    let dh_out = dhs.diffie_hellman(&PublicKey::from_bytes(*spk_b))?;
    let (rk, cks) = kdf_rk(&RootKey(*sk.as_bytes()), &dh_out);
    Ok(State {
        ad: *ad,
        dhs_public: *dhs.public_key().as_bytes(),
        dhs,
        receiving: Some(Receiving {
            dhr: *spk_b,
            ckr: None,
        }),
        rk,
        cks: Some(cks),
        ns: 0,
        nr: 0,
        pn: 0,
        skipped: SkippedKeys::default(),
        origin: Origin::Initiator {
            pending_prekey: None,
        },
    })
}

/// SPEC §4.4 `RatchetInitBob(SK, SPK_B key pair)`. The session sets its
/// `prekey_hash` next (SPEC §3.6); until then the state has neither
/// `pending_prekey` nor `prekey_hash`.
///
/// ```text
/// RatchetInitBob(SK, SPK_B key pair):
///     DHs = SPK_B key pair; DHr = none; RK = SK
///     CKs = CKr = none; Ns = Nr = PN = 0; MKSKIPPED = []
/// ```
#[must_use]
pub fn ratchet_init_bob(sk: &SharedKey, ad: &[u8; AD_LEN], spk_b: PrivateKey) -> State {
    State {
        ad: *ad,
        dhs_public: *spk_b.public_key().as_bytes(),
        dhs: spk_b,
        receiving: None,
        rk: RootKey(*sk.as_bytes()),
        cks: None,
        ns: 0,
        nr: 0,
        pn: 0,
        skipped: SkippedKeys::default(),
        origin: Origin::Initiator {
            pending_prekey: None,
        },
    }
}

/// SPEC §4.5; DR §3.4 `RatchetEncrypt`, appending the ratchet message
/// `H ‖ ct ‖ tag` (SPEC §5.1) to `out`, where the AEAD encrypts in place: with room
/// reserved in `out`, nothing is allocated. The state and `out` change only on
/// success.
///
/// ```text
/// RatchetEncrypt(state, pt):
///     if CKs is none: error NoSendingChain      (Bob, before his first decryption)
///     if Ns = 2^32 - 1: error ChainExhausted
///     if len(pt) > MAX_PLAINTEXT_LEN: error MessageTooLarge
///     CKs, mk = KDF_CK(CKs)
///     H = header(DHs.public, PN, Ns)            §5.1, 42 bytes
///     Ns = Ns + 1
///     return H ‖ ENCRYPT(mk, pt, AD ‖ H)
/// ```
///
/// # Errors
/// [`Error::NoSendingChain`], [`Error::ChainExhausted`], [`Error::MessageTooLarge`],
/// in that order.
pub fn ratchet_encrypt(
    state: &mut State,
    plaintext: &[u8],
    out: &mut Vec<u8>,
) -> Result<RatchetHeader, Error> {
    let Some(cks) = &state.cks else {
        return Err(Error::NoSendingChain);
    };
    if state.ns == u32::MAX {
        return Err(Error::ChainExhausted);
    }
    if plaintext.len() > MAX_PLAINTEXT_LEN {
        return Err(Error::MessageTooLarge);
    }
    // CKs, mk = KDF_CK(CKs)
    let (next_cks, mk) = kdf_ck(cks);
    // H = header(DHs.public, PN, Ns)
    let header = RatchetHeader {
        dh: state.dhs_public,
        pn: state.pn,
        n: state.ns,
    };
    // H ‖ ENCRYPT(mk, plaintext, AD ‖ H)
    let start = out.len();
    let encoded_header = encode_ratchet_header(&header);
    out.extend_from_slice(&encoded_header);
    let (key, nonce) = message_key_material(&mk);
    let mut ad_h = [0u8; AD_LEN + RATCHET_HEADER_LEN];
    ad_h[..AD_LEN].copy_from_slice(&state.ad);
    ad_h[AD_LEN..].copy_from_slice(&encoded_header);
    if aead::seal_append(&key, &nonce, &ad_h, plaintext, out).is_err() {
        out.truncate(start);
        return Err(Error::MessageTooLarge);
    }
    // Commit: CKs, Ns = Ns + 1.
    state.cks = Some(next_cks);
    state.ns += 1;
    Ok(header)
}

/// SPEC §4.6 `TrySkippedMessageKeys`: decrypt with the key stored for
/// `(H.dh, H.n)`, if any, and delete it; `Ok(None)` if none is stored.
///
/// ```text
/// if (H.dh, H.n) in MKSKIPPED:
///     mk = MKSKIPPED[(H.dh, H.n)]
///     pt = DECRYPT(mk, ct, AD ‖ H)           error DecryptionFailed
///     remove (H.dh, H.n) from MKSKIPPED
///     return pt
/// ```
///
/// # Errors
/// [`Error::DecryptionFailed`] if a key is stored but the tag does not verify (the
/// key stays stored).
pub fn try_skipped_message_keys(
    state: &mut State,
    header: &RatchetHeader,
    ciphertext: &[u8],
) -> Result<Option<Vec<u8>>, Error> {
    let Some(mk) = state.skipped.get(&header.dh, header.n) else {
        return Ok(None);
    };
    let plaintext = decrypt(mk, ciphertext, &header_ad(&state.ad, header))?;
    state.skipped.remove(&header.dh, header.n);
    Ok(Some(plaintext))
}

/// A receiving chain being advanced by a decryption, not yet committed.
pub(crate) struct ReceivingChain {
    receiving: Option<Receiving>,
    nr: u32,
}

/// SPEC §4.6 `SkipMessageKeys(until)`, into `chain` and `skipped` (locals of
/// [`ratchet_decrypt`], committed only after authentication).
///
/// Each key is boxed as it is derived, so that `skipped`, whether committed (its
/// boxes moved into the store) or dropped on an error, frees a buffer of pointers,
/// never of keys.
///
/// ```text
/// SkipMessageKeys(until):
///     if CKr is none: return
///     if Nr + MAX_SKIP < until: error TooManySkipped     (before SkipMessageKeys derives any message key)
///     while Nr < until:
///         CKr, mk = KDF_CK(CKr)
///         append (DHr, Nr, mk) to MKSKIPPED; if it now holds more than
///             MAX_STORED_SKIPPED_KEYS keys, remove the oldest
///         Nr = Nr + 1
/// ```
///
/// # Errors
/// [`Error::TooManySkipped`] if `Nr + MAX_SKIP < until`, before any key is derived.
pub(crate) fn skip_message_keys(
    chain: &mut ReceivingChain,
    until: u32,
    skipped: &mut Vec<([u8; 32], u32, BoxedMessageKey)>,
) -> Result<(), Error> {
    // if CKr is none: return (a CKr always has its DHr, which indexes the keys)
    let Some(Receiving {
        dhr,
        ckr: Some(ckr),
    }) = chain.receiving.as_mut()
    else {
        return Ok(());
    };
    let dhr = *dhr;
    // if Nr + MAX_SKIP < until: error TooManySkipped
    if u64::from(chain.nr) + u64::from(MAX_SKIP) < u64::from(until) {
        return Err(Error::TooManySkipped);
    }
    // while Nr < until: CKr, mk = KDF_CK(CKr); append (DHr, Nr, mk); Nr = Nr + 1
    skipped.reserve(usize::try_from(until.saturating_sub(chain.nr)).unwrap_or(0));
    while chain.nr < until {
        let (next, mk) = kdf_ck(ckr);
        *ckr = next;
        skipped.push((dhr, chain.nr, boxed(mk)));
        chain.nr += 1;
    }
    Ok(())
}

/// The result of a DH ratchet step, not yet committed.
pub(crate) struct RatchetStep {
    pn: u32,
    rk: RootKey,
    dhs: PrivateKey,
    dhs_public: [u8; 32],
    cks: ChainKey,
}

/// SPEC §4.6 `DHRatchet(H, r)`: the new root, sending chain and ratchet key pair,
/// and the new receiving chain (at `Nr = 0`), computed from `state` without
/// changing it.
///
/// ```text
/// DHRatchet(H, r):
///     PN = Ns; Ns = 0; Nr = 0; DHr = H.dh
///     RK, CKr = KDF_RK(RK, DH(DHs, DHr))
///     DHs = GENERATE_DH(r)
///     RK, CKs = KDF_RK(RK, DH(DHs, DHr))
/// ```
///
/// # Errors
/// [`Error::NonContributory`] if either DH output is all zeros.
pub(crate) fn dh_ratchet(
    state: &State,
    header: &RatchetHeader,
    r: &[u8; 32],
) -> Result<(RatchetStep, ReceivingChain), Error> {
    // PN = Ns; Ns = 0; Nr = 0; DHr = H.dh
    let dhr = PublicKey::from_bytes(header.dh);
    // RK, CKr = KDF_RK(RK, DH(DHs, DHr))
    let (rk, ckr) = kdf_rk(&state.rk, &state.dhs.diffie_hellman(&dhr)?);
    // DHs = GENERATE_DH(r)
    let dhs = PrivateKey::from_bytes(*r);
    // RK, CKs = KDF_RK(RK, DH(DHs, DHr))
    let (rk, cks) = kdf_rk(&rk, &dhs.diffie_hellman(&dhr)?);
    Ok((
        RatchetStep {
            pn: state.ns,
            rk,
            dhs_public: *dhs.public_key().as_bytes(),
            dhs,
            cks,
        },
        ReceivingChain {
            receiving: Some(Receiving {
                dhr: header.dh,
                ckr: Some(ckr),
            }),
            nr: 0,
        },
    ))
}

/// SPEC §4.6; DR §3.5 `RatchetDecrypt`, transactional: every new value is computed
/// into locals, the AEAD is opened, and only then is the state changed. On any error
/// the state is exactly as it was.
///
/// ```text
/// RatchetDecrypt(state, H, ct, r):
///     if (H.dh, H.n) in MKSKIPPED:
///         mk = MKSKIPPED[(H.dh, H.n)]
///         pt = DECRYPT(mk, ct, AD ‖ H)           error DecryptionFailed
///         remove (H.dh, H.n) from MKSKIPPED
///         return pt
///     if DHr is not none and H.dh = DHr and H.n < Nr:
///         error Duplicate                        before any derivation
///     if DHr is none or H.dh != DHr:
///         SkipMessageKeys(H.pn)                  in the old receiving chain, if any
///         DHRatchet(H, r)
///     SkipMessageKeys(H.n)
///     if CKr is none: error DecryptionFailed     (see below)
///     CKr, mk = KDF_CK(CKr)
///     if Nr = 2^32 - 1: error ChainExhausted
///     Nr = Nr + 1
///     return DECRYPT(mk, ct, AD ‖ H)             error DecryptionFailed
/// ```
///
/// # Errors
/// [`Error::Duplicate`], [`Error::TooManySkipped`], [`Error::NonContributory`],
/// [`Error::ChainExhausted`], [`Error::DecryptionFailed`].
pub fn ratchet_decrypt(
    state: &mut State,
    message: &RatchetMessageRef<'_>,
    r: &[u8; 32],
) -> Result<Vec<u8>, Error> {
    ratchet_decrypt_checked(state, message, r, |_| Ok(()))
}

/// [`ratchet_decrypt`], with `check` run on the plaintext once it has authenticated
/// and before anything is committed: if `check` refuses, the state is unchanged,
/// the plaintext is wiped, and its error is returned. (Franking's `Open`, SPEC
/// §9.2, is such a check: it needs the plaintext, and a refusal must change
/// nothing.)
///
/// # Errors
/// As [`ratchet_decrypt`], and any error of `check`.
pub(crate) fn ratchet_decrypt_checked(
    state: &mut State,
    message: &RatchetMessageRef<'_>,
    r: &[u8; 32],
    check: impl FnOnce(&[u8]) -> Result<(), Error>,
) -> Result<Vec<u8>, Error> {
    let header = &message.header;
    // if (H.dh, H.n) in MKSKIPPED: ...
    if let Some(mk) = state.skipped.get(&header.dh, header.n) {
        let mut plaintext =
            Zeroizing::new(decrypt(mk, message.ciphertext, &header_ad(&state.ad, header))?);
        check(&plaintext)?;
        state.skipped.remove(&header.dh, header.n);
        state.origin.decrypted();
        return Ok(core::mem::take(&mut *plaintext));
    }
    let current_chain = state
        .receiving
        .as_ref()
        .is_some_and(|receiving| receiving.dhr == header.dh);
    // if DHr = H.dh and H.n < Nr: error Duplicate (before any derivation)
    if current_chain && header.n < state.nr {
        return Err(Error::Duplicate);
    }
    let mut skipped = Vec::new();
    let mut step = None;
    let mut chain = ReceivingChain {
        receiving: state.receiving.clone(),
        nr: state.nr,
    };
    if !current_chain {
        // SkipMessageKeys(H.pn) in the old receiving chain
        skip_message_keys(&mut chain, header.pn, &mut skipped)?;
        // DHRatchet(H, r)
        let (new_step, new_chain) = dh_ratchet(state, header, r)?;
        step = Some(new_step);
        chain = new_chain;
    }
    // SkipMessageKeys(H.n)
    skip_message_keys(&mut chain, header.n, &mut skipped)?;
    // CKr, mk = KDF_CK(CKr)
    let Some(Receiving {
        dhr,
        ckr: Some(ckr),
    }) = &chain.receiving
    else {
        return Err(Error::DecryptionFailed);
    };
    let dhr = *dhr;
    let (next_ckr, mk) = kdf_ck(ckr);
    // Nr = Nr + 1
    let Some(next_nr) = chain.nr.checked_add(1) else {
        return Err(Error::ChainExhausted);
    };
    let mut plaintext = Zeroizing::new(decrypt(&mk, message.ciphertext, &header_ad(&state.ad, header))?);
    // Authenticated; the caller's check, then commit.
    check(&plaintext)?;
    state.skipped.reserve(skipped.len());
    for (dh, n, mk) in skipped {
        state.skipped.store_boxed(dh, n, mk);
    }
    if let Some(step) = step {
        state.pn = step.pn;
        state.ns = 0;
        state.rk = step.rk;
        state.dhs = step.dhs;
        state.dhs_public = step.dhs_public;
        state.cks = Some(step.cks);
    }
    state.receiving = Some(Receiving {
        dhr,
        ckr: Some(next_ckr),
    });
    state.nr = next_nr;
    state.origin.decrypted();
    Ok(core::mem::take(&mut *plaintext))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mk(b: u8) -> MessageKey {
        MessageKey([b; KEY_LEN])
    }

    #[test]
    fn skipped_keys_evict_the_oldest_at_the_limit() {
        let mut s = SkippedKeys::default();
        let limit = u32::try_from(MAX_STORED_SKIPPED_KEYS).unwrap();
        for n in 0..limit {
            s.store([1; 32], n, mk(1));
        }
        assert_eq!(s.len(), MAX_STORED_SKIPPED_KEYS);
        assert!(s.contains(&[1; 32], 0));
        s.store([2; 32], 0, mk(2));
        assert_eq!(s.len(), MAX_STORED_SKIPPED_KEYS);
        assert!(!s.contains(&[1; 32], 0), "the oldest is evicted");
        assert!(s.contains(&[1; 32], 1));
        let first = s.iter_oldest_first().next().map(|(dh, n, _)| (*dh, n));
        assert_eq!(first, Some(([1; 32], 1)));
    }

    #[test]
    fn storing_an_index_twice_replaces_it_as_newest() {
        let mut s = SkippedKeys::default();
        s.store([1; 32], 0, mk(1));
        s.store([1; 32], 1, mk(1));
        s.store([1; 32], 0, mk(9));
        assert_eq!(s.len(), 2);
        let order: Vec<u32> = s.iter_oldest_first().map(|(_, n, _)| n).collect();
        assert_eq!(order, [1, 0]);
        assert_eq!(s.get(&[1; 32], 0).map(|k| k.0), Some([9; KEY_LEN]));
    }

    /// Removed and replaced keys leave stale order entries; they are never
    /// returned, never evicted in a live key's place, and dropped once they
    /// outnumber the live keys.
    #[test]
    fn stale_order_entries_are_skipped_and_dropped() {
        let mut s = SkippedKeys::default();
        for n in 0..1000 {
            s.store([3; 32], n, mk(3));
        }
        for n in (0..1000).filter(|n| n % 10 != 0) {
            s.remove(&[3; 32], n);
        }
        assert_eq!(s.len(), 100);
        assert!(s.by_age.len() <= 2 * s.len() + 64, "{}", s.by_age.len());
        let order: Vec<u32> = s.iter_oldest_first().map(|(_, n, _)| n).collect();
        assert_eq!(order, (0..1000).step_by(10).collect::<Vec<u32>>());
        // A stale entry at the front (key 0 removed, too few to compact); fill to
        // the limit: the eviction passes it and takes key 10, the oldest live key.
        s.remove(&[3; 32], 0);
        let limit = u32::try_from(MAX_STORED_SKIPPED_KEYS).unwrap();
        for n in 0..limit - 99 {
            s.store([4; 32], n, mk(4));
        }
        assert_eq!(s.len(), MAX_STORED_SKIPPED_KEYS);
        s.store([4; 32], limit, mk(4));
        assert_eq!(s.len(), MAX_STORED_SKIPPED_KEYS);
        assert!(!s.contains(&[3; 32], 10));
        assert!(s.contains(&[3; 32], 20));
        assert_eq!(s.iter_oldest_first().count(), MAX_STORED_SKIPPED_KEYS);
    }

    #[test]
    fn debug_of_secret_keys_is_redacted() {
        let printed = format!(
            "{:?} {:?} {:?}",
            RootKey([0xab; 32]),
            ChainKey([0xab; 32]),
            mk(0xab)
        );
        assert_eq!(
            printed,
            "RootKey(<redacted>) ChainKey(<redacted>) MessageKey(<redacted>)"
        );
    }
}
