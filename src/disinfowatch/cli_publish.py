"""The command line for publishing and monitoring: ``review-digest``, ``export``, ``watch``,
``health``. Parse, call the library, format; registered on the main group by ``cli``."""

from __future__ import annotations

import signal
import sys
from datetime import date
from pathlib import Path

import click

from . import api
from .cli import _db_option, _echo_json, _errors, _json_option, _settings, _table, main


@main.command("review-digest")
@click.option("--week", help="ISO week, e.g. 2017-W17 (default: this week).")
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="Or a range: first day (YYYY-MM-DD)...")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="... and last day.")
@click.option("--format", "fmt", type=click.Choice(["html", "md", "pdf"]), default="html", show_default=True)
@click.option("--language", default="en", show_default=True, help="Language of the boilerplate: en, nb, ru, uk, de.")
@click.option("--images", type=click.Choice(["embed", "linked"]), default="embed", show_default=True,
              help="Charts embedded in the HTML (data: URIs) or written beside it as PNG files.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
@_db_option
@_errors
def review_digest(week, first, last, fmt, language, images, output, db) -> None:
    """Draft the weekly review from the cases published in a week: the week's figures and trends
    against the four weeks before, charts, and every case grouped by narrative."""
    from . import digest

    settings = _settings(db)
    if not week and not (first and last):
        week = digest.week_of(date.today())
    with api.store(settings) as st:
        built = digest.build(st, week, first=first.date() if first else None, last=last.date() if last else None,
                             language=language)
    body, files = digest.render(built, fmt, images=images, public_url=settings.public_url)
    if output:
        path = Path(output)
        path.write_bytes(body)
        for name, data in files.items():
            (path.parent / name).write_bytes(data)
        click.echo(f"wrote {path} ({len(built.groups)} narratives, {built.figures['cases']} cases)"
                   + (f" and {', '.join(files)}" if files else ""), err=True)
    elif fmt == "pdf":
        raise click.UsageError("a PDF needs -o FILE")
    else:
        sys.stdout.buffer.write(body)


@main.command("export")
@click.argument("kind", type=click.Choice(["cases", "alerts", "documents", "claims"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="File to write.")
@click.option("--since", help="From this day (YYYY-MM-DD).")
@click.option("--until", help="Up to this day (YYYY-MM-DD).")
@click.option("--narrative", help="Only what is linked to this narrative id.")
@click.option("--language", help="Only this language (ISO 639-1).")
@click.option("--status", help="Only cases or alerts of this status.")
@_db_option
@_errors
def export_command(kind, fmt, output, since, until, narrative, language, status, db) -> None:
    """Export cases, alerts, documents or claims as CSV, JSON Lines or Parquet, streamed (any size)."""
    from .export import export

    with api.store(_settings(db)) as st:
        count = export(st, kind, fmt, output, since=since, until=until, narrative=narrative, language=language,
                       status=status)
    click.echo(f"wrote {count} {kind} to {output}")


@main.command()
@_db_option
@click.option("--once", is_flag=True, help="One round (poll what is due, analyse, check health, notify), then stop.")
@click.option("--seconds", type=float, help="Stop after this long (default: until SIGTERM or Ctrl-C).")
@click.option("--no-analyze", is_flag=True, help="Only ingest; leave the analysis to `disinfowatch analyze`.")
@_errors
def watch(db: str | None, once: bool, seconds: float | None, no_analyze: bool) -> None:
    """Run the monitor: poll every active source on its schedule (jittered, backing off when one
    fails), ingest and analyse what is new, check the coverage's health, send notifications.
    SIGTERM or Ctrl-C stops it after the document in hand; a restart picks up the schedule."""
    import threading

    from .watch import Monitor

    settings = _settings(db)
    stop = threading.Event()

    def stopping(signum, _frame):
        click.echo(f"stopping ({signal.Signals(signum).name}) ...", err=True)
        stop.set()

    previous = {sig: signal.signal(sig, stopping) for sig in (signal.SIGTERM, signal.SIGINT)}

    def report(result: dict) -> None:
        for poll in result["polls"]:
            status = "ok" if poll.ok else f"FAILED ({poll.error})"
            click.echo(f"{poll.source}: {status}; {poll.documents} new, {poll.rejected} rejected; "
                       f"next at {poll.next_due_at:%H:%M:%S}")
        for event in result["health"]["opened"]:
            click.echo(f"health: {event['subject_kind']} {event['subject']} is {event['kind']}: {event['detail']}")
        if any(result["notified"].values()):
            click.echo("notified: " + ", ".join(f"{k} {v}" for k, v in result["notified"].items()))

    try:
        with api.store(settings) as st:
            monitor = Monitor(st, settings, analyze=not no_analyze, stop=stop)
            ticks = monitor.run(seconds=seconds, max_ticks=1 if once else None, on_tick=report)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(f"stopped after {ticks} rounds", err=True)


@main.command()
@_db_option
@click.option("--check", is_flag=True, help="Check now (open and resolve health events) before listing.")
@_json_option
@_errors
def health(db: str | None, check: bool, as_json: bool) -> None:
    """Health of the coverage: sources and languages gone quiet, sources that keep failing, and
    each source's recent polls."""
    from . import health as checker

    settings = _settings(db)
    with api.store(settings) as st:
        if check:
            checker.check(st, settings)
        events = st.open_health()
        states = st.source_states()
        runs = st.source_runs(limit=200)
    if as_json:
        _echo_json({"open": events, "sources": states, "runs": runs})
        return
    click.echo("Open health alerts:")
    _table(events, ["opened_at", "kind", "subject_kind", "subject", "detail"])
    click.echo("\nSources:")
    rows = [{"source": name, "failures": s["failures"], "last ok": s["last_ok_at"], "next due": s["next_due_at"],
             "last error": s["last_error"]} for name, s in sorted(states.items())]
    _table(rows, ["source", "failures", "last ok", "next due", "last error"])
