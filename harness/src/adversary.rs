//! The adversary of the confidentiality invariants ([`crate::invariants`]): what an
//! attacker who copied one party's state can decrypt.
//!
//! The adversary of a [`Compromise`] of party P at step t holds exactly:
//!
//! - the [`Exposure`](crate::driver::Exposure) of that compromise: P's state encodings
//!   (SPEC §6), decoded with `lockstep_spec::state::decode_state`, and the ratchet
//!   private keys P will draw next if the driver could name them (a correct driver
//!   cannot: its randomness is fresh);
//! - every byte on the network: every message sent, and every delivery to P, which it
//!   controls.
//!
//! It computes with `lockstep-spec`'s functions and nothing else, and it never reads
//! what it does not hold: not the runner's random bytes (a delivery's `r`), not the
//! other party's states, not P's states after t, not the plaintexts. Its attacks:
//!
//! - (a) [`Attack::ReceivingChain`], [`Attack::DhRatchet`]: what `session::decrypt`
//!   with a held state does to a message, without its bounds. On the state's current
//!   receiving chain (`H.dh = DHr`) it derives `KDF_CK` forward from `CKr` at `Nr` to
//!   `H.n`; on a new ratchet key it computes the receiving half of the DH ratchet,
//!   `CKr = KDF_RK(RK, DH(DHs, H.dh))`, and derives forward from 0 (the other half of
//!   `DHRatchet`, the new sending chain, and the skip in the old chain, do not change
//!   that key; SPEC §4.6).
//! - (b) [`Attack::SkippedKey`]: every stored skipped message key, opened (AEAD with
//!   `AD ‖ H`) on the message its index `(dh, n)` names, and on every other message
//!   asked about too while that costs at most [`EXHAUSTIVE_PAIRS`] openings, so a key
//!   stored under a wrong index is found as well.
//! - (c) [`Attack::SendingChain`]: P's own messages: a message whose `H.dh` is a held
//!   state's `DHs.public` and whose `H.n >= Ns` has its key `KDF_CK` forward from `CKs`.
//! - (d) [`Attack::Tracking`]: it replays every delivery to P after t, in order, on its
//!   copy of P's state (the last state of the exposure; a correct driver exposes one)
//!   with `lockstep_spec::session::decrypt`, keeping the new state whenever a
//!   decryption succeeds, so it follows P for as long as it can. The `r` of the i-th
//!   delivery is the exposure's i-th future ratchet key if there is one, and otherwise
//!   its own guess: the copy's current `DHs` private key (as if P reused its key).
//!   Every state the copy goes through is held, and attacked by (a) to (c) too.
//!
//! Spec X25519 is slow (see BENCHMARKS.md, `x25519 dh`), so the work is shared: each `DH(DHs, H.dh)` is
//! computed once per pair of keys, each chain is derived once however many held states
//! reach it, and a delivery is replayed with `session::decrypt` (three X25519 when it
//! starts a DH ratchet step) only when the key of (a) already opens it, which is when
//! `session::decrypt` can succeed.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use lockstep_spec as spec;
use spec::ByteSeq;
use spec::consts::MAX_SKIP;
use spec::ratchet::{ChainKey, MessageKey, State, decrypt, header_ad, kdf_ck, kdf_rk};
use spec::wire::{Message, RatchetMessage, decode_message};
use spec::x25519::{X25519SerializedPoint, X25519SerializedScalar, x25519_dh};

use crate::model::Party;
use crate::run::{Compromise, Run};

/// The most AEAD openings attack (b) spends on trying every stored key on every
/// message asked about (each an AEAD opening in the spec); beyond it, each key is tried on
/// the messages its index names only.
pub const EXHAUSTIVE_PAIRS: usize = 4096;

/// How the adversary opened a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Attack {
    /// (b): a stored skipped message key.
    SkippedKey,
    /// (a): the held state's current receiving chain, `CKr` forward from `Nr`.
    ReceivingChain,
    /// (a): the receiving chain a DH ratchet step of the held state would open,
    /// `KDF_RK(RK, DH(DHs, H.dh))`.
    DhRatchet,
    /// (c): the held state's sending chain, `CKs` forward from `Ns`.
    SendingChain,
    /// (d): `session::decrypt` on the tracked copy, replaying a delivery to P.
    Tracking,
}

/// Which held state an attack used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// The exposure's state at this index.
    Exposed(usize),
    /// The tracked copy, as it was after following the delivery at this step.
    Tracked(usize),
}

/// A message the adversary opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decryption {
    /// The plaintext it got.
    pub plaintext: Vec<u8>,
    /// How.
    pub attack: Attack,
    /// With which state.
    pub source: Source,
}

/// What the adversary of one compromise learns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Knowledge {
    /// The messages it opened, by id ([`crate::run::SentMessage::id`]): every target
    /// asked about that it opened, and every message it opened while tracking.
    pub decrypted: BTreeMap<usize, Decryption>,
    /// The steps of the deliveries to P that its copy followed (decrypted).
    pub followed: Vec<usize>,
    /// How many of the exposure's state encodings decoded.
    pub states: usize,
}

/// The adversary of `compromise`, attacking the sent messages whose ids are in
/// `targets` with (a) to (c), and following P with (d).
#[must_use]
pub fn attack(run: &Run, compromise: &Compromise, targets: &BTreeSet<usize>) -> Knowledge {
    let mut adversary = Adversary {
        run,
        party: compromise.party,
        dh: HashMap::new(),
        knowledge: Knowledge::default(),
    };
    let mut held: Vec<(Source, State)> = Vec::new();
    for (index, bytes) in compromise.exposure.states.iter().enumerate() {
        if let Ok(state) = spec::state::decode_state(&ByteSeq::from_public_slice(bytes)) {
            held.push((Source::Exposed(index), state));
        }
    }
    adversary.knowledge.states = held.len();
    let start = held.last().map(|(_, state)| state.clone());
    if let Some(copy) = start {
        adversary.track(compromise, copy, &mut held);
    }
    let sealed = seal_targets(run, targets);
    adversary.chains(&held, &sealed);
    adversary.skipped_keys(&held, &sealed);
    adversary.knowledge
}

/// A target message, decoded: its ratchet message and the public parts of its header.
struct Sealed {
    id: usize,
    from: Party,
    dh: [u8; 32],
    n: u32,
    message: RatchetMessage,
}

/// The targets that decode (a sent message always does; a target that does not, no
/// one can open).
fn seal_targets(run: &Run, targets: &BTreeSet<usize>) -> Vec<Sealed> {
    let mut out = Vec::new();
    for &id in targets {
        let Some(sent) = run.sent.get(id) else {
            continue;
        };
        if let Some(message) = ratchet_message(&sent.bytes) {
            out.push(Sealed {
                id,
                from: sent.from,
                dh: message.header.dh.to_public_array(),
                n: message.header.n,
                message,
            });
        }
    }
    out
}

/// SPEC §5: the ratchet message of wire bytes (the one a PreKey message carries).
fn ratchet_message(bytes: &[u8]) -> Option<RatchetMessage> {
    match decode_message(&ByteSeq::from_public_slice(bytes)).ok()? {
        Message::PreKey(prekey) => Some(prekey.message),
        Message::Ratchet(message) => Some(message),
    }
}

/// The start of a chain the adversary can derive: the chain key for message number
/// `n` of the chain of ratchet key `dh`.
struct Head {
    dh: [u8; 32],
    n: u32,
    ck: ChainKey,
    ad: ByteSeq,
    attack: Attack,
    source: Source,
}

/// The adversary at work.
struct Adversary<'a> {
    run: &'a Run,
    party: Party,
    /// `DH(DHs, dh)` by (private key, public key); none if non-contributory.
    dh: HashMap<([u8; 32], [u8; 32]), Option<X25519SerializedPoint>>,
    knowledge: Knowledge,
}

impl Adversary<'_> {
    /// `DH(private, public)` (SPEC §2), computed once per pair.
    fn dh(
        &mut self,
        private: &X25519SerializedScalar,
        public: &X25519SerializedPoint,
    ) -> Option<X25519SerializedPoint> {
        let key = (private.to_public_array(), public.to_public_array());
        *self
            .dh
            .entry(key)
            .or_insert_with(|| x25519_dh(private, public).ok())
    }

    /// Records an opening, unless the message was opened already.
    fn record(&mut self, id: usize, plaintext: &ByteSeq, attack: Attack, source: Source) {
        self.knowledge.decrypted.entry(id).or_insert(Decryption {
            plaintext: plaintext.to_native(),
            attack,
            source,
        });
    }

    /// (d): replays the deliveries to P after the compromise on `copy`.
    fn track(&mut self, compromise: &Compromise, mut copy: State, held: &mut Vec<(Source, State)>) {
        let run = self.run;
        let mut future = compromise.exposure.future_ratchet_keys.iter();
        for delivery in &run.deliveries {
            if delivery.to != self.party || delivery.step <= compromise.step {
                continue;
            }
            // The i-th future key belongs to the i-th delivery, followed or not.
            let r = match future.next() {
                Some(key) => X25519SerializedScalar::from_public_slice(key),
                None => copy.dhs,
            };
            let bytes = ByteSeq::from_public_slice(&delivery.bytes);
            if !self.may_open(&copy, &delivery.bytes) {
                continue;
            }
            let Ok((next, plaintext)) = spec::session::decrypt(&copy, &bytes, &r) else {
                continue;
            };
            copy = next;
            held.push((Source::Tracked(delivery.step), copy.clone()));
            self.knowledge.followed.push(delivery.step);
            let genuine = delivery
                .message
                .and_then(|id| run.sent.get(id))
                .filter(|sent| sent.bytes == delivery.bytes);
            if let Some(sent) = genuine {
                self.record(
                    sent.id,
                    &plaintext,
                    Attack::Tracking,
                    Source::Tracked(delivery.step),
                );
            }
        }
    }

    /// Whether `session::decrypt(state, bytes)` can succeed: always worth a try when
    /// no DH ratchet step is needed (a stored key, or the current receiving chain:
    /// cheap); otherwise only if the new receiving chain's key, which the adversary
    /// computes with one (cached) X25519, opens the message. Without this, every
    /// message of a chain the copy cannot follow would cost three spec X25519.
    fn may_open(&mut self, state: &State, bytes: &[u8]) -> bool {
        let Some(message) = ratchet_message(bytes) else {
            return false;
        };
        let header = &message.header;
        let stored = state
            .skipped
            .iter()
            .any(|key| key.n == header.n && key.dh.declassify_eq(&header.dh));
        let current = state
            .dhr
            .as_ref()
            .is_some_and(|dhr| dhr.declassify_eq(&header.dh));
        if stored || current {
            return true;
        }
        if header.n > MAX_SKIP {
            // SkipMessageKeys(H.n) on the new chain refuses it (SPEC §4.6).
            return false;
        }
        let Some(dh_out) = self.dh(&state.dhs, &header.dh) else {
            return false;
        };
        let (_, mut ck) = kdf_rk(&state.rk, &dh_out);
        for _ in 0..header.n {
            ck = kdf_ck(&ck).0;
        }
        let (_, mk) = kdf_ck(&ck);
        opens(&mk, &state.ad, &message).is_some()
    }

    /// (a) and (c): every chain a held state reaches, derived once, each key tried on
    /// the targets at its position.
    fn chains(&mut self, held: &[(Source, State)], sealed: &[Sealed]) {
        // Targets by chain and position.
        let mut positions: HashMap<[u8; 32], BTreeMap<u32, Vec<usize>>> = HashMap::new();
        for (index, target) in sealed.iter().enumerate() {
            positions
                .entry(target.dh)
                .or_default()
                .entry(target.n)
                .or_default()
                .push(index);
        }
        // The ratchet keys of the messages P received, or would have: the new chains
        // a DH ratchet step of P's could open.
        let mut peer_keys: Vec<(X25519SerializedPoint, [u8; 32])> = Vec::new();
        for target in sealed {
            if target.from != self.party && !peer_keys.iter().any(|(_, dh)| *dh == target.dh) {
                peer_keys.push((target.message.header.dh, target.dh));
            }
        }
        let mut heads = Vec::new();
        let mut new_chains: HashSet<([u8; 32], [u8; 32], [u8; 32])> = HashSet::new();
        for (source, state) in held {
            let source = *source;
            if let (Some(dhr), Some(ckr)) = (&state.dhr, &state.ckr) {
                heads.push(Head {
                    dh: dhr.to_public_array(),
                    n: state.nr,
                    ck: *ckr,
                    ad: state.ad.clone(),
                    attack: Attack::ReceivingChain,
                    source,
                });
            }
            if let Some(cks) = &state.cks {
                heads.push(Head {
                    dh: state.dhs_public.to_public_array(),
                    n: state.ns,
                    ck: *cks,
                    ad: state.ad.clone(),
                    attack: Attack::SendingChain,
                    source,
                });
            }
            let dhr = state.dhr.as_ref().map(|dhr| dhr.to_public_array());
            for (point, dh) in &peer_keys {
                let chain = (state.rk.to_public_array(), state.dhs.to_public_array(), *dh);
                if dhr == Some(*dh) || !new_chains.insert(chain) {
                    continue;
                }
                let Some(dh_out) = self.dh(&state.dhs, point) else {
                    continue;
                };
                let (_, ck) = kdf_rk(&state.rk, &dh_out);
                heads.push(Head {
                    dh: *dh,
                    n: 0,
                    ck,
                    ad: state.ad.clone(),
                    attack: Attack::DhRatchet,
                    source,
                });
            }
        }
        // Walk each chain from its lowest head; a later head that lands on a position
        // already walked with the same chain key has nothing new to give.
        heads.sort_by_key(|head| head.n);
        let mut walked: HashSet<([u8; 32], u32, [u8; 32])> = HashSet::new();
        for head in heads {
            let Some(at) = positions.get(&head.dh) else {
                continue;
            };
            let Some(&last) = at.keys().next_back() else {
                continue;
            };
            let mut ck = head.ck;
            for n in head.n..=last {
                if !walked.insert((head.dh, n, ck.to_public_array())) {
                    break;
                }
                let (next, mk) = kdf_ck(&ck);
                for &index in at.get(&n).into_iter().flatten() {
                    let target = &sealed[index];
                    if self.knowledge.decrypted.contains_key(&target.id) {
                        continue;
                    }
                    if let Some(plaintext) = opens(&mk, &head.ad, &target.message) {
                        self.record(target.id, &plaintext, head.attack, head.source);
                    }
                }
                ck = next;
            }
        }
    }

    /// (b): every stored skipped key, on the target its index names, and on every
    /// target while that costs at most [`EXHAUSTIVE_PAIRS`] openings.
    fn skipped_keys(&mut self, held: &[(Source, State)], sealed: &[Sealed]) {
        let mut seen: HashSet<([u8; 32], u32, [u8; 32])> = HashSet::new();
        let mut keys: Vec<([u8; 32], u32, MessageKey, &ByteSeq, Source)> = Vec::new();
        for (source, state) in held {
            for key in &state.skipped {
                let dh = key.dh.to_public_array();
                if seen.insert((dh, key.n, key.mk.to_public_array())) {
                    keys.push((dh, key.n, key.mk, &state.ad, *source));
                }
            }
        }
        let exhaustive = keys.len().saturating_mul(sealed.len()) <= EXHAUSTIVE_PAIRS;
        for (dh, n, mk, ad, source) in keys {
            for target in sealed {
                let indexed = target.dh == dh && target.n == n;
                if !(indexed || exhaustive) || self.knowledge.decrypted.contains_key(&target.id) {
                    continue;
                }
                if let Some(plaintext) = opens(&mk, ad, &target.message) {
                    self.record(target.id, &plaintext, Attack::SkippedKey, source);
                }
            }
        }
    }
}

/// SPEC §4.2 `DECRYPT(mk, ct, AD ‖ H)`: the plaintext, if the tag verifies.
fn opens(mk: &MessageKey, ad: &ByteSeq, message: &RatchetMessage) -> Option<ByteSeq> {
    decrypt(mk, &message.ciphertext, &header_ad(ad, &message.header)).ok()
}
