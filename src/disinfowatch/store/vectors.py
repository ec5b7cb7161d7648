"""Store verbs for the vector cache (one vector per embedder and content hash); mixed into Store."""

from __future__ import annotations

import sqlalchemy as sa

from . import schema as t  # noqa: F401


class VectorVerbs:
    engine: sa.Engine
