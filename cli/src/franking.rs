//! `lockstep franking`: message franking (SPEC §9) shown and checked.
//!
//! - `demo` plays a franked conversation through a platform, a report and its
//!   verification, on the implementation's application API, and prints what each
//!   party holds and sees; then the attacks: forged reports the platform refuses,
//!   and the naive scheme that relies on the AEAD alone, broken by one
//!   ChaCha20-Poly1305 ciphertext that opens under two keys.
//! - `check` runs the franking invariants (`lockstep_harness::franking::invariants`)
//!   on random conversations, on the implementation or on a broken variant.

use std::process::ExitCode;

use clap::Subcommand;
use lockstep::franking::{FrankingContext, PartyId, PlatformKey, Receipt};
use lockstep::{Error, Session};
use lockstep_harness::franking::invariants::{self, Invariant};
use lockstep_harness::franking::scheme::{Composed, Flaw, Real, Scheme};
use lockstep_harness::franking::{collision, wire};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

/// The subcommands of `lockstep franking`.
#[derive(Debug, Subcommand)]
pub(crate) enum FrankingCommand {
    /// Play a franked conversation, a report and its verification, and print each
    /// party's view; then forged reports, and the naive AEAD-only scheme broken by
    /// a two-key ChaCha20-Poly1305 ciphertext. Exit 0 if everything happened as
    /// SPEC §9 says it must.
    Demo {
        /// The seed of every key and random byte (the same seed prints the same
        /// bytes).
        #[arg(long, default_value_t = 9)]
        seed: u64,
    },
    /// Check the franking invariants (receiver binding, sender binding, report
    /// soundness, confidentiality against the platform) on random conversations.
    /// Exit 0 if all hold, 1 if one is broken.
    Check {
        /// Conversations per invariant.
        #[arg(long, default_value_t = 16)]
        cases: u64,
        /// The first conversation's seed.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Check a broken variant instead of the implementation (to see the
        /// invariants catch it): its name, or `all` for every one.
        #[arg(long)]
        broken: Option<String>,
    },
}

/// Runs `lockstep franking`.
pub(crate) fn main(command: FrankingCommand) -> ExitCode {
    match command {
        FrankingCommand::Demo { seed } => match demo(seed) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("lockstep franking demo: {e}");
                ExitCode::FAILURE
            }
        },
        FrankingCommand::Check {
            cases,
            seed,
            broken,
        } => check(seed..seed.saturating_add(cases), broken.as_deref()),
    }
}

/// Hex of the first `n` bytes, then "…".
fn short(bytes: &[u8], n: usize) -> String {
    let hex: String = bytes.iter().take(n).map(|b| format!("{b:02x}")).collect();
    if bytes.len() > n {
        format!("{hex}…")
    } else {
        hex
    }
}

/// A party's line: its name in a column, then what it does.
fn say(who: &str, what: impl AsRef<str>) {
    println!("  {who:<9} {}", what.as_ref());
}

/// A refusal the demo expects; anything else ends it.
fn expect_refused(
    what: &str,
    result: Result<impl std::fmt::Debug, Error>,
    want: Error,
) -> Result<(), String> {
    match result {
        Err(e) if e == want => {
            say("platform", format!("{what}: refused ({})", e.name()));
            Ok(())
        }
        other => Err(format!("{what}: expected {}, got {other:?}", want.name())),
    }
}

/// Bob's keys and store, and Alice's session started from his published bundle
/// (her first message not yet sent).
fn sessions(
    rng: &mut ChaCha20Rng,
) -> Result<
    (
        Session,
        lockstep::IdentityKeyPair,
        lockstep::session::InMemoryPreKeyStore,
    ),
    Error,
> {
    use lockstep::bundle::{OneTimePreKeyId, PqPreKeyId, PqPreKeyKind, SignedPreKeyId};
    use lockstep::keys::{DecapsulationKey, PrivateKey};
    use lockstep::session::InMemoryPreKeyStore;
    use lockstep::{IdentityKeyPair, PreKeyBundle};
    let bob_identity = IdentityKeyPair::generate(rng);
    let spk = PrivateKey::generate(rng);
    let pqpk = DecapsulationKey::generate(rng);
    let opk = PrivateKey::generate(rng);
    let mut store = InMemoryPreKeyStore::new();
    store.add_signed_prekey(SignedPreKeyId(1), &spk);
    store.add_pq_prekey(PqPreKeyId(2), &pqpk, PqPreKeyKind::LastResort);
    store.add_one_time_prekey(OneTimePreKeyId(3), &opk);
    let published = PreKeyBundle::builder(&bob_identity)
        .signed_prekey(SignedPreKeyId(1), &spk.public_key())
        .pq_prekey(
            PqPreKeyId(2),
            pqpk.encapsulation_key(),
            PqPreKeyKind::LastResort,
        )
        .one_time_prekey(OneTimePreKeyId(3), &opk.public_key())
        .sign(rng)
        .to_bytes();
    let alice_identity = IdentityKeyPair::generate(rng);
    let verified = PreKeyBundle::from_bytes(&published)?.verify()?;
    let alice = Session::initiate(rng, &alice_identity, &verified)?;
    Ok((alice, bob_identity, store))
}

/// Bytes as text, with anything but printable ASCII shown as `·`.
fn printable(bytes: &[u8]) -> String {
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

/// `lockstep franking demo`.
fn demo(seed: u64) -> Result<(), String> {
    let e = |e: Error| e.to_string();
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let (mut alice, bob_identity, mut store) = sessions(&mut rng).map_err(e)?;
    let platform = PlatformKey::generate(&mut rng);
    let id = |name: &str| PartyId::new(name.as_bytes()).map_err(e);
    let to_bob = FrankingContext::new(id("alice")?, id("bob")?);
    let to_alice = FrankingContext::new(id("bob")?, id("alice")?);
    let carol = id("carol")?;

    println!("== set-up");
    say(
        "bob",
        "publishes a signed prekey bundle; keeps his identity key and prekeys",
    );
    say(
        "alice",
        "verifies it and starts a session (PQXDH); her first message will carry the PreKey header",
    );
    say(
        "platform",
        "its stamping key K_P (32 random bytes, never shared); relays every message",
    );

    println!(
        "\n== a franked conversation (SPEC §9.2 FrankEncrypt, Stamp, FrankAccept, FrankDecrypt)"
    );
    // (sender, message): alice's first message makes bob's session (FrankAccept).
    let script: [(&str, &[u8]); 4] = [
        ("alice", b"hi Bob, it's Alice from the climbing club"),
        ("bob", b"oh hi, what's up?"),
        ("alice", b"answer me or I will post your photos everywhere"),
        ("alice", b"ok, see you at nine"),
    ];
    let mut bob: Option<Session> = None;
    let mut receipts: Vec<(Vec<u8>, Receipt)> = Vec::new();
    let mut t = 1_764_892_800;
    for (i, (from, m)) in script.iter().enumerate() {
        let (ctx, to) = if *from == "alice" {
            (&to_bob, "bob")
        } else {
            (&to_alice, "alice")
        };
        let submission = match (*from, bob.as_mut()) {
            ("alice", _) => alice.encrypt_franked(&mut rng, ctx, m),
            (_, Some(bob)) => bob.encrypt_franked(&mut rng, ctx, m),
            (_, None) => return Err("bob has no session yet".to_owned()),
        }
        .map_err(e)?;
        let sub = wire::decode_submission(&submission).map_err(|r| r.0)?;
        say(
            from,
            format!(
                "message {}: {:?}; fresh fk, c = {}; submits {} bytes",
                i + 1,
                printable(m),
                short(&sub.c, 8),
                submission.len()
            ),
        );
        t += 47;
        let delivery = platform.stamp(ctx, t, &submission).map_err(e)?;
        let d = wire::decode_delivery(&delivery).map_err(|r| r.0)?;
        say(
            "platform",
            format!(
                "{from} -> {to} at t = {t}: sees c and a ratchet message of {} bytes it cannot read; stamp {}",
                d.inner.len(),
                short(&d.tag, 8)
            ),
        );
        let (read, receipt) = match (to, bob.as_mut()) {
            ("alice", _) => alice.decrypt_franked(&mut rng, ctx, &delivery).map_err(e)?,
            (_, Some(bob)) => bob.decrypt_franked(&mut rng, ctx, &delivery).map_err(e)?,
            (_, None) => {
                let (session, read, receipt) = Session::accept_franked(
                    &mut rng,
                    &bob_identity,
                    &mut store,
                    ctx,
                    &delivery,
                    |_| true,
                )
                .map_err(e)?;
                bob = Some(session);
                say("bob", "accepts the PreKey message: his session starts here");
                (read, receipt)
            }
        };
        say(
            to,
            format!(
                "reads {:?}; fk and the message open the stamped c; keeps the receipt",
                printable(&read)
            ),
        );
        receipts.push((read, receipt));
    }
    let mut bob = bob.ok_or("bob has no session")?;

    println!("\n== bob reports message 3 (SPEC §9.2 Report, VerifyReport)");
    let (abusive, receipt) = receipts.get(2).ok_or("no third message")?;
    let report = receipt.report(abusive).map_err(e)?;
    let bob_id = id("bob")?;
    say(
        "bob",
        format!(
            "sends a report of {} bytes: sender, recipient, t, c, stamp, fk and the message",
            report.len()
        ),
    );
    let verdict = platform.verify_report(&bob_id, &report).map_err(e)?;
    say(
        "platform",
        format!(
            "stamp valid, commitment opens: {} sent {} {:?} at t = {}",
            String::from_utf8_lossy(verdict.context.sender.as_bytes()),
            String::from_utf8_lossy(verdict.context.recipient.as_bytes()),
            String::from_utf8_lossy(&verdict.message),
            verdict.t
        ),
    );
    say(
        "platform",
        "of the other messages it holds only commitments and ratchet ciphertexts: each fk is fresh and stayed inside the ratchet",
    );

    println!("\n== forged reports (every one must be refused)");
    let forged = wire::decode_report(&report).map_err(|r| r.0)?;
    let mut other_message = forged.clone();
    other_message.m = b"ok, see you at nine... NOT".to_vec();
    expect_refused(
        "bob reports another message under the stamp",
        platform.verify_report(
            &bob_id,
            &wire::encode_report(&other_message).map_err(|r| r.0)?,
        ),
        Error::CommitmentMismatch,
    )?;
    let mut later = forged.clone();
    later.t += 86_400;
    expect_refused(
        "bob moves the message a day later",
        platform.verify_report(&bob_id, &wire::encode_report(&later).map_err(|r| r.0)?),
        Error::InvalidStamp,
    )?;
    let mut other_sender = forged.clone();
    other_sender.ctx.sender = b"carol".to_vec();
    expect_refused(
        "bob says carol sent it",
        platform.verify_report(
            &bob_id,
            &wire::encode_report(&other_sender).map_err(|r| r.0)?,
        ),
        Error::InvalidStamp,
    )?;
    expect_refused(
        "carol sends bob's report as her own",
        platform.verify_report(&carol, &report),
        Error::NotRecipient,
    )?;

    println!("\n== a sender who lies about its commitment (sender binding)");
    let before = bob.to_bytes().to_vec();
    let honest = alice
        .encrypt_franked(&mut rng, &to_bob, b"you'll never prove I said this")
        .map_err(e)?;
    let mut lying = wire::decode_submission(&honest).map_err(|r| r.0)?;
    lying.c = sub_commitment_of(&mut rng, &to_bob, b"have a nice day")?;
    t += 47;
    let delivery = platform
        .stamp(&to_bob, t, &wire::encode_submission(&lying))
        .map_err(e)?;
    match bob.decrypt_franked(&mut rng, &to_bob, &delivery) {
        Err(Error::CommitmentMismatch) if bob.to_bytes().to_vec() == before => say(
            "bob",
            "the payload does not open the stamped commitment: dropped (CommitmentMismatch), session unchanged",
        ),
        other => {
            return Err(format!(
                "a lying sender's message was not dropped cleanly: {other:?}"
            ));
        }
    }

    println!("\n== why a commitment: the naive scheme that relies on the AEAD alone");
    naive()?;
    println!("\nfranking demo: every step as SPEC §9 says");
    Ok(())
}

/// The commitment to `m` under a fresh key (what a lying sender puts beside its
/// ciphertext).
fn sub_commitment_of(
    rng: &mut ChaCha20Rng,
    ctx: &FrankingContext,
    m: &[u8],
) -> Result<Vec<u8>, String> {
    let fk = lockstep::franking::FrankingKey::generate(rng);
    Ok(lockstep::franking::commit(&fk, ctx, m).0.to_vec())
}

/// The naive scheme against the two-key ciphertext, and the real scheme's answer.
fn naive() -> Result<(), String> {
    let (k1, k2) = ([0x11; 32], [0x22; 32]);
    let both = collision::two_key_ciphertext(
        &k1,
        &k2,
        &[0; 12],
        b"\x05alice\x03bob",
        b"You will regret this. I know where you live.",
        b"Happy birthday! See you at the party.",
    )
    .map_err(|e| format!("{e:?}"))?;
    say(
        "alice",
        format!(
            "builds one ChaCha20-Poly1305 ciphertext ‖ tag of {} bytes that opens under k1 and under k2",
            both.sealed.len()
        ),
    );
    say("", format!("under k1: {:?}", printable(&both.plaintext1)));
    say("", format!("under k2: {:?}", printable(&both.plaintext2)));
    for (scheme, name) in [
        (
            &Composed::new(Some(Flaw::AeadCommitment)) as &dyn Scheme,
            "naive",
        ),
        (&Real as &dyn Scheme, "real"),
    ] {
        match invariants::check(scheme, Invariant::ReceiverBinding, 0) {
            Err(v) => say(name, format!("receiver binding BROKEN: {}", v.detail)),
            Ok(o) => say(
                name,
                format!(
                    "receiver binding holds: {} forged reports refused (an HMAC commitment has no second opening short of a SHA-256 collision)",
                    o.attempts
                ),
            ),
        }
    }
    Ok(())
}

/// `lockstep franking check`.
fn check(seeds: std::ops::Range<u64>, broken: Option<&str>) -> ExitCode {
    let flaws: Vec<Flaw> = match broken {
        None => Vec::new(),
        Some("all") => Flaw::ALL.to_vec(),
        Some(name) => match Flaw::named(name) {
            Some(flaw) => vec![flaw],
            None => {
                let names: Vec<&str> = Flaw::ALL.iter().map(|f| f.name()).collect();
                eprintln!(
                    "lockstep franking check: no variant {name:?}; the variants: {}",
                    names.join(", ")
                );
                return ExitCode::from(2);
            }
        },
    };
    if flaws.is_empty() {
        return match invariants::check_all(&Real, seeds.clone()) {
            Ok(o) => {
                println!(
                    "franking: every invariant holds on {} conversations ({} franked messages, {} reported; {} adversarial attempts refused)",
                    seeds.end - seeds.start,
                    o.messages,
                    o.reported,
                    o.attempts
                );
                ExitCode::SUCCESS
            }
            Err(v) => {
                println!("franking: {v}");
                ExitCode::FAILURE
            }
        };
    }
    let mut all_caught = true;
    for flaw in flaws {
        let invariant = Invariant::catching(flaw);
        let scheme = Composed::new(Some(flaw));
        let found = seeds
            .clone()
            .find_map(|seed| invariants::check(&scheme, invariant, seed).err());
        match found {
            Some(v) => println!("{:<28} caught: {v}", flaw.name()),
            None => {
                all_caught = false;
                println!("{:<28} NOT caught by {}", flaw.name(), invariant.name());
            }
        }
    }
    // As `lockstep check --broken`: a caught variant is a failed check, exit 1;
    // exit 0 if a variant went uncaught.
    if all_caught {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
