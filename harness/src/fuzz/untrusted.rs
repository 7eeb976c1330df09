//! The `decrypt_untrusted` target: established sessions of the implementation given anything.

use super::*;

pub(super) const UNTRUSTED: &str = "decrypt_untrusted";

/// How many established sessions `decrypt_untrusted` chooses from (the first input
/// byte, modulo this). Each is made once per process, by the implementation.
pub const FIXTURES: u8 = 8;

/// The most messages one `decrypt_untrusted` input delivers.
pub const MAX_UNTRUSTED_MESSAGES: usize = 16;

/// A message one party sent and the other has not received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// The addressee.
    pub to: Party,
    /// The wire bytes.
    pub bytes: Vec<u8>,
    /// The plaintext.
    pub plaintext: Vec<u8>,
}

/// An established conversation, made by the implementation from a fixed scenario
/// (see [`fixture_scenario`]), where both parties hold a session with skipped keys
/// and messages are still in flight.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// Which one (`0..FIXTURES`).
    pub index: u8,
    /// Alice's state encoding (SPEC §6).
    pub alice: Vec<u8>,
    /// Bob's.
    pub bob: Vec<u8>,
    /// The messages in flight: the only ones that may decrypt.
    pub pending: Vec<Pending>,
    /// The messages delivered already (each a replay if delivered again).
    pub delivered: Vec<Pending>,
}

impl Fixture {
    /// `party`'s state encoding.
    #[must_use]
    pub fn state(&self, party: Party) -> &[u8] {
        match party {
            Party::Alice => &self.alice,
            Party::Bob => &self.bob,
        }
    }
}

/// The scenario behind fixture `index`: Alice sends three PreKey messages, Bob
/// receives the first and third (storing a skipped key), sends two, Alice receives
/// his second (a DH ratchet step, storing a skipped key), sends two on her new
/// chain, and Bob sends a third. In flight at the end: Alice's second message (to
/// a skipped key), her two new ones (a DH ratchet step for Bob), Bob's first (to a
/// skipped key) and his third (Alice's current receiving chain).
#[must_use]
pub fn fixture_scenario(index: u8) -> Scenario {
    let mut seed = [0u8; 32];
    seed[..21].copy_from_slice(b"lockstep fuzz fixture");
    seed[31] = index;
    let send = |from: Party, len: u16| Event::Send { from, len };
    Scenario {
        seed,
        set_up: SetUp {
            opk: index & 1 == 0,
            pq_last_resort: index & 2 != 0,
        },
        events: vec![
            send(Party::Alice, 13),
            send(Party::Alice, 0),
            send(Party::Alice, 100),
            Event::Deliver { pick: 0 },
            Event::Deliver { pick: 1 },
            send(Party::Bob, 7),
            send(Party::Bob, 64),
            Event::Deliver { pick: 2 },
            send(Party::Alice, 1),
            send(Party::Alice, 300),
            send(Party::Bob, 2),
        ],
    }
}

/// Makes fixture `index` with the implementation.
///
/// # Errors
/// A [`Finding`] if any step of its scenario failed.
pub fn make_fixture(index: u8) -> Result<Fixture, Finding> {
    let scenario = fixture_scenario(index);
    let mut driver = ImplDriver::new();
    let run = run(&mut driver, &scenario);
    let broken = |detail: String| finding(UNTRUSTED, "fixture", detail);
    if let Some(failed) = run.deliveries.iter().find(|d| d.result.is_err()) {
        return Err(broken(format!(
            "fixture {index}: delivery failed: {failed:?}"
        )));
    }
    let (Some(alice), Some(bob)) = (driver.state(Party::Alice), driver.state(Party::Bob)) else {
        return Err(broken(format!("fixture {index}: a party has no session")));
    };
    let mut pending = Vec::new();
    let mut delivered = Vec::new();
    for message in &run.sent {
        let entry = Pending {
            to: message.from.peer(),
            bytes: message.bytes.clone(),
            plaintext: message.plaintext.clone(),
        };
        if run.deliveries.iter().any(|d| d.message == Some(message.id)) {
            delivered.push(entry);
        } else {
            pending.push(entry);
        }
    }
    Ok(Fixture {
        index,
        alice,
        bob,
        pending,
        delivered,
    })
}

/// The fixtures, made once per process.
///
/// # Errors
/// A [`Finding`] if one could not be made.
pub fn fixtures() -> Result<&'static [Fixture], Finding> {
    static FIXTURES_MADE: OnceLock<Result<Vec<Fixture>, Finding>> = OnceLock::new();
    FIXTURES_MADE
        .get_or_init(|| (0..FIXTURES).map(make_fixture).collect())
        .as_ref()
        .map(Vec::as_slice)
        .map_err(Clone::clone)
}

/// The ratchet private key a `decrypt_untrusted` recipient is given for its
/// `i`-th delivery (fixed, so a crash replays).
pub(super) fn untrusted_r(fixture: u8, i: usize) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"lockstep fuzz decrypt_untrusted r\0");
    hash.update([fixture]);
    hash.update((i as u64).to_be_bytes());
    hash.finalize().into()
}

/// Splits the rest of a `decrypt_untrusted` input into messages: each is a 2-byte
/// little-endian length, then that many bytes (fewer if the input ends first).
#[must_use]
pub fn frames(mut rest: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while out.len() < MAX_UNTRUSTED_MESSAGES && rest.len() >= 2 {
        let len = usize::from(u16::from_le_bytes([rest[0], rest[1]]));
        let body = &rest[2..];
        let (message, tail) = body.split_at(len.min(body.len()));
        out.push(message);
        rest = tail;
    }
    out
}

/// The inverse of [`frames`] (for the seed corpus).
#[must_use]
pub fn frame(messages: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for message in messages {
        let len = u16::try_from(message.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&message[..usize::from(len)]);
    }
    out
}

/// The ratchet message a PreKey message carries (bytes 1647.., SPEC §5.2).
pub(super) fn carried(message: &[u8]) -> Option<&[u8]> {
    match message {
        [_, lockstep::consts::MSG_PREKEY, ..] => message.get(lockstep::consts::PREKEY_HEADER_LEN..),
        _ => None,
    }
}

/// What [`decrypt_untrusted`] delivers to: the implementation's [`Session`], or, in
/// the tests that show the target catching bugs, a deliberately broken one.
pub trait Recipient {
    /// SPEC §4.6, §5.2: decrypt `message` with `r` as the next ratchet private key.
    ///
    /// # Errors
    /// The session's refusal.
    fn decrypt(&mut self, message: &[u8], r: &[u8; 32]) -> Result<Vec<u8>, Failure>;

    /// SPEC §6: the state encoding.
    fn encoding(&self) -> Vec<u8>;
}

impl Recipient for Session {
    fn decrypt(&mut self, message: &[u8], r: &[u8; 32]) -> Result<Vec<u8>, Failure> {
        self.decrypt_with(message, r).map_err(Failure::from)
    }

    fn encoding(&self) -> Vec<u8> {
        self.to_bytes().to_vec()
    }
}

/// An established session (fixture `data[0] % FIXTURES`, Alice's or Bob's by the
/// low bit of `data[1]`) is given the messages framed in the rest of the input, in
/// order, each with a fresh ratchet key. For every message: decryption never
/// panics; a refusal leaves the state encoding byte for byte as it was (SPEC §4.6:
/// decryption is transactional); a success is one of the messages its peer sent and
/// has not delivered (or the ratchet message such a PreKey message carries: SPEC
/// §5.2), gives that message's plaintext, is not a message accepted before in either
/// form, and the same bytes delivered again are refused, again without a change of
/// state.
///
/// # Errors
/// A [`Finding`] naming the property that failed.
pub fn decrypt_untrusted(data: &[u8]) -> Result<(), Finding> {
    deliver_untrusted(data, |state| {
        Session::from_bytes(state).map_err(Failure::from)
    })
}

/// [`decrypt_untrusted`] on the recipient `open` makes from a fixture's state
/// encoding.
///
/// # Errors
/// A [`Finding`] naming the property that failed.
pub fn deliver_untrusted<R: Recipient>(
    data: &[u8],
    open: impl Fn(&[u8]) -> Result<R, Failure>,
) -> Result<(), Finding> {
    let [which, whom, rest @ ..] = data else {
        return Ok(());
    };
    let fixtures = fixtures()?;
    let Some(fixture) = fixtures.get(usize::from(which % FIXTURES)) else {
        return Ok(());
    };
    let to = if whom & 1 == 0 {
        Party::Alice
    } else {
        Party::Bob
    };
    let mut session = open(fixture.state(to)).map_err(|e| {
        finding(
            UNTRUSTED,
            "fixture",
            format!("state does not decode: {e:?}"),
        )
    })?;
    let mut accepted: Vec<usize> = Vec::new();
    for (i, message) in frames(rest).into_iter().enumerate() {
        let before = session.encoding();
        let r = untrusted_r(fixture.index, i);
        match session.decrypt(message, &r) {
            Err(error) => {
                if session.encoding() != before {
                    return Err(finding(
                        UNTRUSTED,
                        "a refused message changed the state",
                        format!(
                            "{} refused message {i} ({error:?}) and its state changed",
                            to.name()
                        ),
                    ));
                }
            }
            Ok(plaintext) => {
                // The message, or the ratchet message a PreKey message carries (SPEC
                // §5.2: the same message, which Bob's session decrypts either way).
                let genuine = fixture.pending.iter().enumerate().find(|(_, p)| {
                    p.to == to && (p.bytes == message || carried(&p.bytes) == Some(message))
                });
                let Some((index, genuine)) = genuine else {
                    return Err(finding(
                        UNTRUSTED,
                        "a message no one sent was accepted",
                        format!("{} accepted message {i}: {}", to.name(), hex(message)),
                    ));
                };
                if accepted.contains(&index) {
                    return Err(finding(
                        UNTRUSTED,
                        "a message was accepted twice",
                        format!("{} accepted message {i} again", to.name()),
                    ));
                }
                if plaintext != genuine.plaintext {
                    return Err(finding(
                        UNTRUSTED,
                        "wrong plaintext",
                        format!("{} decrypted message {i} to another plaintext", to.name()),
                    ));
                }
                accepted.push(index);
                let after = session.encoding();
                let again = session.decrypt(message, &untrusted_r(fixture.index, i + 1000));
                if again.is_ok() || session.encoding() != after {
                    return Err(finding(
                        UNTRUSTED,
                        "a replay was accepted or changed the state",
                        format!(
                            "{} given message {i} twice: {:?}",
                            to.name(),
                            again.map(|_| ())
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}
