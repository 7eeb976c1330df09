//! Deliberately broken drivers, to show that each invariant catches its bug. (Stub:
//! being written.)

use serde::{Deserialize, Serialize};

use crate::driver::{Driver, Failure, ImplDriver, OtherSessionInputs, SetUpInputs};
use crate::model::Party;

/// A deliberate bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Flaw {
    /// Keeps every earlier state and gives them all up on compromise.
    KeepsOldStates,
}

impl Flaw {
    /// Every flaw.
    pub const ALL: &'static [Flaw] = &[Flaw::KeepsOldStates];

    /// Its name on the command line, e.g. `"keeps-old-states"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Flaw::KeepsOldStates => "keeps-old-states",
        }
    }

    /// The flaw with this name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Flaw> {
        Flaw::ALL.iter().copied().find(|flaw| flaw.name() == name)
    }

    /// The name of the invariant that must catch it.
    #[must_use]
    pub fn caught_by(self) -> &'static str {
        match self {
            Flaw::KeepsOldStates => "forward-secrecy",
        }
    }
}

/// The implementation's driver with a flaw.
pub struct BrokenDriver {
    flaw: Flaw,
    inner: ImplDriver,
}

impl BrokenDriver {
    /// A driver with `flaw`.
    #[must_use]
    pub fn new(flaw: Flaw) -> Self {
        BrokenDriver {
            flaw,
            inner: ImplDriver::new(),
        }
    }

    /// Its flaw.
    #[must_use]
    pub fn flaw(&self) -> Flaw {
        self.flaw
    }
}

impl Driver for BrokenDriver {
    fn name(&self) -> &'static str {
        self.flaw.name()
    }
    fn set_up(&mut self, inputs: &SetUpInputs) -> Result<Vec<u8>, Failure> {
        self.inner.set_up(inputs)
    }
    fn other_session(&mut self, inputs: &OtherSessionInputs) -> Result<[Vec<u8>; 2], Failure> {
        self.inner.other_session(inputs)
    }
    fn encrypt(&mut self, party: Party, plaintext: &[u8]) -> Result<Vec<u8>, Failure> {
        self.inner.encrypt(party, plaintext)
    }
    fn decrypt(&mut self, party: Party, message: &[u8], r: &[u8; 32]) -> Result<Vec<u8>, Failure> {
        self.inner.decrypt(party, message, r)
    }
    fn state(&self, party: Party) -> Option<Vec<u8>> {
        self.inner.state(party)
    }
}
