"""The app for a process manager: ``uvicorn --factory disinfowatch.web.serve:app --workers 2``.
Settings come from the environment and the config file as everywhere (``DISINFOWATCH_DB``, ...)."""

from __future__ import annotations


def app():
    from ..settings import load
    from .app import create_app

    return create_app(load())
