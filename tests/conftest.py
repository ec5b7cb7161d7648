"""Shared fixtures. Add new ones in their own section below, with a line saying what they give.

Store / database
----------------
``store_url`` / ``store`` run each test that uses them twice: on SQLite (a temp file) and on
PostgreSQL (a fresh database ``dw_test_<random>`` created on the server named by
DISINFOWATCH_TEST_PG, default postgresql://postgres@127.0.0.1:5432/postgres, dropped afterwards).
Without a reachable server the PostgreSQL cases skip saying so, unless DISINFOWATCH_REQUIRE_PG=1
(CI), where they fail. ``pg_url`` alone gives such a fresh database's URL.
"""

import os
import uuid

import pytest
import sqlalchemy as sa

# -- store / database ---------------------------------------------------------------------

PG_ADMIN = os.environ.get("DISINFOWATCH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_engine() -> sa.Engine:
    url = sa.make_url(PG_ADMIN).set(drivername="postgresql+psycopg")
    return sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool,
                            connect_args={"connect_timeout": 5})


@pytest.fixture(scope="session")
def pg_admin():
    """An AUTOCOMMIT engine on the test server (to create and drop databases), or skip / fail."""
    engine = _pg_engine()
    problem = None
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
        engine.dispose()
        problem = (str(exc.orig).strip() or type(exc.orig).__name__).splitlines()[0][:160]
    if problem is not None:
        where = sa.make_url(PG_ADMIN).render_as_string(hide_password=True)
        message = f"PostgreSQL not reachable at {where}: set DISINFOWATCH_TEST_PG ({problem})"
        if os.environ.get("DISINFOWATCH_REQUIRE_PG") == "1":
            pytest.fail(message + "; DISINFOWATCH_REQUIRE_PG=1 makes this a failure", pytrace=False)
        pytest.skip(message)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(pg_admin):
    """URL of a fresh, empty PostgreSQL database, dropped after the test."""
    name = f"dw_test_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    with pg_admin.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    """A URL for an empty store: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(store_url):
    """An open, migrated store on ``store_url``, closed after the test."""
    from disinfowatch.store import open_store

    opened = open_store(store_url)
    yield opened
    opened.close()
