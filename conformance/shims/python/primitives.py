"""Primitives of Lockstep v1 (SPEC §2), on `cryptography` and `kyber-py`."""

import hashlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as _hmac
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF as _HKDF
from kyber_py.ml_kem import ML_KEM_1024


class LockstepError(Exception):
    """A refusal, carrying SPEC §7's name."""

    def __init__(self, name):
        super().__init__(name)
        self.name = name


P = 2**255 - 19
ZERO32 = bytes(32)


def is_canonical_x25519(pk: bytes) -> bool:
    """SPEC §2: little-endian u < p (bit 255 clear included)."""
    return len(pk) == 32 and int.from_bytes(pk, "little") < P


# ---------------------------------------------------------------- X25519

def x25519_public(priv: bytes) -> bytes:
    """GENERATE_DH: X25519(r, 9). `cryptography` clamps per RFC 7748."""
    return X25519PrivateKey.from_private_bytes(priv).public_key().public_bytes_raw()


def dh(priv: bytes, pub: bytes) -> bytes:
    """DH(a, B) = X25519(a, B); all-zero output is NonContributory.

    OpenSSL (under `cryptography`) refuses an all-zero shared secret with a
    ValueError; we map that, and check the bytes as well in case a backend
    returns them.
    """
    try:
        out = X25519PrivateKey.from_private_bytes(priv).exchange(
            X25519PublicKey.from_public_bytes(pub)
        )
    except ValueError:
        raise LockstepError("NonContributory")
    if out == ZERO32:
        raise LockstepError("NonContributory")
    return out


# ---------------------------------------------------------------- hashes, KDFs

def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return _HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def hmac_sha256(key: bytes, data: bytes) -> bytes:
    h = _hmac.HMAC(key, hashes.SHA256())
    h.update(data)
    return h.finalize()


# ---------------------------------------------------------------- AEAD

def aead_encrypt(key: bytes, nonce: bytes, ad: bytes, pt: bytes) -> bytes:
    return ChaCha20Poly1305(key).encrypt(nonce, pt, ad)


def aead_decrypt(key: bytes, nonce: bytes, ad: bytes, ct: bytes) -> bytes:
    if len(ct) < 16:
        raise LockstepError("DecryptionFailed")
    try:
        return ChaCha20Poly1305(key).decrypt(nonce, ct, ad)
    except InvalidTag:
        raise LockstepError("DecryptionFailed")


# ---------------------------------------------------------------- ML-KEM-1024

KEM_K = 4
EK_LEN = 384 * KEM_K + 32      # 1568
DK_LEN = 768 * KEM_K + 96      # 3168
CT_LEN = 1568
KEM_Q = 3329


def kem_ek_modulus_ok(ek: bytes) -> bool:
    """FIPS 203 §7.2: type check (length) and modulus check
    (ByteEncode12(ByteDecode12(ek[0:384k])) == ek[0:384k], i.e. every 12-bit
    coefficient is < q)."""
    if len(ek) != EK_LEN:
        return False
    t = ek[: 384 * KEM_K]
    for i in range(0, len(t), 3):
        b0, b1, b2 = t[i], t[i + 1], t[i + 2]
        if (b0 | ((b1 & 0x0F) << 8)) >= KEM_Q:
            return False
        if ((b1 >> 4) | (b2 << 4)) >= KEM_Q:
            return False
    return True


def kem_keygen(d: bytes, z: bytes):
    """KEYGEN(d, z) = ML-KEM.KeyGen_internal (FIPS 203 Alg. 16) -> (ek, dk)."""
    ek, dk = ML_KEM_1024._keygen_internal(d, z)
    return ek, dk


def kem_encaps(ek: bytes, m: bytes):
    """ENCAPS(ek, m) -> (CT, SS), with the §7.2 check (InvalidKey)."""
    if not kem_ek_modulus_ok(ek):
        raise LockstepError("InvalidKey")
    try:
        ss, ct = ML_KEM_1024._encaps_internal(ek, m)
    except ValueError:
        raise LockstepError("InvalidKey")
    return ct, ss


def kem_decaps(dk: bytes, ct: bytes) -> bytes:
    """DECAPS(dk, c): stored ek passes §7.2, H(ek) matches (§7.3), else
    InvalidKey; then ML-KEM.Decaps_internal (implicit rejection)."""
    if len(dk) != DK_LEN or len(ct) != CT_LEN:
        raise LockstepError("InvalidKey")
    ek = dk[1536:3104]
    if not kem_ek_modulus_ok(ek):
        raise LockstepError("InvalidKey")
    if hashlib.sha3_256(ek).digest() != dk[3104:3136]:
        raise LockstepError("InvalidKey")
    try:
        return ML_KEM_1024._decaps_internal(dk, ct)
    except ValueError:
        raise LockstepError("InvalidKey")
