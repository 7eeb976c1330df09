//! The interop mode: an implementation under test, a [`Peer`] with its own
//! randomness, plays one party of a conversation and the spec plays the other,
//! behind one [`Driver`], [`InteropDriver`], so the runner ([`crate::run`]) plays
//! the scenario's network and adversary on the pair and the invariants judge the
//! run.
//!
//! The peer's keys are its own, so its outputs cannot be predicted byte for byte;
//! its refusals can. Decoding (SPEC §5) reads no state, so whatever the spec's
//! decoder refuses the peer must refuse by the same name; and when the peer offers
//! its SPEC §6 state, the spec is given that state just before each delivery and
//! decrypts the same bytes: the peer's plaintext or refusal must be the spec's
//! ([`REFUSALS`]). A decryption's result does not depend on the new ratchet key it
//! may draw, so any key serves the spec's copy.

use lockstep_spec as spec;
use lockstep_spec::ByteSeq;

use crate::driver::SpecDriver;
use crate::driver::{AeadUse, Driver, Exposure, Failure, OtherSessionInputs, SetUpInputs};
use crate::invariants::Violation;
use crate::model::Scenario;
use crate::model::{Party, SetUp};
use crate::run::{Run, set_up_inputs};

/// The name of [`set_up`].
pub const SET_UP: &str = "set-up";
/// The name of [`refusals`].
pub const REFUSALS: &str = "refusals";

/// An implementation in the interop mode: one party, with its own randomness
/// (docs/CONFORMANCE.md §2.3).
pub trait Peer {
    /// Whether [`Peer::state`] gives SPEC §6 encodings (the `state` capability).
    fn offers_state(&self) -> bool;

    /// Becomes Bob, with fresh keys, a prekey store, and a bundle of this shape;
    /// returns the bundle's encoding (SPEC §3.2).
    ///
    /// # Errors
    /// Its refusal.
    fn generate_bundle(&mut self, set_up: SetUp) -> Result<Vec<u8>, Failure>;

    /// Becomes Alice: decodes and verifies `bundle` and initiates (SPEC §3.6).
    ///
    /// # Errors
    /// Its refusal.
    fn initiate(&mut self, bundle: &[u8]) -> Result<(), Failure>;

    /// `party` (the one it plays) encrypts (SPEC §4.5).
    ///
    /// # Errors
    /// [`Failure::NoSession`], or its refusal.
    fn encrypt(&mut self, party: Party, plaintext: &[u8]) -> Result<Vec<u8>, Failure>;

    /// `party` decrypts, or (Bob without a session) accepts (SPEC §3.5, §4.6, §5.2).
    ///
    /// # Errors
    /// Its refusal.
    fn decrypt(&mut self, party: Party, message: &[u8]) -> Result<Vec<u8>, Failure>;

    /// `party`'s SPEC §6 encoding, if it has a session. Without the `state`
    /// capability: an empty encoding for a session, so the runner knows there is
    /// one.
    fn state(&self, party: Party) -> Option<Vec<u8>>;

    /// Decodes and verifies `bundle` as Alice would; nothing changes.
    ///
    /// # Errors
    /// Its refusal.
    fn verify_bundle(&mut self, bundle: &[u8]) -> Result<(), Failure>;
}

/// What the spec says a delivery to the peer must give.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prediction {
    /// The delivery went to the spec's party: nothing to predict.
    Spec,
    /// The spec's result on the peer's state (the `state` capability).
    Exactly(Result<Vec<u8>, Failure>),
    /// The spec's decoder refuses the bytes (SPEC §5): this refusal.
    Decoding(Failure),
    /// The peer's state is not known and the bytes decode: any result the other
    /// checks allow.
    Open,
}

/// The peer as one party and the spec as the other, behind [`Driver`].
pub struct InteropDriver<P: Peer> {
    peer: P,
    role: Party,
    spec: SpecDriver,
    /// One per [`Driver::decrypt`], in order (as the run's deliveries).
    predictions: Vec<Prediction>,
}

impl<P: Peer> InteropDriver<P> {
    /// `peer` plays `role`; the spec plays the other party.
    pub fn new(peer: P, role: Party) -> Self {
        InteropDriver {
            peer,
            role,
            spec: SpecDriver::new(),
            predictions: Vec::new(),
        }
    }

    /// The peer.
    pub fn peer(&self) -> &P {
        &self.peer
    }

    /// The predictions, one per delivery of the run, for [`refusals`].
    #[must_use]
    pub fn into_predictions(self) -> Vec<Prediction> {
        self.predictions
    }

    /// What the spec says `message` must give the peer's `party`.
    fn predict(&self, party: Party, message: &[u8]) -> Prediction {
        let bytes = ByteSeq::from_public_slice(message);
        let state = self.peer.state(party);
        match state.as_deref() {
            Some(encoding) if self.peer.offers_state() => {
                let state = match spec::state::decode_state(&ByteSeq::from_public_slice(encoding)) {
                    Ok(state) => state,
                    Err(e) => {
                        return Prediction::Exactly(Err(Failure::Other(format!(
                            "the peer's state does not decode: {}",
                            e.name()
                        ))));
                    }
                };
                let r = spec::x25519::X25519SerializedScalar::from_public_slice(&[0x42; 32]);
                Prediction::Exactly(
                    spec::session::decrypt(&state, &bytes, &r)
                        .map(|(_, plaintext)| plaintext.to_native())
                        .map_err(Failure::from),
                )
            }
            Some(_) => match spec::wire::decode_message(&bytes) {
                Err(e) => Prediction::Decoding(e.into()),
                Ok(_) => Prediction::Open,
            },
            // Bob before he accepts: the PreKey decoder (SPEC §3.5).
            None => match spec::wire::decode_prekey_message(&bytes) {
                Err(e) if party == Party::Bob => Prediction::Decoding(e.into()),
                _ => Prediction::Open,
            },
        }
    }
}

impl<P: Peer> Driver for InteropDriver<P> {
    fn name(&self) -> &'static str {
        "interop"
    }

    fn set_up(&mut self, inputs: &SetUpInputs) -> Result<Vec<u8>, Failure> {
        match self.role {
            Party::Bob => {
                let bundle = self.peer.generate_bundle(inputs.set_up)?;
                self.spec.initiate_alice(&bundle, inputs)?;
                Ok(bundle)
            }
            Party::Alice => {
                let bundle = self.spec.set_up(inputs)?;
                self.spec.forget(Party::Alice);
                self.peer.initiate(&bundle)?;
                Ok(bundle)
            }
        }
    }

    fn other_session(&mut self, inputs: &OtherSessionInputs) -> Result<[Vec<u8>; 2], Failure> {
        self.spec.other_session(inputs)
    }

    fn encrypt(&mut self, party: Party, plaintext: &[u8]) -> Result<Vec<u8>, Failure> {
        if party == self.role {
            self.peer.encrypt(party, plaintext)
        } else {
            self.spec.encrypt(party, plaintext)
        }
    }

    fn decrypt(&mut self, party: Party, message: &[u8], r: &[u8; 32]) -> Result<Vec<u8>, Failure> {
        if party == self.role {
            self.predictions.push(self.predict(party, message));
            self.peer.decrypt(party, message)
        } else {
            self.predictions.push(Prediction::Spec);
            self.spec.decrypt(party, message, r)
        }
    }

    fn state(&self, party: Party) -> Option<Vec<u8>> {
        if party == self.role {
            self.peer.state(party)
        } else {
            self.spec.state(party)
        }
    }

    fn take_aead_use(&mut self) -> Option<AeadUse> {
        self.spec.take_aead_use()
    }

    fn verify_bundle(&mut self, bundle: &[u8]) -> Result<(), Failure> {
        if self.role == Party::Alice {
            self.peer.verify_bundle(bundle)
        } else {
            self.spec.verify_bundle(bundle)
        }
    }

    fn compromise(&self, party: Party) -> Exposure {
        if party == self.role {
            Exposure {
                states: self
                    .peer
                    .state(party)
                    .filter(|state| !state.is_empty())
                    .into_iter()
                    .collect(),
                future_ratchet_keys: Vec::new(),
            }
        } else {
            self.spec.compromise(party)
        }
    }
}

/// [`SET_UP`]: the genuine bundle of either side verifies at the other, and
/// Alice initiates.
///
/// # Errors
/// The set-up's refusal.
pub fn set_up(run: &Run) -> Result<(), Violation> {
    match &run.records.first() {
        Some(crate::run::Record::SetUp { bundle: Err(e) }) => Err(Violation {
            invariant: SET_UP,
            step: None,
            detail: format!("the set-up was refused: {e:?}"),
        }),
        _ => Ok(()),
    }
}

/// [`REFUSALS`]: every delivery to the peer gave what the spec predicted
/// ([`Prediction`]).
///
/// # Errors
/// The first delivery that did not.
pub fn refusals(run: &Run, predictions: &[Prediction]) -> Result<(), Violation> {
    for (delivery, prediction) in run.deliveries.iter().zip(predictions) {
        let wrong = match prediction {
            Prediction::Spec | Prediction::Open => None,
            Prediction::Exactly(expected) => (*expected != delivery.result).then(|| {
                format!(
                    "the spec, on the peer's state, gives {}; the peer gave {}",
                    show(expected),
                    show(&delivery.result)
                )
            }),
            Prediction::Decoding(error) => {
                (delivery.result.as_ref().err() != Some(error)).then(|| {
                    format!(
                        "the spec's decoder refuses the message as {error:?}; the peer gave {}",
                        show(&delivery.result)
                    )
                })
            }
        };
        if let Some(detail) = wrong {
            return Err(Violation {
                invariant: REFUSALS,
                step: Some(delivery.step),
                detail: format!(
                    "a {}-byte {:?} message to {}: {detail}",
                    delivery.bytes.len(),
                    delivery.origin,
                    delivery.to.name()
                ),
            });
        }
    }
    Ok(())
}

fn show(result: &Result<Vec<u8>, Failure>) -> String {
    match result {
        Ok(plaintext) => format!("the plaintext {}", super::transcript::short_hex(plaintext)),
        Err(e) => format!("the refusal {e:?}"),
    }
}

/// A [`Driver`] as a [`Peer`] in Bob's role, with randomness of its own (a seed the
/// runner never sees): how the harness's deliberately broken drivers
/// ([`crate::broken`]) are put through the interop mode, to show its checks catching
/// their flaws. The driver's own Alice is a throwaway of its set-up; it cannot play
/// Alice against another party's bundle, so it refuses to initiate.
pub struct DriverPeer<D: Driver> {
    driver: D,
    seed: [u8; 32],
    draws: u64,
}

impl<D: Driver> DriverPeer<D> {
    /// `driver`, with randomness from `seed`.
    pub fn new(driver: D, seed: [u8; 32]) -> Self {
        DriverPeer {
            driver,
            seed,
            draws: 0,
        }
    }

    /// 32 fresh bytes of the peer's own.
    fn fresh(&mut self) -> [u8; 32] {
        use sha2::{Digest as _, Sha256};
        self.draws += 1;
        let mut hash = Sha256::new();
        hash.update(b"lockstep driver peer\0");
        hash.update(self.seed);
        hash.update(self.draws.to_be_bytes());
        hash.finalize().into()
    }
}

impl<D: Driver> Peer for DriverPeer<D> {
    fn offers_state(&self) -> bool {
        true
    }

    fn generate_bundle(&mut self, set_up: SetUp) -> Result<Vec<u8>, Failure> {
        let inputs = set_up_inputs(&Scenario {
            seed: self.fresh(),
            set_up,
            events: Vec::new(),
        });
        self.driver.set_up(&inputs)
    }

    fn initiate(&mut self, _bundle: &[u8]) -> Result<(), Failure> {
        Err(Failure::Other("a DriverPeer plays Bob only".to_owned()))
    }

    fn encrypt(&mut self, party: Party, plaintext: &[u8]) -> Result<Vec<u8>, Failure> {
        self.driver.encrypt(party, plaintext)
    }

    fn decrypt(&mut self, party: Party, message: &[u8]) -> Result<Vec<u8>, Failure> {
        let r = self.fresh();
        self.driver.decrypt(party, message, &r)
    }

    fn state(&self, party: Party) -> Option<Vec<u8>> {
        self.driver.state(party)
    }

    fn verify_bundle(&mut self, bundle: &[u8]) -> Result<(), Failure> {
        self.driver.verify_bundle(bundle)
    }
}
