//! RFC 8439 §2.6 and §2.8: Poly1305 key generation with ChaCha20, and the
//! AEAD_CHACHA20_POLY1305 construction.
//!
//! The document names the AEAD functions `chacha20_aead_encrypt` and (implicitly)
//! its inverse; here they are [`chacha20_poly1305_encrypt`] and
//! [`chacha20_poly1305_decrypt`]. The 96-bit nonce is taken whole: §2.8's
//! `constant | iv` split is the caller's business.

use crate::Error;
use crate::chacha20::{ChaChaKey, ChaChaNonce, chacha20_block, chacha20_encrypt};
use crate::poly1305::{Poly1305Key, Poly1305Tag, poly1305_mac};
use hacspec_lib::*;

/// RFC 8439 §2.6: the Poly1305 one-time key, the first 32 bytes of the ChaCha20
/// block with counter 0.
///
/// ```text
/// poly1305_key_gen(key,nonce):
///    counter = 0
///    block = chacha20_block(key,counter,nonce)
///    return block[0..31]
///    end
/// ```
pub fn poly1305_key_gen(key: &ChaChaKey, nonce: &ChaChaNonce) -> Poly1305Key {
    // counter = 0
    let counter = U32(0);
    // block = chacha20_block(key,counter,nonce)
    let block = chacha20_block(key, counter, nonce);
    // return block[0..31]
    Poly1305Key::from_slice(&block, 0, 32)
}

/// RFC 8439 §2.8.1: `pad16(x)`, the zero bytes that bring `x` to a multiple of 16.
///
/// ```text
/// pad16(x):
///    if (len(x) % 16)==0
///       then return NULL
///       else return copies(0, 16-(len(x)%16))
///    end
/// ```
#[allow(
    clippy::manual_is_multiple_of,
    reason = "the document writes (len(x) % 16)==0"
)]
fn pad16(x: &ByteSeq) -> ByteSeq {
    if x.len() % 16 == 0 {
        ByteSeq::new(0)
    } else {
        ByteSeq::new(16 - (x.len() % 16))
    }
}

/// RFC 8439 §2.8.1: `num_to_8_le_bytes`, a length as a 64-bit little-endian number.
fn num_to_8_le_bytes(n: usize) -> ByteSeq {
    ByteSeq::from_seq(&U64_to_le_bytes(U64_from_usize(n)))
}

/// RFC 8439 §2.8.1: `mac_data`, the input to Poly1305.
///
/// ```text
/// mac_data = aad | pad16(aad)
/// mac_data |= ciphertext | pad16(ciphertext)
/// mac_data |= num_to_8_le_bytes(aad.length)
/// mac_data |= num_to_8_le_bytes(ciphertext.length)
/// ```
fn mac_data(aad: &ByteSeq, ciphertext: &ByteSeq) -> ByteSeq {
    // mac_data = aad | pad16(aad)
    let mac_data = aad.concat(&pad16(aad));
    // mac_data |= ciphertext | pad16(ciphertext)
    let mac_data = mac_data.concat(ciphertext).concat(&pad16(ciphertext));
    // mac_data |= num_to_8_le_bytes(aad.length)
    let mac_data = mac_data.concat(&num_to_8_le_bytes(aad.len()));
    // mac_data |= num_to_8_le_bytes(ciphertext.length)
    mac_data.concat(&num_to_8_le_bytes(ciphertext.len()))
}

/// RFC 8439 §2.8: "The calculated tag is bitwise compared to the received tag."
///
/// Every byte is looked at, whatever the earlier ones were: the differences are
/// OR-ed together as secret bytes and turned into an all-ones-or-zero mask, and only
/// that verdict is declassified, because the verdict is all the document reveals.
fn tags_equal(a: &Poly1305Tag, b: &Poly1305Tag) -> bool {
    let mut difference = U8::zero();
    for i in 0..16 {
        difference |= a[i] ^ b[i];
    }
    difference.comp_eq(U8::zero()).declassify() == 0xff
}

/// RFC 8439 §2.8: AEAD_CHACHA20_POLY1305 encryption (the document's
/// `chacha20_aead_encrypt`), returning the ciphertext and the tag.
///
/// ```text
/// chacha20_aead_encrypt(aad, key, iv, constant, plaintext):
///    nonce = constant | iv
///    otk = poly1305_key_gen(key, nonce)
///    ciphertext = chacha20_encrypt(key, 1, nonce, plaintext)
///    mac_data = aad | pad16(aad)
///    mac_data |= ciphertext | pad16(ciphertext)
///    mac_data |= num_to_8_le_bytes(aad.length)
///    mac_data |= num_to_8_le_bytes(ciphertext.length)
///    tag = poly1305_mac(mac_data, otk)
///    return (ciphertext, tag)
/// ```
///
/// # Errors
///
/// [`Error::ChaCha20CounterOverflow`] if the plaintext is longer than the 32-bit
/// block counter allows from 1, that is longer than 274,877,906,880 bytes (§2.8).
pub fn chacha20_poly1305_encrypt(
    key: &ChaChaKey,
    nonce: &ChaChaNonce,
    aad: &ByteSeq,
    plaintext: &ByteSeq,
) -> Result<(ByteSeq, Poly1305Tag), Error> {
    // otk = poly1305_key_gen(key, nonce)
    let otk = poly1305_key_gen(key, nonce);
    // ciphertext = chacha20_encrypt(key, 1, nonce, plaintext)
    let ciphertext = chacha20_encrypt(key, U32(1), nonce, plaintext)?;
    // mac_data = aad | pad16(aad) | ciphertext | pad16(ciphertext) | lengths
    let mac_data = mac_data(aad, &ciphertext);
    // tag = poly1305_mac(mac_data, otk)
    let tag = poly1305_mac(&mac_data, &otk);
    // return (ciphertext, tag)
    Ok((ciphertext, tag))
}

/// RFC 8439 §2.8: AEAD_CHACHA20_POLY1305 decryption: recompute the tag over the
/// received ciphertext and, only if it matches, decrypt.
///
/// "the Poly1305 function is run on the AAD and the ciphertext ... The calculated
/// tag is bitwise compared to the received tag. The message is authenticated if
/// and only if the tags match." The plaintext is computed only after that.
///
/// # Errors
///
/// [`Error::DecryptionFailed`] if the tags differ; nothing else is
/// revealed. [`Error::ChaCha20CounterOverflow`] if an authentic ciphertext is longer
/// than the block counter allows.
pub fn chacha20_poly1305_decrypt(
    key: &ChaChaKey,
    nonce: &ChaChaNonce,
    aad: &ByteSeq,
    ciphertext: &ByteSeq,
    tag: &Poly1305Tag,
) -> Result<ByteSeq, Error> {
    // otk = poly1305_key_gen(key, nonce)
    let otk = poly1305_key_gen(key, nonce);
    // mac_data = aad | pad16(aad) | ciphertext | pad16(ciphertext) | lengths
    let mac_data = mac_data(aad, ciphertext);
    // tag = poly1305_mac(mac_data, otk)
    let expected_tag = poly1305_mac(&mac_data, &otk);
    // "The message is authenticated if and only if the tags match."
    if !tags_equal(&expected_tag, tag) {
        return Err(Error::DecryptionFailed);
    }
    // plaintext = chacha20_encrypt(key, 1, nonce, ciphertext)
    chacha20_encrypt(key, U32(1), nonce, ciphertext)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8439_section_2_6_2_key_generation() {
        let key =
            ChaChaKey::from_hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        let nonce = ChaChaNonce::from_hex("000000000001020304050607");
        assert_eq!(
            poly1305_key_gen(&key, &nonce).to_hex(),
            "8ad5a08b905f81cc815040274ab29471a833b637e3fd0da508dbb8e2fdd1a646"
        );
    }

    fn section_2_8_2_inputs() -> (ChaChaKey, ChaChaNonce, ByteSeq, ByteSeq) {
        let key =
            ChaChaKey::from_hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        // constant 07:00:00:00 | iv 40:41:42:43:44:45:46:47
        let nonce = ChaChaNonce::from_hex("070000004041424344454647");
        let aad = ByteSeq::from_hex("50515253c0c1c2c3c4c5c6c7");
        let plaintext = ByteSeq::from_public_slice(
            b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip \
              for the future, sunscreen would be it.",
        );
        (key, nonce, aad, plaintext)
    }

    const SECTION_2_8_2_CIPHERTEXT: &str = "\
        d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6\
        3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36\
        92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc\
        3ff4def08e4b7a9de576d26586cec64b6116";
    const SECTION_2_8_2_TAG: &str = "1ae10b594f09e26a7e902ecbd0600691";

    #[test]
    fn rfc8439_section_2_8_2_encrypt() {
        let (key, nonce, aad, plaintext) = section_2_8_2_inputs();
        let (ciphertext, tag) = chacha20_poly1305_encrypt(&key, &nonce, &aad, &plaintext)
            .expect("114 bytes fit the block counter");
        assert_eq!(ciphertext.to_hex(), SECTION_2_8_2_CIPHERTEXT);
        assert_eq!(tag.to_hex(), SECTION_2_8_2_TAG);
    }

    #[test]
    fn rfc8439_section_2_8_2_decrypt() {
        let (key, nonce, aad, plaintext) = section_2_8_2_inputs();
        let ciphertext = ByteSeq::from_hex(SECTION_2_8_2_CIPHERTEXT);
        let tag = Poly1305Tag::from_hex(SECTION_2_8_2_TAG);
        let opened = chacha20_poly1305_decrypt(&key, &nonce, &aad, &ciphertext, &tag);
        assert_eq!(opened, Ok(plaintext));
    }

    #[test]
    fn decrypt_rejects_a_tag_with_one_bit_flipped() {
        let (key, nonce, aad, _) = section_2_8_2_inputs();
        let ciphertext = ByteSeq::from_hex(SECTION_2_8_2_CIPHERTEXT);
        for bit in [0, 7, 64, 127] {
            let mut tag = Poly1305Tag::from_hex(SECTION_2_8_2_TAG);
            tag[bit / 8] ^= U8(1 << (bit % 8));
            assert_eq!(
                chacha20_poly1305_decrypt(&key, &nonce, &aad, &ciphertext, &tag),
                Err(Error::DecryptionFailed)
            );
        }
    }
}
