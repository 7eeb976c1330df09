//! Checks against long-term key compromise and against the quantum adversary
//! (issue 12, points 5 and 6), and the `held-values` check (point 9).
//!
//! The invariants of [`crate::invariants`] expose a party's session state (SPEC §6).
//! The harness also knows every long-term secret of a scenario: the set-up's keys are
//! drawn from its seed ([`crate::run::set_up_inputs`]), so these checks hand an
//! adversary any subset of them, and it computes with `lockstep-spec`'s public
//! functions, as the adversary of [`crate::adversary`] does. None of them compares a
//! value with one the honest spec computes: the adversary either opens a ciphertext
//! (AEAD) with keys it derived from what it holds, or gets a party to accept a message
//! it made.
//!
//! | check | adversary holds | claim |
//! |---|---|---|
//! | [`HELD_VALUES`] | one exposed state (as [`crate::invariants::forward_secrecy`]) | no value the state holds, nor `HMAC(v, 0x01)` / `HMAC(v, 0x02)` of one, is the message key of a message its party already sent or decrypted |
//! | [`LONG_TERM_FORWARD_SECRECY`] | after Bob accepted: `IK_B`, `SPK_B` and his prekey store as it stands (a used one-time prekey deleted, a last-resort PQ prekey kept), and the transcript | if a one-time prekey was used (`OPK_B`, or a one-time `PQPK_B`), no message is opened |
//! | [`KEY_COMPROMISE_IMPERSONATION`] | `IK_B`, `OPK_B`, `PQPK_B` (not `SPK_B`), Alice's public keys | no PreKey message it makes is accepted by Bob as from Alice |
//! | [`IDENTITY_MISBINDING`] | Alice's PreKey message for Bob | Carol (her own keys; or Bob's prekeys with her own identity key) refuses it; Bob refuses it with `IK_A` or `EK_A` re-encoded (another identity with the same DH results) |
//! | [`HARVEST_NOW_DECRYPT_LATER`] | the transcript, and every X25519 private key of the run (identity, signed prekey, one-time prekey, `ek_a`, every ratchet key), not the ML-KEM decapsulation key | no message of the conversation is opened |
//!
//! What the adversaries try for `SK` ([`sk_candidates`]): SPEC §3.4's KDF over the
//! DH values they hold, in order, with those they lack left out and, in turn, each
//! one they hold left out; with `SS` if they hold it, else without it or as 32 zero
//! bytes; with `info = INFO_PQXDH ‖ TH` and `INFO_PQXDH` alone. Each guess is tried
//! on Alice's first chain (`KDF_RK(SK, DH(r, SPK_B))`, the chain her first messages
//! are sealed on): every later key of the conversation descends from `SK` through the
//! root chain, so a guess that does not open those opens nothing after them either.

use lockstep_spec as spec;
use sha2::{Digest, Sha256};
use spec::ByteSeq;
use spec::consts::{F, INFO_PQXDH, MSG_PREKEY};
use spec::ml_kem::SharedSecret;
use spec::pqxdh::SharedKey;
use spec::ratchet::{ChainKey, MessageKey, RootKey, State, header_ad, kdf_ck, kdf_rk};
use spec::sha256::Sha256Digest;
use spec::wire::{
    Message, PreKeyBundle, PreKeyHeader, RatchetHeader, RatchetMessage, decode_message,
    encode_prekey_header, encode_ratchet_message,
};
use spec::x25519::{X25519SerializedPoint, X25519SerializedScalar, x25519_base, x25519_dh};

use crate::driver::{Driver, OPK_ID, PQPK_ID, SPK_ID, SetUpInputs};
use crate::invariants::{StateView, Violation};
use crate::model::{Party, Scenario};
use crate::run::{Run, set_up_inputs};

/// Makes a fresh driver of the protocol under test (for the checks that deliver
/// forged messages to a fresh Bob, or build a third party, Carol).
pub type Maker<'a> = &'a dyn Fn() -> Box<dyn Driver>;

/// The name of [`held_values`].
pub const HELD_VALUES: &str = "held-values";
/// The name of [`long_term_forward_secrecy`].
pub const LONG_TERM_FORWARD_SECRECY: &str = "long-term-forward-secrecy";
/// The name of [`key_compromise_impersonation`].
pub const KEY_COMPROMISE_IMPERSONATION: &str = "key-compromise-impersonation";
/// The name of [`identity_misbinding`].
pub const IDENTITY_MISBINDING: &str = "identity-misbinding";
/// The name of [`harvest_now_decrypt_later`].
pub const HARVEST_NOW_DECRYPT_LATER: &str = "harvest-now-decrypt-later";

/// One check of this module.
#[derive(Clone, Copy, Debug)]
pub struct LongTermCheck {
    /// Its name.
    pub name: &'static str,
    /// One line saying what it checks.
    pub description: &'static str,
    /// The check, over a scenario, the run of it on a driver made by the maker, and
    /// the maker.
    pub check: fn(&Scenario, &Run, Maker<'_>) -> Result<(), Violation>,
}

static ALL: [LongTermCheck; 5] = [
    LongTermCheck {
        name: HELD_VALUES,
        description: "no value an exposed state holds (nor HMAC of it with 0x01 or 0x02) opens a message its party had sent or decrypted",
        check: |_, run, _| held_values(run),
    },
    LongTermCheck {
        name: LONG_TERM_FORWARD_SECRECY,
        description: "Bob's identity key, signed prekey and prekey store, exposed after a one-time prekey was used and deleted, open no earlier message",
        check: long_term_forward_secrecy,
    },
    LongTermCheck {
        name: KEY_COMPROMISE_IMPERSONATION,
        description: "Bob's identity key and one-time and PQ prekeys do not let the adversary make a PreKey message Bob accepts as from Alice",
        check: key_compromise_impersonation,
    },
    LongTermCheck {
        name: IDENTITY_MISBINDING,
        description: "Alice's PreKey message for Bob is refused by Carol, and by Bob under any other encoding of IK_A or EK_A",
        check: identity_misbinding,
    },
    LongTermCheck {
        name: HARVEST_NOW_DECRYPT_LATER,
        description: "the transcript and every X25519 private key, without the ML-KEM key, open no message",
        check: harvest_now_decrypt_later,
    },
];

/// Every check of this module.
#[must_use]
pub fn all() -> &'static [LongTermCheck] {
    &ALL
}

/// The check named `name`.
#[must_use]
pub fn by_name(name: &str) -> Option<&'static LongTermCheck> {
    ALL.iter().find(|check| check.name == name)
}

/// Plays `scenario` on a driver from `make` and runs every check of this module.
///
/// # Errors
/// The first violation.
pub fn check_all(scenario: &Scenario, make: Maker<'_>) -> Result<(), Violation> {
    let run = crate::run::run(make().as_mut(), scenario);
    check_run(scenario, &run, make)
}

/// Every check of this module over a run of `scenario` made already.
///
/// # Errors
/// The first violation.
pub fn check_run(scenario: &Scenario, run: &Run, make: Maker<'_>) -> Result<(), Violation> {
    for check in all() {
        (check.check)(scenario, run, make)?;
    }
    Ok(())
}

fn violation(name: &'static str, step: Option<usize>, detail: String) -> Violation {
    Violation {
        invariant: name,
        step,
        detail,
    }
}

// ---------------------------------------------------------------------------------
// What the adversary reads and computes
// ---------------------------------------------------------------------------------

fn scalar(bytes: &[u8; 32]) -> X25519SerializedScalar {
    X25519SerializedScalar::from_public_slice(bytes)
}

fn point(bytes: &[u8; 32]) -> X25519SerializedPoint {
    X25519SerializedPoint::from_public_slice(bytes)
}

/// The public transcript of a run's set-up: Bob's bundle, and the PreKey header and
/// first ratchet key of Alice's messages.
struct Transcript {
    bundle: PreKeyBundle,
    header: PreKeyHeader,
    /// Alice's first ratchet public key (the `dh` of her PreKey messages).
    alice_first_dh: [u8; 32],
}

impl Transcript {
    fn of(run: &Run) -> Option<Transcript> {
        let bundle =
            spec::wire::decode_bundle(&ByteSeq::from_public_slice(run.bundle.as_ref()?)).ok()?;
        let first = run
            .sent
            .iter()
            .find(|sent| sent.from == Party::Alice && sent.bytes.get(1) == Some(&MSG_PREKEY))?;
        let Message::PreKey(prekey) =
            decode_message(&ByteSeq::from_public_slice(&first.bytes)).ok()?
        else {
            return None;
        };
        Some(Transcript {
            bundle,
            alice_first_dh: prekey.message.header.dh.to_public_array(),
            header: prekey.header,
        })
    }

    fn th(&self) -> Sha256Digest {
        spec::pqxdh::transcript_hash(&self.header)
    }

    fn ad(&self) -> ByteSeq {
        spec::pqxdh::associated_data(&self.header.ik_a, &self.bundle.ik_b)
    }
}

/// The adversary's guesses at `SK` (see the module documentation): the KDF of SPEC
/// §3.4 over `dhs` (`None`: a DH value it lacks, left out), each held one also left
/// out in turn; `ss` or, lacking it, nothing or 32 zero bytes (with it, also
/// without); `info` with and without `th`. Duplicates removed.
#[must_use]
pub fn sk_candidates(
    dhs: &[Option<X25519SerializedPoint>],
    ss: Option<&SharedSecret>,
    th: &Sha256Digest,
) -> Vec<SharedKey> {
    let held: Vec<&X25519SerializedPoint> = dhs.iter().flatten().collect();
    let mut selections: Vec<Vec<&X25519SerializedPoint>> = vec![held.clone()];
    for skip in 0..held.len() {
        let mut selection = held.clone();
        selection.remove(skip);
        selections.push(selection);
    }
    let zeros = ByteSeq::new(32);
    let ss_options: Vec<Option<ByteSeq>> = match ss {
        Some(ss) => vec![Some(ByteSeq::from_seq(ss)), None],
        None => vec![None, Some(zeros)],
    };
    let infos = [
        ByteSeq::from_public_slice(INFO_PQXDH).concat(th),
        ByteSeq::from_public_slice(INFO_PQXDH),
    ];
    let mut out: Vec<SharedKey> = Vec::new();
    for selection in &selections {
        for ss in &ss_options {
            for info in &infos {
                let mut ikm = ByteSeq::from_public_slice(&F);
                for dh in selection {
                    ikm = ikm.concat(*dh);
                }
                if let Some(ss) = ss {
                    ikm = ikm.concat(ss);
                }
                let Ok(okm) = spec::hkdf::hkdf(&ByteSeq::new(32), &ikm, info, 32) else {
                    continue;
                };
                let sk = SharedKey::from_seq(&okm);
                if !out.iter().any(|other| other.declassify_eq(&sk)) {
                    out.push(sk);
                }
            }
        }
    }
    out
}

/// SPEC §5: the ratchet message of wire bytes.
fn ratchet_message(bytes: &[u8]) -> Option<RatchetMessage> {
    match decode_message(&ByteSeq::from_public_slice(bytes)).ok()? {
        Message::PreKey(prekey) => Some(prekey.message),
        Message::Ratchet(message) => Some(message),
    }
}

/// The messages of Alice's first chain that `sk` opens: the chain `KDF_RK(SK,
/// init_dh)` gives (SPEC §4.4, `init_dh = DH(r, SPK_B)`), derived forward to each
/// message sealed under her first ratchet key, with `AD ‖ H`.
fn first_chain_openings(
    run: &Run,
    sk: &SharedKey,
    init_dh: &X25519SerializedPoint,
    transcript: &Transcript,
) -> Vec<usize> {
    let ad = transcript.ad();
    let (_, ck) = kdf_rk(&RootKey::from_seq(sk), init_dh);
    let mut targets: Vec<(u32, usize, RatchetMessage)> = Vec::new();
    for sent in &run.sent {
        if sent.from != Party::Alice {
            continue;
        }
        if let Some(message) = ratchet_message(&sent.bytes)
            && message.header.dh.to_public_array() == transcript.alice_first_dh
        {
            targets.push((message.header.n, sent.id, message));
        }
    }
    targets.sort_by_key(|(n, id, _)| (*n, *id));
    let mut opened = Vec::new();
    let mut ck: ChainKey = ck;
    let mut at = 0u32;
    for (n, id, message) in &targets {
        if *n > at.saturating_add(spec::consts::MAX_SKIP) {
            break;
        }
        while at < *n {
            ck = kdf_ck(&ck).0;
            at += 1;
        }
        let mk = kdf_ck(&ck).1;
        if opens(&mk, &ad, message) {
            opened.push(*id);
        }
    }
    opened
}

fn opens(mk: &MessageKey, ad: &ByteSeq, message: &RatchetMessage) -> bool {
    spec::ratchet::decrypt(mk, &message.ciphertext, &header_ad(ad, &message.header)).is_ok()
}

/// The first guess of `candidates` that opens a message of Alice's first chain: the
/// guess's index and the messages it opens.
fn first_opening(
    run: &Run,
    candidates: &[SharedKey],
    init_dh: &X25519SerializedPoint,
    transcript: &Transcript,
) -> Option<(usize, Vec<usize>)> {
    candidates.iter().enumerate().find_map(|(index, sk)| {
        let opened = first_chain_openings(run, sk, init_dh, transcript);
        (!opened.is_empty()).then_some((index, opened))
    })
}

/// Whether Bob accepted a PreKey message in the run (he holds a session made from
/// one): the step.
fn bob_accepted(run: &Run) -> Option<usize> {
    run.deliveries
        .iter()
        .find(|d| d.to == Party::Bob && d.state_before.is_none() && d.result.is_ok())
        .map(|d| d.step)
}

/// Fresh bytes for the adversary's own randomness, from the scenario's seed.
fn adversary_bytes(seed: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"lockstep longterm adversary\0");
    hash.update(seed);
    hash.update(label);
    hash.finalize().into()
}

// ---------------------------------------------------------------------------------
// held-values
// ---------------------------------------------------------------------------------

/// The most (value, message) pairs [`held_values`] tries per compromise before it
/// keeps to the messages of the state's current chains.
pub const HELD_VALUES_BUDGET: usize = 1 << 14;

/// `held-values`: a compromise of party P at step t exposes no message key of a
/// message P sent before t, or decrypted before t, in plain sight: no 32-byte value an
/// exposed state holds (`RK`, `CKs`, `CKr`, `DHs`, every stored skipped key), nor
/// `HMAC(v, 0x01)` or `HMAC(v, 0x02)` of one, opens such a message (SPEC §4.2 key
/// and nonce, `AD ‖ H`). Unlike [`crate::invariants::forward_secrecy`], whose
/// adversary derives keys the way the honest `KDF_CK` does, this adversary makes no
/// assumption about how keys are derived: it tries what it holds. A stored skipped key
/// is tried on the message its index `(dh, n)` names; the other values on every such
/// message while that costs at most [`HELD_VALUES_BUDGET`] tries, else on those of
/// the state's current sending and receiving chains.
///
/// # Errors
/// The first compromise whose state opens such a message.
pub fn held_values(run: &Run) -> Result<(), Violation> {
    for compromise in &run.compromises {
        let (party, step) = (compromise.party, compromise.step);
        let mut targets: Vec<(usize, RatchetMessage)> = Vec::new();
        for sent in &run.sent {
            let decrypted = run.deliveries.iter().any(|d| {
                d.to == party
                    && d.step < step
                    && d.result.is_ok()
                    && d.message == Some(sent.id)
                    && d.bytes == sent.bytes
            });
            if ((sent.from == party && sent.step < step) || decrypted)
                && let Some(message) = ratchet_message(&sent.bytes)
            {
                targets.push((sent.id, message));
            }
        }
        for bytes in &compromise.exposure.states {
            let Some(state) = StateView::parse(bytes) else {
                continue;
            };
            let ad = ByteSeq::from_public_slice(bytes.get(2..68).unwrap_or_default());
            let mut values: Vec<[u8; 32]> = vec![state.rk, state.dhs];
            values.extend(state.cks);
            values.extend(state.ckr);
            let mut keys: Vec<[u8; 32]> = Vec::new();
            for value in &values {
                keys.push(*value);
                for constant in [0x01u8, 0x02] {
                    let mac = spec::hmac::hmac(
                        &ByteSeq::from_public_slice(value),
                        &ByteSeq::from_public_slice(&[constant]),
                    );
                    keys.push(mac.to_public_array());
                }
            }
            let dhs_public = x25519_base(&scalar(&state.dhs)).to_public_array();
            let everywhere = keys.len().saturating_mul(targets.len()) <= HELD_VALUES_BUDGET;
            for (id, message) in &targets {
                let dh = message.header.dh.to_public_array();
                let near = dh == dhs_public || state.dhr == Some(dh);
                let mut tries: Vec<([u8; 32], &str)> = Vec::new();
                if everywhere || near {
                    tries.extend(
                        keys.iter()
                            .map(|key| (*key, "a chain, root or ratchet value")),
                    );
                }
                if let Some(skipped) = state.holds(&dh, message.header.n) {
                    for constant in [None, Some(0x01u8), Some(0x02)] {
                        let key = match constant {
                            None => skipped.mk,
                            Some(c) => spec::hmac::hmac(
                                &ByteSeq::from_public_slice(&skipped.mk),
                                &ByteSeq::from_public_slice(&[c]),
                            )
                            .to_public_array(),
                        };
                        tries.push((key, "a stored skipped key"));
                    }
                }
                for (key, what) in tries {
                    if opens(&MessageKey::from_public_slice(&key), &ad, message) {
                        let sent = &run.sent[*id];
                        return Err(violation(
                            HELD_VALUES,
                            Some(step),
                            format!(
                                "the state of {} exposed at step {step} holds {what} that opens message {id} ({} at step {}), which {} had {} before",
                                party.name(),
                                sent.from.name(),
                                sent.step,
                                party.name(),
                                if sent.from == party {
                                    "sent"
                                } else {
                                    "decrypted"
                                },
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// long-term-forward-secrecy
// ---------------------------------------------------------------------------------

/// `long-term-forward-secrecy` (PQXDH rev 2 §4.4 with X3DH §4.5): Bob's whole
/// long-term state, exposed at the end of the run after he accepted Alice's PreKey
/// message, opens none of the messages sent before.
///
/// The adversary holds `ik_b`, `spk_b` (the signed prekey is also Bob's first ratchet
/// key pair), his prekey store as the protocol leaves it (the one-time prekey deleted
/// once used; the PQ prekey's `dk` if it is last-resort, deleted if one-time) and the
/// transcript. It computes `DH1 = DH(SPK_B, IK_A)`, `DH2 = DH(IK_B, EK_A)`, `DH3 =
/// DH(SPK_B, EK_A)`, `SS = DECAPS(dk, CT)` if it holds `dk`, tries every guess of
/// [`sk_candidates`], and, with `DH(SPK_B, R_A)` for `R_A` Alice's first ratchet
/// public key, Alice's first chain.
///
/// The claim is made only when a one-time key was used: a one-time prekey (DH4 is then
/// out of reach), or a one-time PQ prekey (SS is). Without either (no `OPK_B`, a
/// last-resort `PQPK_B`) the adversary derives `SK` and reads Alice's first chain:
/// PQXDH promises nothing more there (X3DH §4.5: forward secrecy of the first messages
/// rests on the one-time prekey, or on rotating the signed prekey). Nor is the claim
/// made when Bob did not accept: his one-time keys are then still in his store.
///
/// # Errors
/// A guess that opens a message.
pub fn long_term_forward_secrecy(
    scenario: &Scenario,
    run: &Run,
    _make: Maker<'_>,
) -> Result<(), Violation> {
    let set_up = scenario.set_up;
    if !set_up.opk && set_up.pq_last_resort {
        return Ok(());
    }
    let Some(accepted) = bob_accepted(run) else {
        return Ok(());
    };
    let Some(transcript) = Transcript::of(run) else {
        return Ok(());
    };
    match long_term_exposure(scenario, run, &transcript, Exposed::default()) {
        Some((index, opened)) => Err(violation(
            LONG_TERM_FORWARD_SECRECY,
            Some(accepted),
            format!(
                "with Bob's identity key, signed prekey and store (after acceptance at step {accepted}), SK guess {index} opens messages {opened:?} of Alice's first chain"
            ),
        )),
        None => Ok(()),
    }
}

/// What, beyond the protocol's rules, a long-term exposure gives (for tests: to show
/// the attack opens messages when the deleted keys are given back).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Exposed {
    /// The one-time prekey, though it was deleted.
    pub deleted_opk: bool,
    /// The PQ prekey, though it was one-time and deleted.
    pub deleted_pqpk: bool,
}

/// The long-term adversary's attack: the guess index and the messages it opens.
#[must_use]
fn long_term_exposure(
    scenario: &Scenario,
    run: &Run,
    transcript: &Transcript,
    extra: Exposed,
) -> Option<(usize, Vec<usize>)> {
    let inputs = set_up_inputs(scenario);
    let ik_b = scalar(&inputs.ik_b);
    let spk_b = scalar(&inputs.spk_b);
    let header = &transcript.header;
    let dh1 = x25519_dh(&spk_b, &header.ik_a).ok();
    let dh2 = x25519_dh(&ik_b, &header.ek_a).ok();
    let dh3 = x25519_dh(&spk_b, &header.ek_a).ok();
    let opk_held = scenario.set_up.opk && extra.deleted_opk;
    let dh4 = if opk_held {
        x25519_dh(&scalar(&inputs.opk_b), &header.ek_a).ok()
    } else {
        None
    };
    let dk_held = scenario.set_up.pq_last_resort || extra.deleted_pqpk;
    let ss = if dk_held {
        let (_, dk) = spec::ml_kem::keygen(
            &spec::ml_kem::Seed32::from_public_slice(&inputs.pq_seed[..32]),
            &spec::ml_kem::Seed32::from_public_slice(&inputs.pq_seed[32..]),
        );
        spec::ml_kem::decaps(&dk, &header.ct).ok()
    } else {
        None
    };
    let candidates = sk_candidates(&[dh1, dh2, dh3, dh4], ss.as_ref(), &transcript.th());
    let init_dh = x25519_dh(&spk_b, &point(&transcript.alice_first_dh)).ok()?;
    first_opening(run, &candidates, &init_dh, transcript)
}

/// [`long_term_forward_secrecy`]'s attack with keys the protocol deletes given back
/// (`extra`), so that tests can show the attack works when the claim does not apply:
/// the guess index and the messages opened, if any.
#[must_use]
pub fn long_term_attack(
    scenario: &Scenario,
    run: &Run,
    extra: Exposed,
) -> Option<(usize, Vec<usize>)> {
    let transcript = Transcript::of(run)?;
    long_term_exposure(scenario, run, &transcript, extra)
}

// ---------------------------------------------------------------------------------
// key-compromise-impersonation
// ---------------------------------------------------------------------------------

/// What the KCI adversary holds of Bob's besides his identity key (for tests: the
/// signed prekey makes the attack succeed, by PQXDH's design).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KciExposure {
    /// Bob's signed prekey too.
    pub signed_prekey: bool,
}

/// `key-compromise-impersonation`: with Bob's identity private key exposed, and his
/// one-time prekey and ML-KEM decapsulation key, the adversary cannot make a PreKey
/// message that Bob (a fresh driver set up with the scenario's keys, holding all his
/// prekeys) accepts with Alice's `IK_A` in its header.
///
/// It knows Alice's public keys only. It picks its own `ek`, `m` and `r`, computes
/// `DH2 = DH(ek, IK_B)`, `DH3 = DH(ek, SPK_B)`, `DH4 = DH(ek, OPK_B)`, `(CT, SS) =
/// ENCAPS(PQPK_B, m)`, and for `DH1` (which needs `ik_a` or `spk_b`) every value it
/// can make with Alice's identity key: `DH(x, IK_A)` for `x` each private key it holds
/// (`ik_b`, `opk_b`, `ek`). Each guess of [`sk_candidates`] starts a ratchet
/// (`AD = EncodeEC(IK_A) ‖ EncodeEC(IK_B)`) and seals a message; each message is
/// delivered to Bob. Bob refusing every one is the claim.
///
/// Not claimed: with Bob's signed prekey exposed, `DH1 = DH(spk_b, IK_A)` is in reach
/// and the adversary poses as anyone to Bob (X3DH §4.6: the signed prekey is a
/// medium-term secret; [`kci_attack`] shows it).
///
/// # Errors
/// A forged message Bob accepted.
pub fn key_compromise_impersonation(
    scenario: &Scenario,
    _run: &Run,
    make: Maker<'_>,
) -> Result<(), Violation> {
    match kci_attack(scenario, make, KciExposure::default()) {
        Ok(None) => Ok(()),
        Ok(Some(index)) => Err(violation(
            KEY_COMPROMISE_IMPERSONATION,
            None,
            format!(
                "with Bob's identity key, one-time prekey and PQ prekey, forgery {index} (a PreKey message with Alice's IK_A) was accepted by Bob"
            ),
        )),
        Err(why) => Err(violation(KEY_COMPROMISE_IMPERSONATION, None, why)),
    }
}

/// The KCI adversary at work: the index of the first forgery Bob accepts, if any.
///
/// # Errors
/// A set-up that fails (nothing to check then is a failure too).
pub fn kci_attack(
    scenario: &Scenario,
    make: Maker<'_>,
    exposure: KciExposure,
) -> Result<Option<usize>, String> {
    let inputs = set_up_inputs(scenario);
    let mut bob = make();
    let bundle_bytes = bob
        .set_up(&inputs)
        .map_err(|failure| format!("set-up refused: {failure:?}"))?;
    let bundle = spec::wire::decode_bundle(&ByteSeq::from_public_slice(&bundle_bytes))
        .map_err(|error| format!("bundle does not decode: {error:?}"))?;
    let ik_a = x25519_base(&scalar(&inputs.ik_a));
    let ek = scalar(&adversary_bytes(&scenario.seed, b"kci ek"));
    let m = spec::ml_kem::Seed32::from_public_slice(&adversary_bytes(&scenario.seed, b"kci m"));
    let r = scalar(&adversary_bytes(&scenario.seed, b"kci r"));
    let (ss, ct) =
        spec::ml_kem::encaps(&bundle.pqpk_b, &m).map_err(|error| format!("ENCAPS: {error:?}"))?;
    let header = PreKeyHeader {
        ik_a,
        ek_a: x25519_base(&ek),
        spk_id: SPK_ID,
        pqpk_id: PQPK_ID,
        opk_id: bundle.opk.map(|(id, _)| id),
        ct,
    };
    let th = spec::pqxdh::transcript_hash(&header);
    let mut held: Vec<X25519SerializedScalar> = vec![scalar(&inputs.ik_b), ek];
    if bundle.opk.is_some() {
        held.push(scalar(&inputs.opk_b));
    }
    if exposure.signed_prekey {
        held.push(scalar(&inputs.spk_b));
    }
    let dh2 = x25519_dh(&ek, &bundle.ik_b).ok();
    let dh3 = x25519_dh(&ek, &bundle.spk_b).ok();
    let dh4 = bundle.opk.and_then(|(_, opk)| x25519_dh(&ek, &opk).ok());
    let mut candidates: Vec<SharedKey> = Vec::new();
    for x in &held {
        let dh1 = x25519_dh(x, &ik_a).ok();
        for sk in sk_candidates(&[dh1, dh2, dh3, dh4], Some(&ss), &th) {
            if !candidates.iter().any(|other| other.declassify_eq(&sk)) {
                candidates.push(sk);
            }
        }
    }
    let ad = spec::pqxdh::associated_data(&ik_a, &bundle.ik_b);
    let r_public = x25519_base(&r);
    let init_dh = x25519_dh(&r, &bundle.spk_b).map_err(|error| format!("{error:?}"))?;
    let header_bytes = encode_prekey_header(&header);
    let bob_r = adversary_bytes(&scenario.seed, b"kci bob r");
    for (index, sk) in candidates.iter().enumerate() {
        let state = alice_state(sk, &ad, &r, &r_public, &bundle.spk_b, &init_dh);
        let Some(message) = seal(&state, b"not from alice") else {
            continue;
        };
        let bytes = header_bytes.concat(&message).to_native();
        if bob.decrypt(Party::Bob, &bytes, &bob_r).is_ok() {
            return Ok(Some(index));
        }
    }
    Ok(None)
}

/// SPEC §4.4 `RatchetInitAlice` with `DH(r, SPK_B)` given (computed once).
fn alice_state(
    sk: &SharedKey,
    ad: &ByteSeq,
    r: &X25519SerializedScalar,
    r_public: &X25519SerializedPoint,
    spk_b: &X25519SerializedPoint,
    init_dh: &X25519SerializedPoint,
) -> State {
    let (rk, cks) = kdf_rk(&RootKey::from_seq(sk), init_dh);
    State {
        ad: ad.clone(),
        dhs: *r,
        dhs_public: *r_public,
        dhr: Some(*spk_b),
        rk,
        cks: Some(cks),
        ckr: None,
        ns: 0,
        nr: 0,
        pn: 0,
        skipped: Vec::new(),
        pending_prekey: None,
        prekey_hash: None,
    }
}

/// SPEC §4.5: the first ratchet message of `state`'s sending chain.
fn seal(state: &State, plaintext: &[u8]) -> Option<ByteSeq> {
    let cks = state.cks?;
    let (_, mk) = kdf_ck(&cks);
    let header = RatchetHeader {
        dh: state.dhs_public,
        pn: 0,
        n: 0,
    };
    let ciphertext = spec::ratchet::encrypt(
        &mk,
        &ByteSeq::from_public_slice(plaintext),
        &header_ad(&state.ad, &header),
    )
    .ok()?;
    Some(encode_ratchet_message(&RatchetMessage {
        header,
        ciphertext,
    }))
}

// ---------------------------------------------------------------------------------
// identity-misbinding
// ---------------------------------------------------------------------------------

/// Another canonical encoding of `u` with the same X25519 results: `1/u`, the
/// u-coordinate of `P + T2` for `T2 = (0, 0)` of order 2, kept when `X25519(k, 1/u) =
/// X25519(k, u)` for a clamped `k` and `1/u != u`. (The order-4 and order-8 points of
/// the coset need a square root and are left to the `authentication` invariant's
/// small-order tampering, `model::Tamper::SmallOrder`.)
#[must_use]
pub fn equivalent_encodings(u: &[u8; 32]) -> Vec<[u8; 32]> {
    use spec::field25519::{SerializedFieldElement, from_le_bytes, inv, to_le_bytes};
    let x = from_le_bytes(&SerializedFieldElement::from_public_slice(u));
    let k = [0x5au8; 32];
    let reference = x25519_dalek::x25519(k, *u);
    let bytes = to_le_bytes(inv(x)).to_public_array();
    let equivalent =
        bytes != *u && reference != [0u8; 32] && x25519_dalek::x25519(k, bytes) == reference;
    if equivalent { vec![bytes] } else { Vec::new() }
}

/// The set-up inputs of Carol: Bob's with his keys replaced by hers (all of them, or
/// only the identity key when `keeps_bobs_prekeys`).
fn carol_inputs(scenario: &Scenario, keeps_bobs_prekeys: bool) -> SetUpInputs {
    let mut inputs = set_up_inputs(scenario);
    inputs.ik_b = adversary_bytes(&scenario.seed, b"carol ik");
    if !keeps_bobs_prekeys {
        inputs.spk_b = adversary_bytes(&scenario.seed, b"carol spk");
        inputs.opk_b = adversary_bytes(&scenario.seed, b"carol opk");
        let d = adversary_bytes(&scenario.seed, b"carol pq d");
        let z = adversary_bytes(&scenario.seed, b"carol pq z");
        inputs.pq_seed[..32].copy_from_slice(&d);
        inputs.pq_seed[32..].copy_from_slice(&z);
    }
    inputs
}

/// `identity-misbinding` (unknown key share): a PreKey message Alice made for Bob
/// (a fresh driver set up with the scenario's keys, Alice encrypting one message) is
/// not accepted as from Alice by anyone else, and not by Bob as from anyone else:
///
/// - Carol, a third party with a bundle of her own (the same ids, her own keys),
///   refuses it; so does a Carol who holds Bob's prekeys (signed, one-time and PQ:
///   say, stolen from his store) but her own identity key.
/// - Bob refuses it with `IK_A` replaced by another encoding with the same DH results
///   ([`equivalent_encodings`], `1/u`): the identity of another party, Mallory, who
///   registered that key. The same for `EK_A`.
///
/// # Errors
/// The first such delivery accepted.
pub fn identity_misbinding(
    scenario: &Scenario,
    _run: &Run,
    make: Maker<'_>,
) -> Result<(), Violation> {
    let fail = |detail: String| violation(IDENTITY_MISBINDING, None, detail);
    let inputs = set_up_inputs(scenario);
    let mut alice = make();
    alice
        .set_up(&inputs)
        .map_err(|failure| fail(format!("set-up refused: {failure:?}")))?;
    let message = alice
        .encrypt(Party::Alice, b"for bob only")
        .map_err(|failure| fail(format!("Alice cannot encrypt: {failure:?}")))?;
    let r = adversary_bytes(&scenario.seed, b"misbinding r");
    for (keeps, who) in [
        (false, "Carol, with keys of her own,"),
        (
            true,
            "Carol, holding Bob's prekeys with her own identity key,",
        ),
    ] {
        let mut carol = make();
        if carol.set_up(&carol_inputs(scenario, keeps)).is_err() {
            continue;
        }
        if carol.decrypt(Party::Bob, &message, &r).is_ok() {
            return Err(fail(format!(
                "{who} accepted Alice's PreKey message for Bob as from Alice"
            )));
        }
    }
    let mut bob = make();
    bob.set_up(&inputs)
        .map_err(|failure| fail(format!("set-up refused: {failure:?}")))?;
    for (offset, key) in [(2usize, "IK_A"), (34, "EK_A")] {
        let Some(original) = message
            .get(offset..offset + 32)
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        else {
            continue;
        };
        for other in equivalent_encodings(&original) {
            let mut forged = message.clone();
            forged[offset..offset + 32].copy_from_slice(&other);
            if bob.decrypt(Party::Bob, &forged, &r).is_ok() {
                return Err(fail(format!(
                    "Bob accepted Alice's PreKey message with {key} re-encoded (another key with the same DH results)"
                )));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// harvest-now-decrypt-later
// ---------------------------------------------------------------------------------

/// `harvest-now-decrypt-later` (PQXDH rev 2, security considerations on passive quantum adversaries): an
/// adversary that recorded the conversation and later holds every X25519 private key
/// of the run (Alice's and Bob's identity keys, the signed prekey, the one-time
/// prekey, `ek_a`, and every ratchet private key: `r` of the set-up and of every
/// delivery) but not Bob's ML-KEM decapsulation key opens no message.
///
/// The claim, exactly: `SK` depends on `SS`, and every root key, chain key and
/// message key of the session descends from `SK` through `KDF_RK`'s salt, so the
/// adversary derives none of them: not the messages before the first DH ratchet step
/// only, but the whole conversation. It computes DH1 to DH4 with the private keys,
/// tries every guess of [`sk_candidates`] (no `SS`, or a zero one) on Alice's first
/// chain (`KDF_RK(SK, DH(r_a, SPK_B))`), from which every later key descends.
///
/// Not claimed: against an adversary that also copies a session state (a root key),
/// healing is X25519 only: with every ratchet private key, it follows the root chain
/// forward from the copy for ever. Post-compromise security is classical.
///
/// # Errors
/// A guess that opens a message.
pub fn harvest_now_decrypt_later(
    scenario: &Scenario,
    run: &Run,
    _make: Maker<'_>,
) -> Result<(), Violation> {
    match hndl_attack(scenario, run, false) {
        Some((index, opened)) => Err(violation(
            HARVEST_NOW_DECRYPT_LATER,
            None,
            format!(
                "without the ML-KEM key, SK guess {index} (from the X25519 private keys) opens messages {opened:?} of Alice's first chain"
            ),
        )),
        None => Ok(()),
    }
}

/// The quantum adversary's attack (with `with_dk`, also given Bob's decapsulation
/// key, for tests: then it must succeed): the guess index and the messages opened.
#[must_use]
pub fn hndl_attack(scenario: &Scenario, run: &Run, with_dk: bool) -> Option<(usize, Vec<usize>)> {
    let transcript = Transcript::of(run)?;
    let inputs = set_up_inputs(scenario);
    let bundle = &transcript.bundle;
    let ik_a = scalar(&inputs.ik_a);
    let ek_a = scalar(&inputs.ek_a);
    let dh1 = x25519_dh(&ik_a, &bundle.spk_b).ok();
    let dh2 = x25519_dh(&ek_a, &bundle.ik_b).ok();
    let dh3 = x25519_dh(&ek_a, &bundle.spk_b).ok();
    let dh4 = bundle
        .opk
        .and_then(|(id, opk)| (id == OPK_ID).then_some(opk))
        .and_then(|opk| x25519_dh(&ek_a, &opk).ok());
    let ss = if with_dk {
        let (_, dk) = spec::ml_kem::keygen(
            &spec::ml_kem::Seed32::from_public_slice(&inputs.pq_seed[..32]),
            &spec::ml_kem::Seed32::from_public_slice(&inputs.pq_seed[32..]),
        );
        spec::ml_kem::decaps(&dk, &transcript.header.ct).ok()
    } else {
        None
    };
    let candidates = sk_candidates(&[dh1, dh2, dh3, dh4], ss.as_ref(), &transcript.th());
    let init_dh = x25519_dh(&scalar(&inputs.r_a), &bundle.spk_b).ok()?;
    first_opening(run, &candidates, &init_dh, &transcript)
}

// ---------------------------------------------------------------------------------
// For `lockstep check`
// ---------------------------------------------------------------------------------

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
