//! The implementation behind [`VectorSide`]: `lockstep`'s public API on the vectors'
//! bytes. Its errors are read by their SPEC §7 name only. It observes what only the
//! implementation shows: its prekey store after an accept, its borrowed message
//! decoder, and the AEAD key and nonce each send sealed with
//! (`lockstep::aead::observe`).

use lockstep::bundle::{OneTimePreKeyId, PqPreKeyId, SignedPreKeyId};
use lockstep::franking::{
    self, Commitment, FrankingContext, FrankingKey, PartyId, PlatformKey, Receipt,
};
use lockstep::ml_kem::{self, Ciphertext};
use lockstep::pqxdh::{self, IdentityKeyPair};
use lockstep::ratchet::{ChainKey, MessageKey, kdf_ck, message_key_material};
use lockstep::session::{InMemoryPreKeyStore, PqPreKeyKind, Session};
use lockstep::wire::{self, PreKeyBundle, encode_prekey_header};
use lockstep::x25519::{PrivateKey, PublicKey};
use lockstep_vectors::protocol::{
    FrankedStructure, FrankingReceipt, PqxdhVector, SessionAction, VerifiedReportFields,
};
use sha2::Digest;

use super::{
    DecodedMessage, DecodedState, FrankingIds, NO_SESSION, Operated, PqxdhKeys, PqxdhRun,
    PreKeysHeld, Refusal, Sent, SignedBundle, VectorSide,
};
use crate::model::Party;

/// `lockstep`, replaying the vectors.
#[derive(Clone, Copy, Debug, Default)]
pub struct ImplSide;

/// Bob's identity and his prekey store.
pub struct ImplStore {
    ik_b: IdentityKeyPair,
    store: InMemoryPreKeyStore,
}

/// Both parties' sessions and Bob's store.
pub struct ImplConversation {
    alice: Session,
    bob: Option<Session>,
    store: ImplStore,
}

fn name(e: lockstep::Error) -> Refusal {
    e.name()
}

/// The ML-KEM-1024 key generation seed `d ‖ z`.
fn seed(d: &[u8; 32], z: &[u8; 32]) -> [u8; 64] {
    let mut seed = [0u8; 64];
    seed[..32].copy_from_slice(d);
    seed[32..].copy_from_slice(z);
    seed
}

/// The last AEAD seal `lockstep::aead::observe` recorded since it was started.
fn sealed() -> Option<([u8; 32], [u8; 12])> {
    let (key, nonce, sealed) = lockstep::aead::observe::take().pop()?;
    sealed.then_some((key, nonce))
}

fn session(party: Party, c: &mut ImplConversation) -> Option<&mut Session> {
    match party {
        Party::Alice => Some(&mut c.alice),
        Party::Bob => c.bob.as_mut(),
    }
}

impl ImplStore {
    fn accept(&mut self, wire: &[u8], r: &[u8; 32]) -> Result<(Session, Vec<u8>), Refusal> {
        Session::accept_with(&self.ik_b, &mut self.store, wire, r).map_err(name)
    }
}

/// A franking context as the implementation takes it: identifiers outside 1..64
/// bytes are refused here, as the spec's functions refuse them.
fn context(ids: FrankingIds<'_>) -> Result<FrankingContext, Refusal> {
    Ok(FrankingContext::new(
        PartyId::new(ids.sender).map_err(name)?,
        PartyId::new(ids.recipient).map_err(name)?,
    ))
}

impl VectorSide for ImplSide {
    type Conversation = ImplConversation;
    type Store = ImplStore;
    type Receipt = Receipt;

    fn name(&self) -> &'static str {
        "impl"
    }

    fn sha256(&self, bytes: &[u8]) -> [u8; 32] {
        sha2::Sha256::digest(bytes).into()
    }

    fn sha512(&self, bytes: &[u8]) -> [u8; 64] {
        sha2::Sha512::digest(bytes).into()
    }

    fn public_key(&self, private: &[u8; 32]) -> [u8; 32] {
        *PrivateKey::from_bytes(*private).public_key().as_bytes()
    }

    fn identity_public_key(&self, private: &[u8; 32]) -> [u8; 32] {
        *IdentityKeyPair::from_private_bytes(*private)
            .public_key()
            .as_bytes()
    }

    fn x25519(&self, private: &[u8; 32], public: &[u8; 32]) -> Result<[u8; 32], Refusal> {
        PrivateKey::from_bytes(*private)
            .diffie_hellman(&PublicKey::from_bytes(*public))
            .map(|shared| *shared.as_bytes())
            .map_err(name)
    }

    fn ml_kem_keygen(&self, d: &[u8; 32], z: &[u8; 32]) -> (Vec<u8>, Vec<u8>) {
        let (ek, dk) = ml_kem::keygen_derand(&seed(d, z));
        (ek.as_bytes().to_vec(), dk.to_bytes().to_vec())
    }

    fn decapsulate(&self, dk: &[u8], ct: &[u8]) -> Result<[u8; 32], Refusal> {
        let dk = ml_kem::DecapsulationKey::from_bytes(dk).map_err(name)?;
        let ct = Ciphertext::from_bytes(ct).map_err(name)?;
        Ok(*dk.decaps(&ct).as_bytes())
    }

    fn kdf_ck(&self, ck: &[u8; 32]) -> ([u8; 32], [u8; 32]) {
        let (ck, mk) = kdf_ck(&ChainKey::from_bytes(*ck));
        (*ck.expose_secret(), *mk.expose_secret())
    }

    fn message_key_material(&self, mk: &[u8; 32]) -> ([u8; 32], [u8; 12]) {
        let (key, nonce) = message_key_material(&MessageKey::from_bytes(*mk));
        // The key's bytes are not public: read them from a seal of nothing, as
        // `lockstep::aead::observe` records it. (All zero if nothing was recorded,
        // which no vector records.)
        lockstep::aead::observe::start();
        let seal = lockstep::aead::seal(&key, &nonce, &[], &[]);
        let key = sealed()
            .filter(|_| seal.is_ok())
            .map_or([0; 32], |(key, _)| key);
        (key, nonce.0)
    }

    fn decode_message(&self, bytes: &[u8]) -> Result<DecodedMessage, Refusal> {
        let message = wire::decode_message(bytes).map_err(name)?;
        let reencoded = wire::encode_message(&message);
        let (prekey_header, ratchet) = match message {
            wire::Message::PreKey(p) => (Some(encode_prekey_header(&p.header)), p.message),
            wire::Message::Ratchet(r) => (None, r),
        };
        Ok(DecodedMessage {
            reencoded,
            prekey_header,
            dh: ratchet.header.dh,
            pn: ratchet.header.pn,
            n: ratchet.header.n,
            ciphertext: ratchet.ciphertext,
        })
    }

    fn decode_message_again(&self, bytes: &[u8]) -> Option<Result<(), Refusal>> {
        // The session's own decoder, the borrowed one.
        Some(wire::decode_message_ref(bytes).map(|_| ()).map_err(name))
    }

    fn decode_bundle(&self, bytes: &[u8]) -> Result<Vec<u8>, Refusal> {
        PreKeyBundle::from_bytes(bytes)
            .map(|b| b.to_bytes())
            .map_err(name)
    }

    fn verify_bundle(&self, bytes: &[u8]) -> Result<(), Refusal> {
        PreKeyBundle::from_bytes(bytes)
            .and_then(|b| b.verify())
            .map(|_| ())
            .map_err(name)
    }

    fn decode_state(&self, bytes: &[u8]) -> Result<DecodedState, Refusal> {
        let session = Session::from_bytes(bytes).map_err(name)?;
        Ok(DecodedState {
            reencoded: session.to_bytes().to_vec(),
            fields: None,
        })
    }

    fn sign_bundle(&self, v: &PqxdhVector) -> Result<SignedBundle, Refusal> {
        let (ek, _dk) = ml_kem::keygen_derand(&seed(&v.pqpk_d, &v.pqpk_z));
        let bundle = pqxdh::sign_bundle(
            &IdentityKeyPair::from_private_bytes(v.ik_b_private),
            v.spk_id,
            &PrivateKey::from_bytes(v.spk_b_private).public_key(),
            v.pqpk_id,
            v.pq_last_resort,
            &ek,
            v.opk
                .as_ref()
                .map(|o| (o.id, PrivateKey::from_bytes(o.private).public_key())),
            &v.z_spk,
            &v.z_pqpk,
        );
        let bytes = bundle.to_bytes();
        Ok(SignedBundle {
            spk_sig: bytes.get(69..133).unwrap_or_default().to_vec(),
            pqpk_sig: bytes.get(1706..1770).unwrap_or_default().to_vec(),
            recorded_decodes_to_it: Some(
                PreKeyBundle::from_bytes(&v.bundle).is_ok_and(|decoded| decoded == bundle),
            ),
            bundle: bytes,
        })
    }

    fn pqxdh(&self, v: &PqxdhVector) -> Result<PqxdhRun, (&'static str, Refusal)> {
        let verified = PreKeyBundle::from_bytes(&v.bundle)
            .and_then(|b| b.verify())
            .map_err(|e| ("decode and verify the bundle", e.name()))?;
        let ik_a = IdentityKeyPair::from_private_bytes(v.ik_a_private);
        let (alice, header) = pqxdh::initiate(&ik_a, &verified, &v.ek_a_private, &v.m)
            .map_err(|e| ("pqxdh::initiate", e.name()))?;
        let keys = |k: &pqxdh::PqxdhKeys| PqxdhKeys {
            sk: *k.sk.expose_secret(),
            ad: k.ad.to_vec(),
            th: k.th,
            ..PqxdhKeys::default()
        };
        let bob = ml_kem::DecapsulationKey::from_bytes(&v.pqpk_b_private)
            .and_then(|dk| {
                let opk = v.opk.as_ref().map(|o| PrivateKey::from_bytes(o.private));
                pqxdh::respond(
                    &IdentityKeyPair::from_private_bytes(v.ik_b_private),
                    &PrivateKey::from_bytes(v.spk_b_private),
                    &dk,
                    opk.as_ref(),
                    &header,
                )
            })
            .map(|k| keys(&k))
            .map_err(name);
        Ok(PqxdhRun {
            alice: keys(&alice),
            prekey_header: encode_prekey_header(&header),
            ct: header.ct.as_bytes().to_vec(),
            opk_id: header.opk_id,
            bob,
        })
    }

    fn store(&self, h: &PqxdhVector) -> Result<ImplStore, Refusal> {
        let mut store = InMemoryPreKeyStore::new();
        store.add_signed_prekey(
            SignedPreKeyId(h.spk_id),
            &PrivateKey::from_bytes(h.spk_b_private),
        );
        let dk = ml_kem::DecapsulationKey::from_bytes(&h.pqpk_b_private).map_err(name)?;
        let kind = if h.pq_last_resort {
            PqPreKeyKind::LastResort
        } else {
            PqPreKeyKind::OneTime
        };
        store.add_pq_prekey(PqPreKeyId(h.pqpk_id), &dk, kind);
        if let Some(opk) = &h.opk {
            store.add_one_time_prekey(
                OneTimePreKeyId(opk.id),
                &PrivateKey::from_bytes(opk.private),
            );
        }
        Ok(ImplStore {
            ik_b: IdentityKeyPair::from_private_bytes(h.ik_b_private),
            store,
        })
    }

    fn accept(
        &self,
        store: &mut ImplStore,
        wire: &[u8],
        r: &[u8; 32],
    ) -> Result<(Vec<u8>, Vec<u8>), Refusal> {
        let (session, plaintext) = store.accept(wire, r)?;
        Ok((plaintext, session.to_bytes().to_vec()))
    }

    fn prekeys_held(&self, store: &ImplStore, h: &PqxdhVector) -> Option<PreKeysHeld> {
        Some(PreKeysHeld {
            one_time: h
                .opk
                .as_ref()
                .is_some_and(|opk| store.store.has_one_time_prekey(OneTimePreKeyId(opk.id))),
            post_quantum: store.store.has_pq_prekey(PqPreKeyId(h.pqpk_id)),
        })
    }

    fn start(
        &self,
        h: &PqxdhVector,
        alice_r: &[u8; 32],
    ) -> Result<(ImplConversation, Option<[u8; 32]>), Refusal> {
        let bundle = PreKeyBundle::from_bytes(&h.bundle)
            .and_then(|b| b.verify())
            .map_err(name)?;
        let alice = Session::initiate_with(
            &IdentityKeyPair::from_private_bytes(h.ik_a_private),
            &bundle,
            &h.ek_a_private,
            &h.m,
            alice_r,
        )
        .map_err(name)?;
        let conversation = ImplConversation {
            alice,
            bob: None,
            store: self.store(h)?,
        };
        Ok((conversation, None))
    }

    fn state(&self, c: &ImplConversation, party: Party) -> Option<Vec<u8>> {
        let session = match party {
            Party::Alice => Some(&c.alice),
            Party::Bob => c.bob.as_ref(),
        };
        session.map(|s| s.to_bytes().to_vec())
    }

    fn conversation_store<'a>(&self, c: &'a ImplConversation) -> &'a ImplStore {
        &c.store
    }

    fn encrypt(
        &self,
        c: &mut ImplConversation,
        party: Party,
        plaintext: &[u8],
    ) -> Result<Sent, Refusal> {
        let session = session(party, c).ok_or(NO_SESSION)?;
        lockstep::aead::observe::start();
        let wire = session.encrypt(plaintext).map_err(name)?;
        Ok(Sent {
            wire,
            aead: sealed(),
            chain: None,
        })
    }

    fn deliver(
        &self,
        c: &mut ImplConversation,
        party: Party,
        wire: &[u8],
        r: &[u8; 32],
    ) -> Result<Vec<u8>, Refusal> {
        if party == Party::Bob && c.bob.is_none() {
            let (session, plaintext) = c.store.accept(wire, r)?;
            c.bob = Some(session);
            return Ok(plaintext);
        }
        session(party, c)
            .ok_or(NO_SESSION)?
            .decrypt_with(wire, r)
            .map_err(name)
    }

    fn session_operation(
        &self,
        state: &[u8],
        action: SessionAction,
        input: &[u8],
        r: Option<&[u8; 32]>,
    ) -> Result<Operated, Refusal> {
        let mut session = Session::from_bytes(state).map_err(name)?;
        let result = match (action, r) {
            (SessionAction::Encrypt, _) => session.encrypt(input).map_err(name),
            (SessionAction::Decrypt, Some(r)) => session.decrypt_with(input, r).map_err(name),
            (SessionAction::Decrypt, None) => Err("NoRandomness"),
        };
        Ok(Operated {
            result,
            state_after: session.to_bytes().to_vec(),
        })
    }

    fn commit(&self, fk: &[u8; 32], ids: FrankingIds<'_>, m: &[u8]) -> Result<[u8; 32], Refusal> {
        let ctx = context(ids)?;
        Ok(franking::commit(&FrankingKey::from_bytes(*fk), &ctx, m).0)
    }

    fn stamp_tag(
        &self,
        kp: &[u8; 32],
        c: &[u8; 32],
        ids: FrankingIds<'_>,
        t: u64,
    ) -> Result<[u8; 32], Refusal> {
        let ctx = context(ids)?;
        Ok(franking::stamp_tag(&PlatformKey::from_bytes(*kp), &Commitment(*c), &ctx, t).0)
    }

    fn stamp(
        &self,
        kp: &[u8; 32],
        ids: FrankingIds<'_>,
        t: u64,
        submission: &[u8],
    ) -> Result<Vec<u8>, Refusal> {
        let ctx = context(ids)?;
        PlatformKey::from_bytes(*kp)
            .stamp(&ctx, t, submission)
            .map_err(name)
    }

    fn decode_franked(
        &self,
        structure: FrankedStructure,
        bytes: &[u8],
    ) -> Result<Vec<u8>, Refusal> {
        match structure {
            FrankedStructure::Submission => {
                franking::decode_submission(bytes).map(|s| franking::encode_submission(&s))
            }
            FrankedStructure::Delivery => {
                franking::decode_delivery(bytes).map(|d| franking::encode_delivery(&d))
            }
            FrankedStructure::Report => {
                franking::decode_report(bytes).map(|r| franking::encode_report(&r))
            }
        }
        .map_err(name)
    }

    fn verify_report(
        &self,
        kp: &[u8; 32],
        reporter: &[u8],
        report: &[u8],
    ) -> Result<VerifiedReportFields, Refusal> {
        // The reporter is an account the platform knows: an identifier of 1 to 64
        // bytes (no vector names another).
        let reporter = PartyId::new(reporter).map_err(name)?;
        let verified = PlatformKey::from_bytes(*kp)
            .verify_report(&reporter, report)
            .map_err(name)?;
        Ok(VerifiedReportFields {
            sender: verified.context.sender.as_bytes().to_vec(),
            recipient: verified.context.recipient.as_bytes().to_vec(),
            t: verified.t,
            m: verified.message,
        })
    }

    fn frank_encrypt(
        &self,
        c: &mut ImplConversation,
        party: Party,
        ids: FrankingIds<'_>,
        fk: &[u8; 32],
        m: &[u8],
    ) -> Result<Vec<u8>, Refusal> {
        let ctx = context(ids)?;
        session(party, c)
            .ok_or(NO_SESSION)?
            .encrypt_franked_with(&ctx, fk, m)
            .map_err(name)
    }

    fn frank_deliver(
        &self,
        c: &mut ImplConversation,
        party: Party,
        ids: FrankingIds<'_>,
        delivery: &[u8],
        r: &[u8; 32],
    ) -> Result<(Vec<u8>, Receipt), Refusal> {
        let ctx = context(ids)?;
        if party == Party::Bob && c.bob.is_none() {
            // Bob's first message: FrankAccept, trusting every IK_A (the vectors
            // check the commitment, not the application's identity policy).
            let (session, m, receipt) = Session::accept_franked_with(
                &c.store.ik_b,
                &mut c.store.store,
                &ctx,
                delivery,
                r,
                |_| true,
            )
            .map_err(name)?;
            c.bob = Some(session);
            return Ok((m, receipt));
        }
        session(party, c)
            .ok_or(NO_SESSION)?
            .decrypt_franked_with(&ctx, delivery, r)
            .map_err(name)
    }

    fn receipt_fields(&self, receipt: &Receipt) -> FrankingReceipt {
        FrankingReceipt {
            t: receipt.time(),
            c: receipt.commitment().0,
            tag: receipt.stamp_tag().0,
            fk: *receipt.franking_key().as_bytes(),
        }
    }

    fn report(&self, receipt: &Receipt, m: &[u8]) -> Result<Vec<u8>, Refusal> {
        receipt.report(m).map_err(name)
    }
}
