//! The security invariants, each a check over a [`Run`]. (Stub: being written.)

use crate::run::Run;

/// An invariant that did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The invariant's name.
    pub invariant: &'static str,
    /// The event where it broke, if one.
    pub step: Option<usize>,
    /// What broke.
    pub detail: String,
}

impl core::fmt::Display for Violation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.step {
            Some(step) => write!(f, "{} at step {}: {}", self.invariant, step, self.detail),
            None => write!(f, "{}: {}", self.invariant, self.detail),
        }
    }
}

/// One invariant.
#[derive(Clone, Copy, Debug)]
pub struct Invariant {
    /// Its name, e.g. `"forward-secrecy"`.
    pub name: &'static str,
    /// One line saying what it checks.
    pub description: &'static str,
    /// The check.
    pub check: fn(&Run) -> Result<(), Violation>,
}

/// Every invariant.
#[must_use]
pub fn all() -> &'static [Invariant] {
    &[]
}

/// Every invariant over `run`: the first violation, if any.
///
/// # Errors
/// The first violation.
pub fn check_all(run: &Run) -> Result<(), Violation> {
    for invariant in all() {
        (invariant.check)(run)?;
    }
    Ok(())
}
