//! The spec behind [`VectorSide`]: `lockstep-spec`'s functions on the vectors'
//! bytes. It observes what only the spec shows: the PQXDH intermediates, `KDF` on
//! recorded values, the decoded state fields, the AEAD of a recorded message.

use lockstep_spec as spec;
use lockstep_spec::ByteSeq;
use lockstep_vectors::protocol::{
    FrankedStructure, FrankingReceipt, PqxdhVector, SessionAction, VerifiedReportFields,
};
use spec::franking::{Commitment, FrankingKey, PlatformKey};
use spec::ml_kem::{Ciphertext, DecapsulationKey, EncapsulationKey, Seed32};
use spec::ratchet::State;
use spec::session::{PqPreKey, PreKeyStore};
use spec::x25519::{X25519SerializedPoint, X25519SerializedScalar, x25519_base};
use spec::xeddsa::XEdDSARandom;

use super::{
    ChainStep, DecodedMessage, DecodedState, FrankingIds, NO_SESSION, Operated, PqxdhKeys,
    PqxdhRun, Refusal, Sent, SignedBundle, StateFields, VectorSide,
};
use crate::invariants::{SkippedView, StateView};
use crate::model::Party;

/// `lockstep-spec`, replaying the vectors.
#[derive(Clone, Copy, Debug, Default)]
pub struct SpecSide;

/// Bob's store as far as the spec has one: his keys and, for a last-resort
/// post-quantum prekey, the SPEC §3.5 record of the `EK_A` values it accepted.
///
/// Franking's `FrankAccept` runs on the spec's own [`PreKeyStore`], made from these
/// keys with the handshake's ids ([`SpecStore::prekey_store`]); what it uses up is
/// taken back ([`SpecStore::absorb`]). The plain `accept` keeps every key, as the
/// ratchet vectors need nothing else.
pub struct SpecStore {
    ik_b: X25519SerializedScalar,
    spk_id: u32,
    spk_b: X25519SerializedScalar,
    pqpk_id: u32,
    dk: DecapsulationKey,
    /// Whether the post-quantum prekey is still held (a one-time one is used up by
    /// `FrankAccept`).
    pq_held: bool,
    opk_id: u32,
    opk: Option<X25519SerializedScalar>,
    last_resort: bool,
    record: Vec<X25519SerializedPoint>,
}

/// Both parties' states and Bob's store.
pub struct SpecConversation {
    alice: State,
    bob: Option<State>,
    store: SpecStore,
}

fn seq(bytes: &[u8]) -> ByteSeq {
    ByteSeq::from_public_slice(bytes)
}

fn scalar(bytes: &[u8; 32]) -> X25519SerializedScalar {
    X25519SerializedScalar::from_public_slice(bytes)
}

fn point(bytes: &[u8; 32]) -> X25519SerializedPoint {
    X25519SerializedPoint::from_public_slice(bytes)
}

fn encoded(state: &State) -> Vec<u8> {
    spec::state::encode_state(state).to_native()
}

fn name(e: spec::Error) -> Refusal {
    e.name()
}

/// A byte string of the length a spec type needs, or a refusal (the spec's
/// `from_public_slice` would panic on another length).
fn exactly(bytes: &[u8], len: usize) -> Result<&[u8], Refusal> {
    if bytes.len() == len {
        Ok(bytes)
    } else {
        Err("WrongLength")
    }
}

/// The spec's keys of a handshake, as PQXDH-Bob's inputs.
fn bob_keys(v: &PqxdhVector) -> Result<SpecStore, Refusal> {
    Ok(SpecStore {
        ik_b: scalar(&v.ik_b_private),
        spk_id: v.spk_id,
        spk_b: scalar(&v.spk_b_private),
        pqpk_id: v.pqpk_id,
        dk: DecapsulationKey::from_public_slice(exactly(
            &v.pqpk_b_private,
            spec::ml_kem::DECAPSULATION_KEY_LEN,
        )?),
        pq_held: true,
        opk_id: v.opk.as_ref().map_or(0, |opk| opk.id),
        opk: v.opk.as_ref().map(|opk| scalar(&opk.private)),
        last_resort: v.pq_last_resort,
        record: Vec::new(),
    })
}

fn verified(bundle: &[u8]) -> Result<spec::pqxdh::VerifiedPreKeyBundle, spec::Error> {
    spec::pqxdh::verify_bundle(&spec::wire::decode_bundle(&seq(bundle))?)
}

fn keys(k: &spec::pqxdh::PqxdhKeys) -> PqxdhKeys {
    PqxdhKeys {
        dh1: Some(k.dh1.to_public_array()),
        dh2: Some(k.dh2.to_public_array()),
        dh3: Some(k.dh3.to_public_array()),
        dh4: Some(k.dh4.map(|d| d.to_public_array())),
        ss: Some(k.ss.to_public_array()),
        sk: k.sk.to_public_array(),
        ad: k.ad.to_native(),
        th: k.th.to_public_array(),
    }
}

fn fields(state: &State) -> StateFields {
    StateFields {
        ad: state.ad.to_native(),
        view: StateView {
            dhs: state.dhs.to_public_array(),
            dhr: state.dhr.map(|k| k.to_public_array()),
            rk: state.rk.to_public_array(),
            cks: state.cks.map(|k| k.to_public_array()),
            ckr: state.ckr.map(|k| k.to_public_array()),
            ns: state.ns,
            nr: state.nr,
            pn: state.pn,
            prekey_hash: state.prekey_hash.map(|k| k.to_public_array()),
            skipped: state
                .skipped
                .iter()
                .map(|k| SkippedView {
                    dh: k.dh.to_public_array(),
                    n: k.n,
                    mk: k.mk.to_public_array(),
                })
                .collect(),
            pending_prekey: state.pending_prekey.is_some(),
        },
        pending_prekey: state.pending_prekey.as_ref().map(ByteSeq::to_native),
    }
}

impl SpecStore {
    /// SPEC §3.5: the store as the spec's [`PreKeyStore`], with the handshake's ids.
    fn prekey_store(&self) -> PreKeyStore {
        PreKeyStore {
            ik: self.ik_b,
            signed: vec![(self.spk_id, self.spk_b)],
            post_quantum: if self.pq_held {
                vec![PqPreKey {
                    id: self.pqpk_id,
                    dk: self.dk,
                    last_resort: self.last_resort,
                    record: self.record.clone(),
                }]
            } else {
                Vec::new()
            },
            one_time: self.opk.iter().map(|opk| (self.opk_id, *opk)).collect(),
        }
    }

    /// What a [`PreKeyStore`] made by [`SpecStore::prekey_store`] holds after an
    /// acceptance: the prekeys left, and the last-resort prekey's record.
    fn absorb(&mut self, store: &PreKeyStore) {
        let pq = store.post_quantum.iter().find(|k| k.id == self.pqpk_id);
        self.pq_held = pq.is_some();
        if let Some(pq) = pq {
            self.record.clone_from(&pq.record);
        }
        self.opk = store
            .one_time
            .iter()
            .find(|(id, _)| *id == self.opk_id)
            .map(|(_, opk)| *opk);
    }

    /// SPEC §3.5, §3.6: the replay check, `accept`, and the record on success.
    fn accept(&mut self, wire: &[u8], r: &[u8; 32]) -> Result<(State, ByteSeq), spec::Error> {
        let message = spec::wire::decode_prekey_message(&seq(wire))?;
        if self.last_resort {
            spec::session::check_replay(&self.record, &message.header)?;
        }
        let (state, plaintext, _keys) = spec::session::accept(
            &self.ik_b,
            &self.spk_b,
            &self.dk,
            self.opk.as_ref(),
            &message,
            &scalar(r),
        )?;
        if self.last_resort {
            self.record = spec::session::record_accepted(&self.record, &message.header);
        }
        Ok((state, plaintext))
    }
}

/// A franking context as the spec takes it.
fn ids(ids: FrankingIds<'_>) -> (ByteSeq, ByteSeq) {
    (seq(ids.sender), seq(ids.recipient))
}

impl VectorSide for SpecSide {
    type Conversation = SpecConversation;
    type Store = SpecStore;
    type Receipt = spec::franking::Receipt;

    fn name(&self) -> &'static str {
        "spec"
    }

    fn sha256(&self, bytes: &[u8]) -> [u8; 32] {
        spec::sha256::hash(&seq(bytes)).to_public_array()
    }

    fn sha512(&self, bytes: &[u8]) -> [u8; 64] {
        spec::sha512::hash(&seq(bytes)).to_public_array()
    }

    fn public_key(&self, private: &[u8; 32]) -> [u8; 32] {
        x25519_base(&scalar(private)).to_public_array()
    }

    fn x25519(&self, private: &[u8; 32], public: &[u8; 32]) -> Result<[u8; 32], Refusal> {
        Ok(spec::x25519::x25519(&scalar(private), &point(public)).to_public_array())
    }

    fn ml_kem_keygen(&self, d: &[u8; 32], z: &[u8; 32]) -> (Vec<u8>, Vec<u8>) {
        let (ek, dk) =
            spec::ml_kem::keygen(&Seed32::from_public_slice(d), &Seed32::from_public_slice(z));
        (ek.to_public_array().to_vec(), dk.to_public_array().to_vec())
    }

    fn decapsulate(&self, dk: &[u8], ct: &[u8]) -> Result<[u8; 32], Refusal> {
        let dk =
            DecapsulationKey::from_public_slice(exactly(dk, spec::ml_kem::DECAPSULATION_KEY_LEN)?);
        let ct = Ciphertext::from_public_slice(exactly(ct, spec::ml_kem::CIPHERTEXT_LEN)?);
        spec::ml_kem::decaps(&dk, &ct)
            .map(|ss| ss.to_public_array())
            .map_err(name)
    }

    fn pqxdh_kdf(&self, v: &PqxdhVector) -> Option<[u8; 32]> {
        let sk = spec::pqxdh::kdf(
            &point(&v.dh1),
            &point(&v.dh2),
            &point(&v.dh3),
            v.dh4.map(|d| point(&d)).as_ref(),
            &spec::ml_kem::SharedSecret::from_public_slice(&v.ss),
            // TH = SHA-256(PreKey header), of the recorded header.
            &spec::sha256::hash(&seq(&v.prekey_header)),
        );
        Some(sk.to_public_array())
    }

    fn kdf_ck(&self, ck: &[u8; 32]) -> ([u8; 32], [u8; 32]) {
        let (ck, mk) = spec::ratchet::kdf_ck(&spec::ratchet::ChainKey::from_public_slice(ck));
        (ck.to_public_array(), mk.to_public_array())
    }

    fn message_key_material(&self, mk: &[u8; 32]) -> ([u8; 32], [u8; 12]) {
        let (key, nonce) =
            spec::ratchet::message_key_material(&spec::ratchet::MessageKey::from_public_slice(mk));
        (key.to_public_array(), nonce.to_public_array())
    }

    fn seal_message(
        &self,
        key: &[u8; 32],
        nonce: &[u8; 12],
        ad: &[u8],
        wire: &[u8],
        plaintext: &[u8],
    ) -> Option<Result<Vec<u8>, Refusal>> {
        let sealed = spec::wire::decode_message(&seq(wire)).and_then(|message| {
            let header = match message {
                spec::wire::Message::PreKey(m) => m.message.header,
                spec::wire::Message::Ratchet(m) => m.header,
            };
            let ad = spec::ratchet::header_ad(&seq(ad), &header);
            let (ct, tag) = spec::aead::chacha20_poly1305_encrypt(
                &spec::chacha20::ChaChaKey::from_public_slice(key),
                &spec::chacha20::ChaChaNonce::from_public_slice(nonce),
                &ad,
                &seq(plaintext),
            )?;
            Ok(ct.concat(&tag).to_native())
        });
        Some(sealed.map_err(name))
    }

    fn decode_message(&self, bytes: &[u8]) -> Result<DecodedMessage, Refusal> {
        let message = spec::wire::decode_message(&seq(bytes)).map_err(name)?;
        let reencoded = spec::wire::encode_message(&message).to_native();
        let (prekey_header, ratchet) = match message {
            spec::wire::Message::PreKey(m) => (
                Some(spec::wire::encode_prekey_header(&m.header).to_native()),
                m.message,
            ),
            spec::wire::Message::Ratchet(m) => (None, m),
        };
        Ok(DecodedMessage {
            reencoded,
            prekey_header,
            dh: ratchet.header.dh.to_public_array(),
            pn: ratchet.header.pn,
            n: ratchet.header.n,
            ciphertext: ratchet.ciphertext.to_native(),
        })
    }

    fn decode_bundle(&self, bytes: &[u8]) -> Result<Vec<u8>, Refusal> {
        let bundle = spec::wire::decode_bundle(&seq(bytes)).map_err(name)?;
        Ok(spec::wire::encode_bundle(&bundle).to_native())
    }

    fn verify_bundle(&self, bytes: &[u8]) -> Result<(), Refusal> {
        verified(bytes).map(|_| ()).map_err(name)
    }

    fn decode_state(&self, bytes: &[u8]) -> Result<DecodedState, Refusal> {
        let state = spec::state::decode_state(&seq(bytes)).map_err(name)?;
        Ok(DecodedState {
            reencoded: encoded(&state),
            fields: Some(fields(&state)),
        })
    }

    fn sign_bundle(&self, v: &PqxdhVector) -> Result<SignedBundle, Refusal> {
        let bundle = spec::pqxdh::sign_bundle(
            &scalar(&v.ik_b_private),
            v.spk_id,
            &point(&v.spk_b),
            v.pqpk_id,
            v.pq_last_resort,
            &EncapsulationKey::from_public_slice(exactly(
                &v.pqpk_b,
                spec::ml_kem::ENCAPSULATION_KEY_LEN,
            )?),
            v.opk.as_ref().map(|opk| (opk.id, point(&opk.public))),
            &XEdDSARandom::from_public_slice(&v.z_spk),
            &XEdDSARandom::from_public_slice(&v.z_pqpk),
        );
        Ok(SignedBundle {
            spk_sig: bundle.spk_sig.to_public_array().to_vec(),
            pqpk_sig: bundle.pqpk_sig.to_public_array().to_vec(),
            bundle: spec::wire::encode_bundle(&bundle).to_native(),
            recorded_decodes_to_it: None,
        })
    }

    fn pqxdh(&self, v: &PqxdhVector) -> Result<PqxdhRun, (&'static str, Refusal)> {
        let bundle = verified(&v.bundle).map_err(|e| ("decode and verify the bundle", e.name()))?;
        let (alice, header) = spec::pqxdh::initiate(
            &scalar(&v.ik_a_private),
            &bundle,
            &scalar(&v.ek_a_private),
            &Seed32::from_public_slice(&v.m),
        )
        .map_err(|e| ("pqxdh::initiate", e.name()))?;
        let bob = bob_keys(v).and_then(|k| {
            spec::pqxdh::respond(&k.ik_b, &k.spk_b, &k.dk, k.opk.as_ref(), &header)
                .map(|bob| keys(&bob))
                .map_err(name)
        });
        Ok(PqxdhRun {
            alice: keys(&alice),
            prekey_header: spec::wire::encode_prekey_header(&header).to_native(),
            ct: header.ct.to_public_array().to_vec(),
            opk_id: header.opk_id,
            bob,
        })
    }

    fn store(&self, h: &PqxdhVector) -> Result<SpecStore, Refusal> {
        bob_keys(h)
    }

    fn accept(
        &self,
        store: &mut SpecStore,
        wire: &[u8],
        r: &[u8; 32],
    ) -> Result<(Vec<u8>, Vec<u8>), Refusal> {
        let (state, plaintext) = store.accept(wire, r).map_err(name)?;
        Ok((plaintext.to_native(), encoded(&state)))
    }

    fn start(
        &self,
        h: &PqxdhVector,
        alice_r: &[u8; 32],
    ) -> Result<(SpecConversation, Option<[u8; 32]>), Refusal> {
        let bundle = verified(&h.bundle).map_err(name)?;
        let (alice, keys) = spec::session::initiate(
            &scalar(&h.ik_a_private),
            &bundle,
            &scalar(&h.ek_a_private),
            &Seed32::from_public_slice(&h.m),
            &scalar(alice_r),
        )
        .map_err(name)?;
        let conversation = SpecConversation {
            alice,
            bob: None,
            store: bob_keys(h)?,
        };
        Ok((conversation, Some(keys.sk.to_public_array())))
    }

    fn state(&self, c: &SpecConversation, party: Party) -> Option<Vec<u8>> {
        match party {
            Party::Alice => Some(encoded(&c.alice)),
            Party::Bob => c.bob.as_ref().map(encoded),
        }
    }

    fn conversation_store<'a>(&self, c: &'a SpecConversation) -> &'a SpecStore {
        &c.store
    }

    fn encrypt(
        &self,
        c: &mut SpecConversation,
        party: Party,
        plaintext: &[u8],
    ) -> Result<Sent, Refusal> {
        let state = match party {
            Party::Alice => &mut c.alice,
            Party::Bob => c.bob.as_mut().ok_or(NO_SESSION)?,
        };
        // SPEC §4.5: CKs, mk = KDF_CK(CKs); the AEAD key and nonce the spec seals
        // with; CKs after, as the new state holds it.
        let before = state.cks.as_ref().map(|cks| {
            let mk = spec::ratchet::kdf_ck(cks).1;
            let (key, nonce) = spec::ratchet::message_key_material(&mk);
            (
                cks.to_public_array(),
                mk.to_public_array(),
                (key.to_public_array(), nonce.to_public_array()),
            )
        });
        let (next, wire) = spec::session::encrypt(state, &seq(plaintext)).map_err(name)?;
        let chain = match (before, next.cks.as_ref()) {
            (Some((ck_before, mk, _)), Some(ck_after)) => Some(ChainStep {
                ck_before,
                ck_after: ck_after.to_public_array(),
                mk,
            }),
            _ => None,
        };
        *state = next;
        Ok(Sent {
            wire: wire.to_native(),
            aead: before.map(|(_, _, aead)| aead),
            chain,
        })
    }

    fn deliver(
        &self,
        c: &mut SpecConversation,
        party: Party,
        wire: &[u8],
        r: &[u8; 32],
    ) -> Result<Vec<u8>, Refusal> {
        let state = match party {
            Party::Alice => &mut c.alice,
            Party::Bob => match c.bob.as_mut() {
                Some(state) => state,
                None => {
                    // Bob's first message: PQXDH, then the ratchet.
                    let (state, plaintext) = c.store.accept(wire, r).map_err(name)?;
                    c.bob = Some(state);
                    return Ok(plaintext.to_native());
                }
            },
        };
        let (next, plaintext) =
            spec::session::decrypt(state, &seq(wire), &scalar(r)).map_err(name)?;
        *state = next;
        Ok(plaintext.to_native())
    }

    fn session_operation(
        &self,
        state: &[u8],
        action: SessionAction,
        input: &[u8],
        r: Option<&[u8; 32]>,
    ) -> Result<Operated, Refusal> {
        let state = spec::state::decode_state(&seq(state)).map_err(name)?;
        let result = match (action, r) {
            (SessionAction::Encrypt, _) => spec::session::encrypt(&state, &seq(input)),
            (SessionAction::Decrypt, Some(r)) => {
                spec::session::decrypt(&state, &seq(input), &scalar(r))
            }
            (SessionAction::Decrypt, None) => {
                return Ok(Operated {
                    result: Err("NoRandomness"),
                    state_after: encoded(&state),
                });
            }
        };
        Ok(match result {
            Ok((next, out)) => Operated {
                result: Ok(out.to_native()),
                state_after: encoded(&next),
            },
            // A refused operation leaves the state as it was.
            Err(e) => Operated {
                result: Err(e.name()),
                state_after: encoded(&state),
            },
        })
    }

    fn commit(&self, fk: &[u8; 32], ctx: FrankingIds<'_>, m: &[u8]) -> Result<[u8; 32], Refusal> {
        let (sender, recipient) = ids(ctx);
        spec::franking::commit(
            &FrankingKey::from_public_slice(fk),
            &sender,
            &recipient,
            &seq(m),
        )
        .map(|c| c.to_public_array())
        .map_err(name)
    }

    fn stamp_tag(
        &self,
        kp: &[u8; 32],
        c: &[u8; 32],
        ctx: FrankingIds<'_>,
        t: u64,
    ) -> Result<[u8; 32], Refusal> {
        let (sender, recipient) = ids(ctx);
        spec::franking::stamp_tag(
            &PlatformKey::from_public_slice(kp),
            &Commitment::from_public_slice(c),
            &sender,
            &recipient,
            t,
        )
        .map(|tag| tag.to_public_array())
        .map_err(name)
    }

    fn stamp(
        &self,
        kp: &[u8; 32],
        ctx: FrankingIds<'_>,
        t: u64,
        submission: &[u8],
    ) -> Result<Vec<u8>, Refusal> {
        let (sender, recipient) = ids(ctx);
        spec::franking::stamp(
            &PlatformKey::from_public_slice(kp),
            &sender,
            &recipient,
            t,
            &seq(submission),
        )
        .map(|delivery| delivery.to_native())
        .map_err(name)
    }

    fn decode_franked(
        &self,
        structure: FrankedStructure,
        bytes: &[u8],
    ) -> Result<Vec<u8>, Refusal> {
        let bytes = seq(bytes);
        let encoded = match structure {
            FrankedStructure::Submission => spec::franking::decode_submission(&bytes)
                .map(|s| spec::franking::encode_submission(&s)),
            FrankedStructure::Delivery => {
                spec::franking::decode_delivery(&bytes).map(|d| spec::franking::encode_delivery(&d))
            }
            FrankedStructure::Report => spec::franking::decode_report(&bytes)
                .and_then(|r| spec::franking::encode_report(&r)),
        };
        encoded.map(|e| e.to_native()).map_err(name)
    }

    fn verify_report(
        &self,
        kp: &[u8; 32],
        reporter: &[u8],
        report: &[u8],
    ) -> Result<VerifiedReportFields, Refusal> {
        let verified = spec::franking::verify_report(
            &PlatformKey::from_public_slice(kp),
            &seq(reporter),
            &seq(report),
        )
        .map_err(name)?;
        Ok(VerifiedReportFields {
            sender: verified.sender.to_native(),
            recipient: verified.recipient.to_native(),
            t: verified.t,
            m: verified.m.to_native(),
        })
    }

    fn frank_encrypt(
        &self,
        c: &mut SpecConversation,
        party: Party,
        ctx: FrankingIds<'_>,
        fk: &[u8; 32],
        m: &[u8],
    ) -> Result<Vec<u8>, Refusal> {
        let state = match party {
            Party::Alice => &mut c.alice,
            Party::Bob => c.bob.as_mut().ok_or(NO_SESSION)?,
        };
        let (sender, recipient) = ids(ctx);
        let (next, submission) = spec::franking::frank_encrypt(
            state,
            &sender,
            &recipient,
            &FrankingKey::from_public_slice(fk),
            &seq(m),
        )
        .map_err(name)?;
        *state = next;
        Ok(submission.to_native())
    }

    fn frank_deliver(
        &self,
        c: &mut SpecConversation,
        party: Party,
        ctx: FrankingIds<'_>,
        delivery: &[u8],
        r: &[u8; 32],
    ) -> Result<(Vec<u8>, spec::franking::Receipt), Refusal> {
        let (sender, recipient) = ids(ctx);
        let state = match party {
            Party::Alice => &mut c.alice,
            Party::Bob => match c.bob.as_mut() {
                Some(state) => state,
                None => {
                    // Bob's first message: FrankAccept, on the spec's prekey store.
                    let (store, state, m, receipt, _keys) = spec::franking::frank_accept(
                        &c.store.prekey_store(),
                        &sender,
                        &recipient,
                        &seq(delivery),
                        &scalar(r),
                    )
                    .map_err(name)?;
                    c.store.absorb(&store);
                    c.bob = Some(state);
                    return Ok((m.to_native(), receipt));
                }
            },
        };
        let (next, m, receipt) =
            spec::franking::frank_decrypt(state, &sender, &recipient, &seq(delivery), &scalar(r))
                .map_err(name)?;
        *state = next;
        Ok((m.to_native(), receipt))
    }

    fn receipt_fields(&self, receipt: &spec::franking::Receipt) -> FrankingReceipt {
        FrankingReceipt {
            t: receipt.t,
            c: receipt.c.to_public_array(),
            tag: receipt.tag.to_public_array(),
            fk: receipt.fk.to_public_array(),
        }
    }

    fn report(&self, receipt: &spec::franking::Receipt, m: &[u8]) -> Result<Vec<u8>, Refusal> {
        spec::franking::report(receipt, &seq(m))
            .map(|report| report.to_native())
            .map_err(name)
    }
}
