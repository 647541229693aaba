"""PDF through LibreOffice (soffice --headless --convert-to pdf) with a private user profile, so
it works while the clerk has LibreOffice open and never touches their settings."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from evaltool.core.errors import InputError
from evaltool.core.fileio import atomic_path

# On Linux the GB/T 9704 fonts are rarely installed; tell fontconfig what to use instead, in order.
FONT_ALIASES = {
    "方正小标宋简体": ["方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "华文中宋", "STZhongsong", "Noto Serif CJK SC",
                "Source Han Serif SC", "SimSun"],
    "仿宋_GB2312": ["仿宋", "FangSong", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", "SimSun"],
    "楷体_GB2312": ["楷体", "KaiTi", "STKaiti", "AR PL UKai CN", "Noto Serif CJK SC", "Source Han Serif SC"],
    "黑体": ["SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei"],
    "宋体": ["SimSun", "Noto Serif CJK SC", "Source Han Serif SC"],
}
TIMEOUT_S = 180


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice",
                      r"C:\Program Files\LibreOffice\program\soffice.exe",
                      "/Applications/LibreOffice.app/Contents/MacOS/soffice"):
        if os.path.exists(candidate):
            return candidate
    return None


def _fontconfig_file(folder: Path) -> Path | None:
    system = Path("/etc/fonts/fonts.conf")
    if not system.exists():
        return None
    aliases = "".join(
        f"<alias binding=\"same\"><family>{name}</family><prefer>"
        + "".join(f"<family>{f}</family>" for f in prefs) + "</prefer></alias>"
        for name, prefs in FONT_ALIASES.items())
    conf = folder / "fonts.conf"
    conf.write_text(f"<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig>"
                    f"<include ignore_missing=\"yes\">{system}</include>{aliases}</fontconfig>", "utf-8")
    return conf


def docx_to_pdf(docx_path: str | Path, pdf_path: str | Path | None = None) -> Path:
    """Convert with LibreOffice; InputError with a clear Chinese message when it is missing or fails."""
    docx_path = Path(docx_path)
    pdf_path = Path(pdf_path) if pdf_path else docx_path.with_suffix(".pdf")
    soffice = find_soffice()
    if soffice is None:
        raise InputError("未找到 LibreOffice（soffice），无法生成 PDF。Word 报告已生成；请安装 LibreOffice "
                         "（https://zh-cn.libreoffice.org），或用 Word/WPS 打开报告后“另存为 PDF”。")
    with tempfile.TemporaryDirectory(prefix="evaltool-pdf-") as tmp:
        tmp_dir = Path(tmp)
        env = dict(os.environ)
        conf = _fontconfig_file(tmp_dir)
        if conf:
            env["FONTCONFIG_FILE"] = str(conf)
        cmd = [soffice, f"-env:UserInstallation={(tmp_dir / 'profile').as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(tmp_dir / "out"), str(docx_path.resolve())]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, env=env)
        except subprocess.TimeoutExpired:
            raise InputError(f"LibreOffice 转换 PDF 超过 {TIMEOUT_S} 秒仍未完成，已放弃。Word 报告已生成。") from None
        produced = tmp_dir / "out" / (docx_path.stem + ".pdf")
        if proc.returncode != 0 or not produced.exists():
            detail = (proc.stderr or proc.stdout or "").strip().splitlines()[-1:] or ["无输出"]
            raise InputError(f"LibreOffice 未能把报告转换为 PDF（{detail[0]}）。Word 报告已生成，可用 Word/WPS 另存为 PDF。")
        with atomic_path(pdf_path, busy_hint="PDF 阅读器") as partial:
            shutil.copyfile(produced, partial)
    return pdf_path
