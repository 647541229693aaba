import os
import subprocess
from pathlib import Path

import pytest

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

# CI runs the property tests with a fixed seed, so a submission's result is reproducible; local runs
# keep exploring new examples (and hypothesis' database replays any failure they find).
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

CASES_DIR = Path(__file__).parent / "cases"


def case_files(kind: str | None = "自评表") -> list[Path]:
    import yaml

    out = []
    for p in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(p.read_text("utf-8"))
        if kind is None or data.get("类型", "自评表") == kind:
            out.append(p)
    return out


@pytest.fixture
def cases_dir() -> Path:
    return CASES_DIR


@pytest.fixture(scope="session")
def soffice(tmp_path_factory):
    """convert(files, fmt, outdir): real LibreOffice, one private profile for the whole run."""
    profile = tmp_path_factory.mktemp("lo-profile")

    def convert(files: list[Path], fmt: str, outdir: Path) -> list[Path]:
        outdir.mkdir(parents=True, exist_ok=True)
        subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                        "--convert-to", fmt, "--outdir", str(outdir), *map(str, files)],
                       check=True, capture_output=True, timeout=180)
        ext = fmt.split(":")[0]
        out = [outdir / f"{f.stem}.{ext}" for f in files]
        for o in out:
            assert o.exists(), f"LibreOffice did not write {o}"
        return out

    return convert
