"""The weekly review: the week's figures and trends, charts, and every case the team published in
the week, grouped by narrative; as email-ready HTML, Markdown or PDF.

    digest = build(store, "2017-W17", language="nb")
    html, images = to_html(digest)                 # inline styles; images embedded (data: URIs) or linked
    markdown, images = to_markdown(digest)
    pdf = to_pdf(to_html(digest)[0])               # headless Chromium prints it

A case counts in the week an editor first published it (``released_at``), whatever the date of the
disinformation it records. The figures compare the week with the four before it: cases per
narrative, narratives with their first case, outlets, languages and countries discussed. The cover
note is the editor's, written in the app on top of the generated figures. The boilerplate comes in
English, Norwegian, Russian, Ukrainian and German (``digest.toml``).
"""

from __future__ import annotations

import base64
import functools
import io
import re
import shutil
import subprocess
import tempfile
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from .errors import DisinfowatchError, InvalidAction

FORMATS = ("html", "md", "pdf")
PREVIOUS_WEEKS = 4


@functools.cache
def _words() -> dict:
    return tomllib.loads(resources.files(__package__).joinpath("digest.toml").read_text(encoding="utf-8"))


def languages() -> list[str]:
    return sorted(_words())


def week_range(week: str) -> tuple[date, date]:
    """The Monday and Sunday of an ISO week ("2017-W17"); InvalidAction for anything else."""
    match = re.fullmatch(r"(\d{4})-W(\d{1,2})", week.strip())
    if not match:
        raise InvalidAction(f"bad week {week!r}: expected YYYY-Www, e.g. 2017-W17")
    try:
        first = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError as exc:
        raise InvalidAction(f"bad week {week!r}: {exc}") from None
    return first, first + timedelta(days=6)


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Digest:
    week: str  # the ISO week, or "FIRST..LAST" for a date range
    first: date
    last: date
    language: str
    words: dict
    groups: list[tuple[str | None, str, list]]  # (narrative id, title, [case, ...]) by size
    figures: dict
    cover_note: str = ""
    corrections: list[dict] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)  # name -> PNG


def build(store, week: str | None = None, *, first: date | None = None, last: date | None = None,
          language: str = "en") -> Digest:
    """The review of an ISO ``week`` (or of the days ``first`` to ``last``)."""
    if language not in _words():
        raise InvalidAction(f"no boilerplate in {language!r}; available: {', '.join(languages())}")
    if week:
        first, last = week_range(week)
    elif first is None or last is None:
        raise InvalidAction("give a week (YYYY-Www) or a first and last day")
    label = week or f"{first.isoformat()}..{last.isoformat()}"
    days = (last - first).days + 1
    cases = [case for case, _ in store.released_cases(first, last)]
    before = [store.released_cases(first - timedelta(days=days * n), first - timedelta(days=days * (n - 1) + 1))
              for n in range(1, PREVIOUS_WEEKS + 1)]
    earlier_narratives = {case.narrative_id for rows in before for case, _ in rows}
    earlier_narratives |= {c.narrative_id for c, _ in store.released_cases(date(1970, 1, 1), first - timedelta(days=1))}
    titles = {n.id: n.title for n in store.list_narratives()}
    per_narrative = Counter(case.narrative_id for case in cases)
    previous = Counter(case.narrative_id for rows in before for case, _ in rows)
    groups = [(nid, titles.get(nid, nid) if nid else "—", [c for c in cases if c.narrative_id == nid])
              for nid, _ in per_narrative.most_common()]
    figures = {
        "cases": len(cases),
        "previous_average": round(sum(len(rows) for rows in before) / PREVIOUS_WEEKS, 2),
        "per_narrative": [(titles.get(nid, nid or "—"), n, round(previous.get(nid, 0) / PREVIOUS_WEEKS, 2))
                          for nid, n in per_narrative.most_common()],
        "new_narratives": [titles.get(nid, nid) for nid in per_narrative if nid and nid not in earlier_narratives],
        "outlets": Counter(o for c in cases for o in c.outlets).most_common(8),
        "languages": Counter(x for c in cases for x in c.languages).most_common(),
        "countries": Counter(x for c in cases for x in c.countries).most_common(8),
        "weeks": [(week_of(first - timedelta(days=days * n)), len(rows)) for n, rows in
                  reversed(list(enumerate(before, start=1)))] + [(label, len(cases))],
    }
    note = store.cover_note(label, language) if week else None
    corrections = [c for c in store.corrections_for(limit=500)
                   if first <= c["at"].date() <= last]
    digest = Digest(label, first, last, language, _words()[language], groups, figures,
                    (note or {}).get("cover_note", ""), corrections)
    digest.images = charts(digest)
    return digest


# -- charts ------------------------------------------------------------------------------------------


def charts(digest: Digest) -> dict[str, bytes]:
    """PNG charts (matplotlib, no display): cases per narrative against the four weeks before, and
    cases per week."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    words = digest.words
    out = {}
    rows = digest.figures["per_narrative"][:8]
    if rows:
        fig, ax = plt.subplots(figsize=(7, 1.4 + 0.45 * len(rows)), dpi=110)
        labels = [_clip(title, 48) for title, _, _ in rows][::-1]
        now = [n for _, n, _ in rows][::-1]
        then = [avg for _, _, avg in rows][::-1]
        y = range(len(rows))
        ax.barh([i + 0.2 for i in y], now, height=0.4, color="#3867d6", label=words["this_week"])
        ax.barh([i - 0.2 for i in y], then, height=0.4, color="#a5b1c2", label=words["average"])
        ax.set_yticks(list(y), labels, fontsize=8)
        ax.set_title(words["chart_narratives"], fontsize=9)
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
        out["narratives.png"] = _png(fig)
    weeks = digest.figures["weeks"]
    fig, ax = plt.subplots(figsize=(7, 2.2), dpi=110)
    ax.bar([w for w, _ in weeks], [n for _, n in weeks], color=["#a5b1c2"] * (len(weeks) - 1) + ["#3867d6"])
    ax.set_title(words["chart_weeks"], fontsize=9)
    ax.tick_params(labelsize=7)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    out["weeks.png"] = _png(fig)
    return out


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# -- renderers ---------------------------------------------------------------------------------------


@functools.cache
def _env(markdown: bool = False):
    """Templates: HTML autoescaped; in Markdown every value has <, > and & escaped too (a Markdown
    reader may pass HTML through, and case texts come from the web)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from .web.app import safe_url

    finalize = (lambda value: value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                if isinstance(value, str) else value) if markdown else None
    env = Environment(loader=PackageLoader(__package__, "templates_digest"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True, finalize=finalize)
    env.filters["safe_url"] = safe_url
    return env


def to_html(digest: Digest, *, images: str = "embed", public_url: str | None = None) -> tuple[str, dict[str, bytes]]:
    """Email-ready HTML (inline styles, tables, no script) and the image files it links (none when
    they are embedded as data: URIs)."""
    if images not in ("embed", "linked"):
        raise InvalidAction(f"images must be embed or linked, not {images!r}")
    sources = {name: (f"data:image/png;base64,{base64.b64encode(data).decode()}" if images == "embed" else name)
               for name, data in digest.images.items()}
    html = _env().get_template("digest.html").render(d=digest, w=digest.words, images=sources,
                                                     public_url=(public_url or "").rstrip("/"))
    return html, ({} if images == "embed" else dict(digest.images))


def to_markdown(digest: Digest, *, public_url: str | None = None) -> tuple[str, dict[str, bytes]]:
    """Markdown, with the charts as image files next to it."""
    text = _env(markdown=True).get_template("digest.md").render(d=digest, w=digest.words, public_url=(public_url or "").rstrip("/"))
    return text, dict(digest.images)


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def to_pdf(html: str, *, timeout: float = 90) -> bytes:
    """The HTML printed to PDF by headless Chromium (Debian's ``chromium``); DisinfowatchError
    when there is none."""
    binary = chromium()
    if binary is None:
        raise DisinfowatchError("PDF needs Chromium: install it (apt-get install chromium), or use --format html")
    with tempfile.TemporaryDirectory() as tmp:
        page, out = Path(tmp) / "digest.html", Path(tmp) / "digest.pdf"
        page.write_text(html, encoding="utf-8")
        command = [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
                   f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={out}", page.as_uri()]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise DisinfowatchError(f"Chromium did not print the PDF within {timeout:.0f} s") from None
        if not out.is_file() or out.stat().st_size == 0:
            raise DisinfowatchError("Chromium printed no PDF")
        return out.read_bytes()


def render(digest: Digest, fmt: str, *, images: str = "embed", public_url: str | None = None) -> tuple[bytes, dict]:
    """(the document's bytes, image files to write beside it) in ``fmt`` (html | md | pdf)."""
    if fmt == "html":
        html, files = to_html(digest, images=images, public_url=public_url)
        return html.encode("utf-8"), files
    if fmt == "md":
        text, files = to_markdown(digest, public_url=public_url)
        return text.encode("utf-8"), files
    if fmt == "pdf":
        return to_pdf(to_html(digest, images="embed", public_url=public_url)[0]), {}
    raise InvalidAction(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
