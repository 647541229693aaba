"""The finding catalogue (evaltool/core/findings.py) is complete and the README's table is generated
from it: every code written in the source is listed once, with the severity the source gives it."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from evaltool.core.findings import CATALOGUE, markdown_table

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r'"([EWI]-[A-Z0-9]+(?:-[A-Z0-9]+)*)"(\s*,\s*"(error|warning|info)")?')
# Codes built from a prefix in the reader: UNREADABLE_PREFIX + "INDICATORS" etc.
UNREAD = re.compile(r'_unread\(p, "([A-Z]+)"|code, why = \("([A-Z]+)", .*?\) if .*? else \("([A-Z]+)"')


def source_codes() -> dict[str, set[str]]:
    """code -> severities written next to it in evaltool/ ("" when the severity is not a literal)."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / "evaltool").rglob("*.py"):
        text = path.read_text("utf-8")
        for m in CODE.finditer(text):
            found.setdefault(m.group(1), set()).add(m.group(3) or "")
        for m in UNREAD.finditer(text):
            for name in filter(None, m.groups()):
                found.setdefault(f"E-UNREAD-{name}", set()).add("error")
    return found


def test_every_code_in_the_source_is_catalogued_with_its_severity():
    found = source_codes()
    assert len(found) > 80  # the scan reads the source (a check of the check)
    assert sorted(set(found) - set(CATALOGUE)) == []
    wrong = {c: s for c, s in found.items() if s - {"", CATALOGUE[c].severity}}
    assert wrong == {}


def test_every_catalogued_code_is_used():
    assert sorted(set(CATALOGUE) - set(source_codes())) == []


def test_summaries_are_chinese_one_liners():
    for c in CATALOGUE.values():
        assert re.search(r"[\u4e00-\u9fff]", c.summary) and "\n" not in c.summary and len(c.summary) <= 40, c


def test_readme_table_is_generated_from_the_catalogue():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert markdown_table() in readme
    rows = re.findall(r"^\| `([EWI]-[A-Z0-9-]+)` \|", readme, re.M)
    assert rows == list(CATALOGUE)
    assert subprocess.run([sys.executable, str(ROOT / "tools" / "gen_codes.py"), "--check"]).returncode == 0
