//! Typed to stored: the public types written as their JSON shapes.

use super::*;

pub(super) fn opt_hex(value: Option<&[u8]>) -> Option<String> {
    value.map(hex::encode)
}

impl From<Party> for RawParty {
    fn from(party: Party) -> Self {
        match party {
            Party::Alice => RawParty::Alice,
            Party::Bob => RawParty::Bob,
        }
    }
}

impl From<RawParty> for Party {
    fn from(party: RawParty) -> Self {
        match party {
            RawParty::Alice => Party::Alice,
            RawParty::Bob => Party::Bob,
        }
    }
}

impl From<&PqxdhVector> for RawPqxdh {
    fn from(v: &PqxdhVector) -> Self {
        RawPqxdh {
            id: v.id.clone(),
            source: v.source.clone(),
            description: v.description.clone(),
            ik_a_private: hex::encode(v.ik_a_private),
            ik_a: hex::encode(v.ik_a),
            ek_a_private: hex::encode(v.ek_a_private),
            ek_a: hex::encode(v.ek_a),
            m: hex::encode(v.m),
            ik_b_private: hex::encode(v.ik_b_private),
            ik_b: hex::encode(v.ik_b),
            spk_id: v.spk_id,
            spk_b_private: hex::encode(v.spk_b_private),
            spk_b: hex::encode(v.spk_b),
            pqpk_id: v.pqpk_id,
            pq_last_resort: v.pq_last_resort,
            pqpk_d: hex::encode(v.pqpk_d),
            pqpk_z: hex::encode(v.pqpk_z),
            pqpk_b: hex::encode(&v.pqpk_b),
            pqpk_b_private: hex::encode(&v.pqpk_b_private),
            opk: v.opk.as_ref().map(|opk| RawOpk {
                id: opk.id,
                private: hex::encode(opk.private),
                public: hex::encode(opk.public),
            }),
            z_spk: hex::encode(v.z_spk),
            z_pqpk: hex::encode(v.z_pqpk),
            spk_sig: hex::encode(v.spk_sig),
            pqpk_sig: hex::encode(v.pqpk_sig),
            bundle: hex::encode(&v.bundle),
            dh1: hex::encode(v.dh1),
            dh2: hex::encode(v.dh2),
            dh3: hex::encode(v.dh3),
            dh4: opt_hex(v.dh4.as_ref().map(|d| d.as_slice())),
            ss: hex::encode(v.ss),
            ct: hex::encode(&v.ct),
            sk: hex::encode(v.sk),
            ad: hex::encode(v.ad),
            prekey_header: hex::encode(&v.prekey_header),
            th: hex::encode(v.th),
        }
    }
}

impl From<&Conversation> for RawConversation {
    fn from(c: &Conversation) -> Self {
        let mut steps = Vec::with_capacity(c.steps.len());
        for step in &c.steps {
            steps.push(match step {
                Step::Send(s) => RawStep::Send(RawSend {
                    note: s.note.clone(),
                    sender: s.sender.into(),
                    plaintext: hex::encode(&s.plaintext),
                    ck_before: hex::encode(s.ck_before),
                    ck_after: hex::encode(s.ck_after),
                    mk: hex::encode(s.mk),
                    aead_key: hex::encode(s.aead_key),
                    aead_nonce: hex::encode(s.aead_nonce),
                    dh: hex::encode(s.dh),
                    pn: s.pn,
                    n: s.n,
                    wire: hex::encode(&s.wire),
                    sender_state: hex::encode(&s.sender_state),
                }),
                Step::SendLost(s) => RawStep::SendLost(RawSendLost {
                    note: s.note.clone(),
                    sender: s.sender.into(),
                    plaintext: hex::encode(&s.plaintext),
                    count: s.count,
                    sender_state: hex::encode(&s.sender_state),
                }),
                Step::Deliver(d) => {
                    let (outcome, plaintext) = match &d.outcome {
                        Outcome::Ok(plaintext) => ("ok".to_owned(), Some(hex::encode(plaintext))),
                        Outcome::Rejected(error) => (error.clone(), None),
                    };
                    RawStep::Deliver(RawDeliver {
                        note: d.note.clone(),
                        receiver: d.receiver.into(),
                        sent_at: d.sent_at,
                        wire: hex::encode(&d.wire),
                        r: hex::encode(d.r),
                        outcome,
                        plaintext,
                        receiver_state: hex::encode(&d.receiver_state),
                    })
                }
            });
        }
        RawConversation {
            id: c.id.clone(),
            source: c.source.clone(),
            description: c.description.clone(),
            handshake: c.handshake.clone(),
            alice_r: hex::encode(c.alice_r),
            alice_state: hex::encode(&c.alice_state),
            steps,
        }
    }
}

impl From<&StateVector> for RawState {
    fn from(v: &StateVector) -> Self {
        let mut skipped = Vec::with_capacity(v.skipped.len());
        for key in &v.skipped {
            skipped.push(RawSkipped {
                dh: hex::encode(key.dh),
                n: key.n,
                mk: hex::encode(key.mk),
            });
        }
        RawState {
            id: v.id.clone(),
            source: v.source.clone(),
            description: v.description.clone(),
            encoding: hex::encode(&v.encoding),
            flags: v.flags,
            ad: hex::encode(v.ad),
            dhs: hex::encode(v.dhs),
            dhr: opt_hex(v.dhr.as_ref().map(|k| k.as_slice())),
            rk: hex::encode(v.rk),
            cks: opt_hex(v.cks.as_ref().map(|k| k.as_slice())),
            ckr: opt_hex(v.ckr.as_ref().map(|k| k.as_slice())),
            ns: v.ns,
            nr: v.nr,
            pn: v.pn,
            prekey_hash: opt_hex(v.prekey_hash.as_ref().map(|k| k.as_slice())),
            skipped,
            pending_prekey: opt_hex(v.pending_prekey.as_deref()),
        }
    }
}

pub(super) fn verdict_name(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Ok => "ok".to_owned(),
        Verdict::Rejected(error) => error.clone(),
    }
}

/// An [`Outcome`] as the stored `outcome` and output fields.
pub(super) fn outcome_fields(outcome: &Outcome) -> (String, Option<String>) {
    match outcome {
        Outcome::Ok(output) => ("ok".to_owned(), Some(hex::encode(output))),
        Outcome::Rejected(error) => (error.clone(), None),
    }
}

impl From<&DecodingVector> for RawDecoding {
    fn from(v: &DecodingVector) -> Self {
        RawDecoding {
            id: v.id.clone(),
            source: v.source.clone(),
            description: v.description.clone(),
            structure: match v.structure {
                Structure::Message => RawStructure::Message,
                Structure::Bundle => RawStructure::Bundle,
            },
            encoding: hex::encode(&v.encoding),
            outcome: verdict_name(&v.outcome),
        }
    }
}

impl From<&VerificationVector> for RawVerification {
    fn from(v: &VerificationVector) -> Self {
        RawVerification {
            id: v.id.clone(),
            source: v.source.clone(),
            description: v.description.clone(),
            handshake: v.handshake.clone(),
            bundle: hex::encode(&v.bundle),
            outcome: verdict_name(&v.outcome),
        }
    }
}

impl From<&DecapsulationKeyVector> for RawDecapsulationKey {
    fn from(v: &DecapsulationKeyVector) -> Self {
        RawDecapsulationKey {
            id: v.id.clone(),
            source: v.source.clone(),
            description: v.description.clone(),
            dk: hex::encode(&v.dk),
            outcome: verdict_name(&v.outcome),
        }
    }
}

impl From<&SessionVector> for RawSession {
    fn from(v: &SessionVector) -> Self {
        let (outcome, output) = outcome_fields(&v.outcome);
        RawSession {
            id: v.id.clone(),
            source: v.source.clone(),
            description: v.description.clone(),
            state: hex::encode(&v.state),
            action: match v.action {
                SessionAction::Encrypt => RawAction::Encrypt,
                SessionAction::Decrypt => RawAction::Decrypt,
            },
            input: hex::encode(&v.input),
            r: v.r.map(hex::encode),
            outcome,
            output,
            state_after: hex::encode(&v.state_after),
        }
    }
}

impl From<&AcceptVector> for RawAccept {
    fn from(v: &AcceptVector) -> Self {
        let mut deliveries = Vec::with_capacity(v.deliveries.len());
        for d in &v.deliveries {
            let (outcome, plaintext) = outcome_fields(&d.outcome);
            deliveries.push(RawAcceptDelivery {
                note: d.note.clone(),
                wire: hex::encode(&d.wire),
                r: hex::encode(d.r),
                outcome,
                plaintext,
                state: opt_hex(d.state.as_deref()),
            });
        }
        RawAccept {
            id: v.id.clone(),
            source: v.source.clone(),
            description: v.description.clone(),
            handshake: v.handshake.clone(),
            deliveries,
        }
    }
}

fn raw_verified(v: &VerifiedReportFields) -> RawVerified {
    RawVerified {
        sender: hex::encode(&v.sender),
        recipient: hex::encode(&v.recipient),
        t: v.t,
        m: hex::encode(&v.m),
    }
}

impl From<&CommitVector> for RawCommit {
    fn from(v: &CommitVector) -> Self {
        RawCommit {
            id: v.id.clone(),
            source: v.source.clone(),
            description: v.description.clone(),
            fk: hex::encode(v.fk),
            sender: hex::encode(&v.sender),
            recipient: hex::encode(&v.recipient),
            m: hex::encode(&v.m),
            outcome: verdict_name(&v.outcome),
            c: v.c.map(hex::encode),
        }
    }
}

impl From<&StampTagVector> for RawStampTag {
    fn from(v: &StampTagVector) -> Self {
        RawStampTag {
            id: v.id.clone(),
            source: v.source.clone(),
            description: v.description.clone(),
            kp: hex::encode(v.kp),
            c: hex::encode(v.c),
            sender: hex::encode(&v.sender),
            recipient: hex::encode(&v.recipient),
            t: v.t,
            outcome: verdict_name(&v.outcome),
            tag: v.tag.map(hex::encode),
        }
    }
}

impl From<&ReportVector> for RawReport {
    fn from(v: &ReportVector) -> Self {
        RawReport {
            id: v.id.clone(),
            source: v.source.clone(),
            description: v.description.clone(),
            kp: hex::encode(v.kp),
            reporter: hex::encode(&v.reporter),
            report: hex::encode(&v.report),
            outcome: verdict_name(&v.outcome),
            verified: v.verified.as_ref().map(raw_verified),
        }
    }
}

impl From<&FrankedDecodingVector> for RawFrankedDecoding {
    fn from(v: &FrankedDecodingVector) -> Self {
        RawFrankedDecoding {
            id: v.id.clone(),
            source: v.source.clone(),
            description: v.description.clone(),
            structure: match v.structure {
                FrankedStructure::Submission => RawFrankedStructure::Submission,
                FrankedStructure::Delivery => RawFrankedStructure::Delivery,
                FrankedStructure::Report => RawFrankedStructure::Report,
            },
            encoding: hex::encode(&v.encoding),
            outcome: verdict_name(&v.outcome),
        }
    }
}

impl From<&FrankingStep> for RawFrankingStep {
    fn from(step: &FrankingStep) -> Self {
        match step {
            FrankingStep::FrankEncrypt(s) => RawFrankingStep::FrankEncrypt(RawFrankEncrypt {
                note: s.note.clone(),
                sender: s.sender.into(),
                fk: hex::encode(s.fk),
                plaintext: hex::encode(&s.plaintext),
                c: hex::encode(s.c),
                submission: hex::encode(&s.submission),
                sender_state: hex::encode(&s.sender_state),
            }),
            FrankingStep::Stamp(s) => RawFrankingStep::Stamp(RawStamp {
                note: s.note.clone(),
                sent_at: s.sent_at,
                submission: hex::encode(&s.submission),
                t: s.t,
                tag: hex::encode(s.tag),
                delivery: hex::encode(&s.delivery),
            }),
            FrankingStep::FrankDeliver(d) => {
                let (outcome, plaintext) = outcome_fields(&d.outcome);
                RawFrankingStep::FrankDeliver(RawFrankDeliver {
                    note: d.note.clone(),
                    receiver: d.receiver.into(),
                    stamped_at: d.stamped_at,
                    delivery: hex::encode(&d.delivery),
                    r: hex::encode(d.r),
                    outcome,
                    plaintext,
                    receipt: d.receipt.map(|receipt| RawReceipt {
                        t: receipt.t,
                        c: hex::encode(receipt.c),
                        tag: hex::encode(receipt.tag),
                        fk: hex::encode(receipt.fk),
                    }),
                    receiver_state: opt_hex(d.receiver_state.as_deref()),
                })
            }
            FrankingStep::Report(s) => RawFrankingStep::Report(RawReportStep {
                note: s.note.clone(),
                reporter: s.reporter.into(),
                delivered_at: s.delivered_at,
                plaintext: hex::encode(&s.plaintext),
                report: hex::encode(&s.report),
            }),
            FrankingStep::VerifyReport(s) => RawFrankingStep::VerifyReport(RawVerifyReport {
                note: s.note.clone(),
                reported_at: s.reported_at,
                reporter: s.reporter.into(),
                outcome: verdict_name(&s.outcome),
                verified: s.verified.as_ref().map(raw_verified),
            }),
        }
    }
}

impl From<&FrankingFlow> for RawFrankingFlow {
    fn from(f: &FrankingFlow) -> Self {
        RawFrankingFlow {
            id: f.id.clone(),
            source: f.source.clone(),
            description: f.description.clone(),
            handshake: f.handshake.clone(),
            alice_r: hex::encode(f.alice_r),
            alice_state: hex::encode(&f.alice_state),
            alice_id: hex::encode(&f.alice_id),
            bob_id: hex::encode(&f.bob_id),
            kp: hex::encode(f.kp),
            steps: f.steps.iter().map(RawFrankingStep::from).collect(),
        }
    }
}
