//! SPEC §9.3's byte layouts, written again from the text for the harness: the
//! invariants work on these structures, and the real scheme turns them into the
//! bytes `lockstep::franking` reads and back. Decoding here is only as strict as the
//! harness needs (the implementation's and the spec's decoders are what the vectors
//! and the fuzz target check).

use super::scheme::{Ctx, Refusal};

/// SPEC §1 `VERSION`.
const VERSION: u8 = 0x01;
/// SPEC §9.1 `MSG_FRANKED`.
const MSG_FRANKED: u8 = 0x11;
/// SPEC §9.1 `MSG_STAMPED`.
const MSG_STAMPED: u8 = 0x12;
/// SPEC §9.1 `MSG_REPORT`.
const MSG_REPORT: u8 = 0x13;

/// A sender's submission (SPEC §9.3): the commitment and the ratchet message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    /// The commitment `c` (32 bytes in SPEC §9; other lengths in broken variants).
    pub c: Vec<u8>,
    /// The ratchet or PreKey message.
    pub inner: Vec<u8>,
}

/// The platform's delivery (SPEC §9.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The platform's time.
    pub t: u64,
    /// The commitment.
    pub c: Vec<u8>,
    /// The stamp tag.
    pub tag: Vec<u8>,
    /// The ratchet or PreKey message.
    pub inner: Vec<u8>,
}

/// A report (SPEC §9.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The sender and recipient it names.
    pub ctx: Ctx,
    /// The stamp's time.
    pub t: u64,
    /// The commitment.
    pub c: Vec<u8>,
    /// The stamp tag.
    pub tag: Vec<u8>,
    /// The franking key.
    pub fk: Vec<u8>,
    /// The reported message.
    pub m: Vec<u8>,
}

/// `InvalidMessage`, as the harness's decoders say it.
fn invalid() -> Refusal {
    Refusal("InvalidMessage".to_owned())
}

/// Splits `n` bytes off the front of `bytes`.
fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Result<&'a [u8], Refusal> {
    let (head, rest) = bytes.split_at_checked(n).ok_or_else(invalid)?;
    *bytes = rest;
    Ok(head)
}

/// A `u64be`.
fn take_u64(bytes: &mut &[u8]) -> Result<u64, Refusal> {
    let raw: [u8; 8] = take(bytes, 8)?.try_into().map_err(|_| invalid())?;
    Ok(u64::from_be_bytes(raw))
}

/// `VERSION ‖ kind`.
fn take_header(bytes: &mut &[u8], kind: u8) -> Result<(), Refusal> {
    if take(bytes, 2)? == [VERSION, kind] {
        Ok(())
    } else {
        Err(invalid())
    }
}

/// `Id(x)`, 1 to 64 bytes.
fn take_id(bytes: &mut &[u8]) -> Result<Vec<u8>, Refusal> {
    let len = usize::from(*take(bytes, 1)?.first().ok_or_else(invalid)?);
    if !(1..=64).contains(&len) {
        return Err(invalid());
    }
    Ok(take(bytes, len)?.to_vec())
}

/// `Id(x)`, refusing identifiers outside 1 to 64 bytes.
fn push_id(out: &mut Vec<u8>, id: &[u8]) -> Result<(), Refusal> {
    let len = u8::try_from(id.len()).map_err(|_| invalid())?;
    if !(1..=64).contains(&len) {
        return Err(invalid());
    }
    out.push(len);
    out.extend_from_slice(id);
    Ok(())
}

/// SPEC §9.3: a submission's bytes.
#[must_use]
pub fn encode_submission(s: &Submission) -> Vec<u8> {
    [&[VERSION, MSG_FRANKED][..], &s.c, &s.inner].concat()
}

/// SPEC §9.3: a submission from its bytes.
///
/// # Errors
/// Bytes that are not a submission.
pub fn decode_submission(mut bytes: &[u8]) -> Result<Submission, Refusal> {
    take_header(&mut bytes, MSG_FRANKED)?;
    let c = take(&mut bytes, 32)?.to_vec();
    Ok(Submission {
        c,
        inner: bytes.to_vec(),
    })
}

/// SPEC §9.3: a delivery's bytes.
#[must_use]
pub fn encode_delivery(d: &Delivery) -> Vec<u8> {
    [
        &[VERSION, MSG_STAMPED][..],
        &d.t.to_be_bytes(),
        &d.c,
        &d.tag,
        &d.inner,
    ]
    .concat()
}

/// SPEC §9.3: a delivery from its bytes.
///
/// # Errors
/// Bytes that are not a delivery.
pub fn decode_delivery(mut bytes: &[u8]) -> Result<Delivery, Refusal> {
    take_header(&mut bytes, MSG_STAMPED)?;
    let t = take_u64(&mut bytes)?;
    let c = take(&mut bytes, 32)?.to_vec();
    let tag = take(&mut bytes, 32)?.to_vec();
    Ok(Delivery {
        t,
        c,
        tag,
        inner: bytes.to_vec(),
    })
}

/// SPEC §9.3: a report's bytes.
///
/// # Errors
/// `InvalidMessage` if an identifier is not 1 to 64 bytes or a fixed field has
/// another length than 32 bytes (such a report has no encoding).
pub fn encode_report(r: &Report) -> Result<Vec<u8>, Refusal> {
    let mut out = vec![VERSION, MSG_REPORT];
    push_id(&mut out, &r.ctx.sender)?;
    push_id(&mut out, &r.ctx.recipient)?;
    out.extend_from_slice(&r.t.to_be_bytes());
    for field in [&r.c, &r.tag, &r.fk] {
        if field.len() != 32 {
            return Err(invalid());
        }
        out.extend_from_slice(field);
    }
    out.extend_from_slice(&r.m);
    Ok(out)
}

/// SPEC §9.3: a report from its bytes.
///
/// # Errors
/// Bytes that are not a report.
pub fn decode_report(mut bytes: &[u8]) -> Result<Report, Refusal> {
    take_header(&mut bytes, MSG_REPORT)?;
    let sender = take_id(&mut bytes)?;
    let recipient = take_id(&mut bytes)?;
    let t = take_u64(&mut bytes)?;
    let c = take(&mut bytes, 32)?.to_vec();
    let tag = take(&mut bytes, 32)?.to_vec();
    let fk = take(&mut bytes, 32)?.to_vec();
    Ok(Report {
        ctx: Ctx { sender, recipient },
        t,
        c,
        tag,
        fk,
        m: bytes.to_vec(),
    })
}
