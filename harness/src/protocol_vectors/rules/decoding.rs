//! `rules.json`, decoding: wire messages and bundles that pin each SPEC §3.2 and §5 check.

use super::*;

/// A decoding vector: its outcome is [`SpecSide`]'s decoder of `structure` (the
/// checker's [`decoded`]), which must be `want`, and an accepted encoding must
/// encode back to itself.
pub(super) fn decoding(
    structure: Structure,
    id: &str,
    description: &str,
    encoding: Vec<u8>,
    want: Result<(), spec::Error>,
) -> Result<DecodingVector, GenerateError> {
    let result = decoded(&SpecSide, structure, &encoding);
    if result.as_ref().is_ok_and(|back| *back != encoding) {
        return Err(unexpected(format!(
            "{id}: decodes but does not encode back"
        )));
    }
    let outcome = verdict(result.map(|_| ()));
    check_verdict(id, &outcome, want)?;
    Ok(DecodingVector {
        id: id.to_owned(),
        source: match structure {
            Structure::Message => SOURCE_DECODE_MESSAGE,
            Structure::Bundle => SOURCE_DECODE_BUNDLE,
        }
        .to_owned(),
        description: description.to_owned(),
        structure,
        encoding,
        outcome,
    })
}

pub(super) fn decoding_vectors(
    handshakes: &[PqxdhVector],
    conversations: &[Conversation],
) -> Result<Vec<DecodingVector>, GenerateError> {
    use Structure::{Bundle, Message};
    use spec::Error::{InvalidMessage, MessageTooLarge, UnknownVersion};
    let in_order = find(conversations, "ratchet_in_order")?;
    let out_of_order = find(conversations, "ratchet_out_of_order")?;
    let sent = |c: &Conversation, step: usize| match c.steps.get(step) {
        Some(Step::Send(s)) => Ok(s.wire.clone()),
        _ => Err(unexpected(format!("{}: step {step} is not a send", c.id))),
    };
    // A plain ratchet message (in_order step 6, a2), a PreKey message with an OPK
    // (in_order step 0) and one without (out_of_order step 0).
    let rm = sent(in_order, 6)?;
    let pm = sent(in_order, 0)?;
    let pm_no_opk = sent(out_of_order, 0)?;
    if rm[1] != spec::consts::MSG_RATCHET || pm[1] != spec::consts::MSG_PREKEY {
        return Err(unexpected(
            "decoding: the genuine messages are not of the expected types",
        ));
    }
    let mut longest = rm[..RATCHET_HEADER_LEN].to_vec();
    longest.resize(MAX_RATCHET_MESSAGE_LEN, 0);
    let mut too_large = longest.clone();
    too_large.push(0);
    let prekey_header = &pm[..PREKEY_HEADER_LEN];
    let prekey_with = |inner: &[u8]| [prekey_header, inner].concat();
    let ek_a = &pm[34..66];
    let mut p_plus = P;
    p_plus[0] = 0xee;

    let bundle = handshakes[0].bundle.clone();
    let bundle_no_opk = handshakes[1].bundle.clone();
    if handshakes[0].opk.is_none() || handshakes[1].opk.is_some() {
        return Err(unexpected(
            "decoding: handshakes 0 and 1 are not with and without an OPK",
        ));
    }
    let mut bundle_long = bundle.clone();
    bundle_long.push(0);

    Ok(vec![
        // --- messages: version, type, length
        decoding(
            Message,
            "message_empty",
            "The empty string.",
            Vec::new(),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "message_version_only",
            "The single byte 0x01: the version, no type byte.",
            vec![0x01],
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "message_unknown_version_one_byte",
            "The single byte 0x02: another version. UnknownVersion whatever the length.",
            vec![0x02],
            Err(UnknownVersion),
        )?,
        decoding(
            Message,
            "message_unknown_version_and_type",
            "0x00 0x07: another version and an unknown type; the version is checked first.",
            vec![0x00, 0x07],
            Err(UnknownVersion),
        )?,
        decoding(
            Message,
            "ratchet_unknown_version",
            "ratchet.json ratchet_in_order step 6 (a ratchet message) with version byte 0x02.",
            with_byte(&rm, 0, 0x02),
            Err(UnknownVersion),
        )?,
        decoding(
            Message,
            "message_unknown_type",
            "ratchet_in_order step 6 with type byte 0x03.",
            with_byte(&rm, 1, 0x03),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "message_type_zero",
            "ratchet_in_order step 6 with type byte 0x00.",
            with_byte(&rm, 1, 0x00),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "ratchet_shortest",
            "The first 58 bytes of ratchet_in_order step 6: a header and a 16-byte ct ‖ tag, the shortest ratchet message (an empty plaintext). Decoding does not open the AEAD.",
            rm[..58].to_vec(),
            Ok(()),
        )?,
        decoding(
            Message,
            "ratchet_short",
            "The first 57 bytes of ratchet_in_order step 6: one byte short.",
            rm[..57].to_vec(),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "ratchet_header_only",
            "The 42-byte header of ratchet_in_order step 6 alone.",
            rm[..RATCHET_HEADER_LEN].to_vec(),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "ratchet_longest",
            "The header of ratchet_in_order step 6 and zero bytes up to 58 + 65536 bytes: the longest ratchet message.",
            longest.clone(),
            Ok(()),
        )?,
        decoding(
            Message,
            "ratchet_too_large",
            "ratchet_longest and one more byte: MessageTooLarge.",
            too_large.clone(),
            Err(MessageTooLarge),
        )?,
        decoding(
            Message,
            "ratchet_too_large_unknown_type",
            "ratchet_too_large with type byte 0x03: the type is checked before the length.",
            with_byte(&too_large, 1, 0x03),
            Err(InvalidMessage),
        )?,
        // --- ratchet header key
        decoding(
            Message,
            "ratchet_dh_bit_255",
            "ratchet_in_order step 6 with bit 255 of dh set (byte 33 | 0x80).",
            bit_255(&rm, 2),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "ratchet_dh_p",
            "ratchet_in_order step 6 with dh = p = 2^255 - 19 (ed ff .. ff 7f), the smallest u >= p.",
            with_bytes(&rm, 2, &P),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "ratchet_dh_p_plus_1",
            "ratchet_in_order step 6 with dh = p + 1 (ee ff .. ff 7f), which names the same key as 1.",
            with_bytes(&rm, 2, &p_plus),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "ratchet_dh_p_minus_1",
            "ratchet_in_order step 6 with dh = p - 1 (ec ff .. ff 7f): canonical, so it decodes (decoding checks the encoding, not the point).",
            with_bytes(&rm, 2, &{
                let mut k = P;
                k[0] = 0xec;
                k
            }),
            Ok(()),
        )?,
        decoding(
            Message,
            "ratchet_too_large_dh_bit_255",
            "ratchet_too_large with bit 255 of dh set: the length is checked before the keys, MessageTooLarge.",
            bit_255(&too_large, 2),
            Err(MessageTooLarge),
        )?,
        // --- PreKey messages
        decoding(
            Message,
            "prekey_unknown_version",
            "ratchet_in_order step 0 (a PreKey message) with version byte 0x02.",
            with_byte(&pm, 0, 0x02),
            Err(UnknownVersion),
        )?,
        decoding(
            Message,
            "prekey_short",
            "The first 1646 bytes of ratchet_in_order step 0: one byte short of a PreKey header.",
            pm[..PREKEY_HEADER_LEN - 1].to_vec(),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_header_only",
            "The 1647-byte PreKey header of ratchet_in_order step 0 without a ratchet message: the empty ratchet message's error.",
            prekey_header.to_vec(),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_inner_short",
            "The PreKey header of ratchet_in_order step 0 and the first 57 bytes of its ratchet message.",
            pm[..PREKEY_HEADER_LEN + 57].to_vec(),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_inner_unknown_version",
            "ratchet_in_order step 0 with the version byte of its ratchet message (offset 1647) 0x02: the ratchet message's error, UnknownVersion, is the PreKey message's.",
            with_byte(&pm, PREKEY_HEADER_LEN, 0x02),
            Err(UnknownVersion),
        )?,
        decoding(
            Message,
            "prekey_inner_prekey_type",
            "ratchet_in_order step 0 with the type byte of its ratchet message (offset 1648) 0x01: a PreKey message cannot carry a PreKey message.",
            with_byte(&pm, PREKEY_HEADER_LEN + 1, 0x01),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_inner_too_large",
            "The PreKey header of ratchet_in_order step 0 and ratchet_too_large: MessageTooLarge, the ratchet message's error.",
            prekey_with(&too_large),
            Err(MessageTooLarge),
        )?,
        decoding(
            Message,
            "prekey_bad_opk_flag",
            "ratchet_in_order step 0 with opk_flag (offset 74) 0x02.",
            with_byte(&pm, 74, 0x02),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_opk_id_without_flag",
            "ratchet_out_of_order step 0 (no OPK: opk_flag 0) with opk_id (offset 75) 1.",
            with_bytes(&pm_no_opk, 75, &1u32.to_be_bytes()),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_opk_flag_with_id_zero",
            "ratchet_out_of_order step 0 with opk_flag 0x01 and opk_id 0: with the flag set any id decodes, 0 included.",
            with_byte(&pm_no_opk, 74, 0x01),
            Ok(()),
        )?,
        decoding(
            Message,
            "prekey_ik_a_bit_255",
            "ratchet_in_order step 0 with bit 255 of IK_A set.",
            bit_255(&pm, 2),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_ik_a_p",
            "ratchet_in_order step 0 with IK_A = p.",
            with_bytes(&pm, 2, &P),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_ek_a_bit_255",
            "ratchet_in_order step 0 with bit 255 of EK_A set.",
            bit_255(&pm, 34),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_ek_a_p_plus_1",
            "ratchet_in_order step 0 with EK_A = p + 1.",
            with_bytes(&pm, 34, &p_plus),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_ek_a_reencoded",
            "ratchet_in_order step 0 with EK_A replaced by 1/EK_A mod p: canonical, so it decodes; TH refuses it later (see accepts).",
            with_bytes(&pm, 34, &reencoded(ek_a)),
            Ok(()),
        )?,
        decoding(
            Message,
            "prekey_ratchet_dh_bit_255",
            "ratchet_in_order step 0 with bit 255 of its ratchet message's dh set: the ratchet message's error.",
            bit_255(&pm, PREKEY_HEADER_LEN + 2),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_bad_opk_flag_and_inner_too_large",
            "prekey_inner_too_large with opk_flag 0x02: the flags are checked before the ratchet message, InvalidMessage.",
            with_byte(&prekey_with(&too_large), 74, 0x02),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_ek_a_bit_255_and_inner_unknown_version",
            "prekey_inner_unknown_version with bit 255 of EK_A set: the PreKey header's keys are checked before the ratchet message, InvalidMessage.",
            bit_255(&with_byte(&pm, PREKEY_HEADER_LEN, 0x02), 34),
            Err(InvalidMessage),
        )?,
        decoding(
            Message,
            "prekey_short_unknown_version",
            "0x02 0x01: another version, a PreKey type, and short: UnknownVersion.",
            vec![0x02, 0x01],
            Err(UnknownVersion),
        )?,
        // --- bundles
        decoding(
            Bundle,
            "bundle_empty",
            "The empty string.",
            Vec::new(),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_unknown_version",
            "pqxdh.json pqxdh_with_opk's bundle with version byte 0x02.",
            with_byte(&bundle, 0, 0x02),
            Err(UnknownVersion),
        )?,
        decoding(
            Bundle,
            "bundle_unknown_version_one_byte",
            "The single byte 0x02: UnknownVersion whatever the length.",
            vec![0x02],
            Err(UnknownVersion),
        )?,
        decoding(
            Bundle,
            "bundle_unknown_version_and_long",
            "pqxdh_with_opk's bundle with version byte 0x02 and one byte 0x00 appended: the version before the length.",
            with_byte(&bundle_long, 0, 0x02),
            Err(UnknownVersion),
        )?,
        decoding(
            Bundle,
            "bundle_version_only",
            "The single byte 0x01.",
            vec![0x01],
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_short",
            "pqxdh_with_opk's bundle without its last byte.",
            bundle[..bundle.len() - 1].to_vec(),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_long",
            "pqxdh_with_opk's bundle with one byte 0x00 appended.",
            bundle_long.clone(),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_bad_pq_kind",
            "pqxdh_with_opk's bundle with pq_kind (offset 137) 0x02.",
            with_byte(&bundle, 137, 0x02),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_bad_opk_flag",
            "pqxdh_with_opk's bundle with opk_flag (offset 1770) 0x02.",
            with_byte(&bundle, 1770, 0x02),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_opk_id_without_flag",
            "pqxdh_without_opk's bundle (opk_flag 0) with opk_id (offset 1771) 1.",
            with_bytes(&bundle_no_opk, 1771, &1u32.to_be_bytes()),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_opk_key_without_flag",
            "pqxdh_without_opk's bundle with OPK_B (offset 1775) 09 00 .. 00.",
            with_byte(&bundle_no_opk, 1775, 0x09),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_opk_id_zero",
            "pqxdh_with_opk's bundle with opk_id 0: with opk_flag 0x01 any id decodes, 0 included.",
            with_bytes(&bundle, 1771, &0u32.to_be_bytes()),
            Ok(()),
        )?,
        decoding(
            Bundle,
            "bundle_ik_b_bit_255",
            "pqxdh_with_opk's bundle with bit 255 of IK_B set.",
            bit_255(&bundle, 1),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_ik_b_p",
            "pqxdh_with_opk's bundle with IK_B = p.",
            with_bytes(&bundle, 1, &P),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_spk_b_bit_255",
            "pqxdh_with_opk's bundle with bit 255 of SPK_B set.",
            bit_255(&bundle, 37),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_spk_b_p_plus_1",
            "pqxdh_with_opk's bundle with SPK_B = p + 1.",
            with_bytes(&bundle, 37, &p_plus),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_opk_b_bit_255",
            "pqxdh_with_opk's bundle with bit 255 of OPK_B set.",
            bit_255(&bundle, 1775),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_opk_b_p",
            "pqxdh_with_opk's bundle with OPK_B = p.",
            with_bytes(&bundle, 1775, &P),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_bad_pq_kind_and_short",
            "bundle_bad_pq_kind without its last byte: the length before the fields, InvalidMessage either way; and with version 0x02 (next vector) UnknownVersion.",
            with_byte(&bundle, 137, 0x02)[..bundle.len() - 1].to_vec(),
            Err(InvalidMessage),
        )?,
        decoding(
            Bundle,
            "bundle_unknown_version_and_bad_pq_kind",
            "bundle_bad_pq_kind with version byte 0x02: UnknownVersion.",
            with_byte(&with_byte(&bundle, 137, 0x02), 0, 0x02),
            Err(UnknownVersion),
        )?,
    ])
}
