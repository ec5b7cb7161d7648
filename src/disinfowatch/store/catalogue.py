"""Store verbs for narratives with their exemplars, and known cases; mixed into Store."""

from __future__ import annotations

import sqlalchemy as sa

from . import schema as t  # noqa: F401


class CatalogueVerbs:
    engine: sa.Engine
