//! docs/SPEC.md §9: message franking, an optional extension. A recipient can report
//! an abusive message to the platform that relayed it, with proof of who sent it,
//! while the platform learns nothing of the messages nobody reports.
//!
//! Mirrors `lockstep_spec::franking`. The parties and what this module gives each:
//!
//! - The sender: [`Session::encrypt_franked`] draws a fresh [`FrankingKey`] `fk`,
//!   commits to the message under it ([`commit`], SPEC §9.2 `Commit`) and sends the
//!   commitment `c` beside a ratchet message of `fk ‖ m` (SPEC §9.2 `FrankEncrypt`).
//! - The platform: [`PlatformKey::stamp`] binds `c` to the sender it authenticated,
//!   the recipient and the time (SPEC §9.2 `Stamp`); [`PlatformKey::verify_report`]
//!   judges a report (SPEC §9.2 `VerifyReport`).
//! - The recipient: [`Session::decrypt_franked`] (and [`Session::accept_franked`]
//!   for a first message) decrypts, checks that `fk ‖ m` opens the stamped `c`
//!   (SPEC §9.2 `Open`) and only then keeps the new state, returning the message and
//!   a [`Receipt`]; [`Receipt::report`] makes the report (SPEC §9.2 `Report`).
//!
//! A franked message that does not open its commitment is refused with
//! [`Error::CommitmentMismatch`] and changes nothing: the session (and, for
//! `accept_franked`, the prekey store) is as it was, so a replay is refused the same
//! way. The commitment, the stamp and the franking key are compared in constant time.
//!
//! With `hazmat`, the deterministic forms (`Session::encrypt_franked_with`,
//! `decrypt_franked_with`, `accept_franked_with`) that take the random bytes, the
//! byte layouts of SPEC §9.3 (`Submission`, `Delivery`, `Report`, their encoders
//! and decoders), `stamp_tag`, `open`, and the keys from bytes are public too.
//!
//! [`Session::encrypt_franked`]: crate::Session::encrypt_franked
//! [`Session::decrypt_franked`]: crate::Session::decrypt_franked
//! [`Session::accept_franked`]: crate::Session::accept_franked
//!
//! # Example
//!
//! Alice and Bob talk through a platform that stamps every franked message; Bob
//! reports one of Alice's, and the platform verifies the report. Only the
//! application API is used.
//!
//! ```
//! use lockstep::bundle::{OneTimePreKeyId, PqPreKeyId, PqPreKeyKind, SignedPreKeyId};
//! use lockstep::franking::{FrankingContext, PartyId, PlatformKey};
//! use lockstep::keys::{DecapsulationKey, PrivateKey};
//! use lockstep::session::InMemoryPreKeyStore;
//! use lockstep::{Error, IdentityKeyPair, PreKeyBundle, Session};
//! use rand_chacha::ChaCha20Rng;
//! use rand_chacha::rand_core::SeedableRng;
//!
//! # fn main() -> Result<(), Error> {
//! // Seeded, so the example is reproducible; real code uses the system's RNG.
//! let mut rng = ChaCha20Rng::from_seed([9; 32]);
//!
//! // The platform: its stamping key (never shared) and its accounts' identifiers.
//! // A franking context names the sender, then the recipient.
//! let platform = PlatformKey::generate(&mut rng);
//! let alice_id = PartyId::new(b"alice")?;
//! let bob_id = PartyId::new(b"bob")?;
//! let to_bob = FrankingContext::new(alice_id.clone(), bob_id.clone());
//! let to_alice = FrankingContext::new(bob_id.clone(), alice_id.clone());
//!
//! // Bob publishes a bundle; Alice verifies it and starts a session (as in the
//! // crate's example).
//! let bob_identity = IdentityKeyPair::generate(&mut rng);
//! let spk = PrivateKey::generate(&mut rng);
//! let pqpk = DecapsulationKey::generate(&mut rng);
//! let opk = PrivateKey::generate(&mut rng);
//! let mut store = InMemoryPreKeyStore::new();
//! store.add_signed_prekey(SignedPreKeyId(1), &spk);
//! store.add_pq_prekey(PqPreKeyId(2), &pqpk, PqPreKeyKind::LastResort);
//! store.add_one_time_prekey(OneTimePreKeyId(3), &opk);
//! let published = PreKeyBundle::builder(&bob_identity)
//!     .signed_prekey(SignedPreKeyId(1), &spk.public_key())
//!     .pq_prekey(PqPreKeyId(2), pqpk.encapsulation_key(), PqPreKeyKind::LastResort)
//!     .one_time_prekey(OneTimePreKeyId(3), &opk.public_key())
//!     .sign(&mut rng)
//!     .to_bytes();
//! let alice_identity = IdentityKeyPair::generate(&mut rng);
//! let verified = PreKeyBundle::from_bytes(&published)?.verify()?;
//! let mut alice = Session::initiate(&mut rng, &alice_identity, &verified)?;
//!
//! // Alice franks her first message and submits it; the platform stamps it with
//! // the sender it authenticated, the recipient and its clock.
//! let submitted = alice.encrypt_franked(&mut rng, &to_bob, b"hello Bob")?;
//! let delivered = platform.stamp(&to_bob, 1_700_000_000, &submitted)?;
//!
//! // Bob accepts it; the commitment is checked before his store changes.
//! let expected = alice_identity.public_key();
//! let (mut bob, message, _receipt) = Session::accept_franked(
//!     &mut rng,
//!     &bob_identity,
//!     &mut store,
//!     &to_bob,
//!     &delivered,
//!     |ik_a| *ik_a == expected,
//! )?;
//! assert_eq!(message, b"hello Bob");
//!
//! // Both ways from here on.
//! let reply = bob.encrypt_franked(&mut rng, &to_alice, b"hi Alice")?;
//! let delivered = platform.stamp(&to_alice, 1_700_000_060, &reply)?;
//! let (message, _receipt) = alice.decrypt_franked(&mut rng, &to_alice, &delivered)?;
//! assert_eq!(message, b"hi Alice");
//! let abuse = alice.encrypt_franked(&mut rng, &to_bob, b"something abusive")?;
//! let delivered = platform.stamp(&to_bob, 1_700_000_120, &abuse)?;
//! let (message, receipt) = bob.decrypt_franked(&mut rng, &to_bob, &delivered)?;
//!
//! // Bob reports it; the platform learns who sent what to whom, and when.
//! let report = receipt.report(&message)?;
//! let judged = platform.verify_report(&bob_id, &report)?;
//! assert_eq!(judged.context, to_bob);
//! assert_eq!(judged.t, 1_700_000_120);
//! assert_eq!(judged.message, b"something abusive");
//!
//! // Only the recipient may report it, and only as the message it read.
//! assert_eq!(platform.verify_report(&alice_id, &report), Err(Error::NotRecipient));
//! assert_eq!(receipt.report(b"something else"), Err(Error::CommitmentMismatch));
//! # Ok(())
//! # }
//! ```

use core::fmt;

use hmac::{KeyInit, Mac};
use rand_core::CryptoRng;
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::Error;
use crate::consts::{
    COMMITMENT_LEN, FRANKING_COMMIT_LABEL, FRANKING_KEY_LEN, FRANKING_STAMP_LABEL,
    MAX_FRANKED_PLAINTEXT_LEN, MAX_PARTY_ID_LEN, STAMP_LEN,
};

#[cfg(feature = "hazmat")]
pub use layout::{
    Delivery, Report, Submission, decode_delivery, decode_report, decode_submission,
    encode_delivery, encode_report, encode_submission,
};
#[cfg(not(feature = "hazmat"))]
pub(crate) use layout::{Delivery, Report, decode_delivery, decode_report, encode_delivery};

/// SPEC §9.1: the length of the platform's stamping key `K_P`.
pub const PLATFORM_KEY_LEN: usize = 32;

/// HMAC-SHA-256, the MAC of `Commit` and `StampTag` (SPEC §2, §9.2).
type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// SHA-256's block: HMAC's keys are padded to it (RFC 2104 §2).
const HMAC_BLOCK_LEN: usize = 64;

/// RFC 2104 §2: HMAC-SHA-256 keyed with a 32-byte key, ready for data.
///
/// RFC 2104 §2 pads a key shorter than the 64-byte block with zeros, so `key ‖ 0^32`
/// is the same HMAC key as `key`; given as a whole block it goes to the infallible
/// `KeyInit::new` (`new_from_slice` would return a `Result` that is never an error).
/// `tests/franking.rs` checks the outputs against the `hmac` crate keyed with the
/// 32 bytes themselves.
fn keyed_mac(key: &[u8; 32]) -> HmacSha256 {
    let mut block = Zeroizing::new([0u8; HMAC_BLOCK_LEN]);
    block[..key.len()].copy_from_slice(key);
    let block: &[u8; HMAC_BLOCK_LEN] = &block;
    <HmacSha256 as KeyInit>::new(block.into())
}

/// SPEC §9.1: `Id(x) = u8(len(x)) ‖ x`, fed to a MAC.
fn update_id(mac: &mut HmacSha256, id: &PartyId) {
    mac.update(&[id.len]);
    mac.update(id.as_bytes());
}

/// SPEC §9.1: a platform's identifier for one of its accounts, 1 to
/// [`MAX_PARTY_ID_LEN`] (64) bytes. Public data.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PartyId {
    /// The identifier's length, 1..=64.
    len: u8,
    /// The identifier in `bytes[..len]`, zeros after it (so the derived `==` is the
    /// identifiers').
    bytes: [u8; MAX_PARTY_ID_LEN],
}

impl PartyId {
    /// SPEC §9.1: the identifier with these bytes.
    ///
    /// # Errors
    /// [`Error::InvalidMessage`] for an identifier outside 1..=64 bytes.
    pub fn new(id: &[u8]) -> Result<PartyId, Error> {
        let len = match u8::try_from(id.len()) {
            Ok(len) if (1..=MAX_PARTY_ID_LEN).contains(&id.len()) => len,
            _ => return Err(Error::InvalidMessage),
        };
        let mut bytes = [0u8; MAX_PARTY_ID_LEN];
        bytes[..id.len()].copy_from_slice(id);
        Ok(PartyId { len, bytes })
    }

    /// The identifier's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// SPEC §9.1: appends `Id(x) = u8(len(x)) ‖ x`.
    fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(self.len);
        out.extend_from_slice(self.as_bytes());
    }

    /// The length of `Id(x)`.
    fn encoded_len(&self) -> usize {
        1 + usize::from(self.len)
    }
}

impl fmt::Debug for PartyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Public: printed as text when it is text, else as bytes.
        match core::str::from_utf8(self.as_bytes()) {
            Ok(text) => f.debug_tuple("PartyId").field(&text).finish(),
            Err(_) => f.debug_tuple("PartyId").field(&self.as_bytes()).finish(),
        }
    }
}

/// SPEC §9.1: a franking context, the pair `(sender, recipient)` of a message, as
/// the platform knows them. Public data.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FrankingContext {
    /// The sending account (the one the platform authenticated).
    pub sender: PartyId,
    /// The receiving account (the one the sender addressed).
    pub recipient: PartyId,
}

impl FrankingContext {
    /// SPEC §9.1: the context of a message from `sender` to `recipient`.
    #[must_use]
    pub fn new(sender: PartyId, recipient: PartyId) -> FrankingContext {
        FrankingContext { sender, recipient }
    }
}

/// SPEC §9.2 `Commit`: a commitment `c` to a message under a franking key. Public
/// (the platform sees it); compared in constant time where it is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Commitment(pub [u8; COMMITMENT_LEN]);

impl ConstantTimeEq for Commitment {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

/// SPEC §9.2 `StampTag`: the platform's stamp tag over a commitment, a context and a
/// time. Public (the recipient holds it); compared in constant time where it is
/// checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StampTag(pub [u8; STAMP_LEN]);

impl ConstantTimeEq for StampTag {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

/// SPEC §9.1: a franking key `fk`, 32 random bytes, fresh for each message.
///
/// Secret until its message is reported: not `Copy`, wiped on drop, compared in
/// constant time, printed as `<redacted>`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct FrankingKey([u8; FRANKING_KEY_LEN]);

impl FrankingKey {
    /// A fresh franking key drawn from `rng`.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut key = FrankingKey([0u8; FRANKING_KEY_LEN]);
        rng.fill_bytes(&mut key.0);
        key
    }

    hazmat_fn! {
        /// SPEC §9.1: the franking key with these bytes (randomness is an input).
        #[must_use]
        fn from_bytes(bytes: [u8; FRANKING_KEY_LEN]) -> Self {
            FrankingKey(bytes)
        }
    }

    hazmat_fn! {
        /// The secret bytes: where the key leaves its type (the ratchet plaintext
        /// `fk ‖ m` and a report, SPEC §9.2).
        #[must_use]
        fn as_bytes(&self) -> &[u8; FRANKING_KEY_LEN] {
            &self.0
        }
    }
}

impl ConstantTimeEq for FrankingKey {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for FrankingKey {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.ct_eq(other))
    }
}

impl Eq for FrankingKey {}

impl fmt::Debug for FrankingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FrankingKey(<redacted>)")
    }
}

/// SPEC §9.1: the platform's stamping key `K_P`, 32 random bytes, never shared.
///
/// Secret: not `Copy` or `Clone`, wiped on drop, compared in constant time,
/// printed as `<redacted>`.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct PlatformKey([u8; PLATFORM_KEY_LEN]);

impl PlatformKey {
    /// A fresh stamping key drawn from `rng`.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut key = PlatformKey([0u8; PLATFORM_KEY_LEN]);
        rng.fill_bytes(&mut key.0);
        key
    }

    /// SPEC §9.1: the stamping key with these bytes (which must be secret and
    /// uniformly random): how a platform loads the key it keeps.
    #[must_use]
    pub fn from_bytes(bytes: [u8; PLATFORM_KEY_LEN]) -> Self {
        PlatformKey(bytes)
    }

    /// SPEC §9.2 `Stamp`: the delivery for a submission that `ctx.sender` sent to
    /// `ctx.recipient`, relayed at time `t` (seconds since 1970-01-01 UTC):
    /// `VERSION ‖ MSG_STAMPED ‖ u64be(t) ‖ c ‖ StampTag(K_P, c, sender, recipient, t)
    /// ‖ inner`.
    ///
    /// The platform cannot check `c` (it cannot read `inner`); the recipient does.
    ///
    /// # Errors
    /// Any error of decoding the submission (SPEC §9.3): [`Error::InvalidMessage`],
    /// [`Error::UnknownVersion`], [`Error::MessageTooLarge`].
    pub fn stamp(&self, ctx: &FrankingContext, t: u64, submitted: &[u8]) -> Result<Vec<u8>, Error> {
        let submission = layout::decode_submission(submitted)?;
        let tag = stamp_tag(self, &submission.c, ctx, t);
        Ok(encode_delivery(&Delivery {
            t,
            c: submission.c,
            tag,
            inner: submission.inner,
        }))
    }

    /// SPEC §9.2 `VerifyReport`: judges a report sent by the account `reporter`.
    /// Returns the sender, recipient, time and message the report proves.
    ///
    /// # Errors
    /// In this order: any error of decoding the report (SPEC §9.3);
    /// [`Error::NotRecipient`] if `reporter` is not the recipient the report names;
    /// [`Error::InvalidStamp`] if the stamp tag is not this key's over the report's
    /// commitment, context and time; [`Error::CommitmentMismatch`] if the franking
    /// key and message do not open the commitment.
    pub fn verify_report(
        &self,
        reporter: &PartyId,
        report: &[u8],
    ) -> Result<VerifiedReport, Error> {
        let Report {
            context,
            t,
            c,
            tag,
            fk,
            message,
        } = decode_report(report)?;
        if context.recipient != *reporter {
            return Err(Error::NotRecipient);
        }
        if !bool::from(stamp_tag(self, &c, &context, t).ct_eq(&tag)) {
            return Err(Error::InvalidStamp);
        }
        if !bool::from(commit(&fk, &context, &message).ct_eq(&c)) {
            return Err(Error::CommitmentMismatch);
        }
        Ok(VerifiedReport {
            context,
            t,
            message,
        })
    }
}

impl ConstantTimeEq for PlatformKey {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

impl fmt::Debug for PlatformKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlatformKey(<redacted>)")
    }
}

/// SPEC §9.2 `VerifyReport`'s result: what an accepted report proves, that
/// `context.sender` sent `message` to `context.recipient` at time `t`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedReport {
    /// The sender and recipient the platform stamped.
    pub context: FrankingContext,
    /// The time the platform stamped, in seconds since 1970-01-01 UTC.
    pub t: u64,
    /// The reported message.
    pub message: Vec<u8>,
}

/// SPEC §9.2 `FrankDecrypt`'s receipt: what the recipient keeps of a franked message
/// it accepted, to report it later with [`Receipt::report`]: the context, the time,
/// the commitment, the stamp tag and the franking key (secret until reported: wiped
/// on drop, never printed). The message itself is not kept here.
#[derive(Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The sender and recipient.
    context: FrankingContext,
    /// The platform's time.
    t: u64,
    /// `c`, as stamped.
    c: Commitment,
    /// The stamp tag, as delivered (the recipient cannot check it).
    tag: StampTag,
    /// `fk`, as opened.
    fk: FrankingKey,
}

impl Receipt {
    /// The receipt of a delivery whose payload opened with `fk` in `context`.
    pub(crate) fn new(
        context: &FrankingContext,
        delivery: &Delivery<'_>,
        fk: FrankingKey,
    ) -> Receipt {
        Receipt {
            context: context.clone(),
            t: delivery.t,
            c: delivery.c,
            tag: delivery.tag,
            fk,
        }
    }

    /// The message's sender and recipient.
    #[must_use]
    pub fn context(&self) -> &FrankingContext {
        &self.context
    }

    /// The platform's time `t` when it relayed the message (seconds since
    /// 1970-01-01 UTC).
    #[must_use]
    pub fn time(&self) -> u64 {
        self.t
    }

    /// The commitment `c` the platform stamped and the message opened.
    #[must_use]
    pub fn commitment(&self) -> Commitment {
        self.c
    }

    /// The stamp tag as delivered (unchecked: only the platform can check it).
    #[must_use]
    pub fn stamp_tag(&self) -> StampTag {
        self.tag
    }

    hazmat_fn! {
        /// The franking key `fk` the message opened with.
        #[must_use]
        fn franking_key(&self) -> &FrankingKey {
            &self.fk
        }
    }

    /// SPEC §9.2 `Report`: the report of `message`, the plaintext this receipt came
    /// with: `VERSION ‖ MSG_REPORT ‖ Id(sender) ‖ Id(recipient) ‖ u64be(t) ‖ c ‖ tag
    /// ‖ fk ‖ m`.
    ///
    /// The platform's commitment check is run here first, so that no report the
    /// platform would refuse for its message is made (SPEC §9.4 receiver binding);
    /// for any message it accepts the bytes are SPEC §9.2's. To report later, keep
    /// these bytes with the message: they hold the message and its franking key, so
    /// store them as the message is stored (SPEC §9.2).
    ///
    /// # Errors
    /// [`Error::MessageTooLarge`] for a message over `MAX_FRANKED_PLAINTEXT_LEN`;
    /// [`Error::CommitmentMismatch`] if `message` is not the one committed to.
    pub fn report(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        if message.len() > MAX_FRANKED_PLAINTEXT_LEN {
            return Err(Error::MessageTooLarge);
        }
        if !bool::from(commit(&self.fk, &self.context, message).ct_eq(&self.c)) {
            return Err(Error::CommitmentMismatch);
        }
        Ok(layout::write_report(
            &self.context,
            self.t,
            &self.c,
            &self.tag,
            &self.fk,
            message,
        ))
    }
}

impl fmt::Debug for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receipt")
            .field("context", &self.context)
            .field("t", &self.t)
            .field("c", &self.c)
            .field("tag", &self.tag)
            .field("fk", &self.fk)
            .finish()
    }
}

/// SPEC §9.2: `Commit(fk, sender, recipient, m) = HMAC(fk, FRANKING_COMMIT_LABEL ‖
/// Id(sender) ‖ Id(recipient) ‖ m)`.
#[must_use]
pub fn commit(fk: &FrankingKey, ctx: &FrankingContext, m: &[u8]) -> Commitment {
    let mut mac = keyed_mac(&fk.0);
    mac.update(FRANKING_COMMIT_LABEL);
    update_id(&mut mac, &ctx.sender);
    update_id(&mut mac, &ctx.recipient);
    mac.update(m);
    Commitment(mac.finalize().into_bytes().into())
}

hazmat_fn! {
    /// SPEC §9.2: `StampTag(K_P, c, sender, recipient, t) = HMAC(K_P,
    /// FRANKING_STAMP_LABEL ‖ c ‖ Id(sender) ‖ Id(recipient) ‖ u64be(t))`.
    #[must_use]
    fn stamp_tag(kp: &PlatformKey, c: &Commitment, ctx: &FrankingContext, t: u64) -> StampTag {
        let mut mac = keyed_mac(&kp.0);
        mac.update(FRANKING_STAMP_LABEL);
        mac.update(&c.0);
        update_id(&mut mac, &ctx.sender);
        update_id(&mut mac, &ctx.recipient);
        mac.update(&t.to_be_bytes());
        StampTag(mac.finalize().into_bytes().into())
    }
}

hazmat_fn! {
    /// SPEC §9.2 `Open(payload, c)`: splits a decrypted payload into `fk` and `m` and
    /// checks, in constant time, that they open `c` in `ctx`. Arguments in the
    /// spec's order (`lockstep_spec::franking::open(sender, recipient, c, payload)`).
    ///
    /// # Errors
    /// [`Error::CommitmentMismatch`] for a payload shorter than 32 bytes or one that
    /// does not open `c`.
    fn open<'a>(
        ctx: &FrankingContext,
        c: &Commitment,
        payload: &'a [u8],
    ) -> Result<(FrankingKey, &'a [u8]), Error> {
        let (Some(fk), Some(m)) = (
            payload.first_chunk::<FRANKING_KEY_LEN>(),
            payload.get(FRANKING_KEY_LEN..),
        ) else {
            return Err(Error::CommitmentMismatch);
        };
        let fk = FrankingKey(*fk);
        if !bool::from(commit(&fk, ctx, m).ct_eq(c)) {
            return Err(Error::CommitmentMismatch);
        }
        Ok((fk, m))
    }
}

/// The message `m` of an opened payload `fk ‖ m`, in the payload's own buffer: `fk`
/// is wiped, then the message moved to the front (no copy of the message is left
/// behind but its own bytes).
pub(crate) fn message_of(mut payload: Zeroizing<Vec<u8>>) -> Vec<u8> {
    let key_len = FRANKING_KEY_LEN.min(payload.len());
    payload[..key_len].zeroize();
    let mut message = core::mem::take(&mut *payload);
    message.drain(..key_len);
    message
}

/// SPEC §9.3: the byte layouts of the submission, the delivery and the report.
/// Public with `hazmat` (re-exported by [`crate::franking`]).
#[cfg_attr(
    not(feature = "hazmat"),
    allow(
        dead_code,
        unreachable_pub,
        reason = "the byte layouts are public only with the `hazmat` feature"
    )
)]
mod layout {
    use core::fmt;

    use super::{Commitment, FrankingContext, FrankingKey, PartyId, StampTag};
    use crate::Error;
    use crate::consts::{
        COMMITMENT_LEN, DELIVERY_FIXED_LEN, FRANKING_KEY_LEN, MAX_FRANKED_PLAINTEXT_LEN,
        MAX_INNER_LEN, MAX_PARTY_ID_LEN, MSG_FRANKED, MSG_REPORT, MSG_STAMPED, STAMP_LEN,
        SUBMISSION_FIXED_LEN, VERSION,
    };

    /// SPEC §9.3: a submission (sender to platform), borrowed from its bytes.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Submission<'a> {
        /// `c`, bytes 2..34.
        pub c: Commitment,
        /// `inner`, a PreKey or ratchet message (SPEC §5), bytes 34.. .
        pub inner: &'a [u8],
    }

    /// SPEC §9.3: a delivery (platform to recipient), borrowed from its bytes.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Delivery<'a> {
        /// `t`, bytes 2..10.
        pub t: u64,
        /// `c`, bytes 10..42.
        pub c: Commitment,
        /// The stamp tag, bytes 42..74.
        pub tag: StampTag,
        /// `inner`, bytes 74.. .
        pub inner: &'a [u8],
    }

    /// SPEC §9.3: a report (recipient to platform). Its `Debug` prints neither the
    /// franking key nor the message.
    #[derive(Clone, PartialEq, Eq)]
    pub struct Report {
        /// `sender` and `recipient`.
        pub context: FrankingContext,
        /// `t`.
        pub t: u64,
        /// `c`.
        pub c: Commitment,
        /// The stamp tag.
        pub tag: StampTag,
        /// `fk`.
        pub fk: FrankingKey,
        /// `m`, 0 to `MAX_FRANKED_PLAINTEXT_LEN` bytes.
        pub message: Vec<u8>,
    }

    impl fmt::Debug for Report {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("Report")
                .field("context", &self.context)
                .field("t", &self.t)
                .field("c", &self.c)
                .field("tag", &self.tag)
                .field("fk", &self.fk)
                .field("message_len", &self.message.len())
                .finish()
        }
    }

    /// SPEC §5, §9.3: the version, then the type byte.
    fn check_version_and_type(bytes: &[u8], message_type: u8) -> Result<(), Error> {
        match bytes.first() {
            None => return Err(Error::InvalidMessage),
            Some(&VERSION) => {}
            Some(_) => return Err(Error::UnknownVersion),
        }
        if bytes.get(1) != Some(&message_type) {
            return Err(Error::InvalidMessage);
        }
        Ok(())
    }

    /// The 32 bytes at `offset`, if they are there.
    fn read_32(bytes: &[u8], offset: usize) -> Option<&[u8; 32]> {
        bytes.get(offset..)?.first_chunk::<32>()
    }

    /// `u64be(bytes[offset..offset + 8])`, if the bytes are there.
    fn read_u64be(bytes: &[u8], offset: usize) -> Option<u64> {
        let eight = bytes.get(offset..)?.first_chunk::<8>()?;
        Some(u64::from_be_bytes(*eight))
    }

    /// SPEC §9.1, §9.3: `Id(x)` at `offset`, and the offset after it.
    fn read_id(bytes: &[u8], offset: usize) -> Result<(PartyId, usize), Error> {
        let len = usize::from(*bytes.get(offset).ok_or(Error::InvalidMessage)?);
        if !(1..=MAX_PARTY_ID_LEN).contains(&len) {
            return Err(Error::InvalidMessage);
        }
        let start = offset + 1;
        let id = bytes.get(start..start + len).ok_or(Error::InvalidMessage)?;
        Ok((PartyId::new(id)?, start + len))
    }

    /// SPEC §9.3: `inner` must hold at least one byte and at most a PreKey message of
    /// the largest plaintext.
    fn check_inner(inner: &[u8]) -> Result<(), Error> {
        if inner.is_empty() {
            return Err(Error::InvalidMessage);
        }
        if inner.len() > MAX_INNER_LEN {
            return Err(Error::MessageTooLarge);
        }
        Ok(())
    }

    /// SPEC §9.3: a submission, `VERSION ‖ MSG_FRANKED ‖ c ‖ inner`.
    #[must_use]
    pub fn encode_submission(submission: &Submission<'_>) -> Vec<u8> {
        let mut out = Vec::with_capacity(SUBMISSION_FIXED_LEN + submission.inner.len());
        out.extend_from_slice(&[VERSION, MSG_FRANKED]);
        out.extend_from_slice(&submission.c.0);
        out.extend_from_slice(submission.inner);
        out
    }

    /// SPEC §9.3: decodes a submission, strictly, in SPEC §5's order.
    ///
    /// # Errors
    /// [`Error::InvalidMessage`] if empty, the type byte is not `MSG_FRANKED`, or too
    /// short for `c` and one byte of `inner`; [`Error::UnknownVersion`] if the first
    /// byte is not `VERSION`; [`Error::MessageTooLarge`] if `inner` is longer than
    /// `MAX_INNER_LEN`.
    pub fn decode_submission(bytes: &[u8]) -> Result<Submission<'_>, Error> {
        check_version_and_type(bytes, MSG_FRANKED)?;
        let (Some(c), Some(inner)) = (read_32(bytes, 2), bytes.get(SUBMISSION_FIXED_LEN..)) else {
            return Err(Error::InvalidMessage);
        };
        check_inner(inner)?;
        Ok(Submission {
            c: Commitment(*c),
            inner,
        })
    }

    /// SPEC §9.3: a delivery, `VERSION ‖ MSG_STAMPED ‖ u64be(t) ‖ c ‖ tag ‖ inner`.
    #[must_use]
    pub fn encode_delivery(delivery: &Delivery<'_>) -> Vec<u8> {
        let mut out = Vec::with_capacity(DELIVERY_FIXED_LEN + delivery.inner.len());
        out.extend_from_slice(&[VERSION, MSG_STAMPED]);
        out.extend_from_slice(&delivery.t.to_be_bytes());
        out.extend_from_slice(&delivery.c.0);
        out.extend_from_slice(&delivery.tag.0);
        out.extend_from_slice(delivery.inner);
        out
    }

    /// SPEC §9.3: decodes a delivery, strictly, in SPEC §5's order.
    ///
    /// # Errors
    /// [`Error::InvalidMessage`] if empty, the type byte is not `MSG_STAMPED`, or too
    /// short for `t`, `c`, the tag and one byte of `inner`; [`Error::UnknownVersion`]
    /// if the first byte is not `VERSION`; [`Error::MessageTooLarge`] if `inner` is
    /// longer than `MAX_INNER_LEN`.
    pub fn decode_delivery(bytes: &[u8]) -> Result<Delivery<'_>, Error> {
        check_version_and_type(bytes, MSG_STAMPED)?;
        let (Some(t), Some(c), Some(tag), Some(inner)) = (
            read_u64be(bytes, 2),
            read_32(bytes, 10),
            read_32(bytes, 42),
            bytes.get(DELIVERY_FIXED_LEN..),
        ) else {
            return Err(Error::InvalidMessage);
        };
        check_inner(inner)?;
        Ok(Delivery {
            t,
            c: Commitment(*c),
            tag: StampTag(*tag),
            inner,
        })
    }

    /// SPEC §9.2 `Report`, from its parts.
    pub(super) fn write_report(
        context: &FrankingContext,
        t: u64,
        c: &Commitment,
        tag: &StampTag,
        fk: &FrankingKey,
        message: &[u8],
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            2 + context.sender.encoded_len()
                + context.recipient.encoded_len()
                + 8
                + COMMITMENT_LEN
                + STAMP_LEN
                + FRANKING_KEY_LEN
                + message.len(),
        );
        out.extend_from_slice(&[VERSION, MSG_REPORT]);
        context.sender.encode_into(&mut out);
        context.recipient.encode_into(&mut out);
        out.extend_from_slice(&t.to_be_bytes());
        out.extend_from_slice(&c.0);
        out.extend_from_slice(&tag.0);
        out.extend_from_slice(&fk.0);
        out.extend_from_slice(message);
        out
    }

    /// SPEC §9.2, §9.3: a report, `VERSION ‖ MSG_REPORT ‖ Id(sender) ‖ Id(recipient)
    /// ‖ u64be(t) ‖ c ‖ tag ‖ fk ‖ m`.
    #[must_use]
    pub fn encode_report(report: &Report) -> Vec<u8> {
        write_report(
            &report.context,
            report.t,
            &report.c,
            &report.tag,
            &report.fk,
            &report.message,
        )
    }

    /// SPEC §9.3: decodes a report, strictly: the version, the type byte, the two
    /// identifiers, the fixed fields, then the message's length.
    ///
    /// # Errors
    /// [`Error::InvalidMessage`] if empty, the type byte is not `MSG_REPORT`, an
    /// identifier's length byte is 0 or over 64 or the identifier is cut short, or
    /// the report ends before `fk` does; [`Error::UnknownVersion`] if the first byte
    /// is not `VERSION`; [`Error::MessageTooLarge`] if `m` is longer than
    /// `MAX_FRANKED_PLAINTEXT_LEN`.
    pub fn decode_report(bytes: &[u8]) -> Result<Report, Error> {
        check_version_and_type(bytes, MSG_REPORT)?;
        let (sender, at) = read_id(bytes, 2)?;
        let (recipient, at) = read_id(bytes, at)?;
        let (Some(t), Some(c), Some(tag), Some(fk), Some(message)) = (
            read_u64be(bytes, at),
            read_32(bytes, at + 8),
            read_32(bytes, at + 8 + COMMITMENT_LEN),
            read_32(bytes, at + 8 + COMMITMENT_LEN + STAMP_LEN),
            bytes.get(at + 8 + COMMITMENT_LEN + STAMP_LEN + FRANKING_KEY_LEN..),
        ) else {
            return Err(Error::InvalidMessage);
        };
        if message.len() > MAX_FRANKED_PLAINTEXT_LEN {
            return Err(Error::MessageTooLarge);
        }
        Ok(Report {
            context: FrankingContext { sender, recipient },
            t,
            c: Commitment(*c),
            tag: StampTag(*tag),
            fk: FrankingKey(*fk),
            message: message.to_vec(),
        })
    }
}
