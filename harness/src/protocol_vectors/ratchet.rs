//! `ratchet.json`: the conversations, run on the checker's [`SpecSide`].

use super::*;

/// What a delivery must give.
pub(super) enum Expect {
    /// The plaintext that was sent.
    Ok,
    /// This error, and the receiver's state unchanged.
    Refused(spec::Error),
}

/// What is done to a message before it is delivered.
pub(super) enum Change {
    /// Nothing.
    None,
    /// One bit of the AEAD ciphertext flipped: `mask` xored into ciphertext byte
    /// `index` (counted from the start of `ct ‖ tag`).
    FlipCiphertextBit { index: usize, mask: u8 },
}

/// A conversation being generated on the checker's [`SpecSide`]: both parties and
/// Bob's store, and the steps so far. Every step is one `SpecSide` call (`start`,
/// `encrypt`, `deliver`, `state`), the calls the checker replays.
pub(super) struct Builder<'a> {
    pub(super) id: &'static str,
    pub(super) handshake: &'a PqxdhVector,
    pub(super) conversation: <SpecSide as VectorSide>::Conversation,
    pub(super) alice_r: [u8; 32],
    pub(super) alice_state: Vec<u8>,
    pub(super) steps: Vec<Step>,
    /// Per step: the plaintext and wire bytes it sent, for send steps.
    pub(super) sent: Vec<Option<(Vec<u8>, Vec<u8>)>>,
}

impl<'a> Builder<'a> {
    pub(super) fn new(id: &'static str, handshake: &'a PqxdhVector) -> Result<Self, GenerateError> {
        let alice_r = derive32(id, "alice_r");
        let (conversation, sk) = SpecSide
            .start(handshake, &alice_r)
            .map_err(refused(format!("{id}: session::initiate")))?;
        if sk != Some(handshake.sk) {
            return Err(unexpected(format!(
                "{id}: session::initiate's SK is not the handshake's"
            )));
        }
        let alice_state = SpecSide
            .state(&conversation, model::Party::Alice)
            .ok_or_else(|| unexpected(format!("{id}: Alice has no session")))?;
        Ok(Builder {
            id,
            handshake,
            conversation,
            alice_r,
            alice_state,
            steps: Vec::new(),
            sent: Vec::new(),
        })
    }

    pub(super) fn what(&self) -> String {
        format!("{} step {}", self.id, self.steps.len())
    }

    /// `party`'s state encoding.
    fn state(&self, party: Party) -> Result<Vec<u8>, GenerateError> {
        SpecSide
            .state(&self.conversation, model_party(party))
            .ok_or_else(|| unexpected(format!("{}: {party:?} has no session", self.what())))
    }

    /// One `session::encrypt`, with the key schedule the spec took recorded.
    pub(super) fn send(
        &mut self,
        sender: Party,
        plaintext: &str,
        note: &str,
    ) -> Result<usize, GenerateError> {
        let what = self.what();
        let pt = plaintext.as_bytes().to_vec();
        let sent = SpecSide
            .encrypt(&mut self.conversation, model_party(sender), &pt)
            .map_err(refused(what.clone()))?;
        let chain = sent
            .chain
            .ok_or_else(|| unexpected(format!("{what}: no sending chain")))?;
        let (aead_key, aead_nonce) = sent
            .aead
            .ok_or_else(|| unexpected(format!("{what}: no AEAD key")))?;
        // The key schedule is the document's: KDF_CK, then the message key material.
        if SpecSide.kdf_ck(&chain.ck_before) != (chain.ck_after, chain.mk) {
            return Err(unexpected(format!("{what}: CKs after is not KDF_CK(CKs)")));
        }
        if SpecSide.message_key_material(&chain.mk) != (aead_key, aead_nonce) {
            return Err(unexpected(format!(
                "{what}: the AEAD key and nonce are not those of mk"
            )));
        }
        let header = SpecSide
            .decode_message(&sent.wire)
            .map_err(refused(format!("{what}: decode")))?;
        self.steps.push(Step::Send(SendStep {
            note: note.to_owned(),
            sender,
            plaintext: pt.clone(),
            ck_before: chain.ck_before,
            ck_after: chain.ck_after,
            mk: chain.mk,
            aead_key,
            aead_nonce,
            dh: header.dh,
            pn: header.pn,
            n: header.n,
            wire: sent.wire.clone(),
            sender_state: self.state(sender)?,
        }));
        self.sent.push(Some((pt, sent.wire)));
        Ok(self.steps.len() - 1)
    }

    /// `count` calls of `session::encrypt` whose messages are lost.
    pub(super) fn send_lost(
        &mut self,
        sender: Party,
        plaintext: &str,
        count: u32,
        note: &str,
    ) -> Result<(), GenerateError> {
        let what = self.what();
        let pt = plaintext.as_bytes().to_vec();
        for _ in 0..count {
            SpecSide
                .encrypt(&mut self.conversation, model_party(sender), &pt)
                .map_err(refused(what.clone()))?;
        }
        self.steps.push(Step::SendLost(SendLostStep {
            note: note.to_owned(),
            sender,
            plaintext: pt,
            count,
            sender_state: self.state(sender)?,
        }));
        self.sent.push(None);
        Ok(())
    }

    /// Delivers the message of step `sent_at` to `receiver`, changed as `change`
    /// says, and checks that the outcome is `expect`: the plaintext sent, or the
    /// refusal with the receiver's state unchanged.
    pub(super) fn deliver(
        &mut self,
        receiver: Party,
        sent_at: usize,
        change: Change,
        expect: Expect,
        note: &str,
    ) -> Result<(), GenerateError> {
        let what = self.what();
        let (plaintext, mut wire) = self
            .sent
            .get(sent_at)
            .cloned()
            .flatten()
            .ok_or_else(|| unexpected(format!("{what}: step {sent_at} sent nothing")))?;
        if let Change::FlipCiphertextBit { index, mask } = change {
            let mut start = RATCHET_HEADER_LEN;
            if wire.get(1) == Some(&MSG_PREKEY) {
                start += PREKEY_HEADER_LEN;
            }
            let byte = wire
                .get_mut(start + index)
                .ok_or_else(|| unexpected(format!("{what}: no ciphertext byte {index}")))?;
            *byte ^= mask;
        }
        let r = derive32(self.id, &format!("step {} / r", self.steps.len()));
        let party = model_party(receiver);
        let before = SpecSide.state(&self.conversation, party);
        // Bob's first message is accepted (PQXDH, then the ratchet), later ones
        // decrypted.
        let result = SpecSide.deliver(&mut self.conversation, party, &wire, &r);
        let after = SpecSide.state(&self.conversation, party);
        let outcome = match (result, expect) {
            (Ok(pt), Expect::Ok) => {
                if pt != plaintext {
                    return Err(unexpected(format!("{what}: wrong plaintext")));
                }
                Outcome::Ok(pt)
            }
            (Err(error), Expect::Refused(expected)) if error == expected.name() => {
                // Refused: the receiver keeps the state it had.
                if before.is_none() || after != before {
                    return Err(unexpected(format!(
                        "{what}: refused, and the receiver's state is not the one it had"
                    )));
                }
                Outcome::Rejected(error.to_owned())
            }
            (Ok(_), Expect::Refused(expected)) => {
                return Err(unexpected(format!(
                    "{what}: decrypted, expected {expected:?}"
                )));
            }
            (Err(error), _) => return Err(refused(what)(error)),
        };
        self.steps.push(Step::Deliver(DeliverStep {
            note: note.to_owned(),
            receiver,
            sent_at,
            wire,
            r,
            outcome,
            receiver_state: after
                .ok_or_else(|| unexpected(format!("{what}: {receiver:?} has no session")))?,
        }));
        self.sent.push(None);
        Ok(())
    }

    pub(super) fn finish(self, source: &str, description: &str) -> Conversation {
        Conversation {
            id: self.id.to_owned(),
            source: source.to_owned(),
            description: description.to_owned(),
            handshake: self.handshake.id.clone(),
            alice_r: self.alice_r,
            alice_state: self.alice_state,
            steps: self.steps,
        }
    }
}

use Party::{Alice, Bob};

/// (a) In order, six turns, so six DH ratchet steps.
pub(super) fn in_order(h: &PqxdhVector) -> Result<Conversation, GenerateError> {
    let mut c = Builder::new("ratchet_in_order", h)?;
    let a0 = c.send(Alice, "a0: hello Bob", "Alice's first message: a PreKey message (her PreKey header, then a ratchet message with n = 0).")?;
    let a1 = c.send(Alice, "a1: are you there?", "Alice has not heard from Bob, so her second message is a PreKey message too, with the same PreKey header.")?;
    c.deliver(Bob, a0, Change::None, Expect::Ok, "Bob accepts the PreKey message: PQXDH, RatchetInitBob, then a DH ratchet step on Alice's ratchet key (DH ratchet step 1).")?;
    c.deliver(
        Bob,
        a1,
        Change::None,
        Expect::Ok,
        "A second PreKey message with the same PreKey header is decrypted in the session it made.",
    )?;
    let b0 = c.send(
        Bob,
        "b0: hi Alice",
        "Bob's first message, on the sending chain his DH ratchet step made.",
    )?;
    c.deliver(Alice, b0, Change::None, Expect::Ok, "Alice's first decryption: a DH ratchet step (2), and her pending PreKey header is cleared.")?;
    let a2 = c.send(
        Alice,
        "a2: got it",
        "Now a plain ratchet message: no PreKey header.",
    )?;
    c.deliver(Bob, a2, Change::None, Expect::Ok, "DH ratchet step 3.")?;
    let b1 = c.send(Bob, "b1: two", "Two messages on one chain.")?;
    let b2 = c.send(Bob, "b2: in a row", "n = 1 on the same chain.")?;
    c.deliver(Alice, b1, Change::None, Expect::Ok, "DH ratchet step 4.")?;
    c.deliver(
        Alice,
        b2,
        Change::None,
        Expect::Ok,
        "The next key of the same receiving chain.",
    )?;
    let a3 = c.send(
        Alice,
        "a3: pn is 1",
        "pn = 1: Alice sent one message on her previous chain.",
    )?;
    c.deliver(Bob, a3, Change::None, Expect::Ok, "DH ratchet step 5.")?;
    let b3 = c.send(Bob, "b3: pn is 2", "pn = 2.")?;
    c.deliver(Alice, b3, Change::None, Expect::Ok, "DH ratchet step 6.")?;
    Ok(c.finish(
        "docs/SPEC.md §3, §4.4-§4.6, §5; DR §3.3-§3.5",
        "Alice and Bob take six turns, every message delivered in order: each change of speaker is a DH ratchet step. Alice's first two messages are PreKey messages; after her first decryption she sends ratchet messages.",
    ))
}

/// (b) Out of order, with skipped keys used later, across DH ratchet steps.
pub(super) fn out_of_order(h: &PqxdhVector) -> Result<Conversation, GenerateError> {
    let mut c = Builder::new("ratchet_out_of_order", h)?;
    let a0 = c.send(
        Alice,
        "a0: hello",
        "Alice's first message, a PreKey message.",
    )?;
    c.deliver(Bob, a0, Change::None, Expect::Ok, "Bob accepts it.")?;
    let b0 = c.send(Bob, "b0", "Bob sends four messages, n = 0 to 3.")?;
    let b1 = c.send(Bob, "b1", "n = 1.")?;
    let b2 = c.send(Bob, "b2", "n = 2.")?;
    let b3 = c.send(Bob, "b3", "n = 3.")?;
    c.deliver(Alice, b2, Change::None, Expect::Ok, "b2 arrives first: Alice's DH ratchet step, and the keys of b0 and b1 are skipped and stored.")?;
    c.deliver(
        Alice,
        b0,
        Change::None,
        Expect::Ok,
        "b0 is decrypted with its stored key, which is then deleted.",
    )?;
    let a1 = c.send(Alice, "a1", "Alice's new sending chain: n = 0, pn = 1.")?;
    let a2 = c.send(Alice, "a2", "n = 1.")?;
    let a3 = c.send(Alice, "a3", "n = 2.")?;
    c.deliver(
        Bob,
        a3,
        Change::None,
        Expect::Ok,
        "a3 arrives first: Bob's DH ratchet step; the keys of a1 and a2 are stored.",
    )?;
    let b4 = c.send(Bob, "b4", "Bob's new chain: n = 0, pn = 4.")?;
    c.deliver(Alice, b4, Change::None, Expect::Ok, "Alice stores the key of b3 from the old chain (up to pn = 4), then takes a DH ratchet step. She now holds the keys of b1 and b3.")?;
    c.deliver(
        Alice,
        b1,
        Change::None,
        Expect::Ok,
        "b1, from the chain before the DH ratchet step, decrypts with its stored key.",
    )?;
    c.deliver(
        Alice,
        b3,
        Change::None,
        Expect::Ok,
        "b3 too; Alice holds no skipped keys now.",
    )?;
    c.deliver(Bob, a1, Change::None, Expect::Ok, "a1 with its stored key.")?;
    c.deliver(
        Bob,
        a2,
        Change::None,
        Expect::Ok,
        "a2 with its stored key; Bob holds no skipped keys now.",
    )?;
    Ok(c.finish(
        "docs/SPEC.md §4.6 (MKSKIPPED, SkipMessageKeys, DHRatchet); DR §3.5",
        "Messages arrive out of order within a chain and across DH ratchet steps; every skipped key is stored and later used once.",
    ))
}

/// (c) A ciphertext bit flipped: refused, state unchanged; the genuine message then
/// decrypts.
pub(super) fn tampered(h: &PqxdhVector) -> Result<Conversation, GenerateError> {
    let mut c = Builder::new("ratchet_tampered", h)?;
    let a0 = c.send(
        Alice,
        "a0: hello",
        "Alice's first message, a PreKey message.",
    )?;
    c.deliver(Bob, a0, Change::None, Expect::Ok, "Bob accepts it.")?;
    let b0 = c.send(Bob, "b0: hello", "Bob answers.")?;
    c.deliver(
        Alice,
        b0,
        Change::None,
        Expect::Ok,
        "Alice's DH ratchet step.",
    )?;
    let a1 = c.send(Alice, "a1: do not touch", "A message on Alice's new chain.")?;
    c.deliver(
        Bob,
        a1,
        Change::FlipCiphertextBit { index: 3, mask: 0x04 },
        Expect::Refused(spec::Error::DecryptionFailed),
        "The message with one bit flipped (ciphertext byte 3, the byte at wire offset 45, xor 0x04). It would start a DH ratchet step, but the tag fails, so it is refused and Bob's state is unchanged.",
    )?;
    c.deliver(
        Bob,
        a1,
        Change::None,
        Expect::Ok,
        "The genuine message still decrypts.",
    )?;
    Ok(c.finish(
        "docs/SPEC.md §4.2, §4.6 (transactional decryption), §7 DecryptionFailed",
        "A ciphertext bit is flipped in transit: the message is refused with DecryptionFailed and the receiver's state is exactly as before, so the genuine message decrypts afterwards.",
    ))
}

/// (d) Replays of a ratchet message and of a PreKey message: `Duplicate`, state
/// unchanged.
pub(super) fn replayed(h: &PqxdhVector) -> Result<Conversation, GenerateError> {
    let mut c = Builder::new("ratchet_replay", h)?;
    let a0 = c.send(
        Alice,
        "a0: hello",
        "Alice's first message, a PreKey message.",
    )?;
    c.deliver(Bob, a0, Change::None, Expect::Ok, "Bob accepts it.")?;
    let b0 = c.send(Bob, "b0: once only", "Bob answers.")?;
    c.deliver(Alice, b0, Change::None, Expect::Ok, "Alice decrypts it.")?;
    c.deliver(
        Alice,
        b0,
        Change::None,
        Expect::Refused(spec::Error::Duplicate),
        "The same message again: H.dh = DHr and H.n < Nr, so it is refused as Duplicate before any derivation; Alice's state is unchanged.",
    )?;
    c.deliver(
        Bob,
        a0,
        Change::None,
        Expect::Refused(spec::Error::Duplicate),
        "Alice's PreKey message again: its PreKey header matches Bob's prekey_hash, so its ratchet message is decrypted in the session, where it is a Duplicate; Bob's state is unchanged.",
    )?;
    let a1 = c.send(Alice, "a1: still fine", "The session goes on.")?;
    c.deliver(Bob, a1, Change::None, Expect::Ok, "Bob decrypts it.")?;
    Ok(c.finish(
        "docs/SPEC.md §4.6 (replays), §5.2, §7 Duplicate",
        "Replayed messages, a ratchet message and a PreKey message, are refused with Duplicate and change nothing.",
    ))
}

/// (e) A gap over `MAX_SKIP`: `TooManySkipped`, state unchanged.
pub(super) fn over_max_skip(h: &PqxdhVector) -> Result<Conversation, GenerateError> {
    let mut c = Builder::new("ratchet_over_max_skip", h)?;
    let a0 = c.send(
        Alice,
        "a0: hello",
        "Alice's first message, a PreKey message.",
    )?;
    c.deliver(Bob, a0, Change::None, Expect::Ok, "Bob accepts it.")?;
    c.send_lost(
        Bob,
        "lost",
        MAX_SKIP + 1,
        "Bob sends MAX_SKIP + 1 = 2001 messages, n = 0 to 2000, and all are lost.",
    )?;
    let last = c.send(
        Bob,
        "b2001: too far",
        "Bob's message n = 2001, the (MAX_SKIP + 2)th on his chain.",
    )?;
    c.deliver(
        Alice,
        last,
        Change::None,
        Expect::Refused(spec::Error::TooManySkipped),
        "Alice would take a DH ratchet step and skip from Nr = 0 to 2001, but Nr + MAX_SKIP = 2000 < 2001: refused as TooManySkipped before any key is derived, and her state is unchanged.",
    )?;
    Ok(c.finish(
        "docs/SPEC.md §1 MAX_SKIP, §4.6 SkipMessageKeys, §7 TooManySkipped",
        "A message that would make the receiver skip MAX_SKIP + 1 message keys is refused with TooManySkipped.",
    ))
}

/// (f) The skipped-key store: exactly `MAX_SKIP` keys skipped in one message, the
/// store full at `MAX_STORED_SKIPPED_KEYS`, then one more key evicting the oldest.
pub(super) fn skipped_key_store(h: &PqxdhVector) -> Result<Conversation, GenerateError> {
    let mut c = Builder::new("ratchet_skipped_key_store", h)?;
    let a0 = c.send(
        Alice,
        "a0: hello",
        "Alice's first message, a PreKey message.",
    )?;
    c.deliver(Bob, a0, Change::None, Expect::Ok, "Bob accepts it.")?;
    let b0 = c.send(
        Bob,
        "b0: oldest",
        "Bob's message n = 0, delivered only at the end.",
    )?;
    let b1 = c.send(Bob, "b1: next oldest", "n = 1, delivered only at the end.")?;
    c.send_lost(
        Bob,
        "lost",
        MAX_SKIP - 2,
        "Bob sends MAX_SKIP - 2 = 1998 messages, n = 2 to 1999, and all are lost.",
    )?;
    let b2000 = c.send(Bob, "b2000: exactly MAX_SKIP", "Bob's message n = 2000.")?;
    c.deliver(Alice, b2000, Change::None, Expect::Ok, "Alice takes a DH ratchet step and skips from Nr = 0 to 2000: Nr + MAX_SKIP = 2000 is not below 2000, so exactly MAX_SKIP skipped keys are accepted. She stores the keys of n = 0 to 1999: the store holds MAX_STORED_SKIPPED_KEYS = 2000 keys, full.")?;
    c.send_lost(Bob, "lost", 1, "Bob sends n = 2001, and it is lost.")?;
    let b2002 = c.send(Bob, "b2002: one more", "Bob's message n = 2002.")?;
    c.deliver(Alice, b2002, Change::None, Expect::Ok, "Alice skips n = 2001: its key is the 2001st, so the oldest, n = 0, is evicted; she holds n = 1 to 1999 and 2001, still 2000 keys.")?;
    c.deliver(
        Alice,
        b0,
        Change::None,
        Expect::Refused(spec::Error::Duplicate),
        "b0, whose key was evicted: no stored key, and n = 0 is below Nr on the current chain, so it is refused as Duplicate and the state is unchanged.",
    )?;
    c.deliver(
        Alice,
        b1,
        Change::None,
        Expect::Ok,
        "b1, the next oldest, was kept: it decrypts with its stored key, which is then deleted (1999 keys left).",
    )?;
    Ok(c.finish(
        "docs/SPEC.md §1 MAX_SKIP and MAX_STORED_SKIPPED_KEYS, §4.3 MKSKIPPED, §4.6 SkipMessageKeys (\"remove the oldest\"), §8 Bounds",
        "A jump of exactly MAX_SKIP message keys is accepted and fills the skipped-key store to MAX_STORED_SKIPPED_KEYS; one more skipped key evicts the oldest (n = 0), whose message is then refused, while the next oldest (n = 1) still decrypts.",
    ))
}
