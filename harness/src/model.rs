//! The conversation model: two parties, a network the adversary controls, and the
//! events that happen to them.
//!
//! A [`Scenario`] is a seed, a session set-up and a list of [`Event`]s. Everything
//! random (every key, every plaintext, every ratchet key a decryption draws) is
//! derived from the seed by the runner ([`crate::run`]), each value from the party
//! and the count it belongs to (Alice's third plaintext, Bob's fifth delivery), so a
//! scenario is a complete, replayable description of a conversation: the spec
//! driver and the impl driver are given the same bytes, and a failing scenario,
//! written to a file, fails again when read back.
//!
//! Events name messages by position (`pick`), taken modulo the number of messages
//! that can be picked at that moment, so every event list is meaningful: the
//! property tests and the fuzzer can generate and shrink them freely. An event with
//! nothing to act on (a delivery when nothing is in flight) is recorded as skipped.

use serde::{Deserialize, Serialize};

/// One of the two parties. Alice initiates; Bob publishes the bundle and accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Party {
    /// The initiator.
    Alice,
    /// The responder.
    Bob,
}

impl Party {
    /// The other party.
    #[must_use]
    pub fn peer(self) -> Party {
        match self {
            Party::Alice => Party::Bob,
            Party::Bob => Party::Alice,
        }
    }

    /// `"alice"` or `"bob"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Party::Alice => "alice",
            Party::Bob => "bob",
        }
    }
}

/// How the session is set up (SPEC §3): Bob's bundle, with or without a one-time
/// prekey, and with a one-time or a last-resort post-quantum prekey.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct SetUp {
    /// Whether the bundle carries a one-time prekey (`OPK_B`, DH4).
    pub opk: bool,
    /// Whether the post-quantum prekey is last-resort (kept after use) rather than
    /// one-time.
    pub pq_last_resort: bool,
}

/// A message field, for [`Tamper::Field`] (SPEC §5.1, §5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Field {
    /// The version byte of the (ratchet) message.
    Version,
    /// The type byte.
    Type,
    /// The ratchet public key `dh` of the header.
    RatchetKey,
    /// `pn`.
    PreviousCount,
    /// `n`.
    Number,
    /// The first byte of the ciphertext.
    Ciphertext,
    /// The last byte of the tag.
    Tag,
    /// Of a PreKey message: a byte of the PreKey header (Alice's identity key).
    PreKeyIdentity,
    /// Of a PreKey message: the ML-KEM ciphertext.
    PreKeyKemCiphertext,
    /// Of a PreKey message: the one-time prekey flag.
    PreKeyOpkFlag,
}

/// An X25519 public key a message carries, for [`Tamper::SmallOrder`] (SPEC §5.1,
/// §5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum WireKey {
    /// `IK_A` of a PreKey header.
    PreKeyIdentity,
    /// `EK_A` of a PreKey header.
    PreKeyEphemeral,
    /// `dh` of the ratchet header.
    RatchetKey,
}

/// Which ratchet header fields [`Tamper::SwapHeader`] takes from another message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum HeaderFields {
    /// `dh` only.
    RatchetKey,
    /// `pn` and `n`.
    Counters,
    /// `dh`, `pn` and `n`: the whole header after the version and type bytes.
    All,
}

/// A part of Bob's bundle (SPEC §3.2), for [`Tamper::Bundle`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum BundlePart {
    /// `IK_B`: replaced by another point of its small-order coset.
    IdentityKey,
    /// `SPK_B`: the same.
    SignedPreKey,
    /// `OPK_B`: the same (the one-time prekey is not signed, PQXDH §3.2: Alice's
    /// verification cannot refuse it, and its DH results do not change).
    OneTimePreKey,
    /// `SPK_sig`: `s + q`, or `R` plus a small-order point.
    SignedPreKeySignature,
    /// `PQPK_sig`: the same.
    PqPreKeySignature,
    /// `PQPK_B`: one coefficient `c < 2^12 - q` written as `c + q` (ML-KEM's
    /// ByteDecode reduces it to the same key; FIPS 203 §7.2 refuses it).
    PqPreKey,
}

/// How a message is changed by [`Event::Tamper`]. Every way changes at least one
/// byte: a change that would leave the bytes equal flips the lowest bit instead.
///
/// The first four are blind (bits, bytes, fields); the last three are an algebraic
/// adversary's equivalent encodings: values that differ as bytes but that a careless
/// implementation would treat as the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Tamper {
    /// XOR `mask` (zero is taken as 1) into the byte at `offset` (modulo the length).
    Flip {
        /// Which byte, modulo the message length.
        offset: u16,
        /// What to XOR in.
        mask: u8,
    },
    /// Set a field to `value` (its low bytes, for a 1-byte field); a field the
    /// message does not have becomes a flip of byte 0.
    Field {
        /// The field.
        field: Field,
        /// The new value.
        value: u32,
    },
    /// Keep only the first `len` bytes (modulo the length: always shorter).
    Truncate {
        /// How many bytes to keep, modulo the message length.
        len: u16,
    },
    /// Append `count + 1` bytes of `byte`.
    Extend {
        /// The byte appended.
        byte: u8,
        /// How many more than one.
        count: u8,
    },
    /// Replace an X25519 public key by another canonical point of its small-order
    /// coset: `u` becomes `u(P + T)` for `P` a point with u-coordinate `u` and `T` the
    /// torsion point `(torsion % 7 + 1) · T8` (`T8` of order 8): 4 gives the order-2
    /// point (`u' = 1/u`), 2 and 6 the order-4 ones, the odd ones order 8. For every
    /// clamped scalar `k` (a multiple of 8), `X25519(k, u') = X25519(k, u)`. A key with
    /// no such other point (not on the curve, or of small order) has a bit flipped.
    SmallOrder {
        /// Which key.
        key: WireKey,
        /// Which torsion point, modulo 7, plus one.
        torsion: u8,
    },
    /// Copy ratchet header fields from another sent message (`donor`, modulo the
    /// number sent, in order of sending) over this one's, keeping this one's body.
    SwapHeader {
        /// The sent message whose fields are taken.
        donor: u16,
        /// Which fields.
        fields: HeaderFields,
    },
    /// Not a message: Bob's bundle, with `part` re-encoded (`variant` picks among the
    /// encodings), is given to Alice to decode and verify (SPEC §3.2, §3.3); the
    /// event's `pick` is ignored.
    Bundle {
        /// What is changed.
        part: BundlePart,
        /// Which equivalent encoding.
        variant: u8,
    },
}

/// What happens next in a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Event {
    /// `from` encrypts a fresh plaintext of `len % (MAX_SEND_LEN + 1)` bytes and
    /// puts the message on the network (in flight, to the other party).
    Send {
        /// The sender.
        from: Party,
        /// The plaintext length, modulo `MAX_SEND_LEN + 1`.
        len: u16,
    },
    /// `from` sends `count % (MAX_BURST + 1) + 1` messages of 1 byte at once (to
    /// reach the skip bounds: SPEC §4.6's `MAX_SKIP` and `MAX_STORED_SKIPPED_KEYS`).
    Burst {
        /// The sender.
        from: Party,
        /// How many, modulo `MAX_BURST + 1`, plus one.
        count: u16,
    },
    /// The in-flight message at `pick` (modulo their number, oldest first) is
    /// delivered to its addressee and leaves the network.
    Deliver {
        /// Which in-flight message.
        pick: u16,
    },
    /// The in-flight message at `pick` is lost: it leaves the network undelivered.
    Drop {
        /// Which in-flight message.
        pick: u16,
    },
    /// Two in-flight messages change places.
    Reorder {
        /// One.
        a: u16,
        /// The other.
        b: u16,
    },
    /// A message already delivered is delivered again to its addressee (a replay).
    Duplicate {
        /// Which delivered message, in order of first delivery.
        pick: u16,
    },
    /// A sent message is delivered to its own sender.
    Reflect {
        /// Which sent message, in order of sending.
        pick: u16,
    },
    /// A changed copy of a sent message is delivered to its addressee (the original
    /// stays where it is).
    Tamper {
        /// Which sent message, in order of sending.
        pick: u16,
        /// How it is changed.
        how: Tamper,
    },
    /// A message of another session (Alice' to the same Bob; made on first use) is
    /// delivered to `to`.
    Inject {
        /// The recipient.
        to: Party,
        /// Which of the other session's messages: 0 its PreKey message, 1 the
        /// ratchet message it carries, 2 its next message.
        pick: u16,
    },
    /// The adversary copies `party`'s whole state (SPEC §6 encoding, and anything
    /// else the driver keeps).
    Compromise {
        /// Whose state.
        party: Party,
    },
}

/// The longest plaintext a [`Event::Send`] makes.
pub const MAX_SEND_LEN: u16 = 1024;

/// The most messages (less one) a [`Event::Burst`] sends.
pub const MAX_BURST: u16 = 2100;

/// A conversation: a seed for every random byte, a set-up, and events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Scenario {
    /// Every key, plaintext and ratchet key is derived from this.
    pub seed: [u8; 32],
    /// Bob's bundle.
    pub set_up: SetUp,
    /// What happens, in order.
    pub events: Vec<Event>,
}
