//! The runner: plays a [`Scenario`] on a [`Driver`] and records what happened.
//!
//! The runner owns the network (the messages in flight, the ones delivered) and
//! every random byte. Randomness comes from the scenario's seed: the set-up's keys
//! from one stream, each event's bytes (a plaintext, the ratchet key of a
//! decryption) from a stream of its own, keyed by the event's position, so both
//! drivers get the same bytes whatever they answer.
//!
//! A [`Run`] keeps two things: the [`Record`]s, which are everything observable
//! (every wire byte, plaintext, refusal and both state encodings after each event)
//! and are what spec and impl must agree on; and the structured log the invariants
//! ([`crate::invariants`]) read: the messages sent, the deliveries with the
//! recipient's state before and after, and the compromises.

use lockstep::consts::{MSG_PREKEY, PREKEY_HEADER_LEN, RATCHET_HEADER_LEN};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use lockstep_spec::edwards25519::{self as ed, EncodedPoint, Point};
use lockstep_spec::field25519::{self as fe, FieldElement, SerializedFieldElement};

use crate::driver::{
    AeadUse, Driver, Exposure, Failure, ImplDriver, OtherSessionInputs, SetUpInputs, SpecDriver,
};
use crate::model::{
    BundlePart, Event, Field, HeaderFields, MAX_BURST, MAX_SEND_LEN, Party, Scenario, Tamper,
    WireKey,
};

/// How a delivered message came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Origin {
    /// Sent by the peer, delivered for the first time by [`Event::Deliver`].
    Genuine,
    /// Delivered again by [`Event::Duplicate`].
    Replay,
    /// Delivered to its own sender by [`Event::Reflect`].
    Reflected,
    /// Changed by [`Event::Tamper`].
    Tampered,
    /// From another session, by [`Event::Inject`].
    Injected,
}

/// One observable fact of a run. Spec and impl runs of one scenario must produce
/// equal lists of records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Record {
    /// The bundle's bytes, or why set-up failed.
    SetUp {
        /// The bundle (SPEC §3.2) or the refusal.
        bundle: Result<Vec<u8>, Failure>,
    },
    /// An encryption: the message bytes or the refusal.
    Sent {
        /// The event's position.
        step: usize,
        /// The sender.
        from: Party,
        /// The wire bytes, or the refusal.
        result: Result<Vec<u8>, Failure>,
        /// The ChaCha20-Poly1305 key and nonce the driver reports it sealed with.
        #[serde(default)]
        aead: Option<AeadUse>,
    },
    /// A decryption (or Bob's acceptance).
    Delivered {
        /// The event's position.
        step: usize,
        /// The recipient.
        to: Party,
        /// How the message came to be.
        origin: Origin,
        /// The bytes delivered.
        bytes: Vec<u8>,
        /// The plaintext, or the refusal.
        result: Result<Vec<u8>, Failure>,
        /// The ChaCha20-Poly1305 key and nonce the driver reports it opened with.
        #[serde(default)]
        aead: Option<AeadUse>,
    },
    /// A forged bundle ([`Tamper::Bundle`]) given to Alice to verify.
    BundleForged {
        /// The event's position.
        step: usize,
        /// The forged bundle's bytes.
        bytes: Vec<u8>,
        /// Whether Alice's decoding and verification accepted it, or why not.
        result: Result<(), Failure>,
    },
    /// The other session of [`Event::Inject`] was made: its two messages.
    OtherSession {
        /// The event's position.
        step: usize,
        /// The two PreKey messages, or the refusal.
        result: Result<[Vec<u8>; 2], Failure>,
    },
    /// The adversary copied a party's state.
    Compromised {
        /// The event's position.
        step: usize,
        /// Whose.
        party: Party,
        /// What it got.
        exposure: Exposure,
    },
    /// An event that had nothing to act on.
    Skipped {
        /// The event's position.
        step: usize,
        /// Why.
        why: String,
    },
    /// Both parties' state encodings (SPEC §6) after an event.
    States {
        /// The event's position.
        step: usize,
        /// Alice's.
        alice: Option<Vec<u8>>,
        /// Bob's, once he has accepted.
        bob: Option<Vec<u8>>,
    },
}

/// A message that was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentMessage {
    /// Its position among the messages sent.
    pub id: usize,
    /// The event that sent it.
    pub step: usize,
    /// The sender.
    pub from: Party,
    /// The wire bytes.
    pub bytes: Vec<u8>,
    /// The plaintext.
    pub plaintext: Vec<u8>,
    /// The sender's state encoding just before encrypting.
    pub state_before: Vec<u8>,
    /// The ChaCha20-Poly1305 key and nonce the driver reports it sealed with.
    pub aead: Option<AeadUse>,
}

/// A delivery of bytes to a party.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The event.
    pub step: usize,
    /// The recipient.
    pub to: Party,
    /// How the bytes came to be.
    pub origin: Origin,
    /// The sent message the bytes come from (none for an injected one).
    pub message: Option<usize>,
    /// The bytes delivered.
    pub bytes: Vec<u8>,
    /// The ratchet private key the recipient was given.
    pub r: [u8; 32],
    /// The plaintext or the refusal.
    pub result: Result<Vec<u8>, Failure>,
    /// The recipient's state encoding before (none: no session yet).
    pub state_before: Option<Vec<u8>>,
    /// And after.
    pub state_after: Option<Vec<u8>>,
    /// The ChaCha20-Poly1305 key and nonce the driver reports it opened with (a
    /// successful decryption's).
    pub aead: Option<AeadUse>,
}

/// A forged bundle given to Alice ([`Tamper::Bundle`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForgedBundle {
    /// The event.
    pub step: usize,
    /// What was re-encoded.
    pub part: BundlePart,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Alice's verdict.
    pub result: Result<(), Failure>,
}

/// A compromise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compromise {
    /// The event.
    pub step: usize,
    /// Whose state.
    pub party: Party,
    /// What the adversary got.
    pub exposure: Exposure,
}

/// Everything a run produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Run {
    /// What must be equal between spec and impl.
    pub records: Vec<Record>,
    /// The set-up's bundle bytes, if set-up succeeded.
    pub bundle: Option<Vec<u8>>,
    /// Every message sent, in order.
    pub sent: Vec<SentMessage>,
    /// Every delivery, in order.
    pub deliveries: Vec<Delivery>,
    /// Every compromise, in order.
    pub compromises: Vec<Compromise>,
    /// Every forged bundle given to Alice, in order.
    pub forged_bundles: Vec<ForgedBundle>,
    /// The number of events played.
    pub steps: usize,
}

/// The random stream of one part of a scenario: ChaCha20 keyed by
/// SHA-256(seed ‖ label ‖ index).
fn stream(seed: &[u8; 32], label: &[u8], index: u64) -> ChaCha20Rng {
    let mut hash = Sha256::new();
    hash.update(b"lockstep harness stream\0");
    hash.update(seed);
    hash.update(label);
    hash.update(index.to_be_bytes());
    ChaCha20Rng::from_seed(hash.finalize().into())
}

fn draw<const N: usize>(rng: &mut ChaCha20Rng) -> [u8; N] {
    let mut out = [0u8; N];
    rng.fill_bytes(&mut out);
    out
}

fn draw_vec(rng: &mut ChaCha20Rng, len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    rng.fill_bytes(&mut out);
    out
}

/// The set-up inputs of a scenario (also what a test needs to redo the set-up).
#[must_use]
pub fn set_up_inputs(scenario: &Scenario) -> SetUpInputs {
    let mut rng = stream(&scenario.seed, b"set-up", 0);
    SetUpInputs {
        set_up: scenario.set_up,
        ik_a: draw(&mut rng),
        ik_b: draw(&mut rng),
        spk_b: draw(&mut rng),
        opk_b: draw(&mut rng),
        pq_seed: draw(&mut rng),
        z_spk: draw(&mut rng),
        z_pqpk: draw(&mut rng),
        ek_a: draw(&mut rng),
        m: draw(&mut rng),
        r_a: draw(&mut rng),
    }
}

/// Where the ratchet message starts in `bytes`: after the PreKey header for a
/// PreKey message, else at 0.
fn ratchet_offset(bytes: &[u8]) -> usize {
    if bytes.len() >= PREKEY_HEADER_LEN && bytes.get(1) == Some(&MSG_PREKEY) {
        PREKEY_HEADER_LEN
    } else {
        0
    }
}

/// `bytes` changed as `how` says; always different from `bytes` (for a non-empty
/// message). [`Tamper::SwapHeader`] has no donor here (see [`forge`]) and flips a
/// bit; [`Tamper::Bundle`] takes `bytes` to be a bundle.
#[must_use]
pub fn tamper(bytes: &[u8], how: Tamper) -> Vec<u8> {
    forge(bytes, how, None)
}

/// `bytes` changed as `how` says, with `donor` the message whose header fields
/// [`Tamper::SwapHeader`] copies; always different from `bytes` (for a non-empty
/// message).
#[must_use]
pub fn forge(bytes: &[u8], how: Tamper, donor: Option<&[u8]>) -> Vec<u8> {
    let mut out = bytes.to_vec();
    if out.is_empty() {
        out.push(0);
        return out;
    }
    let len = out.len();
    let at = |offset: usize| offset % len;
    match how {
        Tamper::Flip { offset, mask } => out[at(usize::from(offset))] ^= mask.max(1),
        Tamper::Truncate { len: keep } => out.truncate(usize::from(keep) % len),
        Tamper::Extend { byte, count } => {
            out.extend(std::iter::repeat_n(byte, usize::from(count) + 1));
        }
        Tamper::Field { field, value } => {
            let r = ratchet_offset(bytes);
            let be = value.to_be_bytes();
            let prekey = r > 0;
            let (offset, new): (usize, &[u8]) = match field {
                Field::Version => (r, &be[3..]),
                Field::Type => (r + 1, &be[3..]),
                Field::RatchetKey => (r + 2, &be),
                Field::PreviousCount => (r + 34, &be),
                Field::Number => (r + 38, &be),
                Field::Ciphertext => (r + RATCHET_HEADER_LEN, &be[3..]),
                Field::Tag => (len - 1, &be[3..]),
                Field::PreKeyIdentity if prekey => (2, &be),
                Field::PreKeyKemCiphertext if prekey => {
                    (79 + usize::try_from(value % 1568).unwrap_or(0), &be[3..])
                }
                Field::PreKeyOpkFlag if prekey => (74, &be[3..]),
                _ => (0, &[]),
            };
            for (i, b) in new.iter().enumerate() {
                if let Some(slot) = out.get_mut(offset + i) {
                    *slot = *b;
                }
            }
            if out == bytes {
                out[at(offset)] ^= 1;
            }
        }
        Tamper::SmallOrder { key, torsion } => {
            let r = ratchet_offset(bytes);
            let offset = match key {
                WireKey::PreKeyIdentity if r > 0 => Some(2),
                WireKey::PreKeyEphemeral if r > 0 => Some(34),
                WireKey::RatchetKey => Some(r + 2),
                _ => None,
            };
            if let Some(offset) = offset {
                replace_key(&mut out, offset, torsion_index(torsion));
            }
        }
        Tamper::SwapHeader { fields, .. } => {
            let (from, to) = match fields {
                HeaderFields::RatchetKey => (2, 34),
                HeaderFields::Counters => (34, 42),
                HeaderFields::All => (2, 42),
            };
            let r = ratchet_offset(bytes);
            if let Some(donor) = donor {
                let d = ratchet_offset(donor);
                if let (Some(src), Some(dst)) =
                    (donor.get(d + from..d + to), out.get_mut(r + from..r + to))
                {
                    dst.copy_from_slice(src);
                }
            }
        }
        Tamper::Bundle { part, variant } => forge_bundle(&mut out, part, variant),
    }
    if out == bytes {
        out[0] ^= 1;
    }
    out
}

// ---------------------------------------------------------------------------------
// The algebraic adversary's equivalent encodings
// ---------------------------------------------------------------------------------

/// The torsion multiple `k` in 1..=7 of [`Tamper::SmallOrder`]'s `torsion`.
fn torsion_index(torsion: u8) -> usize {
    usize::from(torsion % 7) + 1
}

/// Replaces the X25519 key at `out[offset..offset + 32]` by the point of its coset
/// with torsion multiple `k`; flips its lowest bit if there is none.
fn replace_key(out: &mut [u8], offset: usize, k: usize) {
    let Some(slot) = out.get_mut(offset..offset + 32) else {
        return;
    };
    let Ok(u) = <[u8; 32]>::try_from(&*slot) else {
        return;
    };
    match edwards_of(&u).and_then(|p| coset_point(p, k)) {
        Some(other) if other != u => slot.copy_from_slice(&other),
        _ => slot[0] ^= 1,
    }
}

fn field(bytes: &[u8; 32]) -> FieldElement {
    fe::from_le_bytes(&SerializedFieldElement::from_public_slice(bytes))
}

fn field_bytes(x: FieldElement) -> [u8; 32] {
    fe::to_le_bytes(x).to_public_array()
}

fn is_zero(x: FieldElement) -> bool {
    field_bytes(x) == [0u8; 32]
}

fn one() -> FieldElement {
    FieldElement::from_hex("01")
}

/// XEdDSA rev 1 §2.3 `convert_mont` without the sign: the edwards25519 point with
/// `y = (u - 1)/(u + 1)` and `x` even, if `u` is canonical and on the curve.
fn edwards_of(u: &[u8; 32]) -> Option<Point> {
    if !fe::less_than(*u, fe::P) {
        return None;
    }
    let u = field(u);
    if is_zero(u + one()) {
        return None;
    }
    let y = (u - one()) * fe::inv(u + one());
    ed::decode(&EncodedPoint::from_seq(&fe::to_le_bytes(y)))
}

/// RFC 7748 §4.1: the Montgomery `u = (1 + y)/(1 - y)` of an edwards25519 point; none
/// for the points with `y = 1` (the neutral element).
fn montgomery_of(point: Point) -> Option<[u8; 32]> {
    let (_, y, z, _) = point;
    if is_zero(z - y) {
        return None;
    }
    Some(field_bytes((z + y) * fe::inv(z - y)))
}

/// `[e] p` for a public exponent `e` (little-endian bytes), by double-and-add.
fn multiply(e: &[u8; 32], p: Point) -> Point {
    let mut acc = ed::identity();
    for i in (0..256).rev() {
        acc = ed::point_double(acc);
        if (e[i / 8] >> (i % 8)) & 1 == 1 {
            acc = ed::point_add(acc, p);
        }
    }
    acc
}

/// A point of order 8 of edwards25519, `T8`, encoded: the torsion part `[q] P` of the
/// first point `P` with `y = 2, 3, ...` whose torsion part has order 8 (`q` the
/// prime order, so `[q] P` lies in the 8-torsion). Computed once.
#[must_use]
pub fn order_8_point() -> Option<[u8; 32]> {
    static T8: std::sync::OnceLock<Option<[u8; 32]>> = std::sync::OnceLock::new();
    *T8.get_or_init(|| {
        for y in 2u8..=255 {
            let mut encoded = [0u8; 32];
            encoded[0] = y;
            let Some(p) = ed::decode(&EncodedPoint::from_public_slice(&encoded)) else {
                continue;
            };
            let t = multiply(&ed::Q, p);
            let t4 = ed::point_double(ed::point_double(t));
            if !ed::point_equal(t4, ed::identity()) {
                return Some(ed::encode(t).to_public_array());
            }
        }
        None
    })
}

/// The `k`-th multiple of [`order_8_point`], `k` in 0..8.
fn torsion_point(k: usize) -> Option<Point> {
    let t8 = ed::decode(&EncodedPoint::from_public_slice(&order_8_point()?))?;
    let mut t = ed::identity();
    for _ in 0..k {
        t = ed::point_add(t, t8);
    }
    Some(t)
}

/// `u(P + [k] T8)`: the u-coordinate of `p` moved by a torsion point.
fn coset_point(p: Point, k: usize) -> Option<[u8; 32]> {
    montgomery_of(ed::point_add(p, torsion_point(k)?))
}

/// The other canonical points of the small-order coset of the X25519 key `u`: each
/// `(k, u')` with `u' = u(P + [k] T8)`, `k` in 1..=7, `P` the point of
/// `edwards_of(u)`, leaving out any `u'` equal to `u` or to an earlier one. For
/// every clamped scalar `c` (a multiple of 8, RFC 7748 §5), `X25519(c, u') = X25519(c,
/// u)`. `k = 4` adds the point of order 2 (`u' = 1/u`); `k = 2, 6` the points of order
/// 4; odd `k` the points of order 8. Empty if `u` is not canonical or not on the
/// curve.
#[must_use]
pub fn small_order_coset(u: &[u8; 32]) -> Vec<(usize, [u8; 32])> {
    let Some(p) = edwards_of(u) else {
        return Vec::new();
    };
    let mut out: Vec<(usize, [u8; 32])> = Vec::new();
    for k in 1..8 {
        let Some(other) = coset_point(p, k) else {
            continue;
        };
        if other != *u && fe::less_than(other, fe::P) && out.iter().all(|(_, o)| *o != other) {
            out.push((k, other));
        }
    }
    out
}

/// SPEC §3.2's offsets in the bundle.
mod bundle_at {
    pub(super) const IK_B: usize = 1;
    pub(super) const SPK_B: usize = 37;
    pub(super) const SPK_SIG: usize = 69;
    pub(super) const PQPK_B: usize = 138;
    pub(super) const PQPK_SIG: usize = 1706;
    pub(super) const OPK_B: usize = 1775;
    /// ML-KEM-1024's `t` part of `ek`: 1024 coefficients of 12 bits (FIPS 203 §7.2
    /// checks these; the last 32 bytes are `rho`).
    pub(super) const PQPK_T_LEN: usize = 1536;
}

/// RFC 8032 §5.1: `q` added to the little-endian 32-byte `s` (which stays below
/// 2^256: `s < 2^255`).
fn add_q(s: &mut [u8]) {
    let mut carry = 0u16;
    for (i, byte) in s.iter_mut().enumerate() {
        let [lo, hi] = (u16::from(*byte) + u16::from(ed::Q[i]) + carry).to_le_bytes();
        *byte = lo;
        carry = u16::from(hi);
    }
}

/// An XEdDSA signature `R ‖ s` at `out[at..at + 64]`, re-encoded: even `variant`, `s +
/// q` (the same scalar modulo `q`); odd, `R + [k] T8` (the same point up to a
/// small-order one, which a cofactored verifier accepts).
fn forge_signature(out: &mut [u8], at: usize, variant: u8) {
    let Some(sig) = out.get_mut(at..at + 64) else {
        return;
    };
    if variant.is_multiple_of(2) {
        add_q(&mut sig[32..]);
        return;
    }
    let k = torsion_index(variant / 2);
    let point = ed::decode(&EncodedPoint::from_public_slice(&sig[..32]));
    match (point, torsion_point(k)) {
        (Some(r), Some(t)) => {
            sig[..32].copy_from_slice(&ed::encode(ed::point_add(r, t)).to_public_array());
        }
        _ => sig[0] ^= 1,
    }
}

/// ML-KEM's encapsulation key at `out[at..]` with one 12-bit coefficient `c < 2^12 -
/// 3329` written as `c + 3329` (the first such from coefficient `4 * variant`).
fn forge_kem_key(out: &mut [u8], at: usize, variant: u8) {
    const Q_KEM: u16 = 3329;
    let Some(t) = out.get_mut(at..at + bundle_at::PQPK_T_LEN) else {
        return;
    };
    let count = bundle_at::PQPK_T_LEN * 8 / 12;
    for step in 0..count {
        let i = (4 * usize::from(variant) + step) % count;
        let (byte, high) = (i / 2 * 3, i % 2 == 1);
        let c = if high {
            (u16::from(t[byte + 1]) >> 4) | (u16::from(t[byte + 2]) << 4)
        } else {
            u16::from(t[byte]) | ((u16::from(t[byte + 1]) & 0x0f) << 8)
        };
        if c + Q_KEM < 4096 {
            let [lo, hi] = (c + Q_KEM).to_le_bytes();
            if high {
                t[byte + 1] = (t[byte + 1] & 0x0f) | ((lo & 0x0f) << 4);
                t[byte + 2] = (hi << 4) | (lo >> 4);
            } else {
                t[byte] = lo;
                t[byte + 1] = (t[byte + 1] & 0xf0) | hi;
            }
            return;
        }
    }
}

/// Bob's bundle with `part` re-encoded (see [`BundlePart`]).
fn forge_bundle(out: &mut [u8], part: BundlePart, variant: u8) {
    let k = torsion_index(variant);
    match part {
        BundlePart::IdentityKey => replace_key(out, bundle_at::IK_B, k),
        BundlePart::SignedPreKey => replace_key(out, bundle_at::SPK_B, k),
        BundlePart::OneTimePreKey => replace_key(out, bundle_at::OPK_B, k),
        BundlePart::SignedPreKeySignature => forge_signature(out, bundle_at::SPK_SIG, variant),
        BundlePart::PqPreKeySignature => forge_signature(out, bundle_at::PQPK_SIG, variant),
        BundlePart::PqPreKey => forge_kem_key(out, bundle_at::PQPK_B, variant),
    }
}

/// The network between the parties: messages in flight (by id, in the order they
/// would arrive) and the messages delivered, in order of first delivery.
#[derive(Default)]
struct Network {
    in_flight: Vec<usize>,
    delivered: Vec<usize>,
}

/// Plays `scenario` on `driver`.
pub fn run<D: Driver + ?Sized>(driver: &mut D, scenario: &Scenario) -> Run {
    let mut run = Run::default();
    let bundle = driver.set_up(&set_up_inputs(scenario));
    run.bundle = bundle.as_ref().ok().cloned();
    run.records.push(Record::SetUp { bundle });
    if run.bundle.is_none() {
        return run;
    }
    let mut net = Network::default();
    let mut other: Option<Result<[Vec<u8>; 2], Failure>> = None;
    for (step, event) in scenario.events.iter().enumerate() {
        let mut rng = stream(&scenario.seed, b"event", step as u64);
        let mut player = Player {
            driver: &mut *driver,
            run: &mut run,
            step,
        };
        match *event {
            Event::Send { from, len } => {
                let plaintext = draw_vec(&mut rng, usize::from(len % (MAX_SEND_LEN + 1)));
                if let Some(id) = player.send(from, plaintext) {
                    net.in_flight.push(id);
                }
            }
            Event::Burst { from, count } => {
                for _ in 0..=(count % (MAX_BURST + 1)) {
                    let plaintext = draw_vec(&mut rng, 1);
                    match player.send(from, plaintext) {
                        Some(id) => net.in_flight.push(id),
                        None => break,
                    }
                }
            }
            Event::Deliver { pick } => match pick_from(&net.in_flight, pick) {
                Some(index) => {
                    let id = net.in_flight.remove(index);
                    let to = player.run.sent[id].from.peer();
                    let bytes = player.run.sent[id].bytes.clone();
                    player.deliver(to, Origin::Genuine, Some(id), bytes, &mut rng);
                    if !net.delivered.contains(&id) {
                        net.delivered.push(id);
                    }
                }
                None => player.skip("nothing in flight"),
            },
            Event::Drop { pick } => match pick_from(&net.in_flight, pick) {
                Some(index) => {
                    net.in_flight.remove(index);
                }
                None => player.skip("nothing in flight"),
            },
            Event::Reorder { a, b } => {
                match (pick_from(&net.in_flight, a), pick_from(&net.in_flight, b)) {
                    (Some(a), Some(b)) => net.in_flight.swap(a, b),
                    _ => player.skip("nothing in flight"),
                }
            }
            Event::Duplicate { pick } => match pick_from(&net.delivered, pick) {
                Some(index) => {
                    let id = net.delivered[index];
                    let to = player.run.sent[id].from.peer();
                    let bytes = player.run.sent[id].bytes.clone();
                    player.deliver(to, Origin::Replay, Some(id), bytes, &mut rng);
                }
                None => player.skip("nothing delivered yet"),
            },
            Event::Reflect { pick } => match pick_from(&player.run.sent, pick) {
                Some(id) => {
                    let to = player.run.sent[id].from;
                    let bytes = player.run.sent[id].bytes.clone();
                    player.deliver(to, Origin::Reflected, Some(id), bytes, &mut rng);
                }
                None => player.skip("nothing sent yet"),
            },
            Event::Tamper {
                how: how @ Tamper::Bundle { part, .. },
                ..
            } => {
                let bundle = player.run.bundle.clone().unwrap_or_default();
                let bytes = tamper(&bundle, how);
                let result = player.driver.verify_bundle(&bytes);
                player.run.records.push(Record::BundleForged {
                    step,
                    bytes: bytes.clone(),
                    result: result.clone(),
                });
                player.run.forged_bundles.push(ForgedBundle {
                    step,
                    part,
                    bytes,
                    result,
                });
            }
            Event::Tamper { pick, how } => match pick_from(&player.run.sent, pick) {
                Some(id) => {
                    let to = player.run.sent[id].from.peer();
                    let donor = match how {
                        Tamper::SwapHeader { donor, .. } => pick_from(&player.run.sent, donor)
                            .map(|d| player.run.sent[d].bytes.as_slice()),
                        _ => None,
                    };
                    let bytes = forge(&player.run.sent[id].bytes, how, donor);
                    player.deliver(to, Origin::Tampered, Some(id), bytes, &mut rng);
                }
                None => player.skip("nothing sent yet"),
            },
            Event::Inject { to, pick } => {
                if player.driver.state(to).is_none() {
                    player.skip("no session to inject into");
                } else {
                    let messages = other.get_or_insert_with(|| {
                        let inputs = other_session_inputs(&scenario.seed);
                        let result = player.driver.other_session(&inputs);
                        player.run.records.push(Record::OtherSession {
                            step,
                            result: result.clone(),
                        });
                        result
                    });
                    match messages {
                        Ok([first, second]) => {
                            let bytes = match pick % 3 {
                                0 => first.clone(),
                                1 => first.get(PREKEY_HEADER_LEN..).unwrap_or_default().to_vec(),
                                _ => second.get(PREKEY_HEADER_LEN..).unwrap_or_default().to_vec(),
                            };
                            player.deliver(to, Origin::Injected, None, bytes, &mut rng);
                        }
                        Err(_) => player.skip("the other session failed"),
                    }
                }
            }
            Event::Compromise { party } => {
                let exposure = player.driver.compromise(party);
                player.run.records.push(Record::Compromised {
                    step,
                    party,
                    exposure: exposure.clone(),
                });
                player.run.compromises.push(Compromise {
                    step,
                    party,
                    exposure,
                });
            }
        }
        run.records.push(Record::States {
            step,
            alice: driver.state(Party::Alice),
            bob: driver.state(Party::Bob),
        });
        run.steps = step + 1;
    }
    run
}

/// The inputs of the other session of [`Event::Inject`].
fn other_session_inputs(seed: &[u8; 32]) -> OtherSessionInputs {
    let mut rng = stream(seed, b"other session", 0);
    OtherSessionInputs {
        ik: draw(&mut rng),
        ek: draw(&mut rng),
        m: draw(&mut rng),
        r: draw(&mut rng),
        plaintexts: [draw_vec(&mut rng, 16), draw_vec(&mut rng, 16)],
    }
}

/// `pick` modulo the number of items, if there are any.
fn pick_from<T>(items: &[T], pick: u16) -> Option<usize> {
    (!items.is_empty()).then(|| usize::from(pick) % items.len())
}

/// One event being played.
struct Player<'a, D: Driver + ?Sized> {
    driver: &'a mut D,
    run: &'a mut Run,
    step: usize,
}

impl<D: Driver + ?Sized> Player<'_, D> {
    /// `from` encrypts `plaintext`; the new message's id if it was sent.
    fn send(&mut self, from: Party, plaintext: Vec<u8>) -> Option<usize> {
        let state_before = self.driver.state(from);
        let result = self.driver.encrypt(from, &plaintext);
        let aead = self.driver.take_aead_use();
        self.run.records.push(Record::Sent {
            step: self.step,
            from,
            result: result.clone(),
            aead,
        });
        let (Ok(bytes), Some(state_before)) = (result, state_before) else {
            return None;
        };
        let id = self.run.sent.len();
        self.run.sent.push(SentMessage {
            id,
            step: self.step,
            from,
            bytes,
            plaintext,
            state_before,
            aead,
        });
        Some(id)
    }

    /// Delivers `bytes` to `to`, with a fresh ratchet key from `rng`.
    fn deliver(
        &mut self,
        to: Party,
        origin: Origin,
        message: Option<usize>,
        bytes: Vec<u8>,
        rng: &mut ChaCha20Rng,
    ) {
        let r: [u8; 32] = draw(rng);
        let state_before = self.driver.state(to);
        let result = self.driver.decrypt(to, &bytes, &r);
        let aead = self.driver.take_aead_use();
        let state_after = self.driver.state(to);
        self.run.records.push(Record::Delivered {
            step: self.step,
            to,
            origin,
            bytes: bytes.clone(),
            result: result.clone(),
            aead,
        });
        self.run.deliveries.push(Delivery {
            step: self.step,
            to,
            origin,
            message,
            bytes,
            r,
            result,
            state_before,
            state_after,
            aead,
        });
    }

    fn skip(&mut self, why: &str) {
        self.run.records.push(Record::Skipped {
            step: self.step,
            why: why.to_owned(),
        });
    }
}

/// Where two runs first differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The index of the first differing record.
    pub index: usize,
    /// The spec's record there (none: its run ended).
    pub spec: Option<Record>,
    /// The implementation's.
    pub implementation: Option<Record>,
}

impl core::fmt::Display for Divergence {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "record {}: spec {:?} / impl {:?}",
            self.index, self.spec, self.implementation
        )
    }
}

/// Whether two records agree. The AEAD key and nonce are compared only when both
/// drivers report them (a driver need not: [`Driver::take_aead_use`]).
fn agree(a: Option<&Record>, b: Option<&Record>) -> bool {
    let strip = |record: &Record| match record.clone() {
        Record::Sent {
            step, from, result, ..
        } => Record::Sent {
            step,
            from,
            result,
            aead: None,
        },
        Record::Delivered {
            step,
            to,
            origin,
            bytes,
            result,
            ..
        } => Record::Delivered {
            step,
            to,
            origin,
            bytes,
            result,
            aead: None,
        },
        other => other,
    };
    let reported = |record: &Record| match record {
        Record::Sent { aead, .. } | Record::Delivered { aead, .. } => aead.is_some(),
        _ => false,
    };
    match (a, b) {
        (Some(a), Some(b)) if !(reported(a) && reported(b)) => strip(a) == strip(b),
        (a, b) => a == b,
    }
}

/// The first record where `spec` and `implementation` differ, if any.
#[must_use]
pub fn first_divergence(spec: &Run, implementation: &Run) -> Option<Divergence> {
    let n = spec.records.len().max(implementation.records.len());
    (0..n)
        .find(|&i| !agree(spec.records.get(i), implementation.records.get(i)))
        .map(|index| Divergence {
            index,
            spec: spec.records.get(index).cloned(),
            implementation: implementation.records.get(index).cloned(),
        })
}

/// Plays `scenario` through the spec and the implementation.
///
/// # Errors
/// The first record where the two differ.
pub fn equivalence(scenario: &Scenario) -> Result<Run, Box<Divergence>> {
    let spec = run(&mut SpecDriver::new(), scenario);
    let implementation = run(&mut ImplDriver::new(), scenario);
    match first_divergence(&spec, &implementation) {
        None => Ok(implementation),
        Some(divergence) => Err(Box::new(divergence)),
    }
}
