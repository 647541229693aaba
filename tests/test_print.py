"""The printed 自评表 as a person sees it: scored forms rendered to PDF by LibreOffice, then read back
(text layer, word positions, page images). Nothing cut off, the indicator header on every page."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from conftest import case_files
from evaltool.cli import main
from evaltool.kinds.selfeval import layout as SL
from evaltool.workbook import layout as L
from pdfpages import column_text, flat, hidden_words, page_texts, page_words

LONG = ("完成全县政府网站集约化平台、政务新媒体监测、OA 系统运维和服务器托管，"
        "电子政务外网等级保护测评整改及视频会议系统升级改造")
REASON = "部分设备到货延迟，年底前未完成验收；下一年度提前开展采购，按月通报进度并纳入考核。"


def run(*args, ok=(0, 1)):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code in ok, (result.exit_code, result.output, result.exception)
    return result


def thirty_case(short: bool) -> dict:
    """30 indicators over all 一级/二级 groups; long texts of varied length (or short ones)."""
    groups = ([("产出指标", l2, 2.5) for l2 in ("数量指标", "质量指标", "时效指标", "成本指标") for _ in range(5)]
              + [("效益指标", "社会效益指标", 5)] * 6 + [("满意度指标", "服务对象满意度指标", 2.5)] * 4)
    rows = []
    for n, (l1, l2, w) in enumerate(groups, 1):
        name = f"指标{n}" if short else f"第{n}项：" + LONG[: 20 + (n * 17) % len(LONG)] + "。" * (n % 2)
        late = n % 4 == 0
        rows.append({"一级指标": l1, "二级指标": l2, "三级指标": name, "年度指标值": "≥100台",
                     "实际完成值": "90台" if late else "100台", "分值": w,
                     **({"偏差原因分析及改进措施": ("原因" if short else REASON * (1 + n % 3))} if late else {})})
    return {"年度": 2023, "项目名称": "三十个指标的长文字测试项目", "主管部门": "某县财政局", "实施单位": "某县信息中心",
            "项目资金": {"年度资金总额": {"全年预算数": 100, "全年执行数": 90}, "本年财政拨款": {"全年预算数": 100, "全年执行数": 90},
                     "上年结转资金": {"全年预算数": 0, "全年执行数": 0}, "其他资金": {"全年预算数": 0, "全年执行数": 0}, "分值": 10},
            "年度总体目标": {"预期目标": "保障系统稳定运行。" * 12, "实际完成情况": "系统全年稳定运行。" * 12},
            "绩效指标": rows}


def retype_long_texts(path: Path, case: dict) -> None:
    """What a clerk does: the form was made with short texts, then long ones are typed over them."""
    wb = openpyxl.load_workbook(path)
    ws = wb[L.SHEET_FORM]
    header = next(r for r in range(1, 40) if ws.cell(r, SL.FORM_IND_COLS["三级指标"]).value == "三级指标")
    for k, row in enumerate(case["绩效指标"]):
        ws.cell(header + 1 + k, SL.FORM_IND_COLS["三级指标"]).value = row["三级指标"]
        if "偏差原因分析及改进措施" in row:
            ws.cell(header + 1 + k, SL.FORM_IND_COLS["偏差原因分析及改进措施"]).value = row["偏差原因分析及改进措施"]
    wb.save(path)


def form_pages(texts: list[str]) -> list[int]:
    end = next(i for i, t in enumerate(texts) if L.L_SUBTOTALS in flat(t))
    return list(range(end + 1))


def assert_prints_whole(pdf: Path, case: dict, folder: Path) -> list[int]:
    texts = page_texts(pdf)
    pages = form_pages(texts)
    words = page_words(pdf)
    # Each column read on its own (beside cells interleave in the page's text order).
    for key in ("三级指标", "偏差原因分析及改进措施"):
        shown = flat("".join(column_text(pdf, i + 1, words[i], key, folder) for i in pages))
        for row in case["绩效指标"]:
            if row.get(key):
                assert flat(str(row[key])) in shown, (pdf.name, key, row[key])
    for i in pages:
        assert hidden_words(pdf, i + 1, words[i], folder) == [], (pdf.name, f"page {i + 1}")
        if i:  # the indicator header row repeats on every later page
            assert "一级指标" in flat(texts[i]) and "偏差原因分析及改进措施" in flat(texts[i]), (pdf.name, i + 1)
    # The print area ends at the form's last row: the page after it is another sheet, not empty rows.
    if len(texts) > pages[-1] + 1:
        assert "一级指标" not in flat(texts[pages[-1] + 1])
    return pages


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, soffice):
    """Every seed 自评表 made by `new --from`, plus the 30-indicator form retyped and scored, as PDFs."""
    tmp = tmp_path_factory.mktemp("print")
    books, cases = [], {}
    for case_file in case_files("自评表"):
        out = tmp / f"{case_file.stem}.xlsx"
        run("new", "--from", case_file, "-o", out)
        books.append(out)
        cases[out.stem] = yaml.safe_load(case_file.read_text("utf-8"))
    long_case = thirty_case(short=False)
    short_file = tmp / "thirty-short.yaml"
    short_file.write_text(yaml.safe_dump(thirty_case(short=True), allow_unicode=True), "utf-8")
    thirty = tmp / "thirty.xlsx"
    run("new", "--from", short_file, "-o", thirty)
    retype_long_texts(thirty, long_case)
    run("score", thirty)
    books.append(thirty)
    cases["thirty"] = long_case
    pdfs = soffice(books, "pdf", tmp / "pdf")
    return {pdf.stem: (pdf, cases[pdf.stem], book) for pdf, book in zip(pdfs, books)}


def test_seed_forms_print_whole(rendered, tmp_path):
    seeds = [k for k in rendered if k.startswith("seed")]
    assert len(seeds) >= 4
    for key in seeds:
        pdf, case, _ = rendered[key]
        assert_prints_whole(pdf, case, tmp_path)


def test_thirty_long_indicators_retyped_then_scored_print_whole(rendered, tmp_path):
    pdf, case, book = rendered["thirty"]
    pages = assert_prints_whole(pdf, case, tmp_path)
    assert len(pages) >= 3  # long enough to test the header on later pages
    # Page breaks fall between 一级 blocks wherever a block fits on a page.
    ws = openpyxl.load_workbook(book)[L.SHEET_FORM]
    breaks = [b.id + 1 for b in ws.row_breaks.brk]
    assert breaks
    col = SL.FORM_IND_COLS["一级指标"]
    blocks = [(m.min_row, m.max_row) for m in ws.merged_cells.ranges if m.min_col == col == m.max_col]
    heights = {r: ws.row_dimensions[r].height or 15 for r in range(1, ws.max_row + 1)}
    page_pt = 490  # A4 landscape less the margins, at 100 %
    starts = [1] + breaks
    for start, b in zip(starts, breaks):
        inside = [(r1, r2) for r1, r2 in blocks if r1 < b <= r2]
        for r1, r2 in inside:
            # Splitting is allowed only where keeping the block whole would leave the page under 70 % full.
            if sum(heights[r] for r in range(r1, r2 + 1)) < page_pt * 0.9:
                assert sum(heights[r] for r in range(start, r1)) < page_pt * 0.7, ((r1, r2), breaks)


def test_summary_prints_legibly(tmp_path, soffice):
    """The 汇总 sheet: one page wide would shrink its 19 columns unreadably small; it prints at a
    legible scale instead, with the header row and the first column repeated on every page."""
    folder = tmp_path / "in"
    folder.mkdir()
    for case_file in case_files("自评表"):
        run("new", "--from", case_file, "-o", folder / f"{case_file.stem}.xlsx")
    out = tmp_path / "汇总.xlsx"
    run("collect", folder, "-o", out, "-q")
    ws = openpyxl.load_workbook(out)["汇总"]
    fit = ws.sheet_properties.pageSetUpPr.fitToPage
    assert not fit and ws.page_setup.scale >= 70
    assert ws.print_title_rows == "$1:$1"
    pdf, = soffice([out], "pdf", tmp_path / "pdf")
    texts = [flat(t) for t in page_texts(pdf)]
    heads = [i for i, t in enumerate(texts) if "主管部门" in t and "项目" in t]
    assert len(heads) >= 2  # the table runs over pages, each starting with its header row
