//! The fuzz targets' bodies (`lockstep_harness::fuzz`) on stable, without libFuzzer:
//! the committed seed corpora are what `cargo xtask fuzz corpus` makes, every corpus
//! and regression file passes its target, the seeds reach the paths they are there
//! for, and the `conversation` input format is what `arbitrary` reads.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};
use lockstep::session::Session;
use lockstep_harness::driver::Failure;
use lockstep_harness::fuzz::{self, ConversationInput, Recipient};
use lockstep_harness::model::Party;
use lockstep_harness::sides::{Impl, Primitives, Spec};
use lockstep_harness::strategy;
use proptest::prelude::*;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The files of `dir`, by name (none if it does not exist).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_file() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let bytes = fs::read(&path).unwrap_or_default();
            out.insert(name, bytes);
        }
    }
    out
}

#[test]
fn every_target_has_a_file_in_the_fuzz_crate() {
    let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    for target in fuzz::targets() {
        let source = fuzz_dir().join(format!("fuzz_targets/{}.rs", target.name));
        let text = fs::read_to_string(&source).expect("a fuzz target file per target");
        assert!(
            text.contains(&format!("lockstep_harness::fuzz::{}(data)", target.name)),
            "{} does not call its body",
            source.display()
        );
        assert!(manifest.contains(&format!("name = \"{}\"", target.name)));
        let options =
            fs::read_to_string(fuzz_dir().join(format!("options/{}.options", target.name)))
                .expect("an options file per target");
        assert!(
            options.contains(&format!("max_len = {}", target.max_len)),
            "options/{}.options disagrees with the target's max_len",
            target.name
        );
    }
}

#[test]
fn committed_seed_corpora_are_the_generated_ones() {
    for target in fuzz::targets() {
        let generated: BTreeMap<String, Vec<u8>> = fuzz::seed_corpus(target.name)
            .expect("seed corpus")
            .into_iter()
            .collect();
        assert!(!generated.is_empty(), "{}: no seeds", target.name);
        let committed: BTreeMap<String, Vec<u8>> =
            files(&fuzz_dir().join("corpus").join(target.name))
                .into_iter()
                .filter(|(name, _)| name.starts_with("seed-"))
                .collect();
        assert!(
            committed == generated,
            "fuzz/corpus/{}/seed-* is stale: run `cargo xtask fuzz corpus`",
            target.name
        );
    }
}

#[test]
fn every_seed_and_regression_file_passes_its_target() {
    for target in fuzz::targets() {
        // The seeds only: a corpus grown by local fuzzing is not replayed here.
        let mut inputs: BTreeMap<String, Vec<u8>> =
            files(&fuzz_dir().join("corpus").join(target.name))
                .into_iter()
                .filter(|(name, _)| name.starts_with("seed-"))
                .collect();
        inputs.extend(files(&fuzz_dir().join("regressions").join(target.name)));
        for (name, bytes) in inputs {
            if let Err(finding) = (target.check)(&bytes) {
                panic!("{}/{name}: {finding}", target.name);
            }
        }
    }
}

#[test]
fn decode_seeds_decode() {
    for (name, bytes) in fuzz::seed_corpus("decode_messages").expect("seeds") {
        if name.ends_with("-oversized") {
            assert_eq!(
                lockstep::wire::decode_message(&bytes).map(|_| ()),
                Err(lockstep::Error::MessageTooLarge),
                "{name}"
            );
            continue;
        }
        let decoded = if name.starts_with("seed-bundle") {
            lockstep::wire::decode_bundle(&bytes).map(|_| ())
        } else {
            lockstep::wire::decode_message(&bytes).map(|_| ())
        };
        assert!(decoded.is_ok(), "{name} does not decode");
    }
}

#[test]
fn fixtures_are_established_and_their_pending_messages_decrypt() {
    let fixtures = fuzz::fixtures().expect("fixtures");
    assert_eq!(fixtures.len(), usize::from(fuzz::FIXTURES));
    for fixture in fixtures {
        for to in [Party::Alice, Party::Bob] {
            let mine: Vec<_> = fixture.pending.iter().filter(|p| p.to == to).collect();
            assert!(
                mine.len() >= 2,
                "fixture {} has too little in flight",
                fixture.index
            );
            let mut session = Session::from_bytes(fixture.state(to)).expect("state decodes");
            // Delivered in reverse: every one to a skipped key or a new chain.
            for pending in mine.iter().rev() {
                let plaintext = session
                    .decrypt_with(&pending.bytes, &[7u8; 32])
                    .expect("a pending message decrypts");
                assert_eq!(plaintext, pending.plaintext);
            }
            for delivered in fixture.delivered.iter().filter(|p| p.to == to) {
                assert!(session.decrypt_with(&delivered.bytes, &[8u8; 32]).is_err());
            }
        }
    }
}

/// A session that, when it refuses a message, has moved its sending chain on
/// anyway: a state change on refusal, as an implementation that commits before the
/// AEAD check makes.
struct ChangesOnRefusal(Session);

impl Recipient for ChangesOnRefusal {
    fn decrypt(&mut self, message: &[u8], r: &[u8; 32]) -> Result<Vec<u8>, Failure> {
        let result = Recipient::decrypt(&mut self.0, message, r);
        if result.is_err() {
            let _ = self.0.encrypt(b"oops");
        }
        result
    }

    fn encoding(&self) -> Vec<u8> {
        self.0.encoding()
    }
}

/// A session that takes whatever it cannot decrypt for an empty plaintext.
struct AcceptsAnything(Session);

impl Recipient for AcceptsAnything {
    fn decrypt(&mut self, message: &[u8], r: &[u8; 32]) -> Result<Vec<u8>, Failure> {
        Ok(Recipient::decrypt(&mut self.0, message, r).unwrap_or_default())
    }

    fn encoding(&self) -> Vec<u8> {
        self.0.encoding()
    }
}

fn seed(target: &str, name: &str) -> Vec<u8> {
    fuzz::seed_corpus(target)
        .expect("seeds")
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, bytes)| bytes)
        .unwrap_or_else(|| panic!("no seed {name}"))
}

#[test]
fn decrypt_untrusted_catches_broken_sessions() {
    let open = |state: &[u8]| Session::from_bytes(state).map_err(Failure::from);
    let replays = seed("decrypt_untrusted", "seed-f0-bob-replays");
    let in_order = seed("decrypt_untrusted", "seed-f0-bob-in-order");
    assert_eq!(fuzz::deliver_untrusted(&replays, open), Ok(()));
    assert_eq!(fuzz::deliver_untrusted(&in_order, open), Ok(()));

    let found = fuzz::deliver_untrusted(&replays, |s| open(s).map(ChangesOnRefusal));
    assert_eq!(
        found.map_err(|f| f.property),
        Err("a refused message changed the state")
    );
    let found = fuzz::deliver_untrusted(&replays, |s| open(s).map(AcceptsAnything));
    assert_eq!(
        found.map_err(|f| f.property),
        Err("a message no one sent was accepted")
    );
    // A genuine message, then itself again: the replay must be refused.
    let mut twice = in_order[..2].to_vec();
    let first = fuzz::frames(&in_order[2..])[0];
    twice.extend(fuzz::frame(&[first, first]));
    assert_eq!(fuzz::decrypt_untrusted(&twice), Ok(()));
    let found = fuzz::deliver_untrusted(&twice, |s| open(s).map(AcceptsAnything));
    assert_eq!(
        found.map_err(|f| f.property),
        Err("a replay was accepted or changed the state")
    );
}

#[test]
fn xeddsa_seeds_carry_valid_signatures() {
    let mut checked = 0;
    for (name, bytes) in fuzz::seed_corpus("primitives_differential").expect("seeds") {
        if !name.starts_with("seed-xeddsa_verify-") {
            continue;
        }
        let u: [u8; 32] = bytes[1..33].try_into().expect("u");
        let signature: [u8; 64] = bytes[33..97].try_into().expect("signature");
        assert!(Impl::xeddsa_verify(&u, &bytes[97..], &signature), "{name}");
        assert!(Spec::xeddsa_verify(&u, &bytes[97..], &signature), "{name}");
        checked += 1;
    }
    assert!(checked >= 2);
}

#[test]
fn frames_round_trip() {
    let messages: [&[u8]; 3] = [b"", b"abc", &[0u8; 300]];
    assert_eq!(fuzz::frames(&fuzz::frame(&messages)), messages.to_vec());
}

#[test]
fn named_conversations_round_trip_through_arbitrary() {
    for (name, input) in fuzz::named_conversations() {
        let bytes = input.to_fuzz_bytes();
        let read = ConversationInput::arbitrary(&mut Unstructured::new(&bytes));
        assert_eq!(read.ok().as_ref(), Some(&input), "{name}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// `ConversationInput::to_fuzz_bytes` is the inverse of the derived
    /// `Arbitrary`, for every event kind the strategies make.
    #[test]
    fn conversation_bytes_round_trip(scenario in strategy::scenario(24), seed in any::<u8>()) {
        let input = ConversationInput { seed, set_up: scenario.set_up, events: scenario.events };
        let bytes = input.to_fuzz_bytes();
        let read = ConversationInput::arbitrary(&mut Unstructured::new(&bytes));
        prop_assert_eq!(read.ok(), Some(input));
    }
}
