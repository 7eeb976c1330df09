//! `franking.json` (SPEC §9): the two HMACs on given inputs, a franked conversation
//! through the platform, reports given to `VerifyReport`, and the §9.3 decoders.
//!
//! Every value is a call of the checker's [`SpecSide`] (`commit`, `stamp_tag`,
//! `frank_encrypt`, `stamp`, `frank_deliver`, `report`, `verify_report`,
//! `decode_franked`), the call the checker replays on both sides; the generator
//! refuses to write a vector whose outcome in the spec is not the one planned.

use lockstep_vectors::protocol::{
    CommitVector, FrankDeliverStep, FrankEncryptStep, FrankedDecodingVector, FrankedStructure,
    FrankingFlow, FrankingStep, FrankingVectors, ReportStep, ReportVector, StampStep,
    StampTagVector, Verdict, VerifyReportStep,
};
use spec::consts::{
    MAX_FRANKED_PLAINTEXT_LEN, MAX_INNER_LEN, MAX_PARTY_ID_LEN, MSG_FRANKED, MSG_REPORT,
    MSG_STAMPED, VERSION,
};

use super::*;
use crate::vector_check::{FrankingIds, verdict};

const SOURCE_COMMIT: &str = "docs/SPEC.md §9.1 (Id), §9.2 Commit";
const SOURCE_STAMP_TAG: &str = "docs/SPEC.md §9.1 (Id, u64be), §9.2 StampTag";
const SOURCE_FLOW: &str = "docs/SPEC.md §9.2 (FrankEncrypt, Stamp, FrankAccept, FrankDecrypt, Open, Report, VerifyReport), §9.3, §3.5, §4.5, §4.6, §6";
const SOURCE_VERIFY: &str = "docs/SPEC.md §9.2 VerifyReport (checks in this order: decode, recipient, stamp, commitment), §7";
const SOURCE_DECODE: &str =
    "docs/SPEC.md §9.3 (decoded by §5's rules in §5's order: empty, version, type, lengths), §7";

/// The flow's identifiers on the platform.
const ALICE_ID: &[u8] = b"alice";
const BOB_ID: &[u8] = b"bob";

/// The flow's id.
const FLOW_ID: &str = "franking_conversation";

/// The vectors of `franking.json`.
pub(super) fn franking(handshakes: &[PqxdhVector]) -> Result<FrankingVectors, GenerateError> {
    let handshake = handshakes
        .iter()
        .find(|h| h.id == "pqxdh_with_opk")
        .ok_or_else(|| unexpected("franking: no handshake pqxdh_with_opk"))?;
    let flow = flow(handshake)?;
    Ok(FrankingVectors {
        commits: commits()?,
        stamp_tags: stamp_tags()?,
        reports: reports(&flow)?,
        decoding: decoding(&flow)?,
        flows: vec![flow],
    })
}

/// `want` as the verdict a [`SpecSide`] call must give.
fn planned(want: Result<(), spec::Error>) -> Verdict {
    verdict(want.map_err(spec::Error::name))
}

/// The verdict of `got` must be the planned one.
fn check_planned<T>(
    id: &str,
    got: &Result<T, Refusal>,
    want: Result<(), spec::Error>,
) -> Result<Verdict, GenerateError> {
    let got = verdict(got.as_ref().map(|_| ()).map_err(|e| *e));
    let want = planned(want);
    if got != want {
        return Err(unexpected(format!(
            "{id}: the spec gives {got:?}, not {want:?}"
        )));
    }
    Ok(got)
}

/// SHA-512 of a label: 64 bytes, for the longest identifiers.
fn derive64(id: &str, name: &str) -> [u8; 64] {
    derived64(&SpecSide, id, name)
}

// ---------------------------------------------------------------------------------
// commits, stamp_tags
// ---------------------------------------------------------------------------------

struct CommitPlan<'a> {
    id: &'a str,
    description: &'a str,
    /// The label id `fk` is derived from (`SHA-256("... / <fk_of> / fk")`).
    fk_of: &'a str,
    sender: Vec<u8>,
    recipient: Vec<u8>,
    m: Vec<u8>,
    want: Result<(), spec::Error>,
}

fn commit(plan: CommitPlan<'_>) -> Result<CommitVector, GenerateError> {
    let fk = derive32(plan.fk_of, "fk");
    let ids = FrankingIds {
        sender: &plan.sender,
        recipient: &plan.recipient,
    };
    let got = SpecSide.commit(&fk, ids, &plan.m);
    let outcome = check_planned(plan.id, &got, plan.want)?;
    Ok(CommitVector {
        id: plan.id.to_owned(),
        source: SOURCE_COMMIT.to_owned(),
        description: plan.description.to_owned(),
        fk,
        sender: plan.sender,
        recipient: plan.recipient,
        m: plan.m,
        outcome,
        c: got.ok(),
    })
}

/// A message of `len` bytes `i mod 251`.
fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from(i % 251).unwrap_or_default())
        .collect()
}

/// A message that makes `Commit`'s HMAC text (the 28-byte label, `Id("alice")`,
/// `Id("bob")`, `m`) exactly `text_len` bytes.
fn message_for_text(text_len: usize) -> Vec<u8> {
    let fixed = spec::consts::FRANKING_COMMIT_LABEL.len() + 1 + ALICE_ID.len() + 1 + BOB_ID.len();
    vec![b'm'; text_len.saturating_sub(fixed)]
}

fn commits() -> Result<Vec<CommitVector>, GenerateError> {
    use spec::Error::InvalidMessage;
    let alice = ALICE_ID.to_vec();
    let bob = BOB_ID.to_vec();
    let hello = b"hello, franked world".to_vec();
    Ok(vec![
        commit(CommitPlan {
            id: "commit_basic",
            description: "A commitment to a short message from \"alice\" to \"bob\".",
            fk_of: "commit_basic",
            sender: alice.clone(),
            recipient: bob.clone(),
            m: hello.clone(),
            want: Ok(()),
        })?,
        commit(CommitPlan {
            id: "commit_context_swapped",
            description: "commit_basic's fk and message from \"bob\" to \"alice\": another commitment (the context is ordered, sender first). fk is commit_basic's.",
            fk_of: "commit_basic",
            sender: bob.clone(),
            recipient: alice.clone(),
            m: hello,
            want: Ok(()),
        })?,
        commit(CommitPlan {
            id: "commit_empty_message",
            description: "The empty message: the HMAC text is the label and the two identifiers.",
            fk_of: "commit_empty_message",
            sender: alice.clone(),
            recipient: bob.clone(),
            m: Vec::new(),
            want: Ok(()),
        })?,
        commit(CommitPlan {
            id: "commit_one_byte_ids",
            description: "The shortest identifiers, 1 byte each: Id(\"a\") = 01 61.",
            fk_of: "commit_one_byte_ids",
            sender: b"a".to_vec(),
            recipient: b"b".to_vec(),
            m: b"hi".to_vec(),
            want: Ok(()),
        })?,
        commit(CommitPlan {
            id: "commit_64_byte_ids",
            description: "The longest identifiers, 64 bytes each (SHA-512 of the labels \".../commit_64_byte_ids / sender\" and \".../recipient\"): Id(x) = 40 ‖ x.",
            fk_of: "commit_64_byte_ids",
            sender: derive64("commit_64_byte_ids", "sender").to_vec(),
            recipient: derive64("commit_64_byte_ids", "recipient").to_vec(),
            m: b"hi".to_vec(),
            want: Ok(()),
        })?,
        commit(CommitPlan {
            id: "commit_long_message",
            description: "A 1000-byte message, byte i = i mod 251: the HMAC text spans many SHA-256 blocks.",
            fk_of: "commit_long_message",
            sender: alice.clone(),
            recipient: bob.clone(),
            m: pattern(1000),
            want: Ok(()),
        })?,
        commit(CommitPlan {
            id: "commit_text_55_bytes",
            description: "An HMAC text of 55 bytes (label 28, Id(\"alice\") 6, Id(\"bob\") 4, m 17 bytes \"m\"): with the 64-byte key block, the longest inner input that SHA-256 pads within one more block.",
            fk_of: "commit_text_55_bytes",
            sender: alice.clone(),
            recipient: bob.clone(),
            m: message_for_text(55),
            want: Ok(()),
        })?,
        commit(CommitPlan {
            id: "commit_text_56_bytes",
            description: "An HMAC text of 56 bytes (m 18 bytes \"m\"): SHA-256's padding needs another block.",
            fk_of: "commit_text_56_bytes",
            sender: alice.clone(),
            recipient: bob.clone(),
            m: message_for_text(56),
            want: Ok(()),
        })?,
        commit(CommitPlan {
            id: "commit_prefix_free_1",
            description: "sender \"ab\", recipient \"c\", m \"d\": the same bytes as commit_prefix_free_2 without the length prefixes, and another commitment.",
            fk_of: "commit_prefix_free",
            sender: b"ab".to_vec(),
            recipient: b"c".to_vec(),
            m: b"d".to_vec(),
            want: Ok(()),
        })?,
        commit(CommitPlan {
            id: "commit_prefix_free_2",
            description: "sender \"a\", recipient \"bc\", m \"d\", with commit_prefix_free_1's fk (the label \".../commit_prefix_free / fk\").",
            fk_of: "commit_prefix_free",
            sender: b"a".to_vec(),
            recipient: b"bc".to_vec(),
            m: b"d".to_vec(),
            want: Ok(()),
        })?,
        commit(CommitPlan {
            id: "commit_sender_empty",
            description: "An empty sender identifier (0 bytes): refused.",
            fk_of: "commit_sender_empty",
            sender: Vec::new(),
            recipient: bob,
            m: b"hi".to_vec(),
            want: Err(InvalidMessage),
        })?,
        commit(CommitPlan {
            id: "commit_recipient_65_bytes",
            description: "A recipient identifier of 65 bytes (MAX_PARTY_ID_LEN + 1, \"b\" repeated): refused.",
            fk_of: "commit_recipient_65_bytes",
            sender: alice,
            recipient: vec![b'b'; MAX_PARTY_ID_LEN + 1],
            m: b"hi".to_vec(),
            want: Err(InvalidMessage),
        })?,
    ])
}

struct StampTagPlan<'a> {
    id: &'a str,
    description: &'a str,
    /// The label id `kp` and `c` are derived from.
    inputs_of: &'a str,
    sender: Vec<u8>,
    recipient: Vec<u8>,
    t: u64,
    want: Result<(), spec::Error>,
}

fn stamp_tag(plan: StampTagPlan<'_>) -> Result<StampTagVector, GenerateError> {
    let kp = derive32(plan.inputs_of, "kp");
    let c = derive32(plan.inputs_of, "c");
    let ids = FrankingIds {
        sender: &plan.sender,
        recipient: &plan.recipient,
    };
    let got = SpecSide.stamp_tag(&kp, &c, ids, plan.t);
    let outcome = check_planned(plan.id, &got, plan.want)?;
    Ok(StampTagVector {
        id: plan.id.to_owned(),
        source: SOURCE_STAMP_TAG.to_owned(),
        description: plan.description.to_owned(),
        kp,
        c,
        sender: plan.sender,
        recipient: plan.recipient,
        t: plan.t,
        outcome,
        tag: got.ok(),
    })
}

fn stamp_tags() -> Result<Vec<StampTagVector>, GenerateError> {
    use spec::Error::InvalidMessage;
    let alice = ALICE_ID.to_vec();
    let bob = BOB_ID.to_vec();
    Ok(vec![
        stamp_tag(StampTagPlan {
            id: "stamp_tag_basic",
            description: "A stamp of a message from \"alice\" to \"bob\" at t = 1700000000.",
            inputs_of: "stamp_tag_basic",
            sender: alice.clone(),
            recipient: bob.clone(),
            t: 1_700_000_000,
            want: Ok(()),
        })?,
        stamp_tag(StampTagPlan {
            id: "stamp_tag_t_zero",
            description: "t = 0: u64be(t) is eight zero bytes.",
            inputs_of: "stamp_tag_t_zero",
            sender: alice.clone(),
            recipient: bob.clone(),
            t: 0,
            want: Ok(()),
        })?,
        stamp_tag(StampTagPlan {
            id: "stamp_tag_t_max",
            description: "t = 2^64 - 1: u64be(t) is eight 0xff bytes.",
            inputs_of: "stamp_tag_t_max",
            sender: alice.clone(),
            recipient: bob.clone(),
            t: u64::MAX,
            want: Ok(()),
        })?,
        stamp_tag(StampTagPlan {
            id: "stamp_tag_t_byte_order",
            description: "t = 0x0102030405060708: u64be(t) is 01 02 03 04 05 06 07 08 (big-endian).",
            inputs_of: "stamp_tag_t_byte_order",
            sender: alice.clone(),
            recipient: bob.clone(),
            t: 0x0102_0304_0506_0708,
            want: Ok(()),
        })?,
        stamp_tag(StampTagPlan {
            id: "stamp_tag_context_swapped",
            description: "stamp_tag_basic's kp, c and t with the identifiers swapped: another tag. kp and c are stamp_tag_basic's.",
            inputs_of: "stamp_tag_basic",
            sender: bob.clone(),
            recipient: alice.clone(),
            t: 1_700_000_000,
            want: Ok(()),
        })?,
        stamp_tag(StampTagPlan {
            id: "stamp_tag_one_byte_ids",
            description: "Identifiers of 1 byte each.",
            inputs_of: "stamp_tag_one_byte_ids",
            sender: b"a".to_vec(),
            recipient: b"b".to_vec(),
            t: 1,
            want: Ok(()),
        })?,
        stamp_tag(StampTagPlan {
            id: "stamp_tag_64_byte_ids",
            description: "Identifiers of 64 bytes each (SHA-512 of the labels \".../stamp_tag_64_byte_ids / sender\" and \".../recipient\").",
            inputs_of: "stamp_tag_64_byte_ids",
            sender: derive64("stamp_tag_64_byte_ids", "sender").to_vec(),
            recipient: derive64("stamp_tag_64_byte_ids", "recipient").to_vec(),
            t: 1_700_000_000,
            want: Ok(()),
        })?,
        stamp_tag(StampTagPlan {
            id: "stamp_tag_sender_65_bytes",
            description: "A sender identifier of 65 bytes (\"a\" repeated): refused.",
            inputs_of: "stamp_tag_sender_65_bytes",
            sender: vec![b'a'; MAX_PARTY_ID_LEN + 1],
            recipient: bob,
            t: 1_700_000_000,
            want: Err(InvalidMessage),
        })?,
        stamp_tag(StampTagPlan {
            id: "stamp_tag_recipient_empty",
            description: "An empty recipient identifier: refused.",
            inputs_of: "stamp_tag_recipient_empty",
            sender: alice,
            recipient: Vec::new(),
            t: 1_700_000_000,
            want: Err(InvalidMessage),
        })?,
    ])
}

// ---------------------------------------------------------------------------------
// flows
// ---------------------------------------------------------------------------------

/// What a delivery must give.
enum Expect {
    /// The message that was sent.
    Ok,
    /// This error, and the receiver as it was.
    Refused(spec::Error),
}

/// A franked conversation being generated on the checker's [`SpecSide`].
struct Flow<'a> {
    id: &'static str,
    handshake: &'a PqxdhVector,
    conversation: <SpecSide as VectorSide>::Conversation,
    alice_r: [u8; 32],
    alice_state: Vec<u8>,
    kp: [u8; 32],
    steps: Vec<FrankingStep>,
    /// Per step, the receipt of an accepted delivery.
    receipts: Vec<Option<spec::franking::Receipt>>,
}

/// The identifiers of a message from `sender`.
fn ids_of(sender: Party) -> FrankingIds<'static> {
    match sender {
        Party::Alice => FrankingIds {
            sender: ALICE_ID,
            recipient: BOB_ID,
        },
        Party::Bob => FrankingIds {
            sender: BOB_ID,
            recipient: ALICE_ID,
        },
    }
}

/// `bytes` with `value` written at `offset`.
fn with_bytes_at(bytes: &[u8], offset: usize, value: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[offset..offset + value.len()].copy_from_slice(value);
    out
}

impl<'a> Flow<'a> {
    fn new(id: &'static str, handshake: &'a PqxdhVector) -> Result<Self, GenerateError> {
        let alice_r = derive32(id, "alice_r");
        let (conversation, _sk) = SpecSide
            .start(handshake, &alice_r)
            .map_err(refused(format!("{id}: session::initiate")))?;
        let alice_state = SpecSide
            .state(&conversation, model::Party::Alice)
            .ok_or_else(|| unexpected(format!("{id}: Alice has no session")))?;
        Ok(Flow {
            id,
            handshake,
            conversation,
            alice_r,
            alice_state,
            kp: derive32(id, "kp"),
            steps: Vec::new(),
            receipts: Vec::new(),
        })
    }

    fn what(&self) -> String {
        format!("{} step {}", self.id, self.steps.len())
    }

    fn push(&mut self, step: FrankingStep, receipt: Option<spec::franking::Receipt>) -> usize {
        self.steps.push(step);
        self.receipts.push(receipt);
        self.steps.len() - 1
    }

    fn sent(&self, at: usize) -> Result<&FrankEncryptStep, GenerateError> {
        match self.steps.get(at) {
            Some(FrankingStep::FrankEncrypt(s)) => Ok(s),
            _ => Err(unexpected(format!(
                "{}: step {at} franked nothing",
                self.id
            ))),
        }
    }

    fn stamped(&self, at: usize) -> Result<(&StampStep, &FrankEncryptStep), GenerateError> {
        match self.steps.get(at) {
            Some(FrankingStep::Stamp(s)) => Ok((s, self.sent(s.sent_at)?)),
            _ => Err(unexpected(format!(
                "{}: step {at} stamped nothing",
                self.id
            ))),
        }
    }

    /// `FrankEncrypt`: `sender` franks `plaintext` with the step's `fk`.
    fn frank_encrypt(
        &mut self,
        sender: Party,
        plaintext: &[u8],
        note: &str,
    ) -> Result<usize, GenerateError> {
        let what = self.what();
        let fk = derive32(self.id, &format!("step {} / fk", self.steps.len()));
        let ids = ids_of(sender);
        let submission = SpecSide
            .frank_encrypt(
                &mut self.conversation,
                model_party(sender),
                ids,
                &fk,
                plaintext,
            )
            .map_err(refused(what.clone()))?;
        let c = SpecSide
            .commit(&fk, ids, plaintext)
            .map_err(refused(format!("{what}: commit")))?;
        if submission.get(2..34) != Some(&c[..]) {
            return Err(unexpected(format!(
                "{what}: the submission does not carry c"
            )));
        }
        let sender_state = SpecSide
            .state(&self.conversation, model_party(sender))
            .ok_or_else(|| unexpected(format!("{what}: {sender:?} has no session")))?;
        Ok(self.push(
            FrankingStep::FrankEncrypt(FrankEncryptStep {
                note: note.to_owned(),
                sender,
                fk,
                plaintext: plaintext.to_vec(),
                c,
                submission,
                sender_state,
            }),
            None,
        ))
    }

    /// `Stamp` of the submission of step `sent_at`, with its `c` replaced by
    /// `c_replaced` if given.
    fn stamp(
        &mut self,
        sent_at: usize,
        t: u64,
        c_replaced: Option<[u8; 32]>,
        note: &str,
    ) -> Result<usize, GenerateError> {
        let what = self.what();
        let sent = self.sent(sent_at)?;
        let ids = ids_of(sent.sender);
        let submission = match c_replaced {
            Some(c) => with_bytes_at(&sent.submission, 2, &c),
            None => sent.submission.clone(),
        };
        let delivery = SpecSide
            .stamp(&self.kp, ids, t, &submission)
            .map_err(refused(what.clone()))?;
        let mut tag = [0u8; 32];
        tag.copy_from_slice(
            delivery
                .get(42..74)
                .ok_or_else(|| unexpected(format!("{what}: a delivery without a tag")))?,
        );
        Ok(self.push(
            FrankingStep::Stamp(StampStep {
                note: note.to_owned(),
                sent_at,
                submission,
                t,
                tag,
                delivery,
            }),
            None,
        ))
    }

    /// `FrankAccept` or `FrankDecrypt` of the delivery of step `stamped_at`, with
    /// its `c` replaced by `c_replaced` if given; the outcome must be `expect`.
    fn deliver(
        &mut self,
        receiver: Party,
        stamped_at: usize,
        c_replaced: Option<[u8; 32]>,
        expect: &Expect,
        note: &str,
    ) -> Result<usize, GenerateError> {
        let what = self.what();
        let (stamped, sent) = self.stamped(stamped_at)?;
        let (sent_plaintext, sender) = (sent.plaintext.clone(), sent.sender);
        let delivery = match c_replaced {
            Some(c) => with_bytes_at(&stamped.delivery, 10, &c),
            None => stamped.delivery.clone(),
        };
        let r = derive32(self.id, &format!("step {} / r", self.steps.len()));
        let party = model_party(receiver);
        let before = SpecSide.state(&self.conversation, party);
        let result =
            SpecSide.frank_deliver(&mut self.conversation, party, ids_of(sender), &delivery, &r);
        let after = SpecSide.state(&self.conversation, party);
        let (outcome, receipt) = match (result, expect) {
            (Ok((m, receipt)), Expect::Ok) => {
                if m != sent_plaintext {
                    return Err(unexpected(format!("{what}: wrong message")));
                }
                (Outcome::Ok(m), Some(receipt))
            }
            (Err(error), Expect::Refused(expected)) if error == expected.name() => {
                if after != before {
                    return Err(unexpected(format!(
                        "{what}: refused, and the receiver is not as it was"
                    )));
                }
                (Outcome::Rejected(error.to_owned()), None)
            }
            (Ok(_), Expect::Refused(expected)) => {
                return Err(unexpected(format!(
                    "{what}: accepted, expected {expected:?}"
                )));
            }
            (Err(error), _) => return Err(refused(what)(error)),
        };
        let fields = receipt.as_ref().map(|r| SpecSide.receipt_fields(r));
        Ok(self.push(
            FrankingStep::FrankDeliver(FrankDeliverStep {
                note: note.to_owned(),
                receiver,
                stamped_at,
                delivery,
                r,
                outcome,
                receipt: fields,
                receiver_state: after,
            }),
            receipt,
        ))
    }

    /// `Report` of the message accepted at step `delivered_at`.
    fn report(&mut self, delivered_at: usize, note: &str) -> Result<usize, GenerateError> {
        let what = self.what();
        let (Some(FrankingStep::FrankDeliver(d)), Some(Some(receipt))) = (
            self.steps.get(delivered_at),
            self.receipts.get(delivered_at),
        ) else {
            return Err(unexpected(format!(
                "{what}: step {delivered_at} accepted nothing"
            )));
        };
        let Outcome::Ok(plaintext) = &d.outcome else {
            return Err(unexpected(format!(
                "{what}: step {delivered_at} accepted nothing"
            )));
        };
        let report = SpecSide
            .report(receipt, plaintext)
            .map_err(refused(what.clone()))?;
        let step = ReportStep {
            note: note.to_owned(),
            reporter: d.receiver,
            delivered_at,
            plaintext: plaintext.clone(),
            report,
        };
        Ok(self.push(FrankingStep::Report(step), None))
    }

    /// `VerifyReport` of the report of step `reported_at`, by its reporter: it must
    /// verify, and prove what was delivered.
    fn verify(&mut self, reported_at: usize, note: &str) -> Result<usize, GenerateError> {
        let what = self.what();
        let Some(FrankingStep::Report(reported)) = self.steps.get(reported_at) else {
            return Err(unexpected(format!(
                "{what}: step {reported_at} reported nothing"
            )));
        };
        let reporter = reported.reporter;
        let verified = SpecSide
            .verify_report(&self.kp, ids_of(reporter).sender, &reported.report)
            .map_err(refused(what.clone()))?;
        if verified.recipient != ids_of(reporter).sender || verified.m != reported.plaintext {
            return Err(unexpected(format!(
                "{what}: the report proves something else"
            )));
        }
        let step = VerifyReportStep {
            note: note.to_owned(),
            reported_at,
            reporter,
            outcome: Verdict::Ok,
            verified: Some(verified),
        };
        Ok(self.push(FrankingStep::VerifyReport(step), None))
    }

    fn finish(self, source: &str, description: &str) -> FrankingFlow {
        FrankingFlow {
            id: self.id.to_owned(),
            source: source.to_owned(),
            description: description.to_owned(),
            handshake: self.handshake.id.clone(),
            alice_r: self.alice_r,
            alice_state: self.alice_state,
            alice_id: ALICE_ID.to_vec(),
            bob_id: BOB_ID.to_vec(),
            kp: self.kp,
            steps: self.steps,
        }
    }
}

use Party::{Alice, Bob};

/// The flow: a franked first message (a PreKey message) accepted after a forged
/// one was refused, its report, a franked reply whose delivery had its `c` swapped,
/// an empty message, and a stamp at the last second of `u64`.
fn flow(h: &PqxdhVector) -> Result<FrankingFlow, GenerateError> {
    use spec::Error::{CommitmentMismatch, Duplicate};
    let mut f = Flow::new(FLOW_ID, h)?;
    let a0_text: &[u8] = b"a0: hello Bob, this message is franked";
    let a0 = f.frank_encrypt(Alice, a0_text, "Alice franks her first message: the submission's inner is a PreKey message (her pending PreKey header, then a ratchet message of fk ‖ m).")?;
    let forged_c = SpecSide
        .commit(&f.sent(a0)?.fk, ids_of(Alice), b"a0: something else")
        .map_err(refused("franking: the forged commitment"))?;
    let forged = f.stamp(a0, 1_700_000_000, Some(forged_c), "The submission of step 0 with its c replaced by Commit(fk, alice, bob, \"a0: something else\") (fk of step 0), as a sender would who commits to one message and sends another. The platform cannot tell, and stamps it.")?;
    f.deliver(Bob, forged, None, &Expect::Refused(CommitmentMismatch), "Bob decrypts the PreKey message, but fk ‖ m does not open the stamped c: FrankAccept refuses with CommitmentMismatch before the store changes, and Bob has no session (receiver_state null). Step 4 shows the store unchanged: the same PreKey message, with its one-time prekeys, is then accepted.")?;
    let a0_stamped = f.stamp(
        a0,
        1_700_000_001,
        None,
        "The genuine submission of step 0, stamped at t = 1700000001.",
    )?;
    let a0_delivered = f.deliver(Bob, a0_stamped, None, &Expect::Ok, "FrankAccept: PQXDH, the ratchet, then Open succeeds; Bob's session exists from here, and his one-time prekeys are used up.")?;
    f.deliver(Bob, a0_stamped, None, &Expect::Refused(Duplicate), "The same delivery again: its PreKey message matches Bob's prekey_hash and is decrypted in his session, where it is a Duplicate; Bob's state is unchanged.")?;
    let a0_report = f.report(a0_delivered, "Bob reports a0, from the receipt of step 4.")?;
    f.verify(
        a0_report,
        "The platform verifies Bob's report: alice sent a0 to bob at t = 1700000001.",
    )?;
    let b0 = f.frank_encrypt(
        Bob,
        b"b0: a franked reply",
        "Bob franks a reply: the submission's inner is a ratchet message.",
    )?;
    let b0_stamped = f.stamp(
        b0,
        1_700_000_060,
        None,
        "The platform stamps Bob's submission.",
    )?;
    let a0_c = f.sent(a0)?.c;
    f.deliver(Alice, b0_stamped, Some(a0_c), &Expect::Refused(CommitmentMismatch), "The delivery of step 9 with its c swapped for the c of step 0 (Alice's own a0). The message decrypts, but does not open this c: FrankDecrypt refuses with CommitmentMismatch, and Alice's state is unchanged (her pending PreKey header included).")?;
    let b0_delivered = f.deliver(
        Alice,
        b0_stamped,
        None,
        &Expect::Ok,
        "The genuine delivery: Alice's DH ratchet step, and her pending PreKey header is cleared.",
    )?;
    let b0_report = f.report(b0_delivered, "Alice reports b0.")?;
    f.verify(
        b0_report,
        "The platform verifies Alice's report: bob sent b0 to alice at t = 1700000060.",
    )?;
    let empty = f.frank_encrypt(Alice, b"", "Alice franks the empty message: the ratchet plaintext is fk alone (32 bytes), in a plain ratchet message now.")?;
    let empty_stamped = f.stamp(empty, 0, None, "Stamped at t = 0.")?;
    let empty_delivered = f.deliver(
        Bob,
        empty_stamped,
        None,
        &Expect::Ok,
        "Bob decrypts and opens the empty message.",
    )?;
    let empty_report = f.report(
        empty_delivered,
        "Bob reports the empty message: the report ends with fk.",
    )?;
    f.verify(empty_report, "The platform verifies it: m is empty, t = 0.")?;
    let b1 = f.frank_encrypt(
        Bob,
        b"b1: stamped at the last second of u64",
        "Bob franks another message.",
    )?;
    let b1_stamped = f.stamp(b1, u64::MAX, None, "Stamped at t = 2^64 - 1.")?;
    let b1_delivered = f.deliver(
        Alice,
        b1_stamped,
        None,
        &Expect::Ok,
        "Alice decrypts and opens it; her receipt holds t = 2^64 - 1.",
    )?;
    let b1_report = f.report(
        b1_delivered,
        "Alice reports b1: u64be(t) is eight 0xff bytes.",
    )?;
    f.verify(b1_report, "The platform verifies it: t = 2^64 - 1.")?;
    Ok(f.finish(
        SOURCE_FLOW,
        "A franked conversation through the platform: Alice's franked first message (a PreKey message) is refused while its c is forged and accepted once genuine (FrankAccept), then reported and verified; Bob's franked reply is refused with its c swapped and accepted as stamped (FrankDecrypt), then reported and verified; an empty message stamped at t = 0 and a message stamped at t = 2^64 - 1 go through.",
    ))
}

// ---------------------------------------------------------------------------------
// reports
// ---------------------------------------------------------------------------------

/// The fields of a report (SPEC §9.3), with the offsets of its fixed fields.
struct Parsed {
    sender: Vec<u8>,
    recipient: Vec<u8>,
    /// Where `u64be(t)` starts; `c`, the tag and `fk` follow, then `m`.
    t_at: usize,
}

impl Parsed {
    fn of(report: &[u8]) -> Result<Parsed, GenerateError> {
        let bad = || unexpected("franking: a genuine report does not parse");
        let sender_len = usize::from(*report.get(2).ok_or_else(bad)?);
        let sender = report.get(3..3 + sender_len).ok_or_else(bad)?.to_vec();
        let at = 3 + sender_len;
        let recipient_len = usize::from(*report.get(at).ok_or_else(bad)?);
        let recipient = report
            .get(at + 1..at + 1 + recipient_len)
            .ok_or_else(bad)?
            .to_vec();
        Ok(Parsed {
            sender,
            recipient,
            t_at: at + 1 + recipient_len,
        })
    }

    fn c_at(&self) -> usize {
        self.t_at + 8
    }

    fn tag_at(&self) -> usize {
        self.t_at + 40
    }

    fn fk_at(&self) -> usize {
        self.t_at + 72
    }

    fn m_at(&self) -> usize {
        self.t_at + 104
    }
}

/// A report encoded from its fields, as `Report` would write it.
fn encode_report(sender: &[u8], recipient: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut out = vec![VERSION, MSG_REPORT];
    for id in [sender, recipient] {
        out.push(u8::try_from(id.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(id);
    }
    out.extend_from_slice(rest);
    out
}

struct ReportPlan<'a> {
    id: &'a str,
    description: &'a str,
    kp: [u8; 32],
    reporter: &'a [u8],
    report: Vec<u8>,
    want: Result<(), spec::Error>,
}

fn report_vector(plan: ReportPlan<'_>) -> Result<ReportVector, GenerateError> {
    let got = SpecSide.verify_report(&plan.kp, plan.reporter, &plan.report);
    let outcome = check_planned(plan.id, &got, plan.want)?;
    Ok(ReportVector {
        id: plan.id.to_owned(),
        source: SOURCE_VERIFY.to_owned(),
        description: plan.description.to_owned(),
        kp: plan.kp,
        reporter: plan.reporter.to_vec(),
        report: plan.report,
        outcome,
        verified: got.ok(),
    })
}

/// The report of step `at` of the flow.
fn reported(flow: &FrankingFlow, at: usize) -> Result<&ReportStep, GenerateError> {
    match flow.steps.get(at) {
        Some(FrankingStep::Report(r)) => Ok(r),
        _ => Err(unexpected(format!(
            "{}: step {at} is not a report",
            flow.id
        ))),
    }
}

/// The report step after the delivery of `plaintext`.
fn report_of<'f>(
    flow: &'f FrankingFlow,
    plaintext: &[u8],
) -> Result<&'f ReportStep, GenerateError> {
    flow.steps
        .iter()
        .find_map(|s| match s {
            FrankingStep::Report(r) if r.plaintext == plaintext => Some(r),
            _ => None,
        })
        .ok_or_else(|| unexpected(format!("{}: no report of {plaintext:?}", flow.id)))
}

fn reports(flow: &FrankingFlow) -> Result<Vec<ReportVector>, GenerateError> {
    use spec::Error::{CommitmentMismatch, InvalidMessage, InvalidStamp, NotRecipient};
    // Bob's report of a0 (step 6), and Bob's report of the empty message.
    let genuine = reported(flow, 6)?.report.clone();
    let empty = report_of(flow, b"")?;
    let p = Parsed::of(&genuine)?;
    if p.sender != ALICE_ID || p.recipient != BOB_ID {
        return Err(unexpected(
            "franking: step 6 is not Bob's report of Alice's message",
        ));
    }
    let kp = flow.kp;
    let flip = |offset: usize| with_byte(&genuine, offset, genuine[offset] ^ 0x01);
    let mut m_extended = genuine.clone();
    m_extended.push(b'!');
    let m_cut = genuine[..genuine.len() - 1].to_vec();
    let t = u64::from_be_bytes(
        genuine[p.t_at..p.t_at + 8]
            .try_into()
            .map_err(|_| unexpected("franking: no t"))?,
    );
    let t_next = with_bytes_at(&genuine, p.t_at, &(t + 1).to_be_bytes());
    // The fixed fields and the message, after the identifiers.
    let rest = genuine[p.t_at..].to_vec();
    let swapped = encode_report(&p.recipient, &p.sender, &rest);
    let recipient_changed = encode_report(&p.sender, b"bod", &rest);
    // c of another message, stamped by the platform itself.
    let other_c = SpecSide
        .commit(
            &derive32("report_c_restamped", "fk"),
            ids_of(Alice),
            b"another message",
        )
        .map_err(refused("report_c_restamped: commit"))?;
    let other_tag = SpecSide
        .stamp_tag(&kp, &other_c, ids_of(Alice), t)
        .map_err(refused("report_c_restamped: stamp_tag"))?;
    let restamped = with_bytes_at(
        &with_bytes_at(&genuine, p.c_at(), &other_c),
        p.tag_at(),
        &other_tag,
    );
    // fk and m of the empty message, under a0's c and tag.
    let e = Parsed::of(&empty.report)?;
    let mut other_opening = genuine[..p.fk_at()].to_vec();
    other_opening.extend_from_slice(&empty.report[e.fk_at()..]);
    let tag_and_m = with_byte(&flip(p.tag_at()), p.m_at(), genuine[p.m_at()] ^ 0x01);
    let cut_in_fk = genuine[..p.fk_at() + 31].to_vec();
    // Alice's report of b1, stamped at t = 2^64 - 1.
    let t_max = reported(flow, 22)?.report.clone();
    let other_kp = derive32("report_other_platform_key", "kp");
    let plans = [
        ReportPlan {
            id: "report_genuine",
            description: "Bob's report of a0 (franking_conversation step 6), sent by Bob: verified.",
            kp,
            reporter: BOB_ID,
            report: genuine.clone(),
            want: Ok(()),
        },
        ReportPlan {
            id: "report_empty_message",
            description: "Bob's report of the empty message (franking_conversation step 17): verified, m empty.",
            kp,
            reporter: BOB_ID,
            report: empty.report.clone(),
            want: Ok(()),
        },
        ReportPlan {
            id: "report_t_max",
            description: "Alice's report of b1, stamped at t = 2^64 - 1 (franking_conversation step 22), sent by Alice: verified.",
            kp,
            reporter: ALICE_ID,
            report: t_max,
            want: Ok(()),
        },
        ReportPlan {
            id: "report_wrong_reporter",
            description: "report_genuine sent by Alice, the sender: only the recipient may report.",
            kp,
            reporter: ALICE_ID,
            report: genuine.clone(),
            want: Err(NotRecipient),
        },
        ReportPlan {
            id: "report_reporter_extends_recipient",
            description: "report_genuine sent by \"bobb\", an account whose identifier starts with the recipient's: identifiers are compared whole.",
            kp,
            reporter: b"bobb",
            report: genuine.clone(),
            want: Err(NotRecipient),
        },
        ReportPlan {
            id: "report_m_changed",
            description: "report_genuine with the first byte of m xor 0x01: the stamp still verifies (it does not cover m), the commitment does not open.",
            kp,
            reporter: BOB_ID,
            report: flip(p.m_at()),
            want: Err(CommitmentMismatch),
        },
        ReportPlan {
            id: "report_m_extended",
            description: "report_genuine with \"!\" appended to m.",
            kp,
            reporter: BOB_ID,
            report: m_extended,
            want: Err(CommitmentMismatch),
        },
        ReportPlan {
            id: "report_m_cut",
            description: "report_genuine with the last byte of m removed.",
            kp,
            reporter: BOB_ID,
            report: m_cut,
            want: Err(CommitmentMismatch),
        },
        ReportPlan {
            id: "report_fk_changed",
            description: "report_genuine with the first byte of fk xor 0x01.",
            kp,
            reporter: BOB_ID,
            report: flip(p.fk_at()),
            want: Err(CommitmentMismatch),
        },
        ReportPlan {
            id: "report_other_opening",
            description: "report_genuine with fk and m replaced by those of another message Alice sent Bob (the empty message of franking_conversation step 14): a recipient cannot get another message accepted under a0's stamp.",
            kp,
            reporter: BOB_ID,
            report: other_opening,
            want: Err(CommitmentMismatch),
        },
        ReportPlan {
            id: "report_c_restamped",
            description: "report_genuine with c replaced by the commitment to \"another message\" (fk = SHA-256(\".../report_c_restamped / fk\")) and the tag by the platform's own StampTag over it: the stamp verifies, then the commitment check refuses (the report's fk and m do not open that c).",
            kp,
            reporter: BOB_ID,
            report: restamped,
            want: Err(CommitmentMismatch),
        },
        ReportPlan {
            id: "report_t_changed",
            description: "report_genuine with t + 1: the stamp binds the time.",
            kp,
            reporter: BOB_ID,
            report: t_next,
            want: Err(InvalidStamp),
        },
        ReportPlan {
            id: "report_sender_changed",
            description: "report_genuine with the first byte of the sender identifier xor 0x01 (\"`lice\"): the stamp binds the sender.",
            kp,
            reporter: BOB_ID,
            report: flip(3),
            want: Err(InvalidStamp),
        },
        ReportPlan {
            id: "report_recipient_changed",
            description: "report_genuine naming \"bod\" as the recipient, sent by \"bod\": the reporter is the recipient named, but the stamp binds the recipient.",
            kp,
            reporter: b"bod",
            report: recipient_changed,
            want: Err(InvalidStamp),
        },
        ReportPlan {
            id: "report_context_swapped",
            description: "report_genuine with sender and recipient swapped, sent by Alice (now the recipient named): the stamp binds their order.",
            kp,
            reporter: ALICE_ID,
            report: swapped,
            want: Err(InvalidStamp),
        },
        ReportPlan {
            id: "report_tag_changed",
            description: "report_genuine with the first byte of the stamp tag xor 0x01.",
            kp,
            reporter: BOB_ID,
            report: flip(p.tag_at()),
            want: Err(InvalidStamp),
        },
        ReportPlan {
            id: "report_c_changed",
            description: "report_genuine with the first byte of c xor 0x01: the stamp binds c (and is checked first).",
            kp,
            reporter: BOB_ID,
            report: flip(p.c_at()),
            want: Err(InvalidStamp),
        },
        ReportPlan {
            id: "report_other_platform_key",
            description: "report_genuine given to a platform with another key (SHA-256(\".../report_other_platform_key / kp\")).",
            kp: other_kp,
            reporter: BOB_ID,
            report: genuine.clone(),
            want: Err(InvalidStamp),
        },
        ReportPlan {
            id: "report_order_recipient_before_stamp",
            description: "report_genuine with its tag changed, sent by Alice: NotRecipient, the first check.",
            kp,
            reporter: ALICE_ID,
            report: flip(p.tag_at()),
            want: Err(NotRecipient),
        },
        ReportPlan {
            id: "report_order_stamp_before_commitment",
            description: "report_genuine with its tag and the first byte of m changed: InvalidStamp, checked before the commitment.",
            kp,
            reporter: BOB_ID,
            report: tag_and_m,
            want: Err(InvalidStamp),
        },
        ReportPlan {
            id: "report_order_decode_first",
            description: "report_genuine cut inside fk, sent by Alice: the decoder refuses it before the reporter is looked at.",
            kp,
            reporter: ALICE_ID,
            report: cut_in_fk,
            want: Err(InvalidMessage),
        },
    ];
    let mut out = Vec::with_capacity(plans.len());
    for plan in plans {
        out.push(report_vector(plan)?);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------
// decoding
// ---------------------------------------------------------------------------------

fn decoding_vector(
    structure: FrankedStructure,
    id: &str,
    description: &str,
    encoding: Vec<u8>,
    want: Result<(), spec::Error>,
) -> Result<FrankedDecodingVector, GenerateError> {
    let result = SpecSide.decode_franked(structure, &encoding);
    if result.as_ref().is_ok_and(|back| *back != encoding) {
        return Err(unexpected(format!(
            "{id}: decodes but does not encode back"
        )));
    }
    let outcome = check_planned(id, &result, want)?;
    Ok(FrankedDecodingVector {
        id: id.to_owned(),
        source: SOURCE_DECODE.to_owned(),
        description: description.to_owned(),
        structure,
        encoding,
        outcome,
    })
}

fn decoding(flow: &FrankingFlow) -> Result<Vec<FrankedDecodingVector>, GenerateError> {
    use FrankedStructure::{Delivery, Report, Submission};
    use spec::Error::{InvalidMessage, MessageTooLarge, UnknownVersion};
    let sent = |at: usize| match flow.steps.get(at) {
        Some(FrankingStep::FrankEncrypt(s)) => Ok(s.submission.clone()),
        _ => Err(unexpected(format!(
            "{}: step {at} is not a frank_encrypt",
            flow.id
        ))),
    };
    let stamped = |at: usize| match flow.steps.get(at) {
        Some(FrankingStep::Stamp(s)) => Ok(s.delivery.clone()),
        _ => Err(unexpected(format!("{}: step {at} is not a stamp", flow.id))),
    };
    // Alice's submission of a0 (a PreKey message inside) and Bob's of b0 (a ratchet
    // message), their deliveries, and Bob's report of a0.
    let sub = sent(0)?;
    let sub_ratchet = sent(8)?;
    let del = stamped(3)?;
    let del_ratchet = stamped(9)?;
    let rep = reported(flow, 6)?.report.clone();
    let rep_empty = report_of(flow, b"")?.report.clone();
    let p = Parsed::of(&rep)?;
    if sub[1] != MSG_FRANKED || del[1] != MSG_STAMPED || rep[1] != MSG_REPORT {
        return Err(unexpected(
            "franking: the genuine encodings are not of their types",
        ));
    }
    let prekey_message = sub[34..].to_vec();

    let mut sub_max = sub[..34].to_vec();
    sub_max.resize(34 + MAX_INNER_LEN, 0);
    let mut sub_over = sub_max.clone();
    sub_over.push(0);
    let mut del_max = del[..74].to_vec();
    del_max.resize(74 + MAX_INNER_LEN, 0);
    let mut del_over = del_max.clone();
    del_over.push(0);
    let rest = rep[p.t_at..p.m_at()].to_vec();
    let mut m_max = rest.clone();
    m_max.resize(rest.len() + MAX_FRANKED_PLAINTEXT_LEN, b'm');
    let mut m_over = m_max.clone();
    m_over.push(b'm');
    let ids64 = [
        derive64("report_64_byte_ids", "sender").to_vec(),
        derive64("report_64_byte_ids", "recipient").to_vec(),
    ];
    let id65 = vec![b'x'; MAX_PARTY_ID_LEN + 1];
    // A report whose sender (or recipient) length byte is `len`, followed by that
    // many bytes (or the genuine identifier), then the genuine rest.
    let with_len = |sender: (u8, &[u8]), recipient: (u8, &[u8])| {
        let mut out = vec![VERSION, MSG_REPORT, sender.0];
        out.extend_from_slice(sender.1);
        out.push(recipient.0);
        out.extend_from_slice(recipient.1);
        out.extend_from_slice(&rep[p.t_at..]);
        out
    };
    let len65 = u8::try_from(id65.len()).unwrap_or(u8::MAX);
    let vectors = [
        (
            Submission,
            "submission_prekey",
            "Alice's submission of a0 (franking_conversation step 0): c and a PreKey message.",
            sub.clone(),
            Ok(()),
        ),
        (
            Submission,
            "submission_ratchet",
            "Bob's submission of b0 (step 8): c and a ratchet message.",
            sub_ratchet,
            Ok(()),
        ),
        (
            Submission,
            "submission_empty",
            "The empty input.",
            Vec::new(),
            Err(InvalidMessage),
        ),
        (
            Submission,
            "submission_version_only",
            "VERSION alone: no type byte.",
            vec![VERSION],
            Err(InvalidMessage),
        ),
        (
            Submission,
            "submission_wrong_version",
            "submission_prekey with version 0x02.",
            with_byte(&sub, 0, 0x02),
            Err(UnknownVersion),
        ),
        (
            Submission,
            "submission_wrong_version_short",
            "0x02 0x11 and nothing else: the version is checked before the length.",
            vec![0x02, MSG_FRANKED],
            Err(UnknownVersion),
        ),
        (
            Submission,
            "submission_type_stamped",
            "submission_prekey with the type byte MSG_STAMPED.",
            with_byte(&sub, 1, MSG_STAMPED),
            Err(InvalidMessage),
        ),
        (
            Submission,
            "submission_plain_prekey_message",
            "The PreKey message inside submission_prekey, given alone: its type byte is MSG_PREKEY.",
            prekey_message,
            Err(InvalidMessage),
        ),
        (
            Submission,
            "submission_no_inner",
            "submission_prekey cut to its 34 fixed bytes: inner must hold at least 1 byte.",
            sub[..34].to_vec(),
            Err(InvalidMessage),
        ),
        (
            Submission,
            "submission_cut_in_c",
            "submission_prekey cut to 33 bytes, inside c.",
            sub[..33].to_vec(),
            Err(InvalidMessage),
        ),
        (
            Submission,
            "submission_one_byte_inner",
            "submission_prekey cut to 35 bytes: decodes (inner is opaque to the decoder).",
            sub[..35].to_vec(),
            Ok(()),
        ),
        (
            Submission,
            "submission_inner_max",
            "submission_prekey's first 34 bytes and MAX_INNER_LEN = 1647 + 58 + 65536 = 67241 zero bytes of inner: decodes.",
            sub_max,
            Ok(()),
        ),
        (
            Submission,
            "submission_inner_too_long",
            "submission_inner_max with one more byte.",
            sub_over,
            Err(MessageTooLarge),
        ),
        (
            Delivery,
            "delivery_prekey",
            "The delivery of a0 (step 3): t, c, tag and a PreKey message.",
            del.clone(),
            Ok(()),
        ),
        (
            Delivery,
            "delivery_ratchet",
            "The delivery of b0 (step 9): a ratchet message inside.",
            del_ratchet,
            Ok(()),
        ),
        (
            Delivery,
            "delivery_empty",
            "The empty input.",
            Vec::new(),
            Err(InvalidMessage),
        ),
        (
            Delivery,
            "delivery_wrong_version",
            "delivery_prekey with version 0x00.",
            with_byte(&del, 0, 0x00),
            Err(UnknownVersion),
        ),
        (
            Delivery,
            "delivery_type_franked",
            "delivery_prekey with the type byte MSG_FRANKED.",
            with_byte(&del, 1, MSG_FRANKED),
            Err(InvalidMessage),
        ),
        (
            Delivery,
            "delivery_given_a_submission",
            "submission_prekey given to the delivery decoder.",
            sub.clone(),
            Err(InvalidMessage),
        ),
        (
            Delivery,
            "delivery_cut_in_t",
            "delivery_prekey cut to 9 bytes, inside t.",
            del[..9].to_vec(),
            Err(InvalidMessage),
        ),
        (
            Delivery,
            "delivery_cut_in_tag",
            "delivery_prekey cut to 73 bytes, inside the tag.",
            del[..73].to_vec(),
            Err(InvalidMessage),
        ),
        (
            Delivery,
            "delivery_no_inner",
            "delivery_prekey cut to its 74 fixed bytes.",
            del[..74].to_vec(),
            Err(InvalidMessage),
        ),
        (
            Delivery,
            "delivery_one_byte_inner",
            "delivery_prekey cut to 75 bytes: decodes.",
            del[..75].to_vec(),
            Ok(()),
        ),
        (
            Delivery,
            "delivery_t_max",
            "delivery_prekey with t = 2^64 - 1 (eight 0xff bytes): decodes.",
            with_bytes_at(&del, 2, &u64::MAX.to_be_bytes()),
            Ok(()),
        ),
        (
            Delivery,
            "delivery_inner_max",
            "delivery_prekey's first 74 bytes and 67241 zero bytes of inner: decodes.",
            del_max,
            Ok(()),
        ),
        (
            Delivery,
            "delivery_inner_too_long",
            "delivery_inner_max with one more byte.",
            del_over,
            Err(MessageTooLarge),
        ),
        (
            Report,
            "report_encoding_genuine",
            "Bob's report of a0 (step 6).",
            rep.clone(),
            Ok(()),
        ),
        (
            Report,
            "report_encoding_empty_message",
            "Bob's report of the empty message: it ends with fk.",
            rep_empty,
            Ok(()),
        ),
        (
            Report,
            "report_encoding_empty",
            "The empty input.",
            Vec::new(),
            Err(InvalidMessage),
        ),
        (
            Report,
            "report_encoding_version_only",
            "VERSION alone.",
            vec![VERSION],
            Err(InvalidMessage),
        ),
        (
            Report,
            "report_encoding_wrong_version",
            "report_encoding_genuine with version 0x02.",
            with_byte(&rep, 0, 0x02),
            Err(UnknownVersion),
        ),
        (
            Report,
            "report_encoding_type_stamped",
            "report_encoding_genuine with the type byte MSG_STAMPED.",
            with_byte(&rep, 1, MSG_STAMPED),
            Err(InvalidMessage),
        ),
        (
            Report,
            "report_encoding_sender_len_0",
            "A sender identifier of length 0, then the genuine recipient and rest.",
            with_len((0, &[]), (3, BOB_ID)),
            Err(InvalidMessage),
        ),
        (
            Report,
            "report_encoding_sender_len_65",
            "A sender identifier of length 65 (65 bytes \"x\"), then the genuine recipient and rest.",
            with_len((len65, &id65), (3, BOB_ID)),
            Err(InvalidMessage),
        ),
        (
            Report,
            "report_encoding_recipient_len_0",
            "The genuine sender, a recipient identifier of length 0, then the genuine rest.",
            with_len((5, ALICE_ID), (0, &[])),
            Err(InvalidMessage),
        ),
        (
            Report,
            "report_encoding_recipient_len_65",
            "The genuine sender, a recipient identifier of 65 bytes \"x\", then the genuine rest.",
            with_len((5, ALICE_ID), (len65, &id65)),
            Err(InvalidMessage),
        ),
        (
            Report,
            "report_encoding_64_byte_ids",
            "Identifiers of 64 bytes each (SHA-512 of \".../report_64_byte_ids / sender\" and \".../recipient\") with the genuine rest: decodes.",
            with_len((64, &ids64[0]), (64, &ids64[1])),
            Ok(()),
        ),
        (
            Report,
            "report_encoding_cut_in_sender",
            "report_encoding_genuine cut to 5 bytes, inside the sender identifier.",
            rep[..5].to_vec(),
            Err(InvalidMessage),
        ),
        (
            Report,
            "report_encoding_no_recipient",
            "report_encoding_genuine cut after the sender identifier.",
            rep[..3 + ALICE_ID.len()].to_vec(),
            Err(InvalidMessage),
        ),
        (
            Report,
            "report_encoding_cut_in_fk",
            "report_encoding_genuine cut one byte before the end of fk.",
            rep[..p.m_at() - 1].to_vec(),
            Err(InvalidMessage),
        ),
        (
            Report,
            "report_encoding_m_max",
            "The genuine identifiers and fixed fields, and m of MAX_FRANKED_PLAINTEXT_LEN = 65504 bytes \"m\": decodes.",
            encode_report(ALICE_ID, BOB_ID, &m_max),
            Ok(()),
        ),
        (
            Report,
            "report_encoding_m_too_long",
            "report_encoding_m_max with one more byte of m.",
            encode_report(ALICE_ID, BOB_ID, &m_over),
            Err(MessageTooLarge),
        ),
    ];
    let mut out = Vec::with_capacity(vectors.len());
    for (structure, id, description, encoding, want) in vectors {
        out.push(decoding_vector(structure, id, description, encoding, want)?);
    }
    Ok(out)
}
