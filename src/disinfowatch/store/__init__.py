"""The store: one data layer over SQLite (default) and PostgreSQL, SQLAlchemy 2 Core + Alembic.

Only the driver (pipeline, CLI, web app) talks to the store; stages never do.

    store = open_store("sqlite:///path/to.db")        # creates the file, applies migrations
    store = open_store("postgresql://user@host/db")    # same schema, same verbs

See :class:`disinfowatch.store.sql.Store` for the verbs.
"""

from .sql import Store, open_store

__all__ = ["Store", "open_store"]
