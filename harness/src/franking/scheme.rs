//! Franking schemes as the invariants drive them: the implementation's
//! (`lockstep::franking`, on the wire bytes of SPEC §9.3) and a composed one, built
//! here from the implementation's primitives, that can carry one flaw.
//!
//! Every scheme runs over real sessions (`lockstep::Session`): the ratchet carries
//! the franked payload, so a flaw in how franking uses the session shows as it
//! would in an application. The composed scheme without a flaw is SPEC §9 again,
//! written from the text; a test holds it to the implementation byte for byte, so
//! that each flawed variant differs from the real thing by its flaw alone.

use core::fmt;

use lockstep::Session;
use lockstep::franking::{FrankingContext, PartyId, PlatformKey};

use super::collision;
use super::wire::{self, Delivery, Report, Submission};

/// SPEC §9.1: `FRANKING_COMMIT_LABEL`.
const COMMIT_LABEL: &[u8] = b"Lockstep_Franking_Commitment";
/// SPEC §9.1: `FRANKING_STAMP_LABEL`.
const STAMP_LABEL: &[u8] = b"Lockstep_Franking_Stamp";

/// A franking context as bytes: the sender's and the recipient's identifiers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ctx {
    /// The sender's identifier.
    pub sender: Vec<u8>,
    /// The recipient's identifier.
    pub recipient: Vec<u8>,
}

impl Ctx {
    /// The context of a message from `sender` to `recipient`.
    #[must_use]
    pub fn new(sender: &[u8], recipient: &[u8]) -> Self {
        Ctx {
            sender: sender.to_vec(),
            recipient: recipient.to_vec(),
        }
    }

    /// The implementation's context, if both identifiers are valid.
    fn to_impl(&self) -> Result<FrankingContext, Refusal> {
        Ok(FrankingContext::new(
            PartyId::new(&self.sender)?,
            PartyId::new(&self.recipient)?,
        ))
    }
}

/// What the platform accepted a report of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// Sender and recipient, as the report named them.
    pub ctx: Ctx,
    /// The time of the stamp.
    pub t: u64,
    /// The reported message.
    pub m: Vec<u8>,
}

/// Why a scheme refused: the error's name (SPEC §7 for the real scheme).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal(pub String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<lockstep::Error> for Refusal {
    fn from(e: lockstep::Error) -> Self {
        Refusal(e.name().to_owned())
    }
}

/// One ciphertext-side commitment with two openings, as an adversary who controls
/// the sender builds it when the construction allows.
#[derive(Clone, Debug)]
pub struct TwoOpenings {
    /// The payload the ratchet carries to the recipient (it opens to `m1`).
    pub payload: Vec<u8>,
    /// The commitment beside the ciphertext.
    pub c: Vec<u8>,
    /// The message the recipient will read.
    pub m1: Vec<u8>,
    /// The second opening's key.
    pub fk2: Vec<u8>,
    /// The second opening's message.
    pub m2: Vec<u8>,
}

/// A franking scheme: the sender's, the platform's and the recipient's operations.
pub trait Scheme {
    /// The scheme's name (`real`, or the flaw's).
    fn name(&self) -> &'static str;

    /// The sender's commitment to `m` under `fk` in `ctx`: the payload the ratchet
    /// carries and the commitment that travels beside the ciphertext.
    fn frank(&self, ctx: &Ctx, fk: &[u8; 32], m: &[u8]) -> (Vec<u8>, Vec<u8>);

    /// The sender: a franked message's submission to the platform.
    ///
    /// # Errors
    /// The session's refusal.
    fn send(
        &self,
        session: &mut Session,
        ctx: &Ctx,
        fk: &[u8; 32],
        m: &[u8],
    ) -> Result<Submission, Refusal> {
        let (payload, c) = self.frank(ctx, fk, m);
        Ok(Submission {
            c,
            inner: session.encrypt(&payload)?,
        })
    }

    /// The platform: stamps a submission from `ctx.sender` to `ctx.recipient` at `t`.
    ///
    /// # Errors
    /// A submission the platform cannot read.
    fn stamp(
        &self,
        kp: &[u8; 32],
        ctx: &Ctx,
        t: u64,
        submission: &Submission,
    ) -> Result<Delivery, Refusal>;

    /// The recipient: decrypts a delivery and opens its commitment, returning the
    /// message and the report of it the recipient would send. On a refusal the
    /// session is as it was.
    ///
    /// # Errors
    /// The session's refusal, or a commitment that does not open.
    fn receive(
        &self,
        session: &mut Session,
        ctx: &Ctx,
        delivery: &Delivery,
        r: &[u8; 32],
    ) -> Result<(Vec<u8>, Report), Refusal>;

    /// The platform: verifies a report sent by `reporter`.
    ///
    /// # Errors
    /// The platform's refusal.
    fn verify(&self, kp: &[u8; 32], reporter: &[u8], report: &Report) -> Result<Verified, Refusal>;

    /// The adversary's construction of one commitment with two openings for this
    /// scheme's kind of commitment, if it knows one that costs less than a
    /// collision of SHA-256 (it knows one for an AEAD used as the commitment).
    fn two_openings(&self, _ctx: &Ctx, _m1: &[u8], _m2: &[u8]) -> Option<TwoOpenings> {
        None
    }
}

/// The implementation's franking (`lockstep::franking`), on SPEC §9.3's bytes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Real;

impl Scheme for Real {
    fn name(&self) -> &'static str {
        "real"
    }

    fn frank(&self, ctx: &Ctx, fk: &[u8; 32], m: &[u8]) -> (Vec<u8>, Vec<u8>) {
        Composed::new(None).frank(ctx, fk, m)
    }

    fn send(
        &self,
        session: &mut Session,
        ctx: &Ctx,
        fk: &[u8; 32],
        m: &[u8],
    ) -> Result<Submission, Refusal> {
        let bytes = session.encrypt_franked_with(&ctx.to_impl()?, fk, m)?;
        wire::decode_submission(&bytes)
    }

    fn stamp(
        &self,
        kp: &[u8; 32],
        ctx: &Ctx,
        t: u64,
        submission: &Submission,
    ) -> Result<Delivery, Refusal> {
        let bytes = PlatformKey::from_bytes(*kp).stamp(
            &ctx.to_impl()?,
            t,
            &wire::encode_submission(submission),
        )?;
        wire::decode_delivery(&bytes)
    }

    fn receive(
        &self,
        session: &mut Session,
        ctx: &Ctx,
        delivery: &Delivery,
        r: &[u8; 32],
    ) -> Result<(Vec<u8>, Report), Refusal> {
        let bytes = wire::encode_delivery(delivery);
        let (m, receipt) = session.decrypt_franked_with(&ctx.to_impl()?, &bytes, r)?;
        let report = wire::decode_report(&receipt.report(&m)?)?;
        Ok((m, report))
    }

    fn verify(&self, kp: &[u8; 32], reporter: &[u8], report: &Report) -> Result<Verified, Refusal> {
        let bytes = wire::encode_report(report)?;
        let verified =
            PlatformKey::from_bytes(*kp).verify_report(&PartyId::new(reporter)?, &bytes)?;
        Ok(Verified {
            ctx: Ctx::new(
                verified.context.sender.as_bytes(),
                verified.context.recipient.as_bytes(),
            ),
            t: verified.t,
            m: verified.message,
        })
    }
}

/// One flaw of a franking scheme, and the invariant that catches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flaw {
    /// The naive scheme that relies on the AEAD alone: the message travels beside
    /// the ratchet ciphertext as ChaCha20-Poly1305 under `fk` (which the ratchet
    /// carries), the platform stamps that AEAD ciphertext, and a report is checked
    /// by opening it with the reported key. ChaCha20-Poly1305 is not committing.
    AeadCommitment,
    /// The commitment covers the context but not the message.
    CommitmentOmitsMessage,
    /// The platform checks the stamp but not the commitment.
    PlatformSkipsCommitment,
    /// The recipient accepts a payload without checking it opens the commitment.
    RecipientSkipsOpen,
    /// The sender also puts the commitment in the payload, and the recipient checks
    /// that copy instead of the one the platform stamped.
    RecipientChecksInnerCopy,
    /// The platform accepts a report without checking its stamp.
    PlatformSkipsStamp,
    /// The stamp does not cover the recipient.
    StampOmitsRecipient,
    /// The stamp does not cover the time.
    StampOmitsTime,
    /// The platform accepts a report from any account, not only the recipient's.
    PlatformIgnoresReporter,
    /// One franking key for every message (a constant, or one per session).
    FixedFrankingKey,
    /// The commitment is an unkeyed hash of the context and the message.
    UnkeyedCommitment,
    /// The franking key travels beside the ciphertext, in the clear.
    FrankingKeyBeside,
}

impl Flaw {
    /// Every flaw.
    pub const ALL: [Flaw; 12] = [
        Flaw::AeadCommitment,
        Flaw::CommitmentOmitsMessage,
        Flaw::PlatformSkipsCommitment,
        Flaw::RecipientSkipsOpen,
        Flaw::RecipientChecksInnerCopy,
        Flaw::PlatformSkipsStamp,
        Flaw::StampOmitsRecipient,
        Flaw::StampOmitsTime,
        Flaw::PlatformIgnoresReporter,
        Flaw::FixedFrankingKey,
        Flaw::UnkeyedCommitment,
        Flaw::FrankingKeyBeside,
    ];

    /// The flaw's name, as `lockstep franking check --broken` takes it.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Flaw::AeadCommitment => "aead-commitment",
            Flaw::CommitmentOmitsMessage => "commitment-omits-message",
            Flaw::PlatformSkipsCommitment => "platform-skips-commitment",
            Flaw::RecipientSkipsOpen => "recipient-skips-open",
            Flaw::RecipientChecksInnerCopy => "recipient-checks-inner-copy",
            Flaw::PlatformSkipsStamp => "platform-skips-stamp",
            Flaw::StampOmitsRecipient => "stamp-omits-recipient",
            Flaw::StampOmitsTime => "stamp-omits-time",
            Flaw::PlatformIgnoresReporter => "platform-ignores-reporter",
            Flaw::FixedFrankingKey => "fixed-franking-key",
            Flaw::UnkeyedCommitment => "unkeyed-commitment",
            Flaw::FrankingKeyBeside => "franking-key-beside",
        }
    }

    /// The flaw named `name`.
    #[must_use]
    pub fn named(name: &str) -> Option<Flaw> {
        Flaw::ALL.into_iter().find(|flaw| flaw.name() == name)
    }
}

/// SPEC §9.1: `Id(x) = u8(len(x)) ‖ x`, appended to `out` (identifiers over 255
/// bytes, which no valid context has, are cut to 255).
fn push_id(out: &mut Vec<u8>, id: &[u8]) {
    let id = id.get(..255).unwrap_or(id);
    out.push(u8::try_from(id.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(id);
}

/// HMAC-SHA-256 (the implementation's).
fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    lockstep::hmac::hmac_sha256(key, data).to_vec()
}

/// Equality of byte strings (the harness's schemes are not production code: only
/// the answer matters here, not its timing).
fn same(a: &[u8], b: &[u8]) -> bool {
    a == b
}

/// The key of [`Flaw::FixedFrankingKey`].
const FIXED_FK: [u8; 32] = [0x5a; 32];

/// The nonce of [`Flaw::AeadCommitment`]'s AEAD (each `fk` is used once).
const AEAD_NONCE: [u8; 12] = [0; 12];

/// SPEC §9 composed from the implementation's primitives, with at most one
/// [`Flaw`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Composed {
    flaw: Option<Flaw>,
}

impl Composed {
    /// The scheme with `flaw` (none: SPEC §9 as written).
    #[must_use]
    pub const fn new(flaw: Option<Flaw>) -> Self {
        Composed { flaw }
    }

    /// Whether this scheme has `flaw`.
    fn has(&self, flaw: Flaw) -> bool {
        self.flaw == Some(flaw)
    }

    /// `Id(sender) ‖ Id(recipient)`.
    fn ids(ctx: &Ctx) -> Vec<u8> {
        let mut out = Vec::new();
        push_id(&mut out, &ctx.sender);
        push_id(&mut out, &ctx.recipient);
        out
    }

    /// SPEC §9.2 `Commit`, as this scheme computes it.
    fn commit(&self, ctx: &Ctx, fk: &[u8], m: &[u8]) -> Vec<u8> {
        let mut input = COMMIT_LABEL.to_vec();
        input.extend_from_slice(&Self::ids(ctx));
        if !self.has(Flaw::CommitmentOmitsMessage) {
            input.extend_from_slice(m);
        }
        if self.has(Flaw::UnkeyedCommitment) {
            use sha2::Digest;
            return sha2::Sha256::digest(&input).to_vec();
        }
        let c = hmac(fk, &input);
        if self.has(Flaw::FrankingKeyBeside) {
            return [fk, &c].concat();
        }
        c
    }

    /// SPEC §9.2 `StampTag`, as this scheme computes it.
    fn stamp_tag(&self, kp: &[u8; 32], ctx: &Ctx, t: u64, c: &[u8]) -> Vec<u8> {
        let mut input = STAMP_LABEL.to_vec();
        input.extend_from_slice(c);
        push_id(&mut input, &ctx.sender);
        if !self.has(Flaw::StampOmitsRecipient) {
            push_id(&mut input, &ctx.recipient);
        }
        if !self.has(Flaw::StampOmitsTime) {
            input.extend_from_slice(&t.to_be_bytes());
        }
        hmac(kp, &input)
    }

    /// Whether `(fk, m)` opens `c` in `ctx`, as the platform checks it.
    fn opens(&self, ctx: &Ctx, c: &[u8], fk: &[u8], m: &[u8]) -> bool {
        if self.has(Flaw::AeadCommitment) {
            return aead_open(fk, ctx, c).is_some_and(|opened| same(&opened, m));
        }
        same(&self.commit(ctx, fk, m), c)
    }

    /// SPEC §9.2 `Open`, as this scheme's recipient runs it: the franking key and
    /// the message.
    fn open(&self, ctx: &Ctx, payload: &[u8], c: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Refusal> {
        let mismatch = || Refusal("CommitmentMismatch".to_owned());
        if self.has(Flaw::AeadCommitment) {
            let m = (payload.len() == 32)
                .then(|| aead_open(payload, ctx, c))
                .flatten()
                .ok_or_else(mismatch)?;
            return Ok((payload.to_vec(), m));
        }
        let (expected, rest) = if self.has(Flaw::RecipientChecksInnerCopy) {
            let copy_len = c.len().min(32);
            let (copy, rest) = payload.split_at_checked(copy_len).ok_or_else(mismatch)?;
            (copy.to_vec(), rest)
        } else {
            (c.to_vec(), payload)
        };
        let (fk, m) = rest.split_at_checked(32).ok_or_else(mismatch)?;
        if !self.has(Flaw::RecipientSkipsOpen) && !same(&self.commit(ctx, fk, m), &expected) {
            return Err(mismatch());
        }
        Ok((fk.to_vec(), m.to_vec()))
    }
}

/// [`Flaw::AeadCommitment`]: ChaCha20-Poly1305 under `fk` with the context as
/// associated data.
fn aead_seal(fk: &[u8; 32], ctx: &Ctx, m: &[u8]) -> Vec<u8> {
    use lockstep::aead::{Key, Nonce, seal};
    seal(
        &Key::from_bytes(*fk),
        &Nonce(AEAD_NONCE),
        &Composed::ids(ctx),
        m,
    )
    .unwrap_or_default()
}

/// [`Flaw::AeadCommitment`]'s opening, if it authenticates.
fn aead_open(fk: &[u8], ctx: &Ctx, sealed: &[u8]) -> Option<Vec<u8>> {
    use lockstep::aead::{Key, Nonce, open};
    let fk: [u8; 32] = fk.try_into().ok()?;
    open(
        &Key::from_bytes(fk),
        &Nonce(AEAD_NONCE),
        &Composed::ids(ctx),
        sealed,
    )
    .ok()
}

impl Scheme for Composed {
    fn name(&self) -> &'static str {
        self.flaw.map_or("composed", Flaw::name)
    }

    fn frank(&self, ctx: &Ctx, fk: &[u8; 32], m: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let fk = if self.has(Flaw::FixedFrankingKey) {
            &FIXED_FK
        } else {
            fk
        };
        if self.has(Flaw::AeadCommitment) {
            return (fk.to_vec(), aead_seal(fk, ctx, m));
        }
        let c = self.commit(ctx, fk, m);
        let mut payload = Vec::new();
        if self.has(Flaw::RecipientChecksInnerCopy) {
            payload.extend_from_slice(&c);
        }
        payload.extend_from_slice(fk);
        payload.extend_from_slice(m);
        (payload, c)
    }

    fn stamp(
        &self,
        kp: &[u8; 32],
        ctx: &Ctx,
        t: u64,
        submission: &Submission,
    ) -> Result<Delivery, Refusal> {
        Ok(Delivery {
            t,
            c: submission.c.clone(),
            tag: self.stamp_tag(kp, ctx, t, &submission.c),
            inner: submission.inner.clone(),
        })
    }

    fn receive(
        &self,
        session: &mut Session,
        ctx: &Ctx,
        delivery: &Delivery,
        r: &[u8; 32],
    ) -> Result<(Vec<u8>, Report), Refusal> {
        // Transactional, as SPEC §9.2 asks: decrypt, open, and put the session back
        // if the commitment does not open.
        let before = session.to_bytes();
        let payload = session.decrypt_with(&delivery.inner, r)?;
        let (fk, m) = match self.open(ctx, &payload, &delivery.c) {
            Ok(opened) => opened,
            Err(refusal) => {
                *session = Session::from_bytes(&before)?;
                return Err(refusal);
            }
        };
        let report = Report {
            ctx: ctx.clone(),
            t: delivery.t,
            c: delivery.c.clone(),
            tag: delivery.tag.clone(),
            fk,
            m: m.clone(),
        };
        Ok((m, report))
    }

    fn verify(&self, kp: &[u8; 32], reporter: &[u8], report: &Report) -> Result<Verified, Refusal> {
        if !self.has(Flaw::PlatformIgnoresReporter) && reporter != report.ctx.recipient {
            return Err(Refusal("NotRecipient".to_owned()));
        }
        let tag = self.stamp_tag(kp, &report.ctx, report.t, &report.c);
        if !self.has(Flaw::PlatformSkipsStamp) && !same(&tag, &report.tag) {
            return Err(Refusal("InvalidStamp".to_owned()));
        }
        if !self.has(Flaw::PlatformSkipsCommitment)
            && !self.opens(&report.ctx, &report.c, &report.fk, &report.m)
        {
            return Err(Refusal("CommitmentMismatch".to_owned()));
        }
        Ok(Verified {
            ctx: report.ctx.clone(),
            t: report.t,
            m: report.m.clone(),
        })
    }

    fn two_openings(&self, ctx: &Ctx, m1: &[u8], m2: &[u8]) -> Option<TwoOpenings> {
        if !self.has(Flaw::AeadCommitment) {
            return None;
        }
        // The sender picks both keys, and the ciphertext that opens under each.
        let (k1, k2) = ([0x11; 32], [0x22; 32]);
        let both =
            collision::two_key_ciphertext(&k1, &k2, &AEAD_NONCE, &Composed::ids(ctx), m1, m2)
                .ok()?;
        Some(TwoOpenings {
            payload: k1.to_vec(),
            c: both.sealed,
            m1: both.plaintext1,
            fk2: k2.to_vec(),
            m2: both.plaintext2,
        })
    }
}
