"""Store verbs for alerts (claims and quotes matched to narratives, cases, passages); mixed into Store."""

from __future__ import annotations

import sqlalchemy as sa

from . import schema as t  # noqa: F401


class AlertVerbs:
    engine: sa.Engine
