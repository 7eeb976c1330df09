//! How a Rust implementation of the protocol is checked against the spec: implement
//! the harness's [`Driver`] (deterministic: every random value is an input) and
//! [`Peer`] (interop: the implementation's own randomness), and call
//! `lockstep_harness::conformance::{check_equivalence, check_invariants,
//! check_interop}` from `cargo test` (see `tests/conformance.rs`).
//!
//! The implementation here is `lockstep` itself, wrapped as an application would
//! wrap it: [`Wrapper`] keeps Alice's and Bob's sessions, Bob's identity and prekey
//! store, and routes each message to the right call. The wrapper is where
//! integration bugs live, so it has a deliberately broken variant,
//! [`WrapperFlaw::AcceptEveryPreKeyMessage`]: Bob sends every PreKey message to
//! `accept`, as if each one opened a new session. SPEC §5.2 says a PreKey message for
//! a session Bob has belongs to that session (Alice repeats her PreKey header until
//! she hears from him), so her second message is then refused (`UnknownPreKey`: the
//! one-time prekey is gone; or `PreKeyReplay` under a last-resort prekey) where the
//! spec decrypts it. The environment variable `LOCKSTEP_EXAMPLE_FLAW=accept-every-prekey`
//! turns it on for [`Wrapper::from_env`], to watch the tests fail.

use lockstep::PreKeyBundle;
use lockstep::bundle::{OneTimePreKeyId, PqPreKeyId, PqPreKeyKind, SignedPreKeyId};
use lockstep::consts::MSG_PREKEY;
use lockstep::keys::{DecapsulationKey, PrivateKey};
use lockstep::pqxdh::{IdentityKeyPair, VerifiedPreKeyBundle, sign_bundle};
use lockstep::session::{InMemoryPreKeyStore, Session};
use lockstep_harness::conformance::Peer;
use lockstep_harness::driver::SetUpInputs;
use lockstep_harness::driver::{Driver, Failure, OPK_ID, OtherSessionInputs, PQPK_ID, SPK_ID};
use lockstep_harness::model::{Party, SetUp};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng as _;

/// A bug the wrapper can be built with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WrapperFlaw {
    /// Bob hands every PreKey message to `accept`, replacing his session.
    AcceptEveryPreKeyMessage,
}

/// `lockstep`, wrapped: both parties of one conversation.
#[derive(Default)]
pub struct Wrapper {
    flaw: Option<WrapperFlaw>,
    alice: Option<Session>,
    bob: Option<Session>,
    bob_identity: Option<IdentityKeyPair>,
    store: InMemoryPreKeyStore,
    bundle: Option<VerifiedPreKeyBundle>,
    /// Interop only: the party this wrapper plays, and its randomness.
    rng: Option<ChaCha20Rng>,
}

impl Wrapper {
    /// A correct wrapper.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A wrapper with `flaw`.
    #[must_use]
    pub fn with_flaw(flaw: WrapperFlaw) -> Self {
        Wrapper {
            flaw: Some(flaw),
            ..Self::default()
        }
    }

    /// A wrapper with the flaw `LOCKSTEP_EXAMPLE_FLAW` names
    /// (`accept-every-prekey`), or a correct one.
    ///
    /// # Panics
    /// If the variable names no flaw.
    #[must_use]
    #[allow(
        clippy::panic,
        reason = "test configuration: a misspelt flaw must not silently test the correct wrapper"
    )]
    pub fn from_env() -> Self {
        match std::env::var("LOCKSTEP_EXAMPLE_FLAW").as_deref() {
            Err(_) | Ok("") => Self::new(),
            Ok("accept-every-prekey") => Self::with_flaw(WrapperFlaw::AcceptEveryPreKeyMessage),
            Ok(other) => panic!("LOCKSTEP_EXAMPLE_FLAW={other}: no such flaw"),
        }
    }

    /// This wrapper for the interop mode, with randomness of its own: a ChaCha20
    /// stream keyed by `seed`, which the runner never sees.
    #[must_use]
    pub fn seeded(self, seed: [u8; 32]) -> Self {
        Wrapper {
            rng: Some(ChaCha20Rng::from_seed(seed)),
            ..self
        }
    }

    fn session(&mut self, party: Party) -> Option<&mut Session> {
        match party {
            Party::Alice => self.alice.as_mut(),
            Party::Bob => self.bob.as_mut(),
        }
    }

    /// Bob's part of a decryption: his session's, or (without one, or with the flaw
    /// for any PreKey message) an acceptance from his store. `r` is the ratchet key
    /// (deterministic mode) or none (interop: drawn from the wrapper's RNG).
    fn bob_decrypt(&mut self, message: &[u8], r: Option<&[u8; 32]>) -> Result<Vec<u8>, Failure> {
        let no_rng = || Failure::Other("an interop call on a deterministic wrapper".to_owned());
        let is_prekey = message.get(1) == Some(&MSG_PREKEY);
        let flawed = self.flaw == Some(WrapperFlaw::AcceptEveryPreKeyMessage) && is_prekey;
        if let (Some(session), false) = (self.bob.as_mut(), flawed) {
            return Ok(match (r, self.rng.as_mut()) {
                (Some(r), _) => session.decrypt_with(message, r)?,
                (None, Some(rng)) => session.decrypt(rng, message)?,
                (None, None) => return Err(no_rng()),
            });
        }
        let identity = self.bob_identity.as_ref().ok_or(Failure::NoSession)?;
        let (session, plaintext) = match (r, self.rng.as_mut()) {
            (Some(r), _) => Session::accept_with(identity, &mut self.store, message, r)?,
            (None, Some(rng)) => Session::accept(rng, identity, &mut self.store, message)?,
            (None, None) => return Err(no_rng()),
        };
        self.bob = Some(session);
        Ok(plaintext)
    }
}

impl Driver for Wrapper {
    fn name(&self) -> &'static str {
        match self.flaw {
            None => "example-wrapper",
            Some(WrapperFlaw::AcceptEveryPreKeyMessage) => "example-wrapper-accept-every-prekey",
        }
    }

    fn set_up(&mut self, inputs: &SetUpInputs) -> Result<Vec<u8>, Failure> {
        let ik_b = IdentityKeyPair::from_private_bytes(inputs.ik_b);
        let spk = PrivateKey::from_bytes(inputs.spk_b);
        let (ek, dk) = lockstep::ml_kem::keygen_derand(&inputs.pq_seed);
        let opk = inputs
            .set_up
            .opk
            .then(|| PrivateKey::from_bytes(inputs.opk_b));
        let kind = kind(inputs.set_up);
        let bundle = sign_bundle(
            &ik_b,
            SPK_ID,
            &spk.public_key(),
            PQPK_ID,
            kind == PqPreKeyKind::LastResort,
            &ek,
            opk.as_ref().map(|opk| (OPK_ID, opk.public_key())),
            &inputs.z_spk,
            &inputs.z_pqpk,
        )
        .to_bytes();
        let verified = PreKeyBundle::from_bytes(&bundle)?.verify()?;
        let alice_identity = IdentityKeyPair::from_private_bytes(inputs.ik_a);
        self.alice = Some(Session::initiate_with(
            &alice_identity,
            &verified,
            &inputs.ek_a,
            &inputs.m,
            &inputs.r_a,
        )?);
        self.bob = None;
        self.store = store(&spk, &dk, kind, opk.as_ref());
        self.bob_identity = Some(ik_b);
        self.bundle = Some(verified);
        Ok(bundle)
    }

    fn other_session(&mut self, inputs: &OtherSessionInputs) -> Result<[Vec<u8>; 2], Failure> {
        let bundle = self.bundle.as_ref().ok_or(Failure::NoSession)?;
        let identity = IdentityKeyPair::from_private_bytes(inputs.ik);
        let mut session =
            Session::initiate_with(&identity, bundle, &inputs.ek, &inputs.m, &inputs.r)?;
        let [one, two] = &inputs.plaintexts;
        Ok([session.encrypt(one)?, session.encrypt(two)?])
    }

    fn encrypt(&mut self, party: Party, plaintext: &[u8]) -> Result<Vec<u8>, Failure> {
        let session = self.session(party).ok_or(Failure::NoSession)?;
        Ok(session.encrypt(plaintext)?)
    }

    fn decrypt(&mut self, party: Party, message: &[u8], r: &[u8; 32]) -> Result<Vec<u8>, Failure> {
        match party {
            Party::Alice => {
                let alice = self.alice.as_mut().ok_or(Failure::NoSession)?;
                Ok(alice.decrypt_with(message, r)?)
            }
            Party::Bob => self.bob_decrypt(message, Some(r)),
        }
    }

    fn state(&self, party: Party) -> Option<Vec<u8>> {
        let session = match party {
            Party::Alice => self.alice.as_ref(),
            Party::Bob => self.bob.as_ref(),
        };
        session.map(|s| s.to_bytes().to_vec())
    }

    fn verify_bundle(&mut self, bundle: &[u8]) -> Result<(), Failure> {
        PreKeyBundle::from_bytes(bundle)?.verify()?;
        Ok(())
    }
}

/// The post-quantum prekey's kind a set-up asks for.
fn kind(set_up: SetUp) -> PqPreKeyKind {
    if set_up.pq_last_resort {
        PqPreKeyKind::LastResort
    } else {
        PqPreKeyKind::OneTime
    }
}

/// Bob's store: his prekeys under the ids of his bundle.
fn store(
    spk: &PrivateKey,
    dk: &DecapsulationKey,
    kind: PqPreKeyKind,
    opk: Option<&PrivateKey>,
) -> InMemoryPreKeyStore {
    let mut store = InMemoryPreKeyStore::new();
    store.add_signed_prekey(SignedPreKeyId(SPK_ID), spk);
    store.add_pq_prekey(PqPreKeyId(PQPK_ID), dk, kind);
    if let Some(opk) = opk {
        store.add_one_time_prekey(OneTimePreKeyId(OPK_ID), opk);
    }
    store
}

impl Peer for Wrapper {
    fn offers_state(&self) -> bool {
        true
    }

    fn generate_bundle(&mut self, set_up: SetUp) -> Result<Vec<u8>, Failure> {
        let rng = self.rng.as_mut().ok_or(Failure::NoSession)?;
        let identity = IdentityKeyPair::generate(rng);
        let spk = PrivateKey::generate(rng);
        let pqpk = DecapsulationKey::generate(rng);
        let kind = kind(set_up);
        let opk = set_up.opk.then(|| PrivateKey::generate(rng));
        let builder = PreKeyBundle::builder(&identity)
            .signed_prekey(SignedPreKeyId(SPK_ID), &spk.public_key())
            .pq_prekey(PqPreKeyId(PQPK_ID), pqpk.encapsulation_key(), kind);
        let bundle = match &opk {
            Some(opk) => builder
                .one_time_prekey(OneTimePreKeyId(OPK_ID), &opk.public_key())
                .sign(rng),
            None => builder.sign(rng),
        };
        self.store = store(&spk, &pqpk, kind, opk.as_ref());
        self.bob_identity = Some(identity);
        self.alice = None;
        self.bob = None;
        Ok(bundle.to_bytes())
    }

    fn initiate(&mut self, bundle: &[u8]) -> Result<(), Failure> {
        let rng = self.rng.as_mut().ok_or(Failure::NoSession)?;
        let verified = PreKeyBundle::from_bytes(bundle)?.verify()?;
        let identity = IdentityKeyPair::generate(rng);
        self.alice = Some(Session::initiate(rng, &identity, &verified)?);
        self.bob = None;
        Ok(())
    }

    fn encrypt(&mut self, party: Party, plaintext: &[u8]) -> Result<Vec<u8>, Failure> {
        Driver::encrypt(self, party, plaintext)
    }

    fn decrypt(&mut self, party: Party, message: &[u8]) -> Result<Vec<u8>, Failure> {
        match party {
            Party::Alice => {
                let rng = self.rng.as_mut().ok_or(Failure::NoSession)?;
                let alice = self.alice.as_mut().ok_or(Failure::NoSession)?;
                Ok(alice.decrypt(rng, message)?)
            }
            Party::Bob => self.bob_decrypt(message, None),
        }
    }

    fn state(&self, party: Party) -> Option<Vec<u8>> {
        Driver::state(self, party)
    }

    fn verify_bundle(&mut self, bundle: &[u8]) -> Result<(), Failure> {
        Driver::verify_bundle(self, bundle)
    }
}
