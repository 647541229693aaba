"""`evaltool publish` end to end: every form file found → read and evaluated through the service layer →
refused while it has unresolved 错误 (unless allowed) → a clean .xlsx copy → PDFs (one LibreOffice run)
→ the draft 预算绩效情况说明 (Markdown and Word), its numbers checked against the forms.

The inputs are only read. Each output is written atomically; an existing public copy is replaced
(it is made from the forms again), an existing draft never is (the clerk edits the draft: a new one is
saved as “…（2）”), and a file of the same name that evaltool did not write is left alone.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from evaltool.core.errors import InputError
from evaltool.core.model import Finding
from evaltool.publish.clean import Cleaned, clean_copy, is_public_copy, unmarked
from evaltool.publish.draft import TEXT_CODES, TITLE, Row, check_draft, draft_markdown, row_of

SUFFIX = "-公开"
DRAFT_STEM = f"{TITLE}（草稿）"
CASE_SUFFIXES = (".yaml", ".yml")
SHOWN_ERRORS = 3
PDF_KEPT = ("公开版 .xlsx 已生成；请安装 LibreOffice（https://zh-cn.libreoffice.org），或用 Excel/WPS 打开公开版后“另存为 PDF”。",
            "公开版 .xlsx 已生成。", "公开版 .xlsx 已生成，可用 Excel/WPS 打开后另存为 PDF。")


@dataclass
class Outcome:
    """One input file: what was published from it, or why not."""

    file: str  # as shown (relative to the folder given)
    path: Path
    rows: list[Row] = field(default_factory=list)
    xlsx: Path | None = None
    pdf: Path | None = None
    refused: str | None = None  # Chinese: why nothing was published from this file
    cleaned: Cleaned | None = None
    published_errors: int = 0  # 错误 published anyway (--allow-errors)


@dataclass
class Published:
    outcomes: list[Outcome]
    folder: Path
    drafts: list[Path] = field(default_factory=list)
    draft_findings: list[Finding] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # earlier public copies found among the inputs
    pdf_error: str | None = None

    @property
    def rows(self) -> list[Row]:
        return [r for o in self.outcomes for r in o.rows]

    @property
    def not_in_draft(self) -> list[Row]:
        """Published forms that are no evaluation (no total): not counted in the draft."""
        return [r for r in self.rows if not r.evaluated]

    @property
    def refused(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.refused]


def _inputs(paths, folder: Path | None) -> tuple[list[tuple[Path, str]], list[str]]:
    from evaltool.collect.run import find_files

    found, skipped = [], []
    inside = folder.resolve() if folder is not None and folder.exists() else None
    for path, shown in find_files(paths):
        if inside is not None and inside in path.resolve().parents:
            continue  # the outputs of an earlier run into a folder below the inputs
        if path.suffix.lower() == ".xlsx" and is_public_copy(path):
            skipped.append(shown)
            continue
        found.append((path, shown))
    return found, skipped


def blocking_errors(pairs) -> list[Finding]:
    """The 错误 that keep a form from being published: the form's own (a 报告素材 text that
    disagrees is not published, so its findings only keep that text out of the draft)."""
    return [f for _, r in pairs for f in r.errors if not f.code.startswith(TEXT_CODES)]


def _where(f: Finding) -> str:
    loc = f.location
    if loc.sheet and loc.cell:
        return f"“{loc.sheet}”{loc.cell}："
    return f"“{loc.sheet}”：" if loc.sheet else ""


def refusal(shown: str, errors: list[Finding], button: bool = False) -> str:
    """Why a form is not published; button: said to a clerk at the Excel/WPS 公开 button, who has no
    command-line flag to give."""
    # each message is a sentence of its own: "…直接填写数字。；…" read as a typo (SWEEP S54)
    listed = "；".join(f"{_where(f)}{f.message.rstrip('。')}" for f in errors[:SHOWN_ERRORS])
    more = f"等 {len(errors)} 个错误" if len(errors) > SHOWN_ERRORS else ""
    head = f"{shown} 有未改正的错误（{listed}{more}），没有公开：公开的数字必须是核对无误的。"
    if button:
        return head + "请点“校验”查看并改正，保存后再点“公开”。"
    return head + f"请用 evaltool check {Path(shown).name} 查看并改正后再公开；确需按现状公开，请加 --allow-errors。"


def evaluate_file(path: Path, shown: str, rules: str | None):
    """(projects, [(project, result)]) of one file through the service layer; InputError (Chinese)."""
    from evaltool.workbook import service

    if path.suffix.lower() in CASE_SUFFIXES:
        raise InputError(f"{shown} 是案例文件，不是表格。请先用 evaltool new --from {path.name} -o 表格.xlsx "
                         "生成工作簿，核对后再公开。")
    projects = service.load(str(path), rules)
    if not projects:
        raise InputError(f"{shown} 中没有找到可以公开的表格。")
    return projects, service.evaluate(projects)


def public_writes(pairs) -> list:
    """What the kind would write for a result without findings: computed values, evaltool's marks of an
    earlier run cleared, no new mark, no note."""
    from evaltool.core.kinds import kind_of

    out = []
    for p, r in pairs:
        out += unmarked(kind_of(p).cell_writes(p, dataclasses.replace(r, findings=[])))
    return out


PUBLIC_PURPOSE = "公开版"


def target_name(folder: Path, shown: str) -> Path:
    from evaltool.core.fileio import safe_filename

    stem = str(Path(shown).with_suffix("")).replace("\\", "/").replace("/", "-")
    return folder / f"{safe_filename(stem, '表格')}{SUFFIX}.xlsx"


def free_name(path: Path) -> Path:
    n = 1
    out = path
    while out.exists():
        n += 1
        out = path.with_name(f"{path.stem}（{n}）{path.suffix}")
    return out


def publish_file(path: Path, shown: str, folder: Path, rules: str | None, allow_errors: bool,
                 taken: set[Path], button: bool = False) -> Outcome:
    from evaltool.workbook.xlsx_engine import save_atomic

    out = Outcome(shown, path)
    try:
        projects, pairs = evaluate_file(path, shown, rules)
        errors = blocking_errors(pairs)
        if errors and not allow_errors:
            out.refused = refusal(shown, errors, button)
            return out
        target = target_name(folder, shown)
        while target in taken:
            target = target.with_name(f"{target.stem}_{len(taken)}{target.suffix}")
        from evaltool.core import provenance

        # Only an unchanged public copy evaltool wrote is regenerated (not one edited in Excel/WPS).
        if target.exists() and not (is_public_copy(target) and provenance.is_own(target, PUBLIC_PURPOSE)):
            raise InputError(f"{target} 已存在，且不是 evaltool 写出的公开版（或写出后在 Excel/WPS 中修改保存过）。为免覆盖其中的内容，没有改动它；"
                             "请用 -o 另选公开目录，或先移走该文件。")
        provenance.claim(target, PUBLIC_PURPOSE)
        wb, cleaned = clean_copy(path, projects, public_writes(pairs))
        save_atomic(wb, target)
        taken.add(target)
        out.xlsx, out.cleaned, out.published_errors = target, cleaned, len(errors)
        out.rows = [row_of(p, r, shown) for p, r in pairs if p.sheet in cleaned.kept]
    except InputError as exc:
        out.refused = str(exc)
    return out


def write_drafts(rows: list[Row], folder: Path) -> list[Path]:
    from evaltool.core.fileio import atomic_write_text
    from evaltool.report.docx_writer import build_document, save_atomic

    text = draft_markdown(rows)
    md = free_name(folder / f"{DRAFT_STEM}.md")
    atomic_write_text(md, text)
    markup = "\n".join(line for line in text.splitlines() if not line.startswith(">"))
    # the author is the department when every form names the same one (as a report names its 单位)
    departments = {str(r.project.department).strip() for r in rows if r.project.department not in (None, "")}
    author = departments.pop() if len(departments) == 1 else None
    doc = build_document(markup.replace("`", ""), title=f"{TITLE}（草稿）", author=author)
    docx = free_name(folder / f"{DRAFT_STEM}.docx")
    save_atomic(doc, docx)
    return [md, docx]


def publish(paths, folder: str | os.PathLike, rules: str | None = None, allow_errors: bool = False,
            pdf: bool = True, progress=None, button: bool = False) -> Published:
    from evaltool.core.fileio import check_target

    out_dir = Path(folder)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"-o 给出的“{out_dir}”是一个文件，不是文件夹。请给出公开目录（文件夹）的名称，例如 -o 公开。")
    files, skipped = _inputs(paths, out_dir)
    if not files:
        raise InputError("没有找到要公开的表格（.xlsx）：请给出表格文件或存放表格的文件夹。")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise InputError(f"无法创建公开目录“{out_dir}”：请检查路径和写入权限。") from None
    check_target(out_dir / f"{DRAFT_STEM}.md")  # a read-only folder: said before any work
    done = Published([], out_dir, skipped=skipped)
    taken: set[Path] = set()
    for n, (path, shown) in enumerate(files, 1):
        if progress is not None:
            progress(n, len(files), shown)
        done.outcomes.append(publish_file(path, shown, out_dir, rules, allow_errors, taken, button))
    made = [o for o in done.outcomes if o.xlsx is not None]
    if pdf and made:
        from evaltool.report.pdf import files_to_pdf

        pdfs = [o.xlsx.with_suffix(".pdf") for o in made if o.xlsx is not None]
        try:
            files_to_pdf([o.xlsx for o in made if o.xlsx is not None], pdfs, PDF_KEPT, what="公开版表格")
            for o, p in zip(made, pdfs):
                o.pdf = p
        except InputError as exc:
            done.pdf_error = str(exc)
    rows = [r for r in done.rows if r.evaluated]
    if rows:
        done.drafts = write_drafts(rows, out_dir)
        done.draft_findings = check_draft(done.drafts[0].read_text("utf-8"), rows, done.drafts[0].name)
    return done


# ---- --check: a draft as the clerk edited it, against the forms ---------------------------------------
def read_draft(path: str | os.PathLike) -> str:
    from evaltool.core import limits

    p = Path(path)
    if not p.exists():
        raise InputError(f"找不到情况说明文件：{p}")
    if p.is_dir():
        raise InputError(f"{p.name} 是文件夹，请给出情况说明文件（.md 或 .docx）。")
    if p.stat().st_size > limits.get("DOCX_MB") * 1024 * 1024:
        raise InputError(f"{p.name} 超过{limits.describe('DOCX_MB')}，不像一份情况说明，没有检查。")
    suffix = p.suffix.lower()
    if suffix == ".docx":
        try:
            from docx import Document

            return "\n".join(para.text for para in Document(str(p)).paragraphs)
        except Exception:  # noqa: BLE001 - python-docx raises many types for broken files
            raise InputError(f"{p.name} 不是有效的 Word 文档（.docx）。请确认文件未损坏，或在 Word/WPS 中另存为 .docx。") from None
    if suffix in (".md", ".txt"):
        try:
            return p.read_text("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(f"{p.name} 不是 UTF-8 编码的文本。请另存为 UTF-8，或给出 .docx 文件。") from None
    raise InputError(f"{p.name} 不是情况说明（应为 .md、.txt 或 .docx 文件）。")


def check_file(draft: str | os.PathLike, paths, rules: str | None = None,
               allow_errors: bool = False) -> tuple[list[Finding], list[Outcome]]:
    """The draft's numbers against the forms that would be published (nothing is written)."""
    text = read_draft(draft)
    files, _ = _inputs(paths, None)
    if not files:
        raise InputError("没有找到用来核对的表格（.xlsx）：请给出表格文件或存放表格的文件夹。")
    outcomes: list[Outcome] = []
    for path, shown in files:
        o = Outcome(shown, path)
        try:
            _, pairs = evaluate_file(path, shown, rules)
            errors = blocking_errors(pairs)
            if errors and not allow_errors:
                o.refused = refusal(shown, errors)
            else:
                o.rows = [row_of(p, r, shown) for p, r in pairs]
        except InputError as exc:
            o.refused = str(exc)
        outcomes.append(o)
    rows = [r for o in outcomes for r in o.rows if r.evaluated]
    if not rows:
        raise InputError("没有可以用来核对的表格：" + "；".join(o.refused or "" for o in outcomes[:3]))
    return check_draft(text, rows, Path(draft).name), outcomes


__all__ = ["Outcome", "Published", "publish", "publish_file", "check_file", "read_draft", "blocking_errors",
           "refusal", "SUFFIX", "DRAFT_STEM"]
