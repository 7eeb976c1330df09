//! What the adversary reads and computes: transcripts, stores and `SK` guesses.

use super::*;

pub(super) fn scalar(bytes: &[u8; 32]) -> X25519SerializedScalar {
    X25519SerializedScalar::from_public_slice(bytes)
}

pub(super) fn point(bytes: &[u8; 32]) -> X25519SerializedPoint {
    X25519SerializedPoint::from_public_slice(bytes)
}

/// The public transcript of a run's set-up: Bob's bundle, and the PreKey header and
/// first ratchet key of Alice's messages.
pub(super) struct Transcript {
    pub(super) bundle: PreKeyBundle,
    pub(super) header: PreKeyHeader,
    /// Alice's first ratchet public key (the `dh` of her PreKey messages).
    pub(super) alice_first_dh: [u8; 32],
}

impl Transcript {
    pub(super) fn of(run: &Run) -> Option<Transcript> {
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

    pub(super) fn th(&self) -> Sha256Digest {
        spec::pqxdh::transcript_hash(&self.header)
    }

    pub(super) fn ad(&self) -> ByteSeq {
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
pub(super) fn ratchet_message(bytes: &[u8]) -> Option<RatchetMessage> {
    match decode_message(&ByteSeq::from_public_slice(bytes)).ok()? {
        Message::PreKey(prekey) => Some(prekey.message),
        Message::Ratchet(message) => Some(message),
    }
}

/// The messages of Alice's first chain that `sk` opens: the chain `KDF_RK(SK,
/// init_dh)` gives (SPEC §4.4, `init_dh = DH(r, SPK_B)`), derived forward to each
/// message sealed under her first ratchet key, with `AD ‖ H`.
pub(super) fn first_chain_openings(
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

pub(super) fn opens(mk: &MessageKey, ad: &ByteSeq, message: &RatchetMessage) -> bool {
    spec::ratchet::decrypt(mk, &message.ciphertext, &header_ad(ad, &message.header)).is_ok()
}

/// The first guess of `candidates` that opens a message of Alice's first chain: the
/// guess's index and the messages it opens.
pub(super) fn first_opening(
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
pub(super) fn bob_accepted(run: &Run) -> Option<usize> {
    run.deliveries
        .iter()
        .find(|d| d.to == Party::Bob && d.state_before.is_none() && d.result.is_ok())
        .map(|d| d.step)
}

/// Fresh bytes for the adversary's own randomness, from the scenario's seed.
pub(super) fn adversary_bytes(seed: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"lockstep longterm adversary\0");
    hash.update(seed);
    hash.update(label);
    hash.finalize().into()
}
