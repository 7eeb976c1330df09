//! Known-answer suites: every RFC and Wycheproof vector, run on the spec and on the
//! implementation, with a count of what ran, passed, failed and was skipped.
//!
//! # Policy for Wycheproof results
//!
//! Wycheproof marks each case `valid`, `invalid` or `acceptable`. Lockstep treats them
//! so, per primitive:
//!
//! - **X25519** (`x25519_test.json`, all 518 cases). For every case, whatever its
//!   mark, the raw RFC 7748 §5 function must give Wycheproof's `shared` value: §5
//!   defines X25519 on all 32-byte strings (non-canonical u, twist points, low-order
//!   points included), and "acceptable" only flags inputs a library *may* refuse.
//!   Lockstep's Diffie-Hellman refuses exactly one kind of input, the one §6.1
//!   allows: an all-zero output. So for every case the DH must return `shared` when
//!   it is non-zero and refuse with `NonContributory` when it is zero (the 31
//!   `ZeroSharedSecret` cases, all marked acceptable). An `invalid` case must be
//!   refused (the set has none).
//! - **ChaCha20-Poly1305** (`chacha20_poly1305_test.json`). `valid`: sealing gives
//!   `ct ‖ tag` and opening it gives `pt`. `invalid`: opening must be refused
//!   (tampered tags and ciphertexts) or the input refused at the boundary (nonces
//!   that are not 96 bits). `acceptable`: handled as `valid` (the set has none).
//! - **HKDF-SHA-256** (`hkdf_sha256_test.json`). `valid`: the output equals `okm`.
//!   `invalid`: refused with `OutputTooLong` (the three `SizeTooLarge` cases).
//!   `acceptable`: handled as `valid` (the set has none).
//! - **HMAC-SHA-256** (`hmac_sha256_test.json`). Every case: the tag is computed and
//!   truncated to the group's tag size; `valid` cases must equal the expected tag,
//!   `invalid` ones must differ from it. On the implementation, `lockstep::hmac::verify`
//!   must also accept exactly the valid cases (it is constant-time, so this is the
//!   check a caller would use). `acceptable`: handled as `valid` (the set has none).
//! - **ML-KEM-1024** (`mlkem_1024_keygen_seed_test.json`, `mlkem_1024_encaps_test.json`,
//!   `mlkem_1024_semi_expanded_decaps_test.json`, `mlkem_1024_test.json`). `valid`:
//!   key generation from `seed = d ‖ z` gives `ek` (and `dk` where the set has it),
//!   encapsulation of `m` gives `c` and `K`, decapsulation gives `K` (for the
//!   `MalleableCiphertext` and `Strcmp` cases that `K` is the implicit-rejection key).
//!   `invalid`: refused, at the length check (`BadLength`) or by the FIPS 203
//!   §7.2/§7.3 input checks (`InvalidKey`); a seed of the wrong length is refused at
//!   the boundary before key generation. `acceptable`: handled as `valid` (the sets
//!   have none).

use std::time::{Duration, Instant};

use lockstep_spec as spec;
use lockstep_vectors::{rfc, wycheproof};

use crate::sides::{Impl, Primitives, Refusal, Spec};

/// The count of one suite (one primitive, one source) on one side.
#[derive(Debug, Clone)]
pub struct SuiteReport {
    /// The primitive, e.g. `"x25519"`.
    pub primitive: &'static str,
    /// Where the vectors come from, e.g. `"RFC 7748 §5.2"`.
    pub source: &'static str,
    /// `"spec"` or `"impl"`.
    pub side: &'static str,
    /// Vectors run.
    pub ran: usize,
    /// One line per failed vector: its id and what went wrong.
    pub failures: Vec<String>,
    /// Vectors not run on this side.
    pub skipped: usize,
    /// Why they were not run (empty when none were skipped).
    pub skip_reason: &'static str,
    /// How the vectors split by Wycheproof mark, e.g. `"264 valid, 254 acceptable"`.
    pub breakdown: String,
    /// Time spent.
    pub elapsed: Duration,
}

impl SuiteReport {
    /// Vectors that ran and passed.
    #[must_use]
    pub fn passed(&self) -> usize {
        self.ran - self.failures.len()
    }
}

/// What running every suite needs to know.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Also run RFC 7748 §5.2's 1,000,000-iteration X25519 vector on the
    /// implementation (about a minute; `LOCKSTEP_SLOW_VECTORS=1` in the tests).
    pub slow: bool,
}

/// Runs every suite on both sides.
///
/// # Errors
/// A vector file that does not load.
pub fn run_all(options: Options) -> Result<Vec<SuiteReport>, lockstep_vectors::Error> {
    let mut reports = Vec::new();
    reports.extend(run_side::<Spec>(options)?);
    reports.extend(run_side::<Impl>(options)?);
    // Side by side: both sides of one suite next to each other.
    reports.sort_by_key(|r| (r.primitive, r.source));
    Ok(reports)
}

/// Runs every suite on one side.
///
/// # Errors
/// A vector file that does not load.
pub fn run_side<P: Primitives>(
    options: Options,
) -> Result<Vec<SuiteReport>, lockstep_vectors::Error> {
    Ok(vec![
        hashes::<P, 32>(
            "sha256",
            "FIPS 180-2 App. B-C, NIST CAVP",
            &rfc::sha256()?,
            P::sha256,
        ),
        hashes::<P, 64>(
            "sha512",
            "FIPS 180-2 App. B-C, NIST CAVP",
            &rfc::sha512()?,
            P::sha512,
        ),
        hmac_rfc::<P>(&rfc::hmac_sha256()?),
        hmac_wycheproof::<P>(&wycheproof::hmac_sha256()?),
        hkdf_rfc::<P>(&rfc::hkdf_sha256()?),
        hkdf_wycheproof::<P>(&wycheproof::hkdf_sha256()?),
        quarter_round::<P>(&rfc::chacha20_quarter_round()?),
        chacha20_block::<P>(&rfc::chacha20_block()?),
        chacha20::<P>(&rfc::chacha20()?),
        poly1305::<P>(&rfc::poly1305()?),
        poly1305_key_gen::<P>(&rfc::poly1305_key_gen()?),
        aead_rfc::<P>(&rfc::chacha20_poly1305()?),
        aead_wycheproof::<P>(&wycheproof::chacha20_poly1305()?),
        x25519_rfc::<P>(&rfc::x25519()?, &rfc::x25519_dh()?),
        x25519_iterated::<P>(&rfc::x25519_iterated()?, options),
        x25519_wycheproof::<P>(&wycheproof::x25519()?),
        ml_kem_keygen_wycheproof::<P>(&wycheproof::ml_kem_1024_keygen_seed()?),
        ml_kem_encaps_wycheproof::<P>(&wycheproof::ml_kem_1024_encaps()?),
        ml_kem_decaps_wycheproof::<P>(&wycheproof::ml_kem_1024_decaps()?),
        ml_kem_wycheproof::<P>(&wycheproof::ml_kem_1024()?),
    ])
}

/// Collects the outcome of each vector of one suite.
struct Tally {
    report: SuiteReport,
    started: Instant,
}

impl Tally {
    fn new<P: Primitives>(primitive: &'static str, source: &'static str) -> Self {
        Tally {
            report: SuiteReport {
                primitive,
                source,
                side: P::NAME,
                ran: 0,
                failures: Vec::new(),
                skipped: 0,
                skip_reason: "",
                breakdown: String::new(),
                elapsed: Duration::ZERO,
            },
            started: Instant::now(),
        }
    }

    /// Records one vector: `Ok` if it passed, `Err(what went wrong)` if not.
    fn check(&mut self, id: &str, outcome: Result<(), String>) {
        self.report.ran += 1;
        if let Err(what) = outcome {
            self.report.failures.push(format!("{id}: {what}"));
        }
    }

    fn skip(&mut self, count: usize, reason: &'static str) {
        self.report.skipped += count;
        self.report.skip_reason = reason;
    }

    fn finish(mut self) -> SuiteReport {
        self.report.elapsed = self.started.elapsed();
        self.report
    }

    fn finish_wycheproof<T>(mut self, cases: &[wycheproof::Case<T>]) -> SuiteReport {
        let count = |mark| cases.iter().filter(|c| c.expected == mark).count();
        let parts: Vec<String> = [
            (wycheproof::Expected::Valid, "valid"),
            (wycheproof::Expected::Invalid, "invalid"),
            (wycheproof::Expected::Acceptable, "acceptable"),
        ]
        .into_iter()
        .filter(|(mark, _)| count(*mark) > 0)
        .map(|(mark, name)| format!("{} {name}", count(mark)))
        .collect();
        self.report.breakdown = parts.join(", ");
        self.finish()
    }
}

/// `Ok` if `got == want`, else a message showing both in hex.
fn same<T: AsRef<[u8]> + ?Sized, U: AsRef<[u8]> + ?Sized>(
    what: &str,
    got: &T,
    want: &U,
) -> Result<(), String> {
    if got.as_ref() == want.as_ref() {
        Ok(())
    } else {
        Err(format!(
            "{what}: got {}, want {}",
            hex(got.as_ref()),
            hex(want.as_ref())
        ))
    }
}

fn hex(bytes: &[u8]) -> String {
    const SHOWN: usize = 48;
    let mut out: String = bytes
        .iter()
        .take(SHOWN)
        .map(|b| format!("{b:02x}"))
        .collect();
    if bytes.len() > SHOWN {
        out.push_str(&format!("… ({} bytes)", bytes.len()));
    }
    out
}

fn hashes<P: Primitives, const N: usize>(
    primitive: &'static str,
    source: &'static str,
    vectors: &[rfc::HashVector],
    hash: fn(&[u8]) -> [u8; N],
) -> SuiteReport {
    let mut tally = Tally::new::<P>(primitive, source);
    for v in vectors {
        tally.check(&v.id, same("digest", &hash(&v.message()), &v.digest));
    }
    tally.finish()
}

fn truncated_hmac<P: Primitives>(key: &[u8], data: &[u8], len: usize) -> Vec<u8> {
    let full = P::hmac_sha256(key, data);
    full[..len.min(full.len())].to_vec()
}

fn hmac_rfc<P: Primitives>(vectors: &[rfc::HmacVector]) -> SuiteReport {
    let mut tally = Tally::new::<P>("hmac_sha256", "RFC 4231 §4.2-§4.8");
    for v in vectors {
        let len = v.truncated_to.unwrap_or(32);
        tally.check(
            &v.id,
            same("mac", &truncated_hmac::<P>(&v.key, &v.data, len), &v.mac),
        );
    }
    tally.finish()
}

fn hmac_wycheproof<P: Primitives>(cases: &[wycheproof::Case<wycheproof::MacCase>]) -> SuiteReport {
    let mut tally = Tally::new::<P>("hmac_sha256", "Wycheproof hmac_sha256_test.json");
    for case in cases {
        let data = &case.data;
        let tag = truncated_hmac::<P>(&data.key, &data.msg, data.tag_size_bits / 8);
        let valid = case.expected != wycheproof::Expected::Invalid;
        let mut outcome = if valid {
            same("tag", &tag, &data.tag)
        } else if tag == data.tag {
            Err("an invalid tag matched".to_owned())
        } else {
            Ok(())
        };
        if P::NAME == Impl::NAME && outcome.is_ok() {
            let verified = lockstep::hmac::verify(&data.key, &data.msg, &data.tag).is_ok();
            if verified != valid {
                outcome = Err(format!("lockstep::hmac::verify said {verified}"));
            }
        }
        tally.check(&format!("tcId {}", case.tc_id), outcome);
    }
    tally.finish_wycheproof(cases)
}

fn hkdf_rfc<P: Primitives>(vectors: &[rfc::HkdfVector]) -> SuiteReport {
    let mut tally = Tally::new::<P>("hkdf_sha256", "RFC 5869 Appendix A.1-A.3");
    for v in vectors {
        let outcome = same("prk", &P::hkdf_extract(&v.salt, &v.ikm), &v.prk).and_then(|()| {
            match P::hkdf(&v.salt, &v.ikm, &v.info, v.length) {
                Ok(okm) => same("okm", &okm, &v.okm),
                Err(refusal) => Err(format!("refused: {refusal:?}")),
            }
        });
        tally.check(&v.id, outcome);
    }
    tally.finish()
}

fn hkdf_wycheproof<P: Primitives>(cases: &[wycheproof::Case<wycheproof::HkdfCase>]) -> SuiteReport {
    let mut tally = Tally::new::<P>("hkdf_sha256", "Wycheproof hkdf_sha256_test.json");
    for case in cases {
        let data = &case.data;
        let got = P::hkdf(&data.salt, &data.ikm, &data.info, data.size);
        let outcome = match (case.expected, got) {
            (wycheproof::Expected::Invalid, Err(Refusal::OutputTooLong)) => Ok(()),
            (wycheproof::Expected::Invalid, other) => {
                Err(format!("want OutputTooLong, got {other:?}"))
            }
            (_, Ok(okm)) => same("okm", &okm, &data.okm),
            (_, Err(refusal)) => Err(format!("refused: {refusal:?}")),
        };
        tally.check(&format!("tcId {}", case.tc_id), outcome);
    }
    tally.finish_wycheproof(cases)
}

fn quarter_round<P: Primitives>(vectors: &[rfc::QuarterRoundVector]) -> SuiteReport {
    let mut tally = Tally::new::<P>("chacha20 quarter round", "RFC 8439 §2.1.1, §2.2.1");
    if P::NAME == Impl::NAME {
        tally.skip(
            vectors.len(),
            "the chacha20 crate keeps its quarter round private; the block vectors check it through the block function",
        );
        return tally.finish();
    }
    for v in vectors {
        let mut state = spec::chacha20::State::new();
        for (i, word) in v.state.iter().enumerate() {
            state[i] = spec::U32::classify(*word);
        }
        let [a, b, c, d] = v.indices;
        let out = spec::chacha20::quarter_round(a, b, c, d, state);
        let mut got = [0u32; 16];
        for (i, word) in got.iter_mut().enumerate() {
            *word = out[i].declassify();
        }
        let outcome = if got == v.expected {
            Ok(())
        } else {
            Err(format!("got {got:08x?}, want {:08x?}", v.expected))
        };
        tally.check(&v.id, outcome);
    }
    tally.finish()
}

fn chacha20_block<P: Primitives>(vectors: &[rfc::ChaCha20BlockVector]) -> SuiteReport {
    let mut tally = Tally::new::<P>("chacha20 block", "RFC 8439 §2.3.2, A.1");
    for v in vectors {
        let outcome = match P::chacha20_block(&v.key, v.counter, &v.nonce) {
            Ok(block) => same("keystream", &block, &v.keystream),
            Err(refusal) => Err(format!("refused: {refusal:?}")),
        };
        tally.check(&v.id, outcome);
    }
    tally.finish()
}

fn chacha20<P: Primitives>(vectors: &[rfc::ChaCha20Vector]) -> SuiteReport {
    let mut tally = Tally::new::<P>("chacha20", "RFC 8439 §2.4.2, A.2");
    for v in vectors {
        let outcome = match P::chacha20_encrypt(&v.key, v.counter, &v.nonce, &v.plaintext) {
            Ok(ct) => same("ciphertext", &ct, &v.ciphertext),
            Err(refusal) => Err(format!("refused: {refusal:?}")),
        };
        tally.check(&v.id, outcome);
    }
    tally.finish()
}

fn poly1305<P: Primitives>(vectors: &[rfc::Poly1305Vector]) -> SuiteReport {
    let mut tally = Tally::new::<P>("poly1305", "RFC 8439 §2.5.2, A.3");
    for v in vectors {
        tally.check(&v.id, same("tag", &P::poly1305(&v.key, &v.message), &v.tag));
    }
    tally.finish()
}

fn poly1305_key_gen<P: Primitives>(vectors: &[rfc::Poly1305KeyGenVector]) -> SuiteReport {
    let mut tally = Tally::new::<P>("poly1305 key gen", "RFC 8439 §2.6.2, A.4");
    for v in vectors {
        tally.check(
            &v.id,
            same("otk", &P::poly1305_key_gen(&v.key, &v.nonce), &v.otk),
        );
    }
    tally.finish()
}

/// Seal must give `ct ‖ tag`, and opening that must give the plaintext back.
fn aead_round_trip<P: Primitives>(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    plaintext: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<(), String> {
    let mut expected = ciphertext.to_vec();
    expected.extend_from_slice(tag);
    let sealed =
        P::aead_seal(key, nonce, aad, plaintext).map_err(|r| format!("seal refused: {r:?}"))?;
    same("sealed", &sealed, &expected)?;
    let opened =
        P::aead_open(key, nonce, aad, &expected).map_err(|r| format!("open refused: {r:?}"))?;
    same("opened", &opened, plaintext)
}

fn aead_rfc<P: Primitives>(vectors: &[rfc::AeadVector]) -> SuiteReport {
    let mut tally = Tally::new::<P>("chacha20_poly1305", "RFC 8439 §2.8.2, A.5");
    for v in vectors {
        tally.check(
            &v.id,
            aead_round_trip::<P>(
                &v.key,
                &v.nonce,
                &v.aad,
                &v.plaintext,
                &v.ciphertext,
                &v.tag,
            ),
        );
    }
    tally.finish()
}

fn aead_wycheproof<P: Primitives>(cases: &[wycheproof::Case<wycheproof::AeadCase>]) -> SuiteReport {
    let mut tally = Tally::new::<P>(
        "chacha20_poly1305",
        "Wycheproof chacha20_poly1305_test.json",
    );
    for case in cases {
        let d = &case.data;
        let outcome = if case.expected == wycheproof::Expected::Invalid {
            let mut sealed = d.ciphertext.clone();
            sealed.extend_from_slice(&d.tag);
            match P::aead_open(&d.key, &d.nonce, &d.aad, &sealed) {
                Err(Refusal::Authentication | Refusal::BadLength) => Ok(()),
                other => Err(format!("an invalid case was not refused: {other:?}")),
            }
        } else {
            aead_round_trip::<P>(
                &d.key,
                &d.nonce,
                &d.aad,
                &d.plaintext,
                &d.ciphertext,
                &d.tag,
            )
        };
        tally.check(&format!("tcId {}", case.tc_id), outcome);
    }
    tally.finish_wycheproof(cases)
}

fn x25519_rfc<P: Primitives>(
    vectors: &[rfc::X25519Vector],
    dh: &[rfc::X25519DhVector],
) -> SuiteReport {
    let mut tally = Tally::new::<P>("x25519", "RFC 7748 §5.2, §6.1");
    for v in vectors {
        tally.check(
            &v.id,
            same("output", &P::x25519(&v.scalar, &v.u), &v.output),
        );
    }
    for v in dh {
        let outcome = same(
            "alice_public",
            &P::x25519_base(&v.alice_private),
            &v.alice_public,
        )
        .and_then(|()| same("bob_public", &P::x25519_base(&v.bob_private), &v.bob_public))
        .and_then(|()| {
            match (
                P::x25519_dh(&v.alice_private, &v.bob_public),
                P::x25519_dh(&v.bob_private, &v.alice_public),
            ) {
                (Ok(ab), Ok(ba)) => same("alice's shared", &ab, &v.shared)
                    .and_then(|()| same("bob's shared", &ba, &v.shared)),
                other => Err(format!("refused: {other:?}")),
            }
        });
        tally.check(&v.id, outcome);
    }
    tally.finish()
}

/// RFC 7748 §5.2: starting from k = u = 9, set (k, u) = (X25519(k, u), k) `n` times.
fn x25519_iterate<P: Primitives>(iterations: u32) -> [u8; 32] {
    let mut k = [0u8; 32];
    k[0] = 9;
    let mut u = k;
    for _ in 0..iterations {
        let next = P::x25519(&k, &u);
        u = k;
        k = next;
    }
    k
}

/// The iterated vectors above this count are slow (minutes in the spec, under one
/// in the implementation): they run with the slow-vectors option only.
const SLOW_ITERATIONS: u32 = 1000;

fn x25519_iterated<P: Primitives>(
    vectors: &[rfc::X25519IteratedVector],
    options: Options,
) -> SuiteReport {
    let mut tally = Tally::new::<P>("x25519 iterated", "RFC 7748 §5.2");
    for v in vectors {
        let run = v.iterations <= SLOW_ITERATIONS || options.slow;
        if run {
            tally.check(
                &v.id,
                same("k", &x25519_iterate::<P>(v.iterations), &v.output),
            );
        } else if P::NAME == Spec::NAME {
            tally.skip(
                1,
                "1,000,000 iterations take minutes in the spec; run with LOCKSTEP_SLOW_VECTORS=1",
            );
        } else {
            tally.skip(
                1,
                "1,000,000 iterations take 20 s (AWS-LC) to a minute (x25519-dalek); run with LOCKSTEP_SLOW_VECTORS=1",
            );
        }
    }
    tally.finish()
}

fn x25519_wycheproof<P: Primitives>(
    cases: &[wycheproof::Case<wycheproof::X25519Case>],
) -> SuiteReport {
    let mut tally = Tally::new::<P>("x25519", "Wycheproof x25519_test.json");
    for case in cases {
        let d = &case.data;
        let outcome = x25519_case::<P>(case.expected, &d.private, &d.public, &d.shared);
        tally.check(&format!("tcId {}", case.tc_id), outcome);
    }
    tally.finish_wycheproof(cases)
}

fn x25519_case<P: Primitives>(
    expected: wycheproof::Expected,
    private: &[u8],
    public: &[u8],
    shared: &[u8],
) -> Result<(), String> {
    let dh = P::x25519_dh(private, public);
    if expected == wycheproof::Expected::Invalid {
        return match dh {
            Err(_) => Ok(()),
            Ok(out) => Err(format!("an invalid case was accepted: {}", hex(&out))),
        };
    }
    let (Ok(scalar), Ok(u)) = (<[u8; 32]>::try_from(private), <[u8; 32]>::try_from(public)) else {
        return Err("a valid case has a key that is not 32 bytes".to_owned());
    };
    same("raw X25519", &P::x25519(&scalar, &u), shared)?;
    if shared.iter().all(|&b| b == 0) {
        match dh {
            Err(Refusal::NonContributory) => Ok(()),
            other => Err(format!("an all-zero output was not refused: {other:?}")),
        }
    } else {
        match dh {
            Ok(out) => same("DH", &out, shared),
            Err(refusal) => Err(format!("refused: {refusal:?}")),
        }
    }
}

fn ml_kem_keygen<P: Primitives>(seed: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Refusal> {
    let seed: [u8; 64] = seed.try_into().map_err(|_| Refusal::BadLength)?;
    Ok(P::ml_kem_keygen(&seed))
}

/// `Ok` if an invalid case was refused for one of the reasons FIPS 203 allows.
fn refused<T: core::fmt::Debug>(got: Result<T, Refusal>) -> Result<(), String> {
    match got {
        Err(Refusal::BadLength | Refusal::InvalidKey) => Ok(()),
        other => Err(format!("an invalid case was not refused: {other:?}")),
    }
}

fn ml_kem_keygen_wycheproof<P: Primitives>(
    cases: &[wycheproof::Case<wycheproof::MlKemKeyGenCase>],
) -> SuiteReport {
    let mut tally = Tally::new::<P>(
        "ml_kem_1024 keygen",
        "Wycheproof mlkem_1024_keygen_seed_test.json",
    );
    for case in cases {
        let d = &case.data;
        let outcome = if case.expected == wycheproof::Expected::Invalid {
            refused(ml_kem_keygen::<P>(&d.seed))
        } else {
            ml_kem_keygen::<P>(&d.seed)
                .map_err(|r| format!("refused: {r:?}"))
                .and_then(|(ek, dk)| same("ek", &ek, &d.ek).and_then(|()| same("dk", &dk, &d.dk)))
        };
        tally.check(&format!("tcId {}", case.tc_id), outcome);
    }
    tally.finish_wycheproof(cases)
}

fn ml_kem_encaps_wycheproof<P: Primitives>(
    cases: &[wycheproof::Case<wycheproof::MlKemEncapsCase>],
) -> SuiteReport {
    let mut tally = Tally::new::<P>(
        "ml_kem_1024 encaps",
        "Wycheproof mlkem_1024_encaps_test.json",
    );
    for case in cases {
        let d = &case.data;
        let Ok(m) = <[u8; 32]>::try_from(d.m.as_slice()) else {
            tally.check(
                &format!("tcId {}", case.tc_id),
                Err("m is not 32 bytes".to_owned()),
            );
            continue;
        };
        let got = P::ml_kem_encaps(&d.ek, &m);
        let outcome = if case.expected == wycheproof::Expected::Invalid {
            refused(got)
        } else {
            got.map_err(|r| format!("refused: {r:?}"))
                .and_then(|(c, k)| same("c", &c, &d.c).and_then(|()| same("K", &k, &d.k)))
        };
        tally.check(&format!("tcId {}", case.tc_id), outcome);
    }
    tally.finish_wycheproof(cases)
}

fn ml_kem_decaps_wycheproof<P: Primitives>(
    cases: &[wycheproof::Case<wycheproof::MlKemDecapsCase>],
) -> SuiteReport {
    let mut tally = Tally::new::<P>(
        "ml_kem_1024 decaps",
        "Wycheproof mlkem_1024_semi_expanded_decaps_test.json",
    );
    for case in cases {
        let d = &case.data;
        let got = P::ml_kem_decaps(&d.dk, &d.c);
        let outcome = if case.expected == wycheproof::Expected::Invalid {
            refused(got)
        } else {
            got.map_err(|r| format!("refused: {r:?}"))
                .and_then(|k| same("K", &k, &d.k))
        };
        tally.check(&format!("tcId {}", case.tc_id), outcome);
    }
    tally.finish_wycheproof(cases)
}

fn ml_kem_wycheproof<P: Primitives>(
    cases: &[wycheproof::Case<wycheproof::MlKemCase>],
) -> SuiteReport {
    let mut tally = Tally::new::<P>("ml_kem_1024", "Wycheproof mlkem_1024_test.json");
    for case in cases {
        let d = &case.data;
        // Key generation from the seed, then decapsulation of `c` with that key.
        let got =
            ml_kem_keygen::<P>(&d.seed).and_then(|(ek, dk)| Ok((ek, P::ml_kem_decaps(&dk, &d.c)?)));
        let outcome = if case.expected == wycheproof::Expected::Invalid {
            refused(got)
        } else {
            got.map_err(|r| format!("refused: {r:?}"))
                .and_then(|(ek, k)| same("ek", &ek, &d.ek).and_then(|()| same("K", &k, &d.k)))
        };
        tally.check(&format!("tcId {}", case.tc_id), outcome);
    }
    tally.finish_wycheproof(cases)
}
