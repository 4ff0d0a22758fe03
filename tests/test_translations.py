"""The Chinese catalogue is complete: every msgid has a translation the .mo will carry.

gettext leaves out fuzzy entries when compiling, so a fuzzy entry shows English (or an
outdated text) in the UI even though the .po seems to translate it.
"""

import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries():
    """(msgid, msgstr, flags) of every entry after the header."""
    text = PO.read_text(encoding="utf-8")
    for block in re.split(r"\n\s*\n", text)[1:]:
        if block.lstrip().startswith("#~"):
            continue  # obsolete
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        strings = re.findall(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) ((?:".*"\n?)+)',
                             block + "\n", flags=re.M)
        joined = {key: "".join(re.findall(r'"(.*)"', value)) for key, value in strings}
        msgstr = joined.get("msgstr", joined.get("msgstr[0]", ""))
        yield joined.get("msgid", ""), msgstr, flags


def test_no_entry_is_fuzzy_or_untranslated():
    found = list(entries())
    assert len(found) > 1000
    fuzzy = [msgid for msgid, _msgstr, flags in found if "fuzzy" in flags]
    empty = [msgid for msgid, msgstr, _flags in found if msgid and not msgstr]
    assert fuzzy == [], f"fuzzy (left out of the .mo): {fuzzy}"
    assert empty == [], f"untranslated: {empty}"
