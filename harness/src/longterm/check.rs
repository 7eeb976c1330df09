//! The long-term checks as `lockstep check` runs them.

use super::*;

/// One check's outcome over [`conversations`] (a row of `lockstep check`).
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The check's name.
    pub name: &'static str,
    /// Scenarios checked.
    pub cases: usize,
    /// One line per scenario that failed.
    pub failures: Vec<String>,
    /// Time spent.
    pub elapsed: std::time::Duration,
}

/// One conversation per set-up (with and without a one-time prekey, with a one-time
/// and a last-resort PQ prekey), seeds from `seed`: Alice opens with two messages
/// delivered out of order, then five turns, Bob compromised after the third.
#[must_use]
pub fn conversations(seed: u64) -> Vec<Scenario> {
    use crate::model::{Event, SetUp};
    let mut out = Vec::new();
    for (index, (opk, pq_last_resort)) in
        [(true, false), (true, true), (false, false), (false, true)]
            .into_iter()
            .enumerate()
    {
        let mut events = vec![
            Event::Send {
                from: Party::Alice,
                len: 9,
            },
            Event::Send {
                from: Party::Alice,
                len: 30,
            },
            Event::Deliver { pick: 1 },
            Event::Deliver { pick: 0 },
        ];
        for turn in 0u32..5 {
            let from = if turn.is_multiple_of(2) {
                Party::Bob
            } else {
                Party::Alice
            };
            events.push(Event::Send { from, len: 17 });
            events.push(Event::Deliver { pick: 0 });
            if turn == 2 {
                events.push(Event::Compromise { party: Party::Bob });
            }
        }
        let mut hash = Sha256::new();
        hash.update(b"lockstep longterm conversations\0");
        hash.update(seed.to_be_bytes());
        hash.update([u8::try_from(index).unwrap_or(0)]);
        out.push(Scenario {
            seed: hash.finalize().into(),
            set_up: SetUp {
                opk,
                pq_last_resort,
            },
            events,
        });
    }
    out
}

/// Every check of this module over [`conversations`]`(seed)` run on the
/// implementation (`lockstep check`'s rows).
#[must_use]
pub fn outcomes_on_impl(seed: u64) -> Vec<Outcome> {
    let make = || -> Box<dyn Driver> { Box::new(crate::driver::ImplDriver::new()) };
    let scenarios = conversations(seed);
    let runs: Vec<Run> = scenarios
        .iter()
        .map(|scenario| crate::run::run(make().as_mut(), scenario))
        .collect();
    all()
        .iter()
        .map(|check| {
            let started = std::time::Instant::now();
            let failures = scenarios
                .iter()
                .zip(&runs)
                .filter_map(|(scenario, run)| {
                    (check.check)(scenario, run, &make)
                        .err()
                        .map(|violation| format!("set-up {:?}: {violation}", scenario.set_up))
                })
                .collect();
            Outcome {
                name: check.name,
                cases: scenarios.len(),
                failures,
                elapsed: started.elapsed(),
            }
        })
        .collect()
}
