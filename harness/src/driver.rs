//! Drivers: one conversation interface, [`Driver`], with the spec and the
//! implementation behind it.
//!
//! A driver holds both parties of one session (Alice's and, once he has accepted,
//! Bob's) and Bob's private prekeys. It never draws randomness: the runner
//! ([`crate::run`]) hands it every key and every ratchet key as bytes, the same
//! bytes to both drivers, so their outputs can be compared byte for byte.
//!
//! Both sides' errors carry SPEC §7's names, and become one [`Failure`], so the
//! transcripts compare refusals as well as outputs: the two sides must refuse the
//! same input for the same reason.

use lockstep::bundle::{OneTimePreKeyId, PqPreKeyId, SignedPreKeyId};
use lockstep::session::{InMemoryPreKeyStore, PqPreKeyKind, Session};
use lockstep_spec as spec;
use lockstep_spec::ByteSeq;
use serde::{Deserialize, Serialize};

use crate::invariants::{MessageView, StateView, scheduled_key};
use crate::model::{Party, SetUp};

/// The id of Bob's signed prekey in every scenario.
pub const SPK_ID: u32 = 1;
/// The id of Bob's post-quantum prekey.
pub const PQPK_ID: u32 = 2;
/// The id of Bob's one-time prekey, when the bundle has one.
pub const OPK_ID: u32 = 3;

/// Why a driver refused, in the one vocabulary both sides share: the error names of
/// SPEC §7, which `lockstep_spec::Error` and `lockstep::Error` both carry, and the
/// harness's own [`Failure::NoSession`].
///
/// The implementation's error becomes the spec's error of the same name (no table:
/// the names are the contract, and a test holds both lists to SPEC §7); an
/// implementation error with no spec twin stays [`Failure::Other`], which makes any
/// comparison fail. In reproducer files a refusal is its SPEC §7 name
/// (`"Duplicate"`), as before.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "FailureRepr", try_from = "FailureRepr")]
pub enum Failure {
    /// A refusal SPEC §7 names.
    Refused(spec::Error),
    /// The harness: the party has no session (Bob before he accepts).
    NoSession,
    /// An error with no twin on the other side; its name, for the report. Any such
    /// refusal makes the comparison fail.
    Other(String),
}

impl From<spec::Error> for Failure {
    fn from(error: spec::Error) -> Self {
        Failure::Refused(error)
    }
}

impl From<lockstep::Error> for Failure {
    fn from(error: lockstep::Error) -> Self {
        spec_error_named(error.name()).map_or_else(
            || Failure::Other(format!("impl::{}", error.name())),
            Failure::Refused,
        )
    }
}

/// The spec's error called `name` in SPEC §7, if there is one.
#[must_use]
pub fn spec_error_named(name: &str) -> Option<spec::Error> {
    spec::Error::ALL.iter().copied().find(|e| e.name() == name)
}

/// How a [`Failure`] is written in reproducer files: a SPEC §7 name (or
/// `"NoSession"`), or `{"Other": "..."}`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum FailureRepr {
    /// A refusal's SPEC §7 name, or `NoSession`.
    Name(String),
    /// [`Failure::Other`].
    Other {
        /// The error's name, for the report.
        #[serde(rename = "Other")]
        other: String,
    },
}

impl From<Failure> for FailureRepr {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Refused(e) => FailureRepr::Name(e.name().to_owned()),
            Failure::NoSession => FailureRepr::Name("NoSession".to_owned()),
            Failure::Other(other) => FailureRepr::Other { other },
        }
    }
}

impl TryFrom<FailureRepr> for Failure {
    type Error = String;

    fn try_from(repr: FailureRepr) -> Result<Self, String> {
        match repr {
            FailureRepr::Name(name) if name == "NoSession" => Ok(Failure::NoSession),
            FailureRepr::Name(name) => spec_error_named(&name)
                .map(Failure::Refused)
                .ok_or_else(|| format!("no SPEC §7 error {name:?}")),
            FailureRepr::Other { other } => Ok(Failure::Other(other)),
        }
    }
}

/// Every secret and random input of a session's set-up, as bytes (drawn by the
/// runner from the scenario's seed).
#[derive(Clone, Debug)]
pub struct SetUpInputs {
    /// The bundle's shape.
    pub set_up: SetUp,
    /// Alice's identity private key.
    pub ik_a: [u8; 32],
    /// Bob's identity private key.
    pub ik_b: [u8; 32],
    /// Bob's signed prekey (private).
    pub spk_b: [u8; 32],
    /// Bob's one-time prekey (private), used if `set_up.opk`.
    pub opk_b: [u8; 32],
    /// Bob's ML-KEM-1024 key generation seed `d ‖ z`.
    pub pq_seed: [u8; 64],
    /// XEdDSA randomness `Z` of the signed prekey's signature.
    pub z_spk: [u8; 64],
    /// XEdDSA randomness `Z` of the post-quantum prekey's signature.
    pub z_pqpk: [u8; 64],
    /// Alice's ephemeral private key.
    pub ek_a: [u8; 32],
    /// Alice's encapsulation randomness.
    pub m: [u8; 32],
    /// Alice's first ratchet private key.
    pub r_a: [u8; 32],
}

/// The inputs of another Alice's session with the same Bob (for injection).
#[derive(Clone, Debug)]
pub struct OtherSessionInputs {
    /// Her identity private key.
    pub ik: [u8; 32],
    /// Her ephemeral private key.
    pub ek: [u8; 32],
    /// Her encapsulation randomness.
    pub m: [u8; 32],
    /// Her first ratchet private key.
    pub r: [u8; 32],
    /// The plaintexts of her two messages.
    pub plaintexts: [Vec<u8>; 2],
}

/// What the adversary gets from [`Driver::compromise`]: everything the party holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exposure {
    /// Every session state the party holds, as SPEC §6 encodings (one, for a
    /// correct driver: its current state; none before Bob accepts).
    pub states: Vec<Vec<u8>>,
    /// The ratchet private keys the party will use next, in order, if it can know
    /// them now (a correct party cannot: its randomness is fresh; a driver that
    /// derives its keys from what it stores can).
    pub future_ratchet_keys: Vec<[u8; 32]>,
}

/// The ChaCha20-Poly1305 key and nonce one encryption or decryption used (SPEC §4.2),
/// as its driver observed them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AeadUse {
    /// The key.
    pub key: [u8; 32],
    /// The nonce.
    pub nonce: [u8; 12],
}

/// One conversation's two parties, on one side (spec or impl).
pub trait Driver {
    /// `"spec"`, `"impl"`, or a broken driver's name, for reports.
    fn name(&self) -> &'static str;

    /// SPEC §3.2-§3.4: Bob signs his bundle and publishes its encoding; Alice
    /// decodes and verifies it and initiates. Returns the bundle's bytes.
    ///
    /// # Errors
    /// The refusal of any step.
    fn set_up(&mut self, inputs: &SetUpInputs) -> Result<Vec<u8>, Failure>;

    /// Another Alice starts a session with the same (verified) bundle and encrypts
    /// two messages: the two PreKey messages, for [`crate::model::Event::Inject`].
    ///
    /// # Errors
    /// [`Failure::NoSession`] before [`Driver::set_up`]; any refusal.
    fn other_session(&mut self, inputs: &OtherSessionInputs) -> Result<[Vec<u8>; 2], Failure>;

    /// SPEC §4.5: `party` encrypts `plaintext`.
    ///
    /// # Errors
    /// [`Failure::NoSession`], or the session's refusal.
    fn encrypt(&mut self, party: Party, plaintext: &[u8]) -> Result<Vec<u8>, Failure>;

    /// SPEC §4.6, §5.2: `party` decrypts `message`, with `r` its next ratchet
    /// private key. Bob without a session accepts it as a PreKey message (SPEC
    /// §3.5), with his prekeys.
    ///
    /// # Errors
    /// The session's refusal.
    fn decrypt(&mut self, party: Party, message: &[u8], r: &[u8; 32]) -> Result<Vec<u8>, Failure>;

    /// SPEC §6: `party`'s state encoding, if it has a session.
    fn state(&self, party: Party) -> Option<Vec<u8>>;

    /// The ChaCha20-Poly1305 key and nonce that the last [`Driver::encrypt`] sealed
    /// with, or the last [`Driver::decrypt`] opened with (if it succeeded), as the
    /// driver observed them; taken (a second call gives none). The runner calls it
    /// after every encryption and decryption, and the `uniqueness` invariant reads
    /// what it returns. None: the driver does not say (the invariant then re-derives
    /// the key with the spec).
    fn take_aead_use(&mut self) -> Option<AeadUse> {
        None
    }

    /// SPEC §3.2, §3.3: Alice decodes and verifies `bundle` (a forged one, from
    /// [`crate::model::Tamper::Bundle`]); nothing else changes.
    ///
    /// # Errors
    /// The refusal; by default [`Failure::Other`] (a driver that does not verify
    /// bundles refuses them all).
    fn verify_bundle(&mut self, bundle: &[u8]) -> Result<(), Failure> {
        let _ = bundle;
        Err(Failure::Other("verify_bundle is not driven".to_owned()))
    }

    /// What the adversary copies when it compromises `party`: for a correct driver,
    /// its state encoding.
    fn compromise(&self, party: Party) -> Exposure {
        Exposure {
            states: self.state(party).into_iter().collect(),
            future_ratchet_keys: Vec::new(),
        }
    }
}

/// The index of a party's slot.
fn slot(party: Party) -> usize {
    match party {
        Party::Alice => 0,
        Party::Bob => 1,
    }
}

// ---------------------------------------------------------------------------------
// The spec
// ---------------------------------------------------------------------------------

/// The conversation through `lockstep-spec`'s session functions.
#[derive(Clone, Default)]
pub struct SpecDriver {
    states: [Option<spec::ratchet::State>; 2],
    /// Bob's prekey store (SPEC §3.5), as the spec's value: what he still holds.
    bob: Option<spec::session::PreKeyStore>,
    bundle: Option<spec::pqxdh::VerifiedPreKeyBundle>,
    /// The key and nonce of the last encryption or successful decryption.
    aead: Option<AeadUse>,
}

impl SpecDriver {
    /// A driver with no session yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// SPEC §3.2-§3.4, §3.6, Alice's half of [`Driver::set_up`]: she decodes and
    /// verifies `bundle` (anyone's: the conformance runner's interop mode hands her
    /// the bundle of the implementation under test) and initiates with `inputs`'
    /// `ik_a`, `ek_a`, `m` and `r_a`. Bob's half is untouched.
    ///
    /// # Errors
    /// The refusal of any step; nothing changes then.
    pub fn initiate_alice(&mut self, bundle: &[u8], inputs: &SetUpInputs) -> Result<(), Failure> {
        let bytes = ByteSeq::from_public_slice(bundle);
        let verified = spec::pqxdh::verify_bundle(&spec::wire::decode_bundle(&bytes)?)?;
        let (alice, _keys) = spec::session::initiate(
            &scalar(&inputs.ik_a),
            &verified,
            &scalar(&inputs.ek_a),
            &seed32(&inputs.m),
            &scalar(&inputs.r_a),
        )?;
        self.states[slot(Party::Alice)] = Some(alice);
        self.bundle = Some(verified);
        Ok(())
    }

    /// Forgets `party`'s session (the conformance runner's interop mode: the
    /// implementation under test plays that party).
    pub fn forget(&mut self, party: Party) {
        self.states[slot(party)] = None;
        if party == Party::Bob {
            self.bob = None;
        }
    }

    /// Bob's acceptance from his prekey store, by the spec's own rules (SPEC §3.5:
    /// the look-up, the replay record, the consumption of one-time prekeys).
    fn accept(&mut self, message: &ByteSeq, r: &[u8; 32]) -> Result<Vec<u8>, Failure> {
        let store = self.bob.as_ref().ok_or(Failure::NoSession)?;
        let prekey_message = spec::wire::decode_prekey_message(message)?;
        let spk = spec::session::look_up_prekeys(store, &prekey_message.header)?.spk;
        let (store, state, plaintext, keys) =
            spec::session::accept_from_store(store, &prekey_message, &scalar(r))?;
        // RatchetInitBob's state (SPEC §4.4): RK = SK, DHs = SPK_B, no DHr.
        let initial = StateView {
            dhs: spk.to_public_array(),
            dhr: None,
            rk: keys.sk.to_public_array(),
            cks: None,
            ckr: None,
            ns: 0,
            nr: 0,
            pn: 0,
            prekey_hash: None,
            skipped: Vec::new(),
            pending_prekey: false,
        };
        self.aead = MessageView::parse(&message.to_native())
            .and_then(|message| spec_aead_use(&initial, &message));
        self.bob = Some(store);
        self.states[slot(Party::Bob)] = Some(state);
        Ok(plaintext.to_native())
    }
}

/// SPEC §4.2: the key and nonce of message key `mk`.
fn aead_use_of(mk: &[u8; 32]) -> AeadUse {
    let (key, nonce) =
        spec::ratchet::message_key_material(&spec::ratchet::MessageKey::from_public_slice(mk));
    AeadUse {
        key: key.to_public_array(),
        nonce: nonce.to_public_array(),
    }
}

/// The key and nonce the spec's `RatchetDecrypt` (SPEC §4.6) opens `message` with
/// from `state` (the spec is the reference: what it computes is what it uses).
fn spec_aead_use(state: &StateView, message: &MessageView) -> Option<AeadUse> {
    scheduled_key(state, message).map(|mk| aead_use_of(&mk))
}

fn scalar(bytes: &[u8; 32]) -> spec::x25519::X25519SerializedScalar {
    spec::x25519::X25519SerializedScalar::from_public_slice(bytes)
}

fn seed32(bytes: &[u8]) -> spec::ml_kem::Seed32 {
    spec::ml_kem::Seed32::from_public_slice(bytes)
}

impl Driver for SpecDriver {
    fn name(&self) -> &'static str {
        "spec"
    }

    fn set_up(&mut self, inputs: &SetUpInputs) -> Result<Vec<u8>, Failure> {
        use spec::x25519::{X25519SerializedPoint, x25519_base};
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
            opk.as_ref()
                .map(|opk| (OPK_ID, X25519SerializedPoint::from_seq(&x25519_base(opk)))),
            &XEdDSARandom::from_public_slice(&inputs.z_spk),
            &XEdDSARandom::from_public_slice(&inputs.z_pqpk),
        );
        let bytes = spec::wire::encode_bundle(&bundle);
        self.states = [None, None];
        self.initiate_alice(&bytes.to_native(), inputs)?;
        self.bob = Some(spec::session::PreKeyStore {
            ik: ik_b,
            signed: vec![(SPK_ID, spk)],
            post_quantum: vec![spec::session::PqPreKey {
                id: PQPK_ID,
                dk,
                last_resort: inputs.set_up.pq_last_resort,
                record: Vec::new(),
            }],
            one_time: opk.map(|opk| (OPK_ID, opk)).into_iter().collect(),
        });
        Ok(bytes.to_native())
    }

    fn other_session(&mut self, inputs: &OtherSessionInputs) -> Result<[Vec<u8>; 2], Failure> {
        let bundle = self.bundle.as_ref().ok_or(Failure::NoSession)?;
        let (state, _keys) = spec::session::initiate(
            &scalar(&inputs.ik),
            bundle,
            &scalar(&inputs.ek),
            &seed32(&inputs.m),
            &scalar(&inputs.r),
        )?;
        let [first, second] = &inputs.plaintexts;
        let (state, one) = spec::session::encrypt(&state, &ByteSeq::from_public_slice(first))?;
        let (_, two) = spec::session::encrypt(&state, &ByteSeq::from_public_slice(second))?;
        Ok([one.to_native(), two.to_native()])
    }

    fn encrypt(&mut self, party: Party, plaintext: &[u8]) -> Result<Vec<u8>, Failure> {
        let state = self.states[slot(party)]
            .as_ref()
            .ok_or(Failure::NoSession)?;
        let (next, bytes) = spec::session::encrypt(state, &ByteSeq::from_public_slice(plaintext))?;
        // SPEC §4.5: mk = KDF_CK(CKs).
        self.aead = state
            .cks
            .as_ref()
            .map(|cks| aead_use_of(&spec::ratchet::kdf_ck(cks).1.to_public_array()));
        self.states[slot(party)] = Some(next);
        Ok(bytes.to_native())
    }

    fn decrypt(&mut self, party: Party, message: &[u8], r: &[u8; 32]) -> Result<Vec<u8>, Failure> {
        let bytes = ByteSeq::from_public_slice(message);
        match (&self.states[slot(party)], party) {
            (Some(state), _) => {
                let (next, plaintext) = spec::session::decrypt(state, &bytes, &scalar(r))?;
                let before = StateView::parse(&spec::state::encode_state(state).to_native());
                self.aead = before
                    .zip(MessageView::parse(message))
                    .and_then(|(before, message)| spec_aead_use(&before, &message));
                self.states[slot(party)] = Some(next);
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
        spec_verify_bundle(bundle)
    }
}

/// SPEC §3.2, §3.3 on the spec side: decode a bundle and verify it.
pub(crate) fn spec_verify_bundle(bundle: &[u8]) -> Result<(), Failure> {
    let decoded = spec::wire::decode_bundle(&ByteSeq::from_public_slice(bundle))?;
    spec::pqxdh::verify_bundle(&decoded)?;
    Ok(())
}

// ---------------------------------------------------------------------------------
// The implementation
// ---------------------------------------------------------------------------------

/// The conversation through `lockstep::session::Session`, on wire bytes.
#[derive(Default)]
pub struct ImplDriver {
    sessions: [Option<Session>; 2],
    bob_identity: Option<lockstep::pqxdh::IdentityKeyPair>,
    store: InMemoryPreKeyStore,
    bundle: Option<lockstep::pqxdh::VerifiedPreKeyBundle>,
    /// The key and nonce of the last encryption or successful decryption.
    aead: Option<AeadUse>,
}

/// The last AEAD call `lockstep::aead::observe` recorded on this thread since it was
/// started, if it `sealed` (else opened) as asked.
fn observed(sealed: bool) -> Option<AeadUse> {
    let last = lockstep::aead::observe::take().pop()?;
    (last.2 == sealed).then_some(AeadUse {
        key: last.0,
        nonce: last.1,
    })
}

impl ImplDriver {
    /// A driver with no session yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

impl Driver for ImplDriver {
    fn name(&self) -> &'static str {
        "impl"
    }

    fn set_up(&mut self, inputs: &SetUpInputs) -> Result<Vec<u8>, Failure> {
        use lockstep::pqxdh::{IdentityKeyPair, sign_bundle};
        use lockstep::x25519::PrivateKey;
        let ik_b = IdentityKeyPair::from_private_bytes(inputs.ik_b);
        let spk = PrivateKey::from_bytes(inputs.spk_b);
        let (ek, dk) = lockstep::ml_kem::keygen_derand(&inputs.pq_seed);
        let opk = inputs
            .set_up
            .opk
            .then(|| PrivateKey::from_bytes(inputs.opk_b));
        let bundle = sign_bundle(
            &ik_b,
            SPK_ID,
            &spk.public_key(),
            PQPK_ID,
            inputs.set_up.pq_last_resort,
            &ek,
            opk.as_ref().map(|opk| (OPK_ID, opk.public_key())),
            &inputs.z_spk,
            &inputs.z_pqpk,
        );
        let bytes = bundle.to_bytes();
        let verified = lockstep::wire::PreKeyBundle::from_bytes(&bytes)?.verify()?;
        let alice = Session::initiate_with(
            &IdentityKeyPair::from_private_bytes(inputs.ik_a),
            &verified,
            &inputs.ek_a,
            &inputs.m,
            &inputs.r_a,
        )?;
        let mut store = InMemoryPreKeyStore::new();
        store.add_signed_prekey(SignedPreKeyId(SPK_ID), &spk);
        let kind = if inputs.set_up.pq_last_resort {
            PqPreKeyKind::LastResort
        } else {
            PqPreKeyKind::OneTime
        };
        store.add_pq_prekey(PqPreKeyId(PQPK_ID), &dk, kind);
        if let Some(opk) = &opk {
            store.add_one_time_prekey(OneTimePreKeyId(OPK_ID), opk);
        }
        self.sessions = [Some(alice), None];
        self.bob_identity = Some(ik_b);
        self.store = store;
        self.bundle = Some(verified);
        Ok(bytes)
    }

    fn other_session(&mut self, inputs: &OtherSessionInputs) -> Result<[Vec<u8>; 2], Failure> {
        let bundle = self.bundle.as_ref().ok_or(Failure::NoSession)?;
        let mut session = Session::initiate_with(
            &lockstep::pqxdh::IdentityKeyPair::from_private_bytes(inputs.ik),
            bundle,
            &inputs.ek,
            &inputs.m,
            &inputs.r,
        )?;
        let [first, second] = &inputs.plaintexts;
        Ok([session.encrypt(first)?, session.encrypt(second)?])
    }

    fn encrypt(&mut self, party: Party, plaintext: &[u8]) -> Result<Vec<u8>, Failure> {
        let session = self.sessions[slot(party)]
            .as_mut()
            .ok_or(Failure::NoSession)?;
        lockstep::aead::observe::start();
        let result = session.encrypt(plaintext);
        self.aead = observed(true).filter(|_| result.is_ok());
        Ok(result?)
    }

    fn decrypt(&mut self, party: Party, message: &[u8], r: &[u8; 32]) -> Result<Vec<u8>, Failure> {
        lockstep::aead::observe::start();
        let result = self.decrypt_observed(party, message, r);
        self.aead = observed(false).filter(|_| result.is_ok());
        result
    }

    fn state(&self, party: Party) -> Option<Vec<u8>> {
        self.sessions[slot(party)]
            .as_ref()
            .map(|session| session.to_bytes().to_vec())
    }

    fn take_aead_use(&mut self) -> Option<AeadUse> {
        self.aead.take()
    }

    fn verify_bundle(&mut self, bundle: &[u8]) -> Result<(), Failure> {
        lockstep::wire::PreKeyBundle::from_bytes(bundle)?.verify()?;
        Ok(())
    }
}

impl ImplDriver {
    /// [`Driver::decrypt`], while `lockstep::aead::observe` records.
    fn decrypt_observed(
        &mut self,
        party: Party,
        message: &[u8],
        r: &[u8; 32],
    ) -> Result<Vec<u8>, Failure> {
        match (&mut self.sessions[slot(party)], party) {
            (Some(session), _) => Ok(session.decrypt_with(message, r)?),
            (None, Party::Bob) => {
                let identity = self.bob_identity.as_ref().ok_or(Failure::NoSession)?;
                let (session, plaintext) =
                    Session::accept_with(identity, &mut self.store, message, r)?;
                self.sessions[slot(Party::Bob)] = Some(session);
                Ok(plaintext)
            }
            (None, Party::Alice) => Err(Failure::NoSession),
        }
    }
}
