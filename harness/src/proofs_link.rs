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

// ---------------------------------------------------------------------------------
// Bytes

/// The public bytes of a spec byte sequence.
fn unseq(seq: &ByteSeq) -> Vec<u8> {
    (0..seq.len()).map(|i| seq[i].declassify()).collect()
}

/// Distinct test bytes: `len` bytes, different for every `tag`.
fn test_bytes(tag: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| {
            let i = u8::try_from(i % 251).unwrap_or(0);
            tag.wrapping_mul(37)
                .wrapping_add(i.wrapping_mul(11))
                .wrapping_add(1)
        })
        .collect()
}

/// Bytes as lower-case hex.
fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Bytes as hex, preceded by their text in quotes when they are printable ASCII
/// (a label): `"Lockstep_Ratchet" (4c6f…)`.
fn show(bytes: &[u8]) -> String {
    if !bytes.is_empty() && bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!("{:?} ({})", String::from_utf8_lossy(bytes), to_hex(bytes))
    } else {
        to_hex(bytes)
    }
}

/// Hex (either case, even length) as bytes.
fn from_hex(text: &str) -> Result<Vec<u8>, String> {
    if !text.len().is_multiple_of(2) || !text.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("{text:?} is not hex"));
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(|e| e.to_string()))
        .collect()
}

fn point(bytes: &[u8]) -> X25519SerializedPoint {
    X25519SerializedPoint::from_public_slice(bytes)
}

/// The bytes of `base` at the positions where `a` and `b` differ: a field of an
/// encoding, found by encoding twice with only that field changed.
fn field(base: &[u8], a: &[u8], b: &[u8]) -> Vec<u8> {
    assert_eq!(a.len(), b.len(), "two encodings of different lengths");
    (0..a.len())
        .filter(|&i| a[i] != b[i])
        .map(|i| base[i])
        .collect()
}

/// A bundle for the spec's encoder; only the fields named vary.
fn bundle(pq_last_resort: bool, opk: Option<(u32, [u8; 32])>) -> Vec<u8> {
    unseq(&encode_bundle(&PreKeyBundle {
        ik_b: point(&test_bytes(1, 32)),
        spk_id: 7,
        spk_b: point(&test_bytes(2, 32)),
        spk_sig: XEdDSASignature::from_public_slice(&test_bytes(3, SIGNATURE_LEN)),
        pqpk_id: 9,
        pq_last_resort,
        pqpk_b: EncapsulationKey::from_public_slice(&test_bytes(4, ML_KEM_1024_LEN)),
        pqpk_sig: XEdDSASignature::from_public_slice(&test_bytes(5, SIGNATURE_LEN)),
        opk: opk.map(|(id, key)| (id, point(&key))),
    }))
}

/// A PreKey header for the spec's encoder; only `opk_id` varies.
fn prekey_header(opk_id: Option<u32>) -> Vec<u8> {
    unseq(&encode_prekey_header(&PreKeyHeader {
        ik_a: point(&test_bytes(1, 32)),
        ek_a: point(&test_bytes(2, 32)),
        spk_id: 3,
        pqpk_id: 4,
        opk_id,
        ct: Ciphertext::from_public_slice(&test_bytes(5, ML_KEM_1024_LEN)),
    }))
}

/// A ratchet header for the spec's encoder; only `pn` varies.
fn ratchet_header(pn: u32) -> Vec<u8> {
    unseq(&encode_ratchet_header(&RatchetHeader {
        dh: point(&test_bytes(1, 32)),
        pn,
        n: 5,
    }))
}

/// The value the spec gives each constant a model may define: `consts.rs` for SPEC
/// §1, the spec's encoders for the rest.
fn spec_constants() -> BTreeMap<&'static str, Vec<u8>> {
    let mut c = BTreeMap::new();
    c.insert("VERSION", vec![consts::VERSION]);
    c.insert("MSG_PREKEY", vec![consts::MSG_PREKEY]);
    c.insert("MSG_RATCHET", vec![consts::MSG_RATCHET]);
    c.insert("INFO_PQXDH", consts::INFO_PQXDH.to_vec());
    c.insert("INFO_RATCHET", consts::INFO_RATCHET.to_vec());
    c.insert("INFO_MESSAGE_KEYS", consts::INFO_MESSAGE_KEYS.to_vec());
    c.insert("F", consts::F.to_vec());
    c.insert("MK_CONSTANT", vec![consts::MK_CONSTANT]);
    c.insert("CK_CONSTANT", vec![consts::CK_CONSTANT]);
    c.insert("EC_PREFIX", vec![consts::EC_PREFIX]);
    c.insert("KEM_PREFIX", vec![consts::KEM_PREFIX]);
    // SPEC §3.4: the HKDF salt of KDF (`ByteSeq::new(32)` in pqxdh::kdf, not exported).
    c.insert("ZERO_SALT", vec![0u8; 32]);
    // SPEC §3.2 pq_kind: the byte where a one-time and a last-resort bundle differ.
    let one_time = bundle(false, None);
    let last_resort = bundle(true, None);
    c.insert("PQ_ONETIME", field(&one_time, &one_time, &last_resort));
    c.insert(
        "PQ_LASTRESORT",
        field(&last_resort, &one_time, &last_resort),
    );
    // SPEC §5.2 opk_flag: the byte where a header without and with OPK id 0 differ.
    let absent = prekey_header(None);
    let present = prekey_header(Some(0));
    c.insert("OPK_ABSENT", field(&absent, &absent, &present));
    c.insert("OPK_PRESENT", field(&present, &absent, &present));
    // SPEC §5.2 opk_id with no OPK: the id field (where ids 0 and 2^32-1 differ) of
    // the header without one.
    c.insert(
        "ZERO_ID",
        field(
            &absent,
            &prekey_header(Some(0)),
            &prekey_header(Some(u32::MAX)),
        ),
    );
    // SPEC §3.2 OPK_B with no OPK: the key field (where two keys differ) of the
    // bundle without one.
    c.insert(
        "ZERO_G",
        field(
            &one_time,
            &bundle(false, Some((0, [0x11; 32]))),
            &bundle(false, Some((0, [0xEE; 32]))),
        ),
    );
    // SPEC §5.1 u32be(0): the pn field of a header with pn = 0.
    c.insert(
        "U32_ZERO",
        field(
            &ratchet_header(0),
            &ratchet_header(0),
            &ratchet_header(u32::MAX),
        ),
    );
    // SPEC §5.1 u32be(1), u32be(2): the pn field of headers with pn = 1 and 2.
    for (name, pn) in [("U32_ONE", 1), ("U32_TWO", 2)] {
        c.insert(
            name,
            field(
                &ratchet_header(pn),
                &ratchet_header(0),
                &ratchet_header(u32::MAX),
            ),
        );
    }
    c
}

/// The SPEC §1 constants: the names of `lockstep_spec::consts` a model may use.
const SECTION_1: &[&str] = &[
    "VERSION",
    "MSG_PREKEY",
    "MSG_RATCHET",
    "INFO_PQXDH",
    "INFO_RATCHET",
    "INFO_MESSAGE_KEYS",
    "F",
    "MK_CONSTANT",
    "CK_CONSTANT",
    "EC_PREFIX",
    "KEM_PREFIX",
];

// ---------------------------------------------------------------------------------
// Constants of a model

/// A `const` line of a model with its SPEC value.
#[derive(Debug)]
struct Constant {
    /// 1-based line number.
    line: usize,
    /// Its name.
    name: String,
    /// Its bytes, from the `ascii` or `hex` text.
    bytes: Vec<u8>,
}

/// Parses `const NAME: bitstring. (* SPEC §n: ascii "TEXT" *)` (or `: G.`, or
/// `hex "HEX"`): `Ok(None)` for a line that is not a `const` with a `SPEC §`
/// comment, `Err` for one that is but does not follow the form.
fn parse_constant(line: &str) -> Result<Option<(String, Vec<u8>)>, String> {
    let line = line.trim_end();
    if !(line.starts_with("const ") && line.contains("SPEC §")) {
        return Ok(None);
    }
    let bad = || {
        format!("not of the form `const NAME: bitstring|G. (* SPEC §n: ascii|hex \"…\" *)`: {line}")
    };
    let rest = line.strip_prefix("const ").ok_or_else(bad)?;
    let (name, rest) = rest.split_once(": ").ok_or_else(bad)?;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(bad());
    }
    let rest = rest
        .strip_prefix("bitstring. (* SPEC §")
        .or_else(|| rest.strip_prefix("G. (* SPEC §"))
        .ok_or_else(bad)?;
    let (clause, rest) = rest.split_once(": ").ok_or_else(bad)?;
    if clause.is_empty() || !clause.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(bad());
    }
    let (kind, rest) = rest.split_once(" \"").ok_or_else(bad)?;
    let value = rest.strip_suffix("\" *)").ok_or_else(bad)?;
    if value.contains('"') {
        return Err(bad());
    }
    let bytes = match kind {
        "ascii" => value.as_bytes().to_vec(),
        "hex" => from_hex(value).map_err(|e| format!("{}: {e}", bad()))?,
        _ => return Err(bad()),
    };
    Ok(Some((name.to_owned(), bytes)))
}

/// `text` without its `(* … *)` comments.
fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("(*") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("*)") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// The identifiers of `text`.
fn identifiers(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Check 1 on one model: its constants. Returns the constants (for the
/// interpreter), the failures, and how many `const` lines were compared with the
/// spec.
fn check_constants(file: &str, text: &str) -> (BTreeMap<String, Vec<u8>>, Vec<String>, usize) {
    let spec = spec_constants();
    let mut failures = Vec::new();
    let mut found: Vec<Constant> = Vec::new();
    let mut other_lines = String::new();
    for (index, line) in text.lines().enumerate() {
        match parse_constant(line) {
            Ok(Some((name, bytes))) => found.push(Constant {
                line: index + 1,
                name,
                bytes,
            }),
            Ok(None) => {
                other_lines.push_str(line);
                other_lines.push('\n');
            }
            Err(e) => failures.push(format!("{file}:{}: {e}", index + 1)),
        }
    }
    let mut constants = BTreeMap::new();
    for c in &found {
        match spec.get(c.name.as_str()) {
            None => failures.push(format!(
                "{file}:{}: constant {} has a SPEC comment but the link check does not know it \
                 (add it to spec_constants in harness/src/proofs_link.rs)",
                c.line, c.name
            )),
            Some(want) if *want != c.bytes => failures.push(format!(
                "{file}:{}: constant {} is {} in the model, {} in the spec",
                c.line,
                c.name,
                show(&c.bytes),
                show(want)
            )),
            Some(_) => {}
        }
        if constants.insert(c.name.clone(), c.bytes.clone()).is_some() {
            failures.push(format!(
                "{file}:{}: constant {} defined twice",
                c.line, c.name
            ));
        }
    }
    let used = identifiers(&strip_comments(&other_lines));
    for name in SECTION_1 {
        if used.contains(*name) && !constants.contains_key(*name) {
            failures.push(format!(
                "{file}: uses the SPEC §1 constant {name} without defining it as \
                 `const {name}: bitstring. (* SPEC §1: … *)`"
            ));
        }
    }
    if !SECTION_1.iter().any(|n| constants.contains_key(*n)) {
        failures.push(format!("{file}: defines no SPEC §1 constant"));
    }
    (constants, failures, found.len())
}

// ---------------------------------------------------------------------------------
// The term interpreter

/// A term of a `letfun` body.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Term {
    /// A parameter, a `let` name or a constant.
    Name(String),
    /// `NAME(args)`.
    Call(String, Vec<Term>),
    /// `(a, b, …)`: the concatenation of its parts.
    Tuple(Vec<Term>),
    /// `let x = T in U`.
    Let(String, Box<Term>, Box<Term>),
}

/// A one-line `letfun`.
#[derive(Clone, Debug)]
struct LetFun {
    /// 1-based line number.
    line: usize,
    /// Parameter names and types, in order.
    params: Vec<(String, String)>,
    /// The body.
    body: Term,
}

/// Splits a term into tokens: identifiers and `( ) , =`.
fn tokenize(text: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '\'' {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            tokens.push(std::mem::take(&mut word));
        }
        match c {
            '(' | ')' | ',' | '=' => tokens.push(c.to_string()),
            c if c.is_whitespace() => {}
            c => return Err(format!("unexpected character {c:?}")),
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    Ok(tokens)
}

/// A recursive-descent parser over tokens.
struct Parser {
    tokens: Vec<String>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.at).map(String::as_str)
    }

    fn next(&mut self) -> Result<String, String> {
        let token = self
            .tokens
            .get(self.at)
            .cloned()
            .ok_or_else(|| "unexpected end of term".to_owned())?;
        self.at += 1;
        Ok(token)
    }

    fn expect(&mut self, want: &str) -> Result<(), String> {
        let got = self.next()?;
        if got == want {
            Ok(())
        } else {
            Err(format!("expected `{want}`, found `{got}`"))
        }
    }

    fn ident(&mut self) -> Result<String, String> {
        let token = self.next()?;
        if token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '\'')
        {
            Ok(token)
        } else {
            Err(format!("expected a name, found `{token}`"))
        }
    }

    /// `T, T, …)` after an opening parenthesis.
    fn list(&mut self) -> Result<Vec<Term>, String> {
        let mut items = Vec::new();
        if self.peek() == Some(")") {
            self.at += 1;
            return Ok(items);
        }
        loop {
            items.push(self.term()?);
            match self.next()?.as_str() {
                "," => {}
                ")" => return Ok(items),
                other => return Err(format!("expected `,` or `)`, found `{other}`")),
            }
        }
    }

    fn term(&mut self) -> Result<Term, String> {
        match self.peek() {
            Some("let") => {
                self.at += 1;
                let name = self.ident()?;
                self.expect("=")?;
                let bound = self.term()?;
                self.expect("in")?;
                let body = self.term()?;
                Ok(Term::Let(name, Box::new(bound), Box::new(body)))
            }
            Some("(") => {
                self.at += 1;
                let mut items = self.list()?;
                if items.len() == 1 {
                    Ok(items.remove(0))
                } else {
                    Ok(Term::Tuple(items))
                }
            }
            _ => {
                let name = self.ident()?;
                if self.peek() == Some("(") {
                    self.at += 1;
                    Ok(Term::Call(name, self.list()?))
                } else {
                    Ok(Term::Name(name))
                }
            }
        }
    }
}

/// Parses a whole term.
fn parse_term(text: &str) -> Result<Term, String> {
    let mut parser = Parser {
        tokens: tokenize(text)?,
        at: 0,
    };
    let term = parser.term()?;
    if parser.at != parser.tokens.len() {
        return Err(format!(
            "unexpected `{}` after the term",
            parser.tokens[parser.at]
        ));
    }
    Ok(term)
}

/// Parses `letfun NAME(p: T, …) = BODY.` (comments already stripped): the name and
/// the function.
fn parse_letfun(line: &str, number: usize) -> Result<(String, LetFun), String> {
    let rest = line.trim().strip_prefix("letfun ").ok_or("not a letfun")?;
    let open = rest.find('(').ok_or("no parameter list")?;
    let name = rest[..open].trim().to_owned();
    let close = rest.find(')').ok_or("no end to the parameter list")?;
    let mut params = Vec::new();
    for param in rest[open + 1..close].split(',') {
        if param.trim().is_empty() {
            continue;
        }
        let (p, t) = param
            .split_once(':')
            .ok_or_else(|| format!("parameter `{}` has no type", param.trim()))?;
        params.push((p.trim().to_owned(), t.trim().to_owned()));
    }
    let body = rest[close + 1..]
        .trim()
        .strip_prefix('=')
        .ok_or("no `=` after the parameters")?
        .trim()
        .strip_suffix('.')
        .ok_or("the letfun does not end on its line with `.`")?;
    Ok((
        name,
        LetFun {
            line: number,
            params,
            body: parse_term(body)?,
        },
    ))
}

/// A value of the interpreter: bytes, or the output of `HKDF` (64 bytes computed;
/// a plain use takes the first 32, `OKM_a_b` takes bytes `a..b`: HKDF-Expand's
/// output blocks do not depend on the length asked, RFC 5869 §2.3).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Value {
    Bytes(Vec<u8>),
    Okm(Vec<u8>),
}

impl Value {
    /// Its bytes where a plain value is needed: an HKDF output as a 32-byte key.
    fn bytes(&self) -> Vec<u8> {
        match self {
            Value::Bytes(b) => b.clone(),
            Value::Okm(okm) => okm[..32].to_vec(),
        }
    }
}

/// What a model defines: its constants and its one-line letfuns.
struct Model {
    constants: BTreeMap<String, Vec<u8>>,
    letfuns: BTreeMap<String, LetFun>,
}

impl Model {
    /// Applies the letfun `name` to `args`.
    fn apply(&self, name: &str, args: Vec<Value>, depth: usize) -> Result<Value, String> {
        let f = self
            .letfuns
            .get(name)
            .ok_or_else(|| format!("{name} is not defined on one line"))?;
        if f.params.len() != args.len() {
            return Err(format!(
                "{name} takes {} arguments, given {}",
                f.params.len(),
                args.len()
            ));
        }
        let env: BTreeMap<String, Value> =
            f.params.iter().map(|(p, _)| p.clone()).zip(args).collect();
        self.eval(&f.body, &env, depth + 1)
    }

    fn eval(
        &self,
        term: &Term,
        env: &BTreeMap<String, Value>,
        depth: usize,
    ) -> Result<Value, String> {
        if depth > 32 {
            return Err("letfuns nested too deep (recursion?)".to_owned());
        }
        match term {
            Term::Name(n) => env
                .get(n)
                .cloned()
                .or_else(|| self.constants.get(n).cloned().map(Value::Bytes))
                .ok_or_else(|| format!("unknown name {n} (not a parameter nor a SPEC constant)")),
            Term::Tuple(items) => {
                let mut out = Vec::new();
                for item in items {
                    out.extend(self.eval(item, env, depth)?.bytes());
                }
                Ok(Value::Bytes(out))
            }
            Term::Let(name, bound, body) => {
                let value = self.eval(bound, env, depth)?;
                let mut inner = env.clone();
                inner.insert(name.clone(), value);
                self.eval(body, &inner, depth)
            }
            Term::Call(f, args) => {
                let mut values = Vec::new();
                for a in args {
                    values.push(self.eval(a, env, depth)?);
                }
                self.call(f, values, depth)
            }
        }
    }

    fn call(&self, f: &str, args: Vec<Value>, depth: usize) -> Result<Value, String> {
        let arity = |n: usize| {
            if args.len() == n {
                Ok(())
            } else {
                Err(format!("{f} takes {n} arguments, given {}", args.len()))
            }
        };
        let seq = |v: &Value| ByteSeq::from_public_slice(&v.bytes());
        let okm = |from: usize, to: usize| -> Result<Value, String> {
            arity(1)?;
            match &args[0] {
                Value::Okm(okm) => Ok(Value::Bytes(okm[from..to].to_vec())),
                Value::Bytes(_) => Err(format!("{f} of a value that is not an HKDF output")),
            }
        };
        match f {
            "HKDF" => {
                arity(3)?;
                let okm =
                    lockstep_spec::hkdf::hkdf(&seq(&args[0]), &seq(&args[1]), &seq(&args[2]), 64)
                        .map_err(|e| format!("HKDF: {e:?}"))?;
                Ok(Value::Okm(unseq(&okm)))
            }
            "HMAC" => {
                arity(2)?;
                Ok(Value::Bytes(
                    lockstep_spec::hmac::hmac(&seq(&args[0]), &seq(&args[1]))
                        .to_public_array()
                        .to_vec(),
                ))
            }
            "SHA256" => {
                arity(1)?;
                Ok(Value::Bytes(
                    sha256::hash(&seq(&args[0])).to_public_array().to_vec(),
                ))
            }
            "G2B" => {
                arity(1)?;
                Ok(args[0].clone())
            }
            "OKM_0_32" => okm(0, 32),
            "OKM_32_64" => okm(32, 64),
            "OKM_32_44" => okm(32, 44),
            _ if self.letfuns.contains_key(f) => self.apply(f, args, depth),
            _ => Err(format!(
                "unknown function {f} (neither a primitive the test knows nor a one-line letfun)"
            )),
        }
    }
}

// ---------------------------------------------------------------------------------
// The spec side of each function

/// A check of the model's value of a function against the spec's.
type SpecCheck = Box<dyn Fn(&Value) -> Result<(), String>>;

/// Test inputs and the spec's result for one contract function: the arguments, and
/// a check of the model's value against the spec.
struct Case {
    /// The arguments, one byte string per parameter.
    args: Vec<Vec<u8>>,
    /// The check of the model's value.
    spec: SpecCheck,
}

/// `Ok` if `got` is `want`, else both in hex.
fn same(got: &[u8], want: &[u8], what: &str) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!(
            "{what}: the model gives {} ({} bytes), the spec {} ({} bytes)",
            to_hex(got),
            got.len(),
            to_hex(want),
            want.len()
        ))
    }
}

/// The cases of the contract function `name`.
#[allow(
    clippy::too_many_lines,
    reason = "one case per function of the contract, each short"
)]
fn cases(name: &str) -> Vec<Case> {
    let g = |tag: u8| test_bytes(tag, 32);
    match name {
        "KDF_SK_OPK" | "KDF_SK_NO_OPK" => {
            let with_opk = name == "KDF_SK_OPK";
            let (dh1, dh2, dh3, dh4, ss, th) = (g(11), g(12), g(13), g(14), g(15), g(16));
            let sk = pqxdh::kdf(
                &point(&dh1),
                &point(&dh2),
                &point(&dh3),
                with_opk.then(|| point(&dh4)).as_ref(),
                &SharedSecret::from_public_slice(&ss),
                &Sha256Digest::from_public_slice(&th),
            )
            .to_public_array()
            .to_vec();
            let args = if with_opk {
                vec![dh1, dh2, dh3, dh4, ss, th]
            } else {
                vec![dh1, dh2, dh3, ss, th]
            };
            vec![Case {
                args,
                spec: Box::new(move |v| same(&v.bytes(), &sk, "SK (pqxdh::kdf)")),
            }]
        }
        "EncodeEC" => {
            let pk = g(21);
            let want = unseq(&wire::encode_ec(&point(&pk)));
            vec![Case {
                args: vec![pk],
                spec: Box::new(move |v| same(&v.bytes(), &want, "wire::encode_ec")),
            }]
        }
        "EncodeKEM" => {
            let ek = test_bytes(22, ML_KEM_1024_LEN);
            let want = unseq(&wire::encode_kem(&EncapsulationKey::from_public_slice(&ek)));
            vec![Case {
                args: vec![ek],
                spec: Box::new(move |v| same(&v.bytes(), &want, "wire::encode_kem")),
            }]
        }
        "AD_OF" => {
            let (ika, ikb) = (g(31), g(32));
            let want = unseq(&pqxdh::associated_data(&point(&ika), &point(&ikb)));
            vec![Case {
                args: vec![ika, ikb],
                spec: Box::new(move |v| same(&v.bytes(), &want, "pqxdh::associated_data")),
            }]
        }
        "TH_OF" => {
            let header = PreKeyHeader {
                ik_a: point(&g(41)),
                ek_a: point(&g(42)),
                spk_id: 0x0102_0304,
                pqpk_id: 0x0506_0708,
                opk_id: Some(0x090A_0B0C),
                ct: Ciphertext::from_public_slice(&test_bytes(43, ML_KEM_1024_LEN)),
            };
            let want = pqxdh::transcript_hash(&header).to_public_array().to_vec();
            vec![Case {
                args: vec![unseq(&encode_prekey_header(&header))],
                spec: Box::new(move |v| same(&v.bytes(), &want, "pqxdh::transcript_hash")),
            }]
        }
        "KDF_RK" => {
            let (rk, dh) = (g(51), g(52));
            let (new_rk, ck) = ratchet::kdf_rk(&RootKey::from_public_slice(&rk), &point(&dh));
            let mut want = new_rk.to_public_array().to_vec();
            want.extend(ck.to_public_array());
            vec![Case {
                args: vec![rk, dh],
                spec: Box::new(move |v| same(&v.bytes(), &want, "(new RK, CK) of ratchet::kdf_rk")),
            }]
        }
        "KDF_CK" => {
            let ck = g(61);
            let (next, mk) = ratchet::kdf_ck(&ChainKey::from_public_slice(&ck));
            let mut want = next.to_public_array().to_vec();
            want.extend(mk.to_public_array());
            vec![Case {
                args: vec![ck],
                spec: Box::new(move |v| {
                    same(&v.bytes(), &want, "(next CK, MK) of ratchet::kdf_ck")
                }),
            }]
        }
        "MESSAGE_KEYS" => {
            let mk = g(71);
            let (key, nonce) = ratchet::message_key_material(&MessageKey::from_public_slice(&mk));
            let (key, nonce) = (
                key.to_public_array().to_vec(),
                nonce.to_public_array().to_vec(),
            );
            vec![Case {
                args: vec![mk],
                spec: Box::new(move |v| match v {
                    Value::Okm(okm) => {
                        same(
                            &okm[..32],
                            &key,
                            "key = bytes 0..32 of ratchet::message_key_material",
                        )?;
                        same(
                            &okm[32..44],
                            &nonce,
                            "nonce = bytes 32..44 of ratchet::message_key_material",
                        )
                    }
                    Value::Bytes(_) => Err("MESSAGE_KEYS is not an HKDF output".to_owned()),
                }),
            }]
        }
        "RATCHET_HEADER" => {
            let header = RatchetHeader {
                dh: point(&g(81)),
                pn: 0x1122_3344,
                n: 0x5566_7788,
            };
            let want = unseq(&encode_ratchet_header(&header));
            vec![Case {
                args: vec![
                    g(81),
                    header.pn.to_be_bytes().to_vec(),
                    header.n.to_be_bytes().to_vec(),
                ],
                spec: Box::new(move |v| same(&v.bytes(), &want, "wire::encode_ratchet_header")),
            }]
        }
        "PREKEY_HEADER" => {
            let consts = spec_constants();
            let mut out = Vec::new();
            for (opk_id, flag, id_bytes) in [
                (
                    Some(0x090A_0B0Cu32),
                    "OPK_PRESENT",
                    0x090A_0B0Cu32.to_be_bytes().to_vec(),
                ),
                (None, "OPK_ABSENT", consts["ZERO_ID"].clone()),
            ] {
                let header = PreKeyHeader {
                    ik_a: point(&g(91)),
                    ek_a: point(&g(92)),
                    spk_id: 0x0102_0304,
                    pqpk_id: 0x0506_0708,
                    opk_id,
                    ct: Ciphertext::from_public_slice(&test_bytes(93, ML_KEM_1024_LEN)),
                };
                let want = unseq(&encode_prekey_header(&header));
                let what = if opk_id.is_some() {
                    "wire::encode_prekey_header (with an OPK)"
                } else {
                    "wire::encode_prekey_header (without an OPK)"
                };
                out.push(Case {
                    args: vec![
                        g(91),
                        g(92),
                        header.spk_id.to_be_bytes().to_vec(),
                        header.pqpk_id.to_be_bytes().to_vec(),
                        consts[flag].clone(),
                        id_bytes,
                        test_bytes(93, ML_KEM_1024_LEN),
                    ],
                    spec: Box::new(move |v| same(&v.bytes(), &want, what)),
                });
            }
            out
        }
        "HEADER_AD" => {
            let ad = unseq(&pqxdh::associated_data(&point(&g(101)), &point(&g(102))));
            let header = RatchetHeader {
                dh: point(&g(103)),
                pn: 3,
                n: 0x0102,
            };
            let h = unseq(&encode_ratchet_header(&header));
            let want = unseq(&ratchet::header_ad(
                &ByteSeq::from_public_slice(&ad),
                &header,
            ));
            vec![Case {
                args: vec![ad, h],
                spec: Box::new(move |v| same(&v.bytes(), &want, "ratchet::header_ad")),
            }]
        }
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------
// One model, then every model

/// What the checks of one or more models covered.
#[derive(Debug, Default)]
struct Tally {
    /// The contract functions defined so far.
    defined: BTreeSet<&'static str>,
    /// `const` lines with a `SPEC §` comment compared with the spec.
    constants: usize,
    /// Contract function definitions interpreted and compared with the spec.
    functions: usize,
}

/// Checks one model file: its constants, and (unless it is a control) every
/// contract function it defines. Adds to `tally` what it checked; returns the
/// failures.
fn check_model(file: &str, text: &str, control: bool, tally: &mut Tally) -> Vec<String> {
    let (constants, mut failures, checked) = check_constants(file, text);
    tally.constants += checked;
    if control {
        return failures;
    }
    let mut letfuns = BTreeMap::new();
    let mut contract_lines: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let line = strip_comments(line);
        let Some(rest) = line.trim_start().strip_prefix("letfun ") else {
            continue;
        };
        let name = rest.split('(').next().unwrap_or("").trim();
        let contract = CONTRACT.iter().find(|(n, _)| *n == name).map(|(n, _)| *n);
        match parse_letfun(&line, index + 1) {
            Ok((name, f)) => {
                letfuns.insert(name, f);
            }
            Err(e) => {
                if let Some(n) = contract {
                    failures.push(format!("{file}:{}: {n}: cannot read it: {e}", index + 1));
                }
            }
        }
        if let Some(n) = contract {
            contract_lines.insert(n, index + 1);
        }
    }
    let model = Model { constants, letfuns };
    for (name, types) in CONTRACT {
        let Some(line) = contract_lines.get(name) else {
            continue;
        };
        tally.defined.insert(name);
        let Some(f) = model.letfuns.get(*name) else {
            continue; // unreadable: already a failure
        };
        tally.functions += 1;
        let got_types: Vec<&str> = f.params.iter().map(|(_, t)| t.as_str()).collect();
        if got_types != *types {
            failures.push(format!(
                "{file}:{line}: {name}: parameter types ({}) are not the contract's ({})",
                got_types.join(", "),
                types.join(", ")
            ));
            continue;
        }
        for case in cases(name) {
            let args = case.args.into_iter().map(Value::Bytes).collect();
            let result = model
                .apply(name, args, 0)
                .and_then(|value| (case.spec)(&value));
            if let Err(e) = result {
                failures.push(format!("{file}:{}: {name}: {e}", f.line));
            }
        }
    }
    failures
}

/// The `*.pv` files of `dir`, sorted; none if `dir` does not exist.
fn pv_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot list {}: {e}", dir.display())),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        if path.is_file() && path.extension().is_some_and(|x| x == "pv") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// What a passing [`check_dir`] checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The models (`*.pv` directly in the directory).
    pub models: usize,
    /// The negative controls (`controls/*.pv`); only their constants are checked.
    pub controls: usize,
    /// `const` lines with a `SPEC §` comment compared with the spec, over every file.
    pub constants: usize,
    /// Contract function definitions interpreted and compared with the spec, over
    /// every model (a function defined by three models counts three times).
    pub functions: usize,
    /// The distinct [`CONTRACT`] functions defined (all of them, when it passes).
    pub contract: usize,
}

/// Checks every model of the proofs directory `dir` (`*.pv` and `controls/*.pv`)
/// against the spec: their constants, and the [`CONTRACT`] functions they define.
///
/// # Errors
///
/// Every failure, one message each naming the file (as `dir` joined with its name),
/// the line and the constant or function, and what the model and the spec give.
/// A directory that cannot be read or holds no model, a file that cannot be read,
/// and a [`CONTRACT`] function no model defines are failures too.
pub fn check_dir(dir: &Path) -> Result<Summary, Vec<String>> {
    let models = pv_files(dir).map_err(|e| vec![e])?;
    let controls = pv_files(&dir.join("controls")).map_err(|e| vec![e])?;
    if models.is_empty() {
        return Err(vec![format!("no model (*.pv) in {}", dir.display())]);
    }
    let mut failures = Vec::new();
    let mut tally = Tally::default();
    for (files, control) in [(&models, false), (&controls, true)] {
        for path in files {
            let name = path.display().to_string();
            match std::fs::read_to_string(path) {
                Ok(text) => failures.extend(check_model(&name, &text, control, &mut tally)),
                Err(e) => failures.push(format!("{name}: cannot read it: {e}")),
            }
        }
    }
    for (name, _) in CONTRACT {
        if !tally.defined.contains(name) {
            failures.push(format!(
                "no model in {} defines {name} (on one line, as the link check reads it)",
                dir.display()
            ));
        }
    }
    if failures.is_empty() {
        Ok(Summary {
            models: models.len(),
            controls: controls.len(),
            constants: tally.constants,
            functions: tally.functions,
            contract: tally.defined.len(),
        })
    } else {
        Err(failures)
    }
}

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
