import pytest

from apps.core.errors import ApplicationError
from apps.core.validators import (
    USCC_ALPHABET,
    check_gbk,
    check_taxpayer_id,
    is_valid_uscc,
    normalize_mobile,
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


@pytest.mark.parametrize("code", ["9111000060003734", "9111000060003734100", "", "123", "9" * 21])
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


@pytest.mark.parametrize(
    "legacy",
    ["110108700000123", "11010870000012345", "11010870000012345X01", "44030071526726x"],
)
def test_legacy_taxpayer_ids_of_15_17_or_20_characters_are_accepted_unverified(legacy):
    # given an older taxpayer ID without a common checksum
    # when it is checked
    normalized, verified = check_taxpayer_id(legacy)
    # then it is accepted (upper-cased) but not verified
    assert normalized == legacy.upper()
    assert verified is False


def test_legacy_length_with_punctuation_is_refused():
    # given a 15-character ID containing punctuation
    # when it is checked
    with pytest.raises(ApplicationError) as raised:
        check_taxpayer_id("11010870000-123")
    # then it is refused
    assert raised.value.code == "invalid_taxpayer_id"


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
