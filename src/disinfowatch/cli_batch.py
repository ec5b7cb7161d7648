"""The command line for big corpora and the store's safety: batch mode of ``analyze``, ``load``,
``backup``, ``restore``. Parse, call the library, format; registered on the main group by ``cli``."""

from __future__ import annotations

import sys

import click

from . import api
from .cli import _db_option, _echo_json, _errors, _json_option, _settings, main
from .settings import Settings


def analyze_batch(settings: Settings, inputs, output: str, *, checkworthiness: bool, match: bool, as_json: bool) -> None:
    """``analyze --input --output``: shards in, shards out."""
    def progress(path, counts) -> None:
        if not as_json:
            click.echo(f"  {path}: {counts['documents']} documents, {counts['rejected']} rejected", err=True)

    result = api.analyze_shards(settings, inputs, output, checkworthiness=checkworthiness, match=match,
                                progress=progress)
    if as_json:
        _echo_json(result)
        return
    seconds = result["seconds"]
    total = sum(seconds.values()) or 1.0
    click.echo(f"analysed {result['shards']} shards into {output} ({result['skipped']} already done): "
               f"{result['documents']} documents, {result['rejected']} rejected, on {result['runner']} "
               f"({result['workers']} worker{'' if result['workers'] == 1 else 's'})")
    if seconds:
        click.echo("stage time: " + ", ".join(f"{k} {v / total:.0%}" for k, v in sorted(seconds.items())))
    click.echo(f"next: disinfowatch load {output}")


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@_db_option
@click.option("--no-verify", is_flag=True, help="Skip checking the new quotes and claims against primary sources.")
@_json_option
@_errors
def load(folder: str, db: str | None, no_verify: bool, as_json: bool) -> None:
    """Put the output of batch mode (`analyze --input ... --output FOLDER`) into the store:
    documents, analyses, alerts, rejections. Loading twice adds nothing."""
    def progress(shard, totals) -> None:
        if not as_json and sys.stderr.isatty():
            click.echo(f"  {shard.name}: {totals['documents']} documents so far", err=True)

    result = api.load(_settings(db), folder, verify=not no_verify, progress=progress)
    if as_json:
        _echo_json(result)
        return
    click.echo(f"loaded {result['shards']} shards: {result['documents']} new documents, {result['duplicates']} "
               f"already stored or duplicates, {result['alerts']} alerts, {result['rejections']} rejections")
    if "verification" in result:
        v = result["verification"]
        click.echo(f"verified {v['verified']} documents' quotes and claims against primary sources: {v['alerts']} alerts")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@_db_option
@click.option("--no-archive", is_flag=True, help="Leave out the archived raw bytes (smaller, but no evidence copies).")
@_json_option
@_errors
def backup(file: str, db: str | None, no_archive: bool, as_json: bool) -> None:
    """Back up the store and its archive into FILE (.tar or .tar.gz); safe while the monitor runs
    (SQLite's online backup; pg_dump for PostgreSQL)."""
    from .backup import backup as run

    result = run(_settings(db), file, archive=not no_archive)
    if as_json:
        _echo_json(result)
        return
    click.echo(f"wrote {result['file']} ({result['dialect']}, {result['archived_files']} archived files, "
               f"{result['bytes'] / 1e6:.1f} MB)")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_db_option
@click.option("--force", is_flag=True, help="Replace an existing SQLite file.")
@_json_option
@_errors
def restore(file: str, db: str | None, force: bool, as_json: bool) -> None:
    """Restore a backup made by `disinfowatch backup` into the store (--db) and its archive."""
    from .backup import restore as run

    result = run(_settings(db), file, force=force)
    if as_json:
        _echo_json(result)
        return
    click.echo(f"restored the {result['dialect']} backup of {result['created_at']} "
               f"({result['archived_files']} archived files)")
