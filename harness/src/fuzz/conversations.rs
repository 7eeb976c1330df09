//! The `conversation` and `conversation_impl` targets: whole scenarios read with `arbitrary`.

use super::*;

pub(super) const CONVERSATION: &str = "conversation";

/// How many seeds `conversation` draws from (its seed byte, modulo this), so that
/// the spec's set-ups (a quarter of a second each) are made once per process.
pub const CONVERSATION_SEEDS: u8 = 8;

/// The most events of one `conversation` input (the rest are ignored).
pub const MAX_CONVERSATION_EVENTS: usize = 32;

/// The most messages one burst of a `conversation` input sends (SPEC's skip bounds
/// are reached by `decrypt_untrusted` and by the harness's fixed scenarios, not
/// here: 2,000 messages through the spec take seconds).
pub const MAX_CONVERSATION_BURST: u16 = 64;

/// What the `conversation` target reads from its input with `arbitrary`: a
/// scenario with a one-byte seed, bounded by [`ConversationInput::scenario`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ConversationInput {
    /// Which of [`CONVERSATION_SEEDS`] seeds (modulo).
    pub seed: u8,
    /// Bob's bundle.
    pub set_up: SetUp,
    /// What happens.
    pub events: Vec<Event>,
}

impl ConversationInput {
    /// The scenario played: the seed expanded, at most [`MAX_CONVERSATION_EVENTS`]
    /// events, each burst cut to [`MAX_CONVERSATION_BURST`] messages.
    #[must_use]
    pub fn scenario(&self) -> Scenario {
        let mut seed = [0u8; 32];
        seed[..26].copy_from_slice(b"lockstep fuzz conversation");
        seed[31] = self.seed % CONVERSATION_SEEDS;
        let events = self
            .events
            .iter()
            .take(MAX_CONVERSATION_EVENTS)
            .map(|event| match *event {
                Event::Burst { from, count } => Event::Burst {
                    from,
                    count: count % MAX_CONVERSATION_BURST,
                },
                other => other,
            })
            .collect();
        Scenario {
            seed,
            set_up: self.set_up,
            events,
        }
    }

    /// The bytes that `arbitrary` (1.x, as the `conversation` target calls it) reads
    /// back as this input: the inverse of the derived `Arbitrary`, for the seed
    /// corpus. A test checks the round trip.
    #[must_use]
    pub fn to_fuzz_bytes(&self) -> Vec<u8> {
        let mut out = vec![
            self.seed,
            u8::from(self.set_up.opk),
            u8::from(self.set_up.pq_last_resort),
        ];
        for event in &self.events {
            out.push(1);
            encode_event(&mut out, event);
        }
        out.push(0);
        out
    }
}

/// `arbitrary`'s derived enums read a `u32` and take variant
/// `(u32 * count) >> 32`: the smallest `u32` that gives `index`.
pub(super) fn variant(out: &mut Vec<u8>, index: u64, count: u64) {
    let tag = (index << 32).div_ceil(count);
    out.extend_from_slice(&u32::try_from(tag).unwrap_or(u32::MAX).to_le_bytes());
}

pub(super) fn encode_party(out: &mut Vec<u8>, party: Party) {
    variant(out, u64::from(party == Party::Bob), 2);
}

pub(super) fn encode_event(out: &mut Vec<u8>, event: &Event) {
    const EVENTS: u64 = 10;
    match *event {
        Event::Send { from, len } => {
            variant(out, 0, EVENTS);
            encode_party(out, from);
            out.extend_from_slice(&len.to_le_bytes());
        }
        Event::Burst { from, count } => {
            variant(out, 1, EVENTS);
            encode_party(out, from);
            out.extend_from_slice(&count.to_le_bytes());
        }
        Event::Deliver { pick } => {
            variant(out, 2, EVENTS);
            out.extend_from_slice(&pick.to_le_bytes());
        }
        Event::Drop { pick } => {
            variant(out, 3, EVENTS);
            out.extend_from_slice(&pick.to_le_bytes());
        }
        Event::Reorder { a, b } => {
            variant(out, 4, EVENTS);
            out.extend_from_slice(&a.to_le_bytes());
            out.extend_from_slice(&b.to_le_bytes());
        }
        Event::Duplicate { pick } => {
            variant(out, 5, EVENTS);
            out.extend_from_slice(&pick.to_le_bytes());
        }
        Event::Reflect { pick } => {
            variant(out, 6, EVENTS);
            out.extend_from_slice(&pick.to_le_bytes());
        }
        Event::Tamper { pick, how } => {
            variant(out, 7, EVENTS);
            out.extend_from_slice(&pick.to_le_bytes());
            encode_tamper(out, how);
        }
        Event::Inject { to, pick } => {
            variant(out, 8, EVENTS);
            encode_party(out, to);
            out.extend_from_slice(&pick.to_le_bytes());
        }
        Event::Compromise { party } => {
            variant(out, 9, EVENTS);
            encode_party(out, party);
        }
    }
}

pub(super) fn encode_tamper(out: &mut Vec<u8>, how: Tamper) {
    const TAMPERS: u64 = 7;
    match how {
        Tamper::Flip { offset, mask } => {
            variant(out, 0, TAMPERS);
            out.extend_from_slice(&offset.to_le_bytes());
            out.push(mask);
        }
        Tamper::Field { field, value } => {
            variant(out, 1, TAMPERS);
            let index = match field {
                Field::Version => 0,
                Field::Type => 1,
                Field::RatchetKey => 2,
                Field::PreviousCount => 3,
                Field::Number => 4,
                Field::Ciphertext => 5,
                Field::Tag => 6,
                Field::PreKeyIdentity => 7,
                Field::PreKeyKemCiphertext => 8,
                Field::PreKeyOpkFlag => 9,
            };
            variant(out, index, 10);
            out.extend_from_slice(&value.to_le_bytes());
        }
        Tamper::Truncate { len } => {
            variant(out, 2, TAMPERS);
            out.extend_from_slice(&len.to_le_bytes());
        }
        Tamper::Extend { byte, count } => {
            variant(out, 3, TAMPERS);
            out.push(byte);
            out.push(count);
        }
        Tamper::SmallOrder { key, torsion } => {
            variant(out, 4, TAMPERS);
            let index = match key {
                WireKey::PreKeyIdentity => 0,
                WireKey::PreKeyEphemeral => 1,
                WireKey::RatchetKey => 2,
            };
            variant(out, index, 3);
            out.push(torsion);
        }
        Tamper::SwapHeader { donor, fields } => {
            variant(out, 5, TAMPERS);
            out.extend_from_slice(&donor.to_le_bytes());
            let index = match fields {
                HeaderFields::RatchetKey => 0,
                HeaderFields::Counters => 1,
                HeaderFields::All => 2,
            };
            variant(out, index, 3);
        }
        Tamper::Bundle {
            part,
            variant: which,
        } => {
            variant(out, 6, TAMPERS);
            let index = match part {
                BundlePart::IdentityKey => 0,
                BundlePart::SignedPreKey => 1,
                BundlePart::OneTimePreKey => 2,
                BundlePart::SignedPreKeySignature => 3,
                BundlePart::PqPreKeySignature => 4,
                BundlePart::PqPreKey => 5,
            };
            variant(out, index, 6);
            out.push(which);
        }
    }
}

/// The spec driver, with its set-ups and other sessions remembered across inputs
/// (keyed by every input byte of theirs), so a fuzzing process pays for each once.
#[derive(Default)]
pub(super) struct RememberingSpec {
    inner: SpecDriver,
    set_up_key: [u8; 32],
}

pub(super) type SetUpCache = HashMap<[u8; 32], (SpecDriver, Result<Vec<u8>, Failure>)>;
pub(super) type OtherCache = HashMap<[u8; 32], Result<[Vec<u8>; 2], Failure>>;

/// Beyond this many entries a cache is emptied (inputs with many distinct set-ups
/// do not grow the fuzzer's memory without bound).
pub(super) const CACHE_LIMIT: usize = 256;

pub(super) fn set_up_key(inputs: &SetUpInputs) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update([
        u8::from(inputs.set_up.opk),
        u8::from(inputs.set_up.pq_last_resort),
    ]);
    for part in [
        &inputs.ik_a[..],
        &inputs.ik_b,
        &inputs.spk_b,
        &inputs.opk_b,
        &inputs.pq_seed,
        &inputs.z_spk,
        &inputs.z_pqpk,
        &inputs.ek_a,
        &inputs.m,
        &inputs.r_a,
    ] {
        hash.update(part);
    }
    hash.finalize().into()
}

impl Driver for RememberingSpec {
    fn name(&self) -> &'static str {
        "spec"
    }

    fn set_up(&mut self, inputs: &SetUpInputs) -> Result<Vec<u8>, Failure> {
        static CACHE: OnceLock<Mutex<SetUpCache>> = OnceLock::new();
        let key = set_up_key(inputs);
        self.set_up_key = key;
        let cache = CACHE.get_or_init(Mutex::default);
        if let Some((driver, result)) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            self.inner = driver;
            return result;
        }
        let result = self.inner.set_up(inputs);
        if let Ok(mut c) = cache.lock() {
            if c.len() >= CACHE_LIMIT {
                c.clear();
            }
            c.insert(key, (self.inner.clone(), result.clone()));
        }
        result
    }

    fn other_session(&mut self, inputs: &OtherSessionInputs) -> Result<[Vec<u8>; 2], Failure> {
        static CACHE: OnceLock<Mutex<OtherCache>> = OnceLock::new();
        let mut hash = Sha256::new();
        hash.update(self.set_up_key);
        for part in [&inputs.ik[..], &inputs.ek, &inputs.m, &inputs.r] {
            hash.update(part);
        }
        for plaintext in &inputs.plaintexts {
            hash.update((plaintext.len() as u64).to_be_bytes());
            hash.update(plaintext);
        }
        let key: [u8; 32] = hash.finalize().into();
        let cache = CACHE.get_or_init(Mutex::default);
        if let Some(result) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return result;
        }
        let result = self.inner.other_session(inputs);
        if let Ok(mut c) = cache.lock() {
            if c.len() >= CACHE_LIMIT {
                c.clear();
            }
            c.insert(key, result.clone());
        }
        result
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

    fn compromise(&self, party: Party) -> Exposure {
        self.inner.compromise(party)
    }

    fn take_aead_use(&mut self) -> Option<crate::driver::AeadUse> {
        self.inner.take_aead_use()
    }

    fn verify_bundle(&mut self, bundle: &[u8]) -> Result<(), Failure> {
        self.inner.verify_bundle(bundle)
    }
}

/// Plays `scenario` through the spec (set-ups remembered) and the implementation;
/// the transcripts must be equal and the implementation's run must keep every
/// invariant. Returns the implementation's run.
///
/// # Errors
/// A [`Finding`] with the first divergence or the violation.
pub fn check_scenario(scenario: &Scenario) -> Result<Run, Finding> {
    let spec_run = run(&mut RememberingSpec::default(), scenario);
    let impl_run = run(&mut ImplDriver::new(), scenario);
    if let Some(divergence) = first_divergence(&spec_run, &impl_run) {
        return Err(finding(
            CONVERSATION,
            "spec and impl transcripts differ",
            format!("{divergence:?}"),
        ));
    }
    crate::invariants::check_all(&impl_run).map_err(|violation| {
        finding(
            CONVERSATION,
            "an invariant failed",
            format!("{violation:?}"),
        )
    })?;
    Ok(impl_run)
}

/// The [`ConversationInput`] `arbitrary` reads from `data`, if it can.
#[cfg(feature = "arbitrary")]
pub(super) fn read_conversation(data: &[u8]) -> Option<ConversationInput> {
    use arbitrary::Arbitrary;
    ConversationInput::arbitrary(&mut arbitrary::Unstructured::new(data)).ok()
}

/// Without the `arbitrary` feature there is no structure-aware reading of the input:
/// no input is a scenario.
#[cfg(not(feature = "arbitrary"))]
pub(super) fn read_conversation(data: &[u8]) -> Option<ConversationInput> {
    let _ = data;
    None
}

/// A scenario read from the input with `arbitrary` ([`ConversationInput`], bounded
/// by [`ConversationInput::scenario`]) is played through spec and implementation:
/// the transcripts (every wire byte, plaintext, refusal and state encoding) must be
/// equal, and the implementation's run must keep every invariant of
/// [`crate::invariants`]. Inputs `arbitrary` cannot read are ignored.
///
/// # Errors
/// A [`Finding`] with the first divergence or the violation.
pub fn conversation(data: &[u8]) -> Result<(), Finding> {
    match read_conversation(data) {
        Some(input) => check_scenario(&input.scenario()).map(|_| ()),
        None => Ok(()),
    }
}

pub(super) const CONVERSATION_IMPL: &str = "conversation_impl";

/// [`conversation`] without the spec: the implementation alone plays the scenario
/// and must keep every invariant of [`crate::invariants`]. Without the spec's
/// milliseconds per operation it runs about ten times faster, so the fuzzer
/// explores far more scenarios; equivalence is [`conversation`]'s to check.
///
/// # Errors
/// A [`Finding`] with the violation.
pub fn conversation_impl(data: &[u8]) -> Result<(), Finding> {
    let Some(input) = read_conversation(data) else {
        return Ok(());
    };
    let impl_run = run(&mut ImplDriver::new(), &input.scenario());
    crate::invariants::check_all(&impl_run).map_err(|violation| {
        finding(
            CONVERSATION_IMPL,
            "an invariant failed",
            format!("{violation:?}"),
        )
    })
}
