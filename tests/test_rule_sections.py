"""SWEEP S20: a rule file is checked whole when it is loaded — every form kind's own section
(运行监控, 部门整体, 绩效目标表, 评分表), whatever form is being read — and a child rule set without
名称 is named by its 编号, never by its parent's official title."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# The kinds' registry hands its section check to the rules when it is imported, as every command
# that reads a form imports it; a bare load_rules() before that checks the sections on its next call.
import evaltool.core.kinds  # noqa: F401
from evaltool.core.rules import RuleError, load_rules, rules_from_text


def run_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evaltool", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


BAD = [  # (file body after 继承, parent, words the message must hold)
    ("运行监控:\n  执行进度: {黄灯: abc}\n", "国家标准", ["运行监控 → 执行进度 → 黄灯", "abc"]),
    ("运行监控:\n  指标预警: {完成可能性: {有可能: 蓝}}\n", "国家标准", ["运行监控 → 指标预警 → 完成可能性", "蓝"]),
    ("部门整体: {项目清单口径: 部分}\n", "部门整体", ["部门整体 → 项目清单口径", "部分"]),
    ("绩效目标表: {不存在的项: 1}\n", "国家标准", ["绩效目标表 → 不存在的项"]),
    ("评分表: 5\n", "国家标准", ["评分表"]),
]


def write(tmp_path: Path, body: str, parent: str = "国家标准", name: str = "本地") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"编号: {name}\n继承: {parent}\n{body}", "utf-8")
    return path


@pytest.mark.parametrize("body, parent, words", BAD, ids=[b.split(":")[0] for b, _, _ in BAD])
def test_every_kinds_section_is_checked_when_the_file_loads(tmp_path, body, parent, words):
    path = write(tmp_path, body, parent)
    with pytest.raises(RuleError) as exc:
        load_rules(str(path))
    for w in words:
        assert w in str(exc.value), str(exc.value)
    assert str(path) in str(exc.value)
    # The same text sent to the server is checked the same way.
    with pytest.raises(RuleError):
        rules_from_text(path.read_text("utf-8"))


def test_the_rules_command_and_a_selfeval_check_refuse_a_broken_monitor_section(tmp_path):
    path = write(tmp_path, BAD[0][0])
    res = run_cli("rules", path)
    assert res.returncode == 2 and "运行监控 → 执行进度 → 黄灯" in res.stdout + res.stderr, res.stdout + res.stderr
    book = tmp_path / "自评表.xlsx"
    assert run_cli("new", book).returncode == 0
    res = run_cli("check", book, "--rules", path)
    out = res.stdout + res.stderr
    assert res.returncode == 2 and "运行监控 → 执行进度 → 黄灯" in out and "Traceback" not in out, out


def test_good_sections_and_the_built_in_sets_still_load(tmp_path):
    body = "运行监控:\n  执行进度: {黄灯: 0.2}\n部门整体: {项目清单口径: 重点}\n"
    assert load_rules(str(write(tmp_path, body))).id == "本地"
    for rid in ("国家标准", "部门整体", "省平台示例"):
        assert load_rules(rid).id == rid


def test_a_child_without_a_name_is_named_by_its_own_id(tmp_path):
    assert load_rules(str(write(tmp_path, "", name="坏目标"))).name == "坏目标"
    assert load_rules(str(write(tmp_path, "", parent="部门整体", name="本县部门"))).name == "本县部门"
    named = write(tmp_path, "名称: 某县2026年度规则\n", name="某县")
    assert load_rules(str(named)).name == "某县2026年度规则"
    # The built-in children keep their own names.
    assert load_rules("部门整体").name != load_rules("国家标准").name
    res = run_cli("rules", write(tmp_path, "", name="无名"))
    assert res.returncode == 0 and res.stdout.startswith("无名（") and "财预〔2020〕10号）（" not in res.stdout, res.stdout


def test_every_built_in_set_passes_every_kinds_section_check():
    """Built-in sets are not checked on load (they ship with evaltool): this test is their check."""
    from evaltool.core.kinds import check_rule_sections
    from evaltool.core.rules import builtin_ids

    for rid in builtin_ids():
        rules = load_rules(rid)
        check_rule_sections(rules, frozenset(rules.raw))  # raises RuleError on a bad section
