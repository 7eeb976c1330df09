"""XEdDSA over Curve25519 / edwards25519 (Signal, "The XEdDSA and VXEdDSA
Signature Schemes", rev 1, §2.x and §3), with SPEC §2's rules:

- the private key enters calculate_key_pair clamped as RFC 7748
  decodeScalar25519 clamps it;
- verification refuses u >= p (u compared as a 256-bit integer), s >= q
  (stricter than XEdDSA's s >= 2^253), an Edwards key A = convert_mont(u) that
  is not on the curve, and compares R with the computed point as encoded bytes.

Integer arithmetic in extended twisted-Edwards coordinates (X:Y:Z:T).
"""

import hashlib

p = 2**255 - 19
q = 2**252 + 27742317777372353535851937790883648493
d = (-121665 * pow(121666, p - 2, p)) % p
SQRT_M1 = pow(2, (p - 1) // 4, p)


def _inv(x):
    return pow(x, p - 2, p)   # inv(0) = 0, as in XEdDSA §2.1


def _recover_x(y, sign):
    """x with x^2 = (y^2 - 1) / (d y^2 + 1) and x mod 2 = sign, or None."""
    if y >= p:
        return None
    x2 = (y * y - 1) * _inv(d * y * y + 1) % p
    if x2 == 0:
        if sign:
            return None
        return 0
    x = pow(x2, (p + 3) // 8, p)
    if (x * x - x2) % p != 0:
        x = x * SQRT_M1 % p
    if (x * x - x2) % p != 0:
        return None
    if (x & 1) != sign:
        x = p - x
    return x


_By = 4 * _inv(5) % p
_Bx = _recover_x(_By, 0)
B = (_Bx, _By, 1, _Bx * _By % p)
IDENTITY = (0, 1, 1, 0)


def _add(P, Q):
    A = (P[1] - P[0]) * (Q[1] - Q[0]) % p
    Bv = (P[1] + P[0]) * (Q[1] + Q[0]) % p
    C = 2 * P[3] * Q[3] * d % p
    D = 2 * P[2] * Q[2] % p
    E, F, G, H = Bv - A, D - C, D + C, Bv + A
    return (E * F % p, G * H % p, F * G % p, E * H % p)


def _double(P):
    A = P[0] * P[0] % p
    Bv = P[1] * P[1] % p
    C = 2 * P[2] * P[2] % p
    H = A + Bv
    E = H - (P[0] + P[1]) ** 2
    G = A - Bv
    F = C + G
    return (E * F % p, G * H % p, F * G % p, E * H % p)


def _mul(s, P):
    Q = IDENTITY
    for bit in bin(s)[2:] if s > 0 else "":
        Q = _double(Q)
        if bit == "1":
            Q = _add(Q, P)
    return Q


# fixed-base table: 2^i * B
_BTABLE = []
_t = B
for _i in range(256):
    _BTABLE.append(_t)
    _t = _double(_t)


def _mul_base(s):
    Q = IDENTITY
    i = 0
    while s:
        if s & 1:
            Q = _add(Q, _BTABLE[i])
        s >>= 1
        i += 1
    return Q


def _neg(P):
    return ((-P[0]) % p, P[1], P[2], (-P[3]) % p)


def _encode(P):
    zi = _inv(P[2])
    x = P[0] * zi % p
    y = P[1] * zi % p
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _clamp(k: bytes) -> int:
    b = bytearray(k)
    b[0] &= 248
    b[31] &= 127
    b[31] |= 64
    return int.from_bytes(b, "little")


def _hash_i(i, X):
    prefix = (2**256 - 1 - i).to_bytes(32, "little")
    return hashlib.sha512(prefix + X).digest()


def calculate_key_pair(k: bytes):
    """XEdDSA §2.3 on the clamped scalar: (A encoded with sign bit 0, a)."""
    kk = _clamp(k)
    E = _mul_base(kk)
    Eb = _encode(E)
    sign = Eb[31] >> 7
    A = bytearray(Eb)
    A[31] &= 0x7F
    a = (-kk) % q if sign else kk % q
    return bytes(A), a


def sign(k: bytes, M: bytes, Z: bytes) -> bytes:
    """xeddsa_sign(k, M, Z) -> R || s (64 bytes)."""
    A, a = calculate_key_pair(k)
    r = int.from_bytes(_hash_i(1, a.to_bytes(32, "little") + M + Z), "little") % q
    R = _encode(_mul_base(r))
    h = int.from_bytes(hashlib.sha512(R + A + M).digest(), "little") % q
    s = (r + h * a) % q
    return R + s.to_bytes(32, "little")


def verify(u: bytes, M: bytes, sig: bytes) -> bool:
    """xeddsa_verify(u, M, R || s) with SPEC §2's extra rules."""
    if len(u) != 32 or len(sig) != 64:
        return False
    ui = int.from_bytes(u, "little")
    if ui >= p:
        return False
    Rb = sig[:32]
    s = int.from_bytes(sig[32:], "little")
    if s >= q:
        return False
    # convert_mont(u): y = (u - 1) / (u + 1), sign bit 0
    umasked = ui % (2**255)
    y = (umasked - 1) * _inv(umasked + 1) % p
    x = _recover_x(y, 0)
    if x is None:                       # not on_curve
        return False
    Apt = (x, y, 1, x * y % p)
    Ab = y.to_bytes(32, "little")
    h = int.from_bytes(hashlib.sha512(Rb + Ab + M).digest(), "little") % q
    Rcheck = _add(_mul_base(s), _neg(_mul(h, Apt)))
    return _encode(Rcheck) == Rb
