//! The franking properties of SPEC §9.4 as checks over random conversations, each
//! against a concrete adversary.
//!
//! A conversation is three accounts (`alice`, `bob`, `carol`) with a session
//! between each two (made with the implementation's application API from the
//! seed), a platform with its stamping key, and a random sequence of franked
//! messages in every direction, some of them reported. The messages are unique
//! but drawn from a small phrase book, so a platform that can test a guess learns
//! the message. Each check then plays one adversary:
//!
//! | invariant | adversary | wins if |
//! |---|---|---|
//! | receiver binding | the recipient, with every key but the platform's: it swaps the message and the franking key of its reports (for other messages', random ones, edits of the message); and the sender colluding with it, who builds one commitment with two openings when the construction allows it (the two-key ChaCha20-Poly1305 ciphertext of `collision` for an AEAD used as the commitment) | the platform accepts a report of a message other than the one the recipient read, for a stamp of the sender's |
//! | sender binding | the sender, with its own session: payloads that do not open the commitment beside them (another message's commitment, a random one, one for another recipient, a short payload, a message changed after committing) | the recipient accepts a message whose report the platform refuses, or a refused delivery changes the recipient's session |
//! | report soundness | the recipient and the third account: reports from an account that is not the recipient, with a random stamp tag, another time, another sender, another message's tag, another conversation's report relabelled, a report made up from nothing, and a sender that addresses its commitment to one account and its message to another | the platform accepts a report of something it did not deliver to the reporter: `(sender, recipient, t, m)` not among its deliveries, or a reporter that is not the recipient |
//! | confidentiality | the platform: its whole view (commitments, stamps, ratchet messages, every report it is sent) and the phrase book; it tests every message of the book against every unreported commitment under every key it knows (those of reported messages, every 32 bytes of every commitment, the zero key) | it confirms the message of an unreported commitment, or finds an unreported message or its franking key in its view |

use core::fmt;

use lockstep::Session;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

use super::scheme::{Ctx, Flaw, Refusal, Scheme};
use super::wire::{Delivery, Report, Submission};

/// A franking property of SPEC §9.4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Invariant {
    /// The platform accepts reports only of the message the recipient read.
    ReceiverBinding,
    /// Every message the recipient accepts, the platform accepts a report of.
    SenderBinding,
    /// A report needs the stamp of a delivery to the reporter.
    ReportSoundness,
    /// The platform learns nothing of unreported messages.
    Confidentiality,
}

impl Invariant {
    /// Every invariant.
    pub const ALL: [Invariant; 4] = [
        Invariant::ReceiverBinding,
        Invariant::SenderBinding,
        Invariant::ReportSoundness,
        Invariant::Confidentiality,
    ];

    /// The invariant's name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Invariant::ReceiverBinding => "receiver-binding",
            Invariant::SenderBinding => "sender-binding",
            Invariant::ReportSoundness => "report-soundness",
            Invariant::Confidentiality => "confidentiality",
        }
    }

    /// The invariant that must catch `flaw`.
    #[must_use]
    pub const fn catching(flaw: Flaw) -> Invariant {
        match flaw {
            Flaw::AeadCommitment | Flaw::CommitmentOmitsMessage | Flaw::PlatformSkipsCommitment => {
                Invariant::ReceiverBinding
            }
            Flaw::RecipientSkipsOpen | Flaw::RecipientChecksInnerCopy => Invariant::SenderBinding,
            Flaw::PlatformSkipsStamp
            | Flaw::StampOmitsRecipient
            | Flaw::StampOmitsTime
            | Flaw::PlatformIgnoresReporter => Invariant::ReportSoundness,
            Flaw::FixedFrankingKey | Flaw::UnkeyedCommitment | Flaw::FrankingKeyBeside => {
                Invariant::Confidentiality
            }
        }
    }
}

/// A broken property: which, on which seed, and what the adversary did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The property (or `None`: an honest message was refused, which breaks the
    /// scheme before any adversary acts).
    pub invariant: Option<Invariant>,
    /// The conversation's seed.
    pub seed: u64,
    /// What happened.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.invariant.map_or("correctness", Invariant::name);
        write!(f, "{name} broken (seed {}): {}", self.seed, self.detail)
    }
}

/// What a passing check did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Franked messages sent honestly.
    pub messages: usize,
    /// Of them, reported.
    pub reported: usize,
    /// The adversary's attempts (reports, deliveries or guesses).
    pub attempts: usize,
}

impl Outcome {
    /// The sum of two outcomes.
    #[must_use]
    pub fn plus(self, other: Outcome) -> Outcome {
        Outcome {
            messages: self.messages + other.messages,
            reported: self.reported + other.reported,
            attempts: self.attempts + other.attempts,
        }
    }
}

/// The accounts.
const ACCOUNTS: [&[u8]; 3] = [b"alice", b"bob", b"carol"];

/// The phrase book the messages are drawn from (and the platform guesses from).
const PHRASES: [&str; 8] = [
    "see you at nine",
    "I know where you live",
    "happy birthday!",
    "send me the photos or else",
    "the meeting moved to Tuesday",
    "nobody will believe you",
    "can you pick up milk?",
    "delete this after reading",
];

/// What the recipient made of a delivery: the message and its report, or a refusal.
type Received = Result<(Vec<u8>, Report), Refusal>;

/// A session between two accounts: `ends[i]` is held by `ACCOUNTS[accounts[i]]`.
struct Link {
    accounts: [usize; 2],
    ends: [Session; 2],
}

/// One franked message sent honestly.
#[derive(Clone, Debug)]
struct Sent {
    ctx: Ctx,
    t: u64,
    m: Vec<u8>,
    fk: [u8; 32],
    delivery: Delivery,
    /// The report the recipient would send (sent to the platform if `reported`).
    report: Report,
    reported: bool,
}

/// A conversation: sessions, the platform, what was sent and what the platform saw.
struct World<'a> {
    scheme: &'a dyn Scheme,
    seed: u64,
    rng: ChaCha20Rng,
    kp: [u8; 32],
    links: Vec<Link>,
    t: u64,
    sent: Vec<Sent>,
    /// Everything the platform saw, one byte string per field.
    view: Vec<Vec<u8>>,
    attempts: usize,
}

/// Two sessions, Alice's (the initiator's) and Bob's, from the application API.
fn session_pair(rng: &mut ChaCha20Rng) -> Result<(Session, Session), Refusal> {
    use lockstep::bundle::{PqPreKeyId, PqPreKeyKind, SignedPreKeyId};
    use lockstep::keys::{DecapsulationKey, PrivateKey};
    use lockstep::session::InMemoryPreKeyStore;
    use lockstep::{IdentityKeyPair, PreKeyBundle};
    let bob = IdentityKeyPair::generate(rng);
    let spk = PrivateKey::generate(rng);
    let pqpk = DecapsulationKey::generate(rng);
    let mut store = InMemoryPreKeyStore::new();
    store.add_signed_prekey(SignedPreKeyId(1), &spk);
    store.add_pq_prekey(PqPreKeyId(2), &pqpk, PqPreKeyKind::LastResort);
    let bundle = PreKeyBundle::builder(&bob)
        .signed_prekey(SignedPreKeyId(1), &spk.public_key())
        .pq_prekey(
            PqPreKeyId(2),
            pqpk.encapsulation_key(),
            PqPreKeyKind::LastResort,
        )
        .sign(rng)
        .to_bytes();
    let verified = PreKeyBundle::from_bytes(&bundle)?.verify()?;
    let alice = IdentityKeyPair::generate(rng);
    let mut initiator = Session::initiate(rng, &alice, &verified)?;
    let first = initiator.encrypt(b"hello")?;
    let (responder, _) = Session::accept(rng, &bob, &mut store, &first)?;
    Ok((initiator, responder))
}

impl<'a> World<'a> {
    /// Three accounts, a session between each two, no message yet.
    fn new(scheme: &'a dyn Scheme, seed: u64) -> Result<Self, Violation> {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let mut kp = [0; 32];
        rng.fill_bytes(&mut kp);
        let mut links = Vec::new();
        for accounts in [[0, 1], [0, 2], [2, 1]] {
            let (a, b) = session_pair(&mut rng).map_err(|e| Violation {
                invariant: None,
                seed,
                detail: format!("setting up a session: {e}"),
            })?;
            links.push(Link {
                accounts,
                ends: [a, b],
            });
        }
        Ok(World {
            scheme,
            seed,
            rng,
            kp,
            links,
            t: 1_764_892_800,
            sent: Vec::new(),
            view: Vec::new(),
            attempts: 0,
        })
    }

    /// A violation of `invariant` in this conversation.
    fn violation(&self, invariant: Option<Invariant>, detail: String) -> Violation {
        Violation {
            invariant,
            seed: self.seed,
            detail,
        }
    }

    fn bytes32(&mut self) -> [u8; 32] {
        let mut out = [0; 32];
        self.rng.fill_bytes(&mut out);
        out
    }

    fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n).unwrap_or(u64::MAX).max(1);
        usize::try_from(self.rng.next_u64() % n).unwrap_or(0)
    }

    /// The context of a message on `link` from end `from`.
    fn ctx(&self, link: usize, from: usize) -> Ctx {
        let accounts = self.links.get(link).map_or([0, 1], |l| l.accounts);
        let account = |i: usize| ACCOUNTS.get(accounts.get(i).copied().unwrap_or(0)).copied();
        Ctx::new(
            account(from).unwrap_or_default(),
            account(1 - from).unwrap_or_default(),
        )
    }

    /// The two ends of `link`, the sender's first.
    fn ends(&mut self, link: usize, from: usize) -> Option<(&mut Session, &mut Session)> {
        let [a, b] = &mut self.links.get_mut(link)?.ends;
        Some(if from == 0 { (a, b) } else { (b, a) })
    }

    /// The platform relays `submission` from `ctx.sender` to `ctx.recipient`; the
    /// recipient receives it. Returns the delivery and what the recipient made of it.
    fn relay(
        &mut self,
        link: usize,
        from: usize,
        submission: &Submission,
    ) -> Result<(Delivery, Received), Refusal> {
        let ctx = self.ctx(link, from);
        self.t += 1 + u64::try_from(self.below(60)).unwrap_or(0);
        self.view.push(submission.c.clone());
        self.view.push(submission.inner.clone());
        let delivery = self.scheme.stamp(&self.kp, &ctx, self.t, submission)?;
        self.view.push(delivery.tag.clone());
        let r = self.bytes32();
        let scheme = self.scheme;
        let (_, recipient) = self
            .ends(link, from)
            .ok_or_else(|| Refusal("no such link".to_owned()))?;
        let received = scheme.receive(recipient, &ctx, &delivery, &r);
        Ok((delivery, received))
    }

    /// An honest franked message of `m` on `link` from end `from`.
    fn send(&mut self, link: usize, from: usize, m: &[u8]) -> Result<(), Violation> {
        let ctx = self.ctx(link, from);
        let fk = self.bytes32();
        let scheme = self.scheme;
        let refused = |e: Refusal| format!("an honest franked message was refused: {e}");
        let seed = self.seed;
        let (sender, _) = self.ends(link, from).ok_or_else(|| Violation {
            invariant: None,
            seed,
            detail: "no such link".to_owned(),
        })?;
        let submission = scheme
            .send(sender, &ctx, &fk, m)
            .map_err(|e| self.violation(None, refused(e)))?;
        let (delivery, received) = self
            .relay(link, from, &submission)
            .map_err(|e| self.violation(None, refused(e)))?;
        let (read, report) = received.map_err(|e| self.violation(None, refused(e)))?;
        if read != m {
            return Err(self.violation(
                None,
                format!("the recipient read {:?} for {:?}", lossy(&read), lossy(m)),
            ));
        }
        self.sent.push(Sent {
            ctx,
            t: delivery.t,
            m: m.to_vec(),
            fk,
            delivery,
            report,
            reported: false,
        });
        Ok(())
    }

    /// The recipient of message `i` reports it; the platform must accept.
    fn report(&mut self, i: usize) -> Result<(), Violation> {
        let Some(sent) = self.sent.get(i).cloned() else {
            return Ok(());
        };
        let verdict = self
            .scheme
            .verify(&self.kp, &sent.ctx.recipient, &sent.report);
        self.view.extend([
            sent.report.fk.clone(),
            sent.report.m.clone(),
            sent.report.c.clone(),
        ]);
        match verdict {
            Ok(v) if v.m == sent.m && v.ctx == sent.ctx && v.t == sent.t => {
                if let Some(s) = self.sent.get_mut(i) {
                    s.reported = true;
                }
                Ok(())
            }
            other => Err(self.violation(
                Some(Invariant::SenderBinding),
                format!(
                    "the honest report of {:?} was answered {other:?}",
                    lossy(&sent.m)
                ),
            )),
        }
    }

    /// The random conversation: 6 to 12 messages on random links in random
    /// directions, about a third reported, at least one reported and one not.
    fn play(&mut self) -> Result<(), Violation> {
        let n = 6 + self.below(7);
        for i in 0..n {
            let link = self.below(3);
            let from = self.below(2);
            let phrase = PHRASES
                .get(self.below(PHRASES.len()))
                .copied()
                .unwrap_or("");
            let m = format!("{phrase} [{}/{i}]", self.seed);
            self.send(link, from, m.as_bytes())?;
            if (i == 0 || self.below(3) == 0) && i + 1 < n {
                self.report(i)?;
            }
        }
        Ok(())
    }

    /// Every message sent, as the platform's phrase book would list it.
    fn book(&self) -> Vec<Vec<u8>> {
        self.sent.iter().map(|s| s.m.clone()).collect()
    }

    fn outcome(&self) -> Outcome {
        Outcome {
            messages: self.sent.len(),
            reported: self.sent.iter().filter(|s| s.reported).count(),
            attempts: self.attempts,
        }
    }

    /// The platform's verdict on `report` from `reporter`.
    fn verify(&mut self, reporter: &[u8], report: &Report) -> Option<super::scheme::Verified> {
        self.attempts += 1;
        self.scheme.verify(&self.kp, reporter, report).ok()
    }
}

/// Bytes as text, for messages: anything but printable ASCII shows as `·`.
fn lossy(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                char::from(b)
            } else {
                '·'
            }
        })
        .collect()
}

/// Receiver binding: reports of other messages for a stamp, by the recipient alone
/// and with the sender's help.
fn receiver_binding(w: &mut World<'_>) -> Result<(), Violation> {
    let book = w.book();
    let sent = w.sent.clone();
    for (i, s) in sent.iter().enumerate() {
        let mut messages: Vec<Vec<u8>> = book
            .iter()
            .filter(|m| **m != s.m)
            .take(4)
            .cloned()
            .collect();
        let mut flipped = s.m.clone();
        if let Some(b) = flipped.first_mut() {
            *b ^= 1;
        }
        messages.extend([
            flipped,
            [s.m.as_slice(), b"!"].concat(),
            s.m.get(..s.m.len() / 2).unwrap_or_default().to_vec(),
            Vec::new(),
        ]);
        let mut keys = vec![s.report.fk.clone(), w.bytes32().to_vec()];
        keys.extend(
            sent.iter()
                .filter(|o| o.t != s.t)
                .take(2)
                .map(|o| o.fk.to_vec()),
        );
        for m in &messages {
            for fk in &keys {
                let forged = Report {
                    fk: fk.clone(),
                    m: m.clone(),
                    ..s.report.clone()
                };
                if let Some(v) = w.verify(&s.ctx.recipient, &forged)
                    && v.m != s.m
                {
                    {
                        return Err(w.violation(
                            Some(Invariant::ReceiverBinding),
                            format!(
                                "message {i}: the sender sent {:?}; the platform accepted the recipient's report of {:?} for its stamp",
                                lossy(&s.m),
                                lossy(&v.m)
                            ),
                        ));
                    }
                }
            }
        }
    }
    // The sender colludes: one commitment, two openings, if the construction has them.
    let (link, from) = (0, 0);
    let ctx = w.ctx(link, from);
    let m1 = b"You will regret this. I know where you live.";
    let m2 = b"Happy birthday! See you at the party.";
    let Some(two) = w.scheme.two_openings(&ctx, m1, m2) else {
        return Ok(());
    };
    let (sender, _) = w.ends(link, from).ok_or_else(|| Violation {
        invariant: None,
        seed: 0,
        detail: "no link".to_owned(),
    })?;
    let inner = sender
        .encrypt(&two.payload)
        .map_err(|e| w.violation(None, format!("encrypting: {e}")))?;
    let submission = Submission {
        c: two.c.clone(),
        inner,
    };
    let (_, received) = w
        .relay(link, from, &submission)
        .map_err(|e| w.violation(None, format!("relaying: {e}")))?;
    let Ok((read, report)) = received else {
        return Ok(());
    };
    let second = Report {
        fk: two.fk2.clone(),
        m: two.m2.clone(),
        ..report
    };
    if let Some(v) = w.verify(&ctx.recipient, &second)
        && v.m != read
    {
        {
            return Err(w.violation(
                Some(Invariant::ReceiverBinding),
                format!(
                    "the sender built one commitment with two openings: the recipient read {:?}, and the platform accepted a report of {:?} for the same stamp",
                    lossy(&read),
                    lossy(&v.m)
                ),
            ));
        }
    }
    Ok(())
}

/// Sender binding: the sender's payloads that do not open the commitment beside them.
fn sender_binding(w: &mut World<'_>) -> Result<(), Violation> {
    let strategies = [
        "another message's commitment",
        "a random commitment",
        "a payload shorter than a franking key",
        "a commitment to another recipient",
        "the message changed after committing",
        "honest",
    ];
    for link in 0..3 {
        for from in 0..2 {
            for (k, strategy) in strategies.iter().enumerate() {
                let ctx = w.ctx(link, from);
                let (fk, fk2) = (w.bytes32(), w.bytes32());
                let m = format!("{} [{k}]", PHRASES.get(k).copied().unwrap_or("")).into_bytes();
                let (mut payload, mut c) = w.scheme.frank(&ctx, &fk, &m);
                match k {
                    0 => c = w.scheme.frank(&ctx, &fk2, b"nothing to see here").1,
                    1 => c = (0..c.len()).map(|_| 0xa5).collect(),
                    2 => payload.truncate(16),
                    3 => {
                        let other = Ctx::new(&ctx.sender, b"mallory");
                        c = w.scheme.frank(&other, &fk, &m).1;
                    }
                    4 => {
                        if let Some(last) = payload.last_mut() {
                            *last ^= 0x20;
                        }
                    }
                    _ => {}
                }
                let (sender, recipient) = w.ends(link, from).ok_or_else(|| Violation {
                    invariant: None,
                    seed: 0,
                    detail: "no link".to_owned(),
                })?;
                let before = recipient.to_bytes().to_vec();
                let inner = sender.encrypt(&payload).map_err(|e| Violation {
                    invariant: None,
                    seed: 0,
                    detail: format!("encrypting: {e}"),
                })?;
                let (_, received) = w
                    .relay(link, from, &Submission { c, inner })
                    .map_err(|e| w.violation(None, format!("relaying: {e}")))?;
                w.attempts += 1;
                match received {
                    Ok((read, report)) => match w.scheme.verify(&w.kp, &ctx.recipient, &report) {
                        Ok(v) if v.m == read => {}
                        other => {
                            return Err(w.violation(
                                Some(Invariant::SenderBinding),
                                format!(
                                    "{strategy}: the recipient accepted {:?}, and the platform answered its report {other:?}",
                                    lossy(&read)
                                ),
                            ));
                        }
                    },
                    Err(_) => {
                        let (_, recipient) = w.ends(link, from).ok_or_else(|| Violation {
                            invariant: None,
                            seed: 0,
                            detail: "no link".to_owned(),
                        })?;
                        if recipient.to_bytes().to_vec() != before {
                            return Err(w.violation(
                                Some(Invariant::SenderBinding),
                                format!(
                                    "{strategy}: a refused delivery changed the recipient's session"
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// Report soundness: reports of what the platform did not deliver to the reporter.
fn report_soundness(w: &mut World<'_>) -> Result<(), Violation> {
    let sent = w.sent.clone();
    let genuine =
        |ctx: &Ctx, t: u64, m: &[u8]| sent.iter().any(|s| s.ctx == *ctx && s.t == t && s.m == m);
    let mut forgeries: Vec<(String, Vec<u8>, Report)> = Vec::new();
    for (i, s) in sent.iter().enumerate() {
        let recipient = s.ctx.recipient.clone();
        for other in ACCOUNTS.iter().filter(|a| **a != recipient.as_slice()) {
            forgeries.push((
                format!("message {i} reported by {}", lossy(other)),
                other.to_vec(),
                s.report.clone(),
            ));
        }
        let mut r = s.report.clone();
        r.tag = vec![0xa5; r.tag.len()];
        forgeries.push((
            format!("message {i} with a made-up stamp"),
            recipient.clone(),
            r,
        ));
        let mut r = s.report.clone();
        r.t += 3600;
        forgeries.push((format!("message {i} an hour later"), recipient.clone(), r));
        for third in ACCOUNTS
            .iter()
            .filter(|a| **a != recipient.as_slice() && **a != s.ctx.sender.as_slice())
        {
            let mut r = s.report.clone();
            r.ctx.sender = third.to_vec();
            forgeries.push((
                format!("message {i} said to be from {}", lossy(third)),
                recipient.clone(),
                r,
            ));
        }
        for (j, o) in sent.iter().enumerate() {
            if j == i {
                continue;
            }
            if o.ctx == s.ctx {
                let mut r = s.report.clone();
                r.tag = o.report.tag.clone();
                forgeries.push((
                    format!("message {i} with message {j}'s stamp"),
                    recipient.clone(),
                    r,
                ));
            } else if o.ctx.recipient != recipient {
                let mut r = o.report.clone();
                r.ctx.recipient = recipient.clone();
                forgeries.push((
                    format!(
                        "message {j} (of another conversation) reported as sent to {}",
                        lossy(&recipient)
                    ),
                    recipient.clone(),
                    r,
                ));
            }
        }
    }
    // A report made up from nothing.
    let fk = w.bytes32();
    let ctx = Ctx::new(b"alice", b"bob");
    let made_up = b"a message alice never sent".to_vec();
    let (_, c) = w.scheme.frank(&ctx, &fk, &made_up);
    forgeries.push((
        "a made-up report".to_owned(),
        b"bob".to_vec(),
        Report {
            ctx: ctx.clone(),
            t: w.t,
            c,
            tag: vec![0x5a; 32],
            fk: fk.to_vec(),
            m: made_up,
        },
    ));
    for (what, reporter, report) in &forgeries {
        if let Some(v) = w.verify(reporter, report)
            && (!genuine(&v.ctx, v.t, &v.m) || v.ctx.recipient != *reporter)
        {
            {
                return Err(w.violation(
                    Some(Invariant::ReportSoundness),
                    format!(
                        "{what}: the platform accepted {} -> {} at {}: {:?}",
                        lossy(&v.ctx.sender),
                        lossy(&v.ctx.recipient),
                        v.t,
                        lossy(&v.m)
                    ),
                ));
            }
        }
    }
    // A sender commits to one recipient (bob) and sends to another (carol, on the
    // alice-carol link); bob, colluding, reports it as a message to him.
    let (link, from) = (1, 0);
    let ctx = w.ctx(link, from);
    let aimed = Ctx::new(&ctx.sender, b"bob");
    let fk = w.bytes32();
    let m = b"misaddressed on purpose".to_vec();
    let (payload, c) = w.scheme.frank(&aimed, &fk, &m);
    let (sender, _) = w.ends(link, from).ok_or_else(|| Violation {
        invariant: None,
        seed: 0,
        detail: "no link".to_owned(),
    })?;
    let inner = sender.encrypt(&payload).map_err(|e| Violation {
        invariant: None,
        seed: 0,
        detail: format!("encrypting: {e}"),
    })?;
    let (delivery, _) = w
        .relay(
            link,
            from,
            &Submission {
                c: c.clone(),
                inner,
            },
        )
        .map_err(|e| w.violation(None, format!("relaying: {e}")))?;
    let report = Report {
        ctx: aimed.clone(),
        t: delivery.t,
        c,
        tag: delivery.tag,
        fk: fk.to_vec(),
        m,
    };
    if let Some(v) = w.verify(b"bob", &report) {
        return Err(w.violation(
            Some(Invariant::ReportSoundness),
            format!(
                "a message delivered to {} was accepted as reported by {}: {:?}",
                lossy(&ctx.recipient),
                lossy(&v.ctx.recipient),
                lossy(&v.m)
            ),
        ));
    }
    Ok(())
}

/// Confidentiality: the platform's guesses at unreported messages.
fn confidentiality(w: &mut World<'_>) -> Result<(), Violation> {
    let book = w.book();
    let mut keys: Vec<Vec<u8>> = vec![vec![0; 32]];
    for item in &w.view {
        if item.len() <= 96 {
            keys.extend(item.windows(32).map(<[u8]>::to_vec));
        }
    }
    keys.sort();
    keys.dedup();
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|x| x == needle);
    for (i, s) in w
        .sent
        .clone()
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.reported)
    {
        for item in &w.view {
            if contains(item, &s.fk) || contains(item, &s.m) {
                return Err(w.violation(
                    Some(Invariant::Confidentiality),
                    format!("unreported message {i}: its franking key or its text is in the platform's view"),
                ));
            }
        }
        for fk in &keys {
            let Ok(fk) = <[u8; 32]>::try_from(fk.as_slice()) else {
                continue;
            };
            for m in &book {
                w.attempts += 1;
                if w.scheme.frank(&s.ctx, &fk, m).1 == s.delivery.c {
                    return Err(w.violation(
                        Some(Invariant::Confidentiality),
                        format!(
                            "unreported message {i}: the platform confirms it is {:?} from its commitment",
                            lossy(m)
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Checks `invariant` of `scheme` on the random conversation of `seed`.
///
/// # Errors
/// The violation the adversary found, or an honest message the scheme refused.
pub fn check(scheme: &dyn Scheme, invariant: Invariant, seed: u64) -> Result<Outcome, Violation> {
    let mut w = World::new(scheme, seed)?;
    w.play()?;
    match invariant {
        Invariant::ReceiverBinding => receiver_binding(&mut w)?,
        Invariant::SenderBinding => sender_binding(&mut w)?,
        Invariant::ReportSoundness => report_soundness(&mut w)?,
        Invariant::Confidentiality => confidentiality(&mut w)?,
    }
    Ok(w.outcome())
}

/// Checks every invariant of `scheme` on the conversations of `seeds`.
///
/// # Errors
/// The first violation.
pub fn check_all(scheme: &dyn Scheme, seeds: core::ops::Range<u64>) -> Result<Outcome, Violation> {
    let mut total = Outcome::default();
    for seed in seeds {
        for invariant in Invariant::ALL {
            total = total.plus(check(scheme, invariant, seed)?);
        }
    }
    Ok(total)
}

/// The transcript of the honest conversation of `seed` under `scheme`: every
/// delivery's bytes and every report's, in order (two schemes that agree on it
/// send, stamp and report the same bytes).
///
/// # Errors
/// As [`check`].
pub fn transcript(scheme: &dyn Scheme, seed: u64) -> Result<Vec<Vec<u8>>, Violation> {
    let mut w = World::new(scheme, seed)?;
    w.play()?;
    let mut out = Vec::new();
    for s in &w.sent {
        out.push(super::wire::encode_delivery(&s.delivery));
        out.push(super::wire::encode_report(&s.report).unwrap_or_default());
    }
    Ok(out)
}
