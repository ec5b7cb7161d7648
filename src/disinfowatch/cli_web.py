"""The command line for the web app and its people: ``serve`` and ``users ...``. Parse, call the
library, format; registered on the main group by ``cli``."""

from __future__ import annotations

import sys

import click

from . import accounts, api
from .cli import _db_option, _echo_json, _errors, _json_option, _settings, _table, main


@main.command()
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes serving requests (one per core on a team server).")
@_errors
def serve(db: str | None, host: str, port: int, workers: int) -> None:
    """Start the analysts' web app and REST API (log in at /login; API docs at /api/docs)."""
    import os

    import uvicorn

    settings = _settings(db)
    with api.store(settings) as st:
        if not st.list_users():
            click.echo("no users yet: add one with `disinfowatch users add NAME --role admin`", err=True)
    click.echo(f"disinfowatch on http://{host}:{port}/login  (store {settings.db})", err=True)
    if workers == 1:
        from .web import create_app

        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
        return
    os.environ["DISINFOWATCH_DB"] = settings.db  # the workers read their settings from the environment
    uvicorn.run("disinfowatch.web.serve:app", factory=True, host=host, port=port, workers=workers, log_level="warning")


@main.group()
def users() -> None:
    """Accounts of the web app and API: viewer, analyst, editor, admin."""


def _password(stdin: bool) -> str:
    if stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("password", hide_input=True, confirmation_prompt=True)


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(accounts.ROLES), default="analyst", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@_db_option
@_errors
def users_add(username: str, role: str, password_stdin: bool, db: str | None) -> None:
    """Add a user (the password is asked for, or read from standard input)."""
    with api.store(_settings(db)) as st:
        accounts.add_user(st, username, _password(password_stdin), role)
    click.echo(f"added {role} {username!r}")


@users.command("list")
@_db_option
@_json_option
@_errors
def users_list(db: str | None, as_json: bool) -> None:
    """List the users and their roles."""
    with api.store(_settings(db)) as st:
        rows = st.list_users()
    _echo_json(rows) if as_json else _table(rows, ["username", "role", "active", "created_at"])


@users.command("remove")
@click.argument("username")
@_db_option
@_errors
def users_remove(username: str, db: str | None) -> None:
    """Deactivate a user: they can no longer log in (users are never deleted: the audit trail names them)."""
    with api.store(_settings(db)) as st:
        accounts.deactivate(st, username)
    click.echo(f"deactivated {username!r}")


@users.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(accounts.ROLES))
@_db_option
@_errors
def users_role(username: str, role: str, db: str | None) -> None:
    """Change a user's role."""
    with api.store(_settings(db)) as st:
        accounts.set_role(st, username, role)
    click.echo(f"{username!r} is now {role}")


@users.command("token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@_db_option
@_errors
def users_token(username: str, name: str, db: str | None) -> None:
    """Create an API token acting as the user (printed once; only its hash is kept)."""
    with api.store(_settings(db)) as st:
        click.echo(accounts.create_token(st, username, name))
