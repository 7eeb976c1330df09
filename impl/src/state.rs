//! docs/SPEC.md §6: the canonical encoding of a session state, byte for byte the
//! encoding of `lockstep_spec::state`, so the two implementations' states compare.
//!
//! Mirrors `lockstep_spec::state`: [`encode_state`] and [`decode_state`], with the
//! same checks in the same order. The encoding holds secrets; the buffers returned
//! are [`Zeroizing`].

use zeroize::Zeroizing;

use crate::Error;
use crate::consts::{
    AD_LEN, MAX_STORED_SKIPPED_KEYS, PREKEY_HEADER_LEN, SKIPPED_KEY_LEN, STATE_FIXED_LEN,
    STATE_FLAG_CKR, STATE_FLAG_CKS, STATE_FLAG_DHR, STATE_FLAG_PENDING_PREKEY,
    STATE_FLAG_PREKEY_HASH, STATE_FLAGS_RESERVED, STATE_OFFSET_AD, STATE_OFFSET_CKR,
    STATE_OFFSET_CKS, STATE_OFFSET_COUNT, STATE_OFFSET_DHR, STATE_OFFSET_DHS, STATE_OFFSET_FLAGS,
    STATE_OFFSET_NR, STATE_OFFSET_NS, STATE_OFFSET_PN, STATE_OFFSET_PREKEY_HASH, STATE_OFFSET_RK,
    VERSION,
};
use crate::ratchet::{ChainKey, MessageKey, Origin, Receiving, RootKey, SkippedKeys, State};
use crate::x25519::PrivateKey;

const KEY_LEN: usize = 32;

/// SPEC §6: the flags byte of a state.
fn flags(state: &State) -> u8 {
    let mut flags = 0;
    if state.receiving.is_some() {
        flags |= STATE_FLAG_DHR;
    }
    if state.cks.is_some() {
        flags |= STATE_FLAG_CKS;
    }
    if state.receiving.as_ref().is_some_and(|r| r.ckr.is_some()) {
        flags |= STATE_FLAG_CKR;
    }
    if state.origin.pending_prekey().is_some() {
        flags |= STATE_FLAG_PENDING_PREKEY;
    }
    if state.origin.prekey_hash().is_some() {
        flags |= STATE_FLAG_PREKEY_HASH;
    }
    flags
}

/// SPEC §6: the canonical encoding of a session state.
#[must_use]
pub fn encode_state(state: &State) -> Zeroizing<Vec<u8>> {
    let pending_len = if state.origin.pending_prekey().is_some() {
        PREKEY_HEADER_LEN
    } else {
        0
    };
    let mut out = Zeroizing::new(Vec::with_capacity(
        STATE_FIXED_LEN + SKIPPED_KEY_LEN * state.skipped.len() + pending_len,
    ));
    out.push(VERSION);
    out.push(flags(state));
    out.extend_from_slice(&state.ad);
    out.extend_from_slice(&state.dhs.to_bytes()[..]);
    let receiving = state.receiving.as_ref();
    out.extend_from_slice(&receiving.map_or([0u8; KEY_LEN], |r| r.dhr));
    out.extend_from_slice(state.rk.expose_secret());
    match &state.cks {
        Some(cks) => out.extend_from_slice(cks.expose_secret()),
        None => out.extend_from_slice(&[0u8; KEY_LEN]),
    }
    match receiving.and_then(|r| r.ckr.as_ref()) {
        Some(ckr) => out.extend_from_slice(ckr.expose_secret()),
        None => out.extend_from_slice(&[0u8; KEY_LEN]),
    }
    out.extend_from_slice(&state.ns.to_be_bytes());
    out.extend_from_slice(&state.nr.to_be_bytes());
    out.extend_from_slice(&state.pn.to_be_bytes());
    out.extend_from_slice(state.origin.prekey_hash().unwrap_or(&[0u8; KEY_LEN]));
    // At most MAX_STORED_SKIPPED_KEYS keys, by construction.
    let count = u32::try_from(state.skipped.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&count.to_be_bytes());
    for (dh, n, mk) in state.skipped.iter_oldest_first() {
        out.extend_from_slice(dh);
        out.extend_from_slice(&n.to_be_bytes());
        out.extend_from_slice(mk.expose_secret());
    }
    if let Some(pending_prekey) = state.origin.pending_prekey() {
        out.extend_from_slice(pending_prekey);
    }
    out
}

/// The 32 bytes at `offset`; the caller has checked the length.
fn key_at(bytes: &[u8], offset: usize) -> Result<[u8; KEY_LEN], Error> {
    bytes
        .get(offset..)
        .and_then(|rest| rest.first_chunk::<KEY_LEN>())
        .copied()
        .ok_or(Error::InvalidState)
}

/// `u32be` at `offset`; the caller has checked the length.
fn u32_at(bytes: &[u8], offset: usize) -> Result<u32, Error> {
    bytes
        .get(offset..)
        .and_then(|rest| rest.first_chunk::<4>())
        .map(|b| u32::from_be_bytes(*b))
        .ok_or(Error::InvalidState)
}

/// SPEC §6: an optional 32-byte field: present if its flag is set, else it must be
/// `0^32`.
fn present(bytes: &[u8], flags: u8, flag: u8, offset: usize) -> Result<Option<[u8; 32]>, Error> {
    let value = key_at(bytes, offset)?;
    if flags & flag != 0 {
        return Ok(Some(value));
    }
    if value != [0u8; KEY_LEN] {
        return Err(Error::InvalidState);
    }
    Ok(None)
}

/// SPEC §6: the skipped keys, refusing two under one `(dh, n)`.
fn decode_skipped_keys(bytes: &[u8], count: usize) -> Result<SkippedKeys, Error> {
    let mut skipped = SkippedKeys::default();
    for i in 0..count {
        let offset = STATE_FIXED_LEN + i * SKIPPED_KEY_LEN;
        let dh = key_at(bytes, offset)?;
        let n = u32_at(bytes, offset + KEY_LEN)?;
        let mk = MessageKey::from_bytes(key_at(bytes, offset + KEY_LEN + 4)?);
        if skipped.contains(&dh, n) {
            return Err(Error::InvalidState);
        }
        skipped.store(dh, n, mk);
    }
    Ok(skipped)
}

/// SPEC §6: decodes a session state, strictly, with the spec's checks in the spec's
/// order.
///
/// # Errors
/// [`Error::UnknownVersion`] if the first byte is not `VERSION`;
/// [`Error::InvalidState`] for an empty input and every other case SPEC §6 lists.
pub fn decode_state(bytes: &[u8]) -> Result<State, Error> {
    match bytes.first() {
        None => return Err(Error::InvalidState),
        Some(&VERSION) => {}
        Some(_) => return Err(Error::UnknownVersion),
    }
    if bytes.len() < STATE_FIXED_LEN {
        return Err(Error::InvalidState);
    }
    let flags = bytes[STATE_OFFSET_FLAGS];
    if flags & STATE_FLAGS_RESERVED != 0 {
        return Err(Error::InvalidState);
    }
    if flags & STATE_FLAG_PENDING_PREKEY != 0 && flags & STATE_FLAG_PREKEY_HASH != 0 {
        return Err(Error::InvalidState);
    }
    if flags & STATE_FLAG_CKR != 0 && flags & STATE_FLAG_DHR == 0 {
        return Err(Error::InvalidState);
    }
    let count = match usize::try_from(u32_at(bytes, STATE_OFFSET_COUNT)?) {
        Ok(count) if count <= MAX_STORED_SKIPPED_KEYS => count,
        _ => return Err(Error::InvalidState),
    };
    let mut expected_len = STATE_FIXED_LEN + SKIPPED_KEY_LEN * count;
    if flags & STATE_FLAG_PENDING_PREKEY != 0 {
        expected_len += PREKEY_HEADER_LEN;
    }
    if bytes.len() != expected_len {
        return Err(Error::InvalidState);
    }
    let dhr = present(bytes, flags, STATE_FLAG_DHR, STATE_OFFSET_DHR)?;
    let cks = present(bytes, flags, STATE_FLAG_CKS, STATE_OFFSET_CKS)?.map(ChainKey::from_bytes);
    let ckr = present(bytes, flags, STATE_FLAG_CKR, STATE_OFFSET_CKR)?.map(ChainKey::from_bytes);
    let prekey_hash: Option<[u8; KEY_LEN]> = present(
        bytes,
        flags,
        STATE_FLAG_PREKEY_HASH,
        STATE_OFFSET_PREKEY_HASH,
    )?;
    let skipped = decode_skipped_keys(bytes, count)?;
    let pending_prekey = if flags & STATE_FLAG_PENDING_PREKEY != 0 {
        let offset = STATE_FIXED_LEN + SKIPPED_KEY_LEN * count;
        Some(bytes[offset..].to_vec())
    } else {
        None
    };
    // The flags checks above refused both at once, and CKr without DHr.
    let origin = match prekey_hash {
        Some(prekey_hash) => Origin::Responder { prekey_hash },
        None => Origin::Initiator { pending_prekey },
    };
    let receiving = match (dhr, ckr) {
        (Some(dhr), ckr) => Some(Receiving { dhr, ckr }),
        (None, None) => None,
        (None, Some(_)) => return Err(Error::InvalidState),
    };
    let mut ad = [0u8; AD_LEN];
    ad.copy_from_slice(&bytes[STATE_OFFSET_AD..STATE_OFFSET_AD + AD_LEN]);
    let dhs = PrivateKey::from_bytes(key_at(bytes, STATE_OFFSET_DHS)?);
    Ok(State {
        ad,
        dhs_public: *dhs.public_key().as_bytes(),
        dhs,
        receiving,
        rk: RootKey::from_bytes(key_at(bytes, STATE_OFFSET_RK)?),
        cks,
        ns: u32_at(bytes, STATE_OFFSET_NS)?,
        nr: u32_at(bytes, STATE_OFFSET_NR)?,
        pn: u32_at(bytes, STATE_OFFSET_PN)?,
        skipped,
        origin,
    })
}
