#!/usr/bin/env python3
"""Generate the derived PQXDH models and the negative controls from proofs/pqxdh.pv.

proofs/pqxdh.pv is the only hand-written PQXDH model. Every other .pv file under
proofs/ (pqxdh_hndl.pv, pqxdh_fs.pv, controls/*.pv) is written by this script from
it, so that a control differs from the model it breaks by exactly the flaw it names
and cannot drift when the model changes.

A variant is a list of edits applied to the text of pqxdh.pv:
  ("block", NAME, TEXT)   replaces the body between "(* @@NAME *)" and the next
                          "(* @@END *)" with TEXT (the markers stay);
  ("sub", OLD, NEW)       replaces OLD, which must occur exactly once, with NEW.
An edit that does not apply (marker missing, OLD absent or not unique) is an error,
so a change to pqxdh.pv that a variant depends on fails loudly here.

Usage:
  python3 proofs/gen.py           write every derived file
  python3 proofs/gen.py --check   exit 1 if any derived file differs from what
                                  would be written (for CI and tests)
"""

import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE / "pqxdh.pv"

# ---------------------------------------------------------------------------
# Phase-1 leaks (what the attacker learns after the sessions).

LEAKS_HNDL = """let LeakAliceEphemeral(ek_a: dhsec, r: dhsec) = phase 1; out(c, (ek_a, r)).
let LeakOneTimeOPK(opkB: dhsec) = phase 1; out(c, opkB).
let LeakOneTimePQ(dk: kemsk) = 0.
let LeakLongTerm(ikB: dhsec, spkB: dhsec, lr_dk: kemsk) = phase 1; out(c, (ikB, spkB)).
"""

LEAKS_FS = """let LeakAliceEphemeral(ek_a: dhsec, r: dhsec) = 0.
let LeakOneTimeOPK(opkB: dhsec) = 0.
let LeakOneTimePQ(dk: kemsk) = 0.
let LeakLongTerm(ikB: dhsec, spkB: dhsec, lr_dk: kemsk) = phase 1; out(c, (ikB, spkB, lr_dk)).
"""

# ---------------------------------------------------------------------------
# Queries of the derived models.

QUERIES_HNDL = """(* H1 Harvest now, decrypt later: after the sessions (phase 1) the attacker
   learns every X25519 private key of every honest party (identity keys, signed
   prekeys, one-time prekeys, Alice's EK_A and ratchet keys), not the ML-KEM
   decapsulation keys. Alice's first payload to a peer whose identity key and
   last-resort ML-KEM key were not compromised during the sessions stays secret.
   Expected: true. *)
query IKA: G, IKB: G, SPK: G, PQ: bitstring, OPK: G, TH: bitstring, SK: bitstring, m: bitstring;
  attacker(m) phase 1 && event(AliceSend(IKA, IKB, SPK, PQ, OPK, TH, SK, m)) && event(Honest(IKB)) ==>
    event(CompIK(IKB)) || event(CompPQ(PQ)).
(* H2 The same for SK. Expected: true. *)
query IKA: G, IKB: G, SPK: G, PQ: bitstring, OPK: G, TH: bitstring, SK: bitstring, m: bitstring;
  attacker(SK) phase 1 && event(AliceSend(IKA, IKB, SPK, PQ, OPK, TH, SK, m)) && event(Honest(IKB)) ==>
    event(CompIK(IKB)) || event(CompPQ(PQ)).
"""

QUERIES_FS = """(* Forward secrecy: after the sessions (phase 1) the attacker learns every
   long-term key of every honest party: identity keys, signed prekeys and
   last-resort ML-KEM keys. One-time prekeys (OPK, one-time ML-KEM keys) and Alice's
   ephemeral keys were deleted.
   F1 A session under a one-time ML-KEM key: the payload stays secret.
   Expected: true. *)
query IKA: G, IKB: G, SPK: G, PQ: bitstring, OPK: G, TH: bitstring, SK: bitstring, m: bitstring;
  attacker(m) phase 1 && event(AliceSend(IKA, IKB, SPK, PQ, OPK, TH, SK, m)) && event(OneTimePQ(PQ)) && event(Honest(IKB)) ==>
    event(CompIK(IKB)).
(* F2 A session with a one-time OPK: the payload stays secret. Expected: true. *)
query IKA: G, IKB: G, SPK: G, PQ: bitstring, OPK: G, TH: bitstring, SK: bitstring, m: bitstring;
  attacker(m) phase 1 && event(AliceSend(IKA, IKB, SPK, PQ, OPK, TH, SK, m)) && event(OneTimeOPK(OPK)) && event(Honest(IKB)) ==>
    event(CompIK(IKB)).
(* F3 A session under the last-resort ML-KEM key without OPK: nothing one-time, so
   no forward secrecy until Bob deletes his signed prekey and last-resort key
   (PQXDH rev 2 §4.4 asks him to rotate them). Expected: FALSE. *)
query IKA: G, IKB: G, SPK: G, PQ: bitstring, TH: bitstring, SK: bitstring, m: bitstring;
  attacker(m) phase 1 && event(AliceSend(IKA, IKB, SPK, PQ, ZERO_G, TH, SK, m)) && event(LastResortPQ(PQ)) && event(Honest(IKB)) ==>
    event(CompIK(IKB)).
"""

QUERIES_AUTH = """query IKA: G, IKB: G, SPK: G, PQ: bitstring, OPK: G, TH: bitstring, SK: bitstring, m: bitstring, k: bitstring, f: bitstring,
      IKA2: G, IKB2: G, SPK2: G, PQ2: bitstring, k2: bitstring, f2: bitstring, TH2: bitstring, m2: bitstring;
(* A3 Agreement and key-compromise impersonation (KCI) resistance, every kind of
   session (non-injective; pqxdh_inj.pv has the injective A1, A2, A3i): when Bob
   accepts a first message as from an honest IK_A, Alice sent it, with the same
   IK_B, SPK_B, PQPK_B, TH (so the same PreKey header), SK and payload, unless IK_A
   or SPK_B was compromised. IK_B's compromise is allowed (KCI). Expected: true. *)
  event(BobAccept(IKA, IKB, SPK, PQ, k, f, TH, SK, m)) && event(Honest(IKA)) ==>
    event(AliceSend(IKA, IKB, SPK, PQ, OPK, TH, SK, m)) || event(CompIK(IKA)) || event(CompSPK(SPK));
(* A4 What PQXDH does not give: with Bob's signed prekey compromised, anyone
   impersonates any Alice to Bob (DH1 = DH(SPK_B, IK_A) is then known). Expected:
   FALSE. So KCI resistance holds for IK_B's compromise, not for SPK_B's. *)
  event(BobAccept(IKA, IKB, SPK, PQ, k, f, TH, SK, m)) && event(Honest(IKA)) ==>
    event(AliceSend(IKA, IKB, SPK, PQ, OPK, TH, SK, m)) || event(CompIK(IKA));
(* A5 Agreement on the keys used, not naming TH (every kind of session): Bob and
   Alice agree on IK_A, IK_B, SPK_B, PQPK_B, SK and the payload. Expected: true. *)
  event(BobAccept(IKA, IKB, SPK, PQ, k, f, TH, SK, m)) && event(Honest(IKA)) ==>
    event(AliceSend(IKA, IKB, SPK, PQ, OPK, TH2, SK, m)) || event(CompIK(IKA)) || event(CompSPK(SPK));
(* U1 No unknown key share: if Bob accepts with the SK of an honest Alice's session,
   they agree on both identity keys and on the PreKey header (TH), whatever was
   compromised. Expected: true. *)
  event(BobAccept(IKA2, IKB2, SPK2, PQ2, k2, f2, TH2, SK, m2)) && event(AliceSend(IKA, IKB, SPK, PQ, OPK, TH, SK, m)) ==>
    IKA = IKA2 && IKB = IKB2 && TH = TH2;
(* U2 The same on the identity keys alone. Expected: true. *)
  event(BobAccept(IKA2, IKB2, SPK2, PQ2, k2, f2, TH2, SK, m2)) && event(AliceSend(IKA, IKB, SPK, PQ, OPK, TH, SK, m)) ==>
    IKA = IKA2 && IKB = IKB2.
"""

QUERIES_REACH = """(* R1-R4 Reachability (non-vacuity): an honest Alice and an honest Bob complete a
   handshake of each kind (one-time / last-resort ML-KEM key, with / without OPK)
   and agree on everything. Expected: false for each (a trace is found). *)
query IKA: G, IKB: G, SPK: G, PQ: bitstring, OPK: G, TH: bitstring, SK: bitstring, m: bitstring;
  event(BobAccept(IKA, IKB, SPK, PQ, PQ_ONETIME, OPK_PRESENT, TH, SK, m)) && event(AliceSend(IKA, IKB, SPK, PQ, OPK, TH, SK, m)) ==> false;
  event(BobAccept(IKA, IKB, SPK, PQ, PQ_ONETIME, OPK_ABSENT, TH, SK, m)) && event(AliceSend(IKA, IKB, SPK, PQ, OPK, TH, SK, m)) ==> false;
  event(BobAccept(IKA, IKB, SPK, PQ, PQ_LASTRESORT, OPK_PRESENT, TH, SK, m)) && event(AliceSend(IKA, IKB, SPK, PQ, OPK, TH, SK, m)) ==> false;
  event(BobAccept(IKA, IKB, SPK, PQ, PQ_LASTRESORT, OPK_ABSENT, TH, SK, m)) && event(AliceSend(IKA, IKB, SPK, PQ, OPK, TH, SK, m)) ==> false.
"""

QUERIES_INJ = """query IKA: G, IKB: G, SPK: G, PQ: bitstring, OPK: G, TH: bitstring, SK: bitstring, m: bitstring, f: bitstring;
(* A1 Injective agreement and key-compromise impersonation resistance, sessions
   under a one-time ML-KEM key: as A3 of pqxdh_auth.pv, and each acceptance has
   its own sending.
   Expected: true. *)
  inj-event(BobAccept(IKA, IKB, SPK, PQ, PQ_ONETIME, f, TH, SK, m)) && event(Honest(IKA)) ==>
    inj-event(AliceSend(IKA, IKB, SPK, PQ, OPK, TH, SK, m)) || event(CompIK(IKA)) || event(CompSPK(SPK));
(* A2 The same under a last-resort ML-KEM key with a one-time OPK. Expected: true. *)
  inj-event(BobAccept(IKA, IKB, SPK, PQ, PQ_LASTRESORT, OPK_PRESENT, TH, SK, m)) && event(Honest(IKA)) ==>
    inj-event(AliceSend(IKA, IKB, SPK, PQ, OPK, TH, SK, m)) || event(CompIK(IKA)) || event(CompSPK(SPK));
(* A3i Injective agreement under the last-resort ML-KEM key without OPK.
   Expected: FALSE. With nothing one-time, a replayed PreKey
   message is accepted again: the replay that SPEC §3.5's record of accepted EK_A
   values refuses. The record is not modelled (ProVerif cannot express "not in the
   set"), so this shows why the record is needed, not that it works. *)
  inj-event(BobAccept(IKA, IKB, SPK, PQ, PQ_LASTRESORT, OPK_ABSENT, TH, SK, m)) && event(Honest(IKA)) ==>
    inj-event(AliceSend(IKA, IKB, SPK, PQ, OPK, TH, SK, m)) || event(CompIK(IKA)) || event(CompSPK(SPK)).
"""

# ---------------------------------------------------------------------------
# Flaws.

KDF_SK_NO_SS = """letfun KDF_SK(dh1: G, dh2: G, dh3: G, opk_flag: bitstring, dh4: G, ss: bitstring, th: bitstring) =
  if opk_flag = OPK_PRESENT then
    HKDF(ZERO_SALT, (F, dh1, dh2, dh3, dh4), (INFO_PQXDH, th))
  else
    HKDF(ZERO_SALT, (F, dh1, dh2, dh3), (INFO_PQXDH, th)).
"""

KDF_SK_NO_TH = """letfun KDF_SK(dh1: G, dh2: G, dh3: G, opk_flag: bitstring, dh4: G, ss: bitstring, th: bitstring) =
  if opk_flag = OPK_PRESENT then
    HKDF(ZERO_SALT, (F, dh1, dh2, dh3, dh4, ss), INFO_PQXDH)
  else
    HKDF(ZERO_SALT, (F, dh1, dh2, dh3, ss), INFO_PQXDH).
"""

AD_NO_IK = """const AD_WITHOUT_IDENTITIES: bitstring.
letfun AD_OF(IKA: G, IKB: G) = AD_WITHOUT_IDENTITIES.
"""

KEM_NONBINDING_SS = """fun KEM_SS_NB(bitstring): bitstring.
letfun ENCAPS_SS(ek: bitstring, m: bitstring) = KEM_SS_NB(m).
"""
KEM_NONBINDING_DECAPS = """  reduc forall dk: kemsk, m: bitstring; DECAPS(dk, KEM_CT(KEM_PK(dk), m)) = KEM_SS_NB(m).
"""

LEAKS_FS_KEEP_ONETIME = """let LeakAliceEphemeral(ek_a: dhsec, r: dhsec) = 0.
let LeakOneTimeOPK(opkB: dhsec) = phase 1; out(c, opkB).
let LeakOneTimePQ(dk: kemsk) = phase 1; out(c, dk).
let LeakLongTerm(ikB: dhsec, spkB: dhsec, lr_dk: kemsk) = phase 1; out(c, (ikB, spkB, lr_dk)).
"""

AUTH = [("block", "QUERIES", QUERIES_AUTH)]
HNDL = [("block", "QUERIES", QUERIES_HNDL), ("block", "LEAKS", LEAKS_HNDL)]
FS = [("block", "QUERIES", QUERIES_FS), ("block", "LEAKS", LEAKS_FS)]

def only(kind):
    """Keep one kind of Bob session (a bound, for the files too slow with all four)."""
    return [("block", k, "") for k in ("KIND_OT_OPK", "KIND_OT", "KIND_LR_OPK", "KIND_LR") if k != kind]


# name -> (description, edits). Models first, then controls.
VARIANTS = {
    "pqxdh_auth.pv": (
        "agreement, KCI, unknown key share (non-injective) under dynamic compromise",
        [("block", "QUERIES", QUERIES_AUTH)],
    ),
    "pqxdh_reach.pv": (
        "reachability (non-vacuity) of the four kinds of honest handshake",
        [("block", "QUERIES", QUERIES_REACH)],
    ),
    "pqxdh_inj.pv": (
        "injective agreement (A1, A2) and the last-resort replay (A3i)",
        [("block", "QUERIES", QUERIES_INJ)],
    ),
    "pqxdh_hndl.pv": (
        "harvest-now-decrypt-later: every X25519 secret leaks after the sessions",
        HNDL,
    ),
    "pqxdh_fs.pv": (
        "forward secrecy: every long-term key leaks after the sessions",
        FS,
    ),
    "pqxdh_fs_ot.pv": (
        "forward secrecy (F1), bounded to Bob sessions under one-time ML-KEM keys without OPK",
        FS + only("KIND_OT"),
    ),
    "pqxdh_fs_opk.pv": (
        "forward secrecy (F2), bounded to Bob sessions under the last-resort ML-KEM key with a one-time OPK",
        FS + only("KIND_LR_OPK"),
    ),
    "pqxdh_fs_lr.pv": (
        "forward secrecy (F3), bounded to Bob sessions under the last-resort ML-KEM key without OPK",
        FS + only("KIND_LR"),
    ),
    "controls/fs_keep_onetime_ot.pv": (
        "CONTROL of pqxdh_fs_ot.pv: Bob keeps his one-time ML-KEM keys, which leak "
        "with the long-term keys. F1 must be false.",
        FS + only("KIND_OT") + [("block", "LEAKS", LEAKS_FS_KEEP_ONETIME)],
    ),
    "controls/fs_keep_onetime_opk.pv": (
        "CONTROL of pqxdh_fs_opk.pv: Bob keeps his one-time OPKs, which leak with "
        "the long-term keys. F2 must be false.",
        FS + only("KIND_LR_OPK") + [("block", "LEAKS", LEAKS_FS_KEEP_ONETIME)],
    ),
    "controls/no_ss.pv": (
        "CONTROL: SS left out of the PQXDH KDF. H1 and H2 must be false.",
        HNDL + [("block", "KDF_SK", KDF_SK_NO_SS)],
    ),
    "controls/no_th.pv": (
        "CONTROL: TH left out of the KDF's info (Lockstep revision 1). A re-encoded "
        "EK_A gives Bob the same SK for another PreKey header: A3 and U1 "
        "must be false (A5 and U2, which do not name TH, stay true).",
        AUTH + [("block", "KDF_SK", KDF_SK_NO_TH)],
    ),
    "controls/ad_no_ik_no_th.pv": (
        "CONTROL: AD without the identity keys, and TH left out of the KDF. A "
        "re-encoded IK_A gives the same DH1: Bob accepts the message as from another "
        "identity key. A5 and U2 must be false.",
        AUTH + [("block", "KDF_SK", KDF_SK_NO_TH), ("block", "AD", AD_NO_IK)],
    ),
    "controls/kem_nonbinding_no_th.pv": (
        "CONTROL: a KEM whose shared secret does not depend on the public key, no "
        "EncodeKEM(PQPK_B) in AD, no TH (the re-encapsulation attack on PQXDH rev 1). "
        "Bob decapsulates under another of his ML-KEM keys: A5 must be false.",
        AUTH + [
            ("block", "KDF_SK", KDF_SK_NO_TH),
            ("block", "ENCAPS_SS", KEM_NONBINDING_SS),
            ("block", "KEM_DECAPS", KEM_NONBINDING_DECAPS),
        ],
    ),
    "controls/kci_static_dh1.pv": (
        "CONTROL: DH1 = DH(IK_A, IK_B) instead of DH(IK_A, SPK_B). With IK_B "
        "compromised the attacker impersonates Alice to Bob: A3 must be false (KCI).",
        AUTH + [
            ("sub", "let DH1 = DH_AS_RECEIVED(ikA, SPKB) in", "let DH1 = DH_AS_RECEIVED(ikA, IKB) in"),
            ("sub", "let DH1 = DH(spkB, IKA) in", "let DH1 = DH(ikB, IKA) in"),
        ],
    ),
    "controls/no_ephemeral.pv": (
        "CONTROL: Alice uses her identity key as EK_A. With IK_A and the last-resort "
        "ML-KEM key compromised, S1 and S2 must be false.",
        [("sub", "  new ek_a: dhsec;\n", "  let ek_a = ikA in\n")],
    ),
}


def apply(text, edits):
    for kind, a, b in edits:
        if kind == "block":
            start = "(* @@%s *)\n" % a
            i = text.find(start)
            if i < 0 or text.count(start) != 1:
                raise SystemExit("gen.py: marker %r missing or repeated" % start)
            i += len(start)
            j = text.find("(* @@END *)", i)
            if j < 0:
                raise SystemExit("gen.py: no @@END after %r" % start)
            text = text[:i] + b + text[j:]
        elif kind == "sub":
            if text.count(a) != 1:
                raise SystemExit("gen.py: %r occurs %d times, not once" % (a, text.count(a)))
            text = text.replace(a, b)
        else:
            raise SystemExit("gen.py: unknown edit %r" % kind)
    return text


def render(name, description, edits):
    src = SOURCE.read_text()
    body = apply(src, edits)
    banner = (
        "(* GENERATED by proofs/gen.py from proofs/pqxdh.pv: do not edit.\n"
        "   %s\n   Edits: %s *)\n\n"
        % (description, ", ".join("%s %s" % (k, a if k == "block" else repr(a)) for k, a, _ in edits))
    )
    return banner + body


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for name, (description, edits) in VARIANTS.items():
        out = render(name, description, edits)
        path = HERE / name
        if check:
            if not path.exists() or path.read_text() != out:
                stale.append(name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(out)
    if check and stale:
        print("gen.py --check: out of date: " + ", ".join(stale), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
