//! What the benchmarks of `benches/` measure, in one place: the criterion groups,
//! their functions and parameters, per benchmark. The benchmarks name their groups
//! and print their ratio tables from these lists, and `lockstep bench report` reads
//! criterion's estimates by them, so the two cannot drift apart.

/// One line of a ratio table: a criterion group and an input size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// The criterion group, e.g. `"sha256"`.
    pub group: &'static str,
    /// The parameter of the benchmark id, e.g. `"1024"` (bytes), or `""` for none.
    pub parameter: &'static str,
}

impl Row {
    /// The row's input size for people: `64 B`, `1 KiB`, `16 KiB`, or `-` for none.
    #[must_use]
    pub fn size(&self) -> String {
        match self.parameter.parse::<u64>() {
            Ok(n) if n >= 1024 && n % 1024 == 0 => format!("{} KiB", n / 1024),
            Ok(n) => format!("{n} B"),
            Err(_) if self.parameter.is_empty() => "-".to_owned(),
            Err(_) => self.parameter.to_owned(),
        }
    }

    /// `group, size` (or the group alone when it has no parameter).
    #[must_use]
    pub fn label(&self) -> String {
        if self.parameter.is_empty() {
            self.group.to_owned()
        } else {
            format!("{}, {}", self.group, self.size())
        }
    }
}

/// `Row { group, parameter }`, shorter.
const fn row(group: &'static str, parameter: &'static str) -> Row {
    Row { group, parameter }
}

/// A benchmark of `benches/benches/`: its name (`--bench NAME`), the criterion
/// functions of each of its groups, and its rows.
#[derive(Debug, Clone, Copy)]
pub struct Bench {
    /// The bench target, e.g. `"primitives"`.
    pub name: &'static str,
    /// The functions every group holds, e.g. `["spec", "impl"]`.
    pub functions: &'static [&'static str],
    /// The rows, in the order the ratio table prints them.
    pub rows: &'static [Row],
}

impl Bench {
    /// The command that measures this benchmark.
    #[must_use]
    pub fn command(&self) -> String {
        format!("cargo bench -p lockstep-benches --bench {}", self.name)
    }
}

/// The functions of the spec-beside-impl groups.
pub const SPEC_IMPL: &[&str] = &["spec", "impl"];
/// The functions of the groups with a baseline (protocol, franking).
pub const SPEC_IMPL_BASELINE: &[&str] = &["spec", "impl", "baseline"];

/// `primitives.rs`: every primitive, spec beside impl; hashes, MACs and the AEAD at
/// 64 B, 1 KiB and 16 KiB.
pub const PRIMITIVE_ROWS: &[Row] = &[
    row("sha256", "64"),
    row("sha256", "1024"),
    row("sha256", "16384"),
    row("sha512", "64"),
    row("sha512", "1024"),
    row("sha512", "16384"),
    row("hmac_sha256", "64"),
    row("hmac_sha256", "1024"),
    row("hmac_sha256", "16384"),
    row("hkdf_sha256 (64 B out)", ""),
    row("chacha20", "64"),
    row("chacha20", "1024"),
    row("chacha20", "16384"),
    row("poly1305", "64"),
    row("poly1305", "1024"),
    row("poly1305", "16384"),
    row("chacha20_poly1305 seal", "64"),
    row("chacha20_poly1305 seal", "1024"),
    row("chacha20_poly1305 seal", "16384"),
    row("chacha20_poly1305 open", "64"),
    row("chacha20_poly1305 open", "1024"),
    row("chacha20_poly1305 open", "16384"),
    row("x25519 dh", ""),
    row("x25519 public key", ""),
    row("xeddsa sign", ""),
    row("xeddsa verify", ""),
    row("ml_kem_1024 keygen", ""),
    row("ml_kem_1024 encaps", ""),
    row("ml_kem_1024 decaps", ""),
];

/// `protocol.rs`: the handshake (Alice's initiate and first encrypt, Bob's accept).
pub const HANDSHAKE: &str = "handshake (pqxdh + 1st msg)";
/// `protocol.rs`: a message on the current chain (encrypt then decrypt).
pub const SAME_CHAIN: &str = "message, same chain";
/// `protocol.rs`: a message whose decryption makes a DH ratchet step.
pub const DH_STEP: &str = "message, dh ratchet step";
/// `protocol.rs`: the decryption of a message 1000 ahead.
pub const DECRYPT_AHEAD: &str = "decrypt 1000 ahead";

/// `protocol.rs`: each protocol operation, spec beside impl beside baseline.
pub const PROTOCOL_ROWS: &[Row] = &[
    row(HANDSHAKE, ""),
    row(SAME_CHAIN, "64"),
    row(SAME_CHAIN, "1024"),
    row(DH_STEP, "64"),
    row(DH_STEP, "1024"),
    row(DECRYPT_AHEAD, ""),
];

/// `franking.rs`: a franked message on the current chain, end to end.
pub const FRANKING_MESSAGE: &str = "franking message";
/// `franking.rs`: one franked decryption with 2,000 skipped keys held.
pub const FRANKING_KEYS_HELD: &str = "franking, 2000 keys held";
/// `franking.rs`: the platform's check of a report.
pub const FRANKING_VERIFY: &str = "franking verify report";

/// `franking.rs`: message franking, spec beside impl beside the unfranked operation.
pub const FRANKING_ROWS: &[Row] = &[
    row(FRANKING_MESSAGE, "64"),
    row(FRANKING_MESSAGE, "1024"),
    row(FRANKING_KEYS_HELD, ""),
    row(FRANKING_VERIFY, ""),
];

/// `peers.rs`: lockstep's criterion function.
pub const LOCKSTEP: &str = "lockstep";
/// `peers.rs`: vodozemac's criterion function.
pub const VODOZEMAC: &str = "vodozemac";
/// `peers.rs`: the prefix of its criterion groups (`peers set-up`, ...).
pub const PEER_GROUP_PREFIX: &str = "peers ";
/// `peers.rs`: its operations, in order.
pub const PEER_OPERATIONS: [&str; 3] = ["set-up", "ping-pong", "same-chain"];

/// `peers.rs`: each operation at 64 B and 1 KiB, lockstep beside vodozemac.
pub const PEER_ROWS: &[Row] = &[
    row("peers set-up", "64"),
    row("peers set-up", "1024"),
    row("peers ping-pong", "64"),
    row("peers ping-pong", "1024"),
    row("peers same-chain", "64"),
    row("peers same-chain", "1024"),
];

/// The operation of a peers row (`set-up` for `peers set-up`).
#[must_use]
pub fn peer_operation(row: &Row) -> &'static str {
    row.group
        .strip_prefix(PEER_GROUP_PREFIX)
        .unwrap_or(row.group)
}

/// The file, under criterion's home, where `peers.rs` writes its paired ratios
/// ([`super::paired::PairedRun`]).
pub const PAIRED_FILE: &str = "lockstep-peers-paired.json";

/// The benchmarks the report reads.
pub const PRIMITIVES: Bench = Bench {
    name: "primitives",
    functions: SPEC_IMPL,
    rows: PRIMITIVE_ROWS,
};
/// See [`PRIMITIVES`].
pub const PROTOCOL: Bench = Bench {
    name: "protocol",
    functions: SPEC_IMPL_BASELINE,
    rows: PROTOCOL_ROWS,
};
/// See [`PRIMITIVES`].
pub const FRANKING: Bench = Bench {
    name: "franking",
    functions: SPEC_IMPL_BASELINE,
    rows: FRANKING_ROWS,
};
/// See [`PRIMITIVES`].
pub const PEERS: Bench = Bench {
    name: "peers",
    functions: &[LOCKSTEP, VODOZEMAC],
    rows: PEER_ROWS,
};

/// Every benchmark the report reads, in the report's order of reading.
pub const BENCHES: [Bench; 4] = [PRIMITIVES, PROTOCOL, FRANKING, PEERS];
