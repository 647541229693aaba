"""Reading rendered PDFs the way a person looks at them: the text layer (pdftotext), where each word
sits (pdftotext -bbox), whether it is actually drawn (pdftoppm page images), and the fonts (pdffonts)."""
from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

DPI = 100


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def page_texts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_words(pdf: Path) -> list[list[Word]]:
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages: list[list[Word]] = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", out, re.S):
        words = []
        for x0, y0, x1, y1, text in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page):
            words.append(Word(html.unescape(text), float(x0), float(y0), float(x1), float(y1)))
        pages.append(words)
    return pages


def page_image(pdf: Path, page: int, folder: Path) -> tuple[int, int, bytes]:
    """Grey page image (width, height, pixels) at DPI."""
    stem = folder / f"{pdf.stem}-p{page}"
    subprocess.run(["pdftoppm", "-gray", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(stem)], check=True, capture_output=True)
    data = Path(f"{stem}.pgm").read_bytes()
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert m, "pdftoppm -gray did not write a PGM"
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, data[m.end():]


def hidden_words(pdf: Path, page: int, words: list[Word], folder: Path) -> list[str]:
    """Words in the text layer that are not drawn on the page: clipped by a cell too short for them.
    A drawn word has ink on most pixel rows of its box; a clipped one has at most a border line."""
    w, h, px = page_image(pdf, page, folder)
    k = DPI / 72
    hidden = []
    for word in words:
        if not any(ch.isalnum() for ch in word.text):
            continue  # a dash or a full stop has ink on a few rows of its box only
        x0, x1 = int(word.x0 * k) + 1, int(word.x1 * k) - 1
        y0, y1 = int(word.y0 * k) + 1, int(word.y1 * k) - 1
        if x1 <= x0 or y1 <= y0:
            continue
        inked = sum(1 for y in range(y0, min(y1, h)) if any(px[y * w + x] < 140 for x in range(x0, min(x1, w))))
        if inked < 0.4 * (y1 - y0):
            hidden.append(word.text)
    return hidden


def fonts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split()[0].split("+")[-1] for line in out.splitlines()[2:] if line.strip()]


def fonts_of_pages(pdf: Path, first: int, last: int) -> list[str]:
    out = subprocess.run(["pdffonts", "-f", str(first), "-l", str(last), str(pdf)], capture_output=True,
                         text=True, check=True).stdout
    return [line.split()[0].split("+")[-1] for line in out.splitlines()[2:] if line.strip()]


def column_text(pdf: Path, page: int, words: list[Word], label: str, folder: Path) -> str:
    """Text printed in the table column headed by label on a page, top to bottom: the words between
    the two grid lines either side of the header word (found on the page image)."""
    here = next((w for w in words if w.text == label), None)
    if here is None:
        return ""
    w, h, px = page_image(pdf, page, folder)
    k = DPI / 72
    y = int((here.y0 + here.y1) / 2 * k)
    dark = [x for x in range(w) if px[y * w + x] < 100]
    left = max((x for x in dark if x < here.x0 * k - 1), default=0) / k
    right = min((x for x in dark if x > here.x1 * k + 1), default=w) / k
    inside = [wd for wd in words if left < (wd.x0 + wd.x1) / 2 < right and wd.y0 > here.y1]
    inside.sort(key=lambda wd: (round(wd.y0), wd.x0))
    return "".join(wd.text for wd in inside)
