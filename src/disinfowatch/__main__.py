"""`python -m disinfowatch`: the same as the `disinfowatch` command."""

from .cli import main

main()
