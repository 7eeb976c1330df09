#!/usr/bin/env python3
"""Write every ProVerif model of proofs/ from the hand-written sources in proofs/src/.

The sources:
  src/prelude.pvh   constants, primitives, encodings and KDFs (SPEC §1, §2, §3.4, §4)
  src/pqxdh.pvh     the PQXDH handshake and Alice's first message (SPEC §3, §4.4-§4.6)
  src/ratchet.pvh   the Double Ratchet, three DH ratchet epochs (SPEC §4, §5.1)
  src/deniability.pvh  Alice's PreKey message made by Alice or by Bob alone, as an
                    equivalence (SPEC §3.4, §4.4, §4.5)
  src/franking.pvh  message franking: commitment, stamp, Open, VerifyReport (SPEC §9)

A model is a source with edits, each exact and checked:
  ("block", NAME, TEXT)  replaces what lies between "(* @@NAME *)" and the next
                         "(* @@END *)" with TEXT (the markers stay);
  ("sub", OLD, NEW)      replaces OLD, which must occur exactly once, with NEW.
An edit that no longer applies is an error, so a source change that a model or a
control depends on fails here, loudly. A negative control is its model plus the
edits of exactly one flaw: it differs from the model it breaks by that flaw only.

Usage:
  python3 proofs/gen.py           write every model
  python3 proofs/gen.py --check   exit 1 if a model on disk differs from what would
                                  be written (CI and `lockstep proofs` run this)
"""

import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE / "src"

# ---------------------------------------------------------------------------
# PQXDH: what each model adds.

Q_SECRECY = """(* S1 Payload secrecy: Alice's first payload to honest Bob stays secret against
   the active attacker, who may at any time be given IK_A, Bob's signed prekey and
   Bob's last-resort ML-KEM key; only IK_B's compromise is excused (with IK_B the
   attacker signs a bundle of its own keys). Expected: true.
   S2 The same for SK. Expected: true. *)
query IKA: G, PQ: bitstring, TH: bitstring, SK: bitstring, m: bitstring;
  attacker(m) && event(AliceSend(IKA, exp(g, ikB), PQ, TH, SK, m)) ==> event(CompIK(exp(g, ikB)));
  attacker(SK) && event(AliceSend(IKA, exp(g, ikB), PQ, TH, SK, m)) ==> event(CompIK(exp(g, ikB))).
"""

COMP_DYNAMIC = """  | (event CompIK(GENERATE_DH(ikA)); out(c, ikA))
  | (event CompIK(GENERATE_DH(ikB)); out(c, ikB))
  | (event CompSPK(GENERATE_DH(spkB)); out(c, spkB))
  | (event CompPQ(KEM_PK(lr_dk)); out(c, lr_dk))
"""

Q_AUTH_OT = """(* A1 Agreement, key-compromise impersonation resistance included: when Bob
   accepts a PreKey message from IK_A under a one-time ML-KEM key and a one-time
   prekey, Alice sent it to him, with the same PQPK_B, TH (the whole PreKey header),
   SK and payload, although the attacker holds Bob's identity key IK_B from the
   start. Expected: true. (Injectivity, with this query: pqxdh_auth_inj.pv.) *)
query PQ: bitstring, TH: bitstring, SK: bitstring, m: bitstring;
  event(BobAccept(exp(g, ikA), exp(g, ikB), PQ, TH, SK, m)) ==> event(AliceSend(exp(g, ikA), exp(g, ikB), PQ, TH, SK, m)).
"""

Q_AUTH_INJ = """(* Injective agreement on Alice's PreKey messages (A1i), split in two queries
   that ProVerif answers in seconds; the injective query in one piece did not
   finish in 10 minutes (wip/pqxdh_auth_inj_direct.pv). This model is
   pqxdh_auth.pv with other queries and another hint: the same process.
   A1u Each of Bob's one-time sessions accepts at most one PreKey message from
   IK_A: every BobAccept is matched by a distinct BobOneTime event (the bundle
   it was sent to) with the same PQPK_B. Expected: true.
   A1f Two distinct BobOneTime events have distinct PQPK_B (a one-time ML-KEM key
   is in one bundle only). Expected: true.
   With A1 (pqxdh_auth.pv), they give A1i: two distinct BobAccept events from
   IK_A map to distinct bundles (A1u), so to distinct PQPK_B (A1f), so their
   arguments differ, and the AliceSend events A1 gives them (same arguments,
   earlier) are distinct. proofs/README.md writes the argument out. *)
query PQ: bitstring, TH: bitstring, SK: bitstring, m: bitstring;
  inj-event(BobAccept(exp(g, ikA), exp(g, ikB), PQ, TH, SK, m)) ==> inj-event(BobOneTime(PQ)).
query PQ: bitstring, i: time, j: time;
  event(BobOneTime(PQ))@i && event(BobOneTime(PQ))@j ==> i = j.
"""

Q_AUTH_INJ_DIRECT = """(* A1i Injective agreement on Alice's PreKey messages in one query, one-time
   prekeys: every PreKey message Bob accepts from IK_A was sent to him by a
   distinct session of Alice, with the same PQPK_B, TH, SK and payload; IK_B given
   to the attacker from the start, as in A1. Expected: true. Did not finish in 10
   minutes on this machine (proofs/README.md); pqxdh_auth_inj.pv proves it in two
   parts. *)
query PQ: bitstring, TH: bitstring, SK: bitstring, m: bitstring;
  inj-event(BobAccept(exp(g, ikA), exp(g, ikB), PQ, TH, SK, m)) ==> inj-event(AliceSend(exp(g, ikA), exp(g, ikB), PQ, TH, SK, m)).
"""

Q_AUTH_LR = """(* A2 Agreement as A1, for Bob's sessions under the last-resort ML-KEM key
   without a one-time prekey, IK_B given to the attacker. Expected: true.
   Not asked here: the injective form. It fails: with nothing one-time, the
   attacker replays Alice's PreKey message and Bob accepts it twice. SPEC §3.5's
   replay record (tested in spec, impl and harness) is what refuses the second
   copy; the model has no record (a negative table look-up is beyond ProVerif's
   injective proofs), and ProVerif answered "cannot be proved" rather than give
   the replay's trace. *)
query PQ: bitstring, TH: bitstring, SK: bitstring, m: bitstring;
  event(BobAccept(exp(g, ikA), exp(g, ikB), PQ, TH, SK, m)) ==> event(AliceSend(exp(g, ikA), exp(g, ikB), PQ, TH, SK, m)).
"""

Q_UKS = """(* No unknown key share, with the re-encodings of SPEC §2: when a Bob session and
   an Alice session derive the same SK,
   U1 they agree on both identity keys (as bytes). Expected: true.
   U2 they agree on Bob's ML-KEM public key. Expected: true.
   U3 they agree on the whole PreKey header (TH). Expected: true. *)
query IKA: G, IKB: G, PQ: bitstring, TH: bitstring, m: bitstring, IKA2: G, IKB2: G, PQ2: bitstring, TH2: bitstring, SK: bitstring, m2: bitstring;
  event(BobAccept(IKA, IKB, PQ, TH, SK, m)) && event(AliceSend(IKA2, IKB2, PQ2, TH2, SK, m2)) ==> IKA = IKA2 && IKB = IKB2;
  event(BobAccept(IKA, IKB, PQ, TH, SK, m)) && event(AliceSend(IKA2, IKB2, PQ2, TH2, SK, m2)) ==> PQ = PQ2;
  event(BobAccept(IKA, IKB, PQ, TH, SK, m)) && event(AliceSend(IKA2, IKB2, PQ2, TH2, SK, m2)) ==> TH = TH2.
"""

RECV_REENC = """(* SPEC §2, small-order cosets: X25519 clamps its scalar to a multiple of 8, so
   every point of P + E[8] gives the same DH output under every private key.
   reenc(P) is another canonical encoding of such a point; anyone can compute it.
   Bob's DH maps it back (canon); AD and TH take the bytes received. One step of
   re-encoding is modelled (reenc(reenc(P)) is not mapped back): one suffices for
   the attacks it stands for, and what stops them (AD, TH) binds all bytes. *)
fun reenc(G): G.
fun canon(G): G
  reduc forall X: G; canon(reenc(X)) = X
  otherwise forall X: G; canon(X) = X.
letfun RECV(P: G) = canon(P).
"""

Q_HNDL = """(* H1 Harvest now, decrypt later: the attacker is active during the sessions
   (phase 0); afterwards (phase 1) it learns every X25519 private key of the
   honest parties (IK_A, IK_B, SPK_B, every one-time prekey, every EK_A), not the
   ML-KEM decapsulation keys. SK of Alice's sessions with honest Bob, of both
   kinds, stays secret. Expected: true.
   Alice sends her PreKey header only (SK_ONLY): the first ratchet message is
   what the Double Ratchet models prove secret given a secret SK, and with it in
   the model saturation did not end in 10 minutes. *)
query IKA: G, PQ: bitstring, TH: bitstring, SK: bitstring, m: bitstring;
  attacker(SK) phase 1 && event(AliceSend(IKA, exp(g, ikB), PQ, TH, SK, m)) ==> false.
"""

Q_FS = """(* Forward secrecy of the handshake: the attacker is active during the sessions
   (phase 0); afterwards (phase 1) it learns every long-term key (IK_A, IK_B,
   SPK_B, the last-resort ML-KEM key). Bob deleted his one-time prekeys (X25519 and
   ML-KEM) after use, Alice her EK_A. Alice sends her PreKey header only, as in
   pqxdh_hndl.pv.
   F1 SK of every session Alice ran with honest Bob under a one-time ML-KEM key
   stays secret: an SK the attacker learns is one under the last-resort key.
   Expected: true.
   F2 Sessions under the last-resort key without a one-time prekey are not
   forward secret while Bob still holds SPK_B and the last-resort key: every input
   of their KDF is then computable. Expected: FALSE. Forward secrecy for them is
   what rotating and deleting those keys buys (Signal's X3DH, section 4.5; SPEC
   leaves the schedule to the application); the model does not rotate them. *)
query IKA: G, PQ: bitstring, TH: bitstring, SK: bitstring, m: bitstring;
  attacker(SK) phase 1 && event(AliceSend(IKA, exp(g, ikB), PQ, TH, SK, m)) ==> PQ = KEM_PK(lr_dk);
  attacker(SK) phase 1 && event(AliceSend(IKA, exp(g, ikB), KEM_PK(lr_dk), TH, SK, m)) ==> false.
"""

ONLY_ONETIME = "  | KindOneTime(spk_id)\n"
ONLY_LASTRESORT = "  | KindLastResort(spk_id, lr_id)\n"
ALICE_LEAKS_EPHEMERAL = "  phase 1; out(c, ek_a).\n"
# SK secrecy models: Alice sends the PreKey header and stops (no ratchet message,
# so no first ratchet key r). The event is the same.
SK_ONLY = ("block", "ALICE_MESSAGE", "  event AliceSend(IKA, IKB, PQPKB, TH, SK, payload);\n  out(c, header);\n")

# The UKS controls' attacks use honest public keys; with one try of
# [ignoreAFewTimes] ProVerif kept attacker(exp(g, ik)) as unproved hypotheses and
# answered "cannot be proved". Three tries let it rebuild the traces.
THREE_TRIES = ("sub", "nounif x: dhsec; attacker(exp(g, *x)) [ignoreAFewTimes].\n",
               "set nounifIgnoreNtimes = 3.\nnounif x: dhsec; attacker(exp(g, *x)) [ignoreAFewTimes].\n")
SECRECY = [("block", "QUERIES", Q_SECRECY), ("block", "COMPROMISE", COMP_DYNAMIC)]
AUTH_OT = [("block", "QUERIES", Q_AUTH_OT), ("block", "SESSIONS", ONLY_ONETIME),
           ("block", "COMPROMISE", "  | out(c, ikB)\n")]
# pqxdh_auth.pv does not finish in 10 minutes with [ignoreAFewTimes]; with the
# plain hint it does. Its control keeps [ignoreAFewTimes], which ProVerif needs to
# reconstruct the attack trace. A hint is a proof-search strategy, not part of the
# model: the two files still differ in the protocol by the control's flaw only.
PLAIN_HINT = ("sub", "nounif x: dhsec; attacker(exp(g, *x)) [ignoreAFewTimes].", "nounif x: dhsec; attacker(exp(g, *x)).")
# The split injective queries (A1u, A1f): pqxdh_auth.pv with its queries replaced,
# nothing else of the process changed. Three tries of [ignoreAFewTimes], so the
# controls' replays come back as traces ("false"), not as "cannot be proved".
AUTH_INJ = [edit for edit in AUTH_OT if edit[:2] != ("block", "QUERIES")] + [("block", "QUERIES", Q_AUTH_INJ), THREE_TRIES]
AUTH_INJ_DIRECT = [edit for edit in AUTH_OT if edit[:2] != ("block", "QUERIES")] + [("block", "QUERIES", Q_AUTH_INJ_DIRECT), PLAIN_HINT]
AUTH_LR = [("block", "QUERIES", Q_AUTH_LR), ("block", "SESSIONS", ONLY_LASTRESORT),
           ("block", "COMPROMISE", "  | out(c, ikB)\n")]
UKS = [("block", "QUERIES", Q_UKS), ("block", "RECV", RECV_REENC),
       ("block", "SESSIONS", ONLY_ONETIME), THREE_TRIES]
# Models with a phase 1: when the query asks for a term in phase 1, ProVerif's
# backward search resolved every DH hypothesis attacker_p1(exp(X, y)) in every way
# the equation allows and did not end in 10 minutes. This hint leaves those
# hypotheses for last, so the search first looks at what the attacker cannot have
# (the KEM shared secret). [ignoreAFewTimes] with 3 tries (instead of 1) lets the
# controls' attack derivations resolve those facts, so ProVerif rebuilds the trace
# ("false") instead of answering "cannot be proved". Like every hint, it cannot
# turn an attack into "true".
PHASE1_HINT = ("sub", "nounif x: dhsec; attacker(exp(g, *x)) [ignoreAFewTimes].\n",
               THREE_TRIES[2] + "nounif x: G, y: dhsec; attacker(exp( *x, *y)) phase 1 [ignoreAFewTimes].\n")
HNDL = [SK_ONLY, PHASE1_HINT, ("block", "QUERIES", Q_HNDL), ("block", "ALICE_AFTER", ALICE_LEAKS_EPHEMERAL),
        ("block", "ONETIME_AFTER", "    | (phase 1; out(c, opkB))\n    ).\n"),
        ("block", "COMPROMISE", "  | (phase 1; out(c, (ikA, ikB, spkB)))\n")]
FS = [SK_ONLY, PHASE1_HINT, ("block", "QUERIES", Q_FS),
      ("block", "COMPROMISE", "  | (phase 1; out(c, (ikA, ikB, spkB, lr_dk)))\n")]

# The flaws of the PQXDH controls.
KDF_NO_TH = """letfun KDF_SK_OPK(dh1: G, dh2: G, dh3: G, dh4: G, ss: bitstring, th: bitstring) = HKDF(ZERO_SALT, (F, dh1, dh2, dh3, dh4, ss), INFO_PQXDH).
letfun KDF_SK_NO_OPK(dh1: G, dh2: G, dh3: G, ss: bitstring, th: bitstring) = HKDF(ZERO_SALT, (F, dh1, dh2, dh3, ss), INFO_PQXDH).
"""
KDF_NO_SS = """letfun KDF_SK_OPK(dh1: G, dh2: G, dh3: G, dh4: G, ss: bitstring, th: bitstring) = HKDF(ZERO_SALT, (F, dh1, dh2, dh3, dh4), (INFO_PQXDH, th)).
letfun KDF_SK_NO_OPK(dh1: G, dh2: G, dh3: G, ss: bitstring, th: bitstring) = HKDF(ZERO_SALT, (F, dh1, dh2, dh3), (INFO_PQXDH, th)).
"""
KDF_NO_DH1 = """letfun KDF_SK_OPK(dh1: G, dh2: G, dh3: G, dh4: G, ss: bitstring, th: bitstring) = HKDF(ZERO_SALT, (F, dh2, dh3, dh4, ss), (INFO_PQXDH, th)).
letfun KDF_SK_NO_OPK(dh1: G, dh2: G, dh3: G, ss: bitstring, th: bitstring) = HKDF(ZERO_SALT, (F, dh2, dh3, ss), (INFO_PQXDH, th)).
"""
AD_NO_IK = """const AD_WITHOUT_IDENTITIES: bitstring.
letfun AD_OF(IKA: G, IKB: G) = AD_WITHOUT_IDENTITIES.
"""
KEM_NONBINDING = """fun KEM_SS_NB(bitstring): bitstring.
fun DECAPS(kemsk, bitstring): bitstring
  reduc forall dk: kemsk, m: bitstring; DECAPS(dk, KEM_CT(KEM_PK(dk), m)) = KEM_SS_NB(m).
letfun ENCAPS_SS(ek: bitstring, m: bitstring) = KEM_SS_NB(m).
"""

# ---------------------------------------------------------------------------
# The Double Ratchet: what each model adds.

Q_RATCHET = """(* R1 Payload secrecy: no payload of any epoch, in either direction, is ever
   known to the active attacker. Expected: true.
   R2 Injective agreement on messages in both directions: every message a party
   accepts as message n of epoch e was sent as message n of epoch e by its peer,
   and is accepted once. Expected: true. *)
query e: bitstring, n: bitstring, m: bitstring;
  attacker(m) && event(Sent(e, n, m)) ==> false;
  inj-event(Recv(e, n, m)) ==> inj-event(Sent(e, n, m)).
"""

def q_fs(i):
    epochs = ", ".join(f"E{k}" for k in range(1, i + 1))
    lines = ";\n".join(f"  attacker(m) && event(Sent(E{k}, n, m)) ==> false" for k in range(1, i + 1))
    return f"""(* FS{i} Forward secrecy: right after epoch {i} both parties' whole state (root,
   sending and receiving chain keys, ratchet private key) and every long-term key
   (IK_A, IK_B, SPK_B) are given to the attacker. Every payload of epochs
   {epochs} stays secret. Expected: true (one result per epoch). *)
query n: bitstring, m: bitstring;
{lines}.
"""

# A party whose whole state has leaked stops there: everything it would do next
# uses only that state, long-term keys the attacker also has, and fresh randomness,
# so the attacker can do it itself (a simulation argument; it is what keeps the
# clause set finite). STOP is a test that never holds.
STOP = "    if true = false then\n"
LEAK_ALICE_E1 = "    out(c, (ikA, a1, RK1, CKa12));\n" + STOP
LEAK_BOB_E1 = "    out(c, (ikB, spkB, b1, RK2, CKb20, CKr12));\n" + STOP
LEAK_ALICE_E2 = "    out(c, (ikA, a2, RK3, CKa30, CKr22));\n" + STOP
LEAK_BOB_E2 = "    out(c, (ikB, spkB, b1, RK2, CKb22, CKr12));\n" + STOP
LEAK_ALICE_E3 = "    out(c, (ikA, a2, RK3, CKa32, CKr22))\n"
# Bob's state after epoch 3 holds RK4 = KDF_RK(RK3, DH(b2, A2)) for a fresh b2;
# the model leaks RK3 instead, from which the attacker gets more, not less.
LEAK_BOB_E3 = "    out(c, (ikB, spkB, b1, RK3, CKr32))\n"

Q_PCS = """(* Post-compromise security. Right after RatchetInit, before epoch 1, both
   parties' whole state and every long-term key are given to the attacker:
   Alice's (IK_A, A1's private key, RK, CKs) and Bob's (IK_B, SPK_B, which is his
   ratchet key, RK = SK). Every message is on the public channel. Then one honest
   DH exchange: the ratchet key B1 that Alice takes from epoch 2 is the one Bob
   made (a table lookup stands for it; the ciphertexts themselves the attacker
   may still forge, since it knows the chain keys of epoch 2).
   P1 Alice's epoch-3 payloads (root key from DH(A2, B1), both private keys fresh)
   are secret again. Expected: true.
   P2 Bob's epoch-2 payloads are not: their root key mixes B1 with A1, whose
   private key the attacker took. Expected: FALSE (the compromise bites; it heals
   one DH exchange later). *)
query n: bitstring, m: bitstring;
  attacker(m) && event(Sent(E3, n, m)) ==> false;
  attacker(m) && event(Sent(E2, n, m)) ==> false.
"""
RATCHET = [("block", "QUERIES", Q_RATCHET)]
FS1 = [("block", "QUERIES", q_fs(1)), ("block", "ALICE_E1", LEAK_ALICE_E1), ("block", "BOB_E1", LEAK_BOB_E1)]
FS2 = [("block", "QUERIES", q_fs(2)), ("block", "ALICE_E2", LEAK_ALICE_E2), ("block", "BOB_E2", LEAK_BOB_E2)]
FS3 = [("block", "QUERIES", q_fs(3)), ("block", "ALICE_E3", LEAK_ALICE_E3), ("block", "BOB_E3", LEAK_BOB_E3)]
PCS = [("block", "QUERIES", Q_PCS), ("block", "TABLES", "table BOB_E2_KEY(bitstring, G).\n"),
       ("block", "ALICE_E0", "    out(c, (ikA, a1, RK1, CKa10));\n"),
       ("block", "BOB_E0", "    out(c, (ikB, spkB, SK));\n"),
       ("block", "BOB_E1", "    insert BOB_E2_KEY(SK, B1);\n"),
       ("block", "ALICE_CHECK_B1", "    get BOB_E2_KEY(=SK, =B1) in\n"),
       # Bob's receipt of epoch 3 outputs nothing: left out (P1, P2 are secrecy).
       ("block", "BOB_E2", STOP)]

# ---------------------------------------------------------------------------
# Deniability: an observational equivalence, no query.

DENIABLE = [("block", "QUERIES", "(* D1 Observational equivalence of the two sides of choice. Expected: true. *)\n")]
# The flaw: Alice also signs TH with her identity key (as SIGMA-style handshakes
# do). Bob cannot make that signature; his simulator signs with a key of its own,
# and the judge checks the signature under IK_A.
ALICE_SIGNS = ("block", "EXTRA", """  new fake: dhsec;
  out(c, choice[SIG(TH, ikA), SIG(TH, fake)]);
  out(c, (header, H, ENCRYPT(mk, payload, HEADER_AD(AD, H)))).
""")

# ---------------------------------------------------------------------------
# Message franking (SPEC §9): what each model adds.

Q_FRANKING = """(* B1 Receiver binding, honest sender: when the platform accepts a report naming
   S as the sender (recipient r, time t, commitment c, message m), S committed
   to m under c for r. Any recipient may be the attacker's (it then holds fk and
   m, and reports what it likes), and the reports of S's other messages are
   public. Expected: true.
   B1u Receiver binding, any sender: the platform accepts at most one message per
   stamped commitment: two accepted reports of the same (sender, recipient, t, c)
   are of the same m, even when sender and recipient are both the attacker's.
   Expected: true.
   B2 Sender binding: a franked message the honest recipient R accepted, under a
   stamp the platform made for it, is one whose report the platform accepts:
   ReportRefused (the platform's VerifyReport failing on R's report of it) never
   happens for an honest stamp, even when the sender is the attacker's. Expected:
   true.
   B3 Report soundness: when the platform accepts a report naming sender s,
   recipient r, time t and commitment c, it stamped c for s, r and t. Expected:
   true. *)
query r: bitstring, t: bitstring, cm: bitstring, m: bitstring;
  event(ReportAccepted(idS, r, t, cm, m)) ==> event(Sent(idS, r, m, cm)).
query s: bitstring, r: bitstring, t: bitstring, cm: bitstring, m1: bitstring, m2: bitstring;
  event(ReportAccepted(s, r, t, cm, m1)) && event(ReportAccepted(s, r, t, cm, m2)) ==> m1 = m2.
query s: bitstring, r: bitstring, t: bitstring, cm: bitstring, tag: bitstring;
  event(ReportRefused(s, r, t, cm, tag)) && event(Stamped(s, r, t, cm, tag)) ==> false.
query s: bitstring, r: bitstring, t: bitstring, cm: bitstring, m: bitstring, tag: bitstring;
  event(ReportAccepted(s, r, t, cm, m)) ==> event(Stamped(s, r, t, cm, tag)).
"""

Q_FRANKING_CONF = """(* Confidentiality of unreported messages against the platform: K_P is given to
   the attacker (the platform is curious: it stamps, and verifies reports, itself),
   the reports of every other message S sends are public (their fk), and S sends
   R the message m_secret in every session, which nobody reports.
   B4 m_secret stays secret. Expected: true.
   B4w m_secret is a weak secret: the platform cannot check a guess of it
   offline against what it sees (the commitment, the ratchet message). Expected:
   true.
   B4s Strong secrecy: the attacker cannot tell runs with different values of
   m_secret apart (noninterf). Expected: true. *)
query attacker(m_secret).
weaksecret m_secret.
noninterf m_secret.
"""

# franking_conf.pv: the platform's key is public, and the system is S's sessions
# only. R's acceptance is left out: it outputs nothing, and its reports of the
# messages the attacker picked are what S's `out(c, fk)` stands for (a report adds
# to the attacker's knowledge only fk). The platform's processes are left out: with
# K_P the attacker stamps and verifies itself.
FRANKING_CONF_SYSTEM = """  out(c, kP)
  | (! new k: bitstring; SenderSession(k, idR, m_secret))
  | (! in(c, (r: bitstring, k: bitstring, u: bitstring)); if r <> idS && r <> idR then SenderSession(k, r, u))
"""

FRANKING = [("block", "QUERIES", Q_FRANKING)]
FRANKING_CONF = [("block", "QUERIES", Q_FRANKING_CONF), ("block", "SYSTEM", FRANKING_CONF_SYSTEM)]

# The flaws of the franking controls.
# "Rely on the AEAD": the commitment is a ciphertext of a non-committing AEAD
# under fk, and the platform accepts a report if the stamped ciphertext decrypts
# under the reported key to the reported message. collide(k1, k2, x1, x2) is the
# Poly1305 two-key collision (SPEC §9.4): one ciphertext that opens under k1 to x1
# and under k2 to x2, which anyone can make who picks both keys.
AEAD_COMMITMENT = """fun NC_ENC(bitstring, bitstring): bitstring.
fun collide(bitstring, bitstring, bitstring, bitstring): bitstring.
fun NC_DEC(bitstring, bitstring): bitstring
  reduc forall k: bitstring, x: bitstring; NC_DEC(k, NC_ENC(k, x)) = x
  otherwise forall k1: bitstring, k2: bitstring, x1: bitstring, x2: bitstring; NC_DEC(k1, collide(k1, k2, x1, x2)) = x1
  otherwise forall k1: bitstring, k2: bitstring, x1: bitstring, x2: bitstring; NC_DEC(k2, collide(k1, k2, x1, x2)) = x2.
letfun COMMIT(fk: bitstring, s: bitstring, r: bitstring, m: bitstring) = NC_ENC(fk, (s, r, m)).
letfun OPENS(fk: bitstring, s: bitstring, r: bitstring, m: bitstring, cm: bitstring) = (NC_DEC(fk, cm) = (s, r, m)).
"""
STAMP_NO_RECIPIENT = "letfun STAMP_TAG(kp: bitstring, cm: bitstring, s: bitstring, r: bitstring, t: bitstring) = HMAC(kp, (FRANKING_STAMP_LABEL, cm, s, t)).\n"
STAMP_NO_SENDER = "letfun STAMP_TAG(kp: bitstring, cm: bitstring, s: bitstring, r: bitstring, t: bitstring) = HMAC(kp, (FRANKING_STAMP_LABEL, cm, r, t)).\n"
# One franking key for the whole session, drawn when it starts, instead of one per
# message.
FK_REUSED = [("block", "FK_SESSION", "  new fk: bitstring;\n"), ("block", "FK_REPORTED", ""),
             ("block", "FK_UNREPORTED", "")]

# ---------------------------------------------------------------------------
# Every model: file -> (source, what it is, edits).

MODELS = {
    "pqxdh_secrecy.pv": ("pqxdh", "PQXDH: payload and SK secrecy under dynamic compromise (S1, S2)", SECRECY),
    "pqxdh_auth.pv": ("pqxdh", "PQXDH: agreement and KCI, one-time prekeys (A1)", AUTH_OT + [PLAIN_HINT]),
    "pqxdh_auth_inj.pv": ("pqxdh", "PQXDH: injective agreement on PreKey messages, one-time prekeys, in two parts (A1u, A1f; with A1: A1i)", AUTH_INJ),
    "pqxdh_auth_inj_direct.pv": ("pqxdh", "PQXDH: injective agreement on PreKey messages in one query, one-time prekeys (A1i)", AUTH_INJ_DIRECT),
    "pqxdh_auth_lr.pv": ("pqxdh", "PQXDH: agreement and KCI, last-resort prekeys (A2)", AUTH_LR),
    "pqxdh_uks.pv": ("pqxdh", "PQXDH: no unknown key share, with small-order re-encodings (U1-U3)", UKS),
    "pqxdh_hndl.pv": ("pqxdh", "PQXDH: harvest now, decrypt later (H1)", HNDL),
    "pqxdh_fs.pv": ("pqxdh", "PQXDH: forward secrecy of the handshake (F1)", FS),
    "ratchet.pv": ("ratchet", "Double Ratchet: payload secrecy and injective agreement (R1, R2)", RATCHET),
    "ratchet_fs1.pv": ("ratchet", "Double Ratchet: forward secrecy, compromise after epoch 1 (FS1)", FS1),
    "ratchet_fs2.pv": ("ratchet", "Double Ratchet: forward secrecy, compromise after epoch 2 (FS2)", FS2),
    "ratchet_fs3.pv": ("ratchet", "Double Ratchet: forward secrecy, compromise after epoch 3 (FS3)", FS3),
    "ratchet_pcs.pv": ("ratchet", "Double Ratchet: post-compromise security (P1, P2)", PCS),
    "pqxdh_deniability.pv": ("deniability", "PQXDH: offline deniability of Alice's PreKey message (D1)", DENIABLE),
    # Negative controls: the model named first, plus one flaw. Each must be false.
    "controls/no_dh_ratchet_step.pv": ("ratchet", "CONTROL of ratchet_pcs.pv: Alice makes no new ratchet key for epoch 3 (A2 = A1). P1 must be false.",
        PCS + [("block", "ALICE_NEW_KEY", "    let a2 = a1 in\n")]),
    "controls/mk_is_next_ck.pv": ("ratchet", "CONTROL of ratchet_fs3.pv: the message key equals the next chain key. FS3 must be false.",
        FS3 + [("block", "KDF_CK", "letfun KDF_CK(ck: bitstring) = (HMAC(ck, CK_CONSTANT), HMAC(ck, CK_CONSTANT)).\n")]),
    "controls/no_ephemeral.pv": ("pqxdh", "CONTROL of pqxdh_secrecy.pv: Alice uses her identity key as EK_A. S1 and S2 must be false.",
        SECRECY + [("sub", "  new ek_a: dhsec;\n", "  let ek_a = ikA in\n")]),
    "controls/sk_public.pv": ("ratchet", "CONTROL of ratchet.pv: the handshake's SK is known to the attacker. R1 and R2 must be false.",
        RATCHET + [("block", "SK", "  out(c, SK);\n")]),
    "controls/alice_signs.pv": ("deniability", "CONTROL of pqxdh_deniability.pv: Alice also signs TH with IK_A. D1 must be false.",
        DENIABLE + [ALICE_SIGNS]),
    "controls/no_ss.pv": ("pqxdh", "CONTROL of pqxdh_hndl.pv: SS left out of the KDF. H1 must be false.",
        HNDL + [("block", "KDF_SK", KDF_NO_SS)]),
    "controls/fs_keep_onetime.pv": ("pqxdh", "CONTROL of pqxdh_fs.pv: Bob keeps his one-time prekeys (X25519 and ML-KEM) and loses them with the long-term keys. F1 must be false.",
        FS + [("block", "ONETIME_AFTER", "    | (phase 1; out(c, (opkB, dk)))\n    ).\n")]),
    "controls/kci_no_dh1.pv": ("pqxdh", "CONTROL of pqxdh_auth.pv: DH1 = DH(IK_A, SPK_B) left out of the KDF. A1 must be false.",
        AUTH_OT + [("block", "KDF_SK", KDF_NO_DH1)]),
    "controls/kci_no_dh1_lr.pv": ("pqxdh", "CONTROL of pqxdh_auth_lr.pv: DH1 = DH(IK_A, SPK_B) left out of the KDF. A2 must be false.",
        AUTH_LR + [("block", "KDF_SK", KDF_NO_DH1)]),
    "controls/onetime_reused.pv": ("pqxdh", "CONTROL of pqxdh_auth_inj.pv: Bob does not delete his one-time prekeys and accepts any number of PreKey messages under them. A1u must be false (the replay).",
        AUTH_INJ + [("sub", "    ( Bob(spk_id, dk, pq_id, OPK_PRESENT, opkB, opk_id)\n", "    ( (! Bob(spk_id, dk, pq_id, OPK_PRESENT, opkB, opk_id))\n")]),
    "controls/onetime_kem_shared.pv": ("pqxdh", "CONTROL of pqxdh_auth_inj.pv: one ML-KEM key pair in every one-time bundle. A1f must be false.",
        AUTH_INJ + [("sub", "  ! new dk: kemsk; new pq_id", "  new dk: kemsk; ! new pq_id")]),
    "controls/reencoding_no_th.pv": ("pqxdh", "CONTROL of pqxdh_uks.pv: SPEC revision 1, no TH in the KDF (the PreKey re-encoding of issue 12). U3 must be false.",
        UKS + [("block", "KDF_SK", KDF_NO_TH)]),
    "controls/ad_no_identities.pv": ("pqxdh", "CONTROL of pqxdh_uks.pv: AD without the identity keys, and no TH. U1 must be false.",
        UKS + [("block", "KDF_SK", KDF_NO_TH), ("block", "AD", AD_NO_IK)]),
    "controls/kem_nonbinding.pv": ("pqxdh", "CONTROL of pqxdh_uks.pv: a KEM whose shared secret does not bind the public key, EncodeKEM(PQPK_B) nowhere in AD, and no TH (the re-encapsulation attack on PQXDH rev 1). U2 must be false.",
        UKS + [("block", "KDF_SK", KDF_NO_TH), ("block", "KEM", KEM_NONBINDING)]),
    "franking.pv": ("franking", "Message franking: receiver and sender binding, report soundness (B1, B1u, B2, B3)", FRANKING),
    "franking_conf.pv": ("franking", "Message franking: confidentiality of unreported messages against the platform (B4, B4w, B4s)", FRANKING_CONF),
    "controls/franking_aead_commitment.pv": ("franking", "CONTROL of franking.pv: the commitment is a non-committing AEAD ciphertext (the Poly1305 two-key collision), opened by decrypting it. B1u must be false.",
        FRANKING + [("block", "COMMIT", AEAD_COMMITMENT)]),
    "controls/franking_no_open.pv": ("franking", "CONTROL of franking.pv: the recipient does not check the commitment (no Open). B2 must be false.",
        FRANKING + [("block", "OPEN", "")]),
    "controls/franking_stamp_no_recipient.pv": ("franking", "CONTROL of franking.pv: the stamp leaves out the recipient. B3 must be false.",
        FRANKING + [("block", "STAMP", STAMP_NO_RECIPIENT)]),
    "controls/franking_stamp_no_sender.pv": ("franking", "CONTROL of franking.pv: the stamp leaves out the sender, so an account of the attacker's submits a commitment naming S. B1 must be false.",
        FRANKING + [("block", "STAMP", STAMP_NO_SENDER)]),
    "controls/franking_fk_reused.pv": ("franking", "CONTROL of franking_conf.pv: one franking key per session instead of one per message. B4w must be false (and B4s not provable: ProVerif finds a trace).",
        FRANKING_CONF + FK_REUSED),
}


# Written, not evidence: the injective query in one piece did not finish within 10
# minutes on this machine (proofs/README.md, "Not yet evidence"). gen.py writes it
# under proofs/wip/, which `lockstep proofs` does not run.
WIP = {name: MODELS.pop(name) for name in ['pqxdh_auth_inj_direct.pv']}


def apply(text, edits, name):
    for edit in edits:
        kind = edit[0]
        if kind == "block":
            _, marker, body = edit
            start = f"(* @@{marker} *)\n"
            i = text.find(start)
            if i < 0 or text.find(start, i + 1) >= 0:
                sys.exit(f"gen.py: {name}: marker @@{marker} missing or not unique")
            j = text.find("(* @@END *)", i)
            if j < 0:
                sys.exit(f"gen.py: {name}: marker @@{marker} has no @@END")
            text = text[: i + len(start)] + body + text[j:]
        elif kind == "sub":
            _, old, new = edit
            if text.count(old) != 1:
                sys.exit(f"gen.py: {name}: {old!r} does not occur exactly once")
            text = text.replace(old, new)
        else:
            sys.exit(f"gen.py: {name}: unknown edit {kind}")
    return text


def render(name, source, description, edits):
    prelude = (SRC / "prelude.pvh").read_text()
    body = (SRC / f"{source}.pvh").read_text()
    text = apply(prelude + "\n" + body, edits, name)
    banner = (
        f"(* proofs/{name}: {description}\n"
        f"   Written by proofs/gen.py from proofs/src/prelude.pvh and proofs/src/{source}.pvh:\n"
        f"   do not edit; edit the sources and run `python3 proofs/gen.py`.\n"
        f"   ProVerif 2.05. Results: proofs/results.json (`lockstep proofs`). *)\n\n"
    )
    return banner + text


def main():
    check = sys.argv[1:] == ["--check"]
    if sys.argv[1:] not in ([], ["--check"]):
        sys.exit(__doc__)
    stale = []
    every = [(name, spec) for name, spec in MODELS.items()] + [(f"wip/{name}", spec) for name, spec in WIP.items()]
    for name, (source, description, edits) in every:
        text = render(name, source, description, edits)
        path = HERE / name
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    known = {HERE / name for name, _ in every}
    strays = [p for p in sorted(HERE.glob("*.pv")) + sorted(HERE.glob("controls/*.pv"))
              + sorted(HERE.glob("wip/*.pv")) + sorted(HERE.glob("wip/controls/*.pv")) if p not in known]
    for p in strays:
        stale.append(f"{p.relative_to(HERE)} (not written by gen.py)")
    if stale:
        print("gen.py: stale or unknown models: " + ", ".join(stale), file=sys.stderr)
        print("run `python3 proofs/gen.py` and commit the result", file=sys.stderr)
        sys.exit(1)
    if check:
        print(f"gen.py: all {len(every)} models up to date ({len(WIP)} of them in wip/)")


if __name__ == "__main__":
    main()
