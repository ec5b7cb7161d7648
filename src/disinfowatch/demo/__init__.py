"""Bundled demo data: a small corpus of fictional articles written for this project, and a
generator of synthetic multilingual news pages for benchmarks and scale tests."""

from importlib import resources
from pathlib import Path


def corpus_dir() -> Path:
    return Path(str(resources.files(__package__) / "corpus"))


def demo_sources_path() -> Path:
    return corpus_dir() / "sources.toml"


def primary_dir() -> Path:
    """The fictional primary sources of the demo (a transcript in English and Russian)."""
    return Path(str(resources.files(__package__) / "primary"))
