//! The link between the ProVerif models of `proofs/` and the executable spec (issue
//! 13, item 4): the models' constants, labels, KDF inputs, associated data and
//! encodings must be the spec's, byte for byte. No ProVerif is needed.
//!
//! [`check_dir`] runs two checks on every `*.pv` and `controls/*.pv` of a proofs
//! directory; `lockstep proofs` runs it before ProVerif, and the integration test
//! `tests/proofs_link.rs` runs it on the workspace's `proofs/`.
//!
//! 1. **Constants.** Every line
//!    `const NAME: bitstring. (* SPEC §n: ascii "TEXT" *)` (or `: G.`, or
//!    `hex "HEX"`) gives a constant's bytes, which must equal the spec's:
//!    `lockstep_spec::consts` for the names it has, and for the others the values
//!    the spec's own encoders write (the `pq_kind` and `opk_flag` bytes, the zero
//!    `opk_id` and `OPK_B` of an encoding without a one-time prekey, `u32be(0)`),
//!    found by encoding twice with one field changed. A `const` line with a
//!    `SPEC §` comment that does not parse, or names a constant this module does
//!    not know, fails; every file must define, in this form, every `consts.rs`
//!    constant it uses, and at least one.
//! 2. **Functions.** In every model outside `controls/`, each one-line `letfun` of
//!    [`CONTRACT`] (the PQXDH KDF with and without `DH4`, `EncodeEC`, `EncodeKEM`,
//!    `AD`, `TH`, `KDF_RK`, `KDF_CK`, the message keys, both headers and the
//!    header's AD) is *interpreted*: its term is parsed (`NAME(args)`, tuples,
//!    `let x = T in T`), each parameter gets distinct test bytes, constants get the
//!    bytes of the model's own `const` lines, a tuple is the concatenation of its
//!    parts, `HKDF`/`HMAC`/`SHA256` are the spec's, `OKM_a_b` is bytes `a..b` of
//!    the HKDF output, `G2B` is the identity. The bytes must equal what the spec's
//!    function gives on the same inputs. Each function must be defined in at least
//!    one model.
//!
//! A mismatch names the file, the line and the function. The unit tests at the end
//! run the same checks on models held in strings, and show that a reordered KDF
//! input, a swapped output, a changed label or a missing constant each fail.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use lockstep_spec::ByteSeq;
use lockstep_spec::consts;
use lockstep_spec::ml_kem::{Ciphertext, EncapsulationKey, SharedSecret};
use lockstep_spec::pqxdh;
use lockstep_spec::ratchet::{self, ChainKey, MessageKey, RootKey};
use lockstep_spec::sha256::{self, Sha256Digest};
use lockstep_spec::wire::{
    self, PreKeyBundle, PreKeyHeader, RatchetHeader, encode_bundle, encode_prekey_header,
    encode_ratchet_header,
};
use lockstep_spec::x25519::X25519SerializedPoint;
use lockstep_spec::xeddsa::XEdDSASignature;

/// The functions every model must define (when it defines them at all) exactly as
/// the spec computes them, with their parameter types; each must be defined by at
/// least one model.
pub const CONTRACT: &[(&str, &[&str])] = &[
    (
        "KDF_SK_OPK",
        &["G", "G", "G", "G", "bitstring", "bitstring"],
    ),
    ("KDF_SK_NO_OPK", &["G", "G", "G", "bitstring", "bitstring"]),
    ("EncodeEC", &["G"]),
    ("EncodeKEM", &["bitstring"]),
    ("AD_OF", &["G", "G"]),
    ("TH_OF", &["bitstring"]),
    ("KDF_RK", &["bitstring", "G"]),
    ("KDF_CK", &["bitstring"]),
    ("MESSAGE_KEYS", &["bitstring"]),
    ("RATCHET_HEADER", &["G", "bitstring", "bitstring"]),
    (
        "PREKEY_HEADER",
        &[
            "G",
            "G",
            "bitstring",
            "bitstring",
            "bitstring",
            "bitstring",
            "bitstring",
        ],
    ),
    ("HEADER_AD", &["bitstring", "bitstring"]),
];

/// The length of an ML-KEM-1024 encapsulation key and ciphertext (FIPS 203).
const ML_KEM_1024_LEN: usize = 1568;
/// The length of an XEdDSA signature.
const SIGNATURE_LEN: usize = 64;

// The parts, split along the section banners of what was one file: each sees what
// this module sees (`use super::*`), and its items keep the reach they had.
mod bytes;
mod constants;
mod interpreter;
mod models;
mod spec_side;

use bytes::*;
use constants::*;
use interpreter::*;
pub use models::*;
use spec_side::*;

#[cfg(test)]
mod tests {
    use super::*;

    // The checks themselves, on models held in strings

    /// A model with exactly the contract's lines and every constant, as the spec has
    /// them.
    const GOOD: &str = r#"(* a model for the link test's own tests *)
const VERSION: bitstring. (* SPEC §1: hex "01" *)
const MSG_PREKEY: bitstring. (* SPEC §1: hex "01" *)
const MSG_RATCHET: bitstring. (* SPEC §1: hex "02" *)
const INFO_PQXDH: bitstring. (* SPEC §1: ascii "Lockstep_X25519_SHA-256_ML-KEM-1024" *)
const INFO_RATCHET: bitstring. (* SPEC §1: ascii "Lockstep_Ratchet" *)
const INFO_MESSAGE_KEYS: bitstring. (* SPEC §1: ascii "Lockstep_MessageKeys" *)
const F: bitstring. (* SPEC §1: hex "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" *)
const MK_CONSTANT: bitstring. (* SPEC §1: hex "01" *)
const CK_CONSTANT: bitstring. (* SPEC §1: hex "02" *)
const EC_PREFIX: bitstring. (* SPEC §1: hex "05" *)
const KEM_PREFIX: bitstring. (* SPEC §1: hex "0a" *)
const ZERO_SALT: bitstring. (* SPEC §3.4: hex "0000000000000000000000000000000000000000000000000000000000000000" *)
const PQ_ONETIME: bitstring. (* SPEC §3.2: hex "00" *)
const PQ_LASTRESORT: bitstring. (* SPEC §3.2: hex "01" *)
const OPK_ABSENT: bitstring. (* SPEC §3.2: hex "00" *)
const OPK_PRESENT: bitstring. (* SPEC §3.2: hex "01" *)
const ZERO_ID: bitstring. (* SPEC §3.2: hex "00000000" *)
const U32_ZERO: bitstring. (* SPEC §5.1: hex "00000000" *)
type G.
const ZERO_G: G. (* SPEC §3.2: hex "0000000000000000000000000000000000000000000000000000000000000000" *)
letfun KDF_SK_OPK(dh1: G, dh2: G, dh3: G, dh4: G, ss: bitstring, th: bitstring) = HKDF(ZERO_SALT, (F, dh1, dh2, dh3, dh4, ss), (INFO_PQXDH, th)).
letfun KDF_SK_NO_OPK(dh1: G, dh2: G, dh3: G, ss: bitstring, th: bitstring) = HKDF(ZERO_SALT, (F, dh1, dh2, dh3, ss), (INFO_PQXDH, th)).
letfun EncodeEC(pk: G) = (EC_PREFIX, pk).
letfun EncodeKEM(ek: bitstring) = (KEM_PREFIX, ek).
letfun AD_OF(IKA: G, IKB: G) = (EncodeEC(IKA), EncodeEC(IKB)).
letfun TH_OF(header: bitstring) = SHA256(header).
letfun KDF_RK(rk: bitstring, dh_out: G) = let okm = HKDF(rk, G2B(dh_out), INFO_RATCHET) in (OKM_0_32(okm), OKM_32_64(okm)).
letfun KDF_CK(ck: bitstring) = (HMAC(ck, CK_CONSTANT), HMAC(ck, MK_CONSTANT)).
letfun MESSAGE_KEYS(mk: bitstring) = HKDF(ZERO_SALT, mk, INFO_MESSAGE_KEYS).
letfun RATCHET_HEADER(dh: G, pn: bitstring, n: bitstring) = (VERSION, MSG_RATCHET, dh, pn, n).
letfun PREKEY_HEADER(IKA: G, EKA: G, spk_id: bitstring, pqpk_id: bitstring, opk_flag: bitstring, opk_id: bitstring, CT: bitstring) = (VERSION, MSG_PREKEY, IKA, EKA, spk_id, pqpk_id, opk_flag, opk_id, CT).
letfun HEADER_AD(ad: bitstring, h: bitstring) = (ad, h).
"#;

    /// The failures of [`GOOD`] with `old` replaced by `new` (which must occur in it).
    fn failures_with(old: &str, new: &str) -> Vec<String> {
        assert!(GOOD.contains(old), "the test's edit does not apply: {old}");
        let text = GOOD.replacen(old, new, 1);
        check_model("inline.pv", &text, false, &mut Tally::default())
    }

    #[test]
    fn the_contract_model_passes() {
        let mut tally = Tally::default();
        let failures = check_model("inline.pv", GOOD, false, &mut tally);
        assert_eq!(failures, Vec::<String>::new());
        assert_eq!(tally.defined.len(), CONTRACT.len());
        assert_eq!(tally.functions, CONTRACT.len());
        assert_eq!(tally.constants, 19);
    }

    #[test]
    fn spec_derived_constants_are_the_documented_ones() {
        let c = spec_constants();
        assert_eq!(c["PQ_ONETIME"], [0x00]);
        assert_eq!(c["PQ_LASTRESORT"], [0x01]);
        assert_eq!(c["OPK_ABSENT"], [0x00]);
        assert_eq!(c["OPK_PRESENT"], [0x01]);
        assert_eq!(c["ZERO_ID"], [0; 4]);
        assert_eq!(c["U32_ZERO"], [0; 4]);
        assert_eq!(c["ZERO_G"], [0; 32]);
    }

    #[test]
    fn a_reordered_kdf_input_fails() {
        let failures = failures_with("(F, dh1, dh2, dh3, dh4, ss)", "(F, dh2, dh1, dh3, dh4, ss)");
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(
            failures[0].starts_with("inline.pv:22: KDF_SK_OPK: SK (pqxdh::kdf)"),
            "{failures:?}"
        );
        // SS before the DH values, TH left out, F left out.
        assert_eq!(
            failures_with("(F, dh1, dh2, dh3, ss)", "(F, ss, dh1, dh2, dh3)").len(),
            1
        );
        assert_eq!(
            failures_with(
                "(INFO_PQXDH, th)).\nletfun KDF_SK_NO",
                "INFO_PQXDH).\nletfun KDF_SK_NO"
            )
            .len(),
            1
        );
        assert_eq!(
            failures_with("(F, dh1, dh2, dh3, ss)", "(dh1, dh2, dh3, ss)").len(),
            1
        );
    }

    #[test]
    fn swapped_ratchet_outputs_fail() {
        let rk = failures_with(
            "(OKM_0_32(okm), OKM_32_64(okm))",
            "(OKM_32_64(okm), OKM_0_32(okm))",
        );
        assert!(rk.len() == 1 && rk[0].contains("KDF_RK"), "{rk:?}");
        let ck = failures_with(
            "(HMAC(ck, CK_CONSTANT), HMAC(ck, MK_CONSTANT))",
            "(HMAC(ck, MK_CONSTANT), HMAC(ck, CK_CONSTANT))",
        );
        assert!(ck.len() == 1 && ck[0].contains("KDF_CK"), "{ck:?}");
        let ad = failures_with(
            "(EncodeEC(IKA), EncodeEC(IKB))",
            "(EncodeEC(IKB), EncodeEC(IKA))",
        );
        assert!(ad.len() == 1 && ad[0].contains("AD_OF"), "{ad:?}");
        let h = failures_with(
            "(VERSION, MSG_RATCHET, dh, pn, n)",
            "(VERSION, MSG_RATCHET, dh, n, pn)",
        );
        assert!(h.len() == 1 && h[0].contains("RATCHET_HEADER"), "{h:?}");
        // Both PreKey header cases (with and without an OPK) fail.
        let p = failures_with("spk_id, pqpk_id, opk_flag", "pqpk_id, spk_id, opk_flag");
        assert_eq!(p.len(), 2, "{p:?}");
        let mk = failures_with(
            "HKDF(ZERO_SALT, mk, INFO_MESSAGE_KEYS)",
            "HKDF(ZERO_SALT, mk, INFO_RATCHET)",
        );
        assert!(mk.len() == 1 && mk[0].contains("MESSAGE_KEYS"), "{mk:?}");
        let had = failures_with("= (ad, h).", "= (h, ad).");
        assert!(had.len() == 1 && had[0].contains("HEADER_AD"), "{had:?}");
    }

    #[test]
    fn a_changed_label_or_constant_fails() {
        let label = failures_with("ascii \"Lockstep_Ratchet\"", "ascii \"Lockstep_Ratchet2\"");
        // The constant itself, and KDF_RK computed with it.
        assert!(
            label
                .iter()
                .any(|f| f.starts_with("inline.pv:6: constant INFO_RATCHET")),
            "{label:?}"
        );
        assert!(label.iter().any(|f| f.contains("KDF_RK")), "{label:?}");
        assert_eq!(failures_with("hex \"0a\"", "hex \"0b\"").len(), 2); // KEM_PREFIX, EncodeKEM
        assert_eq!(
            failures_with(
                "const PQ_LASTRESORT: bitstring. (* SPEC §3.2: hex \"01\"",
                "const PQ_LASTRESORT: bitstring. (* SPEC §3.2: hex \"02\""
            )
            .len(),
            1
        );
    }

    #[test]
    fn constants_must_be_known_well_formed_and_defined() {
        // An unknown constant with a SPEC comment.
        let unknown = failures_with(
            "type G.",
            "const NEW_LABEL: bitstring. (* SPEC §1: ascii \"x\" *)\ntype G.",
        );
        assert!(
            unknown.len() == 1 && unknown[0].contains("does not know it"),
            "{unknown:?}"
        );
        // A malformed one.
        let malformed = failures_with(
            "const U32_ZERO: bitstring. (* SPEC §5.1: hex",
            "const U32_ZERO: bitstring. (* SPEC §5.1: hexa",
        );
        assert!(
            malformed.iter().any(|f| f.contains("not of the form")),
            "{malformed:?}"
        );
        // A used §1 constant defined without its SPEC comment.
        let plain = failures_with(
            "const INFO_RATCHET: bitstring. (* SPEC §1: ascii \"Lockstep_Ratchet\" *)",
            "const INFO_RATCHET: bitstring.",
        );
        assert!(
            plain
                .iter()
                .any(|f| f.contains("uses the SPEC §1 constant INFO_RATCHET")),
            "{plain:?}"
        );
        // A file with no §1 constant at all.
        let none = check_model(
            "c.pv",
            "free c: channel.\nprocess 0\n",
            true,
            &mut Tally::default(),
        );
        assert_eq!(none, ["c.pv: defines no SPEC §1 constant"]);
    }

    #[test]
    fn check_dir_counts_and_names_the_file_line_and_constant() {
        let dir = std::env::temp_dir().join(format!("lockstep-proofs-link-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("controls")).unwrap();
        // No model at all.
        let empty = check_dir(&dir).unwrap_err();
        assert!(empty[0].starts_with("no model"), "{empty:?}");
        std::fs::write(dir.join("m.pv"), GOOD).unwrap();
        std::fs::write(
            dir.join("controls").join("c.pv"),
            "const VERSION: bitstring. (* SPEC §1: hex \"01\" *)\nprocess 0\n",
        )
        .unwrap();
        assert_eq!(
            check_dir(&dir),
            Ok(Summary {
                models: 1,
                controls: 1,
                constants: 20,
                functions: CONTRACT.len(),
                contract: CONTRACT.len(),
            })
        );
        std::fs::write(
            dir.join("m.pv"),
            GOOD.replacen("\"Lockstep_Ratchet\"", "\"Lockstep_Ratchet_v2\"", 1),
        )
        .unwrap();
        let failures = check_dir(&dir).unwrap_err();
        let file = dir.join("m.pv").display().to_string();
        assert!(
            failures.iter().any(|f| f.starts_with(&format!(
                "{file}:6: constant INFO_RATCHET is \"Lockstep_Ratchet_v2\" ("
            )) && f.contains("in the model, \"Lockstep_Ratchet\" (4c6f")),
            "{failures:?}"
        );
        assert!(
            failures
                .iter()
                .any(|f| f.starts_with(&format!("{file}:28: KDF_RK: "))),
            "{failures:?}"
        );
        // A contract function no model defines.
        std::fs::write(
            dir.join("m.pv"),
            GOOD.replacen("letfun HEADER_AD", "letfun HEADER_AD_X", 1),
        )
        .unwrap();
        let missing = check_dir(&dir).unwrap_err();
        assert!(
            missing.iter().any(|f| f.contains("defines HEADER_AD ")),
            "{missing:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unreadable_contract_function_fails() {
        let multi = failures_with(
            "letfun KDF_CK(ck: bitstring) = (HMAC(ck, CK_CONSTANT), HMAC(ck, MK_CONSTANT)).",
            "letfun KDF_CK(ck: bitstring) =\n  (HMAC(ck, CK_CONSTANT), HMAC(ck, MK_CONSTANT)).",
        );
        assert!(
            multi.len() == 1 && multi[0].contains("KDF_CK: cannot read it"),
            "{multi:?}"
        );
        let unknown = failures_with("SHA256(header)", "SHA512(header)");
        assert!(
            unknown.len() == 1 && unknown[0].contains("unknown function SHA512"),
            "{unknown:?}"
        );
        let types = failures_with("letfun TH_OF(header: bitstring)", "letfun TH_OF(header: G)");
        assert!(
            types.len() == 1 && types[0].contains("parameter types"),
            "{types:?}"
        );
    }

    #[test]
    fn the_term_parser_reads_calls_tuples_and_lets() {
        let t = parse_term("let x = H(a, (b, c)) in (K(x), y)").unwrap();
        let name = |n: &str| Term::Name(n.to_owned());
        assert_eq!(
            t,
            Term::Let(
                "x".to_owned(),
                Box::new(Term::Call(
                    "H".to_owned(),
                    vec![name("a"), Term::Tuple(vec![name("b"), name("c")])]
                )),
                Box::new(Term::Tuple(vec![
                    Term::Call("K".to_owned(), vec![name("x")]),
                    name("y")
                ])),
            )
        );
        assert_eq!(parse_term("((a))").unwrap(), name("a"));
        assert!(parse_term("H(a,").is_err());
        assert!(parse_term("a b").is_err());
        assert!(parse_term("a + b").is_err());
        assert_eq!(strip_comments("a (* b *) c (* d"), "a  c ");
        assert_eq!(
            parse_constant("const X_1: G. (* SPEC §3.2: hex \"00ff\" *)").unwrap(),
            Some(("X_1".to_owned(), vec![0, 255]))
        );
        assert_eq!(parse_constant("const x: bitstring.").unwrap(), None);
        assert!(parse_constant("const x: bitstring. (* SPEC §1: ascii \"a\" *)").is_err());
    }
}
