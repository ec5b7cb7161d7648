"""Where the real public test data lives (../shared/data beside the repository), and a skip that says so."""

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SEED_ARTICLE = DATA / "seed" / "nettavisen_2017-04_stoltenberg.txt"
SEED_TRANSCRIPT = DATA / "seed" / "nato_russia24_2017-04-24.jsonl"


def require(path: Path) -> Path:
    """Return ``path``, or skip the test naming the missing file and where it is expected."""
    if not path.exists():
        pytest.skip(f"shared test data missing: {path} (clone the project next to its shared/ folder)")
    return path
