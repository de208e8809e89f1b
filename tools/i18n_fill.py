"""Refresh the Chinese catalogue and fill it from translations/*.json.

Usage: .venv/bin/python tools/i18n_fill.py   (prints the msgids still untranslated)
Keys are English msgids; "context::msgid" for pgettext entries.
"""

import json
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "src" / "salesdesk"
PO = APP / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def main() -> int:
    subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "django-admin"),
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--no-obsolete",
            "-v",
            "0",
        ],
        cwd=APP,
        check=True,
    )
    table: dict[str, str] = {}
    for path in sorted((ROOT / "translations").glob("*.json")):
        table.update(json.loads(path.read_text(encoding="utf-8")))
    po = polib.pofile(str(PO))
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.metadata["Language"] = "zh_Hans"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    missing = []
    for entry in po:
        key = f"{entry.msgctxt}::{entry.msgid}" if entry.msgctxt else entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
            entry.msgstr_plural = {k: "" for k in entry.msgstr_plural} if entry.msgid_plural else {}
        done = entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr
        if done and not (key in table and table[key] != done):
            continue
        if key not in table:
            missing.append(key)
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: table[key]}
        else:
            entry.msgstr = table[key]
    po.save(str(PO))
    for key in missing:
        print(f"untranslated: {key!r}")
    print(f"{len(po)} entries, {len(missing)} untranslated", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
