"""Alembic environment: migrations run on the connection the store hands over (never a URL here).

:func:`disinfowatch.store.open_store` builds the Alembic config in code and passes its open
connection as ``config.attributes["connection"]``; there is no ``alembic.ini``. New revisions:
``alembic.command.revision(cfg, message)`` with the same config, then edit the file by hand so it
works on both SQLite and PostgreSQL.
"""

from alembic import context

from disinfowatch.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("disinfowatch migrations run through disinfowatch.store.open_store(url), "
                       "which passes its connection in config.attributes['connection']")
context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
