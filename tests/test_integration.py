"""Across features: a contradiction typed into the 报告素材 sheet is found and located by `evaltool check`."""
import subprocess
import sys

import openpyxl


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "evaltool", *args], capture_output=True, text=True,
                          timeout=180, cwd=cwd)


def test_report_material_contradiction_points_at_its_cell(tmp_path, cases_dir):
    case = next(cases_dir.glob("seed003-*.yaml"))
    book = tmp_path / "自评.xlsx"
    assert run_cli("new", "--from", str(case), "-o", str(book)).returncode == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["报告素材"]
    target = next(ws.cell(c.row, c.column + 1) for row in ws.iter_rows() for c in row if c.value == "主要经验及做法")
    target.value = "2023年，信息化项目建设项目总支出919.47万元，政务公开专区建设20个。"
    wb.save(book)
    before = book.read_bytes()

    proc = run_cli("check", str(book))
    assert proc.returncode == 1
    out = " ".join(proc.stdout.split())
    assert f"报告素材!{target.coordinate}" in out
    assert "919.47万元" in out and "919.94万元" in out
    assert "20个" in out and "14个" in out
    assert book.read_bytes() == before  # check only reads

    target.value = "2023年，信息化项目建设项目总支出919.94万元，政务公开专区建设14个。"
    wb.save(book)
    proc = run_cli("check", str(book))
    assert proc.returncode == 0, proc.stdout
