"""Wire formats of Lockstep v1: bundle (SPEC §3.2), ratchet message (§5.1),
PreKey message (§5.2). Decoders check in SPEC's order and raise the first
failure's §7 name."""

import struct

from primitives import LockstepError, is_canonical_x25519

VERSION = 0x01
MSG_PREKEY = 0x01
MSG_RATCHET = 0x02
EC_PREFIX = b"\x05"
KEM_PREFIX = b"\x0a"
MAX_PLAINTEXT_LEN = 65536
RATCHET_HEADER_LEN = 42
RATCHET_MIN = 58
RATCHET_MAX = 58 + MAX_PLAINTEXT_LEN
PREKEY_HEADER_LEN = 1647
BUNDLE_LEN = 1807
CT_LEN = 1568
EK_LEN = 1568


def encode_ec(pk: bytes) -> bytes:
    return EC_PREFIX + pk


def encode_kem(ek: bytes) -> bytes:
    return KEM_PREFIX + ek


def _err(name):
    raise LockstepError(name)


# ---------------------------------------------------------------- bundle

class Bundle:
    __slots__ = ("ik", "spk_id", "spk", "spk_sig", "pqpk_id", "pq_kind",
                 "pqpk", "pqpk_sig", "opk_flag", "opk_id", "opk")


def encode_bundle(b: Bundle) -> bytes:
    return b"".join([
        bytes([VERSION]), b.ik,
        struct.pack(">I", b.spk_id), b.spk, b.spk_sig,
        struct.pack(">I", b.pqpk_id), bytes([b.pq_kind]), b.pqpk, b.pqpk_sig,
        bytes([b.opk_flag]), struct.pack(">I", b.opk_id), b.opk,
    ])


def decode_bundle(data: bytes) -> Bundle:
    if len(data) == 0:
        _err("InvalidMessage")
    if data[0] != VERSION:
        _err("UnknownVersion")
    if len(data) != BUNDLE_LEN:
        _err("InvalidMessage")
    b = Bundle()
    b.ik = data[1:33]
    b.spk_id = struct.unpack(">I", data[33:37])[0]
    b.spk = data[37:69]
    b.spk_sig = data[69:133]
    b.pqpk_id = struct.unpack(">I", data[133:137])[0]
    b.pq_kind = data[137]
    b.pqpk = data[138:1706]
    b.pqpk_sig = data[1706:1770]
    b.opk_flag = data[1770]
    b.opk_id = struct.unpack(">I", data[1771:1775])[0]
    b.opk = data[1775:1807]
    if b.pq_kind not in (0, 1):
        _err("InvalidMessage")
    if b.opk_flag not in (0, 1):
        _err("InvalidMessage")
    if b.opk_flag == 0 and (b.opk_id != 0 or b.opk != bytes(32)):
        _err("InvalidMessage")
    if not is_canonical_x25519(b.ik) or not is_canonical_x25519(b.spk):
        _err("InvalidMessage")
    if b.opk_flag == 1 and not is_canonical_x25519(b.opk):
        _err("InvalidMessage")
    return b


# ---------------------------------------------------------------- messages

class RatchetMessage:
    __slots__ = ("header", "dh", "pn", "n", "ct")


class PreKeyMessage:
    __slots__ = ("header", "ik_a", "ek_a", "spk_id", "pqpk_id", "opk_flag",
                 "opk_id", "ct_kem", "inner")


def ratchet_header(dh: bytes, pn: int, n: int) -> bytes:
    return bytes([VERSION, MSG_RATCHET]) + dh + struct.pack(">II", pn, n)


def prekey_header(ik_a, ek_a, spk_id, pqpk_id, opk_flag, opk_id, ct) -> bytes:
    return (bytes([VERSION, MSG_PREKEY]) + ik_a + ek_a
            + struct.pack(">IIBI", spk_id, pqpk_id, opk_flag, opk_id) + ct)


def decode_ratchet(data: bytes) -> RatchetMessage:
    if len(data) == 0:
        _err("InvalidMessage")
    if data[0] != VERSION:
        _err("UnknownVersion")
    if len(data) < 2 or data[1] != MSG_RATCHET:
        _err("InvalidMessage")
    if len(data) < RATCHET_MIN:
        _err("InvalidMessage")
    if len(data) > RATCHET_MAX:
        _err("MessageTooLarge")
    m = RatchetMessage()
    m.header = data[:RATCHET_HEADER_LEN]
    m.dh = data[2:34]
    m.pn, m.n = struct.unpack(">II", data[34:42])
    m.ct = data[RATCHET_HEADER_LEN:]
    if not is_canonical_x25519(m.dh):
        _err("InvalidMessage")
    return m


def decode_prekey(data: bytes) -> PreKeyMessage:
    if len(data) == 0:
        _err("InvalidMessage")
    if data[0] != VERSION:
        _err("UnknownVersion")
    if len(data) < 2 or data[1] != MSG_PREKEY:
        _err("InvalidMessage")
    if len(data) < PREKEY_HEADER_LEN:
        _err("InvalidMessage")
    m = PreKeyMessage()
    m.header = data[:PREKEY_HEADER_LEN]
    m.ik_a = data[2:34]
    m.ek_a = data[34:66]
    m.spk_id, m.pqpk_id, m.opk_flag, m.opk_id = struct.unpack(">IIBI", data[66:79])
    m.ct_kem = data[79:1647]
    if m.opk_flag not in (0, 1) or (m.opk_flag == 0 and m.opk_id != 0):
        _err("InvalidMessage")
    if not is_canonical_x25519(m.ik_a) or not is_canonical_x25519(m.ek_a):
        _err("InvalidMessage")
    m.inner = decode_ratchet(data[PREKEY_HEADER_LEN:])
    return m


def decode_message(data: bytes):
    """Any message (§5): returns a RatchetMessage or a PreKeyMessage."""
    if len(data) == 0:
        _err("InvalidMessage")
    if data[0] != VERSION:
        _err("UnknownVersion")
    if len(data) < 2:
        _err("InvalidMessage")
    if data[1] == MSG_PREKEY:
        return decode_prekey(data)
    if data[1] == MSG_RATCHET:
        return decode_ratchet(data)
    _err("InvalidMessage")
