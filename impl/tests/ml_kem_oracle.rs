//! `lockstep::ml_kem` (libcrux-ml-kem) against RustCrypto's `ml-kem`, an independent
//! implementation of FIPS 203, byte for byte.
//!
//! For seeded random `d ‖ z` and `m` (ChaCha20 from a fixed seed, so a failure
//! replays), both sides must produce the same `ek`, the same expanded `dk`, the same
//! `c` and `K`, and the same `K` when decapsulating tampered and random ciphertexts
//! (the implicit-rejection path). They must also refuse the same corrupted keys.

use ::ml_kem::array::Array;
use ::ml_kem::{B32, Decapsulate, KeyExport, ml_kem_1024};
use lockstep::Error;
use lockstep::ml_kem::{
    CIPHERTEXT_LEN, Ciphertext, DecapsulationKey, ENCAPSULATION_KEY_LEN, EncapsulationKey,
};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

/// Key pairs generated per run; each is encapsulated to and tampered with several times.
const KEY_PAIRS: usize = 200;
/// Encapsulations per key pair.
const ENCAPSULATIONS: usize = 2;
/// Tampered ciphertexts decapsulated per encapsulation.
const TAMPERINGS: usize = 3;

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::from_seed(*b"lockstep ml-kem-1024 oracle seed")
}

fn theirs_from_seed(seed: &[u8; 64]) -> ml_kem_1024::DecapsulationKey {
    ml_kem_1024::DecapsulationKey::from_seed((*seed).into())
}

fn their_ciphertext(bytes: &[u8; CIPHERTEXT_LEN]) -> ml_kem_1024::Ciphertext {
    Array::from(*bytes)
}

#[allow(
    deprecated,
    reason = "the expanded 3168-byte key is what lockstep stores"
)]
fn their_expanded(dk: &ml_kem_1024::DecapsulationKey) -> Vec<u8> {
    ::ml_kem::ExpandedKeyEncoding::to_expanded_bytes(dk).to_vec()
}

#[test]
fn libcrux_and_rustcrypto_agree_on_keygen_encaps_and_decaps() {
    let mut rng = rng();
    let mut decapsulations = 0;
    for case in 0..KEY_PAIRS {
        let mut seed = [0u8; 64];
        rng.fill_bytes(&mut seed);
        let (ek, dk) = lockstep::ml_kem::keygen_derand(&seed);
        let theirs = theirs_from_seed(&seed);

        assert_eq!(
            ek.as_bytes().as_slice(),
            theirs.encapsulation_key().to_bytes().as_slice(),
            "ek, case {case}"
        );
        assert_eq!(
            dk.to_bytes().as_slice(),
            their_expanded(&theirs).as_slice(),
            "dk, case {case}"
        );

        for _ in 0..ENCAPSULATIONS {
            let mut m = [0u8; 32];
            rng.fill_bytes(&mut m);
            let (k, c) = ek.encaps(&m);
            let (their_c, their_k) = theirs
                .encapsulation_key()
                .encapsulate_deterministic(&B32::from(m));
            assert_eq!(
                c.as_bytes().as_slice(),
                their_c.as_slice(),
                "c, case {case}"
            );
            assert_eq!(
                k.as_bytes().as_slice(),
                their_k.as_slice(),
                "K, case {case}"
            );
            assert_eq!(dk.decaps(&c), k, "decaps, case {case}");
            assert_eq!(
                theirs.decapsulate(&their_c).as_slice(),
                k.as_bytes(),
                "their decaps, case {case}"
            );

            // Tampered ciphertexts: one flipped bit anywhere, c1 or c2.
            for _ in 0..TAMPERINGS {
                let mut bytes = *c.as_bytes();
                let bit =
                    usize::try_from(rng.next_u32()).expect("u32 fits usize") % (CIPHERTEXT_LEN * 8);
                bytes[bit / 8] ^= 1 << (bit % 8);
                let tampered = Ciphertext::from_bytes(&bytes).expect("right length");
                let ours = dk.decaps(&tampered);
                let their_rejection = theirs.decapsulate(&their_ciphertext(&bytes));
                assert_eq!(
                    ours.as_bytes().as_slice(),
                    their_rejection.as_slice(),
                    "tampered bit {bit}, case {case}"
                );
                assert_ne!(ours, k, "tampered bit {bit}, case {case}");
                decapsulations += 1;
            }
        }

        // A uniformly random ciphertext.
        let mut bytes = [0u8; CIPHERTEXT_LEN];
        rng.fill_bytes(&mut bytes);
        let ours = dk.decaps(&Ciphertext::from_bytes(&bytes).expect("right length"));
        let their_k = theirs.decapsulate(&their_ciphertext(&bytes));
        assert_eq!(
            ours.as_bytes().as_slice(),
            their_k.as_slice(),
            "random c, case {case}"
        );
        decapsulations += 1;
    }
    assert_eq!(
        decapsulations,
        KEY_PAIRS * (ENCAPSULATIONS * TAMPERINGS + 1)
    );
}

#[test]
fn seeded_rng_gives_both_sides_the_same_keys_and_ciphertexts() {
    // `keygen` and `encapsulate` draw d ‖ z and m from the rng in that
    // order; replaying the same stream into the other side must match.
    let mut ours_rng = rng();
    let mut their_rng = ours_rng.clone();
    for case in 0..20 {
        let (ek, dk) = lockstep::ml_kem::keygen(&mut ours_rng);
        let (k, c) = ek.encapsulate(&mut ours_rng);

        let mut seed = [0u8; 64];
        their_rng.fill_bytes(&mut seed);
        let mut m = [0u8; 32];
        their_rng.fill_bytes(&mut m);
        let theirs = theirs_from_seed(&seed);
        let (their_c, their_k) = theirs
            .encapsulation_key()
            .encapsulate_deterministic(&B32::from(m));

        assert_eq!(
            dk.to_bytes().as_slice(),
            their_expanded(&theirs).as_slice(),
            "case {case}"
        );
        assert_eq!(c.as_bytes().as_slice(), their_c.as_slice(), "case {case}");
        assert_eq!(k.as_bytes().as_slice(), their_k.as_slice(), "case {case}");
    }
}

/// Sets the 12-bit coefficient `index` of a ByteEncode₁₂ string.
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
fn both_sides_refuse_the_same_encapsulation_keys() {
    let mut rng = rng();
    let mut refused = 0;
    for case in 0..100 {
        let mut seed = [0u8; 64];
        rng.fill_bytes(&mut seed);
        let (ek, _) = lockstep::ml_kem::keygen_derand(&seed);
        let mut bytes = *ek.as_bytes();
        // A coefficient in 0..4096: at or over q = 3329 about one time in five.
        let index = usize::try_from(rng.next_u32()).expect("u32 fits usize") % 1024;
        let value = u16::try_from(rng.next_u32() % 4096).expect("below 4096");
        set_coefficient(&mut bytes, index, value);

        let ours = EncapsulationKey::from_bytes(&bytes);
        let theirs =
            ml_kem_1024::EncapsulationKey::new(&Array::try_from(&bytes[..]).expect("right length"));
        assert_eq!(ours.is_ok(), theirs.is_ok(), "case {case}, {value}");
        assert_eq!(ours.is_err(), value >= 3329, "case {case}, {value}");
        if let Err(e) = ours {
            assert_eq!(e, Error::InvalidKey);
            refused += 1;
        }
    }
    assert!(refused > 0, "the test must exercise the refusal");
    assert_eq!(
        EncapsulationKey::from_bytes(&[0; ENCAPSULATION_KEY_LEN + 1]).map(|_| ()),
        Err(Error::InvalidLength)
    );
}

#[test]
fn both_sides_refuse_the_same_decapsulation_keys() {
    let mut rng = rng();
    for case in 0..100 {
        let mut seed = [0u8; 64];
        rng.fill_bytes(&mut seed);
        let (_, dk) = lockstep::ml_kem::keygen_derand(&seed);
        let mut bytes = *dk.to_bytes();
        // One flipped bit anywhere in dk: in dk_PKE or z it is not detected (FIPS 203
        // §7.3 checks only H(ek)); in ek or H(ek) it is.
        let bit = usize::try_from(rng.next_u32()).expect("u32 fits usize") % (bytes.len() * 8);
        bytes[bit / 8] ^= 1 << (bit % 8);

        let ours = DecapsulationKey::from_bytes(&bytes);
        #[allow(
            deprecated,
            reason = "the expanded 3168-byte key is what lockstep stores"
        )]
        let theirs = ml_kem_1024::DecapsulationKey::from_expanded(
            &Array::try_from(&bytes[..]).expect("right length"),
        );
        assert_eq!(ours.is_ok(), theirs.is_ok(), "case {case}, bit {bit}");
        let in_ek_or_hash = (1536 * 8..3136 * 8).contains(&bit);
        assert_eq!(ours.is_err(), in_ek_or_hash, "case {case}, bit {bit}");

        // Where both accept the key, they decapsulate alike.
        if let (Ok(ours), Ok(theirs)) = (ours, theirs) {
            let mut c = [0u8; CIPHERTEXT_LEN];
            rng.fill_bytes(&mut c);
            let k = ours.decaps(&Ciphertext::from_bytes(&c).expect("right length"));
            assert_eq!(
                k.as_bytes().as_slice(),
                theirs.decapsulate(&their_ciphertext(&c)).as_slice(),
                "case {case}, bit {bit}"
            );
        }
    }
}
