"""Writes test/fixtures/python-casefold.json: what Python's str.casefold()
does to every code point it changes, the oracle test/casefold.test.ts checks
src/validation/casefold.ts against.

    python3 scripts/casefold-python-fixture.py
"""
import json
import platform
import unicodedata
from pathlib import Path

folds = {}
for cp in range(0x110000):
    if 0xD800 <= cp <= 0xDFFF:
        continue
    folded = chr(cp).casefold()
    if folded != chr(cp):
        folds[f"{cp:X}"] = " ".join(f"{ord(c):X}" for c in folded)

fixture = {
    "python": platform.python_version(),
    "unicode": unicodedata.unidata_version,
    "casefold": folds,
}
out = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "python-casefold.json"
out.write_text(json.dumps(fixture, indent=2, ensure_ascii=True) + "\n")
print(f"wrote {out}: {len(folds)} code points (Python {fixture['python']}, Unicode {fixture['unicode']})")
