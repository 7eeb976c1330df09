//! The spec beside the implementation, for every primitive.
//!
//! One criterion group per operation (and input size), holding `spec` and `impl`,
//! so both are measured in one run; a ratio table follows criterion's report.
//! Inputs are converted to each side's types before timing: only the primitive is
//! measured. Hashes, MACs and the AEAD run at 64 B, 1 KiB and 16 KiB.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{BenchmarkId, Criterion, Throughput};
use lockstep_benches::catalogue::PRIMITIVE_ROWS;
use lockstep_benches::print_ratios;
use lockstep_spec as spec;
use lockstep_spec::ByteSeq;

const SIZES: [usize; 3] = [64, 1024, 16 * 1024];

fn message(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from(i % 251).unwrap_or_default())
        .collect()
}

fn hashes(c: &mut Criterion) {
    use sha2::Digest;
    let mut group = c.benchmark_group("sha256");
    for size in SIZES {
        let msg = message(size);
        let seq = ByteSeq::from_public_slice(&msg);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("spec", size), &seq, |b, m| {
            b.iter(|| spec::sha256::hash(black_box(m)))
        });
        group.bench_with_input(BenchmarkId::new("impl", size), &msg, |b, m| {
            b.iter(|| sha2::Sha256::digest(black_box(m)))
        });
    }
    group.finish();
    let mut group = c.benchmark_group("sha512");
    for size in SIZES {
        let msg = message(size);
        let seq = ByteSeq::from_public_slice(&msg);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("spec", size), &seq, |b, m| {
            b.iter(|| spec::sha512::hash(black_box(m)))
        });
        group.bench_with_input(BenchmarkId::new("impl", size), &msg, |b, m| {
            b.iter(|| sha2::Sha512::digest(black_box(m)))
        });
    }
    group.finish();
}

fn hmac(c: &mut Criterion) {
    let key = [0x0b; 32];
    let spec_key = ByteSeq::from_public_slice(&key);
    let mut group = c.benchmark_group("hmac_sha256");
    for size in SIZES {
        let msg = message(size);
        let seq = ByteSeq::from_public_slice(&msg);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("spec", size), &seq, |b, m| {
            b.iter(|| spec::hmac::hmac(black_box(&spec_key), black_box(m)))
        });
        group.bench_with_input(BenchmarkId::new("impl", size), &msg, |b, m| {
            b.iter(|| lockstep::hmac::hmac_sha256(black_box(&key), black_box(m)))
        });
    }
    group.finish();
}

fn hkdf(c: &mut Criterion) {
    // The protocol's shape: a 32-byte salt and IKM, a short info, 64 bytes out
    // (KDF_RK of the Double Ratchet).
    let (salt, ikm, info) = ([1u8; 32], [2u8; 32], b"Lockstep_Ratchet");
    let (s_salt, s_ikm, s_info) = (
        ByteSeq::from_public_slice(&salt),
        ByteSeq::from_public_slice(&ikm),
        ByteSeq::from_public_slice(info),
    );
    let mut group = c.benchmark_group("hkdf_sha256 (64 B out)");
    group.bench_function("spec", |b| {
        b.iter(|| {
            spec::hkdf::hkdf(
                black_box(&s_salt),
                black_box(&s_ikm),
                black_box(&s_info),
                64,
            )
        })
    });
    group.bench_function("impl", |b| {
        b.iter(|| lockstep::hkdf::hkdf::<64>(black_box(&salt), black_box(&ikm), black_box(info)))
    });
    group.finish();
}

fn chacha20(c: &mut Criterion) {
    let key = [7u8; 32];
    let nonce = [9u8; 12];
    let s_key = spec::chacha20::ChaChaKey::from_public_slice(&key);
    let s_nonce = spec::chacha20::ChaChaNonce::from_public_slice(&nonce);
    let mut group = c.benchmark_group("chacha20");
    for size in SIZES {
        let msg = message(size);
        let seq = ByteSeq::from_public_slice(&msg);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("spec", size), &seq, |b, m| {
            b.iter(|| {
                spec::chacha20::chacha20_encrypt(
                    &s_key,
                    spec::U32::classify(1u32),
                    &s_nonce,
                    black_box(m),
                )
            })
        });
        group.bench_with_input(BenchmarkId::new("impl", size), &msg, |b, m| {
            b.iter(|| {
                use chacha20::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};
                let mut buf = m.clone();
                let mut cipher = chacha20::ChaCha20::new(&key.into(), &nonce.into());
                cipher.seek(64u64);
                cipher.apply_keystream(black_box(&mut buf));
                buf
            })
        });
    }
    group.finish();
}

fn poly1305(c: &mut Criterion) {
    let key = [5u8; 32];
    let s_key = spec::poly1305::Poly1305Key::from_public_slice(&key);
    let mut group = c.benchmark_group("poly1305");
    for size in SIZES {
        let msg = message(size);
        let seq = ByteSeq::from_public_slice(&msg);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("spec", size), &seq, |b, m| {
            b.iter(|| spec::poly1305::poly1305_mac(black_box(m), &s_key))
        });
        group.bench_with_input(BenchmarkId::new("impl", size), &msg, |b, m| {
            b.iter(|| {
                use poly1305::universal_hash::KeyInit;
                poly1305::Poly1305::new(&key.into()).compute_unpadded(black_box(m))
            })
        });
    }
    group.finish();
}

fn aead(c: &mut Criterion) {
    let key = [7u8; 32];
    let nonce = [9u8; 12];
    let aad = [1u8; 16];
    let s_key = spec::chacha20::ChaChaKey::from_public_slice(&key);
    let s_nonce = spec::chacha20::ChaChaNonce::from_public_slice(&nonce);
    let s_aad = ByteSeq::from_public_slice(&aad);
    let i_key = lockstep::aead::Key::from_bytes(key);
    let i_nonce = lockstep::aead::Nonce(nonce);
    for (name, open) in [
        ("chacha20_poly1305 seal", false),
        ("chacha20_poly1305 open", true),
    ] {
        let mut group = c.benchmark_group(name);
        for size in SIZES {
            let msg = message(size);
            let seq = ByteSeq::from_public_slice(&msg);
            group.throughput(Throughput::Bytes(size as u64));
            if open {
                let Ok((ct, tag)) =
                    spec::aead::chacha20_poly1305_encrypt(&s_key, &s_nonce, &s_aad, &seq)
                else {
                    continue;
                };
                let Ok(sealed) = lockstep::aead::seal(&i_key, &i_nonce, &aad, &msg) else {
                    continue;
                };
                group.bench_with_input(BenchmarkId::new("spec", size), &ct, |b, ct| {
                    b.iter(|| {
                        spec::aead::chacha20_poly1305_decrypt(
                            &s_key,
                            &s_nonce,
                            &s_aad,
                            black_box(ct),
                            &tag,
                        )
                    })
                });
                group.bench_with_input(BenchmarkId::new("impl", size), &sealed, |b, sealed| {
                    b.iter(|| lockstep::aead::open(&i_key, &i_nonce, &aad, black_box(sealed)))
                });
            } else {
                group.bench_with_input(BenchmarkId::new("spec", size), &seq, |b, m| {
                    b.iter(|| {
                        spec::aead::chacha20_poly1305_encrypt(
                            &s_key,
                            &s_nonce,
                            &s_aad,
                            black_box(m),
                        )
                    })
                });
                group.bench_with_input(BenchmarkId::new("impl", size), &msg, |b, m| {
                    b.iter(|| lockstep::aead::seal(&i_key, &i_nonce, &aad, black_box(m)))
                });
            }
        }
        group.finish();
    }
}

fn x25519(c: &mut Criterion) {
    let scalar = [0x42u8; 32];
    let peer = {
        let mut u = [0x17u8; 32];
        u[31] &= 0x7f;
        u
    };
    let s_scalar = spec::x25519::X25519SerializedScalar::from_public_slice(&scalar);
    let s_peer = spec::x25519::X25519SerializedPoint::from_public_slice(&peer);
    let i_key = lockstep::x25519::PrivateKey::from_bytes(scalar);
    let i_peer = lockstep::x25519::PublicKey::from_bytes(peer);

    let mut group = c.benchmark_group("x25519 dh");
    group.bench_function("spec", |b| {
        b.iter(|| spec::x25519::x25519_dh(black_box(&s_scalar), black_box(&s_peer)))
    });
    group.bench_function("impl", |b| {
        b.iter(|| i_key.diffie_hellman(black_box(&i_peer)))
    });
    group.finish();

    let mut group = c.benchmark_group("x25519 public key");
    group.bench_function("spec", |b| {
        b.iter(|| spec::x25519::x25519_base(black_box(&s_scalar)))
    });
    // A key pair from 32 bytes: the public key is computed when the key is made
    // (and kept), so that is what is timed; the key's drop is not.
    group.bench_function("impl", |b| {
        b.iter_with_large_drop(|| lockstep::x25519::PrivateKey::from_bytes(black_box(scalar)))
    });
    group.finish();
}

fn xeddsa(c: &mut Criterion) {
    let k = [0x42u8; 32];
    let z = [0x17u8; 64];
    // EncodeKEM(PQPK_B): the longer of the two messages a PQXDH bundle signs.
    let msg = [0x5au8; 1569];
    let s_k = spec::x25519::X25519SerializedScalar::from_public_slice(&k);
    let s_z = spec::xeddsa::XEdDSARandom::from_public_slice(&z);
    let s_msg = ByteSeq::from_public_slice(&msg);
    let i_k = lockstep::x25519::PrivateKey::from_bytes(k);
    let i_u = i_k.public_key();
    let s_u = spec::x25519::X25519SerializedPoint::from_public_slice(i_u.as_bytes());
    let signature = lockstep::xeddsa::xeddsa_sign(&i_k, &msg, &z);
    let s_signature = spec::xeddsa::XEdDSASignature::from_public_slice(&signature.to_bytes());

    let mut group = c.benchmark_group("xeddsa sign");
    group.bench_function("spec", |b| {
        b.iter(|| spec::xeddsa::xeddsa_sign(&s_k, black_box(&s_msg), &s_z))
    });
    group.bench_function("impl", |b| {
        b.iter(|| lockstep::xeddsa::xeddsa_sign(&i_k, black_box(&msg), &z))
    });
    group.finish();

    let mut group = c.benchmark_group("xeddsa verify");
    group.bench_function("spec", |b| {
        b.iter(|| spec::xeddsa::xeddsa_verify(&s_u, black_box(&s_msg), &s_signature))
    });
    group.bench_function("impl", |b| {
        b.iter(|| lockstep::xeddsa::xeddsa_verify(&i_u, black_box(&msg), &signature))
    });
    group.finish();
}

fn ml_kem(c: &mut Criterion) {
    let seed = [0x21u8; 64];
    let m = [0x33u8; 32];
    let (d, z) = (
        spec::ml_kem::Seed32::from_public_slice(&seed[..32]),
        spec::ml_kem::Seed32::from_public_slice(&seed[32..]),
    );
    let s_m = spec::ml_kem::Seed32::from_public_slice(&m);
    let (s_ek, s_dk) = spec::ml_kem::keygen(&d, &z);
    let Ok((_, s_c)) = spec::ml_kem::encaps(&s_ek, &s_m) else {
        return;
    };
    let (i_ek, i_dk) = lockstep::ml_kem::keygen_derand(&seed);
    let (_, i_c) = i_ek.encaps(&m);

    let mut group = c.benchmark_group("ml_kem_1024 keygen");
    group.bench_function("spec", |b| {
        b.iter(|| spec::ml_kem::keygen(black_box(&d), &z))
    });
    group.bench_function("impl", |b| {
        b.iter(|| lockstep::ml_kem::keygen_derand(black_box(&seed)))
    });
    group.finish();

    let mut group = c.benchmark_group("ml_kem_1024 encaps");
    group.bench_function("spec", |b| {
        b.iter(|| spec::ml_kem::encaps(black_box(&s_ek), &s_m))
    });
    group.bench_function("impl", |b| b.iter(|| black_box(&i_ek).encaps(&m)));
    group.finish();

    let mut group = c.benchmark_group("ml_kem_1024 decaps");
    group.bench_function("spec", |b| {
        b.iter(|| spec::ml_kem::decaps(black_box(&s_dk), &s_c))
    });
    group.bench_function("impl", |b| b.iter(|| black_box(&i_dk).decaps(&i_c)));
    group.finish();
}

fn main() {
    let started = SystemTime::now();
    // Short runs by default: the spec is slow, and a ratio needs far less precision
    // than an absolute time. `--measurement-time` and friends override these.
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    hashes(&mut c);
    hmac(&mut c);
    hkdf(&mut c);
    chacha20(&mut c);
    poly1305(&mut c);
    aead(&mut c);
    x25519(&mut c);
    xeddsa(&mut c);
    ml_kem(&mut c);
    c.final_summary();
    print_ratios("primitives", started, PRIMITIVE_ROWS);
}
