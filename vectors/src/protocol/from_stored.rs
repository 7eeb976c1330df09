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

/// An identifier of a franking flow's party: 1 to 64 bytes (SPEC §9.1).
fn party_id(id: &str, field: &'static str, text: &str) -> Result<Vec<u8>, Error> {
    let value = bytes(id, field, text)?;
    if !(1..=MAX_PARTY_ID_LEN).contains(&value.len()) {
        return Err(invalid(id, field, "an identifier is 1 to 64 bytes"));
    }
    Ok(value)
}

/// A stored verified report: present exactly when the outcome is ok.
fn verified_fields(
    id: &str,
    outcome: &Verdict,
    verified: Option<&RawVerified>,
) -> Result<Option<VerifiedReportFields>, Error> {
    match (outcome, verified) {
        (Verdict::Ok, Some(v)) => Ok(Some(VerifiedReportFields {
            sender: bytes(id, "verified.sender", &v.sender)?,
            recipient: bytes(id, "verified.recipient", &v.recipient)?,
            t: v.t,
            m: bytes(id, "verified.m", &v.m)?,
        })),
        (Verdict::Rejected(_), None) => Ok(None),
        _ => Err(invalid(id, "verified", "present exactly when ok")),
    }
}

/// A stored 32-byte output: present exactly when the outcome is ok.
fn output32(
    id: &str,
    field: &'static str,
    outcome: &Verdict,
    value: Option<&str>,
) -> Result<Option<[u8; 32]>, Error> {
    match (outcome, value) {
        (Verdict::Ok, Some(text)) => Ok(Some(array(id, field, text)?)),
        (Verdict::Rejected(_), None) => Ok(None),
        _ => Err(invalid(id, field, "present exactly when ok")),
    }
}

pub(super) fn parse_franking(text: &str) -> Result<FrankingVectors, Error> {
    let raw: RawFrankingFile = parse_file(FRANKING_FILE, text)?;
    check_provenance(FRANKING_FILE, &raw.primitive, &raw.source, &raw.notes)?;
    let mut commits = Vec::with_capacity(raw.commits.len());
    for v in raw.commits {
        let id = v.id.as_str();
        check_id(id, &v.source, &v.description)?;
        let outcome = verdict(id, &v.outcome)?;
        commits.push(CommitVector {
            fk: array(id, "fk", &v.fk)?,
            sender: bytes(id, "sender", &v.sender)?,
            recipient: bytes(id, "recipient", &v.recipient)?,
            m: bytes(id, "m", &v.m)?,
            c: output32(id, "c", &outcome, v.c.as_deref())?,
            outcome,
            id: v.id,
            source: v.source,
            description: v.description,
        });
    }
    let mut stamp_tags = Vec::with_capacity(raw.stamp_tags.len());
    for v in raw.stamp_tags {
        let id = v.id.as_str();
        check_id(id, &v.source, &v.description)?;
        let outcome = verdict(id, &v.outcome)?;
        stamp_tags.push(StampTagVector {
            kp: array(id, "kp", &v.kp)?,
            c: array(id, "c", &v.c)?,
            sender: bytes(id, "sender", &v.sender)?,
            recipient: bytes(id, "recipient", &v.recipient)?,
            t: v.t,
            tag: output32(id, "tag", &outcome, v.tag.as_deref())?,
            outcome,
            id: v.id,
            source: v.source,
            description: v.description,
        });
    }
    let mut flows = Vec::with_capacity(raw.flows.len());
    for f in raw.flows {
        check_id(&f.id, &f.source, &f.description)?;
        if f.handshake.trim().is_empty() {
            return Err(invalid(&f.id, "handshake", "must name a pqxdh.json vector"));
        }
        let mut steps: Vec<FrankingStep> = Vec::with_capacity(f.steps.len());
        for (index, step) in f.steps.into_iter().enumerate() {
            let id = format!("{} step {index}", f.id);
            steps.push(parse_franking_step(&id, step, &steps)?);
        }
        flows.push(FrankingFlow {
            handshake: f.handshake,
            alice_r: array(&f.id, "alice_r", &f.alice_r)?,
            alice_state: state_encoding(&f.id, "alice_state", &f.alice_state)?,
            alice_id: party_id(&f.id, "alice_id", &f.alice_id)?,
            bob_id: party_id(&f.id, "bob_id", &f.bob_id)?,
            kp: array(&f.id, "kp", &f.kp)?,
            steps,
            id: f.id,
            source: f.source,
            description: f.description,
        });
    }
    let mut reports = Vec::with_capacity(raw.reports.len());
    for v in raw.reports {
        let id = v.id.as_str();
        check_id(id, &v.source, &v.description)?;
        let outcome = verdict(id, &v.outcome)?;
        reports.push(ReportVector {
            kp: array(id, "kp", &v.kp)?,
            reporter: bytes(id, "reporter", &v.reporter)?,
            report: bytes(id, "report", &v.report)?,
            verified: verified_fields(id, &outcome, v.verified.as_ref())?,
            outcome,
            id: v.id,
            source: v.source,
            description: v.description,
        });
    }
    let mut decoding = Vec::with_capacity(raw.decoding.len());
    for v in raw.decoding {
        check_id(&v.id, &v.source, &v.description)?;
        decoding.push(FrankedDecodingVector {
            structure: match v.structure {
                RawFrankedStructure::Submission => FrankedStructure::Submission,
                RawFrankedStructure::Delivery => FrankedStructure::Delivery,
                RawFrankedStructure::Report => FrankedStructure::Report,
            },
            encoding: bytes(&v.id, "encoding", &v.encoding)?,
            outcome: verdict(&v.id, &v.outcome)?,
            id: v.id,
            source: v.source,
            description: v.description,
        });
    }
    check_unique(
        commits
            .iter()
            .map(|v| v.id.as_str())
            .chain(stamp_tags.iter().map(|v| v.id.as_str()))
            .chain(flows.iter().map(|v| v.id.as_str()))
            .chain(reports.iter().map(|v| v.id.as_str()))
            .chain(decoding.iter().map(|v| v.id.as_str())),
    )?;
    Ok(FrankingVectors {
        commits,
        stamp_tags,
        flows,
        reports,
        decoding,
    })
}

/// One step of a franking flow; `earlier` are the steps before it, which its index
/// fields must point into.
fn parse_franking_step(
    id: &str,
    step: RawFrankingStep,
    earlier: &[FrankingStep],
) -> Result<FrankingStep, Error> {
    Ok(match step {
        RawFrankingStep::FrankEncrypt(s) => FrankingStep::FrankEncrypt(FrankEncryptStep {
            sender: s.sender.into(),
            fk: array(id, "fk", &s.fk)?,
            plaintext: bytes(id, "plaintext", &s.plaintext)?,
            c: array(id, "c", &s.c)?,
            submission: bytes(id, "submission", &s.submission)?,
            sender_state: state_encoding(id, "sender_state", &s.sender_state)?,
            note: note(id, s.note)?,
        }),
        RawFrankingStep::Stamp(s) => {
            if !matches!(earlier.get(s.sent_at), Some(FrankingStep::FrankEncrypt(_))) {
                return Err(invalid(
                    id,
                    "sent_at",
                    "must be an earlier frank_encrypt step",
                ));
            }
            FrankingStep::Stamp(StampStep {
                sent_at: s.sent_at,
                submission: bytes(id, "submission", &s.submission)?,
                t: s.t,
                tag: array(id, "tag", &s.tag)?,
                delivery: bytes(id, "delivery", &s.delivery)?,
                note: note(id, s.note)?,
            })
        }
        RawFrankingStep::FrankDeliver(d) => {
            let receiver: Party = d.receiver.into();
            let sender = match earlier.get(d.stamped_at) {
                Some(FrankingStep::Stamp(stamp)) => match earlier.get(stamp.sent_at) {
                    Some(FrankingStep::FrankEncrypt(sent)) => Some(sent.sender),
                    _ => None,
                },
                _ => None,
            };
            if sender.is_none_or(|sender| sender == receiver) {
                return Err(invalid(
                    id,
                    "stamped_at",
                    "must be an earlier stamp step of a message from the other party",
                ));
            }
            let outcome = outcome(id, "plaintext", &d.outcome, d.plaintext.as_deref())?;
            let receipt = match (&outcome, &d.receipt) {
                (Outcome::Ok(_), Some(receipt)) => Some(FrankingReceipt {
                    t: receipt.t,
                    c: array(id, "receipt.c", &receipt.c)?,
                    tag: array(id, "receipt.tag", &receipt.tag)?,
                    fk: array(id, "receipt.fk", &receipt.fk)?,
                }),
                (Outcome::Rejected(_), None) => None,
                _ => return Err(invalid(id, "receipt", "present exactly when ok")),
            };
            let receiver_state = match (&outcome, &d.receiver_state) {
                (_, Some(state)) => Some(state_encoding(id, "receiver_state", state)?),
                (Outcome::Rejected(_), None) => None,
                (Outcome::Ok(_), None) => {
                    return Err(invalid(
                        id,
                        "receiver_state",
                        "an ok delivery leaves a state",
                    ));
                }
            };
            FrankingStep::FrankDeliver(FrankDeliverStep {
                receiver,
                stamped_at: d.stamped_at,
                delivery: bytes(id, "delivery", &d.delivery)?,
                r: array(id, "r", &d.r)?,
                outcome,
                receipt,
                receiver_state,
                note: note(id, d.note)?,
            })
        }
        RawFrankingStep::Report(s) => {
            let reporter: Party = s.reporter.into();
            let plaintext = bytes(id, "plaintext", &s.plaintext)?;
            match earlier.get(s.delivered_at) {
                Some(FrankingStep::FrankDeliver(d))
                    if d.receiver == reporter && d.outcome == Outcome::Ok(plaintext.clone()) => {}
                _ => {
                    return Err(invalid(
                        id,
                        "delivered_at",
                        "must be an earlier delivery the reporter accepted, of this plaintext",
                    ));
                }
            }
            FrankingStep::Report(ReportStep {
                reporter,
                delivered_at: s.delivered_at,
                plaintext,
                report: bytes(id, "report", &s.report)?,
                note: note(id, s.note)?,
            })
        }
        RawFrankingStep::VerifyReport(s) => {
            if !matches!(earlier.get(s.reported_at), Some(FrankingStep::Report(_))) {
                return Err(invalid(id, "reported_at", "must be an earlier report step"));
            }
            let outcome = verdict(id, &s.outcome)?;
            FrankingStep::VerifyReport(VerifyReportStep {
                reported_at: s.reported_at,
                reporter: s.reporter.into(),
                verified: verified_fields(id, &outcome, s.verified.as_ref())?,
                outcome,
                note: note(id, s.note)?,
            })
        }
    })
}
