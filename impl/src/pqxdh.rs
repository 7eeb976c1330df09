//! "The PQXDH Key Agreement Protocol", revision 2: §3.2 (Bob's signed prekey bundle),
//! §3.3 (Alice verifies it and derives `SK`) and §3.4 (Bob derives `SK`), with the
//! parameters of docs/SPEC.md §1 to §3.
//!
//! Mirrors `lockstep_spec::pqxdh`: [`sign_bundle`], [`verify_bundle`], [`kdf`],
//! [`associated_data`], [`initiate`], [`respond`]. A passed check becomes a value:
//! only [`verify_bundle`] (or [`PreKeyBundle::verify`]) makes a
//! [`VerifiedPreKeyBundle`], and [`initiate`] takes nothing else. Every DH output is
//! checked for the all-zero value. DH outputs and `SS` are wiped as soon as `SK` is
//! derived (their types zeroize on drop).

use core::fmt;

use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::Error;
use crate::consts::{AD_LEN, F, INFO_PQXDH};
use crate::hkdf::hkdf;
use crate::ml_kem::{DecapsulationKey, ENCAPSULATION_SEED_LEN, EncapsulationKey};
use crate::wire::{PreKeyBundle, PreKeyHeader, encode_ec, encode_kem, encode_prekey_header};
use crate::x25519::{self, PrivateKey, PublicKey};
use crate::xeddsa::{self, RANDOM_LEN};
use sha2::{Digest, Sha256};

/// PQXDH rev 2 §2.2: the length of `SK`.
const SK_LEN: usize = 32;

/// SPEC §3.1: an identity key pair `IK`, an X25519 key that also signs (XEdDSA).
///
/// Not `Clone`, not `Copy`; the private key is wiped on drop and never printed.
pub struct IdentityKeyPair {
    private: PrivateKey,
    public: PublicKey,
}

impl IdentityKeyPair {
    hazmat_fn! {
        /// The key pair with this private key (32 bytes, stored unclamped, SPEC §2).
        #[must_use]
        fn from_private_bytes(bytes: [u8; 32]) -> Self {
            let private = PrivateKey::from_bytes(bytes);
            let public = private.public_key();
            IdentityKeyPair { private, public }
        }
    }

    /// A fresh key pair drawn from `rng`.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let private = PrivateKey::generate(rng);
        let public = private.public_key();
        IdentityKeyPair { private, public }
    }

    /// The 32 private bytes as stored (SPEC §6.1 seals them).
    pub(crate) fn private_bytes(&self) -> Zeroizing<[u8; 32]> {
        self.private.to_bytes()
    }

    /// The public key `IK = X25519(ik, 9)`.
    #[must_use]
    pub fn public_key(&self) -> PublicKey {
        self.public
    }
}

impl fmt::Debug for IdentityKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdentityKeyPair(<redacted>)")
    }
}

/// SPEC §3.3: a prekey bundle whose two signatures and ML-KEM key have been checked.
///
/// The fields are private and the only constructor is `verify_bundle` ([`crate::PreKeyBundle::verify`]), so holding
/// one means verification passed.
#[derive(Clone)]
pub struct VerifiedPreKeyBundle {
    bundle: PreKeyBundle,
    pqpk_b: EncapsulationKey,
}

impl VerifiedPreKeyBundle {
    /// The bundle that passed verification.
    #[must_use]
    pub fn bundle(&self) -> &PreKeyBundle {
        &self.bundle
    }
}

impl fmt::Debug for VerifiedPreKeyBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VerifiedPreKeyBundle")
            .field(&self.bundle)
            .finish()
    }
}

/// PQXDH rev 2 §3.3: `SK`, the 32-byte secret that initialises the Double Ratchet.
/// Wiped on drop, never printed.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SharedKey([u8; SK_LEN]);

impl SharedKey {
    /// The secret bytes. A call is where `SK` leaves its type: the vector suites
    /// compare it with recorded values; nothing in a session needs it.
    #[doc(hidden)]
    #[must_use]
    pub fn expose_secret(&self) -> &[u8; SK_LEN] {
        &self.0
    }

    pub(crate) fn as_bytes(&self) -> &[u8; SK_LEN] {
        &self.0
    }

    #[cfg(test)]
    pub(crate) fn from_bytes_for_tests(bytes: [u8; SK_LEN]) -> Self {
        SharedKey(bytes)
    }
}

impl fmt::Debug for SharedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedKey(<redacted>)")
    }
}

/// SPEC §3.4, §3.5: what the key agreement leaves: `SK`, `AD` and `TH`. (The DH
/// outputs and `SS` are erased, as PQXDH asks.)
#[derive(Debug)]
pub struct PqxdhKeys {
    /// `SK`.
    pub sk: SharedKey,
    /// `TH = SHA-256(PreKey header)` (public), bound into `SK`; Bob's session keeps it
    /// as `prekey_hash` (SPEC §4.3).
    pub th: [u8; 32],
    /// `AD = EncodeEC(IK_A) ‖ EncodeEC(IK_B)`, 66 bytes (public).
    pub ad: [u8; AD_LEN],
}

/// SPEC §3.2; PQXDH rev 2 §3.2: Bob's bundle with its two signatures, `Z1` and `Z2`
/// given (randomness is an input).
///
/// ```text
/// SPK_sig  = SIG(IK_B, EncodeEC(SPK_B), Z1)
/// PQPK_sig = SIG(IK_B, EncodeKEM(PQPK_B), Z2)
/// ```
#[allow(
    clippy::too_many_arguments,
    reason = "the bundle's fields as SPEC §3.2 lists them, as in lockstep_spec::pqxdh::sign_bundle"
)]
#[must_use]
pub fn sign_bundle(
    ik_b: &IdentityKeyPair,
    spk_id: u32,
    spk_b: &PublicKey,
    pqpk_id: u32,
    pq_last_resort: bool,
    pqpk_b: &EncapsulationKey,
    opk: Option<(u32, PublicKey)>,
    z_spk: &[u8; RANDOM_LEN],
    z_pqpk: &[u8; RANDOM_LEN],
) -> PreKeyBundle {
    PreKeyBundle {
        ik_b: *ik_b.public.as_bytes(),
        spk_id,
        spk_b: *spk_b.as_bytes(),
        spk_sig: xeddsa::xeddsa_sign(&ik_b.private, &encode_ec(spk_b.as_bytes()), z_spk),
        pqpk_id,
        pq_last_resort,
        pqpk_b: Box::new(*pqpk_b.as_bytes()),
        pqpk_sig: xeddsa::xeddsa_sign(&ik_b.private, &encode_kem(pqpk_b.as_bytes()), z_pqpk),
        opk: opk.map(|(id, key)| (id, *key.as_bytes())),
    }
}

/// [`sign_bundle`] with `Z1` and `Z2` drawn from `rng`.
#[allow(
    clippy::too_many_arguments,
    reason = "the bundle's fields as SPEC §3.2 lists them"
)]
pub fn sign_bundle_with_rng<R: CryptoRng + ?Sized>(
    rng: &mut R,
    ik_b: &IdentityKeyPair,
    spk_id: u32,
    spk_b: &PublicKey,
    pqpk_id: u32,
    pq_last_resort: bool,
    pqpk_b: &EncapsulationKey,
    opk: Option<(u32, PublicKey)>,
) -> PreKeyBundle {
    let mut z_spk = Zeroizing::new([0u8; RANDOM_LEN]);
    let mut z_pqpk = Zeroizing::new([0u8; RANDOM_LEN]);
    rng.fill_bytes(z_spk.as_mut_slice());
    rng.fill_bytes(z_pqpk.as_mut_slice());
    sign_bundle(
        ik_b,
        spk_id,
        spk_b,
        pqpk_id,
        pq_last_resort,
        pqpk_b,
        opk,
        &z_spk,
        &z_pqpk,
    )
}

/// SPEC §3.3; PQXDH rev 2 §3.3: Alice's checks, in this order: `SPK_sig`, `PQPK_sig`
/// (both under `IK_B`), then FIPS 203 §7.2 on `PQPK_B`.
///
/// # Errors
/// [`Error::InvalidSignature`] if either signature fails;
/// [`Error::InvalidKey`] (SPEC §7 `InvalidKey`) if `PQPK_B` fails §7.2.
pub fn verify_bundle(bundle: &PreKeyBundle) -> Result<VerifiedPreKeyBundle, Error> {
    let ik_b = PublicKey::from_bytes(bundle.ik_b);
    xeddsa::xeddsa_verify(&ik_b, &encode_ec(&bundle.spk_b), &bundle.spk_sig)
        .map_err(|_| Error::InvalidSignature)?;
    xeddsa::xeddsa_verify(&ik_b, &encode_kem(&bundle.pqpk_b), &bundle.pqpk_sig)
        .map_err(|_| Error::InvalidSignature)?;
    let pqpk_b = EncapsulationKey::from_bytes(&bundle.pqpk_b[..]).map_err(|_| Error::InvalidKey)?;
    Ok(VerifiedPreKeyBundle {
        bundle: bundle.clone(),
        pqpk_b,
    })
}

impl PreKeyBundle {
    /// SPEC §3.3: `verify_bundle`.
    ///
    /// # Errors
    /// As `verify_bundle`.
    pub fn verify(&self) -> Result<VerifiedPreKeyBundle, Error> {
        verify_bundle(self)
    }
}

/// SPEC §3.4; PQXDH rev 2 §2.2 `KDF(KM)`, with the PreKey header bound in by `TH`:
///
/// ```text
/// SK = HKDF(salt = 0^32, ikm = F ‖ DH1 ‖ DH2 ‖ DH3 [‖ DH4] ‖ SS, info = INFO_PQXDH ‖ TH, L = 32)
/// ```
///
/// X25519 clamps its scalar, so the DH values do not fix `EK_A` (every point of its
/// small-order coset gives the same outputs); `TH` ([`transcript_hash`]) makes a
/// re-encoded PreKey header derive another `SK` (SPEC §8).
#[must_use]
pub fn kdf(
    dh1: &x25519::SharedSecret,
    dh2: &x25519::SharedSecret,
    dh3: &x25519::SharedSecret,
    dh4: Option<&x25519::SharedSecret>,
    ss: &crate::ml_kem::SharedSecret,
    th: &[u8; 32],
) -> SharedKey {
    let mut ikm = Zeroizing::new(Vec::with_capacity(F.len() + 5 * 32));
    ikm.extend_from_slice(&F);
    ikm.extend_from_slice(dh1.as_bytes());
    ikm.extend_from_slice(dh2.as_bytes());
    ikm.extend_from_slice(dh3.as_bytes());
    if let Some(dh4) = dh4 {
        ikm.extend_from_slice(dh4.as_bytes());
    }
    ikm.extend_from_slice(ss.as_bytes());
    // info = INFO_PQXDH ‖ TH
    let mut info = [0u8; INFO_PQXDH.len() + 32];
    info[..INFO_PQXDH.len()].copy_from_slice(INFO_PQXDH);
    info[INFO_PQXDH.len()..].copy_from_slice(th);
    let okm = hkdf::<SK_LEN>(&[0u8; 32], &ikm, &info);
    SharedKey(*okm)
}

/// SPEC §3.4: `TH = SHA-256(PreKey header)`, the 1,647-byte header of SPEC §5.2.
#[must_use]
pub fn transcript_hash(header: &PreKeyHeader) -> [u8; 32] {
    Sha256::digest(encode_prekey_header(header)).into()
}

/// SPEC §3.4: `AD = EncodeEC(IK_A) ‖ EncodeEC(IK_B)`, 66 bytes.
#[must_use]
pub fn associated_data(ik_a: &[u8; 32], ik_b: &[u8; 32]) -> [u8; AD_LEN] {
    let mut ad = [0u8; AD_LEN];
    ad[..33].copy_from_slice(&encode_ec(ik_a));
    ad[33..].copy_from_slice(&encode_ec(ik_b));
    ad
}

/// SPEC §3.4; PQXDH rev 2 §3.3: Alice's side, with her ephemeral private key `ek_a`
/// and the encapsulation randomness `m` given.
///
/// ```text
/// EK_A = X25519(ek_a, 9)
/// DH1 = DH(IK_A, SPK_B)
/// DH2 = DH(EK_A, IK_B)
/// DH3 = DH(EK_A, SPK_B)
/// DH4 = DH(EK_A, OPK_B)                      only if the bundle has an OPK
/// (CT, SS) = ENCAPS(PQPK_B, m)
/// header = the PreKey header (§5.2): IK_A, EK_A, spk_id, pqpk_id, opk_flag, opk_id, CT
/// TH = SHA-256(header)
/// SK = HKDF(salt = 0^32,
///           ikm  = F ‖ DH1 ‖ DH2 ‖ DH3 [‖ DH4] ‖ SS,
///           info = INFO_PQXDH ‖ TH,
///           L    = 32)
/// AD = EncodeEC(IK_A) ‖ EncodeEC(IK_B)       66 bytes
/// ```
///
/// # Errors
/// [`Error::NonContributory`] if any DH output is all zeros.
pub fn initiate(
    ik_a: &IdentityKeyPair,
    bundle: &VerifiedPreKeyBundle,
    ek_a: &[u8; 32],
    m: &[u8; ENCAPSULATION_SEED_LEN],
) -> Result<(PqxdhKeys, PreKeyHeader), Error> {
    let b = &bundle.bundle;
    let ek_a = PrivateKey::from_bytes(*ek_a);
    let spk_b = PublicKey::from_bytes(b.spk_b);
    // DH1 = DH(IK_A, SPK_B)
    let dh1 = ik_a.private.diffie_hellman(&spk_b)?;
    // DH2 = DH(EK_A, IK_B)
    let dh2 = ek_a.diffie_hellman(&PublicKey::from_bytes(b.ik_b))?;
    // DH3 = DH(EK_A, SPK_B)
    let dh3 = ek_a.diffie_hellman(&spk_b)?;
    // DH4 = DH(EK_A, OPK_B), only if the bundle has an OPK
    let (dh4, opk_id) = match b.opk {
        Some((id, opk_b)) => (
            Some(ek_a.diffie_hellman(&PublicKey::from_bytes(opk_b))?),
            Some(id),
        ),
        None => (None, None),
    };
    // (CT, SS) = ENCAPS(PQPK_B, m)
    let (ss, ct) = bundle.pqpk_b.encaps(m);
    // header = IK_A, EK_A, the prekey ids, CT
    let header = PreKeyHeader {
        ik_a: *ik_a.public.as_bytes(),
        ek_a: *ek_a.public_key().as_bytes(),
        spk_id: b.spk_id,
        pqpk_id: b.pqpk_id,
        opk_id,
        ct,
    };
    // TH = SHA-256(header)
    let th = transcript_hash(&header);
    // SK = HKDF(0^32, F ‖ DH1 ‖ DH2 ‖ DH3 [‖ DH4] ‖ SS, INFO_PQXDH ‖ TH, 32)
    let sk = kdf(&dh1, &dh2, &dh3, dh4.as_ref(), &ss, &th);
    // AD = EncodeEC(IK_A) ‖ EncodeEC(IK_B)
    let ad = associated_data(ik_a.public.as_bytes(), &b.ik_b);
    Ok((PqxdhKeys { sk, th, ad }, header))
}

/// SPEC §3.5; PQXDH rev 2 §3.4: Bob's side, from the PreKey header and the private
/// keys its ids name (`opk_b` exactly when it names a one-time prekey).
///
/// ```text
/// DH1 = DH(SPK_B, IK_A)
/// DH2 = DH(IK_B, EK_A)
/// DH3 = DH(SPK_B, EK_A)
/// DH4 = DH(OPK_B, EK_A)                      only if the message names an OPK
/// SS  = DECAPS(PQPK_B, CT)
/// TH  = SHA-256(header)
/// SK, AD as in §3.4
/// ```
///
/// # Errors
/// [`Error::InvalidMessage`] if the header names a one-time prekey and `opk_b` is
/// none, or the reverse (before any DH); [`Error::NonContributory`] if any DH
/// output is all zeros.
pub fn respond(
    ik_b: &IdentityKeyPair,
    spk_b: &PrivateKey,
    pqpk_b: &DecapsulationKey,
    opk_b: Option<&PrivateKey>,
    header: &PreKeyHeader,
) -> Result<PqxdhKeys, Error> {
    if header.opk_id.is_some() != opk_b.is_some() {
        return Err(Error::InvalidMessage);
    }
    let ik_a = PublicKey::from_bytes(header.ik_a);
    let ek_a = PublicKey::from_bytes(header.ek_a);
    // DH1 = DH(SPK_B, IK_A)
    let dh1 = spk_b.diffie_hellman(&ik_a)?;
    // DH2 = DH(IK_B, EK_A)
    let dh2 = ik_b.private.diffie_hellman(&ek_a)?;
    // DH3 = DH(SPK_B, EK_A)
    let dh3 = spk_b.diffie_hellman(&ek_a)?;
    // DH4 = DH(OPK_B, EK_A)
    let dh4 = match opk_b {
        Some(opk_b) => Some(opk_b.diffie_hellman(&ek_a)?),
        None => None,
    };
    // SS = DECAPS(PQPK_B, CT)
    let ss = pqpk_b.decaps(&header.ct);
    // TH = SHA-256(header)
    let th = transcript_hash(header);
    // SK, AD as in SPEC §3.4
    let sk = kdf(&dh1, &dh2, &dh3, dh4.as_ref(), &ss, &th);
    let ad = associated_data(&header.ik_a, ik_b.public.as_bytes());
    Ok(PqxdhKeys { sk, th, ad })
}
