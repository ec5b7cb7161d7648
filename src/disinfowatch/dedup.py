"""Dedup: canonical URLs, exact content hashes and near-duplicates (MinHash LSH).

A copy is not noise: the pipeline stores a document once and links every URL and source where it
appeared, so republication networks stay visible. The functions here are pure; the LSH index is a
small in-memory structure the driver fills from the store at start (so a resumed run sees what
earlier runs stored) and updates as it goes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import numpy as np
from datasketch import MinHash, MinHashLSH

_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|yclid|mc_cid|mc_eid|igshid|_ga|ref|ref_src|cmpid|ocid)$", re.I)
_WORD = re.compile(r"\w+", re.UNICODE)
SHINGLE = 5
SCHEME = "affine64"  # datasketch 2 hashing scheme; stored signatures are only comparable within one


def canonical_url(url: str) -> str:
    """Normalise a URL for identity: lower-case scheme and host, no default port, no fragment,
    no tracking parameters, sorted query, no trailing slash on paths other than "/"."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    if parts.scheme not in ("http", "https"):
        return url.strip()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port if parts.port not in (None, 80, 443) else None
    try:
        netloc = host if port is None else f"{host}:{port}"
    except ValueError:
        netloc = host
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")  # spaces and non-ASCII as %XX
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), netloc, path, urlencode(query), ""))


def _normalise_for_hash(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    return " ".join(text.split())


def content_hash(text: str) -> str:
    """sha256 of the case-folded, whitespace-collapsed text: equal for exact republications."""
    return hashlib.sha256(_normalise_for_hash(text).encode("utf-8")).hexdigest()


def _shingles(text: str) -> list[bytes]:
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE:
        return [" ".join(words).encode("utf-8")] if words else []
    return [" ".join(words[i:i + SHINGLE]).encode("utf-8") for i in range(len(words) - SHINGLE + 1)]


def minhash(text: str, num_perm: int = 128) -> MinHash:
    m = MinHash(num_perm=num_perm, seed=1, scheme=SCHEME)
    shingles = _shingles(text)
    if shingles:
        m.update_batch(shingles)
    return m


def fingerprint(text: str, num_perm: int = 128) -> bytes:
    """The MinHash signature as bytes, for storage next to the document."""
    return minhash(text, num_perm).hashvalues.astype(np.uint64).tobytes()


def from_fingerprint(data: bytes) -> MinHash:
    values = np.frombuffer(data, dtype=np.uint64).copy()
    return MinHash(num_perm=len(values), seed=1, hashvalues=values, scheme=SCHEME)


class NearDuplicateIndex:
    """MinHash LSH over stored documents: which earlier document is this one a near-copy of?"""

    def __init__(self, threshold: float = 0.85, num_perm: int = 128):
        self.threshold = threshold
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._signatures: dict[int, MinHash] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def add(self, doc_id: int, signature: bytes) -> None:
        if doc_id in self._signatures:
            return
        m = from_fingerprint(signature)
        if len(m.hashvalues) != self.num_perm:
            return  # made with other settings: not comparable
        self._lsh.insert(doc_id, m)
        self._signatures[doc_id] = m

    def nearest(self, signature: bytes) -> tuple[int, float] | None:
        """The most similar indexed document at or above the threshold, with its estimated Jaccard."""
        m = from_fingerprint(signature)
        if len(m.hashvalues) != self.num_perm:
            return None
        best: tuple[int, float] | None = None
        for doc_id in self._lsh.query(m):
            similarity = float(m.jaccard(self._signatures[doc_id]))
            if similarity >= self.threshold and (best is None or similarity > best[1]):
                best = (doc_id, similarity)
        return best
