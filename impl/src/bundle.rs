//! SPEC §3.2, §3.3: Bob's prekey bundle. Bob builds and signs it with
//! [`PreKeyBundle::builder`] and publishes [`PreKeyBundle::to_bytes`]; Alice decodes
//! it ([`PreKeyBundle::from_bytes`]) and verifies it ([`PreKeyBundle::verify`]),
//! which is the only way to the [`VerifiedPreKeyBundle`] a session starts from.
//!
//! Ids are typed ([`SignedPreKeyId`], [`PqPreKeyId`], [`OneTimePreKeyId`]) so that
//! one kind of id cannot be passed where another is meant, and the builder's type
//! says which keys it has: [`BundleBuilder::sign`] exists only once the signed
//! prekey and the post-quantum prekey are both set, each exactly once.

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::keys::IdentityKeyPair;
use crate::ml_kem::EncapsulationKey;
pub use crate::pqxdh::VerifiedPreKeyBundle;
use crate::pqxdh::sign_bundle;
pub use crate::wire::PreKeyBundle;
use crate::x25519::PublicKey;
use crate::xeddsa::RANDOM_LEN;

/// SPEC §3.2 `spk_id`: the id of a signed prekey `SPK_B`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SignedPreKeyId(pub u32);

/// SPEC §3.2 `pqpk_id`: the id of a post-quantum prekey `PQPK_B`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PqPreKeyId(pub u32);

/// SPEC §3.2 `opk_id`: the id of a one-time prekey `OPK_B`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OneTimePreKeyId(pub u32);

/// SPEC §3.2 `pq_kind`: whether a post-quantum prekey is used once or kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PqPreKeyKind {
    /// Deleted after the first session it starts.
    OneTime,
    /// Kept: used when no one-time post-quantum prekey is left. Bob records the
    /// `EK_A` of every session it started, so a replayed first message cannot start
    /// a second one (SPEC §3.5).
    LastResort,
}

/// The state of a [`BundleBuilder`] slot that has not been set yet.
#[derive(Debug)]
pub struct Unset;

/// A [`BundleBuilder`] slot holding the signed prekey.
#[derive(Debug)]
pub struct SignedPreKeySet(SignedPreKeyId, PublicKey);

/// A [`BundleBuilder`] slot holding the post-quantum prekey.
#[derive(Debug)]
pub struct PqPreKeySet(PqPreKeyId, EncapsulationKey, PqPreKeyKind);

/// Builds and signs a [`PreKeyBundle`] (SPEC §3.2); made by
/// [`PreKeyBundle::builder`].
///
/// `S` and `P` record whether the signed prekey and the post-quantum prekey are set:
/// each setter exists only while its slot is [`Unset`], and [`BundleBuilder::sign`]
/// only when both are set, so a bundle without one, or with one set twice, does not
/// compile. The one-time prekey is optional.
#[derive(Debug)]
#[must_use = "a builder does nothing until it is signed"]
pub struct BundleBuilder<'a, S, P> {
    identity: &'a IdentityKeyPair,
    signed: S,
    pq: P,
    one_time: Option<(OneTimePreKeyId, PublicKey)>,
}

impl PreKeyBundle {
    /// A builder for a bundle signed by `identity` (`IK_B`).
    pub fn builder(identity: &IdentityKeyPair) -> BundleBuilder<'_, Unset, Unset> {
        BundleBuilder {
            identity,
            signed: Unset,
            pq: Unset,
            one_time: None,
        }
    }
}

impl<'a, P> BundleBuilder<'a, Unset, P> {
    /// Sets the signed prekey `SPK_B` and its id.
    pub fn signed_prekey(
        self,
        id: SignedPreKeyId,
        key: &PublicKey,
    ) -> BundleBuilder<'a, SignedPreKeySet, P> {
        BundleBuilder {
            identity: self.identity,
            signed: SignedPreKeySet(id, *key),
            pq: self.pq,
            one_time: self.one_time,
        }
    }
}

impl<'a, S> BundleBuilder<'a, S, Unset> {
    /// Sets the post-quantum prekey `PQPK_B`, its id and its kind.
    pub fn pq_prekey(
        self,
        id: PqPreKeyId,
        key: &EncapsulationKey,
        kind: PqPreKeyKind,
    ) -> BundleBuilder<'a, S, PqPreKeySet> {
        BundleBuilder {
            identity: self.identity,
            signed: self.signed,
            pq: PqPreKeySet(id, key.clone(), kind),
            one_time: self.one_time,
        }
    }
}

impl<S, P> BundleBuilder<'_, S, P> {
    /// Sets (or replaces) the one-time prekey `OPK_B` and its id.
    pub fn one_time_prekey(mut self, id: OneTimePreKeyId, key: &PublicKey) -> Self {
        self.one_time = Some((id, *key));
        self
    }
}

impl BundleBuilder<'_, SignedPreKeySet, PqPreKeySet> {
    /// SPEC §3.2: signs `EncodeEC(SPK_B)` and `EncodeKEM(PQPK_B)` under `IK_B`
    /// (XEdDSA), drawing the 64-byte randomness of each signature from `rng`.
    pub fn sign<R: CryptoRng + ?Sized>(self, rng: &mut R) -> PreKeyBundle {
        let mut z_spk = Zeroizing::new([0u8; RANDOM_LEN]);
        let mut z_pqpk = Zeroizing::new([0u8; RANDOM_LEN]);
        rng.fill_bytes(z_spk.as_mut_slice());
        rng.fill_bytes(z_pqpk.as_mut_slice());
        self.sign_with(&z_spk, &z_pqpk)
    }

    hazmat_fn! {
        /// [`BundleBuilder::sign`] with the signatures' randomness `Z1` (of
        /// `SPK_sig`) and `Z2` (of `PQPK_sig`) given, as the spec's `sign_bundle`
        /// takes them.
        fn sign_with(self, z_spk: &[u8; RANDOM_LEN], z_pqpk: &[u8; RANDOM_LEN]) -> PreKeyBundle {
            let SignedPreKeySet(spk_id, spk) = self.signed;
            let PqPreKeySet(pqpk_id, pqpk, kind) = self.pq;
            sign_bundle(
                self.identity,
                spk_id.0,
                &spk,
                pqpk_id.0,
                kind == PqPreKeyKind::LastResort,
                &pqpk,
                self.one_time.map(|(id, key)| (id.0, key)),
                z_spk,
                z_pqpk,
            )
        }
    }
}
