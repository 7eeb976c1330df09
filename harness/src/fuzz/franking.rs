//! The `franking` target: message franking (SPEC §9), the franked message decoders,
//! the platform's report verification and the recipient's franked decryption.
//!
//! The first input byte picks the check (modulo 3); the rest is its input:
//!
//! - 0: the rest into the three decoders of SPEC §9.3 (`decode_submission`,
//!   `decode_delivery`, `decode_report`) of the spec and of the implementation:
//!   the same refusal, or both decode and both re-encode to exactly the input; and
//!   the platform's `Stamp` of it as a submission, the same on both sides.
//! - 1: the rest is a report, judged by the platform of a fixed [`world`] as sent
//!   by `bob`, then by `alice` (or by `carol`, if the first byte divided by 3 is
//!   odd): the spec's `verify_report` and the implementation's
//!   `PlatformKey::verify_report` give the same refusal or the same
//!   `(sender, recipient, t, m)`, and what is accepted is one of the franked
//!   messages the world's platform stamped for that reporter (SPEC §9.4 receiver
//!   binding: the input cannot hold a stamp the fuzzer did not copy, so any other
//!   acceptance is a forgery).
//! - 2: the rest is a delivery given to Bob's established session (Alice's, if the
//!   first byte divided by 3 is odd) from the world, before it received any of the
//!   world's franked messages, with a fixed `r`: the implementation's
//!   `decrypt_franked_with` and the spec's `frank_decrypt` (on the spec state
//!   decoded from the same SPEC §6 bytes) give the same refusal, or the same
//!   message, next state and report. A refusal leaves the session's encoding
//!   unchanged; an acceptance is one of the franked messages the peer sent, with
//!   the commitment it was sent with, is refused when delivered again, and its
//!   report verifies at the platform with the same message when the stamp is the
//!   platform's (SPEC §9.4 sender binding), and is refused as `InvalidStamp` when
//!   it is not.

use lockstep::franking::{self as fr, FrankingContext, PartyId, PlatformKey, Receipt};
use spec::franking as sfr;

use super::*;

pub(super) const FRANKING: &str = "franking";

/// The platform's stamping key in the [`world`] (fixed, so a finding replays).
pub const WORLD_PLATFORM_KEY: [u8; 32] = *b"lockstep fuzz franking platform!";

/// The accounts of the [`world`]: the two parties, and one with no session.
pub const WORLD_ALICE: &[u8] = b"alice";
/// Bob's account.
pub const WORLD_BOB: &[u8] = b"bob";
/// An account that receives nothing.
pub const WORLD_CAROL: &[u8] = b"carol";

/// The time the world's platform stamps its first message at; each next one is a
/// minute later.
pub const WORLD_T0: u64 = 1_767_225_600;

/// The messages Alice franks to Bob in the [`world`].
const ALICE_TO_BOB: &[&[u8]] = &[b"hello Bob", b"", b"something abusive", &[0xA5; 200]];

/// The messages Bob franks to Alice.
const BOB_TO_ALICE: &[&[u8]] = &[b"hi Alice", b"an abusive reply"];

/// One franked message of the [`world`], as each party and the platform saw it.
#[derive(Clone, Debug)]
pub struct Franked {
    /// The sender's account.
    pub sender: &'static [u8],
    /// The recipient's account.
    pub recipient: &'static [u8],
    /// The platform's time.
    pub t: u64,
    /// The message.
    pub m: Vec<u8>,
    /// The commitment it was sent with.
    pub c: [u8; 32],
    /// The sender's submission (SPEC §9.3).
    pub submission: Vec<u8>,
    /// The platform's delivery.
    pub delivery: Vec<u8>,
    /// The ratchet message inside both.
    pub inner: Vec<u8>,
    /// The recipient's report of it, after receiving it.
    pub report: Vec<u8>,
}

/// One recipient's side of the [`world`].
pub struct Inbox {
    /// The recipient's account.
    pub recipient: &'static [u8],
    /// The sender's account.
    pub sender: &'static [u8],
    /// The recipient's state encoding (SPEC §6) before it received any of
    /// `messages`: they are all still receivable from it.
    pub before: Vec<u8>,
    /// The same state, decoded by the spec (once: the decoding costs an X25519).
    spec_before: spec::ratchet::State,
    /// The franked messages stamped for this recipient, in the order sent.
    pub messages: Vec<Franked>,
}

impl fmt::Debug for Inbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inbox")
            .field("recipient", &self.recipient)
            .field("messages", &self.messages.len())
            .finish_non_exhaustive()
    }
}

/// The fixed world of the `franking` target: an established Alice–Bob session (of
/// the implementation), a platform, and franked messages both ways, stamped and
/// received, each with its report.
#[derive(Debug)]
pub struct World {
    /// The platform's stamping key.
    pub platform: PlatformKey,
    /// Bob's inbox: Alice's franked messages.
    pub to_bob: Inbox,
    /// Alice's inbox: Bob's franked messages.
    pub to_alice: Inbox,
}

impl World {
    /// The inbox of `recipient`, if it has one.
    #[must_use]
    pub fn inbox(&self, recipient: &[u8]) -> Option<&Inbox> {
        [&self.to_bob, &self.to_alice]
            .into_iter()
            .find(|inbox| inbox.recipient == recipient)
    }
}

fn world_failed(detail: impl Into<String>) -> Finding {
    finding(FRANKING, "world", detail)
}

fn party(id: &[u8]) -> Result<PartyId, Finding> {
    PartyId::new(id).map_err(|e| world_failed(format!("identifier {id:?}: {e:?}")))
}

fn context(sender: &[u8], recipient: &[u8]) -> Result<FrankingContext, Finding> {
    Ok(FrankingContext::new(party(sender)?, party(recipient)?))
}

/// A fixed 32-byte value for `what` number `i`.
fn derived(what: &str, i: usize) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"lockstep fuzz franking\0");
    hash.update(what.as_bytes());
    hash.update([0]);
    hash.update((i as u64).to_be_bytes());
    hash.finalize().into()
}

/// The ratchet private key a recipient is given for the `franking` target's
/// deliveries (fixed, so a finding replays).
fn franking_r(i: usize) -> [u8; 32] {
    derived("r", i)
}

/// The established sessions the world starts from: Alice sends, Bob accepts and
/// replies, Alice receives his reply (so her next messages start a new DH ratchet
/// step for Bob). Their state encodings.
fn established() -> Result<(Vec<u8>, Vec<u8>), Finding> {
    let mut seed = [0u8; 32];
    seed[..22].copy_from_slice(b"lockstep fuzz franking");
    let scenario = Scenario {
        seed,
        set_up: SetUp {
            opk: true,
            pq_last_resort: false,
        },
        events: vec![
            Event::Send {
                from: Party::Alice,
                len: 5,
            },
            Event::Deliver { pick: 0 },
            Event::Send {
                from: Party::Bob,
                len: 6,
            },
            Event::Deliver { pick: 0 },
        ],
    };
    let mut driver = ImplDriver::new();
    let run = run(&mut driver, &scenario);
    if let Some(failed) = run.deliveries.iter().find(|d| d.result.is_err()) {
        return Err(world_failed(format!("a delivery failed: {failed:?}")));
    }
    match (driver.state(Party::Alice), driver.state(Party::Bob)) {
        (Some(alice), Some(bob)) => Ok((alice, bob)),
        _ => Err(world_failed("a party has no session")),
    }
}

/// `sender` franks each of `messages` to `recipient` from its session `from` (which
/// moves on); the platform stamps them; `recipient` receives them all, in order,
/// from `to` (a copy: the inbox keeps `to` as it was).
fn exchange(
    platform: &PlatformKey,
    sender: &'static [u8],
    recipient: &'static [u8],
    from: &mut Session,
    to: &[u8],
    messages: &[&[u8]],
    first: usize,
) -> Result<Inbox, Finding> {
    let ctx = context(sender, recipient)?;
    let mut receiver = Session::from_bytes(to).map_err(|e| world_failed(format!("{e:?}")))?;
    let mut out = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let n = first + i;
        let t = WORLD_T0 + 60 * n as u64;
        let fk = derived("fk", n);
        let submission = from
            .encrypt_franked_with(&ctx, &fk, m)
            .map_err(|e| world_failed(format!("encrypt_franked message {n}: {e:?}")))?;
        let delivery = platform
            .stamp(&ctx, t, &submission)
            .map_err(|e| world_failed(format!("stamp message {n}: {e:?}")))?;
        let decoded =
            fr::decode_submission(&submission).map_err(|e| world_failed(format!("{e:?}")))?;
        let (c, inner) = (decoded.c.0, decoded.inner.to_vec());
        let (received, receipt) = receiver
            .decrypt_franked_with(&ctx, &delivery, &derived("receive", n))
            .map_err(|e| world_failed(format!("decrypt_franked message {n}: {e:?}")))?;
        if received != *m {
            return Err(world_failed(format!("message {n} received otherwise")));
        }
        let report = receipt
            .report(m)
            .map_err(|e| world_failed(format!("report of message {n}: {e:?}")))?;
        out.push(Franked {
            sender,
            recipient,
            t,
            m: m.to_vec(),
            c,
            submission,
            delivery,
            inner,
            report,
        });
    }
    let spec_before = spec::state::decode_state(&seq(to))
        .map_err(|e| world_failed(format!("the spec does not decode the state: {e:?}")))?;
    Ok(Inbox {
        recipient,
        sender,
        before: to.to_vec(),
        spec_before,
        messages: out,
    })
}

fn make_world() -> Result<World, Finding> {
    let (alice_bytes, bob_bytes) = established()?;
    let platform = PlatformKey::from_bytes(WORLD_PLATFORM_KEY);
    let open =
        |bytes: &[u8]| Session::from_bytes(bytes).map_err(|e| world_failed(format!("{e:?}")));
    let mut alice = open(&alice_bytes)?;
    let mut bob = open(&bob_bytes)?;
    // Each sends before receiving anything: each inbox starts from the recipient's
    // state as the set-up left it.
    let to_bob = exchange(
        &platform,
        WORLD_ALICE,
        WORLD_BOB,
        &mut alice,
        &bob_bytes,
        ALICE_TO_BOB,
        0,
    )?;
    let to_alice = exchange(
        &platform,
        WORLD_BOB,
        WORLD_ALICE,
        &mut bob,
        &alice_bytes,
        BOB_TO_ALICE,
        ALICE_TO_BOB.len(),
    )?;
    let world = World {
        platform,
        to_bob,
        to_alice,
    };
    // Every genuine report verifies, on both sides.
    for inbox in [&world.to_bob, &world.to_alice] {
        for message in &inbox.messages {
            let checked = verify_both(&world, inbox.recipient, &message.report, verify_impl);
            if checked != Ok(Some(Judged::of(message))) {
                return Err(world_failed(format!(
                    "a genuine report does not verify: {checked:?}"
                )));
            }
        }
    }
    Ok(world)
}

/// The world, made once per process.
///
/// # Errors
/// A [`Finding`] if it could not be made.
pub fn world() -> Result<&'static World, Finding> {
    static WORLD: OnceLock<Result<World, Finding>> = OnceLock::new();
    WORLD.get_or_init(make_world).as_ref().map_err(Clone::clone)
}

/// What an accepted report says: `(sender, recipient, t, m)`.
#[derive(Clone, PartialEq, Eq)]
pub struct Judged {
    /// The sender.
    pub sender: Vec<u8>,
    /// The recipient.
    pub recipient: Vec<u8>,
    /// The time stamped.
    pub t: u64,
    /// The message.
    pub m: Vec<u8>,
}

impl fmt::Debug for Judged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The identifiers as text, the message in hex (it may be any bytes).
        f.debug_struct("Judged")
            .field("sender", &String::from_utf8_lossy(&self.sender))
            .field("recipient", &String::from_utf8_lossy(&self.recipient))
            .field("t", &self.t)
            .field("m", &hex(&self.m))
            .finish()
    }
}

impl Judged {
    fn of(message: &Franked) -> Judged {
        Judged {
            sender: message.sender.to_vec(),
            recipient: message.recipient.to_vec(),
            t: message.t,
            m: message.m.clone(),
        }
    }

    fn of_impl(verified: &fr::VerifiedReport) -> Judged {
        Judged {
            sender: verified.context.sender.as_bytes().to_vec(),
            recipient: verified.context.recipient.as_bytes().to_vec(),
            t: verified.t,
            m: verified.message.clone(),
        }
    }

    fn of_spec(verified: &sfr::VerifiedReport) -> Judged {
        Judged {
            sender: verified.sender.to_native(),
            recipient: verified.recipient.to_native(),
            t: verified.t,
            m: verified.m.to_native(),
        }
    }
}

/// The platform's report verification under test: the implementation's
/// [`PlatformKey::verify_report`], or in the tests a deliberately broken one.
pub type ReportVerifier =
    fn(&PlatformKey, &PartyId, &[u8]) -> Result<fr::VerifiedReport, lockstep::Error>;

/// The implementation's [`PlatformKey::verify_report`].
fn verify_impl(
    platform: &PlatformKey,
    reporter: &PartyId,
    report: &[u8],
) -> Result<fr::VerifiedReport, lockstep::Error> {
    platform.verify_report(reporter, report)
}

/// `report` sent by `reporter`, judged by the spec and by `verify`: the same
/// refusal (`Ok(None)`), or the same acceptance (`Ok(Some(what))`), which is one
/// of the franked messages the platform stamped for `reporter`.
fn verify_both(
    world: &World,
    reporter: &'static [u8],
    report: &[u8],
    verify: ReportVerifier,
) -> Result<Option<Judged>, Finding> {
    let who = String::from_utf8_lossy(reporter);
    let reporter_id = party(reporter)?;
    let implementation = verify(&world.platform, &reporter_id, report)
        .map(|v| Judged::of_impl(&v))
        .map_err(Failure::from);
    let kp = sfr::PlatformKey::from_seq(&seq(&WORLD_PLATFORM_KEY));
    let spec_side = sfr::verify_report(&kp, &seq(reporter), &seq(report))
        .map(|v| Judged::of_spec(&v))
        .map_err(Failure::from);
    // Receiver binding first: an acceptance of anything but a stamped message.
    for (side, result) in [("impl", &implementation), ("spec", &spec_side)] {
        if let Ok(judged) = result {
            let genuine = world
                .inbox(reporter)
                .is_some_and(|inbox| inbox.messages.iter().any(|g| Judged::of(g) == *judged));
            if !genuine {
                return Err(finding(
                    FRANKING,
                    "a report of a message no one sent was accepted",
                    format!("{side} accepted, from {who}, {judged:?}: {}", hex(report)),
                ));
            }
        }
    }
    match (spec_side, implementation) {
        (Err(s), Err(i)) if s == i => Ok(None),
        (Ok(s), Ok(i)) if s == i => Ok(Some(i)),
        (s, i) => Err(finding(
            FRANKING,
            "spec and impl judge a report differently",
            format!("from {who}: spec {s:?}, impl {i:?}"),
        )),
    }
}

/// SPEC §9.3 decoders, and `Stamp`, on `data`, spec against impl.
fn check_decoders(data: &[u8]) -> Result<(), Finding> {
    let bytes = seq(data);
    let retarget = |f: Finding| Finding {
        target: FRANKING,
        ..f
    };
    same_decoding(
        "decode_submission",
        data,
        sfr::decode_submission(&bytes)
            .map(|s| sfr::encode_submission(&s).to_native())
            .map_err(Failure::from),
        fr::decode_submission(data)
            .map(|s| fr::encode_submission(&s))
            .map_err(Failure::from),
    )
    .map_err(retarget)?;
    same_decoding(
        "decode_delivery",
        data,
        sfr::decode_delivery(&bytes)
            .map(|d| sfr::encode_delivery(&d).to_native())
            .map_err(Failure::from),
        fr::decode_delivery(data)
            .map(|d| fr::encode_delivery(&d))
            .map_err(Failure::from),
    )
    .map_err(retarget)?;
    same_decoding(
        "decode_report",
        data,
        sfr::decode_report(&bytes)
            .map_err(Failure::from)
            .and_then(|r| sfr::encode_report(&r).map_err(Failure::from))
            .map(|r| r.to_native()),
        fr::decode_report(data)
            .map(|r| fr::encode_report(&r))
            .map_err(Failure::from),
    )
    .map_err(retarget)?;
    // The platform stamps it as a submission: the same delivery, or the same refusal.
    let platform = PlatformKey::from_bytes(WORLD_PLATFORM_KEY);
    let ctx = context(WORLD_ALICE, WORLD_BOB)?;
    let implementation = platform.stamp(&ctx, WORLD_T0, data).map_err(Failure::from);
    let spec_side = sfr::stamp(
        &sfr::PlatformKey::from_seq(&seq(&WORLD_PLATFORM_KEY)),
        &seq(WORLD_ALICE),
        &seq(WORLD_BOB),
        WORLD_T0,
        &bytes,
    )
    .map(|d| d.to_native())
    .map_err(Failure::from);
    if implementation != spec_side {
        return Err(finding(
            FRANKING,
            "spec and impl stamp differently",
            format!(
                "spec {:?}, impl {:?}: {}",
                spec_side.map(|d| hex(&d)),
                implementation.map(|d| hex(&d)),
                hex(data)
            ),
        ));
    }
    Ok(())
}

/// The reporters a mode-1 input is judged as: `bob`, then `alice` or `carol`.
fn reporters(selector: u8) -> [&'static [u8]; 2] {
    if (selector / 3) & 1 == 0 {
        [WORLD_BOB, WORLD_ALICE]
    } else {
        [WORLD_BOB, WORLD_CAROL]
    }
}

/// Mode 1 with the report verifier `verify`: `report` judged as sent by `bob`,
/// then by `alice` (`carol` if `selector / 3` is odd).
///
/// # Errors
/// A [`Finding`] naming the property that failed.
pub fn check_report_with(
    selector: u8,
    report: &[u8],
    verify: ReportVerifier,
) -> Result<(), Finding> {
    let world = world()?;
    for reporter in reporters(selector) {
        verify_both(world, reporter, report, verify)?;
    }
    Ok(())
}

/// What mode 2 delivers to: the implementation's [`Session`], or, in the tests
/// that show the target catching bugs, a deliberately broken one.
pub trait FrankedRecipient {
    /// SPEC §9.2 `FrankDecrypt` of `delivered` in the context `ctx`, with `r` as the
    /// next ratchet private key.
    ///
    /// # Errors
    /// The session's refusal.
    fn decrypt_franked(
        &mut self,
        ctx: &FrankingContext,
        delivered: &[u8],
        r: &[u8; 32],
    ) -> Result<(Vec<u8>, Receipt), lockstep::Error>;

    /// SPEC §6: the state encoding.
    fn encoding(&self) -> Vec<u8>;
}

impl FrankedRecipient for Session {
    fn decrypt_franked(
        &mut self,
        ctx: &FrankingContext,
        delivered: &[u8],
        r: &[u8; 32],
    ) -> Result<(Vec<u8>, Receipt), lockstep::Error> {
        self.decrypt_franked_with(ctx, delivered, r)
    }

    fn encoding(&self) -> Vec<u8> {
        self.to_bytes().to_vec()
    }
}

/// The recipient a mode-2 input is delivered to: Bob, or Alice.
fn recipient_of(selector: u8) -> &'static [u8] {
    if (selector / 3) & 1 == 0 {
        WORLD_BOB
    } else {
        WORLD_ALICE
    }
}

/// Mode 2 with the recipient `open` makes from a state encoding: `delivered` given
/// to Bob (Alice if `selector / 3` is odd), in the state the world kept from before
/// the recipient received anything.
///
/// # Errors
/// A [`Finding`] naming the property that failed.
pub fn check_delivery_with<R: FrankedRecipient>(
    selector: u8,
    delivered: &[u8],
    open: impl Fn(&[u8]) -> Result<R, lockstep::Error>,
) -> Result<(), Finding> {
    let world = world()?;
    let recipient = recipient_of(selector);
    let inbox = world
        .inbox(recipient)
        .ok_or_else(|| world_failed("no inbox"))?;
    let who = String::from_utf8_lossy(recipient);
    let ctx = context(inbox.sender, inbox.recipient)?;
    let mut session =
        open(&inbox.before).map_err(|e| world_failed(format!("state does not decode: {e:?}")))?;
    let before = session.encoding();
    let r = franking_r(0);
    let implementation = session.decrypt_franked(&ctx, delivered, &r);
    let spec_side = sfr::frank_decrypt(
        &inbox.spec_before,
        &seq(inbox.sender),
        &seq(inbox.recipient),
        &seq(delivered),
        &spec::x25519::X25519SerializedScalar::from_public_slice(&r),
    );
    let (m, receipt) = match (implementation, spec_side) {
        (Err(i), Err(s)) => {
            let (i, s) = (Failure::from(i), Failure::from(s));
            if i != s {
                return Err(finding(
                    FRANKING,
                    "spec and impl refuse a delivery differently",
                    format!("{who}: spec {s:?}, impl {i:?}: {}", hex(delivered)),
                ));
            }
            if session.encoding() != before {
                return Err(finding(
                    FRANKING,
                    "a refused delivery changed the state",
                    format!(
                        "{who} refused ({i:?}) and its state changed: {}",
                        hex(delivered)
                    ),
                ));
            }
            return Ok(());
        }
        (Ok((m, receipt)), Ok((spec_state, spec_m, spec_receipt))) => {
            if m != spec_m.to_native() {
                return Err(finding(
                    FRANKING,
                    "spec and impl decrypt a delivery to different messages",
                    format!("{who}: {}", hex(delivered)),
                ));
            }
            if session.encoding() != spec::state::encode_state(&spec_state).to_native() {
                return Err(finding(
                    FRANKING,
                    "spec and impl states differ after a franked delivery",
                    format!("{who}: {}", hex(delivered)),
                ));
            }
            let spec_report = sfr::report(&spec_receipt, &spec_m).map(|r| r.to_native());
            let report = receipt.report(&m);
            if report.clone().map_err(Failure::from) != spec_report.map_err(Failure::from) {
                return Err(finding(
                    FRANKING,
                    "spec and impl report a franked message differently",
                    format!("{who}: {}", hex(delivered)),
                ));
            }
            let report = report.map_err(|e| {
                finding(
                    FRANKING,
                    "an accepted message cannot be reported",
                    format!("{who}: {e:?}: {}", hex(delivered)),
                )
            })?;
            (m, (receipt, report))
        }
        (i, s) => {
            return Err(finding(
                FRANKING,
                "spec and impl decrypt a delivery differently",
                format!(
                    "{who}: spec {:?}, impl {:?}: {}",
                    s.map(|_| "accepted").map_err(Failure::from),
                    i.map(|_| "accepted").map_err(Failure::from),
                    hex(delivered)
                ),
            ));
        }
    };
    let (receipt, report) = receipt;
    // Only what the peer sent, with the commitment it sent.
    let decoded = fr::decode_delivery(delivered).map_err(|e| {
        finding(
            FRANKING,
            "an accepted delivery does not decode",
            format!("{who}: {e:?}: {}", hex(delivered)),
        )
    })?;
    let genuine = inbox
        .messages
        .iter()
        .find(|g| g.inner == decoded.inner || carried(&g.inner) == Some(decoded.inner));
    let Some(genuine) = genuine else {
        return Err(finding(
            FRANKING,
            "a message no one sent was accepted",
            format!("{who}: {}", hex(delivered)),
        ));
    };
    if m != genuine.m || decoded.c.0 != genuine.c {
        return Err(finding(
            FRANKING,
            "a franked message was accepted as another message or commitment",
            format!("{who}: {}", hex(delivered)),
        ));
    }
    // Delivered again: refused, the state unchanged.
    let after = session.encoding();
    let again = session.decrypt_franked(&ctx, delivered, &franking_r(1));
    if again.is_ok() || session.encoding() != after {
        return Err(finding(
            FRANKING,
            "a replayed delivery was accepted or changed the state",
            format!(
                "{who}: {:?}: {}",
                again.map(|_| ()).map_err(Failure::from),
                hex(delivered)
            ),
        ));
    }
    // Sender binding: the platform accepts the report, of this message, when the
    // stamp is its own; a stamp it did not make is refused as such.
    let stamped = fr::stamp_tag(&world.platform, &receipt.commitment(), &ctx, receipt.time())
        == receipt.stamp_tag();
    let judged = world
        .platform
        .verify_report(&ctx.recipient, &report)
        .map(|v| Judged::of_impl(&v))
        .map_err(Failure::from);
    let expected = if stamped {
        Ok(Judged {
            sender: inbox.sender.to_vec(),
            recipient: inbox.recipient.to_vec(),
            t: genuine.t,
            m,
        })
    } else {
        Err(Failure::from(lockstep::Error::InvalidStamp))
    };
    if judged != expected {
        return Err(finding(
            FRANKING,
            "the report of an accepted message is not judged as stamped",
            format!(
                "{who}: expected {expected:?}, platform {judged:?}: {}",
                hex(delivered)
            ),
        ));
    }
    Ok(())
}

/// Message franking (SPEC §9): the first byte picks the check (modulo 3), the rest
/// is its input. 0: the SPEC §9.3 decoders and `Stamp`, spec against impl. 1: a
/// report judged by the world's platform as sent by `bob` and by `alice` or
/// `carol`: spec ≡ impl, and only reports of stamped messages are accepted. 2: a
/// delivery to Bob's (or Alice's) session: spec ≡ impl; refusals leave the state
/// unchanged; only the peer's franked messages are accepted, once, and their
/// reports verify. See the module's documentation.
///
/// # Errors
/// A [`Finding`] naming the property that failed.
pub fn franking(data: &[u8]) -> Result<(), Finding> {
    let [selector, rest @ ..] = data else {
        return Ok(());
    };
    match selector % 3 {
        0 => check_decoders(rest),
        1 => check_report_with(*selector, rest, verify_impl),
        _ => check_delivery_with(*selector, rest, Session::from_bytes),
    }
}

/// The `franking` seeds: for each mode, the world's genuine inputs, and a few
/// tampered ones.
pub(super) fn franking_corpus() -> Result<Vec<(String, Vec<u8>)>, Finding> {
    let world = world()?;
    let mut out = Vec::new();
    let mut add = |name: String, selector: u8, body: &[u8]| {
        let mut bytes = vec![selector];
        bytes.extend_from_slice(body);
        out.push((format!("seed-{name}"), bytes));
    };
    for inbox in [&world.to_bob, &world.to_alice] {
        let to = String::from_utf8_lossy(inbox.recipient).into_owned();
        for (i, message) in inbox.messages.iter().enumerate() {
            // Mode 0: the three layouts.
            add(
                format!("decode-submission-to-{to}-{i}"),
                0,
                &message.submission,
            );
            add(format!("decode-delivery-to-{to}-{i}"), 0, &message.delivery);
            add(format!("decode-report-to-{to}-{i}"), 0, &message.report);
            // Mode 1: the genuine report, judged as bob and alice, and as bob and
            // carol.
            add(format!("report-to-{to}-{i}"), 1, &message.report);
            add(format!("report-to-{to}-{i}-carol"), 4, &message.report);
            // Mode 2: the delivery, to its recipient's state before it.
            let selector = if inbox.recipient == WORLD_BOB { 2 } else { 5 };
            add(format!("deliver-to-{to}-{i}"), selector, &message.delivery);
        }
    }
    // Tampered: a report of another message, at another time, with another
    // franking key, under another stamp; a delivery with another commitment or
    // time, and one as a ratchet message alone.
    if let Some(message) = world.to_bob.messages.get(2) {
        let report = &message.report;
        let m_at = report.len() - message.m.len();
        let fk_at = m_at - 32;
        let tag_at = fk_at - 32;
        let t_at = tag_at - 32 - 8;
        let flip = |at: usize| {
            let mut bytes = report.clone();
            if let Some(byte) = bytes.get_mut(at) {
                *byte ^= 1;
            }
            bytes
        };
        add("report-tampered-m".into(), 1, &flip(m_at));
        add("report-tampered-t".into(), 1, &flip(t_at + 7));
        add("report-tampered-fk".into(), 1, &flip(fk_at));
        add("report-tampered-tag".into(), 1, &flip(tag_at));
        let mut longer = report.clone();
        longer.push(0);
        add("report-tampered-longer".into(), 1, &longer);
        let delivery = &message.delivery;
        let flip = |at: usize| {
            let mut bytes = delivery.clone();
            if let Some(byte) = bytes.get_mut(at) {
                *byte ^= 1;
            }
            bytes
        };
        add("deliver-tampered-c".into(), 2, &flip(10));
        add("deliver-tampered-t".into(), 2, &flip(9));
        add("deliver-inner-only".into(), 2, &message.inner);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        reason = "test helpers fail loudly"
    )]

    use super::*;

    fn seeds() -> Vec<(String, Vec<u8>)> {
        franking_corpus().expect("seeds")
    }

    fn seed(name: &str) -> Vec<u8> {
        seeds()
            .into_iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no seed {name}"))
            .1
    }

    #[test]
    fn every_seed_passes() {
        let seeds = seeds();
        assert!(seeds.len() >= 30, "{} seeds", seeds.len());
        for (name, bytes) in &seeds {
            assert!(bytes.len() <= 8192, "{name}");
            if let Err(f) = franking(bytes) {
                panic!("{name}: {f}");
            }
        }
    }

    /// The seeds reach what they are there for.
    #[test]
    fn seeds_reach_their_paths() {
        let world = world().unwrap();
        for inbox in [&world.to_bob, &world.to_alice] {
            assert!(!inbox.messages.is_empty());
            for message in &inbox.messages {
                // Every genuine report is accepted, as its recipient, on both sides.
                assert_eq!(
                    verify_both(world, inbox.recipient, &message.report, verify_impl),
                    Ok(Some(Judged::of(message)))
                );
                // By no one else.
                for other in [WORLD_ALICE, WORLD_BOB, WORLD_CAROL] {
                    if other != inbox.recipient {
                        assert_eq!(
                            verify_both(world, other, &message.report, verify_impl),
                            Ok(None)
                        );
                    }
                }
                // Every genuine delivery decrypts from the state before it.
                let mut session = Session::from_bytes(&inbox.before).unwrap();
                let ctx = context(inbox.sender, inbox.recipient).unwrap();
                let (m, _) = session
                    .decrypt_franked_with(&ctx, &message.delivery, &franking_r(0))
                    .unwrap();
                assert_eq!(m, message.m);
            }
        }
        // The tampered reports are refused for the reason they were made for.
        let platform = &world.platform;
        let bob = PartyId::new(WORLD_BOB).unwrap();
        for (name, error) in [
            ("report-tampered-m", lockstep::Error::CommitmentMismatch),
            ("report-tampered-fk", lockstep::Error::CommitmentMismatch),
            (
                "report-tampered-longer",
                lockstep::Error::CommitmentMismatch,
            ),
            ("report-tampered-t", lockstep::Error::InvalidStamp),
            ("report-tampered-tag", lockstep::Error::InvalidStamp),
        ] {
            let bytes = seed(&format!("seed-{name}"));
            assert_eq!(
                platform.verify_report(&bob, &bytes[1..]).err(),
                Some(error),
                "{name}"
            );
        }
        // A delivery with another commitment is refused; one with another time is
        // accepted (the recipient cannot check the stamp).
        let bob_session = || Session::from_bytes(&world.to_bob.before).unwrap();
        let ctx = context(WORLD_ALICE, WORLD_BOB).unwrap();
        let c = seed("seed-deliver-tampered-c");
        assert_eq!(
            bob_session()
                .decrypt_franked_with(&ctx, &c[1..], &franking_r(0))
                .err(),
            Some(lockstep::Error::CommitmentMismatch)
        );
        let t = seed("seed-deliver-tampered-t");
        assert!(
            bob_session()
                .decrypt_franked_with(&ctx, &t[1..], &franking_r(0))
                .is_ok()
        );
    }

    #[test]
    fn handcrafted_inputs_pass() {
        let world = world().unwrap();
        let genuine = &world.to_bob.messages[0];
        let mut inputs: Vec<Vec<u8>> = vec![
            vec![],
            vec![0],
            vec![1],
            vec![2],
            vec![3, 0x01, 0x13],
            vec![0, 0x01, 0x11],
            vec![0, 0x02, 0x12, 0, 0],
            vec![1, 0x01, 0x13, 0, 0],
            vec![1, 0x01, 0x13, 65],
            vec![2, 0x01, 0x12],
            vec![5, 0x01, 0x01],
        ];
        // A report naming carol as the recipient, judged as carol: a stamp the
        // platform never made.
        let mut carol = vec![4, 0x01, 0x13, 5];
        carol.extend_from_slice(WORLD_ALICE);
        carol.push(5);
        carol.extend_from_slice(WORLD_CAROL);
        carol.extend_from_slice(&genuine.report[2 + 6 + 4..]);
        inputs.push(carol);
        // Alice's delivery given to Alice; Bob's given to Bob.
        let mut to_alice = vec![5];
        to_alice.extend_from_slice(&genuine.delivery);
        inputs.push(to_alice);
        let mut to_bob = vec![2];
        to_bob.extend_from_slice(&world.to_alice.messages[0].delivery);
        inputs.push(to_bob);
        // A genuine delivery, truncated by one byte.
        let mut truncated = vec![2];
        truncated.extend_from_slice(&genuine.delivery[..genuine.delivery.len() - 1]);
        inputs.push(truncated);
        for input in inputs {
            if let Err(f) = franking(&input) {
                panic!("{}: {f}", hex(&input));
            }
        }
    }

    /// A verifier that skips the commitment comparison.
    fn skips_commitment(
        platform: &PlatformKey,
        reporter: &PartyId,
        report: &[u8],
    ) -> Result<fr::VerifiedReport, lockstep::Error> {
        let r = fr::decode_report(report)?;
        if r.context.recipient != *reporter {
            return Err(lockstep::Error::NotRecipient);
        }
        if fr::stamp_tag(platform, &r.c, &r.context, r.t) != r.tag {
            return Err(lockstep::Error::InvalidStamp);
        }
        Ok(fr::VerifiedReport {
            context: r.context,
            t: r.t,
            message: r.message,
        })
    }

    /// A verifier that skips the recipient check.
    fn skips_recipient(
        platform: &PlatformKey,
        _reporter: &PartyId,
        report: &[u8],
    ) -> Result<fr::VerifiedReport, lockstep::Error> {
        let r = fr::decode_report(report)?;
        let reporter = r.context.recipient.clone();
        platform.verify_report(&reporter, report)
    }

    #[test]
    fn a_verifier_that_skips_the_commitment_is_caught() {
        let bytes = seed("seed-report-tampered-m");
        assert_eq!(franking(&bytes), Ok(()));
        let f = check_report_with(bytes[0], &bytes[1..], skips_commitment).unwrap_err();
        assert_eq!(f.property, "a report of a message no one sent was accepted");
        assert!(f.detail.starts_with("impl accepted, from bob"), "{f}");
        // The genuine reports pass it: only a tampered one shows the break.
        let genuine = seed("seed-report-to-bob-2");
        assert_eq!(
            check_report_with(genuine[0], &genuine[1..], skips_commitment),
            Ok(())
        );
    }

    #[test]
    fn a_verifier_that_skips_the_recipient_is_caught() {
        // Bob's genuine report, judged as carol's.
        let bytes = seed("seed-report-to-bob-0-carol");
        assert_eq!(franking(&bytes), Ok(()));
        let f = check_report_with(bytes[0], &bytes[1..], skips_recipient).unwrap_err();
        assert_eq!(f.property, "a report of a message no one sent was accepted");
        assert!(f.detail.starts_with("impl accepted, from carol"), "{f}");
    }

    /// A recipient that moves its ratchet on before the commitment is checked.
    struct CommitsEarly(Session);

    impl FrankedRecipient for CommitsEarly {
        fn decrypt_franked(
            &mut self,
            ctx: &FrankingContext,
            delivered: &[u8],
            r: &[u8; 32],
        ) -> Result<(Vec<u8>, Receipt), lockstep::Error> {
            let result = self.0.decrypt_franked_with(ctx, delivered, r);
            if result.is_err()
                && let Ok(delivery) = fr::decode_delivery(delivered)
            {
                let _ = self.0.decrypt_with(delivery.inner, r);
            }
            result
        }

        fn encoding(&self) -> Vec<u8> {
            self.0.to_bytes().to_vec()
        }
    }

    #[test]
    fn a_recipient_that_commits_before_opening_is_caught() {
        let open = |bytes: &[u8]| Session::from_bytes(bytes).map(CommitsEarly);
        // Genuine deliveries pass it.
        let genuine = seed("seed-deliver-to-bob-1");
        assert_eq!(check_delivery_with(genuine[0], &genuine[1..], open), Ok(()));
        // One with another commitment shows it.
        let bytes = seed("seed-deliver-tampered-c");
        assert_eq!(franking(&bytes), Ok(()));
        let f = check_delivery_with(bytes[0], &bytes[1..], open).unwrap_err();
        assert_eq!(f.property, "a refused delivery changed the state");
    }

    /// The stamp differential of mode 0 on a genuine submission: the delivery the
    /// world's platform made.
    #[test]
    fn mode_0_stamps_a_genuine_submission_as_the_world_did() {
        let world = world().unwrap();
        let message = &world.to_bob.messages[0];
        let ctx = context(WORLD_ALICE, WORLD_BOB).unwrap();
        assert_eq!(message.t, WORLD_T0);
        assert_eq!(
            world
                .platform
                .stamp(&ctx, WORLD_T0, &message.submission)
                .unwrap(),
            message.delivery
        );
    }
}
