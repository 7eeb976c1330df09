//! Public types of `pqxdh.json`.

/// Bob's one-time prekey in a [`PqxdhVector`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimePreKey {
    /// `opk_id`.
    pub id: u32,
    /// The private key, as derived (not clamped).
    pub private: [u8; 32],
    /// `OPK_B = X25519(private, 9)`.
    pub public: [u8; 32],
}

/// One PQXDH handshake (SPEC §3), with every input and intermediate value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PqxdhVector {
    /// Unique in the file, e.g. `pqxdh_with_opk`.
    pub id: String,
    /// The SPEC sections it exercises.
    pub source: String,
    /// What the vector shows.
    pub description: String,
    /// Alice's identity private key.
    pub ik_a_private: [u8; 32],
    /// `IK_A`.
    pub ik_a: [u8; 32],
    /// Alice's ephemeral private key `ek_a`.
    pub ek_a_private: [u8; 32],
    /// `EK_A`.
    pub ek_a: [u8; 32],
    /// The encapsulation randomness `m`.
    pub m: [u8; 32],
    /// Bob's identity private key.
    pub ik_b_private: [u8; 32],
    /// `IK_B`.
    pub ik_b: [u8; 32],
    /// `spk_id`.
    pub spk_id: u32,
    /// Bob's signed prekey, private.
    pub spk_b_private: [u8; 32],
    /// `SPK_B`.
    pub spk_b: [u8; 32],
    /// `pqpk_id`.
    pub pqpk_id: u32,
    /// Whether `PQPK_B` is a last-resort key (`pq_kind` 0x01).
    pub pq_last_resort: bool,
    /// ML-KEM-1024 key generation seed `d`.
    pub pqpk_d: [u8; 32],
    /// ML-KEM-1024 key generation seed `z`.
    pub pqpk_z: [u8; 32],
    /// `PQPK_B`, the encapsulation key (1568 bytes).
    pub pqpk_b: Vec<u8>,
    /// Bob's decapsulation key (3168 bytes).
    pub pqpk_b_private: Vec<u8>,
    /// Bob's one-time prekey, if the bundle has one.
    pub opk: Option<OneTimePreKey>,
    /// `Z1`, the randomness of `SPK_sig`.
    pub z_spk: [u8; 64],
    /// `Z2`, the randomness of `PQPK_sig`.
    pub z_pqpk: [u8; 64],
    /// `SPK_sig`.
    pub spk_sig: [u8; 64],
    /// `PQPK_sig`.
    pub pqpk_sig: [u8; 64],
    /// The encoded bundle (1807 bytes).
    pub bundle: Vec<u8>,
    /// `DH1`.
    pub dh1: [u8; 32],
    /// `DH2`.
    pub dh2: [u8; 32],
    /// `DH3`.
    pub dh3: [u8; 32],
    /// `DH4`, exactly when there is a one-time prekey.
    pub dh4: Option<[u8; 32]>,
    /// `SS`.
    pub ss: [u8; 32],
    /// `CT` (1568 bytes).
    pub ct: Vec<u8>,
    /// `SK`.
    pub sk: [u8; 32],
    /// `AD`.
    pub ad: [u8; 66],
    /// Alice's PreKey header (1647 bytes).
    pub prekey_header: Vec<u8>,
    /// `TH = SHA-256(prekey_header)` (SPEC §3.4).
    pub th: [u8; 32],
}
