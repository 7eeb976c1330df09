//! Issue 12, finding 3: a deleted secret is gone from memory, checked by dumping it.
//!
//! Forward secrecy against a memory dump holds only if a deleted key leaves no copy
//! behind: not in the hash table slot it was removed from, not in the old table a
//! rehash freed, not in a staging buffer freed after a commit. Each test here gives
//! the store or the ratchet secrets whose bytes it knows, deletes them through the
//! public API, and then reads this process's whole writable memory, freed heap
//! blocks included, through `/proc/self/mem` (plain file reads: no `unsafe`, which
//! the workspace forbids, so no custom global allocator), looking for any 16-byte
//! half of any deleted secret. Halves, because the allocator writes its free-list
//! pointers over the first 16 bytes of a freed block: an unwiped 32-byte key in a
//! freed box keeps its second half.
//!
//! What this reads: every private writable mapping (the heap arenas, `.data`,
//! `.bss`, the other threads' stacks) except the stack of the thread running the
//! test and the kernel's labelled mappings (`[stack]`, `[vvar]`, ...). Memory the
//! allocator has returned to the system is not there to read, for a dump either.
//! Stack residue of secrets (locals the compiler spilled, moved-from values) is out
//! of scope: Rust cannot wipe moved-from stack slots, and the heap containers are
//! what this checks. Scans take a lock and wipe their buffer, so that one test's
//! scan never finds another's secrets in the buffer of a scan running beside it.
//! So that the check never finds its own needles, the table holds each window
//! complemented (`!byte`) and the memory read is complemented before lookup; the
//! bytes read are held on the excluded stack only.
//!
//! Each test first checks that the scan does see every secret while it is still
//! held (a blind scan would pass anything), then deletes and scans again.
//! Linux only (procfs).

#![cfg(target_os = "linux")]

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::{Mutex, PoisonError};

use lockstep::bundle::{OneTimePreKeyId, PqPreKeyId, SignedPreKeyId};
use lockstep::consts::{SKIPPED_KEY_LEN, STATE_FIXED_LEN};
use lockstep::ml_kem::keygen;
use lockstep::pqxdh::{IdentityKeyPair, sign_bundle_with_rng};
use lockstep::session::{InMemoryPreKeyStore, PqPreKeyKind, PreKeyStore, Session};
use lockstep::x25519::PrivateKey;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use zeroize::Zeroize;

/// The length of the windows looked for: half of a 32-byte key.
const WINDOW: usize = 16;
/// Bytes read from `/proc/self/mem` at a time, into a buffer on the (excluded) stack.
const CHUNK: usize = 64 * 1024;

/// The secrets looked for, as complemented 16-byte windows, each naming its secret.
#[derive(Default)]
struct Needles {
    windows: HashMap<[u8; WINDOW], usize>,
    /// Whether some window starts with these two (complemented) bytes: a cheap
    /// filter before the hash lookup.
    prefix: Vec<bool>,
    /// What each secret is, for the failure message.
    labels: Vec<String>,
}

impl Needles {
    /// Registers the windows of `secret` at `offsets` under a new id.
    fn add(&mut self, label: String, secret: &[u8], offsets: &[usize]) {
        if self.prefix.is_empty() {
            self.prefix = vec![false; 1 << 16];
        }
        let id = self.labels.len();
        self.labels.push(label);
        for &offset in offsets {
            let mut window = [0u8; WINDOW];
            for (w, s) in window.iter_mut().zip(&secret[offset..offset + WINDOW]) {
                *w = !s;
            }
            self.prefix[usize::from(u16::from_le_bytes([window[0], window[1]]))] = true;
            self.windows.insert(window, id);
        }
    }

    /// Registers a 32-byte key: both halves.
    fn add_key(&mut self, label: String, key: &[u8; 32]) {
        self.add(label, key, &[0, WINDOW]);
    }
}

/// What one scan found.
struct Scan {
    /// Bytes of memory read.
    bytes: usize,
    /// Matches per secret id.
    hits: Vec<usize>,
    /// The first few matches: address, offset in its mapping, the mapping.
    places: Vec<String>,
}

impl Scan {
    /// The labels of the secrets found at least once, with their counts.
    fn found(&self, needles: &Needles) -> Vec<String> {
        self.hits
            .iter()
            .enumerate()
            .filter(|(_, h)| **h > 0)
            .map(|(id, h)| format!("{} ({h}x)", needles.labels[id]))
            .collect()
    }

    fn total(&self) -> usize {
        self.hits.iter().sum()
    }
}

/// One scan at a time: a scan's buffer holds, for a moment, whatever memory it
/// read, secrets included; another thread's scan must not read that buffer.
static SCANNING: Mutex<()> = Mutex::new(());

/// Reads every private writable mapping of this process except this thread's stack
/// and counts the windows of `needles` found.
fn scan(needles: &Needles) -> io::Result<Scan> {
    let _one_at_a_time = SCANNING.lock().unwrap_or_else(PoisonError::into_inner);
    // A local the optimiser must keep on this stack: its address names the mapping
    // to skip.
    let mut marker = 0u8;
    std::hint::black_box(&mut marker);
    let here = core::ptr::from_ref(&marker).addr();
    let maps = std::fs::read_to_string("/proc/self/maps")?;
    let mem = File::open("/proc/self/mem")?;
    let mut result = Scan {
        bytes: 0,
        hits: vec![0; needles.labels.len()],
        places: Vec::new(),
    };
    let mut buf = [0u8; CHUNK];
    for line in maps.lines() {
        let mut fields = line.split_whitespace();
        let (Some(range), Some(perms)) = (fields.next(), fields.next()) else {
            continue;
        };
        let path = fields.nth(3).unwrap_or("");
        let Some((start, end)) = range.split_once('-') else {
            continue;
        };
        let (Ok(start), Ok(end)) = (
            usize::from_str_radix(start, 16),
            usize::from_str_radix(end, 16),
        ) else {
            continue;
        };
        let private_writable = perms.starts_with("rw") && perms.ends_with('p');
        let special = path.starts_with('[') && path != "[heap]";
        if !private_writable || special || (start..end).contains(&here) {
            continue;
        }
        let mut addr = start;
        while addr < end {
            let len = CHUNK.min(end - addr);
            let Ok(n) = mem.read_at(&mut buf[..len], addr as u64) else {
                break;
            };
            if n < WINDOW {
                break;
            }
            result.bytes += n;
            let mut window = [0u8; WINDOW];
            for i in 0..=n - WINDOW {
                if !needles.prefix[usize::from(u16::from_le_bytes([!buf[i], !buf[i + 1]]))] {
                    continue;
                }
                for (w, b) in window.iter_mut().zip(&buf[i..i + WINDOW]) {
                    *w = !b;
                }
                if let Some(&id) = needles.windows.get(&window) {
                    result.hits[id] += 1;
                    if result.places.len() < 8 {
                        let at = addr + i;
                        result
                            .places
                            .push(format!("{at:#x} (+{:#x} in {line})", at - start));
                    }
                }
            }
            // Overlap the next read so a window across the boundary is seen.
            addr += n - (WINDOW - 1);
            if n < len {
                break;
            }
        }
    }
    // Wiped before the lock is released (`zeroize`: a plain fill of a buffer never
    // read again may be optimised away).
    buf.zeroize();
    Ok(result)
}

/// 32 bytes from `rng`, into a stack array.
fn random32(rng: &mut ChaCha20Rng) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    bytes
}

/// Every secret is seen while it is held: otherwise the scan is blind.
fn assert_all_seen(needles: &Needles) -> io::Result<()> {
    let held = scan(needles)?;
    let missing: Vec<&String> = held
        .hits
        .iter()
        .zip(&needles.labels)
        .filter(|(h, _)| **h == 0)
        .map(|(_, l)| l)
        .collect();
    eprintln!(
        "held: {} secrets, {} bytes scanned, {} matches, {} not seen",
        needles.labels.len(),
        held.bytes,
        held.total(),
        missing.len()
    );
    assert!(
        missing.is_empty(),
        "the scan misses held secrets: {missing:?}"
    );
    Ok(())
}

/// After deletion none of the secrets is anywhere in memory.
fn assert_none_left(needles: &Needles) -> io::Result<()> {
    let after = scan(needles)?;
    let found = after.found(needles);
    eprintln!(
        "deleted: {} secrets, {} bytes scanned, {} matches, {} secrets still in memory",
        needles.labels.len(),
        after.bytes,
        after.total(),
        found.len()
    );
    assert!(
        found.is_empty(),
        "{} of {} deleted secrets are still in memory: {:?}; at {:#?}",
        found.len(),
        needles.labels.len(),
        &found[..found.len().min(12)],
        after.places
    );
    Ok(())
}

/// One-time prekeys removed by `remove_one_time_prekey` and by `accept`, a one-time
/// PQ prekey consumed by `accept`, and a signed prekey replaced, are wiped: not in
/// the table slots they left, nor in the tables freed as the maps grew.
#[test]
fn prekey_store_wipes_removed_and_replaced_keys() -> io::Result<()> {
    const OPKS: u32 = 300;
    const USED_OPK: u32 = 7;
    let mut rng = ChaCha20Rng::from_seed([0x5e; 32]);
    let mut needles = Needles::default();
    let mut store = InMemoryPreKeyStore::new();

    let old_spk = random32(&mut rng);
    needles.add_key("signed prekey, replaced".into(), &old_spk);
    store.add_signed_prekey(SignedPreKeyId(1), &PrivateKey::from_bytes(old_spk));
    // Enough one-time prekeys that the table rehashes several times.
    let mut used_opk_public = None;
    for id in 0..OPKS {
        let bytes = random32(&mut rng);
        needles.add_key(format!("one-time prekey {id}"), &bytes);
        let key = PrivateKey::from_bytes(bytes);
        if id == USED_OPK {
            used_opk_public = Some(key.public_key());
        }
        store.add_one_time_prekey(OneTimePreKeyId(id), &key);
    }
    let (pq_ek, pq_dk) = keygen(&mut rng);
    // Windows of dk_PKE (bytes 0..1536) and of z (the last 32): the secret parts of
    // the expanded key, not its copy of the public ek.
    needles.add(
        "one-time PQ prekey".into(),
        pq_dk.to_bytes().as_slice(),
        &[0, 16, 700, 1500, 3136, 3152],
    );
    store.add_pq_prekey(PqPreKeyId(2), &pq_dk, PqPreKeyKind::OneTime);
    drop(pq_dk);
    let (_, last_resort_dk) = keygen(&mut rng);
    store.add_pq_prekey(PqPreKeyId(3), &last_resort_dk, PqPreKeyKind::LastResort);
    drop(last_resort_dk);
    assert_all_seen(&needles)?;

    // Replace the signed prekey; sign the bundle with the new one.
    let spk = PrivateKey::generate(&mut rng);
    store.add_signed_prekey(SignedPreKeyId(1), &spk);
    let bob_identity = IdentityKeyPair::generate(&mut rng);
    let bundle = sign_bundle_with_rng(
        &mut rng,
        &bob_identity,
        1,
        &spk.public_key(),
        2,
        false,
        &pq_ek,
        used_opk_public.map(|k| (USED_OPK, k)),
    );
    drop(spk);
    let verified = bundle.verify().map_err(io::Error::other)?;
    let alice_identity = IdentityKeyPair::generate(&mut rng);
    let mut alice =
        Session::initiate(&mut rng, &alice_identity, &verified).map_err(io::Error::other)?;
    let first = alice.encrypt(b"hello").map_err(io::Error::other)?;
    let (_bob, plaintext) =
        Session::accept(&mut rng, &bob_identity, &mut store, &first).map_err(io::Error::other)?;
    assert_eq!(plaintext, b"hello");
    assert!(
        !store.has_one_time_prekey(OneTimePreKeyId(USED_OPK))
            && !store.has_pq_prekey(PqPreKeyId(2))
    );
    for id in (0..OPKS).filter(|&id| id != USED_OPK) {
        store.remove_one_time_prekey(OneTimePreKeyId(id));
    }
    assert!(
        store.has_pq_prekey(PqPreKeyId(3)),
        "the last-resort key stays"
    );
    assert_none_left(&needles)
}

/// The message keys under `(dh, n)` held in a state encoding (SPEC §6), registered
/// as needles. The encoding is wiped when dropped.
fn register_skipped_keys(needles: &mut Needles, bob: &Session) -> usize {
    let state = bob.to_bytes();
    let count = (state.len() - STATE_FIXED_LEN) / SKIPPED_KEY_LEN;
    for i in 0..count {
        let entry = &state[STATE_FIXED_LEN + i * SKIPPED_KEY_LEN..][..SKIPPED_KEY_LEN];
        let n = u32::from_be_bytes([entry[32], entry[33], entry[34], entry[35]]);
        let mut mk = [0u8; 32];
        mk.copy_from_slice(&entry[36..]);
        needles.add_key(format!("skipped key dh={:02x}.. n={n}", entry[0]), &mk);
        mk.fill(0);
    }
    count
}

/// Skipped message keys used by a late message or evicted at the limit are wiped:
/// not in the map's slots, not in the tables and order buffers freed as they grew,
/// not in the per-decryption staging buffer freed at commit.
#[test]
fn ratchet_wipes_used_and_evicted_skipped_keys() -> io::Result<()> {
    let mut rng = ChaCha20Rng::from_seed([0x7a; 32]);
    let bob_identity = IdentityKeyPair::generate(&mut rng);
    let spk = PrivateKey::generate(&mut rng);
    let (pq_ek, pq_dk) = keygen(&mut rng);
    let mut store = InMemoryPreKeyStore::new();
    store.add_signed_prekey(SignedPreKeyId(1), &spk);
    store.add_pq_prekey(PqPreKeyId(2), &pq_dk, PqPreKeyKind::LastResort);
    let bundle = sign_bundle_with_rng(
        &mut rng,
        &bob_identity,
        1,
        &spk.public_key(),
        2,
        true,
        &pq_ek,
        None,
    );
    let verified = bundle.verify().map_err(io::Error::other)?;
    let alice_identity = IdentityKeyPair::generate(&mut rng);
    let mut alice =
        Session::initiate(&mut rng, &alice_identity, &verified).map_err(io::Error::other)?;
    let first = alice.encrypt(b"0").map_err(io::Error::other)?;
    let (mut bob, _) =
        Session::accept(&mut rng, &bob_identity, &mut store, &first).map_err(io::Error::other)?;
    let reply = bob.encrypt(b"1").map_err(io::Error::other)?;
    alice.decrypt(&mut rng, &reply).map_err(io::Error::other)?;

    // Chain 1: 600 messages; Bob reads every hundredth first, so six commits each
    // store 99 keys and the map and order buffer grow (and rehash) as they fill.
    let mut late = Vec::new();
    for _ in 0..600 {
        late.push(alice.encrypt(b"m").map_err(io::Error::other)?);
    }
    for i in (99..600).step_by(100) {
        bob.decrypt(&mut rng, &late[i]).map_err(io::Error::other)?;
    }
    // 50 more that Bob misses before a DH ratchet step: skipped from the old chain.
    for _ in 0..50 {
        late.push(alice.encrypt(b"m").map_err(io::Error::other)?);
    }
    let reply = bob.encrypt(b"2").map_err(io::Error::other)?;
    alice.decrypt(&mut rng, &reply).map_err(io::Error::other)?;
    let next = alice.encrypt(b"3").map_err(io::Error::other)?;
    bob.decrypt(&mut rng, &next).map_err(io::Error::other)?;

    let mut needles = Needles::default();
    let stored = register_skipped_keys(&mut needles, &bob);
    assert_eq!(stored, 6 * 99 + 50);
    assert_all_seen(&needles)?;

    // Use half of them (the late messages arrive), ...
    let mut used = 0;
    for (i, message) in late.iter().enumerate() {
        if i % 100 != 99 && i % 2 == 0 {
            bob.decrypt(&mut rng, message).map_err(io::Error::other)?;
            used += 1;
        }
    }
    // ... and push the rest out: 2001 newer keys evict every older one.
    let mut newer = Vec::new();
    for _ in 0..2003 {
        newer.push(alice.encrypt(b"m").map_err(io::Error::other)?);
    }
    bob.decrypt(&mut rng, &newer[1000])
        .map_err(io::Error::other)?;
    bob.decrypt(&mut rng, &newer[2002])
        .map_err(io::Error::other)?;
    for (i, message) in late.iter().enumerate() {
        if i % 100 != 99 && i % 2 == 1 {
            assert!(bob.decrypt(&mut rng, message).is_err(), "evicted: {i}");
        }
    }
    eprintln!(
        "{stored} skipped keys: {used} used, {} evicted",
        stored - used
    );
    assert_none_left(&needles)
}
