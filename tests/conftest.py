from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import SAMPLES  # noqa: E402


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES
