"""Content-addressed archive of raw bytes: evidence that survives the page changing or vanishing.

    archive = Archive(root)
    sha = archive.put(data)          # root/ab/cd/abcd...  (sha256 of data, lower-case hex)
    archive.get(sha) == data

Only a 64-character lower-case hex digest names a file, so no caller-supplied string can reach a
path outside ``root``.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

_SHA = re.compile(r"[0-9a-f]{64}")


class Archive:
    """Files at ``root/ab/cd/<sha256>``, written atomically, never overwritten with other bytes."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def path(self, sha: str) -> Path:
        """Where the bytes with this sha256 live (whether or not they do); ValueError for a bad digest."""
        if not isinstance(sha, str) or not _SHA.fullmatch(sha):
            raise ValueError(f"not a lower-case sha256 hex digest: {str(sha)[:80]!r}")
        return self.root / sha[:2] / sha[2:4] / sha

    def has(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def put(self, data: bytes) -> str:
        """Store ``data`` under its sha256 (a no-op when already stored); the hex digest."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        try:
            if target.stat().st_size == len(data):
                return sha
        except FileNotFoundError:
            pass
        # Missing, or a truncated file from an interrupted write: (re)write it via a temp file.
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha

    def get(self, sha: str) -> bytes:
        """The archived bytes; FileNotFoundError naming the digest when they are not here."""
        try:
            return self.path(sha).read_bytes()
        except FileNotFoundError:
            raise FileNotFoundError(f"no archived bytes with sha256 {sha} under {self.root}") from None
