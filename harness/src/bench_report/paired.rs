//! The paired ratios of `peers.rs`, as it saves them: for each operation and size,
//! lockstep's time over vodozemac's in rotated rounds (both contenders back to back
//! in each round, the first one alternating), which the machine's drift between
//! benchmarks does not skew as it skews two separate criterion means.

use serde::{Deserialize, Serialize};

/// One run of `peers.rs`'s rotated rounds: the file
/// [`PAIRED_FILE`](super::catalogue::PAIRED_FILE) under criterion's home.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedRun {
    /// When the run ended, UTC, as RFC 3339 (`2026-12-05T10:07:30Z`).
    pub utc: String,
    /// `git rev-parse --short HEAD` where the benchmark ran, if it worked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// One entry per operation and size.
    pub operations: Vec<PairedOperation>,
}

/// The rounds of one operation at one size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedOperation {
    /// The operation: `set-up`, `ping-pong` or `same-chain`.
    pub operation: String,
    /// The message size in bytes.
    pub size: u64,
    /// How many rounds were run.
    pub rounds: usize,
    /// Operations per contender per round.
    pub ops_per_round: u64,
    /// Each round's ratio, lockstep's time over vodozemac's, in the order run.
    pub ratios: Vec<f64>,
    /// The median of [`ratios`](Self::ratios).
    pub median: f64,
    /// The smallest of [`ratios`](Self::ratios).
    pub min: f64,
    /// The largest of [`ratios`](Self::ratios).
    pub max: f64,
    /// The median over the rounds of lockstep's time per operation, nanoseconds.
    pub lockstep_ns: f64,
    /// The median over the rounds of vodozemac's time per operation, nanoseconds.
    pub vodozemac_ns: f64,
}

impl PairedRun {
    /// Why this run cannot be shown, if it cannot: a count of rounds that does not
    /// match its ratios, a ratio that is not a positive number, or a median outside
    /// its range.
    #[must_use]
    pub fn problem(&self) -> Option<String> {
        for op in &self.operations {
            let name = format!("{} {} B", op.operation, op.size);
            if op.rounds == 0 || op.ratios.len() != op.rounds {
                return Some(format!(
                    "{name}: {} rounds but {} ratios",
                    op.rounds,
                    op.ratios.len()
                ));
            }
            let numbers = op.ratios.iter().chain([&op.median, &op.min, &op.max]);
            if numbers.clone().any(|r| !r.is_finite() || *r <= 0.0) {
                return Some(format!("{name}: a ratio that is not a positive number"));
            }
            if !(op.min <= op.median && op.median <= op.max) {
                return Some(format!(
                    "{name}: median {} outside its range {}-{}",
                    op.median, op.min, op.max
                ));
            }
        }
        None
    }

    /// The entry for `operation` at `size` bytes, if the run has one.
    #[must_use]
    pub fn find(&self, operation: &str, size: u64) -> Option<&PairedOperation> {
        self.operations
            .iter()
            .find(|op| op.operation == operation && op.size == size)
    }
}
