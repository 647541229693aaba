"""Generate N realistic filled 自评表 workbooks (plus a few broken files) for the collect benchmark.

Each workbook starts from one of the shared 自评表 cases (tests/cases) and is varied: project,
department and unit names, budget and spending, 执行率, indicator row counts (rows split or
merged so weights still add up), qualitative grades, quantitative results; a few carry typing
mistakes (findings) and text that starts like a formula. Files go into one folder per 主管部门.

    python benchmarks/gen_workbooks.py -n 1000 -o /tmp/evaltool-bench/wb1000
    python benchmarks/gen_workbooks.py -n 10000 --small -o /tmp/evaltool-bench/small10000

Output is reused when the same parameters were generated before (a stamp file records them).
Keep generated data out of git: the default location is under /tmp.
"""
from __future__ import annotations

import argparse
import copy
import io
import json
import os
import random
import sys
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CASES = ROOT / "tests" / "cases"
STAMP = ".generated.json"

PLACES = ["霍邱县", "八公山区", "宜春市", "六安市裕安区", "寿县", "金寨县", "舒城县", "叶集区", "霍山县", "袁州区",
          "万载县", "上高县", "宜丰县", "靖安县", "铜鼓县", "丰城市", "樟树市", "高安市", "奉新县", "田家庵区"]
OFFICES = ["人民政府办公室", "财政局", "教育局", "卫生健康委员会", "数据资源管理局", "农业农村局", "交通运输局",
           "住房和城乡建设局", "民政局", "水利局", "自然资源局", "生态环境局", "文化旅游局", "市场监督管理局"]
SUBUNITS = ["机关", "信息中心", "服务中心", "综合执法大队", "事务中心", "监测站", "管理所"]
PROJECTS = ["电子政务专项经费", "政务网站安全运维", "信息系统运维", "智慧办公平台建设", "业务运转经费", "数据中心租赁",
            "视频会议系统升级", "网络安全等级保护测评", "政务新媒体监测服务", "档案数字化", "农村公路养护",
            "学校设备购置", "公共卫生服务补助", "河道保洁", "城市照明维护", "便民服务热线运营"]
FORMULA_LIKE = ['=HYPERLINK("http://example.invalid/?q="&A1,"点击查看")', "+86 0564-1234567 联系人", "-（见附件）",
                "@各单位 按时报送", "=1+1"]
BAD_VALUES = ["约九成", "基本上都完成了吧", "见附件", "1,0.5"]
DEVIATIONS = ["无偏差。", "受疫情影响部分工作延后，已在次年一季度完成。", "个别指标设置偏保守，下年度将据实调整。",
              "资金拨付滞后导致进度偏慢，今后将加强预算执行监控。"]
GRADE_WORDS = [("达成预期指标", 85), ("部分达成预期指标并具有一定效果", 12), ("未达成预期指标且效果较差", 3)]


def load_bases():
    from evaltool.core.caseio import load_case

    bases = []
    for p in sorted(CASES.glob("*.yaml")):
        project = load_case(p)
        if project.kind == "自评表":
            bases.append(project)
    return bases


def _money(x: float) -> float:
    return float(Decimal(str(x)).quantize(Decimal("0.01")))


def _grade_word(rng: random.Random) -> str:
    words, weights = zip(*GRADE_WORDS)
    return rng.choices(words, weights)[0]


def vary_project(base, i: int, rng: random.Random, small: bool):
    from evaltool.core.model import FundRow, Indicator

    p = copy.deepcopy(base)
    place, office = rng.choice(PLACES), rng.choice(OFFICES)
    code = f"{(PLACES.index(place) * 20 + OFFICES.index(office)) % 1000:03d}"
    p.department = f"{code}-{place}{office}"
    p.unit = f"{code}{rng.randint(1, 12):03d}-{place}{office}{rng.choice(SUBUNITS)}"
    p.name = f"{rng.choice(PROJECTS)}（{i:05d}）"
    p.expected = None
    budget = _money(rng.uniform(3, 3000) if rng.random() < 0.9 else rng.uniform(3000, 50000))
    r = rng.random()
    rate = rng.uniform(0.9, 1.0) if r < 0.7 else rng.uniform(0.3, 0.9) if r < 0.95 else rng.uniform(1.0, 1.1)
    actual = _money(budget * rate)
    carry = _money(budget * rng.choice([0, 0, 0, 0.1, 0.25]))
    carry_actual = _money(min(carry, actual))
    p.funds = {
        "年度资金总额": FundRow("年度资金总额", budget, budget, actual),
        "本年财政拨款": FundRow("本年财政拨款", _money(budget - carry), _money(budget - carry),
                               _money(actual - carry_actual)),
        "上年结转资金": FundRow("上年结转资金", carry, carry, carry_actual),
        "其他资金": FundRow("其他资金", 0, 0, 0),
    }
    indicators = []
    if small:
        # One row per 一级指标 carrying its whole weight: the smallest complete form.
        by_level1: dict = {}
        for ind in p.indicators:
            by_level1.setdefault(str(ind.level1), []).append(ind)
        for level1, inds in by_level1.items():
            weight = sum(Decimal(str(ind.weight)) for ind in inds)
            first = inds[0]
            indicators.append(Indicator(level1=level1, level2=first.level2, level3=first.level3,
                                        target="持续推动", actual=_grade_word(rng), weight=float(weight)))
    else:
        for ind in p.indicators:
            ind = copy.deepcopy(ind)
            ind.entered_score = None  # clerks' own scores would mostly disagree after variation
            if isinstance(ind.actual, str) and any(ind.actual == w for w, _ in GRADE_WORDS):
                ind.actual = _grade_word(rng)
            elif isinstance(ind.actual, (int, float)) or (isinstance(ind.actual, str) and ind.actual.isdigit()):
                ind.actual = max(0, round(float(ind.actual) * rng.uniform(0.8, 1.2)))
            if rng.random() < 0.3 and ind.weight:  # split one row into two: more rows, same weight
                half = float(Decimal(str(ind.weight)) / 2)
                twin = copy.deepcopy(ind)
                twin.level3 = f"{ind.level3}（续）"
                ind.weight = twin.weight = half
                indicators.extend([ind, twin])
            else:
                indicators.append(ind)
    for ind in indicators:
        # Most clerks explain a shortfall; a few forget (a realistic share of E-DEVIATION findings).
        if rng.random() < 0.95:
            ind.deviation = rng.choice(DEVIATIONS)
    p.indicators = indicators
    if rng.random() < 0.03:
        rng.choice(indicators).actual = rng.choice(BAD_VALUES)
    if rng.random() < 0.01:
        rng.choice(indicators).level3 = rng.choice(FORMULA_LIKE)
    return p


def _one(args) -> str:
    out, i, seed, small = args
    from evaltool.kinds.selfeval.template import build_workbook

    rng = random.Random(seed * 1_000_003 + i)
    bases = _BASES or load_bases()
    base = bases[i % len(bases)]
    project = vary_project(base, i, rng, small)
    folder = Path(out) / str(project.department)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{i:05d}-{project.unit.split('-', 1)[1]}.xlsx"
    build_workbook(project).save(path)
    return str(path)


_BASES: list = []


def _init() -> None:
    _BASES.extend(load_bases())


# ---- broken files -----------------------------------------------------------------------------
def good_bytes(case: Path | None = None) -> bytes:
    from evaltool.core.caseio import load_case
    from evaltool.kinds.selfeval.template import build_workbook

    case = case or sorted(CASES.glob("seed002-电子政务*.yaml"))[0]
    buf = io.BytesIO()
    build_workbook(load_case(case)).save(buf)
    return buf.getvalue()


def make_truncated(path: Path, good: bytes) -> None:
    path.write_bytes(good[: len(good) * 2 // 3])


def make_not_a_form(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "工资表"
    ws.append(["姓名", "部门", "基本工资", "绩效工资"])
    for k in range(20):
        ws.append([f"职工{k}", "办公室", 3000 + k * 10, 800])
    wb.save(path)


def make_docx_as_xlsx(path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_heading("绩效评价报告", 1)
    d.add_paragraph("一、基本情况……")
    d.save(path)


def make_encrypted(path: Path, good: bytes) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(path, "wb") as fh:
        OOXMLFile(io.BytesIO(good)).encrypt("123456", fh)


def make_macro(path: Path, good: bytes) -> None:
    """A readable workbook that carries a VBA project (as an .xlsm would)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/'
                                    b'vnd.ms-office.vbaProject"/></Types>')
            dst.writestr(info, data)
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + b"Attribute VB_Name")
    path.write_bytes(out.getvalue())


def make_broken(folder: Path) -> dict[str, str]:
    """A few broken or suspicious files; returns file name -> what it is."""
    folder.mkdir(parents=True, exist_ok=True)
    good = good_bytes()
    made = {}
    make_truncated(folder / "截断的附件.xlsx", good)
    made["截断的附件.xlsx"] = "truncated"
    make_not_a_form(folder / "工资表.xlsx")
    made["工资表.xlsx"] = "not a form"
    make_docx_as_xlsx(folder / "绩效报告.xlsx")
    made["绩效报告.xlsx"] = "docx renamed"
    make_encrypted(folder / "加密的自评表.xlsx", good)
    made["加密的自评表.xlsx"] = "encrypted"
    (folder / "空文件.xlsx").write_bytes(b"")
    made["空文件.xlsx"] = "empty"
    make_macro(folder / "含宏的自评表.xlsm", good)
    made["含宏的自评表.xlsm"] = "macro (readable, warned)"
    (folder / "~$打开中的自评表.xlsx").write_bytes(b"\x07owner")  # Excel lock file: skipped
    return made


# ---- main ---------------------------------------------------------------------------------------
def generate(n: int, out: Path, small: bool = False, seed: int = 1, broken: bool = True,
             jobs: int | None = None, quiet: bool = False) -> Path:
    out = Path(out)
    params = {"n": n, "small": small, "seed": seed, "broken": broken, "version": 3}
    stamp = out / STAMP
    if stamp.exists() and json.loads(stamp.read_text("utf-8")) == params:
        if not quiet:
            print(f"reusing {out} ({n} workbooks)", file=sys.stderr)
        return out
    if out.exists():
        import shutil

        shutil.rmtree(out)
    out.mkdir(parents=True)
    started = time.perf_counter()
    jobs = jobs or os.cpu_count() or 1
    tasks = [(str(out), i, seed, small) for i in range(n)]
    with ProcessPoolExecutor(jobs, initializer=_init) as pool:
        for k, _ in enumerate(pool.map(_one, tasks, chunksize=16), start=1):
            if not quiet and k % 500 == 0:
                print(f"  {k}/{n} workbooks", file=sys.stderr)
    if broken:
        make_broken(out / "问题文件")
    stamp.write_text(json.dumps(params), "utf-8")
    if not quiet:
        print(f"generated {n} workbooks in {out} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=1000, help="number of workbooks")
    ap.add_argument("-o", "--out", default=None, help="folder (default /tmp/evaltool-bench/wb<N>[-small])")
    ap.add_argument("--small", action="store_true", help="minimal forms (one indicator per 一级指标)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-broken", action="store_true", help="no broken files")
    ap.add_argument("-j", "--jobs", type=int, default=None)
    args = ap.parse_args(argv)
    out = Path(args.out or f"/tmp/evaltool-bench/wb{args.n}{'-small' if args.small else ''}")
    generate(args.n, out, args.small, args.seed, not args.no_broken, args.jobs)
    print(out)


if __name__ == "__main__":
    main()
