"""Static checks that catch real mistakes: undefined names, unused imports and variables, syntax."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_no_errors():
    folders = [str(ROOT / f) for f in ("core", "plugins", "tenants", "web", "workers", "tests", "bench")]
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "F,E9", "--no-cache", *folders],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
