"""The CLI: every command has help and is documented in the README; errors are one line; demo works."""

import json
import re
from pathlib import Path

import click
from click.testing import CliRunner

from disinfowatch.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def _commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))


def test_every_command_has_help_and_is_in_the_readme():
    runner = CliRunner()
    readme = README.read_text(encoding="utf-8")
    for path, cmd in _commands(main):
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, path
        assert cmd.help, f"command {' '.join(path)} has no help text"
        assert re.search(rf"disinfowatch {' '.join(path)}\b", readme), f"`disinfowatch {' '.join(path)}` is not in the README"


def test_library_errors_are_one_line_messages(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "x.db")
    result = runner.invoke(main, ["show", "42", "--db", db])
    assert result.exit_code == 1
    assert "no document with id 42" in result.output and "Traceback" not in result.output
    result = runner.invoke(main, ["stats", "--db", "mysql://nope"])
    assert result.exit_code == 1 and "setting 'db'" in result.output
    result = runner.invoke(main, ["ingest", "--db", db])
    assert result.exit_code == 2 and "at least one file" in result.output


def test_sources_add_list_remove(tmp_path):
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 's.db'}"
    ok = runner.invoke(main, ["sources", "add", "tass", "https://tass.example/rss", "--language", "ru",
                              "--outlet", "TASS", "--label", "state media", "--db", db])
    assert ok.exit_code == 0, ok.output
    dup = runner.invoke(main, ["sources", "add", "tass", "https://x.example/rss", "--db", db])
    assert dup.exit_code == 1 and "tass" in dup.output
    listed = json.loads(runner.invoke(main, ["sources", "list", "--json", "--db", db]).output)
    assert [(s["name"], s["language"], s["outlet"], s["label"]) for s in listed] == [("tass", "ru", "TASS", "state media")]
    assert runner.invoke(main, ["sources", "remove", "tass", "--db", db]).exit_code == 0
    gone = runner.invoke(main, ["sources", "remove", "tass", "--db", db])
    assert gone.exit_code == 1 and "no source named 'tass'" in gone.output


def test_demo_ingests_the_bundled_corpus_and_shows_what_was_stored(tmp_path):
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    result = runner.invoke(main, ["demo", "--db", db], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Documents per source and language" in result.output
    # The demo's fictional transcript: the state-TV claim is divergent, the Norwegian quotes faithful.
    assert "Quotes and claims checked against 2 primary sources" in result.output
    assert re.search(r"DIVERGENT \d\.\d\d  claim .*\n    report:  «NATO forbereder et angrep på Russland»",
                     result.output), result.output
    assert "FAITHFUL" in result.output and "«NATO does not seek confrontation with Russia.»" in result.output
    stats = json.loads(runner.invoke(main, ["stats", "--json", "--db", db]).output)
    languages = {row["language"] for row in stats}
    assert {"nb", "en", "ru", "uk", "de", "sv"} <= languages
    assert sum(row["documents"] for row in stats) >= 20
    again = runner.invoke(main, ["demo", "--db", db, "--keep", "--json"])
    report = json.loads(again.output)["report"]
    assert report["documents"] == 0, "a second run over the same store adds nothing"
    rejections = json.loads(runner.invoke(main, ["rejections", "--json", "--db", db]).output)
    assert rejections and all(r["reason"] and r["stage"] for r in rejections)
    hits = json.loads(runner.invoke(main, ["search", "NATO", "--json", "--db", db]).output)
    assert hits
    shown = runner.invoke(main, ["show", str(hits[0]["id"]), "--db", db])
    assert shown.exit_code == 0 and "appeared at" in shown.output
