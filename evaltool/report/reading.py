"""Reading an existing report (.docx) back as texts grouped under its headings."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from evaltool.core.errors import InputError
from evaltool.core.model import Location

HEADING_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|附表|附件)")
APPENDIX_RE = re.compile(r"^\s*(?:附表|附件)")


def read_report_texts(path: str | Path) -> tuple[dict[str, str], dict[str, Location]]:
    """{section heading and paragraph number: text} of a Word report; tables (the attached form) are skipped.

    Paragraphs before the first heading go under "标题及导语"; everything after a 附表/附件 heading
    is the form itself and is not read as narrative.
    """
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    path = Path(path)
    if not path.exists():
        raise InputError(f"找不到报告文件：{path}")
    if path.suffix.lower() == ".doc":
        raise InputError(f"{path.name} 是旧版 Word 格式（.doc）。请在 Word/WPS 中另存为 .docx 后再检查。")
    try:
        doc = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise InputError(f"{path.name} 不是有效的 Word 文档（.docx）。请确认文件未损坏，或在 Word/WPS 中另存为 .docx。") from None
    texts: dict[str, str] = {}
    locations: dict[str, Location] = {}
    current = "标题及导语"
    level1 = ""
    for n, para in enumerate(doc.paragraphs, start=1):
        text = para.text.strip()
        if not text:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        is_heading = style.lower().startswith("heading") or bool(HEADING_RE.match(text)) and len(text) <= 40
        if is_heading:
            if APPENDIX_RE.match(text):
                break
            if re.match(r"^\s*[一二三四五六七八九十]+、", text) or style.lower() == "heading 1":
                level1 = current = text
            elif re.match(r"^\s*[（(][一二三四五六七八九十]+[）)]", text):
                current = f"{level1} {text}".strip()
        # One entry per paragraph, named by its section, so a finding points at the paragraph.
        key = f"{current}（第 {n} 段）"
        texts[key] = text
        locations[key] = Location(path=f"报告第 {n} 段")
    return texts, locations
