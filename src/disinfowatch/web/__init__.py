"""The analysts' web app and REST API (``disinfowatch serve``); see :mod:`disinfowatch.web.app`."""

from .app import create_app

__all__ = ["create_app"]
