"""The Chinese catalog is complete, compiled and served by default.

Chinese (zh-Hans) is the default interface language, so an untranslated msgid shows English to every user who has
not switched. These tests read the committed `django.po` with a tiny parser (no polib dependency), check that the
committed `.mo` says exactly the same, and that the console really answers in Chinese unless English is asked for.
Whether makemessages would find new msgids in the code is checked by `make messages-check`, not here, because
makemessages rewrites the catalog.
"""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"

# %(name)s, %(count)d, %s, %d, %% and {name} / {0} placeholders.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifrx]|%[-#0 +]*\d*(?:\.\d+)?[sdifrx]|%%|\{[A-Za-z_0-9]*\}")
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(text: str) -> list[dict]:
    """Entries as dicts: msgctxt, msgid, msgid_plural, msgstr ({None: str} or {0: str, ...}), flags. No obsolete."""
    entries: list[dict] = []
    current: dict | None = None
    target: tuple[str, int | None] | None = None
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if current is not None and "msgid" in current and not current["obsolete"]:
                entries.append(current)
            current, target = None, None
            continue
        if current is None:
            current = {"flags": set(), "msgstr": {}, "obsolete": False}
        if line.startswith("#~"):
            current["obsolete"] = True
        elif line.startswith("#,"):
            current["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line):
            keyword, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            if keyword == "msgstr":
                target = ("msgstr", int(index) if index is not None else None)
                current["msgstr"][target[1]] = value
            else:
                target = (keyword, None)
                current[keyword] = value
        elif line.startswith('"'):
            if target[0] == "msgstr":
                current["msgstr"][target[1]] += _unquote(line)
            else:
                current[target[0]] += _unquote(line)
        else:
            raise AssertionError(f"Unexpected line in {PO_PATH.name}: {line!r}")
    return entries


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def entries() -> list[dict]:
    return [entry for entry in parse_po(PO_PATH.read_text(encoding="utf-8")) if entry["msgid"] != ""]


def _label(entry: dict) -> str:
    return repr(entry["msgid"])


def test_catalog_has_every_entry_translated_and_none_fuzzy(entries):
    # Given the committed Chinese catalog
    assert len(entries) > 100, "the catalog looks truncated"

    # Then no entry is fuzzy (gettext would ignore it) and none is left empty (it would show English)
    fuzzy = [_label(entry) for entry in entries if "fuzzy" in entry["flags"]]
    empty = [_label(entry) for entry in entries if any(not value.strip() for value in entry["msgstr"].values())]
    assert fuzzy == [], f"fuzzy entries: {fuzzy}"
    assert empty == [], f"untranslated entries: {empty}"


def test_header_declares_one_plural_form_and_plural_entries_use_it(entries):
    # Given the header (the entry with an empty msgid)
    header = next(entry for entry in parse_po(PO_PATH.read_text(encoding="utf-8")) if entry["msgid"] == "")

    # Then Chinese has one plural form, and plural entries fill exactly msgstr[0]
    assert "fuzzy" not in header["flags"]
    assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"][None]
    assert "charset=UTF-8" in header["msgstr"][None]
    for entry in entries:
        if "msgid_plural" in entry:
            assert set(entry["msgstr"]) == {0}, _label(entry)
        else:
            assert set(entry["msgstr"]) == {None}, _label(entry)


def test_every_translation_keeps_the_placeholders_of_its_msgid(entries):
    # Given every entry; a lost or renamed %(name)s raises KeyError or shows the wrong value at run time
    wrong = []
    for entry in entries:
        expected = placeholders(entry.get("msgid_plural", entry["msgid"]))
        for value in entry["msgstr"].values():
            if placeholders(value) != expected:
                wrong.append(f"{_label(entry)}: {placeholders(value)} != {expected}")

    # Then each translation has exactly the same placeholders
    assert wrong == []


def test_translations_of_fixed_glossary_terms(entries):
    # Given the glossary the product uses (DOMAIN.md and the Chinese product doc)
    glossary = {
        "Invoice titles": "发票抬头",
        "Taxpayer ID": "纳税人识别号",
        "Invoiceable amount": "可开票金额",
        "Invoice records": "开票记录",
        "Pending": "待处理",
        "Processing": "处理中",
        "Mailing": "邮寄中",
        "Voided": "发票作废",
        "Cancelled": "已撤销",
        "Rejected": "已驳回",
        "Invoicing Console": "发票管理控制台",
        "Timeline": "处理记录",
    }
    by_msgid = {entry["msgid"]: entry["msgstr"].get(None) for entry in entries}

    # Then the catalog uses exactly those words
    assert {msgid: by_msgid.get(msgid) for msgid in glossary} == glossary


def test_compiled_catalog_says_what_the_po_says(entries):
    # Given the committed .mo, loaded the way Django loads it
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    # When every entry of the .po is looked up in it
    stale = []
    for entry in entries:
        msgid, context = entry["msgid"], entry.get("msgctxt")
        if "msgid_plural" in entry:
            got = (
                compiled.npgettext(context, msgid, entry["msgid_plural"], 2)
                if context
                else compiled.ngettext(msgid, entry["msgid_plural"], 2)
            )
            want = entry["msgstr"][0]
        else:
            got = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
            want = entry["msgstr"][None]
        if got != want:
            stale.append(_label(entry))

    # Then it has every translation, unchanged: the .mo was compiled from this .po (run `make messages`)
    assert stale == [], f"the .mo is older than the .po for: {stale}"
    assert compiled.gettext("Invoice titles") == "发票抬头"
    assert compiled.ngettext("%(counter)s item in total", "%(counter)s items in total", 5) == "共 %(counter)s 条"


@pytest.mark.django_db
def test_console_answers_in_chinese_by_default(client, consumed, vendor):
    # Given a logged-in customer with ¥1000.00 consumed with a vendor, whose browser states no language
    client.force_login(consumed)

    # When the customer opens the console
    response = client.get("/console/", follow=True)

    # Then the page is Chinese: the frame, the table headers, and the formula computed in Python
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-hans"' in html
    assert "发票管理控制台" in html
    assert "可开票金额" in html
    assert "开票记录" in html
    assert "已消耗 ¥1,000.00" in html
    assert "Invoiceable amounts" not in html


@pytest.mark.django_db
def test_console_answers_in_english_when_the_browser_asks_for_it(client, consumed, vendor):
    # Given the same customer, with a browser that prefers English
    client.force_login(consumed)

    # When the customer opens the console
    response = client.get("/console/", follow=True, HTTP_ACCEPT_LANGUAGE="en")

    # Then the page is English
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="en"' in html
    assert "Invoiceable amounts" in html
    assert "consumed ¥1,000.00" in html
    assert "可开票金额" not in html
