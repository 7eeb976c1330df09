//! ML-KEM-1024 (FIPS 203) on libcrux-ml-kem.
//!
//! Mirrors `lockstep_spec::ml_kem`: key generation (Algorithms 16 and 19),
//! encapsulation (Algorithms 17 and 20) and decapsulation (Algorithms 18 and 21), each
//! with its deterministic `_internal` form, here the `_derand` functions, which take
//! the random bytes as arguments so that a vector or the spec can be replayed.
//!
//! libcrux-ml-kem's portable code (field and NTT arithmetic, serialization and the
//! generic high-level algorithms) is formally verified with hax and F* for panic
//! freedom and for functional correctness against an F* model of FIPS 203, as its
//! README states; its constant-time discipline is best effort (secret integer types
//! from libcrux-secrets, assembly inspection), not a proof. We build it without the
//! `simd128`/`simd256` features, so the portable code is what runs.
//!
//! This module adds what it leaves to the caller:
//!
//! - **The input checks of FIPS 203 §7**, done once, when bytes become a value: an
//!   [`EncapsulationKey`] has passed the §7.2 length and modulus checks, a
//!   [`DecapsulationKey`] the §7.3 length and hash checks, a [`Ciphertext`] the §7.3
//!   length check. After that nothing can fail: decapsulation never returns an error,
//!   and a ciphertext that was tampered with yields the implicit-rejection key.
//! - **Secret hygiene**: [`DecapsulationKey`] and [`SharedSecret`] are wiped on drop,
//!   compare in constant time and print as `<redacted>`.
//!
//! What it cannot add: libcrux's key types do not implement `Zeroize`, and its
//! functions take the seed and `m` by value and build intermediate secrets (the
//! K-PKE secret vector, `r`, `K̄`) on the stack, which it does not wipe. Copies made by
//! moves (returning a key from libcrux into a [`DecapsulationKey`]) are not wiped
//! either; only the key held in the value is.

use core::fmt;

use libcrux_ml_kem::mlkem1024::{
    self, MlKem1024Ciphertext, MlKem1024PrivateKey, MlKem1024PublicKey,
};
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::Error;

/// FIPS 203 §8, Table 3: the length in bytes of an ML-KEM-1024 encapsulation key,
/// `384·k + 32` with k = 4.
pub const ENCAPSULATION_KEY_LEN: usize = 1568;
/// FIPS 203 §8, Table 3: the length in bytes of an ML-KEM-1024 decapsulation key,
/// `768·k + 96` with k = 4.
pub const DECAPSULATION_KEY_LEN: usize = 3168;
/// FIPS 203 §8, Table 3: the length in bytes of an ML-KEM-1024 ciphertext,
/// `32·(d_u·k + d_v)` with d_u = 11, d_v = 5, k = 4.
pub const CIPHERTEXT_LEN: usize = 1568;
/// FIPS 203 §8: the length in bytes of a shared secret `K`.
pub const SHARED_SECRET_LEN: usize = 32;
/// FIPS 203 Algorithm 16: the length of the key-generation seed `d ‖ z`.
pub const KEY_GENERATION_SEED_LEN: usize = 64;
/// FIPS 203 Algorithm 17: the length of the encapsulation randomness `m`.
pub const ENCAPSULATION_SEED_LEN: usize = 32;

/// FIPS 203 Algorithm 16 line 3: `dk = dk_PKE ‖ ek ‖ H(ek) ‖ z`; `dk_PKE` is `384·k`
/// bytes, so `ek` starts here.
const EK_OFFSET_IN_DK: usize = 384 * 4;

/// How many bytes of a public value `Debug` prints: enough to tell keys apart in a
/// log, short enough to keep the log readable.
const DEBUG_PREFIX_LEN: usize = 8;

/// An ML-KEM-1024 encapsulation key `ek` (FIPS 203 §7.1). Public.
///
/// Only [`EncapsulationKey::from_bytes`] (after the §7.2 checks) and key generation
/// make one, so every value has passed the §7.2 modulus check.
#[derive(Clone)]
pub struct EncapsulationKey(MlKem1024PublicKey);

impl EncapsulationKey {
    /// FIPS 203 §7.2, the encapsulation input checks: the type check (exactly
    /// `ENCAPSULATION_KEY_LEN` (1568) bytes) and the modulus check
    /// (`ByteEncode₁₂(ByteDecode₁₂(ek[0 : 384·k])) = ek[0 : 384·k]`, i.e. every 12-bit
    /// coefficient is below q).
    ///
    /// # Errors
    /// [`Error::InvalidLength`] if `bytes` is not `ENCAPSULATION_KEY_LEN` long;
    /// [`Error::InvalidKey`] if the modulus check fails.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let bytes: &[u8; ENCAPSULATION_KEY_LEN] =
            bytes.try_into().map_err(|_| Error::InvalidLength)?;
        Self::from_array(bytes)
    }

    /// The modulus check on bytes of the right length.
    fn from_array(bytes: &[u8; ENCAPSULATION_KEY_LEN]) -> Result<Self, Error> {
        let key = MlKem1024PublicKey::from(bytes);
        if mlkem1024::validate_public_key(&key) {
            Ok(EncapsulationKey(key))
        } else {
            Err(Error::InvalidKey)
        }
    }

    /// The encoded key.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; ENCAPSULATION_KEY_LEN] {
        self.0.as_slice()
    }

    hazmat_fn! {
        /// FIPS 203 Algorithm 17, `ML-KEM.Encaps_internal(ek, m)`: the shared secret `K`
        /// and the ciphertext `c` for the randomness `m`, in FIPS 203's order `(K, c)`, as
        /// the spec's `ml_kem::encaps` returns them.
        ///
        /// `m` must be 32 fresh random bytes for each call; reusing one reveals `K` to
        /// anyone who saw the earlier ciphertext. Use [`EncapsulationKey::encapsulate`]
        /// unless you are replaying a vector.
        #[must_use]
        fn encaps(
            &self,
            m: &[u8; ENCAPSULATION_SEED_LEN],
        ) -> (SharedSecret, Ciphertext) {
            let (c, k) = mlkem1024::encapsulate(&self.0, *m);
            (SharedSecret(k), Ciphertext(c))
        }
    }

    hazmat_fn! {
        /// FIPS 203 Algorithm 20, `ML-KEM.Encaps(ek)`: draws `m` (32 bytes) from `rng` and
        /// calls [`EncapsulationKey::encaps`], so a seeded `rng` gives the
        /// spec's result for the same bytes.
        fn encapsulate<R: CryptoRng + ?Sized>(&self, rng: &mut R) -> (SharedSecret, Ciphertext) {
            let mut m = Zeroizing::new([0u8; ENCAPSULATION_SEED_LEN]);
            rng.fill_bytes(m.as_mut_slice());
            self.encaps(&m)
        }
    }
}

impl PartialEq for EncapsulationKey {
    fn eq(&self, other: &Self) -> bool {
        // Public values: an ordinary comparison is fine.
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for EncapsulationKey {}

impl fmt::Debug for EncapsulationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncapsulationKey(")?;
        hex_prefix(f, self.as_bytes())?;
        f.write_str(")")
    }
}

/// An ML-KEM-1024 ciphertext `c` (FIPS 203 §7.2). Public.
#[derive(Clone)]
pub struct Ciphertext(MlKem1024Ciphertext);

impl Ciphertext {
    /// FIPS 203 §7.3, the ciphertext type check: exactly [`CIPHERTEXT_LEN`] bytes.
    /// Any bytes of that length are a ciphertext; one that was not made by
    /// encapsulation decapsulates to the implicit-rejection key.
    ///
    /// # Errors
    /// [`Error::InvalidLength`] if `bytes` is not [`CIPHERTEXT_LEN`] long.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let bytes: &[u8; CIPHERTEXT_LEN] = bytes.try_into().map_err(|_| Error::InvalidLength)?;
        Ok(Ciphertext(MlKem1024Ciphertext::from(bytes)))
    }

    /// The encoded ciphertext.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; CIPHERTEXT_LEN] {
        self.0.as_slice()
    }
}

impl PartialEq for Ciphertext {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Ciphertext {}

impl fmt::Debug for Ciphertext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ciphertext(")?;
        hex_prefix(f, self.as_bytes())?;
        f.write_str(")")
    }
}

/// The expanded decapsulation key bytes, wiped on drop.
///
/// libcrux's `MlKemPrivateKey` is a plain byte array without `Zeroize`; it does give
/// mutable access to its bytes, through which this wrapper wipes them.
struct ExpandedKey(MlKem1024PrivateKey);

impl Zeroize for ExpandedKey {
    fn zeroize(&mut self) {
        self.0[0..].zeroize();
    }
}

impl Drop for ExpandedKey {
    fn drop(&mut self) {
        self.zeroize();
    }
}

/// An ML-KEM-1024 decapsulation key `dk` (FIPS 203 §7.1), in the expanded
/// 3168-byte form `dk_PKE ‖ ek ‖ H(ek) ‖ z`. Secret.
///
/// Not `Copy`, not `Clone`; wiped on drop; compared in constant time; printed as
/// `<redacted>`. Holds its [`EncapsulationKey`] alongside.
pub struct DecapsulationKey {
    dk: ExpandedKey,
    ek: EncapsulationKey,
}

// `ExpandedKey` wipes the secret bytes in its own `Drop`; `ek` is public.
impl ZeroizeOnDrop for DecapsulationKey {}

impl Zeroize for DecapsulationKey {
    /// Wipes the secret key bytes. The key is useless afterwards (it decapsulates
    /// with an all-zero secret); this is for the end of its life.
    fn zeroize(&mut self) {
        self.dk.zeroize();
    }
}

impl DecapsulationKey {
    hazmat_fn! {
        /// FIPS 203 §7.3, the decapsulation-key input checks: the type check (exactly
        /// [`DECAPSULATION_KEY_LEN`] bytes) and the hash check (`H(dk[384·k : 768·k + 32])
        /// = dk[768·k + 32 : 768·k + 64]`, i.e. the stored `H(ek)` is the hash of the
        /// stored `ek`).
        ///
        /// Beyond §7.3, the `ek` stored in `dk` must also pass the §7.2 modulus check, so
        /// that [`DecapsulationKey::encapsulation_key`] returns a key that passed §7.2 like
        /// every other [`EncapsulationKey`]. Every `dk` made by key generation passes it;
        /// only a crafted key with a recomputed `H(ek)` can fail it.
        ///
        /// # Errors
        /// [`Error::InvalidLength`] if `bytes` is not [`DECAPSULATION_KEY_LEN`] long;
        /// [`Error::InvalidKey`] if the hash check or the modulus check of
        /// the stored `ek` fails.
        fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
            let bytes: &[u8; DECAPSULATION_KEY_LEN] =
                bytes.try_into().map_err(|_| Error::InvalidLength)?;
            // Wrapped at once, so the copy is wiped whichever check fails.
            let dk = ExpandedKey(MlKem1024PrivateKey::from(bytes));
            // libcrux exports the ciphertext-free form of the check only per backend;
            // the portable one is the code the top-level functions run without the
            // simd features.
            if !mlkem1024::portable::validate_private_key_only(&dk.0) {
                return Err(Error::InvalidKey);
            }
            // Cannot fail: the key is 3168 bytes and `ek` ends at byte 3104.
            let Some(ek_bytes) = bytes[EK_OFFSET_IN_DK..].first_chunk::<ENCAPSULATION_KEY_LEN>() else {
                return Err(Error::InvalidLength);
            };
            let ek = EncapsulationKey::from_array(ek_bytes).map_err(|_| Error::InvalidKey)?;
            Ok(DecapsulationKey { dk, ek })
        }
    }

    /// FIPS 203 Algorithm 19, `ML-KEM.KeyGen()`: a fresh decapsulation key drawn
    /// from `rng` (`ml_kem::keygen`); its public half is
    /// [`DecapsulationKey::encapsulation_key`].
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        keygen(rng).1
    }

    /// The encapsulation key stored in this key.
    #[must_use]
    pub fn encapsulation_key(&self) -> &EncapsulationKey {
        &self.ek
    }

    hazmat_fn! {
        /// The 3168 encoded bytes, for storing the key. Wiped when the buffer is dropped.
        #[must_use]
        fn to_bytes(&self) -> Zeroizing<[u8; DECAPSULATION_KEY_LEN]> {
            Zeroizing::new(*self.dk.0.as_slice())
        }
    }

    hazmat_fn! {
        /// FIPS 203 Algorithm 18, `ML-KEM.Decaps_internal(dk, c)` (Algorithm 21 after the
        /// §7.3 checks, which the types have done): the shared secret `K`.
        ///
        /// Never fails: if `c` does not re-encrypt to itself, the result is the
        /// implicit-rejection key `J(z ‖ c)`, chosen in constant time, which looks random
        /// to anyone without `z`.
        #[must_use]
        fn decaps(&self, c: &Ciphertext) -> SharedSecret {
            SharedSecret(mlkem1024::decapsulate(&self.dk.0, &c.0))
        }
    }
}

impl ConstantTimeEq for DecapsulationKey {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.dk.0.as_slice().ct_eq(other.dk.0.as_slice())
    }
}

impl PartialEq for DecapsulationKey {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.ct_eq(other))
    }
}

impl Eq for DecapsulationKey {}

impl fmt::Debug for DecapsulationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DecapsulationKey(<redacted>)")
    }
}

/// An ML-KEM shared secret `K` (32 bytes). Secret: wiped on drop, compared in
/// constant time, never printed.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct SharedSecret([u8; SHARED_SECRET_LEN]);

impl SharedSecret {
    /// The 32 secret bytes, to be fed to a key derivation function.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; SHARED_SECRET_LEN] {
        &self.0
    }
}

impl ConstantTimeEq for SharedSecret {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for SharedSecret {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.ct_eq(other))
    }
}

impl Eq for SharedSecret {}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ml_kem::SharedSecret(<redacted>)")
    }
}

/// FIPS 203 Algorithm 16, `ML-KEM.KeyGen_internal(d, z)`, with `seed = d ‖ z`: the
/// encapsulation key and the decapsulation key, in FIPS 203's order `(ek, dk)` and
/// under the spec's name (`lockstep_spec::ml_kem::keygen(d, z)`).
///
/// libcrux's `generate_key_pair(randomness)` splits its 64 bytes the same way:
/// `randomness[..32]` is `d`, the seed of K-PKE key generation, and `randomness[32..]`
/// is `z`, the implicit-rejection value stored at the end of `dk`. Wycheproof's
/// `keygen_seed` vectors give their `seed` as `d ‖ z`, and `tests/ml_kem_oracle.rs`
/// checks the split against RustCrypto's `DecapsulationKey::from_seed`.
///
/// `seed` must be 64 fresh random bytes; use [`keygen`] unless you are
/// replaying a vector.
#[must_use]
pub fn keygen_derand(seed: &[u8; KEY_GENERATION_SEED_LEN]) -> (EncapsulationKey, DecapsulationKey) {
    let (dk, ek) = mlkem1024::generate_key_pair(*seed).into_parts();
    let dk = ExpandedKey(dk);
    // Generated keys are reduced by construction (ByteEncode₁₂ of values below q):
    // no §7.2 check is needed.
    let ek = EncapsulationKey(ek);
    (ek.clone(), DecapsulationKey { dk, ek })
}

/// FIPS 203 Algorithm 19, `ML-KEM.KeyGen()`: draws `d ‖ z` (64 bytes, `d` first) from
/// `rng` and calls [`keygen_derand`], so a seeded `rng` gives the spec's
/// keys for the same bytes.
pub fn keygen<R: CryptoRng + ?Sized>(rng: &mut R) -> (EncapsulationKey, DecapsulationKey) {
    let mut seed = Zeroizing::new([0u8; KEY_GENERATION_SEED_LEN]);
    rng.fill_bytes(seed.as_mut_slice());
    keygen_derand(&seed)
}

/// Writes the first bytes of a public value in hex, then `…`.
fn hex_prefix(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    for byte in bytes.iter().take(DEBUG_PREFIX_LEN) {
        write!(f, "{byte:02x}")?;
    }
    f.write_str("…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(byte: u8) -> [u8; KEY_GENERATION_SEED_LEN] {
        let mut seed = [0u8; KEY_GENERATION_SEED_LEN];
        for (b, i) in seed.iter_mut().zip(0u8..) {
            *b = byte ^ i;
        }
        seed
    }

    #[test]
    fn encapsulate_then_decapsulate_agrees() {
        let (ek, dk) = keygen_derand(&seed(1));
        assert_eq!(dk.encapsulation_key(), &ek);
        let (k, c) = ek.encaps(&[7; 32]);
        assert_eq!(dk.decaps(&c), k);
        // Deterministic: the same inputs give the same outputs.
        let (k2, c2) = ek.encaps(&[7; 32]);
        assert_eq!((c, k), (c2, k2));
    }

    #[test]
    fn key_bytes_round_trip() {
        let (ek, dk) = keygen_derand(&seed(2));
        let dk2 = DecapsulationKey::from_bytes(dk.to_bytes().as_slice()).unwrap();
        assert_eq!(dk2, dk);
        assert_eq!(dk2.encapsulation_key(), &ek);
        assert_eq!(EncapsulationKey::from_bytes(ek.as_bytes()).unwrap(), ek);
        let (_, c) = ek.encaps(&[3; 32]);
        assert_eq!(Ciphertext::from_bytes(c.as_bytes()).unwrap(), c);
        // The layout of FIPS 203 Algorithm 16 line 3: dk = dk_PKE ‖ ek ‖ H(ek) ‖ z.
        let bytes = dk.to_bytes();
        assert_eq!(
            &bytes[EK_OFFSET_IN_DK..EK_OFFSET_IN_DK + ENCAPSULATION_KEY_LEN],
            ek.as_bytes()
        );
        assert_eq!(&bytes[DECAPSULATION_KEY_LEN - 32..], &seed(2)[32..]);
    }

    #[test]
    fn tampered_ciphertext_gives_the_implicit_rejection_key() {
        let (ek, dk) = keygen_derand(&seed(3));
        let (k, c) = ek.encaps(&[9; 32]);
        for position in [0, 1407, 1408, CIPHERTEXT_LEN - 1] {
            let mut bytes = *c.as_bytes();
            bytes[position] ^= 0x01;
            let tampered = Ciphertext::from_bytes(&bytes).unwrap();
            let rejected = dk.decaps(&tampered);
            assert_ne!(rejected, k, "byte {position}");
            // Implicit rejection is a function of (z, c): same input, same key.
            assert_eq!(dk.decaps(&tampered), rejected);
            // And it is the key RustCrypto's ML-KEM computes.
            let theirs = ::ml_kem::ml_kem_1024::DecapsulationKey::from_seed(seed(3).into());
            let their_k = ::ml_kem::Decapsulate::decapsulate(
                &theirs,
                &::ml_kem::array::Array::try_from(&bytes[..]).unwrap(),
            );
            assert_eq!(rejected.as_bytes().as_slice(), their_k.as_slice());
        }
    }

    #[test]
    fn debug_prints_no_secret() {
        let (ek, dk) = keygen_derand(&seed(4));
        let (k, c) = ek.encaps(&[5; 32]);
        assert_eq!(format!("{dk:?}"), "DecapsulationKey(<redacted>)");
        assert_eq!(format!("{k:?}"), "ml_kem::SharedSecret(<redacted>)");
        let printed_ek = format!("{ek:?}");
        let mut expected = String::from("EncapsulationKey(");
        for byte in &ek.as_bytes()[..DEBUG_PREFIX_LEN] {
            expected.push_str(&format!("{byte:02x}"));
        }
        expected.push_str("…)");
        assert_eq!(printed_ek, expected);
        assert!(format!("{c:?}").starts_with("Ciphertext("));
    }

    #[test]
    fn from_bytes_rejects_wrong_lengths() {
        let (ek, dk) = keygen_derand(&seed(5));
        let (_, c) = ek.encaps(&[1; 32]);
        let dk_bytes = dk.to_bytes();
        for len in [0, ENCAPSULATION_KEY_LEN - 1, ENCAPSULATION_KEY_LEN + 1] {
            let mut bytes = ek.as_bytes().to_vec();
            bytes.resize(len, 0);
            assert_eq!(
                EncapsulationKey::from_bytes(&bytes).map(|_| ()),
                Err(Error::InvalidLength)
            );
        }
        for len in [0, CIPHERTEXT_LEN - 1, CIPHERTEXT_LEN + 1] {
            let mut bytes = c.as_bytes().to_vec();
            bytes.resize(len, 0);
            assert_eq!(
                Ciphertext::from_bytes(&bytes).map(|_| ()),
                Err(Error::InvalidLength)
            );
        }
        for len in [0, DECAPSULATION_KEY_LEN - 1, DECAPSULATION_KEY_LEN + 1] {
            let mut bytes = dk_bytes.to_vec();
            bytes.resize(len, 0);
            assert_eq!(
                DecapsulationKey::from_bytes(&bytes).map(|_| ()),
                Err(Error::InvalidLength)
            );
        }
    }

    /// Sets the 12-bit coefficient `index` of an encoded polynomial vector
    /// (ByteEncode₁₂, little-endian, two coefficients in three bytes).
    fn set_coefficient(bytes: &mut [u8], index: usize, value: u16) {
        let at = 3 * (index / 2);
        let [low, high] = value.to_le_bytes();
        if index.is_multiple_of(2) {
            bytes[at] = low;
            bytes[at + 1] = (bytes[at + 1] & 0xf0) | (high & 0x0f);
        } else {
            bytes[at + 1] = (bytes[at + 1] & 0x0f) | (low << 4);
            bytes[at + 2] = (low >> 4) | (high << 4);
        }
    }

    #[test]
    fn encapsulation_key_with_a_coefficient_of_q_or_more_is_rejected() {
        let (ek, _) = keygen_derand(&seed(6));
        for (index, value) in [(0, 3329), (1, 3329), (1023, 4095), (517, 3330)] {
            let mut bytes = *ek.as_bytes();
            set_coefficient(&mut bytes, index, value);
            assert_eq!(
                EncapsulationKey::from_bytes(&bytes).map(|_| ()),
                Err(Error::InvalidKey),
                "coefficient {index} = {value}"
            );
            // q - 1 is reduced, so the same position with 3328 is accepted.
            set_coefficient(&mut bytes, index, 3328);
            assert!(EncapsulationKey::from_bytes(&bytes).is_ok());
        }
    }

    #[test]
    fn decapsulation_key_with_a_corrupted_hash_or_ek_is_rejected() {
        let (_, dk) = keygen_derand(&seed(7));
        let good = dk.to_bytes();
        // H(ek) is dk[3104..3136].
        let mut bytes = *good;
        bytes[EK_OFFSET_IN_DK + ENCAPSULATION_KEY_LEN] ^= 0x80;
        assert_eq!(
            DecapsulationKey::from_bytes(&bytes).map(|_| ()),
            Err(Error::InvalidKey)
        );
        // A changed ek no longer matches H(ek).
        let mut bytes = *good;
        bytes[EK_OFFSET_IN_DK + 5] ^= 0x01;
        assert_eq!(
            DecapsulationKey::from_bytes(&bytes).map(|_| ()),
            Err(Error::InvalidKey)
        );
        // z and dk_PKE are not covered by the check (FIPS 203 §7.3 checks only H(ek)).
        let mut bytes = *good;
        bytes[DECAPSULATION_KEY_LEN - 1] ^= 0x01;
        bytes[0] ^= 0x01;
        assert!(DecapsulationKey::from_bytes(&bytes).is_ok());
    }

    #[test]
    fn decapsulation_key_whose_stored_ek_is_not_reduced_is_rejected() {
        use sha3::Digest;
        let (_, dk) = keygen_derand(&seed(8));
        let mut bytes = *dk.to_bytes();
        let ek_end = EK_OFFSET_IN_DK + ENCAPSULATION_KEY_LEN;
        set_coefficient(&mut bytes[EK_OFFSET_IN_DK..], 10, 3329);
        // Recompute H(ek), so the FIPS 203 §7.3 hash check alone would pass.
        let h = sha3::Sha3_256::digest(&bytes[EK_OFFSET_IN_DK..ek_end]);
        bytes[ek_end..ek_end + 32].copy_from_slice(&h);
        assert!(mlkem1024::portable::validate_private_key_only(
            &MlKem1024PrivateKey::from(&bytes)
        ));
        assert_eq!(
            DecapsulationKey::from_bytes(&bytes).map(|_| ()),
            Err(Error::InvalidKey)
        );
        // RustCrypto's expanded-key decoder rejects it too.
        #[allow(deprecated, reason = "the expanded form is the one under test")]
        let theirs = ::ml_kem::ml_kem_1024::DecapsulationKey::from_expanded(
            &::ml_kem::array::Array::try_from(&bytes[..]).unwrap(),
        );
        assert!(theirs.is_err());
    }

    #[test]
    fn keygen_draws_d_then_z_from_the_rng() {
        /// Hands out the bytes 0, 1, 2, ... in order.
        struct Counter(u8);
        impl rand_core::TryRng for Counter {
            type Error = core::convert::Infallible;
            fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
                let mut b = [0; 4];
                self.try_fill_bytes(&mut b)?;
                Ok(u32::from_le_bytes(b))
            }
            fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
                let mut b = [0; 8];
                self.try_fill_bytes(&mut b)?;
                Ok(u64::from_le_bytes(b))
            }
            fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
                for b in dst {
                    *b = self.0;
                    self.0 = self.0.wrapping_add(1);
                }
                Ok(())
            }
        }
        impl rand_core::TryCryptoRng for Counter {}

        let mut counting = [0u8; KEY_GENERATION_SEED_LEN];
        for (b, i) in counting.iter_mut().zip(0u8..) {
            *b = i;
        }
        let (ek, dk) = keygen(&mut Counter(0));
        let (ek2, dk2) = keygen_derand(&counting);
        assert_eq!(dk, dk2);
        assert_eq!(ek, ek2);
        let (k, c) = ek2.encapsulate(&mut Counter(64));
        let mut m = [0u8; ENCAPSULATION_SEED_LEN];
        for (b, i) in m.iter_mut().zip(64u8..) {
            *b = i;
        }
        assert_eq!((k, c), ek2.encaps(&m));
    }
}
