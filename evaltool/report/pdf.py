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

# The one font map for the LibreOffice run. The .docx keeps the official GB/T 9704 names (Word on a
# clerk's PC has them); Linux rarely does, so each official face (and the fallbacks named in the
# .docx font table) is bound to a free Simplified-Chinese face Debian ships, one face per role, so
# headings and body still look different: Hei for 黑体 and the 小标宋 title, Kai for 楷体, a Ming
# (Song) for 仿宋/宋体. Noto CJK is avoided on purpose: its .ttc shares one CFF named "...jp" among
# all languages, so the PDF would name a Japanese face even where the SC one was used.
HEI, KAI, MING = "WenQuanYi Zen Hei", "AR PL UKai CN", "AR PL UMing CN"
LINUX_FACES = {
    "方正小标宋简体": HEI, "方正小标宋_GBK": HEI, "华文中宋": HEI, "STZhongsong": HEI,
    "黑体": HEI, "SimHei": HEI,
    "楷体_GB2312": KAI, "楷体": KAI, "KaiTi": KAI, "STKaiti": KAI,
    "仿宋_GB2312": MING, "仿宋": MING, "FangSong": MING, "STFangsong": MING,
    "宋体": MING, "SimSun": MING,
}
# Debian packages providing those faces (tools/setup.sh installs them).
FONT_PACKAGES = {HEI: "fonts-wqy-zenhei", KAI: "fonts-arphic-ukai", MING: "fonts-arphic-uming"}
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


def _installed_families() -> set[str]:
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return set()
    try:
        out = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    return {name.strip() for line in out.splitlines() for name in line.split(",")}


def _fontconfig_file(folder: Path) -> Path | None:
    system = Path("/etc/fonts/fonts.conf")
    if not system.exists():
        return None
    installed = _installed_families()  # a machine with the official faces keeps them
    # A strong binding wins over fontconfig's language defaults (which pick Noto CJK JP first).
    aliases = "".join(
        f"<match target=\"pattern\"><test name=\"family\"><string>{name}</string></test>"
        f"<edit name=\"family\" mode=\"assign\" binding=\"strong\"><string>{face}</string></edit></match>"
        for name, face in LINUX_FACES.items() if name not in installed)
    conf = folder / "fonts.conf"
    conf.write_text(f"<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig>"
                    f"<include ignore_missing=\"yes\">{system}</include>{aliases}</fontconfig>", "utf-8")
    return conf


def docx_to_pdf(docx_path: str | Path, pdf_path: str | Path | None = None) -> Path:
    """Convert with LibreOffice; InputError with a clear Chinese message when it is missing or fails."""
    docx_path = Path(docx_path)
    pdf_path = Path(pdf_path) if pdf_path else docx_path.with_suffix(".pdf")
    return files_to_pdf([docx_path], [pdf_path])[0]


KEPT_REPORT = ("Word 报告已生成；请安装 LibreOffice （https://zh-cn.libreoffice.org），或用 Word/WPS 打开报告后“另存为 PDF”。",
               "Word 报告已生成。", "Word 报告已生成，可用 Word/WPS 另存为 PDF。")


def files_to_pdf(sources: list[Path], pdfs: list[Path], kept: tuple[str, str, str] = KEPT_REPORT,
                 what: str = "报告") -> list[Path]:
    """Convert several files (.docx, .xlsx …) in one LibreOffice run (its start-up is most of the time),
    each PDF written atomically. what: how messages name the files; kept: what the messages say is done already (missing LibreOffice,
    timed out, failed)."""
    soffice = find_soffice()
    if soffice is None:
        raise InputError(f"未找到 LibreOffice（soffice），无法生成 PDF。{kept[0]}")
    stems = [s.stem for s in sources]
    if len(set(stems)) != len(stems):  # one output folder: equal stems would overwrite each other
        return [p for s, t in zip(sources, pdfs) for p in files_to_pdf([s], [t], kept, what)]
    with tempfile.TemporaryDirectory(prefix="evaltool-pdf-") as tmp:
        tmp_dir = Path(tmp)
        env = dict(os.environ)
        conf = _fontconfig_file(tmp_dir)
        if conf:
            env["FONTCONFIG_FILE"] = str(conf)
        cmd = [soffice, f"-env:UserInstallation={(tmp_dir / 'profile').as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(tmp_dir / "out"), *(str(Path(s).resolve()) for s in sources)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S * len(sources), env=env)
        except subprocess.TimeoutExpired:
            raise InputError(f"LibreOffice 转换 PDF 超过 {TIMEOUT_S * len(sources)} 秒仍未完成，已放弃。{kept[1]}") from None
        produced = [tmp_dir / "out" / (Path(s).stem + ".pdf") for s in sources]
        if proc.returncode != 0 or not all(p.exists() for p in produced):
            detail = (proc.stderr or proc.stdout or "").strip().splitlines()[-1:] or ["无输出"]
            raise InputError(f"LibreOffice 未能把{what}转换为 PDF（{detail[0]}）。{kept[2]}")
        for made, pdf_path in zip(produced, pdfs):
            with atomic_path(pdf_path, busy_hint="PDF 阅读器") as partial:
                shutil.copyfile(made, partial)
    return [Path(p) for p in pdfs]
