"""Reading an existing report (.docx) back as texts grouped under its headings."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from evaltool.core import limits
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

    path = Path(path)
    if not path.exists():
        raise InputError(f"找不到报告文件：{path}")
    if path.is_dir():
        raise InputError(f"{path.name} 是文件夹，请给出 Word 报告文件（.docx）。")
    if path.suffix.lower() == ".doc":
        raise InputError(f"{path.name} 是旧版 Word 格式（.doc）。请在 Word/WPS 中另存为 .docx 后再检查。")
    _preflight(path)
    try:
        doc = Document(str(path))
    except MemoryError:
        raise InputError(f"{path.name} 太大，内存不足，无法读取。") from None
    except Exception:  # noqa: BLE001 - python-docx raises many types for broken files
        raise InputError(f"{path.name} 不是有效的 Word 文档（.docx）。请确认文件未损坏，或在 Word/WPS 中另存为 .docx。") from None
    texts: dict[str, str] = {}
    locations: dict[str, Location] = {}
    current = "标题及导语"
    level1 = ""
    chars, max_chars = 0, limits.get("DOCX_CHARS")
    for n, para in enumerate(doc.paragraphs, start=1):
        text = para.text.strip()
        chars += len(text)
        if chars > max_chars:
            raise InputError(f"{path.name} 的文字超过{limits.describe('DOCX_CHARS')}，不像一份绩效评价报告，没有检查。"
                             "请确认选的是报告文件。")
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


def _preflight(path: Path) -> None:
    """The reading policy for a .docx: bounded in size, paragraphs and unpacked bytes; a document
    part declaring XML entities (DTD) is refused, as for workbooks (entities are never expanded)."""
    from evaltool.workbook.container import declares_dtd

    name = path.name
    bad = f"{name} 不是有效的 Word 文档（.docx）。请确认文件未损坏，或在 Word/WPS 中另存为 .docx。"
    size = path.stat().st_size
    if size > limits.get("DOCX_MB") * 1024 * 1024:
        raise InputError(f"{name} 有 {size // 1024 // 1024} MB，超过了{limits.describe('DOCX_MB')}。请确认选的是报告文件。")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = {i.filename: i for i in zf.infolist()}
            if sum(i.file_size for i in infos.values()) > limits.unpacked_bytes():
                raise InputError(f"{name} 解压后超过{limits.describe('UNPACKED_MB')}，不像一份报告，没有检查。")
            main = infos.get("word/document.xml")
            if main is None:
                raise InputError(bad)
            if main.file_size > limits.part_bytes():
                raise InputError(f"{name} 的正文解压后超过{limits.describe('PART_MB')}，不像一份报告，没有检查。")
            body = zf.read(main)
    except InputError:
        raise
    except Exception:  # noqa: BLE001 - not a zip, truncated, unsupported compression…
        raise InputError(bad) from None
    if declares_dtd(body):
        raise InputError(f"{name} 的正文含有 XML 实体声明（DTD）。Word 不会写出这种内容，出于安全考虑 evaltool 不读取它。"
                         "请在 Word 或 WPS 中打开并另存为 .docx 后再试。")
    paragraphs = body.count(b"<w:p>") + body.count(b"<w:p ")
    if paragraphs > limits.get("DOCX_PARAGRAPHS"):
        raise InputError(f"{name} 有 {paragraphs} 个段落，超过{limits.describe('DOCX_PARAGRAPHS')}，不像一份绩效评价报告，"
                         "没有检查。请确认选的是报告文件。")
