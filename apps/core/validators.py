"""Validators for Chinese invoicing data (see DOMAIN.md, Validation)."""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

from .errors import ApplicationError

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # w_i = 3^(i-1) mod 31, i = 1..17
LEGACY_TAXPAYER_ID_LENGTHS = {15, 17, 20}
# ASCII only and anchored with \Z: a plain `\d` would accept full-width or Arabic-Indic digits, `$` a trailing newline.
LEGACY_TAXPAYER_ID_RE = re.compile(r"^[0-9A-Z]+\Z")
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


def check_taxpayer_id(raw: str, *, field: str = "taxpayer_id") -> tuple[str, bool]:
    """Return (normalized ID, verified). 18 characters must pass the check; 15/17/20 are legacy, unverified."""
    code = normalize_taxpayer_id(raw)
    if len(code) == 18:
        if is_valid_uscc(code):
            return code, True
        message = _(
            "This 18-character unified social credit code is not valid: check every character "
            "(I, O, S, V and Z are never used) and the last one, which is a check character."
        )
        raise ApplicationError("invalid_taxpayer_id", message, {field: [message]})
    if len(code) in LEGACY_TAXPAYER_ID_LENGTHS and LEGACY_TAXPAYER_ID_RE.match(code):
        return code, False
    message = _("Enter the 18-character unified social credit code (or a 15, 17 or 20-character legacy taxpayer ID).")
    raise ApplicationError("invalid_taxpayer_id", message, {field: [message]})


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
