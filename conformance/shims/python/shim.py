#!/usr/bin/env python3
"""Lockstep v1 conformance shim in Python (docs/CONFORMANCE.md).

Written from docs/SPEC.md and docs/CONFORMANCE.md alone. One JSON request per
line on stdin, one JSON reply per line on stdout; logs go to stderr.
"""

import json
import os
import secrets
import sys

sys.dont_write_bytecode = True   # write nothing next to the shim
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import protocol  # noqa: E402
from primitives import LockstepError, sha256  # noqa: E402
from wire import decode_bundle, decode_message, decode_prekey, PreKeyMessage  # noqa: E402

IMPLEMENTATION = "lockstep-python-shim 1.0"
FLAWS = ("not-transactional", "skipped-not-removed", "no-duplicate-check")


class BadRequest(Exception):
    pass


# ---------------------------------------------------------------- request fields

def _field(req, name):
    if name not in req:
        raise BadRequest(f"missing {name}")
    return req[name]


def f_hex(req, name, length=None, nullable=False):
    v = _field(req, name)
    if v is None and nullable:
        return None
    if not isinstance(v, str) or len(v) % 2:
        raise BadRequest(f"{name}: not hex")
    try:
        b = bytes.fromhex(v)
    except ValueError:
        raise BadRequest(f"{name}: not hex")
    if length is not None and len(b) != length:
        raise BadRequest(f"{name}: length {len(b)} != {length}")
    return b


def f_u32(req, name):
    v = _field(req, name)
    if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 0xFFFFFFFF:
        raise BadRequest(f"{name}: not u32")
    return v


def f_bool(req, name):
    v = _field(req, name)
    if not isinstance(v, bool):
        raise BadRequest(f"{name}: not bool")
    return v


def f_party(req):
    v = _field(req, "party")
    if v not in ("alice", "bob"):
        raise BadRequest("party")
    return v


# ---------------------------------------------------------------- the shim

class Shim:
    def __init__(self):
        self.reset()

    def reset(self):
        self.mode = None            # "det", "alice" (interop), "bob" (interop)
        self.sessions = {"alice": None, "bob": None}
        self.store = None
        self.bundle = None          # Alice's verified bundle (decoded)

    # -- helpers
    def _check_party(self, party):
        """Interop: a command naming the party the shim does not play."""
        if self.mode in ("alice", "bob") and party != self.mode:
            raise LockstepError("NoSession")
        if self.mode is None:
            raise LockstepError("NoSession")

    # -- commands
    def hello(self, req):
        versions = _field(req, "versions")
        if not isinstance(versions, list):
            raise BadRequest("versions")
        if 1 not in versions:
            raise LockstepError("Unsupported")
        return {"version": 1, "implementation": IMPLEMENTATION,
                "capabilities": ["deterministic", "interop", "state"]}

    def set_up(self, req):
        ik_a = f_hex(req, "ik_a", 32)
        ik_b = f_hex(req, "ik_b", 32)
        spk_b = f_hex(req, "spk_b", 32)
        opk_b = f_hex(req, "opk_b", 32, nullable=True)
        pq_d = f_hex(req, "pq_d", 32)
        pq_z = f_hex(req, "pq_z", 32)
        last_resort = f_bool(req, "pq_last_resort")
        z_spk = f_hex(req, "z_spk", 64)
        z_pqpk = f_hex(req, "z_pqpk", 64)
        ek_a = f_hex(req, "ek_a", 32)
        m = f_hex(req, "m", 32)
        r_a = f_hex(req, "r_a", 32)
        spk_id = f_u32(req, "spk_id")
        pqpk_id = f_u32(req, "pqpk_id")
        opk_id = f_u32(req, "opk_id") if opk_b is not None else 0
        self.reset()
        bundle_bytes, store = protocol.make_bundle(
            ik_b, spk_b, pq_d, pq_z, last_resort, z_spk, z_pqpk, opk_b,
            spk_id, pqpk_id, opk_id)
        b = decode_bundle(bundle_bytes)
        protocol.verify_bundle(b)
        alice = protocol.initiate(ik_a, b, ek_a, m, r_a)
        self.mode = "det"
        self.store = store
        self.bundle = b
        self.sessions = {"alice": alice, "bob": None}
        return {"bundle": bundle_bytes.hex()}

    def generate_bundle(self, req):
        opk = f_bool(req, "opk")
        last_resort = f_bool(req, "pq_last_resort")
        self.reset()
        rnd = secrets.token_bytes
        ids = [secrets.randbits(32) for _ in range(3)]
        bundle_bytes, store = protocol.make_bundle(
            rnd(32), rnd(32), rnd(32), rnd(32), last_resort, rnd(64), rnd(64),
            rnd(32) if opk else None, ids[0], ids[1], ids[2])
        self.mode = "bob"
        self.store = store
        return {"bundle": bundle_bytes.hex()}

    def initiate(self, req):
        data = f_hex(req, "bundle")
        self.reset()
        self.mode = "alice"          # even on failure: Alice without a session
        b = decode_bundle(data)
        protocol.verify_bundle(b)
        rnd = secrets.token_bytes
        self.sessions["alice"] = protocol.initiate(rnd(32), b, rnd(32), rnd(32), rnd(32))
        self.bundle = b
        return {}

    def verify_bundle(self, req):
        data = f_hex(req, "bundle")
        protocol.verify_bundle(decode_bundle(data))
        return {}

    def encrypt(self, req):
        party = f_party(req)
        pt = f_hex(req, "plaintext")
        self._check_party(party)
        st = self.sessions[party]
        if st is None:
            raise LockstepError("NoSession")
        return {"message": protocol.ratchet_encrypt(st, pt).hex()}

    def decrypt(self, req):
        party = f_party(req)
        msg = f_hex(req, "message")
        if "r" in req:
            r = f_hex(req, "r", 32)
        elif self.mode in ("alice", "bob"):
            r = secrets.token_bytes(32)
        else:
            raise BadRequest("missing r")
        self._check_party(party)
        st = self.sessions[party]
        if st is None:
            if party != "bob" or self.store is None:
                raise LockstepError("NoSession")
            pm = decode_prekey(msg)
            st, pt = self.store.accept(pm, r)
            self.sessions["bob"] = st
            return {"plaintext": pt.hex()}
        m = decode_message(msg)
        if isinstance(m, PreKeyMessage):
            if st.prekey_hash is None or sha256(m.header) != st.prekey_hash:
                raise LockstepError("PreKeyMismatch")
            m = m.inner
        pt = protocol.ratchet_decrypt(st, m, r)
        st.pending_prekey = None
        return {"plaintext": pt.hex()}

    def state(self, req):
        party = f_party(req)
        self._check_party(party)
        st = self.sessions[party]
        return {"state": None if st is None else st.encode().hex()}

    def other_session(self, req):
        ik = f_hex(req, "ik", 32)
        ek = f_hex(req, "ek", 32)
        m = f_hex(req, "m", 32)
        r = f_hex(req, "r", 32)
        pts = _field(req, "plaintexts")
        if not isinstance(pts, list):
            raise BadRequest("plaintexts")
        pts = [f_hex({"p": p}, "p") for p in pts]
        if self.bundle is None or self.mode != "det":
            raise LockstepError("NoSession")
        st = protocol.initiate(ik, self.bundle, ek, m, r)
        return {"messages": [protocol.ratchet_encrypt(st, p).hex() for p in pts]}

    COMMANDS = ("hello", "set_up", "generate_bundle", "initiate", "verify_bundle",
                "encrypt", "decrypt", "state", "other_session")

    def handle(self, line):
        try:
            req = json.loads(line)
        except Exception:
            return {"id": None, "err": "BadRequest"}
        rid = req.get("id") if isinstance(req, dict) else None
        try:
            if not isinstance(req, dict) or not isinstance(rid, int) or isinstance(rid, bool):
                raise BadRequest("id")
            cmd = req.get("cmd")
            if not isinstance(cmd, str):
                raise BadRequest("cmd")
            if cmd not in self.COMMANDS:
                return {"id": rid, "err": "Unsupported"}
            return {"id": rid, "ok": getattr(self, cmd)(req)}
        except LockstepError as e:
            return {"id": rid, "err": e.name}
        except BadRequest as e:
            log(f"BadRequest: {e}")
            return {"id": rid, "err": "BadRequest"}
        except Exception as e:  # never crash; a bug shows as a divergence
            log(f"internal error: {type(e).__name__}: {e}")
            return {"id": rid, "err": "BadRequest"}


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def main():
    flaw = os.environ.get("LOCKSTEP_SHIM_FLAW", "")
    if flaw and flaw not in FLAWS:
        log(f"unknown LOCKSTEP_SHIM_FLAW {flaw!r}; known: {', '.join(FLAWS)}")
        sys.exit(1)
    protocol.FLAW = flaw
    if flaw:
        log(f"deliberately broken mode: {flaw}")
    shim = Shim()
    out = sys.stdout
    while True:
        line = sys.stdin.readline()
        if not line:
            break
        if not line.strip():
            continue
        reply = shim.handle(line)
        out.write(json.dumps(reply, separators=(",", ":")) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
