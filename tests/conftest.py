from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "inbox"  # the bundled copies of ../shared/samples
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES
