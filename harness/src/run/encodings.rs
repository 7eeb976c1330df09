//! The algebraic adversary's equivalent encodings (small-order cosets, `1/u`).

use super::*;

/// The torsion multiple `k` in 1..=7 of [`Tamper::SmallOrder`]'s `torsion`.
pub(super) fn torsion_index(torsion: u8) -> usize {
    usize::from(torsion % 7) + 1
}

/// Replaces the X25519 key at `out[offset..offset + 32]` by the point of its coset
/// with torsion multiple `k`; flips its lowest bit if there is none.
pub(super) fn replace_key(out: &mut [u8], offset: usize, k: usize) {
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

pub(super) fn field(bytes: &[u8; 32]) -> FieldElement {
    fe::from_le_bytes(&SerializedFieldElement::from_public_slice(bytes))
}

pub(super) fn field_bytes(x: FieldElement) -> [u8; 32] {
    fe::to_le_bytes(x).to_public_array()
}

pub(super) fn is_zero(x: FieldElement) -> bool {
    field_bytes(x) == [0u8; 32]
}

pub(super) fn one() -> FieldElement {
    FieldElement::from_hex("01")
}

/// XEdDSA rev 1 §2.3 `convert_mont` without the sign: the edwards25519 point with
/// `y = (u - 1)/(u + 1)` and `x` even, if `u` is canonical and on the curve.
pub(super) fn edwards_of(u: &[u8; 32]) -> Option<Point> {
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
pub(super) fn montgomery_of(point: Point) -> Option<[u8; 32]> {
    let (_, y, z, _) = point;
    if is_zero(z - y) {
        return None;
    }
    Some(field_bytes((z + y) * fe::inv(z - y)))
}

/// `[e] p` for a public exponent `e` (little-endian bytes), by double-and-add.
pub(super) fn multiply(e: &[u8; 32], p: Point) -> Point {
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
pub(super) fn torsion_point(k: usize) -> Option<Point> {
    let t8 = ed::decode(&EncodedPoint::from_public_slice(&order_8_point()?))?;
    let mut t = ed::identity();
    for _ in 0..k {
        t = ed::point_add(t, t8);
    }
    Some(t)
}

/// `u(P + [k] T8)`: the u-coordinate of `p` moved by a torsion point.
pub(super) fn coset_point(p: Point, k: usize) -> Option<[u8; 32]> {
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
pub(super) mod bundle_at {
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
pub(super) fn add_q(s: &mut [u8]) {
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
pub(super) fn forge_signature(out: &mut [u8], at: usize, variant: u8) {
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
pub(super) fn forge_kem_key(out: &mut [u8], at: usize, variant: u8) {
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
pub(super) fn forge_bundle(out: &mut [u8], part: BundlePart, variant: u8) {
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Network {
    /// The ids (in [`Run::sent`]) of the messages in flight, oldest first.
    pub in_flight: Vec<usize>,
    /// The ids of the messages delivered, in order of first delivery.
    pub delivered: Vec<usize>,
}

/// How many messages each party has sent, and how many of its deliveries
/// decrypted: the indices of the random streams of its next plaintext and its next
/// ratchet key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Counters {
    /// Messages sent, Alice's then Bob's.
    pub sends: [u64; 2],
    /// Deliveries to each that decrypted.
    pub deliveries: [u64; 2],
}

fn party_slot(party: Party) -> usize {
    match party {
        Party::Alice => 0,
        Party::Bob => 1,
    }
}

/// A conversation being played, one event at a time: the run so far, the network
/// and the counters of the random streams. It is a value ([`Clone`]): with a driver
/// that is one too, a state can be copied and continued in several ways (the
/// model checker, [`crate::model_check`], does).
///
/// Randomness belongs to what it is for, not to the moment it is drawn: the
/// plaintext of a party's `k`-th message comes from the stream (seed, "plaintext",
/// party, `k`), the ratchet key of its delivery after `j` successful ones from
/// (seed, "ratchet key", party, `j`). So an event that is removed or moved (by shrinking, or in another
/// interleaving) leaves the bytes of every other party's events as they were, and
/// two orders of independent events reach the same states.
#[derive(Clone, Debug)]
pub struct Conversation {
    seed: [u8; 32],
    /// Everything observable so far.
    pub run: Run,
    /// The messages in flight and delivered.
    pub net: Network,
    /// The random streams' indices.
    pub counters: Counters,
    /// The other session of [`Event::Inject`], once made.
    pub other: Option<Result<[Vec<u8>; 2], Failure>>,
}

impl Conversation {
    /// Sets up `scenario`'s session on `driver` (its seed and set-up; not its
    /// events).
    pub fn start<D: Driver + ?Sized>(driver: &mut D, scenario: &Scenario) -> Conversation {
        let mut run = Run::default();
        let bundle = driver.set_up(&set_up_inputs(scenario));
        run.bundle = bundle.as_ref().ok().cloned();
        run.records.push(Record::SetUp { bundle });
        Conversation {
            seed: scenario.seed,
            run,
            net: Network::default(),
            counters: Counters::default(),
            other: None,
        }
    }

    /// Whether the set-up succeeded (else no event can be played).
    #[must_use]
    pub fn is_set_up(&self) -> bool {
        self.run.bundle.is_some()
    }

    /// The next plaintext of `from`, of `len` bytes (the count moves on when the
    /// message is sent: a refused encryption leaves it for the next).
    fn plaintext(&self, from: Party, len: usize) -> Vec<u8> {
        let k = self.counters.sends[party_slot(from)];
        let mut rng = stream(
            &self.seed,
            &[b"plaintext ", from.name().as_bytes()].concat(),
            k,
        );
        draw_vec(&mut rng, len)
    }

    /// The ratchet key of `to`'s next delivery (the count moves on when a delivery
    /// succeeds: a refused one changes no state, so its key was not used).
    fn ratchet_key(&self, to: Party) -> [u8; 32] {
        let j = self.counters.deliveries[party_slot(to)];
        let mut rng = stream(
            &self.seed,
            &[b"ratchet key ", to.name().as_bytes()].concat(),
            j,
        );
        draw(&mut rng)
    }

    /// `from` sends `plaintext`: the message's id if it was sent.
    fn send<D: Driver + ?Sized>(
        &mut self,
        driver: &mut D,
        from: Party,
        plaintext: Vec<u8>,
    ) -> Option<usize> {
        let id = self.player(driver).send(from, plaintext)?;
        self.counters.sends[party_slot(from)] += 1;
        self.net.in_flight.push(id);
        Some(id)
    }

    /// Plays `event` on `driver` (which must be the driver this conversation was
    /// started on, as it is now), then records both parties' states.
    pub fn step<D: Driver + ?Sized>(&mut self, driver: &mut D, event: &Event) {
        let step = self.run.steps;
        match *event {
            Event::Send { from, len } => {
                let plaintext = self.plaintext(from, usize::from(len % (MAX_SEND_LEN + 1)));
                self.send(driver, from, plaintext);
            }
            Event::Burst { from, count } => {
                for _ in 0..=(count % (MAX_BURST + 1)) {
                    let plaintext = self.plaintext(from, 1);
                    if self.send(driver, from, plaintext).is_none() {
                        break;
                    }
                }
            }
            Event::Deliver { pick } => match pick_from(&self.net.in_flight, pick) {
                Some(index) => {
                    let id = self.net.in_flight.remove(index);
                    let to = self.run.sent[id].from.peer();
                    let bytes = self.run.sent[id].bytes.clone();
                    self.deliver(driver, to, Origin::Genuine, Some(id), bytes);
                    if !self.net.delivered.contains(&id) {
                        self.net.delivered.push(id);
                    }
                }
                None => self.player(driver).skip("nothing in flight"),
            },
            Event::Drop { pick } => match pick_from(&self.net.in_flight, pick) {
                Some(index) => {
                    self.net.in_flight.remove(index);
                }
                None => self.player(driver).skip("nothing in flight"),
            },
            Event::Reorder { a, b } => {
                match (
                    pick_from(&self.net.in_flight, a),
                    pick_from(&self.net.in_flight, b),
                ) {
                    (Some(a), Some(b)) => self.net.in_flight.swap(a, b),
                    _ => self.player(driver).skip("nothing in flight"),
                }
            }
            Event::Duplicate { pick } => match pick_from(&self.net.delivered, pick) {
                Some(index) => {
                    let id = self.net.delivered[index];
                    let to = self.run.sent[id].from.peer();
                    let bytes = self.run.sent[id].bytes.clone();
                    self.deliver(driver, to, Origin::Replay, Some(id), bytes);
                }
                None => self.player(driver).skip("nothing delivered yet"),
            },
            Event::Reflect { pick } => match pick_from(&self.run.sent, pick) {
                Some(id) => {
                    let to = self.run.sent[id].from;
                    let bytes = self.run.sent[id].bytes.clone();
                    self.deliver(driver, to, Origin::Reflected, Some(id), bytes);
                }
                None => self.player(driver).skip("nothing sent yet"),
            },
            Event::Tamper {
                how: how @ Tamper::Bundle { part, .. },
                ..
            } => {
                let bundle = self.run.bundle.clone().unwrap_or_default();
                let bytes = tamper(&bundle, how);
                let result = driver.verify_bundle(&bytes);
                self.run.records.push(Record::BundleForged {
                    step,
                    bytes: bytes.clone(),
                    result: result.clone(),
                });
                self.run.forged_bundles.push(ForgedBundle {
                    step,
                    part,
                    bytes,
                    result,
                });
            }
            Event::Tamper { pick, how } => match pick_from(&self.run.sent, pick) {
                Some(id) => {
                    let to = self.run.sent[id].from.peer();
                    let donor = match how {
                        Tamper::SwapHeader { donor, .. } => pick_from(&self.run.sent, donor)
                            .map(|d| self.run.sent[d].bytes.as_slice()),
                        _ => None,
                    };
                    let bytes = forge(&self.run.sent[id].bytes, how, donor);
                    self.deliver(driver, to, Origin::Tampered, Some(id), bytes);
                }
                None => self.player(driver).skip("nothing sent yet"),
            },
            Event::Inject { to, pick } => {
                if driver.state(to).is_none() {
                    self.player(driver).skip("no session to inject into");
                } else {
                    if self.other.is_none() {
                        let result = driver.other_session(&other_session_inputs(&self.seed));
                        self.run.records.push(Record::OtherSession {
                            step,
                            result: result.clone(),
                        });
                        self.other = Some(result);
                    }
                    match self.other.clone() {
                        Some(Ok([first, second])) => {
                            let bytes = match pick % 3 {
                                0 => first,
                                1 => first.get(PREKEY_HEADER_LEN..).unwrap_or_default().to_vec(),
                                _ => second.get(PREKEY_HEADER_LEN..).unwrap_or_default().to_vec(),
                            };
                            self.deliver(driver, to, Origin::Injected, None, bytes);
                        }
                        _ => self.player(driver).skip("the other session failed"),
                    }
                }
            }
            Event::Compromise { party } => {
                let exposure = driver.compromise(party);
                self.run.records.push(Record::Compromised {
                    step,
                    party,
                    exposure: exposure.clone(),
                });
                self.run.compromises.push(Compromise {
                    step,
                    party,
                    exposure,
                });
            }
        }
        self.run.records.push(Record::States {
            step,
            alice: driver.state(Party::Alice),
            bob: driver.state(Party::Bob),
        });
        self.run.steps = step + 1;
    }

    fn player<'a, D: Driver + ?Sized>(&'a mut self, driver: &'a mut D) -> Player<'a, D> {
        let step = self.run.steps;
        Player {
            driver,
            run: &mut self.run,
            step,
        }
    }

    fn deliver<D: Driver + ?Sized>(
        &mut self,
        driver: &mut D,
        to: Party,
        origin: Origin,
        message: Option<usize>,
        bytes: Vec<u8>,
    ) {
        let r = self.ratchet_key(to);
        self.player(driver).deliver(to, origin, message, bytes, r);
        if self.run.deliveries.last().is_some_and(|d| d.result.is_ok()) {
            self.counters.deliveries[party_slot(to)] += 1;
        }
    }
}

/// Plays `scenario` on `driver`.
pub fn run<D: Driver + ?Sized>(driver: &mut D, scenario: &Scenario) -> Run {
    let mut conversation = Conversation::start(driver, scenario);
    if conversation.is_set_up() {
        for event in &scenario.events {
            conversation.step(driver, event);
        }
    }
    conversation.run
}

/// The inputs of the other session of [`Event::Inject`].
pub(super) fn other_session_inputs(seed: &[u8; 32]) -> OtherSessionInputs {
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
pub(super) fn pick_from<T>(items: &[T], pick: u16) -> Option<usize> {
    (!items.is_empty()).then(|| usize::from(pick) % items.len())
}

/// One event being played.
pub(super) struct Player<'a, D: Driver + ?Sized> {
    pub(super) driver: &'a mut D,
    pub(super) run: &'a mut Run,
    pub(super) step: usize,
}

impl<D: Driver + ?Sized> Player<'_, D> {
    /// `from` encrypts `plaintext`; the new message's id if it was sent.
    pub(super) fn send(&mut self, from: Party, plaintext: Vec<u8>) -> Option<usize> {
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

    /// Delivers `bytes` to `to`, with `r` its ratchet key.
    pub(super) fn deliver(
        &mut self,
        to: Party,
        origin: Origin,
        message: Option<usize>,
        bytes: Vec<u8>,
        r: [u8; 32],
    ) {
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

    pub(super) fn skip(&mut self, why: &str) {
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
pub(super) fn agree(a: Option<&Record>, b: Option<&Record>) -> bool {
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
    first_divergence_of(&spec.records, &implementation.records, 0)
}

/// The first place where two lists of records differ, if any, counting from
/// `offset` (the records' position in their runs, when these are the last ones).
#[must_use]
pub fn first_divergence_of(
    spec: &[Record],
    implementation: &[Record],
    offset: usize,
) -> Option<Divergence> {
    let n = spec.len().max(implementation.len());
    (0..n)
        .find(|&i| !agree(spec.get(i), implementation.get(i)))
        .map(|i| Divergence {
            index: offset + i,
            spec: spec.get(i).cloned(),
            implementation: implementation.get(i).cloned(),
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
