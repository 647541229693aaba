"""The WPS add-in's own tests (Node's built-in runner, no npm packages): its JS against the real
`evaltool serve` and a recording stand-in of WPS's object model. Run here so that README's test
command covers them; tools/setup.sh installs Node where it is missing."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ADDIN = Path(__file__).resolve().parents[1] / "wps_addin"


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed (tools/setup.sh installs it)")
def test_node_suite_passes():
    env = dict(os.environ, PYTHON=sys.executable, PYTHONPATH=str(ADDIN.parent))
    out = subprocess.run(["node", "--test", "test/"], cwd=ADDIN, env=env, capture_output=True, text=True, timeout=600)
    tail = "\n".join(out.stdout.splitlines()[-12:])
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-3000:]
    assert "# fail 0" in out.stdout and "# pass 0" not in out.stdout, tail
