//! Flaws that spec and implementation would share, and the driver that has them.
//!
//! Equivalence (spec ≡ impl) cannot see a bug both sides have, and the protocol
//! vectors are no help to a user testing their own implementation (they have no
//! vectors of its internals). So each [`SharedFlaw`] is a protocol, not a driver bug:
//! [`FlawedDriver`] assembles PQXDH and the Double Ratchet from the spec's public
//! building blocks (`spec::pqxdh::{kdf, associated_data, transcript_hash}`,
//! `spec::ratchet::{kdf_rk, kdf_ck, encrypt, decrypt, header_ad, ...}`, `spec::wire`,
//! `spec::state`) with the flaw applied, as a spec and an implementation written
//! from the same flawed document would both behave. Spec ≡ impl would hold; the
//! checks must catch the flaw on the flawed run alone.
//!
//! No check may catch a flaw by recomputing a value with the honest spec and
//! comparing (that is a vector check in disguise). The checks that catch these are
//! the invariants ([`crate::invariants`]) and the long-term and quantum checks of
//! [`crate::longterm`], whose adversaries compute only from what they hold: they try
//! every value they hold as a key, and the obvious derivations of their values with
//! and without the components they lack.
//!
//! | flaw | caught by | fixed scenario (`harness/tests/flaws.rs`) |
//! |---|---|---|
//! | [`SharedFlaw::MessageKeyIsNextChainKey`] | `held-values` | `alice_sends_then_is_compromised` |
//! | [`SharedFlaw::SsLeftOut`] | `harvest-now-decrypt-later` | `ping_pong_one_time_keys` |
//! | [`SharedFlaw::Dh4LeftOut`] | `long-term-forward-secrecy` | `ping_pong_opk_last_resort` |
//! | [`SharedFlaw::RatchetReusesKeyPair`] | `liveness` (Bob's first reply carries `SPK_B` again, on which Alice has no receiving chain) | `compromise_then_ping_pong` |
//! | [`SharedFlaw::SkippedKeysNotDeleted`] | `replay`, `held-values`, `forward-secrecy` | `reordered_then_replayed` |
//! | [`SharedFlaw::StaticStaticDh1`] | `key-compromise-impersonation` | any set-up |
//! | [`SharedFlaw::AdWithoutInitiatorIdentity`] | not observable alone since the PreKey header is bound into `SK` (SPEC §3.4); with [`SharedFlaw::PreKeyHeaderUnbound`], `identity-misbinding` | `ping_pong_one_time_keys` |
//! | [`SharedFlaw::PreKeyHeaderUnbound`] | `identity-misbinding` (a re-encoded `EK_A`) | any set-up |

use lockstep_spec as spec;
use serde::{Deserialize, Serialize};
use spec::consts::{F, INFO_PQXDH, MAX_PLAINTEXT_LEN, MAX_SKIP, MAX_STORED_SKIPPED_KEYS};
use spec::ml_kem::{DecapsulationKey, SharedSecret};
use spec::pqxdh::{SharedKey, VerifiedPreKeyBundle};
use spec::ratchet::{ChainKey, MessageKey, SkippedKey, State, header_ad, kdf_rk};
use spec::sha256::Sha256Digest;
use spec::wire::{
    Message, PreKeyHeader, RatchetHeader, RatchetMessage, decode_message, encode_prekey_header,
    encode_ratchet_message,
};
use spec::x25519::{X25519SerializedPoint, X25519SerializedScalar, x25519_base, x25519_dh};
use spec::{ByteSeq, Error};

use crate::driver::{
    AeadUse, Driver, Failure, OPK_ID, OtherSessionInputs, PQPK_ID, SPK_ID, SetUpInputs,
};
use crate::model::Party;

/// A flaw in the protocol itself, as a spec and an implementation written from one
/// flawed document would share it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SharedFlaw {
    /// `KDF_CK` gives the next chain key as the message key: `mk = HMAC(ck, 0x02)`,
    /// so the state holds the key of the last message sent.
    MessageKeyIsNextChainKey,
    /// `AD` without `IK_A`: its 33 bytes are `EncodeEC(0^32)` (the state encoding
    /// keeps its 66 bytes).
    AdWithoutInitiatorIdentity,
    /// `SK = HKDF(F ‖ DH1 ‖ DH2 ‖ DH3 [‖ DH4], ...)`: the ML-KEM secret left out.
    SsLeftOut,
    /// `DH4` left out of `SK` even when a one-time prekey is used (it is still
    /// named, and deleted).
    Dh4LeftOut,
    /// The DH ratchet step keeps the old ratchet key pair instead of making one from
    /// the fresh randomness `r`.
    RatchetReusesKeyPair,
    /// A skipped message key is not deleted once it has decrypted its message.
    SkippedKeysNotDeleted,
    /// `DH1 = DH(IK_A, IK_B)` (static-static) instead of `DH(IK_A, SPK_B)`: the
    /// design X3DH avoids because an exposed `IK_B` then lets anyone pose as anyone
    /// to Bob. Not on issue 12's list: it shows `key-compromise-impersonation` has
    /// teeth.
    StaticStaticDh1,
    /// `SK`'s info is `INFO_PQXDH` alone, without `SHA-256(PreKey header)` (the KDF of
    /// SPEC rev 1, before issue 12's finding 1). Shows `identity-misbinding` has
    /// teeth, and makes [`SharedFlaw::AdWithoutInitiatorIdentity`] observable.
    PreKeyHeaderUnbound,
}

impl SharedFlaw {
    /// The six flaws of issue 12, point 9.
    pub const ISSUE: &'static [SharedFlaw] = &[
        SharedFlaw::MessageKeyIsNextChainKey,
        SharedFlaw::AdWithoutInitiatorIdentity,
        SharedFlaw::SsLeftOut,
        SharedFlaw::Dh4LeftOut,
        SharedFlaw::RatchetReusesKeyPair,
        SharedFlaw::SkippedKeysNotDeleted,
    ];

    /// Every flaw.
    pub const ALL: &'static [SharedFlaw] = &[
        SharedFlaw::MessageKeyIsNextChainKey,
        SharedFlaw::AdWithoutInitiatorIdentity,
        SharedFlaw::SsLeftOut,
        SharedFlaw::Dh4LeftOut,
        SharedFlaw::RatchetReusesKeyPair,
        SharedFlaw::SkippedKeysNotDeleted,
        SharedFlaw::StaticStaticDh1,
        SharedFlaw::PreKeyHeaderUnbound,
    ];

    /// Its name, e.g. `"ss-left-out"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            SharedFlaw::MessageKeyIsNextChainKey => "message-key-is-next-chain-key",
            SharedFlaw::AdWithoutInitiatorIdentity => "ad-without-initiator-identity",
            SharedFlaw::SsLeftOut => "ss-left-out",
            SharedFlaw::Dh4LeftOut => "dh4-left-out",
            SharedFlaw::RatchetReusesKeyPair => "ratchet-reuses-key-pair",
            SharedFlaw::SkippedKeysNotDeleted => "skipped-keys-not-deleted",
            SharedFlaw::StaticStaticDh1 => "static-static-dh1",
            SharedFlaw::PreKeyHeaderUnbound => "prekey-header-unbound",
        }
    }
}

/// Bob's private keys, and which one-time keys are left.
#[derive(Clone)]
struct BobKeys {
    ik: X25519SerializedScalar,
    spk: X25519SerializedScalar,
    dk: DecapsulationKey,
    pq_available: bool,
    pq_last_resort: bool,
    opk: Option<X25519SerializedScalar>,
}

/// PQXDH and the Double Ratchet assembled from the spec's building blocks, with
/// [`SharedFlaw`]s applied (none: the protocol of SPEC.md, which must pass every
/// check).
#[derive(Clone)]
pub struct FlawedDriver {
    flaws: Vec<SharedFlaw>,
    states: [Option<State>; 2],
    bob: Option<BobKeys>,
    bundle: Option<VerifiedPreKeyBundle>,
    aead: Option<AeadUse>,
}

fn scalar(bytes: &[u8; 32]) -> X25519SerializedScalar {
    X25519SerializedScalar::from_public_slice(bytes)
}

fn seed32(bytes: &[u8]) -> spec::ml_kem::Seed32 {
    spec::ml_kem::Seed32::from_public_slice(bytes)
}

fn slot(party: Party) -> usize {
    match party {
        Party::Alice => 0,
        Party::Bob => 1,
    }
}

/// The key agreement's outcome: `SK` and `AD`.
struct Agreed {
    sk: SharedKey,
    ad: ByteSeq,
}

/// RFC 5869 HKDF with L = 32, as `SK`.
#[allow(
    clippy::expect_used,
    reason = "L is the constant 32; HKDF fails only for L > 8160 (RFC 5869 §2.3)"
)]
fn hkdf32(ikm: &ByteSeq, info: &ByteSeq) -> SharedKey {
    let okm = spec::hkdf::hkdf(&ByteSeq::new(32), ikm, info, 32).expect("L = 32");
    SharedKey::from_seq(&okm)
}

impl FlawedDriver {
    /// A driver with one flaw.
    #[must_use]
    pub fn new(flaw: SharedFlaw) -> Self {
        Self::with(&[flaw])
    }

    /// A driver with these flaws (none: the honest protocol).
    #[must_use]
    pub fn with(flaws: &[SharedFlaw]) -> Self {
        FlawedDriver {
            flaws: flaws.to_vec(),
            states: [None, None],
            bob: None,
            bundle: None,
            aead: None,
        }
    }

    /// Its flaws.
    #[must_use]
    pub fn flaws(&self) -> &[SharedFlaw] {
        &self.flaws
    }

    fn has(&self, flaw: SharedFlaw) -> bool {
        self.flaws.contains(&flaw)
    }

    /// SPEC §3.4 `SK`, flawed.
    #[allow(
        clippy::too_many_arguments,
        reason = "the KDF's inputs as SPEC §3.4 lists them"
    )]
    fn kdf(
        &self,
        dh1: &X25519SerializedPoint,
        dh2: &X25519SerializedPoint,
        dh3: &X25519SerializedPoint,
        dh4: Option<&X25519SerializedPoint>,
        ss: &SharedSecret,
        header: &PreKeyHeader,
    ) -> SharedKey {
        let dh4 = if self.has(SharedFlaw::Dh4LeftOut) {
            None
        } else {
            dh4
        };
        let th: Sha256Digest = spec::pqxdh::transcript_hash(header);
        if !self.has(SharedFlaw::SsLeftOut) && !self.has(SharedFlaw::PreKeyHeaderUnbound) {
            return spec::pqxdh::kdf(dh1, dh2, dh3, dh4, ss, &th);
        }
        let mut ikm = ByteSeq::from_public_slice(&F)
            .concat(dh1)
            .concat(dh2)
            .concat(dh3);
        if let Some(dh4) = dh4 {
            ikm = ikm.concat(dh4);
        }
        if !self.has(SharedFlaw::SsLeftOut) {
            ikm = ikm.concat(ss);
        }
        let mut info = ByteSeq::from_public_slice(INFO_PQXDH);
        if !self.has(SharedFlaw::PreKeyHeaderUnbound) {
            info = info.concat(&th);
        }
        hkdf32(&ikm, &info)
    }

    /// SPEC §3.4 `AD`, flawed.
    fn associated_data(
        &self,
        ik_a: &X25519SerializedPoint,
        ik_b: &X25519SerializedPoint,
    ) -> ByteSeq {
        if self.has(SharedFlaw::AdWithoutInitiatorIdentity) {
            let zero = X25519SerializedPoint::from_public_slice(&[0u8; 32]);
            return spec::pqxdh::associated_data(&zero, ik_b);
        }
        spec::pqxdh::associated_data(ik_a, ik_b)
    }

    /// SPEC §3.4 and §4.4: Alice's state.
    fn initiate(
        &self,
        ik_a: &X25519SerializedScalar,
        bundle: &VerifiedPreKeyBundle,
        ek_a: &X25519SerializedScalar,
        m: &spec::ml_kem::Seed32,
        r: &X25519SerializedScalar,
    ) -> Result<State, Error> {
        let b = bundle.bundle();
        let ik_a_public = x25519_base(ik_a);
        let dh1 = if self.has(SharedFlaw::StaticStaticDh1) {
            x25519_dh(ik_a, &b.ik_b)?
        } else {
            x25519_dh(ik_a, &b.spk_b)?
        };
        let dh2 = x25519_dh(ek_a, &b.ik_b)?;
        let dh3 = x25519_dh(ek_a, &b.spk_b)?;
        let (dh4, opk_id) = match b.opk {
            Some((id, opk)) => (Some(x25519_dh(ek_a, &opk)?), Some(id)),
            None => (None, None),
        };
        let (ss, ct) = spec::ml_kem::encaps(&b.pqpk_b, m)?;
        let header = PreKeyHeader {
            ik_a: ik_a_public,
            ek_a: x25519_base(ek_a),
            spk_id: b.spk_id,
            pqpk_id: b.pqpk_id,
            opk_id,
            ct,
        };
        let agreed = Agreed {
            sk: self.kdf(&dh1, &dh2, &dh3, dh4.as_ref(), &ss, &header),
            ad: self.associated_data(&ik_a_public, &b.ik_b),
        };
        let mut state = spec::ratchet::ratchet_init_alice(&agreed.sk, &agreed.ad, &b.spk_b, r)?;
        state.pending_prekey = Some(encode_prekey_header(&header));
        Ok(state)
    }

    /// SPEC §3.5: Bob's `SK` and `AD` from a PreKey header.
    fn respond(&self, bob: &BobKeys, header: &PreKeyHeader) -> Result<Agreed, Error> {
        if header.opk_id.is_some() != bob.opk.is_some() {
            return Err(Error::InvalidMessage);
        }
        let dh1 = if self.has(SharedFlaw::StaticStaticDh1) {
            x25519_dh(&bob.ik, &header.ik_a)?
        } else {
            x25519_dh(&bob.spk, &header.ik_a)?
        };
        let dh2 = x25519_dh(&bob.ik, &header.ek_a)?;
        let dh3 = x25519_dh(&bob.spk, &header.ek_a)?;
        let dh4 = match &bob.opk {
            Some(opk) => Some(x25519_dh(opk, &header.ek_a)?),
            None => None,
        };
        let ss = spec::ml_kem::decaps(&bob.dk, &header.ct)?;
        Ok(Agreed {
            sk: self.kdf(&dh1, &dh2, &dh3, dh4.as_ref(), &ss, header),
            ad: self.associated_data(&header.ik_a, &x25519_base(&bob.ik)),
        })
    }

    /// SPEC §4.1 `KDF_CK`, flawed: (next chain key, message key).
    fn kdf_ck(&self, ck: &ChainKey) -> (ChainKey, MessageKey) {
        let (next, mk) = spec::ratchet::kdf_ck(ck);
        if self.has(SharedFlaw::MessageKeyIsNextChainKey) {
            let mk = MessageKey::from_public_slice(&next.to_public_array());
            return (next, mk);
        }
        (next, mk)
    }

    /// SPEC §4.5 `RatchetEncrypt` then §5: the new state, the wire bytes, the key.
    fn ratchet_encrypt(
        &self,
        state: &State,
        plaintext: &ByteSeq,
    ) -> Result<(State, ByteSeq, MessageKey), Error> {
        let cks = state.cks.ok_or(Error::NoSendingChain)?;
        if state.ns == u32::MAX {
            return Err(Error::ChainExhausted);
        }
        if plaintext.len() > MAX_PLAINTEXT_LEN {
            return Err(Error::MessageTooLarge);
        }
        let mut next = state.clone();
        let (cks, mk) = self.kdf_ck(&cks);
        next.cks = Some(cks);
        let header = RatchetHeader {
            dh: state.dhs_public,
            pn: state.pn,
            n: state.ns,
        };
        next.ns = state.ns + 1;
        let ciphertext = spec::ratchet::encrypt(&mk, plaintext, &header_ad(&state.ad, &header))?;
        let ratchet = encode_ratchet_message(&RatchetMessage { header, ciphertext });
        let bytes = match &state.pending_prekey {
            Some(prekey) => prekey.concat(&ratchet),
            None => ratchet,
        };
        Ok((next, bytes, mk))
    }

    /// SPEC §4.6 `SkipMessageKeys`, with the flawed `KDF_CK`.
    fn skip(&self, state: State, until: u32) -> Result<State, Error> {
        let (Some(dhr), Some(mut ckr)) = (state.dhr, state.ckr) else {
            return Ok(state);
        };
        if u64::from(state.nr) + u64::from(MAX_SKIP) < u64::from(until) {
            return Err(Error::TooManySkipped);
        }
        let mut next = state;
        for nr in next.nr..until {
            let (next_ckr, mk) = self.kdf_ck(&ckr);
            ckr = next_ckr;
            next.skipped
                .retain(|key| !(key.n == nr && key.dh.declassify_eq(&dhr)));
            next.skipped.push(SkippedKey { dh: dhr, n: nr, mk });
            if next.skipped.len() > MAX_STORED_SKIPPED_KEYS {
                next.skipped.remove(0);
            }
            next.nr = nr + 1;
        }
        next.ckr = Some(ckr);
        Ok(next)
    }

    /// SPEC §4.6 `DHRatchet`, flawed.
    fn dh_ratchet(
        &self,
        state: State,
        header: &RatchetHeader,
        r: &X25519SerializedScalar,
    ) -> Result<State, Error> {
        let mut next = state;
        next.pn = next.ns;
        next.ns = 0;
        next.nr = 0;
        next.dhr = Some(header.dh);
        let (rk, ckr) = kdf_rk(&next.rk, &x25519_dh(&next.dhs, &header.dh)?);
        next.ckr = Some(ckr);
        if !self.has(SharedFlaw::RatchetReusesKeyPair) {
            next.dhs = *r;
            next.dhs_public = x25519_base(r);
        }
        let (rk, cks) = kdf_rk(&rk, &x25519_dh(&next.dhs, &header.dh)?);
        next.rk = rk;
        next.cks = Some(cks);
        Ok(next)
    }

    /// SPEC §4.6 `RatchetDecrypt`, flawed, transactional: the new state, the
    /// plaintext and the message key used.
    fn ratchet_decrypt(
        &self,
        state: &State,
        message: &RatchetMessage,
        r: &X25519SerializedScalar,
    ) -> Result<(State, ByteSeq, MessageKey), Error> {
        let header = &message.header;
        let ad = header_ad(&state.ad, header);
        for (index, key) in state.skipped.iter().enumerate() {
            if key.n == header.n && key.dh.declassify_eq(&header.dh) {
                let plaintext = spec::ratchet::decrypt(&key.mk, &message.ciphertext, &ad)?;
                let mut next = state.clone();
                if !self.has(SharedFlaw::SkippedKeysNotDeleted) {
                    next.skipped.remove(index);
                }
                next.pending_prekey = None;
                return Ok((next, plaintext, key.mk));
            }
        }
        let current = state
            .dhr
            .as_ref()
            .is_some_and(|dhr| dhr.declassify_eq(&header.dh));
        if current && header.n < state.nr {
            return Err(Error::Duplicate);
        }
        let mut next = state.clone();
        if !current {
            next = self.skip(next, header.pn)?;
            next = self.dh_ratchet(next, header, r)?;
        }
        next = self.skip(next, header.n)?;
        let ckr = next.ckr.ok_or(Error::DecryptionFailed)?;
        let (ckr, mk) = self.kdf_ck(&ckr);
        next.ckr = Some(ckr);
        next.nr = next.nr.checked_add(1).ok_or(Error::ChainExhausted)?;
        let plaintext = spec::ratchet::decrypt(&mk, &message.ciphertext, &ad)?;
        next.pending_prekey = None;
        Ok((next, plaintext, mk))
    }

    /// SPEC §5.2 then §4.6 in a session.
    fn session_decrypt(
        &self,
        state: &State,
        bytes: &ByteSeq,
        r: &X25519SerializedScalar,
    ) -> Result<(State, ByteSeq, MessageKey), Error> {
        match decode_message(bytes)? {
            Message::PreKey(prekey) => {
                let hash = spec::sha256::hash(&encode_prekey_header(&prekey.header));
                let matches = state
                    .prekey_hash
                    .as_ref()
                    .is_some_and(|ours| ours.declassify_eq(&hash));
                if !matches {
                    return Err(Error::PreKeyMismatch);
                }
                self.ratchet_decrypt(state, &prekey.message, r)
            }
            Message::Ratchet(message) => self.ratchet_decrypt(state, &message, r),
        }
    }

    /// SPEC §3.5, §3.6: Bob accepts, with the prekey store's rules (an unknown or
    /// used id is `UnknownPreKey`; the one-time keys are deleted on success).
    fn accept(&mut self, message: &ByteSeq, r: &[u8; 32]) -> Result<Vec<u8>, Failure> {
        let bob = self.bob.clone().ok_or(Failure::NoSession)?;
        let prekey = spec::wire::decode_prekey_message(message)?;
        let header = &prekey.header;
        if header.spk_id != SPK_ID || header.pqpk_id != PQPK_ID || !bob.pq_available {
            return Err(Failure::Refused(lockstep_spec::Error::UnknownPreKey));
        }
        let opk = match header.opk_id {
            Some(OPK_ID) => Some(
                bob.opk
                    .ok_or(Failure::Refused(lockstep_spec::Error::UnknownPreKey))?,
            ),
            Some(_) => return Err(Failure::Refused(lockstep_spec::Error::UnknownPreKey)),
            None => None,
        };
        let keys = BobKeys { opk, ..bob };
        let agreed = self.respond(&keys, header)?;
        let mut state = spec::ratchet::ratchet_init_bob(&agreed.sk, &agreed.ad, &keys.spk);
        state.prekey_hash = Some(spec::sha256::hash(&encode_prekey_header(header)));
        let (state, plaintext, mk) = self.ratchet_decrypt(&state, &prekey.message, &scalar(r))?;
        if let Some(stored) = self.bob.as_mut() {
            if header.opk_id.is_some() {
                stored.opk = None;
            }
            if !stored.pq_last_resort {
                stored.pq_available = false;
            }
        }
        self.states[slot(Party::Bob)] = Some(state);
        self.aead = Some(aead_use(&mk));
        Ok(plaintext.to_native())
    }
}

/// SPEC §4.2: the AEAD key and nonce of a message key (`ENCRYPT` is not flawed).
fn aead_use(mk: &MessageKey) -> AeadUse {
    let (key, nonce) = spec::ratchet::message_key_material(mk);
    AeadUse {
        key: key.to_public_array(),
        nonce: nonce.to_public_array(),
    }
}

impl Driver for FlawedDriver {
    fn name(&self) -> &'static str {
        match self.flaws.as_slice() {
            [] => "assembled",
            [flaw] => flaw.name(),
            _ => "several-shared-flaws",
        }
    }

    fn set_up(&mut self, inputs: &SetUpInputs) -> Result<Vec<u8>, Failure> {
        use spec::xeddsa::XEdDSARandom;
        let ik_b = scalar(&inputs.ik_b);
        let spk = scalar(&inputs.spk_b);
        let (ek, dk) = spec::ml_kem::keygen(
            &seed32(&inputs.pq_seed[..32]),
            &seed32(&inputs.pq_seed[32..]),
        );
        let opk = inputs.set_up.opk.then(|| scalar(&inputs.opk_b));
        let bundle = spec::pqxdh::sign_bundle(
            &ik_b,
            SPK_ID,
            &x25519_base(&spk),
            PQPK_ID,
            inputs.set_up.pq_last_resort,
            &ek,
            opk.as_ref().map(|opk| (OPK_ID, x25519_base(opk))),
            &XEdDSARandom::from_public_slice(&inputs.z_spk),
            &XEdDSARandom::from_public_slice(&inputs.z_pqpk),
        );
        let bytes = spec::wire::encode_bundle(&bundle);
        let verified = spec::pqxdh::verify_bundle(&spec::wire::decode_bundle(&bytes)?)?;
        let alice = self.initiate(
            &scalar(&inputs.ik_a),
            &verified,
            &scalar(&inputs.ek_a),
            &seed32(&inputs.m),
            &scalar(&inputs.r_a),
        )?;
        self.states = [Some(alice), None];
        self.bob = Some(BobKeys {
            ik: ik_b,
            spk,
            dk,
            pq_available: true,
            pq_last_resort: inputs.set_up.pq_last_resort,
            opk,
        });
        self.bundle = Some(verified);
        self.aead = None;
        Ok(bytes.to_native())
    }

    fn other_session(&mut self, inputs: &OtherSessionInputs) -> Result<[Vec<u8>; 2], Failure> {
        let bundle = self.bundle.as_ref().ok_or(Failure::NoSession)?;
        let state = self.initiate(
            &scalar(&inputs.ik),
            bundle,
            &scalar(&inputs.ek),
            &seed32(&inputs.m),
            &scalar(&inputs.r),
        )?;
        let [first, second] = &inputs.plaintexts;
        let (state, one, _) = self.ratchet_encrypt(&state, &ByteSeq::from_public_slice(first))?;
        let (_, two, _) = self.ratchet_encrypt(&state, &ByteSeq::from_public_slice(second))?;
        Ok([one.to_native(), two.to_native()])
    }

    fn encrypt(&mut self, party: Party, plaintext: &[u8]) -> Result<Vec<u8>, Failure> {
        self.aead = None;
        let state = self.states[slot(party)]
            .as_ref()
            .ok_or(Failure::NoSession)?;
        let (next, bytes, mk) =
            self.ratchet_encrypt(state, &ByteSeq::from_public_slice(plaintext))?;
        self.states[slot(party)] = Some(next);
        self.aead = Some(aead_use(&mk));
        Ok(bytes.to_native())
    }

    fn decrypt(&mut self, party: Party, message: &[u8], r: &[u8; 32]) -> Result<Vec<u8>, Failure> {
        self.aead = None;
        let bytes = ByteSeq::from_public_slice(message);
        match (&self.states[slot(party)], party) {
            (Some(state), _) => {
                let (next, plaintext, mk) = self.session_decrypt(state, &bytes, &scalar(r))?;
                self.states[slot(party)] = Some(next);
                self.aead = Some(aead_use(&mk));
                Ok(plaintext.to_native())
            }
            (None, Party::Bob) => self.accept(&bytes, r),
            (None, Party::Alice) => Err(Failure::NoSession),
        }
    }

    fn state(&self, party: Party) -> Option<Vec<u8>> {
        self.states[slot(party)]
            .as_ref()
            .map(|state| spec::state::encode_state(state).to_native())
    }

    fn take_aead_use(&mut self) -> Option<AeadUse> {
        self.aead.take()
    }

    fn verify_bundle(&mut self, bundle: &[u8]) -> Result<(), Failure> {
        crate::driver::spec_verify_bundle(bundle)
    }
}
