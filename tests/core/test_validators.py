import pytest

from apps.core.errors import ApplicationError
from apps.core.validators import (
    USCC_ALPHABET,
    check_gbk,
    check_no_control_characters,
    check_taxpayer_id,
    is_valid_resident_id,
    is_valid_uscc,
    looks_like_uscc_without_check_character,
    normalize_contact_phone,
    normalize_mobile,
    organization_code_check_character,
    parse_id,
    resident_id_check_character,
    uscc_check_character,
)


def _with_check_character(first17: str) -> str:
    return first17 + uscc_check_character(first17)


# --- USCC (GB 32100-2015) -------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["91110000600037341L", "9144030071526726XG", "91350200MA2YJ1XR9G"])
def test_published_uscc_examples_are_valid_and_verified(code):
    # given a real unified social credit code
    # when it is checked
    normalized, verified = check_taxpayer_id(code)
    # then it is accepted as it is and marked verified
    assert normalized == code
    assert verified is True


@pytest.mark.parametrize("first_char", ["A", "N", "Y", "1", "5"])
def test_uscc_starting_with_a_letter_or_other_registration_authority_is_valid(first_char):
    # given a code whose registration-authority character is a letter (python-stdnum rejects these)
    code = _with_check_character(first_char + "1110000600037341")
    # when it is checked
    normalized, verified = check_taxpayer_id(code)
    # then it passes the GB 32100 check
    assert normalized == code
    assert verified is True


def test_check_character_of_known_codes_is_computed_from_the_weights():
    # given the first 17 characters of the published examples
    # when the check character is computed
    # then it is the published 18th character
    assert uscc_check_character("91110000600037341") == "L"
    assert uscc_check_character("9144030071526726X") == "G"
    assert uscc_check_character("91350200MA2YJ1XR9") == "G"


def test_a_code_whose_check_character_is_0_is_valid():
    # given a 17-character prefix whose checksum gives the check character '0' (31 - 0 wraps to index 0)
    prefix = next(
        candidate
        for candidate in (f"9111000060003{n:04d}" for n in range(10000))
        if uscc_check_character(candidate) == "0"
    )
    # when the full code is checked
    # then it is valid
    assert is_valid_uscc(prefix + "0")


@pytest.mark.parametrize("wrong", [char for char in "0123456789ABCDEFGHJKLMNPQRTUWXY" if char != "L"][:6])
def test_uscc_with_wrong_check_character_is_refused(wrong):
    # given a published code with its check character changed
    code = "91110000600037341" + wrong
    # when it is checked
    with pytest.raises(ApplicationError) as raised:
        check_taxpayer_id(code)
    # then it is refused with a message on the taxpayer_id field
    assert raised.value.code == "invalid_taxpayer_id"
    assert list(raised.value.fields) == ["taxpayer_id"]
    assert "check character" in str(raised.value.fields["taxpayer_id"][0])


@pytest.mark.parametrize("forbidden", ["I", "O", "S", "V", "Z"])
def test_uscc_containing_a_letter_never_used_is_refused(forbidden):
    # given an otherwise well-formed code containing I, O, S, V or Z
    code = "9111000060003734" + forbidden + "L"
    assert forbidden not in USCC_ALPHABET
    # when it is checked
    with pytest.raises(ApplicationError) as raised:
        check_taxpayer_id(code)
    # then it is refused
    assert raised.value.code == "invalid_taxpayer_id"
    assert "I, O, S, V and Z are never used" in str(raised.value.message)


@pytest.mark.parametrize("code", ["9111000060003734", "9111000060003734100", "", "123", "9" * 21, "9" * 16])
def test_taxpayer_id_of_wrong_length_is_refused(code):
    # given an ID of 16, 19, 0, 3 or 21 characters
    # when it is checked
    with pytest.raises(ApplicationError) as raised:
        check_taxpayer_id(code)
    # then it is refused with the message explaining the accepted lengths
    assert raised.value.code == "invalid_taxpayer_id"
    assert "18-character unified social credit code" in str(raised.value.fields["taxpayer_id"][0])


def test_lowercase_and_spaced_uscc_is_normalized():
    # given a valid code typed in lowercase with spaces around and inside
    # when it is checked
    normalized, verified = check_taxpayer_id("  9111 0000 6000 3734 1l ")
    # then it is stored in the canonical upper-case form
    assert normalized == "91110000600037341L"
    assert verified is True


def test_full_width_uscc_typed_with_a_chinese_input_method_is_normalized():
    # given a valid code typed in full-width characters
    full_width = "".join(chr(ord(char) + 0xFEE0) for char in "91110000600037341L")
    # when it is checked
    normalized, verified = check_taxpayer_id(full_width)
    # then it is converted to ASCII and verified
    assert normalized == "91110000600037341L"
    assert verified is True


# --- Legacy taxpayer IDs: only their real shapes ---------------------------------------------------------------


def _organization_code(first8: str) -> str:
    return first8 + organization_code_check_character(first8)


def _resident_id(first17: str) -> str:
    return first17 + resident_id_check_character(first17)


def test_organization_code_check_character_follows_gb_11714():
    # given the organization code inside the published USCC 91110000600037341L (characters 9-17: 60003734-1)
    # when its check character is computed from the first 8
    # then it is the published 1; and a code whose sum needs 10 gets X (44030071526726X is the one inside
    # 9144030071526726XG)
    assert organization_code_check_character("60003734") == "1"
    assert organization_code_check_character("71526726") == "X"
    assert organization_code_check_character("MA2YJ1XR") == "9"  # letters count 10-35 (91350200MA2YJ1XR9G)


def test_organization_code_whose_check_is_11_ends_in_0():
    # given an organization code whose weighted sum is a multiple of 11
    first8 = next(f"{n:08d}" for n in range(1, 10**5) if organization_code_check_character(f"{n:08d}") == "0")
    total = sum(int(c) * w for c, w in zip(first8, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    # then the check "11" is written 0
    assert total % 11 == 0
    assert check_taxpayer_id("110000" + first8 + "0") == ("110000" + first8 + "0", False)


@pytest.mark.parametrize(
    "legacy",
    [
        "110000600037341",  # Beijing region code + the organization code of 91110000600037341L
        "44030071526726X",  # Shenzhen + the organization code of 9144030071526726XG (check X)
        "44030071526726x",  # typed in lowercase
        "350200MA2YJ1XR9",  # letters in the organization code
    ],
)
def test_real_15_character_ids_are_accepted_unverified(legacy):
    # given a 15-character ID: region code + organization code with a correct check character
    # when it is checked
    normalized, verified = check_taxpayer_id(legacy)
    # then it is accepted (upper-cased) as a legacy ID, not a verified USCC
    assert normalized == legacy.upper()
    assert verified is False


@pytest.mark.parametrize(
    "code",
    [
        "ABCDEFGHIJKLMNO",  # letters where the region code must be digits
        "11000060003734X",  # the check character of 60003734 is 1
        "110000600037342",
        "110000600037351",  # one digit changed: the check no longer matches
        "11000060003734A",  # a check character is a digit or X
        "1100006000-3734",
    ],
)
def test_15_character_ids_without_a_real_shape_are_refused(code):
    # given 15 characters that are not a region code + a valid organization code
    # when it is checked
    with pytest.raises(ApplicationError) as raised:
        check_taxpayer_id(code)
    # then it is refused with a message about the 15-character shape
    assert raised.value.code == "invalid_taxpayer_id"
    assert "15-character" in str(raised.value.fields["taxpayer_id"][0])


def test_resident_id_check_follows_iso_7064():
    # given the sample resident ID number of GB 11643 (11010519491231002X) and one ending in a digit
    # then the check characters are computed as published
    assert resident_id_check_character("11010519491231002") == "X"
    assert resident_id_check_character("44030419900101001") == _resident_id("44030419900101001")[-1]
    assert is_valid_resident_id("11010519491231002X")
    assert not is_valid_resident_id("110105194912310021")


@pytest.mark.parametrize(
    "legacy",
    [
        "11010519491231002X01",  # the GB 11643 sample resident ID + 2 digits
        "11010519491231002x01",
        _resident_id("44030419900101001") + "00",
        _resident_id("31011519851201234") + "99",
    ],
)
def test_real_20_character_ids_are_accepted_unverified(legacy):
    # given a resident ID number with a correct check character, followed by 2 digits
    # when it is checked
    normalized, verified = check_taxpayer_id(legacy)
    # then it is accepted as a legacy ID
    assert normalized == legacy.upper()
    assert verified is False


@pytest.mark.parametrize(
    "code",
    [
        "11010519491231002101",  # wrong check character (X expected)
        "11010519491231003X01",  # one digit changed
        "11010519491231002XAB",  # the last two must be digits
        "ABCDEFGHIJKLMNOPQRST",
        "1101051949123100X201",
    ],
)
def test_20_character_ids_without_a_valid_resident_id_are_refused(code):
    with pytest.raises(ApplicationError) as raised:
        check_taxpayer_id(code)
    assert raised.value.code == "invalid_taxpayer_id"
    assert "20-character" in str(raised.value.fields["taxpayer_id"][0])


@pytest.mark.parametrize("legacy", ["11010870000012345", "31011580120123401", "44030419900101099"])
def test_17_digit_ids_are_accepted_unverified(legacy):
    # given an old 15-digit resident ID number + 2 digits
    # when it is checked
    # then it is accepted as a legacy ID
    assert check_taxpayer_id(legacy) == (legacy, False)


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037341",  # 91110000600037341L without its L
        "9144030071526726X",
        "91350200MA2YJ1XR9",
        "Y1110000600037341",  # registration authority Y
        "12110000600037341",  # a public institution (authority 1, type 2)
    ],
)
def test_a_uscc_missing_its_last_character_gets_that_hint(code):
    # given the first 17 characters of a unified social credit code
    # when it is checked
    with pytest.raises(ApplicationError) as raised:
        check_taxpayer_id(code)
    # then it is refused, saying the last character is missing (not accepted as a 17-digit legacy ID)
    assert raised.value.code == "invalid_taxpayer_id"
    assert "last character missing" in str(raised.value.fields["taxpayer_id"][0])
    assert looks_like_uscc_without_check_character(code)


@pytest.mark.parametrize("code", ["1101087000001234A", "ABCDEFGHIJKLMNOPQ", "9111000060003734Z"])
def test_17_characters_with_letters_that_are_no_uscc_are_refused(code):
    with pytest.raises(ApplicationError) as raised:
        check_taxpayer_id(code)
    assert raised.value.code == "invalid_taxpayer_id"
    assert "digits only" in str(raised.value.fields["taxpayer_id"][0])


def test_legacy_length_with_punctuation_is_refused():
    # given a 15-character ID containing punctuation
    # when it is checked
    with pytest.raises(ApplicationError) as raised:
        check_taxpayer_id("11010870000-123")
    # then it is refused
    assert raised.value.code == "invalid_taxpayer_id"


def test_arabic_indic_digits_are_not_digits_of_a_taxpayer_id():
    # given a 17-character ID with Arabic-Indic digits (str.isdigit() says yes)
    # when it is checked
    # then it is refused
    with pytest.raises(ApplicationError):
        check_taxpayer_id("١١٠١٠٨٧٠٠٠٠٠١٢٣٤٥")


# --- Mobile and postal code ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("19912345678", "19912345678"),
        ("+8613800138000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        (" 138 0013 8000 ", "13800138000"),
    ],
)
def test_mainland_mobile_numbers_are_accepted_and_normalized(raw, expected):
    # given a mainland mobile number in a common notation
    # when it is normalized
    # then the 11 digits remain
    assert normalize_mobile(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "12800138000",  # second digit 2
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "010-88886666",  # landline
        "+1 13800138000",  # wrong country code
        "1380013800a",
        "13٨00138000",  # Arabic-Indic digit
        "",
    ],
)
def test_other_phone_numbers_are_not_mainland_mobiles(raw):
    # given something that is not a mainland mobile number
    # when it is normalized
    # then nothing is returned
    assert normalize_mobile(raw) == ""


# --- GBK -----------------------------------------------------------------------------------------------------


def test_ordinary_chinese_text_is_printable():
    # given ordinary simplified Chinese, digits, ASCII and full-width punctuation
    # when it is checked
    # then it passes (no exception)
    check_gbk({"name": "北京示例科技有限公司（分公司）", "street": "中关村大街 1 号 B 座·302"})


@pytest.mark.parametrize("text", ["示例😀公司", "𠮷野家", "Café ✓"])
def test_text_the_invoice_printer_cannot_print_is_refused_per_field(text):
    # given an emoji, a CJK Extension B character or a symbol outside GBK in one field
    # when the fields are checked
    with pytest.raises(ApplicationError) as raised:
        check_gbk({"name": "正常名称", "street": text})
    # then only that field is reported
    assert raised.value.code == "invalid_characters"
    assert list(raised.value.fields) == ["street"]
    assert "GBK" in str(raised.value.fields["street"][0])


# --- Control characters ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x07", "\t", "\n", "\r", "\x1b", "\x1f", "\x7f", "\x85"])
def test_control_characters_are_refused_in_a_single_line_field(char):
    # given a name with an invisible control character inside
    # when the fields are checked
    with pytest.raises(ApplicationError) as raised:
        check_no_control_characters({"name": "示例" + char + "公司", "city": "杭州市"})
    # then only that field is reported, in words a user understands
    assert raised.value.code == "invalid_characters"
    assert list(raised.value.fields) == ["name"]
    assert "control characters" in str(raised.value.fields["name"][0])


@pytest.mark.parametrize("text", ["第一行\n第二行", "第一行\r\n第二行", "列1\t列2"])
def test_a_multi_line_reason_keeps_its_line_breaks_and_tabs(text):
    # given a multi-line reason
    # when it is checked as multi-line
    # then it passes
    check_no_control_characters({"reason": text}, multiline={"reason"})


@pytest.mark.parametrize("char", ["\x00", "\x08", "\x0b", "\x1b", "\x7f"])
def test_a_multi_line_reason_still_refuses_nul_and_other_controls(char):
    with pytest.raises(ApplicationError) as raised:
        check_no_control_characters({"reason": "抬头" + char + "有误"}, multiline={"reason"})
    assert list(raised.value.fields) == ["reason"]


def test_ordinary_text_has_no_control_characters():
    check_no_control_characters({"name": "北京示例科技有限公司（分公司）", "street": "中关村大街 1 号 B 座·302"})
    check_no_control_characters({"empty": ""})


# --- Vendor contact phone -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "+86 138 0013 8000"),
        ("138-0013-8000", "138-0013-8000"),
        ("0571-88886666", "0571-88886666"),
        ("010-62668899", "010-62668899"),
        ("021-6000 1234", "021-6000 1234"),
        ("010-6266-8899", "010-6266-8899"),
        ("(010)62668899", "(010)62668899"),
        ("（０１０）６２６６８８９９", "(010)62668899"),  # full-width, as a Chinese input method types it
        ("02162668899", "02162668899"),
        ("0571-88886666-801", "0571-88886666-801"),
        ("0571-88886666转801", "0571-88886666转801"),
        ("0571-88886666 ext 801", "0571-88886666 ext 801"),
        ("400-800-8888", "400-800-8888"),
        ("4008008888", "4008008888"),
        ("800-820-1234", "800-820-1234"),
        ("400-820-1234-2", "400-820-1234-2"),
    ],
)
def test_real_contact_phone_shapes_are_accepted(raw, expected):
    # given a mobile, a landline with its area code or a 400/800 number, maybe with an extension
    # when it is normalized
    # then it is kept as people write it (full-width made ASCII)
    assert normalize_contact_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "call us",
        "12345",
        "88886666",  # a landline without its area code
        "0571-1888666",  # local numbers do not start with 0 or 1
        "12800138000",
        "1380013800",
        "+1 415 555 0100",
        "400-800-888",
        "500-800-8888",
        "0571-88886666-",
        "((010))62668899",
        "13800138000\x00",
        "138\t00138000",
        "١٣٨٠٠١٣٨٠٠٠",
        "",
    ],
)
def test_things_that_are_no_phone_number_are_refused(raw):
    assert normalize_contact_phone(raw) == ""


# --- Ids ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        ("42", 42),
        (42, 42),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),  # beyond PostgreSQL bigint: "no such object", not a 500
        ("99999999999999999999999", None),
        (2**63, None),
        ("0", None),
        (0, None),
        ("-1", None),
        (-1, None),
        ("+1", None),
        (" 1", None),
        ("1 ", None),
        ("1.0", None),
        ("1e3", None),
        ("1_000", None),
        ("١٢", None),  # Arabic-Indic digits: str.isdigit() says yes
        ("１２", None),  # full-width digits
        ("²", None),
        ("", None),
        ("abc", None),
        (None, None),
        (True, None),
        (1.0, None),
        ([1], None),
    ],
)
def test_ids_are_plain_ascii_digits_within_the_database_range(raw, expected):
    # given an id from a URL, a form or a JSON body
    # when it is parsed
    # then it is an int in range, or None for "no such object"
    assert parse_id(raw) == expected
