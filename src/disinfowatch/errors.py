"""Errors raised by disinfowatch.

The hierarchy::

    DisinfowatchError            anything this package raises on purpose
    ├── ConfigError              a setting has a bad value (names the key)
    ├── StoreError               the store cannot be opened or migrated
    ├── NotFound                 no such alert, case, document or user
    ├── PermissionDenied         the user's role does not allow it (names the role needed)
    ├── InvalidAction            not possible in this state (publishing a withdrawn case, ...)
    └── Rejected                 an input item cannot be used; carries stage and reason

``Rejected`` is expected: a stage raises it for bad input and the pipeline records it as a
:class:`~disinfowatch.records.Rejection` and goes on with the rest of the batch.
"""

from __future__ import annotations


class DisinfowatchError(Exception):
    """Base class for errors raised on purpose by disinfowatch."""


class ConfigError(DisinfowatchError):
    """A setting is missing or has a bad value."""

    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(f"setting {key!r}: {message}")


class StoreError(DisinfowatchError):
    """The store cannot be opened, reached or migrated."""


class Rejected(DisinfowatchError):
    """An input item cannot be used.

    ``stage`` names the pipeline stage that refused it (``fetch``, ``read``, ``clean``, ...),
    ``reason`` is a short machine-friendly code (``http-404``, ``too-large``, ``empty-text``),
    ``detail`` a sentence for people.
    """

    def __init__(self, stage: str, reason: str, detail: str = ""):
        self.stage = stage
        self.reason = reason
        self.detail = detail
        super().__init__(f"{stage}: {reason}" + (f" ({detail})" if detail else ""))


class NotFound(DisinfowatchError):
    """No such alert, case, document, source or user."""


class PermissionDenied(DisinfowatchError):
    """The user's role does not allow the action; the message names the role it needs."""


class InvalidAction(DisinfowatchError):
    """The action is not possible in the object's state (publishing a withdrawn case, ...)."""
