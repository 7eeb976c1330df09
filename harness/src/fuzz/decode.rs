//! The `decode_messages` target: every wire decoder of spec and impl on the same bytes.

use super::*;

pub(super) const DECODE: &str = "decode_messages";

/// Compares two sides' answers on one input: equal refusals, or both decoded and
/// both re-encoded to the input.
pub(super) fn same_decoding(
    decoder: &'static str,
    input: &[u8],
    spec: Result<Vec<u8>, Failure>,
    implementation: Result<Vec<u8>, Failure>,
) -> Result<(), Finding> {
    match (spec, implementation) {
        (Err(s), Err(i)) if s == i => Ok(()),
        (Ok(s), Ok(i)) => {
            if s != input {
                return Err(finding(
                    DECODE,
                    "spec re-encodes differently",
                    format!("{decoder}: in {} out {}", hex(input), hex(&s)),
                ));
            }
            if i != input {
                return Err(finding(
                    DECODE,
                    "impl re-encodes differently",
                    format!("{decoder}: in {} out {}", hex(input), hex(&i)),
                ));
            }
            Ok(())
        }
        (s, i) => Err(finding(
            DECODE,
            "spec and impl decode differently",
            format!(
                "{decoder}: spec {:?}, impl {:?}",
                s.map(|_| "decoded"),
                i.map(|_| "decoded")
            ),
        )),
    }
}

/// A finding if the borrowed decoder (`<decoder>_ref`) did not `agree` with the
/// owned one.
pub(super) fn borrowed_agrees(
    decoder: &str,
    agree: bool,
    owned: &impl fmt::Debug,
    borrowed: &impl fmt::Debug,
) -> Result<(), Finding> {
    if agree {
        return Ok(());
    }
    Err(finding(
        DECODE,
        "borrowed and owned decoding differ",
        format!("{decoder} {owned:?} / {decoder}_ref {borrowed:?}"),
    ))
}

/// Does the borrowed decoding agree with the owned one?
pub(super) fn same_ratchet_ref(
    owned: &lockstep::wire::RatchetMessage,
    borrowed: &lockstep::wire::RatchetMessageRef<'_>,
) -> bool {
    owned.header == borrowed.header && owned.ciphertext == borrowed.ciphertext
}

/// Arbitrary bytes into every wire decoder (SPEC §3.2, §5, §5.1, §5.2) of the spec
/// and of the implementation, owned and borrowed: the same refusal everywhere, or
/// the same message, which re-encodes to exactly the input (the encoding is
/// canonical: no two byte strings decode to one message).
///
/// # Errors
/// A [`Finding`] naming the decoder that disagreed.
pub fn decode_messages(data: &[u8]) -> Result<(), Finding> {
    use lockstep::wire as w;
    let bytes = seq(data);

    // Any message (SPEC §5), owned and borrowed.
    let owned = w::decode_message(data);
    let borrowed = w::decode_message_ref(data);
    let agree = match (&owned, &borrowed) {
        (Ok(w::Message::Ratchet(o)), Ok(w::MessageRef::Ratchet(b))) => same_ratchet_ref(o, b),
        (Ok(w::Message::PreKey(o)), Ok(w::MessageRef::PreKey { header, message })) => {
            data.get(..lockstep::consts::PREKEY_HEADER_LEN) == Some(*header)
                && same_ratchet_ref(&o.message, message)
        }
        (Err(o), Err(b)) => o == b,
        _ => false,
    };
    borrowed_agrees("decode_message", agree, &owned, &borrowed)?;
    same_decoding(
        "decode_message",
        data,
        spec::wire::decode_message(&bytes)
            .map(|m| spec::wire::encode_message(&m).to_native())
            .map_err(Failure::from),
        owned.map(|m| w::encode_message(&m)).map_err(Failure::from),
    )?;

    // A ratchet message (SPEC §5.1), owned and borrowed.
    let owned = w::decode_ratchet_message(data);
    let borrowed = w::decode_ratchet_message_ref(data);
    let agree = match (&owned, &borrowed) {
        (Ok(o), Ok(b)) => same_ratchet_ref(o, b),
        (Err(o), Err(b)) => o == b,
        _ => false,
    };
    borrowed_agrees("decode_ratchet_message", agree, &owned, &borrowed)?;
    same_decoding(
        "decode_ratchet_message",
        data,
        spec::wire::decode_ratchet_message(&bytes)
            .map(|m| spec::wire::encode_ratchet_message(&m).to_native())
            .map_err(Failure::from),
        owned
            .map(|m| w::encode_ratchet_message(&m))
            .map_err(Failure::from),
    )?;

    // A PreKey message (SPEC §5.2).
    same_decoding(
        "decode_prekey_message",
        data,
        spec::wire::decode_prekey_message(&bytes)
            .map(|m| spec::wire::encode_prekey_message(&m).to_native())
            .map_err(Failure::from),
        w::decode_prekey_message(data)
            .map(|m| w::encode_prekey_message(&m))
            .map_err(Failure::from),
    )?;

    // A bundle (SPEC §3.2), by both of the implementation's entry points.
    let via_method = w::PreKeyBundle::from_bytes(data).map(|b| b.to_bytes());
    let via_function = w::decode_bundle(data).map(|b| w::encode_bundle(&b));
    if via_method != via_function {
        return Err(finding(
            DECODE,
            "PreKeyBundle::from_bytes and decode_bundle differ",
            format!(
                "{:?} / {:?}",
                via_method.map(|_| ()),
                via_function.map(|_| ())
            ),
        ));
    }
    same_decoding(
        "decode_bundle",
        data,
        spec::wire::decode_bundle(&bytes)
            .map(|b| spec::wire::encode_bundle(&b).to_native())
            .map_err(Failure::from),
        via_function.map_err(Failure::from),
    )
}
