"""PQXDH (SPEC §3) and the Double Ratchet (SPEC §4), state encoding (§6)."""

import struct
from collections import OrderedDict

import xeddsa
from primitives import (LockstepError, dh, hkdf, hmac_sha256, sha256,
                        aead_encrypt, aead_decrypt, x25519_public,
                        kem_keygen, kem_encaps, kem_decaps, kem_ek_modulus_ok)
from wire import (Bundle, encode_ec, encode_kem, encode_bundle, ratchet_header,
                  prekey_header, decode_ratchet, MAX_PLAINTEXT_LEN)

INFO_PQXDH = b"Lockstep_X25519_SHA-256_ML-KEM-1024"
INFO_RATCHET = b"Lockstep_Ratchet"
INFO_MESSAGE_KEYS = b"Lockstep_MessageKeys"
F = b"\xff" * 32
MAX_SKIP = 2000
MAX_STORED_SKIPPED_KEYS = 2000
U32_MAX = 2**32 - 1
ZERO32 = bytes(32)

# Deliberate flaws (README.md), set by shim.py from LOCKSTEP_SHIM_FLAW.
FLAW = ""


# ---------------------------------------------------------------- KDFs

def kdf_rk(rk, dh_out):
    okm = hkdf(rk, dh_out, INFO_RATCHET, 64)
    return okm[:32], okm[32:]


def kdf_ck(ck):
    return hmac_sha256(ck, b"\x02"), hmac_sha256(ck, b"\x01")


def _message_key_material(mk):
    okm = hkdf(ZERO32, mk, INFO_MESSAGE_KEYS, 44)
    return okm[:32], okm[32:44]


def encrypt_mk(mk, pt, ad):
    key, nonce = _message_key_material(mk)
    return aead_encrypt(key, nonce, ad, pt)


def decrypt_mk(mk, ct, ad):
    key, nonce = _message_key_material(mk)
    return aead_decrypt(key, nonce, ad, ct)


# ---------------------------------------------------------------- state

class Session:
    __slots__ = ("ad", "dhs_priv", "dhs_pub", "dhr", "rk", "cks", "ckr",
                 "ns", "nr", "pn", "skipped", "pending_prekey", "prekey_hash")

    def __init__(self):
        self.ad = None
        self.dhs_priv = None
        self.dhs_pub = None
        self.dhr = None
        self.rk = None
        self.cks = None
        self.ckr = None
        self.ns = self.nr = self.pn = 0
        self.skipped = OrderedDict()     # (dh, n) -> mk, oldest first
        self.pending_prekey = None
        self.prekey_hash = None

    def copy(self):
        c = Session.__new__(Session)
        for f in Session.__slots__:
            setattr(c, f, getattr(self, f))
        c.skipped = OrderedDict(self.skipped)
        return c

    def assign(self, other):
        for f in Session.__slots__:
            setattr(self, f, getattr(other, f))

    def encode(self) -> bytes:
        """SPEC §6."""
        flags = 0
        if self.dhr is not None:
            flags |= 1
        if self.cks is not None:
            flags |= 2
        if self.ckr is not None:
            flags |= 4
        if self.pending_prekey is not None:
            flags |= 8
        if self.prekey_hash is not None:
            flags |= 16
        parts = [bytes([1, flags]), self.ad, self.dhs_priv,
                 self.dhr or ZERO32, self.rk, self.cks or ZERO32,
                 self.ckr or ZERO32,
                 struct.pack(">III", self.ns, self.nr, self.pn),
                 self.prekey_hash or ZERO32,
                 struct.pack(">I", len(self.skipped))]
        for (kdh, kn), mk in self.skipped.items():
            parts.append(kdh + struct.pack(">I", kn) + mk)
        if self.pending_prekey is not None:
            parts.append(self.pending_prekey)
        return b"".join(parts)


def _store_skipped(st, dh_pub, n, mk):
    key = (dh_pub, n)
    if key in st.skipped:
        del st.skipped[key]
    st.skipped[key] = mk
    if len(st.skipped) > MAX_STORED_SKIPPED_KEYS:
        st.skipped.popitem(last=False)


def ratchet_init_alice(sk, spk_b, r, ad):
    st = Session()
    st.ad = ad
    st.dhs_priv = r
    st.dhs_pub = x25519_public(r)
    st.dhr = spk_b
    st.rk, st.cks = kdf_rk(sk, dh(r, spk_b))
    return st


def ratchet_init_bob(sk, spk_priv, ad):
    st = Session()
    st.ad = ad
    st.dhs_priv = spk_priv
    st.dhs_pub = x25519_public(spk_priv)
    st.rk = sk
    return st


def ratchet_encrypt(st, pt):
    """SPEC §4.5; mutates st only on success. Returns the wire message."""
    if st.cks is None:
        raise LockstepError("NoSendingChain")
    if st.ns == U32_MAX:
        raise LockstepError("ChainExhausted")
    if len(pt) > MAX_PLAINTEXT_LEN:
        raise LockstepError("MessageTooLarge")
    cks, mk = kdf_ck(st.cks)
    h = ratchet_header(st.dhs_pub, st.pn, st.ns)
    ct = encrypt_mk(mk, pt, st.ad + h)
    st.cks = cks
    st.ns += 1
    msg = h + ct
    if st.pending_prekey is not None:
        msg = st.pending_prekey + msg
    return msg


def _skip_message_keys(st, until):
    if st.ckr is None:
        return
    if st.nr + MAX_SKIP < until:
        raise LockstepError("TooManySkipped")
    ckr, nr = st.ckr, st.nr
    while nr < until:
        ckr, mk = kdf_ck(ckr)
        _store_skipped(st, st.dhr, nr, mk)
        nr += 1
    st.ckr, st.nr = ckr, nr


def _dh_ratchet(st, h_dh, r):
    st.pn = st.ns
    st.ns = 0
    st.nr = 0
    st.dhr = h_dh
    st.rk, st.ckr = kdf_rk(st.rk, dh(st.dhs_priv, st.dhr))
    st.dhs_priv = r
    st.dhs_pub = x25519_public(r)
    st.rk, st.cks = kdf_rk(st.rk, dh(st.dhs_priv, st.dhr))


def ratchet_decrypt(state, m, r):
    """SPEC §4.6, transactional: `state` changes only if the message
    decrypts (except under the deliberate flaw `not-transactional`)."""
    key = (m.dh, m.n)
    if key in state.skipped:
        mk = state.skipped[key]
        pt = decrypt_mk(mk, m.ct, state.ad + m.header)
        if FLAW != "skipped-not-removed":
            del state.skipped[key]
        return pt
    if FLAW != "no-duplicate-check":
        if state.dhr is not None and m.dh == state.dhr and m.n < state.nr:
            raise LockstepError("Duplicate")
    st = state.copy()
    stepped = False
    if st.dhr is None or m.dh != st.dhr:
        _skip_message_keys(st, m.pn)
        _dh_ratchet(st, m.dh, r)
        stepped = True
    _skip_message_keys(st, m.n)
    if st.ckr is None:
        raise LockstepError("DecryptionFailed")
    st.ckr, mk = kdf_ck(st.ckr)
    if st.nr == U32_MAX:
        raise LockstepError("ChainExhausted")
    st.nr += 1
    try:
        pt = decrypt_mk(mk, m.ct, st.ad + m.header)
    except LockstepError:
        if FLAW == "not-transactional" and stepped:
            state.assign(st)          # the bug: committed before the tag check
        raise
    state.assign(st)
    return pt


# ---------------------------------------------------------------- PQXDH

def make_ad(ik_a_pub, ik_b_pub):
    return encode_ec(ik_a_pub) + encode_ec(ik_b_pub)


def verify_bundle(b: Bundle):
    """SPEC §3.3."""
    if not xeddsa.verify(b.ik, encode_ec(b.spk), b.spk_sig):
        raise LockstepError("InvalidSignature")
    if not xeddsa.verify(b.ik, encode_kem(b.pqpk), b.pqpk_sig):
        raise LockstepError("InvalidSignature")
    if not kem_ek_modulus_ok(b.pqpk):
        raise LockstepError("InvalidKey")


def initiate(ik_a, b: Bundle, ek_a, m, r):
    """SPEC §3.4 + §3.6 (Alice). `b` is decoded and verified."""
    ik_a_pub = x25519_public(ik_a)
    ek_a_pub = x25519_public(ek_a)
    dh1 = dh(ik_a, b.spk)
    dh2 = dh(ek_a, b.ik)
    dh3 = dh(ek_a, b.spk)
    dhs = dh1 + dh2 + dh3
    if b.opk_flag == 1:
        dhs += dh(ek_a, b.opk)
    ct, ss = kem_encaps(b.pqpk, m)
    header = prekey_header(ik_a_pub, ek_a_pub, b.spk_id, b.pqpk_id,
                           b.opk_flag, b.opk_id if b.opk_flag else 0, ct)
    th = sha256(header)
    sk = hkdf(ZERO32, F + dhs + ss, INFO_PQXDH + th, 32)
    ad = make_ad(ik_a_pub, b.ik)
    st = ratchet_init_alice(sk, b.spk, r, ad)
    st.pending_prekey = header
    return st


class PreKeyStore:
    """Bob's identity and prekeys (SPEC §3.5)."""

    def __init__(self, ik_priv):
        self.ik_priv = ik_priv
        self.ik_pub = x25519_public(ik_priv)
        self.spks = {}      # id -> private key
        self.pqpks = {}     # id -> [dk, last_resort, set(EK_A)]
        self.opks = {}      # id -> private key

    def accept(self, pm, r):
        """SPEC §3.5/§3.6. Returns (session, plaintext); the store changes
        only on success."""
        if pm.spk_id not in self.spks:
            raise LockstepError("UnknownPreKey")
        if pm.pqpk_id not in self.pqpks:
            raise LockstepError("UnknownPreKey")
        opk_priv = None
        if pm.opk_flag == 1:
            if pm.opk_id not in self.opks:
                raise LockstepError("UnknownPreKey")
            opk_priv = self.opks[pm.opk_id]
        spk_priv = self.spks[pm.spk_id]
        dk, last_resort, record = self.pqpks[pm.pqpk_id]
        if last_resort and pm.ek_a in record:
            raise LockstepError("PreKeyReplay")
        dh1 = dh(spk_priv, pm.ik_a)
        dh2 = dh(self.ik_priv, pm.ek_a)
        dh3 = dh(spk_priv, pm.ek_a)
        dhs = dh1 + dh2 + dh3
        if opk_priv is not None:
            dhs += dh(opk_priv, pm.ek_a)
        ss = kem_decaps(dk, pm.ct_kem)
        th = sha256(pm.header)
        sk = hkdf(ZERO32, F + dhs + ss, INFO_PQXDH + th, 32)
        ad = make_ad(pm.ik_a, self.ik_pub)
        st = ratchet_init_bob(sk, spk_priv, ad)
        st.prekey_hash = th
        pt = ratchet_decrypt(st, pm.inner, r)
        # success: update the store
        if opk_priv is not None:
            del self.opks[pm.opk_id]
        if last_resort:
            record.add(pm.ek_a)
        else:
            del self.pqpks[pm.pqpk_id]
        return st, pt


def make_bundle(ik_b, spk_b, pq_d, pq_z, last_resort, z_spk, z_pqpk,
                opk_b, spk_id, pqpk_id, opk_id):
    """Bob's bundle (CONFORMANCE §2.2 set_up step 1) and prekey store."""
    b = Bundle()
    b.ik = x25519_public(ik_b)
    b.spk_id = spk_id
    b.spk = x25519_public(spk_b)
    ek, dk = kem_keygen(pq_d, pq_z)
    b.spk_sig = xeddsa.sign(ik_b, encode_ec(b.spk), z_spk)
    b.pqpk_id = pqpk_id
    b.pq_kind = 1 if last_resort else 0
    b.pqpk = ek
    b.pqpk_sig = xeddsa.sign(ik_b, encode_kem(ek), z_pqpk)
    if opk_b is not None:
        b.opk_flag = 1
        b.opk_id = opk_id
        b.opk = x25519_public(opk_b)
    else:
        b.opk_flag = 0
        b.opk_id = 0
        b.opk = ZERO32
    store = PreKeyStore(ik_b)
    store.spks[spk_id] = spk_b
    store.pqpks[pqpk_id] = [dk, bool(last_resort), set()]
    if opk_b is not None:
        store.opks[opk_id] = opk_b
    return encode_bundle(b), store
