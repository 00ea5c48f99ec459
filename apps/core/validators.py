"""Validators for Chinese invoicing data (see DOMAIN.md, Validation)."""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

from .errors import ApplicationError

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # w_i = 3^(i-1) mod 31, i = 1..17
# The USCC's first two characters: registration authority (1-9, A, N, Y) and organization type (1, 2, 3 or 9).
USCC_AUTHORITIES = "123456789ANY"
USCC_ORGANIZATION_TYPES = "1239"
ORGANIZATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, ...
# ASCII only and anchored with \Z: a plain `\d` would accept full-width or Arabic-Indic digits, `$` a trailing newline.
DIGITS_RE = re.compile(r"^[0-9]+\Z")
ORGANIZATION_CODE_RE = re.compile(r"^[0-9A-Z]{8}[0-9X]\Z")
RESIDENT_ID_RE = re.compile(r"^[0-9]{17}[0-9X]\Z")
MAINLAND_MOBILE_RE = re.compile(r"^(?:\+?86)?1[3-9][0-9]{9}\Z")
POSTAL_CODE_RE = re.compile(r"^[0-9]{6}\Z")


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """GB 32100-2015: 18 characters from the USCC alphabet, the last one a check character."""
    if len(code) != 18 or any(char not in USCC_ALPHABET for char in code):
        return False
    return uscc_check_character(code[:17]) == code[17]


def normalize_taxpayer_id(raw: str) -> str:
    # NFKC turns full-width characters typed with a Chinese input method (９１１…Ｌ) into ASCII.
    return unicodedata.normalize("NFKC", raw or "").strip().upper().replace(" ", "")


def organization_code_check_character(first8: str) -> str:
    """GB 11714: the 9th character of an organization code. Digits are 0-9, letters A-Z 10-35; 10 is X, 11 is 0."""
    total = sum(int(char, 36) * weight for char, weight in zip(first8, ORGANIZATION_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def is_valid_organization_code(code: str) -> bool:
    return bool(ORGANIZATION_CODE_RE.match(code)) and organization_code_check_character(code[:8]) == code[8]


def resident_id_check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2, the 18th character of a resident ID number (GB 11643)."""
    total = sum(int(char) * weight for char, weight in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def is_valid_resident_id(code: str) -> bool:
    return bool(RESIDENT_ID_RE.match(code)) and resident_id_check_character(code[:17]) == code[17]


def looks_like_uscc_without_check_character(code: str) -> bool:
    """17 characters shaped like a USCC's first 17: authority and type, a region, a verified organization code.

    A real 17-digit legacy ID passes this only by chance (about one in twenty); the user is asked to check it.
    """
    return (
        len(code) == 17
        and code[0] in USCC_AUTHORITIES
        and code[1] in USCC_ORGANIZATION_TYPES
        and code[2:8].isdigit()
        and code[2:8].isascii()
        and is_valid_organization_code(code[8:])
    )


def _taxpayer_id_error(message, field: str) -> ApplicationError:
    return ApplicationError("invalid_taxpayer_id", message, {field: [message]})


def check_taxpayer_id(raw: str, *, field: str = "taxpayer_id") -> tuple[str, bool]:
    """Return (normalized ID, verified) or raise ApplicationError with a message saying what is wrong.

    18 characters: a USCC with its check character (verified). Legacy IDs are accepted unverified, in their real
    shapes only (DOMAIN.md, Validation): 15 = region code + GB 11714 organization code with a valid check
    character; 20 = resident ID number (ISO 7064 check) + 2 digits; 17 = digits, unless it is a USCC missing its
    last character, which is refused with that hint.
    """
    code = normalize_taxpayer_id(raw)
    if len(code) == 18:
        if is_valid_uscc(code):
            return code, True
        raise _taxpayer_id_error(
            _(
                "This 18-character unified social credit code is not valid: check every character "
                "(I, O, S, V and Z are never used) and the last one, which is a check character."
            ),
            field,
        )
    if len(code) == 17:
        if looks_like_uscc_without_check_character(code):
            raise _taxpayer_id_error(
                _(
                    "This looks like a unified social credit code with the last character missing: "
                    "enter all 18 characters."
                ),
                field,
            )
        if DIGITS_RE.match(code):
            return code, False
        raise _taxpayer_id_error(_("A 17-character legacy taxpayer ID has digits only."), field)
    if len(code) == 15:
        if not (DIGITS_RE.match(code[:6]) and ORGANIZATION_CODE_RE.match(code[6:])):
            raise _taxpayer_id_error(
                _(
                    "A 15-character legacy taxpayer ID is a 6-digit region code followed by a 9-character "
                    "organization code (8 digits or capital letters, then a digit or X)."
                ),
                field,
            )
        if not is_valid_organization_code(code[6:]):
            raise _taxpayer_id_error(
                _(
                    "This 15-character taxpayer ID is not valid: the organization code in it (characters 7 to 15) "
                    "does not match its last, check character. Check every character."
                ),
                field,
            )
        return code, False
    if len(code) == 20:
        if not (is_valid_resident_id(code[:18]) and DIGITS_RE.match(code[18:])):
            raise _taxpayer_id_error(
                _(
                    "A 20-character legacy taxpayer ID is an 18-character resident ID number followed by 2 digits; "
                    "this resident ID number is not valid. Check every digit and the 18th character (0-9 or X)."
                ),
                field,
            )
        return code, False
    raise _taxpayer_id_error(
        _("Enter the 18-character unified social credit code (or a 15, 17 or 20-character legacy taxpayer ID)."),
        field,
    )


def normalize_mobile(raw: str) -> str:
    value = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", raw or ""))
    if not MAINLAND_MOBILE_RE.match(value):
        return ""
    return value[-11:]


def check_gbk(values: dict[str, str]) -> None:
    """Invoice printers use GBK: every text must be encodable in it."""
    errors = {}
    for field, value in values.items():
        try:
            (value or "").encode("gbk")
        except UnicodeEncodeError:
            errors[field] = [_("Contains characters the invoice printer cannot print (GBK); please remove them.")]
    if errors:
        raise ApplicationError("invalid_characters", next(iter(errors.values()))[0], errors)


# C0 controls, DEL and C1 controls: invisible, they break CSV files, printers and terminals (NUL breaks PostgreSQL).
# Also the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): invisible, they make
# text display in another order than it is stored ("Trojan Source"), e.g. a subject or file name that reads reversed.
CONTROL_CHARACTERS_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Multi-line text (reasons) may keep its line breaks and tabs; nothing else.
MULTILINE_CONTROL_CHARACTERS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def check_no_control_characters(values: dict[str, str], *, multiline: frozenset[str] | set[str] = frozenset()) -> None:
    """Refuse control characters (U+0000-U+001F, U+007F-U+009F) and bidi overrides (U+202A-U+202E, U+2066-U+2069)
    field by field.

    Fields named in `multiline` may keep line breaks (\\n, \\r) and tabs; NUL and the rest are refused everywhere.
    """
    errors = {}
    for field, value in values.items():
        pattern = MULTILINE_CONTROL_CHARACTERS_RE if field in multiline else CONTROL_CHARACTERS_RE
        if pattern.search(value or ""):
            errors[field] = [
                _(
                    "Contains invisible control characters (for example a tab or line break copied with the text); "
                    "please retype it."
                )
                if field not in multiline
                else _("Contains invisible control characters; please retype it.")
            ]
    if errors:
        raise ApplicationError("invalid_characters", next(iter(errors.values()))[0], errors)


# Customer-facing phone numbers of a vendor: a mainland mobile, a landline with its area code (0571-88886666,
# (010)62668899) or a 400/800 service number, each with an optional extension (-123, 转123, ext 123).
_EXTENSION = r"(?:(?:-|转|ext\.?|x)[0-9]{1,6})?"
CONTACT_PHONE_RES = (
    re.compile(r"^(?:\+?86-?)?1[3-9][0-9]-?[0-9]{4}-?[0-9]{4}" + _EXTENSION + r"\Z"),
    re.compile(r"^(?:\+?86-?)?(?:0[0-9]{2,3}-?|\(0[0-9]{2,3}\)-?)[2-9][0-9]{2,3}-?[0-9]{4}" + _EXTENSION + r"\Z"),
    re.compile(r"^[48]00-?[0-9]{3}-?[0-9]{4}" + _EXTENSION + r"\Z"),
)


def normalize_contact_phone(raw: str) -> str:
    """The phone as people write it (spaces tidied, full-width digits made ASCII), or "" if it has no real shape."""
    value = unicodedata.normalize("NFKC", raw or "").strip()
    compact = re.sub(r"\s+", "", value).lower()
    if CONTROL_CHARACTERS_RE.search(raw or "") or not any(pattern.match(compact) for pattern in CONTACT_PHONE_RES):
        return ""
    return re.sub(r"\s+", " ", value)


# Primary keys are BigAutoField: positive and at most 2**63 - 1 in PostgreSQL.
ID_MAX = 2**63 - 1


def parse_id(raw) -> int | None:
    """An object id from a URL, form or JSON body, or None: ASCII digits (or an int), 1 .. ID_MAX.

    None means "no such object" to the caller (a 404 or a field error), never a 500 from an out-of-range query.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and 0 < len(raw) <= 19 and raw.isascii() and raw.isdigit():
        value = int(raw)
    else:
        return None
    return value if 1 <= value <= ID_MAX else None


def checked_text(value: str, *, field: str, limit: int, required_message: str = "") -> str:
    """A reason, note or message typed by a person: no control characters (line breaks allowed), stripped, at most
    `limit` characters, and required when `required_message` says what to write. Every service's texts use it."""
    check_no_control_characters({field: value or ""}, multiline={field})
    value = (value or "").strip()
    if not value and required_message:
        raise ApplicationError(f"{field}_required", required_message, {field: [required_message]})
    if len(value) > limit:
        message = _("At most %(limit)d characters.") % {"limit": limit}
        raise ApplicationError(f"invalid_{field}", message, {field: [message]})
    return value
