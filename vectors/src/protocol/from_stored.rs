//! Stored to typed, strictly: every field checked as it is read.

use super::*;

pub(super) fn parse_pqxdh(text: &str) -> Result<Vec<PqxdhVector>, Error> {
    let raw: RawFile<RawPqxdh> = parse_file(PQXDH_FILE, text)?;
    check_provenance(PQXDH_FILE, &raw.primitive, &raw.source, &raw.notes)?;
    let mut out = Vec::with_capacity(raw.vectors.len());
    for v in raw.vectors {
        let id = v.id.as_str();
        check_id(id, &v.source, &v.description)?;
        let opk = match &v.opk {
            Some(opk) => Some(OneTimePreKey {
                id: opk.id,
                private: array(id, "opk.private", &opk.private)?,
                public: array(id, "opk.public", &opk.public)?,
            }),
            None => None,
        };
        let dh4 = match &v.dh4 {
            Some(dh4) => Some(array(id, "dh4", dh4)?),
            None => None,
        };
        if opk.is_some() != dh4.is_some() {
            return Err(invalid(id, "dh4", "present exactly when opk is"));
        }
        out.push(PqxdhVector {
            ik_a_private: array(id, "ik_a_private", &v.ik_a_private)?,
            ik_a: array(id, "ik_a", &v.ik_a)?,
            ek_a_private: array(id, "ek_a_private", &v.ek_a_private)?,
            ek_a: array(id, "ek_a", &v.ek_a)?,
            m: array(id, "m", &v.m)?,
            ik_b_private: array(id, "ik_b_private", &v.ik_b_private)?,
            ik_b: array(id, "ik_b", &v.ik_b)?,
            spk_id: v.spk_id,
            spk_b_private: array(id, "spk_b_private", &v.spk_b_private)?,
            spk_b: array(id, "spk_b", &v.spk_b)?,
            pqpk_id: v.pqpk_id,
            pq_last_resort: v.pq_last_resort,
            pqpk_d: array(id, "pqpk_d", &v.pqpk_d)?,
            pqpk_z: array(id, "pqpk_z", &v.pqpk_z)?,
            pqpk_b: sized(id, "pqpk_b", &v.pqpk_b, ML_KEM_EK_LEN)?,
            pqpk_b_private: sized(id, "pqpk_b_private", &v.pqpk_b_private, ML_KEM_DK_LEN)?,
            opk,
            z_spk: array(id, "z_spk", &v.z_spk)?,
            z_pqpk: array(id, "z_pqpk", &v.z_pqpk)?,
            spk_sig: array(id, "spk_sig", &v.spk_sig)?,
            pqpk_sig: array(id, "pqpk_sig", &v.pqpk_sig)?,
            bundle: sized(id, "bundle", &v.bundle, BUNDLE_LEN)?,
            dh1: array(id, "dh1", &v.dh1)?,
            dh2: array(id, "dh2", &v.dh2)?,
            dh3: array(id, "dh3", &v.dh3)?,
            dh4,
            ss: array(id, "ss", &v.ss)?,
            ct: sized(id, "ct", &v.ct, ML_KEM_CT_LEN)?,
            sk: array(id, "sk", &v.sk)?,
            ad: array(id, "ad", &v.ad)?,
            prekey_header: sized(id, "prekey_header", &v.prekey_header, PREKEY_HEADER_LEN)?,
            th: array(id, "th", &v.th)?,
            id: v.id,
            source: v.source,
            description: v.description,
        });
    }
    check_unique(out.iter().map(|v| v.id.as_str()))?;
    Ok(out)
}

pub(super) fn parse_ratchet(text: &str) -> Result<Vec<Conversation>, Error> {
    let raw: RawRatchetFile = parse_file(RATCHET_FILE, text)?;
    check_provenance(RATCHET_FILE, &raw.primitive, &raw.source, &raw.notes)?;
    let mut out = Vec::with_capacity(raw.conversations.len());
    for c in raw.conversations {
        check_id(&c.id, &c.source, &c.description)?;
        if c.handshake.trim().is_empty() {
            return Err(invalid(&c.id, "handshake", "must name a pqxdh.json vector"));
        }
        let mut steps: Vec<Step> = Vec::with_capacity(c.steps.len());
        for (index, step) in c.steps.into_iter().enumerate() {
            let id = format!("{} step {index}", c.id);
            steps.push(parse_step(&id, step, &steps)?);
        }
        out.push(Conversation {
            handshake: c.handshake,
            alice_r: array(&c.id, "alice_r", &c.alice_r)?,
            alice_state: state_encoding(&c.id, "alice_state", &c.alice_state)?,
            steps,
            id: c.id,
            source: c.source,
            description: c.description,
        });
    }
    check_unique(out.iter().map(|c| c.id.as_str()))?;
    Ok(out)
}

/// One step; `earlier` are the steps before it, which `sent_at` must point into.
pub(super) fn parse_step(id: &str, step: RawStep, earlier: &[Step]) -> Result<Step, Error> {
    Ok(match step {
        RawStep::Send(s) => Step::Send(SendStep {
            sender: s.sender.into(),
            plaintext: bytes(id, "plaintext", &s.plaintext)?,
            ck_before: array(id, "ck_before", &s.ck_before)?,
            ck_after: array(id, "ck_after", &s.ck_after)?,
            mk: array(id, "mk", &s.mk)?,
            aead_key: array(id, "aead_key", &s.aead_key)?,
            aead_nonce: array(id, "aead_nonce", &s.aead_nonce)?,
            dh: array(id, "dh", &s.dh)?,
            pn: s.pn,
            n: s.n,
            wire: message(id, "wire", &s.wire)?,
            sender_state: state_encoding(id, "sender_state", &s.sender_state)?,
            note: note(id, s.note)?,
        }),
        RawStep::SendLost(s) => {
            if s.count == 0 {
                return Err(invalid(id, "count", "must be at least 1"));
            }
            Step::SendLost(SendLostStep {
                sender: s.sender.into(),
                plaintext: bytes(id, "plaintext", &s.plaintext)?,
                count: s.count,
                sender_state: state_encoding(id, "sender_state", &s.sender_state)?,
                note: note(id, s.note)?,
            })
        }
        RawStep::Deliver(d) => {
            let receiver: Party = d.receiver.into();
            match earlier.get(d.sent_at) {
                Some(Step::Send(sent)) if sent.sender != receiver => {}
                _ => {
                    return Err(invalid(
                        id,
                        "sent_at",
                        "must be an earlier send step of the other party",
                    ));
                }
            }
            let outcome = match (d.outcome.as_str(), &d.plaintext) {
                ("ok", Some(plaintext)) => Outcome::Ok(bytes(id, "plaintext", plaintext)?),
                ("ok", None) => {
                    return Err(invalid(id, "plaintext", "an ok outcome has a plaintext"));
                }
                (error, None) if is_error_name(error) => Outcome::Rejected(d.outcome.clone()),
                (_, None) => {
                    return Err(invalid(id, "outcome", "must be \"ok\" or an error name"));
                }
                (_, Some(_)) => {
                    return Err(invalid(id, "plaintext", "must be null on an error"));
                }
            };
            Step::Deliver(DeliverStep {
                receiver,
                sent_at: d.sent_at,
                wire: bytes(id, "wire", &d.wire)?,
                r: array(id, "r", &d.r)?,
                outcome,
                receiver_state: state_encoding(id, "receiver_state", &d.receiver_state)?,
                note: note(id, d.note)?,
            })
        }
    })
}

pub(super) fn parse_state(text: &str) -> Result<StateVectors, Error> {
    let raw: RawStateFile = parse_file(STATE_FILE, text)?;
    check_provenance(STATE_FILE, &raw.primitive, &raw.source, &raw.notes)?;
    let mut valid = Vec::with_capacity(raw.vectors.len());
    for v in raw.vectors {
        valid.push(parse_state_vector(v)?);
    }
    let mut rejected = Vec::with_capacity(raw.rejected.len());
    for v in raw.rejected {
        check_id(&v.id, &v.source, &v.description)?;
        if !is_error_name(&v.error) {
            return Err(invalid(&v.id, "error", "must be an error name"));
        }
        rejected.push(RejectedState {
            encoding: bytes(&v.id, "encoding", &v.encoding)?,
            id: v.id,
            source: v.source,
            description: v.description,
            error: v.error,
        });
    }
    check_unique(
        valid
            .iter()
            .map(|v| v.id.as_str())
            .chain(rejected.iter().map(|v| v.id.as_str())),
    )?;
    Ok(StateVectors { valid, rejected })
}

/// A stored `outcome` with no output: `"ok"` or an error name.
pub(super) fn verdict(id: &str, outcome: &str) -> Result<Verdict, Error> {
    match outcome {
        "ok" => Ok(Verdict::Ok),
        error if is_error_name(error) => Ok(Verdict::Rejected(error.to_owned())),
        _ => Err(invalid(id, "outcome", "must be \"ok\" or an error name")),
    }
}

/// A stored `outcome` with its output: `"ok"` and the output, or an error name and
/// no output.
pub(super) fn outcome(
    id: &str,
    output_field: &'static str,
    outcome: &str,
    output: Option<&str>,
) -> Result<Outcome, Error> {
    match (outcome, output) {
        ("ok", Some(output)) => Ok(Outcome::Ok(bytes(id, output_field, output)?)),
        ("ok", None) => Err(invalid(id, output_field, "an ok outcome has an output")),
        (error, None) if is_error_name(error) => Ok(Outcome::Rejected(error.to_owned())),
        (_, None) => Err(invalid(id, "outcome", "must be \"ok\" or an error name")),
        (_, Some(_)) => Err(invalid(id, output_field, "must be null on an error")),
    }
}

pub(super) fn parse_rules(text: &str) -> Result<RuleVectors, Error> {
    let raw: RawRulesFile = parse_file(RULES_FILE, text)?;
    check_provenance(RULES_FILE, &raw.primitive, &raw.source, &raw.notes)?;
    let mut decoding = Vec::with_capacity(raw.decoding.len());
    for v in raw.decoding {
        check_id(&v.id, &v.source, &v.description)?;
        decoding.push(DecodingVector {
            structure: match v.structure {
                RawStructure::Message => Structure::Message,
                RawStructure::Bundle => Structure::Bundle,
            },
            encoding: bytes(&v.id, "encoding", &v.encoding)?,
            outcome: verdict(&v.id, &v.outcome)?,
            id: v.id,
            source: v.source,
            description: v.description,
        });
    }
    let mut verification = Vec::with_capacity(raw.verification.len());
    for v in raw.verification {
        check_id(&v.id, &v.source, &v.description)?;
        verification.push(VerificationVector {
            bundle: sized(&v.id, "bundle", &v.bundle, BUNDLE_LEN)?,
            outcome: verdict(&v.id, &v.outcome)?,
            handshake: v.handshake,
            id: v.id,
            source: v.source,
            description: v.description,
        });
    }
    let mut decapsulation_keys = Vec::with_capacity(raw.decapsulation_keys.len());
    for v in raw.decapsulation_keys {
        check_id(&v.id, &v.source, &v.description)?;
        decapsulation_keys.push(DecapsulationKeyVector {
            dk: sized(&v.id, "dk", &v.dk, ML_KEM_DK_LEN)?,
            outcome: verdict(&v.id, &v.outcome)?,
            id: v.id,
            source: v.source,
            description: v.description,
        });
    }
    let mut sessions = Vec::with_capacity(raw.sessions.len());
    for v in raw.sessions {
        let id = v.id.as_str();
        check_id(id, &v.source, &v.description)?;
        let action = match v.action {
            RawAction::Encrypt => SessionAction::Encrypt,
            RawAction::Decrypt => SessionAction::Decrypt,
        };
        let r = match (action, &v.r) {
            (SessionAction::Decrypt, Some(r)) => Some(array(id, "r", r)?),
            (SessionAction::Encrypt, None) => None,
            _ => return Err(invalid(id, "r", "present exactly for decrypt")),
        };
        let output_field = match action {
            SessionAction::Encrypt => "output (wire)",
            SessionAction::Decrypt => "output (plaintext)",
        };
        sessions.push(SessionVector {
            state: state_encoding(id, "state", &v.state)?,
            action,
            input: bytes(id, "input", &v.input)?,
            r,
            outcome: outcome(id, output_field, &v.outcome, v.output.as_deref())?,
            state_after: state_encoding(id, "state_after", &v.state_after)?,
            id: v.id,
            source: v.source,
            description: v.description,
        });
    }
    let mut accepts = Vec::with_capacity(raw.accepts.len());
    for v in raw.accepts {
        check_id(&v.id, &v.source, &v.description)?;
        if v.deliveries.is_empty() {
            return Err(invalid(&v.id, "deliveries", "must not be empty"));
        }
        let mut deliveries = Vec::with_capacity(v.deliveries.len());
        for (index, d) in v.deliveries.into_iter().enumerate() {
            let id = format!("{} delivery {index}", v.id);
            let outcome = outcome(&id, "plaintext", &d.outcome, d.plaintext.as_deref())?;
            let state = match (&outcome, &d.state) {
                (Outcome::Ok(_), Some(state)) => Some(state_encoding(&id, "state", state)?),
                (Outcome::Rejected(_), None) => None,
                _ => return Err(invalid(&id, "state", "present exactly when ok")),
            };
            deliveries.push(AcceptDelivery {
                wire: message(&id, "wire", &d.wire)?,
                r: array(&id, "r", &d.r)?,
                outcome,
                state,
                note: note(&id, d.note)?,
            });
        }
        accepts.push(AcceptVector {
            handshake: v.handshake,
            deliveries,
            id: v.id,
            source: v.source,
            description: v.description,
        });
    }
    check_unique(
        decoding
            .iter()
            .map(|v| v.id.as_str())
            .chain(verification.iter().map(|v| v.id.as_str()))
            .chain(decapsulation_keys.iter().map(|v| v.id.as_str()))
            .chain(sessions.iter().map(|v| v.id.as_str()))
            .chain(accepts.iter().map(|v| v.id.as_str())),
    )?;
    Ok(RuleVectors {
        decoding,
        verification,
        decapsulation_keys,
        sessions,
        accepts,
    })
}

/// SPEC §6 flag bits.
pub(super) const FLAG_DHR: u8 = 0x01;
pub(super) const FLAG_CKS: u8 = 0x02;
pub(super) const FLAG_CKR: u8 = 0x04;
pub(super) const FLAG_PENDING_PREKEY: u8 = 0x08;
pub(super) const FLAG_PREKEY_HASH: u8 = 0x10;

pub(super) fn parse_state_vector(v: RawState) -> Result<StateVector, Error> {
    let id = v.id.as_str();
    check_id(id, &v.source, &v.description)?;
    let optional =
        |field: &'static str, value: &Option<String>| -> Result<Option<[u8; 32]>, Error> {
            match value {
                Some(text) => Ok(Some(array(id, field, text)?)),
                None => Ok(None),
            }
        };
    let dhr = optional("dhr", &v.dhr)?;
    let cks = optional("cks", &v.cks)?;
    let ckr = optional("ckr", &v.ckr)?;
    let prekey_hash = optional("prekey_hash", &v.prekey_hash)?;
    let pending_prekey = match &v.pending_prekey {
        Some(text) => Some(sized(id, "pending_prekey", text, PREKEY_HEADER_LEN)?),
        None => None,
    };
    let mut skipped = Vec::with_capacity(v.skipped.len());
    for key in &v.skipped {
        skipped.push(SkippedKey {
            dh: array(id, "skipped.dh", &key.dh)?,
            n: key.n,
            mk: array(id, "skipped.mk", &key.mk)?,
        });
    }
    // The fields must be the ones the flags say are there, and the encoding as long
    // as they make it: the file is checked for consistency before any spec sees it.
    let mut flags = 0;
    for (flag, present) in [
        (FLAG_DHR, dhr.is_some()),
        (FLAG_CKS, cks.is_some()),
        (FLAG_CKR, ckr.is_some()),
        (FLAG_PENDING_PREKEY, pending_prekey.is_some()),
        (FLAG_PREKEY_HASH, prekey_hash.is_some()),
    ] {
        if present {
            flags |= flag;
        }
    }
    if flags != v.flags {
        return Err(invalid(id, "flags", "must match the fields present"));
    }
    let mut expected_len = STATE_FIXED_LEN + SKIPPED_KEY_LEN * skipped.len();
    if pending_prekey.is_some() {
        expected_len += PREKEY_HEADER_LEN;
    }
    Ok(StateVector {
        encoding: sized(id, "encoding", &v.encoding, expected_len)?,
        flags,
        ad: array(id, "ad", &v.ad)?,
        dhs: array(id, "dhs", &v.dhs)?,
        dhr,
        rk: array(id, "rk", &v.rk)?,
        cks,
        ckr,
        ns: v.ns,
        nr: v.nr,
        pn: v.pn,
        prekey_hash,
        skipped,
        pending_prekey,
        id: v.id,
        source: v.source,
        description: v.description,
    })
}
