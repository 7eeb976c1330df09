//! The commands of docs/CONFORMANCE.md §2.1-§2.3 on `lockstep`'s public API
//! (with `hazmat`): the deterministic ones exactly as the harness's `ImplDriver`
//! drives the crate, the interop ones through its randomised entry points.

use std::collections::HashMap;

use lockstep::bundle::{OneTimePreKeyId, PqPreKeyId, SignedPreKeyId, VerifiedPreKeyBundle};
use lockstep::keys::{DecapsulationKey, PrivateKey};
use lockstep::session::{InMemoryPreKeyStore, PqPreKeyKind};
use lockstep::{IdentityKeyPair, PreKeyBundle, Session};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::Rng;
use serde_json::{Value, json};

use crate::request::{Fields, Party, Refusal};

/// The version of the shim protocol this shim speaks (docs/CONFORMANCE.md is
/// version 1).
const PROTOCOL_VERSION: u64 = 1;

/// A deliberately broken mode (`LOCKSTEP_SHIM_FLAW`), to show the runner catching
/// the bug. Both act on a decryption that `lockstep` refused as `Duplicate` (a
/// replay of a message on the current receiving chain, SPEC §4.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flaw {
    /// `accept-replay`: a replay cache that "helpfully" re-delivers. The shim
    /// remembers every (party, message bytes) it decrypted and the plaintext; a
    /// `Duplicate` refusal of remembered bytes is answered with the plaintext.
    AcceptReplay,
    /// `wrong-error`: a `Duplicate` refusal is reported as `DecryptionFailed`, the
    /// classic conflation of error classes.
    WrongError,
}

impl Flaw {
    /// Every flaw with its name, as `LOCKSTEP_SHIM_FLAW` spells it.
    pub(crate) const ALL: [(&'static str, Flaw); 2] = [
        ("accept-replay", Flaw::AcceptReplay),
        ("wrong-error", Flaw::WrongError),
    ];

    /// The flaw's name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Flaw::AcceptReplay => "accept-replay",
            Flaw::WrongError => "wrong-error",
        }
    }
}

/// Which commands started the conversation the shim holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// `set_up` (§2.2): the shim plays both parties with the randomness given.
    Deterministic,
    /// `generate_bundle` or `initiate` (§2.3): the shim plays this party, with its
    /// own randomness.
    Interop(Party),
}

/// Everything one conversation holds. A new `set_up`, `generate_bundle` or
/// `initiate` replaces all of it.
#[derive(Default)]
struct Conversation {
    /// How it started; none before the first conversation or after a start that
    /// was refused.
    mode: Option<Mode>,
    /// Alice's and Bob's sessions, by [`Party::slot`].
    sessions: [Option<Session>; 2],
    /// Bob's identity key pair.
    bob_identity: Option<IdentityKeyPair>,
    /// Bob's private prekeys and the replay record of his last-resort prekey.
    store: InMemoryPreKeyStore,
    /// The bundle Alice verified in `set_up` (for `other_session`).
    bundle: Option<VerifiedPreKeyBundle>,
    /// `accept-replay` only: the plaintext of every (party, message) decrypted.
    delivered: HashMap<(Party, Vec<u8>), Vec<u8>>,
}

/// The shim's whole state: its configuration, its randomness, the conversation.
pub(crate) struct Shim {
    /// The deliberate bug, if any.
    flaw: Option<Flaw>,
    /// Whether the `state` capability is offered.
    offers_state: bool,
    /// The interop mode's randomness, seeded from the operating system.
    rng: ChaCha20Rng,
    /// The conversation held.
    conversation: Conversation,
}

impl Shim {
    /// A shim holding no conversation.
    pub(crate) fn new(flaw: Option<Flaw>, offers_state: bool, rng: ChaCha20Rng) -> Self {
        Shim {
            flaw,
            offers_state,
            rng,
            conversation: Conversation::default(),
        }
    }

    /// Runs the command `cmd` of a request with these fields: the `ok` object or the
    /// refusal.
    pub(crate) fn handle(&mut self, cmd: &str, fields: Fields<'_>) -> Result<Value, Refusal> {
        match cmd {
            "hello" => self.hello(fields),
            "set_up" => self.set_up(fields),
            "generate_bundle" => self.generate_bundle(fields),
            "initiate" => self.initiate(fields),
            "encrypt" => self.encrypt(fields),
            "decrypt" => self.decrypt(fields),
            "state" => self.state(fields),
            "verify_bundle" => verify_bundle(fields),
            "other_session" => self.other_session(fields),
            _ => Err(Refusal::Unsupported),
        }
    }

    /// §2.1 `hello`: version 1, and the capabilities offered.
    fn hello(&self, fields: Fields<'_>) -> Result<Value, Refusal> {
        if !fields.u64_list("versions")?.contains(&PROTOCOL_VERSION) {
            return Err(Refusal::Unsupported);
        }
        let mut capabilities = vec!["deterministic", "interop"];
        if self.offers_state {
            capabilities.push("state");
        }
        let mut implementation = format!("lockstep {}", env!("CARGO_PKG_VERSION"));
        if let Some(flaw) = self.flaw {
            implementation.push_str(&format!(" (flaw: {})", flaw.name()));
        }
        Ok(json!({
            "version": PROTOCOL_VERSION,
            "implementation": implementation,
            "capabilities": capabilities,
        }))
    }

    /// §2.2 `set_up`: Bob signs his bundle from the keys given, Alice decodes,
    /// verifies and initiates, Bob's store holds his prekeys.
    fn set_up(&mut self, fields: Fields<'_>) -> Result<Value, Refusal> {
        let ik_a = fields.array::<32>("ik_a")?;
        let ik_b = fields.array::<32>("ik_b")?;
        let spk_b = fields.array::<32>("spk_b")?;
        let opk_b = fields.optional_array::<32>("opk_b")?;
        let pq_d = fields.array::<32>("pq_d")?;
        let pq_z = fields.array::<32>("pq_z")?;
        let pq_last_resort = fields.bool("pq_last_resort")?;
        let z_spk = fields.array::<64>("z_spk")?;
        let z_pqpk = fields.array::<64>("z_pqpk")?;
        let ek_a = fields.array::<32>("ek_a")?;
        let m = fields.array::<32>("m")?;
        let r_a = fields.array::<32>("r_a")?;
        let spk_id = fields.u32("spk_id")?;
        let pqpk_id = fields.u32("pqpk_id")?;
        // Without a one-time prekey the bundle's id is 0 whatever `opk_id` says, so
        // the field is read (and must be well-formed) only with one.
        let opk_id = match opk_b {
            Some(_) => fields.u32("opk_id")?,
            None => 0,
        };

        // Everything the shim held goes, whatever happens next.
        self.conversation = Conversation::default();

        // 1. Bob's bundle (SPEC §3.2).
        let ik_b = IdentityKeyPair::from_private_bytes(ik_b);
        let spk = PrivateKey::from_bytes(spk_b);
        let mut seed = [0u8; 64];
        seed[..32].copy_from_slice(&pq_d);
        seed[32..].copy_from_slice(&pq_z);
        let (ek, dk) = lockstep::ml_kem::keygen_derand(&seed);
        let opk = opk_b.map(PrivateKey::from_bytes);
        let bundle = lockstep::pqxdh::sign_bundle(
            &ik_b,
            spk_id,
            &spk.public_key(),
            pqpk_id,
            pq_last_resort,
            &ek,
            opk.as_ref().map(|opk| (opk_id, opk.public_key())),
            &z_spk,
            &z_pqpk,
        );
        let bytes = bundle.to_bytes();

        // 2. Alice decodes, verifies and initiates (SPEC §3.2, §3.3, §3.6).
        let verified = PreKeyBundle::from_bytes(&bytes)?.verify()?;
        let alice = Session::initiate_with(
            &IdentityKeyPair::from_private_bytes(ik_a),
            &verified,
            &ek_a,
            &m,
            &r_a,
        )?;

        // 3. Bob's prekey store (SPEC §3.5).
        let mut store = InMemoryPreKeyStore::new();
        store.add_signed_prekey(SignedPreKeyId(spk_id), &spk);
        store.add_pq_prekey(PqPreKeyId(pqpk_id), &dk, pq_kind(pq_last_resort));
        if let Some(opk) = &opk {
            store.add_one_time_prekey(OneTimePreKeyId(opk_id), opk);
        }

        self.conversation = Conversation {
            mode: Some(Mode::Deterministic),
            sessions: [Some(alice), None],
            bob_identity: Some(ik_b),
            store,
            bundle: Some(verified),
            delivered: HashMap::new(),
        };
        Ok(json!({ "bundle": hex::encode(bytes) }))
    }

    /// §2.3 `generate_bundle`: the shim becomes Bob, with fresh keys and ids.
    fn generate_bundle(&mut self, fields: Fields<'_>) -> Result<Value, Refusal> {
        let with_opk = fields.bool("opk")?;
        let pq_last_resort = fields.bool("pq_last_resort")?;
        self.conversation = Conversation::default();

        let rng = &mut self.rng;
        let identity = IdentityKeyPair::generate(rng);
        let spk = PrivateKey::generate(rng);
        let dk = DecapsulationKey::generate(rng);
        let opk = with_opk.then(|| PrivateKey::generate(rng));
        // Random ids, so the other side's look-up is exercised on more than 1, 2, 3.
        let spk_id = SignedPreKeyId(rng.next_u32());
        let pqpk_id = PqPreKeyId(rng.next_u32());
        let opk_id = OneTimePreKeyId(rng.next_u32());
        let kind = pq_kind(pq_last_resort);

        let builder = PreKeyBundle::builder(&identity)
            .signed_prekey(spk_id, &spk.public_key())
            .pq_prekey(pqpk_id, dk.encapsulation_key(), kind);
        let builder = match &opk {
            Some(opk) => builder.one_time_prekey(opk_id, &opk.public_key()),
            None => builder,
        };
        let bundle = builder.sign(rng);

        let mut store = InMemoryPreKeyStore::new();
        store.add_signed_prekey(spk_id, &spk);
        store.add_pq_prekey(pqpk_id, &dk, kind);
        if let Some(opk) = &opk {
            store.add_one_time_prekey(opk_id, opk);
        }
        self.conversation = Conversation {
            mode: Some(Mode::Interop(Party::Bob)),
            bob_identity: Some(identity),
            store,
            ..Conversation::default()
        };
        Ok(json!({ "bundle": hex::encode(bundle.to_bytes()) }))
    }

    /// §2.3 `initiate`: the shim becomes Alice, verifies the bundle and initiates
    /// with fresh randomness.
    fn initiate(&mut self, fields: Fields<'_>) -> Result<Value, Refusal> {
        let bytes = fields.bytes("bundle")?;
        self.conversation = Conversation::default();
        let verified = PreKeyBundle::from_bytes(&bytes)?.verify()?;
        let identity = IdentityKeyPair::generate(&mut self.rng);
        let alice = Session::initiate(&mut self.rng, &identity, &verified)?;
        self.conversation = Conversation {
            mode: Some(Mode::Interop(Party::Alice)),
            sessions: [Some(alice), None],
            ..Conversation::default()
        };
        Ok(json!({}))
    }

    /// §2.2 `encrypt` (both modes).
    fn encrypt(&mut self, fields: Fields<'_>) -> Result<Value, Refusal> {
        let party = fields.party()?;
        let plaintext = fields.bytes("plaintext")?;
        self.check_played(party)?;
        let session = self.conversation.sessions[party.slot()]
            .as_mut()
            .ok_or(Refusal::NoSession)?;
        let message = session.encrypt(&plaintext)?;
        Ok(json!({ "message": hex::encode(message) }))
    }

    /// §2.2 `decrypt` (with `r`), §2.3 (without: the shim draws it); then the flaw,
    /// if any.
    fn decrypt(&mut self, fields: Fields<'_>) -> Result<Value, Refusal> {
        let party = fields.party()?;
        let message = fields.bytes("message")?;
        // Deterministic mode needs `r`; interop draws its own and ignores one given.
        let r = match self.conversation.mode {
            Some(Mode::Deterministic) => Some(fields.array::<32>("r")?),
            _ => None,
        };
        self.check_played(party)?;
        let result = self.decrypt_honestly(party, &message, r.as_ref());
        let result = self.apply_flaw(party, message, result);
        result.map(|plaintext| json!({ "plaintext": hex::encode(plaintext) }))
    }

    /// `party` decrypts `message` with `lockstep`, with `r` as its next ratchet key
    /// if given, else one drawn from the shim's randomness; Bob without a session
    /// accepts it from his store.
    fn decrypt_honestly(
        &mut self,
        party: Party,
        message: &[u8],
        r: Option<&[u8; 32]>,
    ) -> Result<Vec<u8>, Refusal> {
        let conversation = &mut self.conversation;
        if let Some(session) = conversation.sessions[party.slot()].as_mut() {
            return Ok(match r {
                Some(r) => session.decrypt_with(message, r)?,
                None => session.decrypt(&mut self.rng, message)?,
            });
        }
        if party == Party::Alice {
            return Err(Refusal::NoSession);
        }
        let identity = conversation
            .bob_identity
            .as_ref()
            .ok_or(Refusal::NoSession)?;
        let store = &mut conversation.store;
        let (session, plaintext) = match r {
            Some(r) => Session::accept_with(identity, store, message, r)?,
            None => Session::accept(&mut self.rng, identity, store, message)?,
        };
        conversation.sessions[Party::Bob.slot()] = Some(session);
        Ok(plaintext)
    }

    /// What the flawed shim answers instead of `lockstep`'s `result`.
    fn apply_flaw(
        &mut self,
        party: Party,
        message: Vec<u8>,
        result: Result<Vec<u8>, Refusal>,
    ) -> Result<Vec<u8>, Refusal> {
        let duplicate = Refusal::Protocol(lockstep::Error::Duplicate);
        match (self.flaw, result) {
            (Some(Flaw::AcceptReplay), Ok(plaintext)) => {
                self.conversation
                    .delivered
                    .insert((party, message), plaintext.clone());
                Ok(plaintext)
            }
            (Some(Flaw::AcceptReplay), Err(refusal)) if refusal == duplicate => {
                match self.conversation.delivered.get(&(party, message)) {
                    Some(plaintext) => {
                        eprintln!("lockstep-shim: accept-replay: re-delivering a replay");
                        Ok(plaintext.clone())
                    }
                    None => Err(refusal),
                }
            }
            (Some(Flaw::WrongError), Err(refusal)) if refusal == duplicate => {
                Err(Refusal::Protocol(lockstep::Error::DecryptionFailed))
            }
            (_, result) => result,
        }
    }

    /// §2.2 `state`: the party's SPEC §6 encoding, or null without a session.
    fn state(&self, fields: Fields<'_>) -> Result<Value, Refusal> {
        if !self.offers_state {
            return Err(Refusal::Unsupported);
        }
        let party = fields.party()?;
        self.check_played(party)?;
        let state = self.conversation.sessions[party.slot()]
            .as_ref()
            .map(|session| hex::encode(session.to_bytes()));
        Ok(json!({ "state": state }))
    }

    /// §2.2 `other_session`: another Alice initiates from the bundle verified in
    /// `set_up` and encrypts two plaintexts; she is then forgotten.
    fn other_session(&mut self, fields: Fields<'_>) -> Result<Value, Refusal> {
        let ik = fields.array::<32>("ik")?;
        let ek = fields.array::<32>("ek")?;
        let m = fields.array::<32>("m")?;
        let r = fields.array::<32>("r")?;
        let [first, second] = <[Vec<u8>; 2]>::try_from(fields.bytes_list("plaintexts")?)
            .map_err(|_| Refusal::BadRequest)?;
        let bundle = match (self.conversation.mode, &self.conversation.bundle) {
            (Some(Mode::Deterministic), Some(bundle)) => bundle,
            _ => return Err(Refusal::NoSession),
        };
        let mut session = Session::initiate_with(
            &IdentityKeyPair::from_private_bytes(ik),
            bundle,
            &ek,
            &m,
            &r,
        )?;
        let one = session.encrypt(&first)?;
        let two = session.encrypt(&second)?;
        Ok(json!({ "messages": [hex::encode(one), hex::encode(two)] }))
    }

    /// §2.3: in interop mode a command naming the party the shim does not play is
    /// answered `NoSession`.
    fn check_played(&self, party: Party) -> Result<(), Refusal> {
        match self.conversation.mode {
            Some(Mode::Interop(played)) if played != party => Err(Refusal::NoSession),
            _ => Ok(()),
        }
    }
}

/// §2.2 `verify_bundle`: decode and verify as Alice would; nothing changes.
fn verify_bundle(fields: Fields<'_>) -> Result<Value, Refusal> {
    let bytes = fields.bytes("bundle")?;
    PreKeyBundle::from_bytes(&bytes)?.verify()?;
    Ok(json!({}))
}

/// SPEC §3.2 `pq_kind` from the requests' `pq_last_resort`.
fn pq_kind(last_resort: bool) -> PqPreKeyKind {
    if last_resort {
        PqPreKeyKind::LastResort
    } else {
        PqPreKeyKind::OneTime
    }
}
