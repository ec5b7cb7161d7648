"""disinfowatch: a multilingual disinformation monitor.

The public API lives in :mod:`disinfowatch.api` and is re-exported here; records in
:mod:`disinfowatch.records`; errors in :mod:`disinfowatch.errors`.
"""

from .api import (
    IngestReport,
    Settings,
    add_source,
    analyze,
    demo,
    import_sources,
    ingest,
    list_sources,
    load_settings,
    rejections,
    remove_source,
    search,
    show,
    stats,
    store,
)
from .errors import ConfigError, DisinfowatchError, Rejected, StoreError
from .records import Document, Page, Paragraph, Rejection, Source

__version__ = "0.1.0"

__all__ = [
    "ConfigError", "DisinfowatchError", "Document", "IngestReport", "Page", "Paragraph", "Rejected",
    "Rejection", "Settings", "Source", "StoreError", "add_source", "analyze", "demo", "import_sources", "ingest",
    "list_sources", "load_settings", "rejections", "remove_source", "search", "show", "stats", "store",
]
