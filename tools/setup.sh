#!/usr/bin/env bash
# Sets up everything the tests need on a fresh Debian/Ubuntu machine: LibreOffice (rendering and
# re-saving workbooks, PDF), CJK fonts, poppler (PDF pages to PNG), Node.js (the WPS add-in's tests),
# then the package with test extras.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc libreoffice-writer)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
# Free faces the report PDF maps the official ones to (evaltool/report/pdf.py LINUX_FACES).
fc-list 2>/dev/null | grep -qi "WenQuanYi Zen Hei" || need+=(fonts-wqy-zenhei)
fc-list 2>/dev/null | grep -qi "AR PL UKai" || need+=(fonts-arphic-ukai)
fc-list 2>/dev/null | grep -qi "AR PL UMing" || need+=(fonts-arphic-uming)
# Calibri's metric twin: workbooks measure column widths in Calibri digits, so LibreOffice lays the
# form out as Excel does only with it (workbook/paper.py estimates row heights in those units).
fc-list 2>/dev/null | grep -qi "Carlito" || need+=(fonts-crosextra-carlito)
command -v node >/dev/null 2>&1 || need+=(nodejs)  # the WPS add-in's tests (node --test, no npm packages)
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
python3 -m pip install -q -e ".[test]"
