"""What every kind's workbook shares: sheet names, the labels the forms print (the 自评表's, which
the other kinds reuse), the shared sheets' texts, styles, notes and the label vocabulary (标签.yaml).

The template builders place these labels; the readers find blocks by the same labels (never by fixed
addresses); the writers and the engines take style names from here. Where the 自评表's template puts
things is kinds/selfeval/layout.py. Engine-free: no openpyxl.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

# Bump when the layout changes in a way a reader must know about; stored as a defined name and
# as a visible cell on the 设置 sheet (the pure reader sees only values, not defined names).
TEMPLATE_VERSION = 1
VERSION_NAME = "evaltool_template_version"
TEMPLATE_FILENAME = "项目支出绩效自评表.xlsx"

# ---- sheet names -------------------------------------------------------------------------------
SHEET_FORM = "自评表"
SHEET_REPORT = "报告素材"
SHEET_BASIC = "项目基本信息"
SHEET_SETTINGS = "设置"
SHEET_HELP = "说明"
SHEET_RESULTS = "校验结果"

# ---- labels on the 自评表 --------------------------------------------------------------------------
TITLE = "项目支出绩效自评表"
L_NAME, L_DEPT, L_UNIT, L_YEAR = "项目名称", "主管部门", "实施单位", "年度"
L_FUNDS = "项目资金（万元）"
YEAR_PLACEHOLDER = "（      年度）"
# the placeholder as a template prints it under a title; score writes the 年度 into it
TITLE_YEAR_BLANK = re.compile(r"^\s*[（(]\s*年度\s*[）)]\s*$")
L_GOALS = "年度总体目标"
L_GOAL_EXPECTED, L_GOAL_ACTUAL = "预期目标", "实际完成情况"
L_INDICATORS = "绩效指标"
# Indicator table columns: key -> printed header. "自评得分" is evaltool's addition: the clerk's own
# score for a qualitative indicator (checked against its band); 得分 itself is always computed.
IND_HEADERS = {
    "一级指标": "一级指标",
    "二级指标": "二级指标",
    "三级指标": "三级指标",
    "年度指标值": "年度指标值",
    "实际完成值": "实际完成值",
    "分值": "分值",
    "得分": "得分",
    "偏差原因分析及改进措施": "偏差原因分析及改进措施",
    "自评得分": "自评得分（定性指标可填）",
}
L_TOTAL = "总分"
L_GRADE = "评价等次"
L_SUBTOTALS = "得分小计"

# Blank template: pre-grouped rows per 二级指标 (the clerk inserts rows inside a group for more).
BLANK_ROWS = {"数量指标": 3, "质量指标": 2, "时效指标": 2, "成本指标": 2, "经济效益指标": 1, "社会效益指标": 2,
              "生态效益指标": 1, "可持续影响指标": 1, "服务对象满意度指标": 2}

# Other sheets.
REPORT_TITLE = "绩效评价报告素材"
REPORT_HINTS = {
    "项目背景": "项目立项依据、资金来源、主要用途等。",
    "主要内容及实施情况": "项目主要建设或服务内容、组织实施过程、完成情况。",
    "预算执行偏差原因": "执行率未达到 100%（或超过预算）时，说明原因和改进措施；执行率 100% 可不填。",
    "绩效评价工作过程": "本次自评的组织、分工、资料收集和评价步骤；不填时报告使用通用表述。",
    "项目决策情况": "立项依据、绩效目标设定、资金分配的决策过程。",
    "项目过程情况": "资金管理（到位、支付、合规）和组织实施（管理制度及执行）情况。",
    "主要经验及做法": "可推广的经验、有效的管理措施。",
    "存在的问题及原因分析": "没有问题时填“无”。",
    "有关建议": "没有建议时填“无”。",
    "其他需要说明的问题": "没有时填“无”。",
}
BASIC_TITLE = "项目基本信息表"
BASIC_FIELDS = ("项目负责人", "联系电话", "地址", "邮编", "项目类型", "计划投资额（万元）", "实际到位资金（万元）",
                "实际使用情况（万元）")
BASIC_SOURCE_LABEL = "资金来源（万元）"
BASIC_SOURCES = ("中央财政", "省财政", "市县财政", "其他资金")
PROJECT_TYPES = ("经常性项目", "一次性项目")
SETTINGS_TITLE = "计分设置"
L_RULES = "规则集"
L_PLACES = "小数位"
L_VERSION = "模板版本"
RESULTS_TITLE = "evaltool 校验与计分结果"
RESULTS_SUMMARY_HEADERS = ("工作表", "项目名称", "总分", "等次", "执行率", "执行率得分", "规则集", "错误", "警告")
RESULTS_FILLED = "写入值"  # I-FILLED rows: a value evaltool put into an empty cell of a hand-made form
RESULTS_HEADERS = ("序号", "工作表", "单元格", "级别", "代码", "字段", "说明", RESULTS_FILLED)

# Grade words offered in the 实际完成值 dropdown (any other value may still be typed).
GRADE_CHOICES = ("达成预期指标", "部分达成预期指标并具有一定效果", "未达成预期指标且效果较差")

# ---- looks: style name -> attributes both engines understand ------------------------------------
FONT = "宋体"
TITLE_FONT = "黑体"
COLOR_INPUT = "FFFFFF"
COLOR_COMPUTED = "E7E6E6"
COLOR_LABEL = "F2F2F2"
# Only the fill changes: the clerk's own fonts and colours stay as they were.
STYLES: dict[str, dict[str, Any]] = {
    # What a computed cell looks like (also restores it after a mark is cleared).
    "computed": {"fill": COLOR_COMPUTED},
    # A template input cell with no problem.
    "input": {"fill": None},
    # A cell of a hand-made sheet with no problem: no fill at all.
    "clear": {"fill": None},
    "error": {"fill": "FFC7CE"},
    "warning": {"fill": "FFEB9C"},
    "info": {"fill": "DDEBF7"},
}
NOTE_AUTHOR = "evaltool"
NOTE_PREFIX = "【evaltool】"  # evaltool's notes start with this, so a re-run replaces only its own


def note_after(exists: bool, current: str | None, new: str, ours: bool = False) -> str | None:
    """The note a cell gets when evaltool writes `new` there ("": evaltool has nothing to say): the
    text to set, "" to delete the note, None to leave it as it is. The clerk's own note is never
    lost: evaltool's text goes after it. A note that exists but cannot be read (current None, as on
    xlwings' remote engine) counts as evaltool's when `ours` (evaltool wrote it last run)."""
    if not exists:
        return new or None
    if current.startswith(NOTE_PREFIX) if current is not None else ours:
        return new
    if current is None:
        return None
    if not new:  # a fixed problem: evaltool's part goes, the clerk's own text stays
        return current.split(NOTE_PREFIX)[0].rstrip() if NOTE_PREFIX in current else None
    return current.split(NOTE_PREFIX)[0].rstrip() + "\n" + new

# ---- label matching --------------------------------------------------------------------------------
# The label vocabulary (标签.yaml, shipped with the package) says which printed labels name which block,
# fund row or column; everything a cell goes through before it is compared is here, in one place.
VOCABULARY_FILE = "标签.yaml"
VOCAB_SECTIONS = ("区块", "资金行", "资金列", "指标列", "目标分列", "指标性质")
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"  # zero-width and soft-hyphen characters
_BRACKETS = {"[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "〈": "(", "〉": ")"}


@functools.lru_cache(maxsize=1)
def _vocabulary_data() -> dict[str, Any]:
    from importlib import resources

    import yaml

    text = (resources.files("evaltool.workbook") / VOCABULARY_FILE).read_text("utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loader


@functools.lru_cache(maxsize=1)
def _fold_table() -> dict[int, Any]:
    """Applied after NFKC (which already makes full-width half-width and every space a plain space)."""
    table: dict[int, Any] = {ord(c): None for c in "：:" + _INVISIBLE}
    table.update({ord(k): v for k, v in _BRACKETS.items()})
    for trad, simp in (_vocabulary_data().get("繁简对照") or {}).items():
        if len(str(trad)) == 1:
            table[ord(str(trad))] = str(simp)
    return table


# The reader asks these of every label cell many times, and forms repeat the same few hundred
# strings: caching them makes reading (and the bureau's consolidation of 1,000s of files) ~3× faster.
@functools.lru_cache(maxsize=32768)
def _norm_text(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).translate(_fold_table()).split())


def norm(value: Any) -> str:
    """A cell as a label: half-width, simplified, no white space of any kind, no colons, one kind of
    bracket (hand-typed and provincial forms vary in all of these)."""
    if value is None:
        return ""
    return _norm_text(value if isinstance(value, str) else str(value))


@functools.lru_cache(maxsize=32768)
def strip_paren(text: str) -> str:
    """'全年预算数(A)' -> '全年预算数'; '产出指标(50分)' -> '产出指标'."""
    return re.sub(r"\([^)]*\)", "", text)


@functools.lru_cache(maxsize=32768)
def _matches_text(text: str, label: str) -> bool:
    want = norm(label)
    return text == want or strip_paren(text) == strip_paren(want)


def label_key(value: Any) -> str:
    """What two cells share exactly when they read as the same label (see matches)."""
    text = norm(value)
    return strip_paren(text) if text else ""


def matches(value: Any, label: str) -> bool:
    """True when a cell reads as the label, allowing stray spaces, colons and (…) notes."""
    text = norm(value)
    return bool(text) and _matches_text(text, label)


@functools.lru_cache(maxsize=32768)
def row_label_key(text: str) -> str:
    """A fund-row label's key: as label_key, without a leading 其中 ("其中：本年财政拨款")."""
    key = label_key(text)
    return key[2:] if key.startswith("其中") and len(key) > 2 else key


class ColumnChoice:
    """Which header cell each field is read from, when several cells of one header may name it.

    hits: (standard name, column, label key) per header cell, left to right, each cell once (a label
    merged across columns counts once). A field named by one cell is that cell's. Named by several, the
    cell written as the standard name itself (“全年预算数（A）”) beats the synonyms (“调整预算数”), and a
    cell `preferred` says is the field's (a fund header marked “（A）”) beats the others; with no such
    single cell the field is ambiguous (“年初目标值”“调整后目标值”): read from neither, the reader names
    both cells in an error, never silently taking the leftmost."""

    def __init__(self, hits: Any, preferred: Any = None):
        by_name: dict[str, list[tuple[int, str]]] = {}
        for name, col, key in hits:
            by_name.setdefault(name, []).append((col, key))
        self.cols: dict[str, int] = {}
        self.passed: dict[str, list[int]] = {}  # field -> columns not read because cols[field] won
        self.ambiguous: dict[str, list[int]] = {}  # field -> the columns that name it equally
        for name, cands in by_name.items():
            if len(cands) == 1:
                self.cols[name] = cands[0][0]
                continue
            best = [c for c, key in cands if key == label_key(name)]
            if len(best) != 1 and preferred is not None:
                best = [c for c, _ in cands if preferred(name, c)]
            if len(best) == 1:
                self.cols[name] = best[0]
                self.passed[name] = [c for c, _ in cands if c != best[0]]
            else:
                self.ambiguous[name] = [c for c, _ in cands]

    def named(self) -> set[str]:
        """Every field some cell names (chosen or ambiguous): what says a header is there."""
        return set(self.cols) | set(self.ambiguous)


_MONEY_NOTE = re.compile(r"\((?:金额)?(?:单位)?(元|千元|万元|亿元)\)")
_MONEY_LINE = re.compile(r"(?:金额)?单位(元|千元|万元|亿元)")


@functools.lru_cache(maxsize=4096)
def _money_unit(text: str) -> str | None:
    m = _MONEY_NOTE.search(text) or _MONEY_LINE.fullmatch(text)
    return m.group(1) if m else None


def money_unit(value: Any) -> str | None:
    """The money unit a label states: “项目资金（元）” -> 元, “全年预算数（万元）” -> 万元, “单位：元” -> 元;
    None when it states none (label normalisation drops these notes, so the reader asks here)."""
    return _money_unit(norm(value)) if isinstance(value, str) else None


def is_denominator(value: Any) -> bool:
    """A fund column whose header names it (A), the denominator of 执行率（B/A）."""
    return "(a)" in norm(value).lower()


class Vocabulary:
    """Label key -> standard name, per section of 标签.yaml (and a rule set's 标签 additions).

    Every lookup is one dict access on a normalised label: the reader asks it for every text cell of
    every file a bureau consolidates."""

    def __init__(self, data: dict[str, Any], source: str = VOCABULARY_FILE, first: dict[str, Any] | None = None):
        """data: {section: {standard name: [variants]}}; first: entries whose variants win over data's
        (a bureau's own spelling, when it collides with a built-in one)."""
        self.variants: dict[str, dict[str, tuple[str, ...]]] = {}
        self.keys: dict[str, dict[str, str]] = {}
        for section in VOCAB_SECTIONS:
            names: dict[str, tuple[str, ...]] = {}
            keys: dict[str, str] = {}
            for entries in ((first or {}).get(section) or {}, data.get(section) or {}):
                for name, words in entries.items():
                    words = (str(name), *(str(w) for w in (words or ())))
                    names[str(name)] = tuple(dict.fromkeys(names.get(str(name), ()) + words))
                    for w in words:
                        key = self._key(section, w)
                        if key:
                            keys.setdefault(key, str(name))
            self.variants[section], self.keys[section] = names, keys
        self.source = source
        self._keys_of: dict[tuple[str, str], frozenset[str]] = {}

    @staticmethod
    def _key(section: str, word: str) -> str:
        if section == "指标性质":
            return norm(word)
        if section == "资金行":
            return row_label_key(word)
        return label_key(word)

    def extended(self, extra: Any, source: str) -> "Vocabulary":
        """This vocabulary plus a rule set's 标签 entries (more variants for the same standard names);
        InputError (Chinese, naming the rule set) when the entries are not written as they should be."""
        from evaltool.core.errors import InputError

        if not isinstance(extra, dict):
            raise InputError(f"{source}中“标签”应写成 分类: {{标准名称: [写法, …]}}，例如 "
                             "“标签: {资金列: {全年执行数: [累计支付数]}}”")
        first: dict[str, dict[str, list[str]]] = {}
        for section, entries in extra.items():
            if section not in VOCAB_SECTIONS:
                raise InputError(f"{source}中“标签 → {section}”不是可补充的分类；可补充的分类有："
                                 f"{'、'.join(VOCAB_SECTIONS)}。")
            if not isinstance(entries, dict):
                raise InputError(f"{source}中“标签 → {section}”应写成 标准名称: [写法, …]")
            for name, words in entries.items():
                if str(name) not in self.variants[section]:
                    raise InputError(f"{source}中“标签 → {section} → {name}”不是标准名称；可用的标准名称有："
                                     f"{'、'.join(self.variants[section])}。")
                if isinstance(words, (str, int, float)):
                    words = [words]
                if not isinstance(words, list):
                    raise InputError(f"{source}中“标签 → {section} → {name}”应是写法的列表，例如 [累计支付数]")
                first.setdefault(section, {})[str(name)] = [str(w) for w in words]
        return Vocabulary(self.variants, source, first)

    def block(self, value: Any) -> str | None:
        return self.keys["区块"].get(label_key(value)) if value is not None else None

    def block_keys(self, name: str) -> frozenset[str]:
        return self.keys_of("区块", name)

    def keys_of(self, section: str, name: str) -> frozenset[str]:
        """Every label key the section reads as `name` (asked per sheet: cached)."""
        hit = self._keys_of.get((section, name))
        if hit is None:
            hit = self._keys_of[(section, name)] = frozenset(k for k, v in self.keys[section].items() if v == name)
        return hit

    def fund_row(self, value: Any) -> str | None:
        if value is None:
            return None
        return self.keys["资金行"].get(row_label_key(value if isinstance(value, str) else str(value)))

    def fund_column(self, value: Any) -> str | None:
        return self.keys["资金列"].get(label_key(value)) if value is not None else None

    def indicator_column(self, value: Any) -> str | None:
        return self.keys["指标列"].get(label_key(value)) if value is not None else None

    def target_part(self, value: Any) -> str | None:
        return self.keys["目标分列"].get(label_key(value)) if value is not None else None

    def direction(self, value: Any) -> str | None:
        return self.keys["指标性质"].get(norm(value)) if value is not None else None

    def spellings(self, section: str, name: str, n: int = 3) -> str:
        """'“全年预算数”（也可写作“调整后预算数”“全年预算”）' for messages."""
        words = [w for w in self.variants[section].get(name, (name,)) if w != name][:n]
        also = "（也可写作" + "".join(f"“{w}”" for w in words) + "）" if words else ""
        return f"“{name}”{also}"


@functools.lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The vocabulary shipped with evaltool (标签.yaml)."""
    return Vocabulary(_vocabulary_data())


def fund_row_key(value: Any) -> str | None:
    """Which 项目资金 row a label cell names, if any ("其中：本年财政拨款" -> 本年财政拨款)."""
    return vocabulary().fund_row(value)


def fund_header_key(value: Any) -> str | None:
    return vocabulary().fund_column(value)


def indicator_header_key(value: Any) -> str | None:
    return vocabulary().indicator_column(value)
