"""A realistic news-site article page, written for the tests (no third-party markup copied).

``news_page`` wraps article paragraphs in the chrome a scraper meets on a real news site: a
header with a navigation menu, a cookie banner, ad boxes marked "ANNONSE", "Les også:" teasers
between paragraphs, a share bar, a related-links list, a footer, ``<script>`` and ``<style>``
blocks and JSON-LD metadata. The clean tests check that extraction keeps exactly the article
paragraphs; the feed tests serve it over HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from html import escape

# Chrome text, made up for these tests.
MENU = ["Nyheter", "Sport", "Økonomi", "Kultur", "Meninger", "Video", "Podkast"]
TEASERS = [
    "Slik blir været i påsken",
    "Bensinprisene stiger igjen",
    "Ny rekord for strømforbruket",
    "Dette vet vi om budsjettforliket",
]
RELATED = [
    "Kommunen vil bygge ny skole",
    "Ekspertene strides om renten",
    "Fergen innstilt på grunn av uvær",
]
STYLE = """
body { font-family: Georgia, serif; margin: 0 }
.ad { background: #eee; min-height: 250px; text-align: center }
.ad::before { content: "ANNONSE"; font-size: 10px }
nav ul { display: flex; list-style: none }
"""
TRACKER = """
window.dataLayer = window.dataLayer || [];
function track(event) { window.dataLayer.push({event: event, ts: Date.now()}); }
document.addEventListener("DOMContentLoaded", function () { track("article_view"); });
var adSlots = ["<div class='ad'>ANNONSE</div>"];
"""


def _ad(slot: str) -> str:
    return (f'<div class="ad ad-{slot}" data-ad-slot="{slot}"><span class="ad-label">ANNONSE</span>'
            f'<iframe src="https://ads.example.net/{slot}" title="Annonse"></iframe></div>')


def _teaser(title: str, n: int) -> str:
    return (f'<aside class="read-also"><p><strong>Les også:</strong> '
            f'<a href="/nyheter/{n}">{escape(title)}</a></p></aside>')


def news_page(
    title: str,
    paragraphs: Sequence[str],
    *,
    date: str,
    author: str,
    canonical_url: str,
    site_name: str,
    lang: str,
    headings: Collection[str] = (),
    charset: str = "utf-8",
    inline_debris: bool = False,
) -> str:
    """An article page as a news site serves it. Paragraphs listed in ``headings`` become
    ``<h2>`` subheadings; a "Les også:" teaser and an ad box follow every third paragraph, as
    ``<aside>``/``<div>`` boxes, or with ``inline_debris`` as plain ``<p>`` paragraphs of the
    article body (what a scraper sees on sites that mark nothing up)."""
    locale = {"nb": "nb_NO", "nn": "nn_NO", "en": "en_GB", "de": "de_DE", "ru": "ru_RU"}.get(lang, lang)
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": date,
        "author": {"@type": "Person", "name": author},
        "publisher": {"@type": "Organization", "name": site_name},
        "mainEntityOfPage": canonical_url,
    }
    ld_json = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")  # no "</script>" inside the script
    body: list[str] = []
    for i, text in enumerate(paragraphs):
        tag = "h2" if text in headings else "p"
        body.append(f"<{tag}>{escape(text)}</{tag}>")
        if i % 3 == 2 and i + 1 < len(paragraphs):
            teaser = TEASERS[(i // 3) % len(TEASERS)]
            if inline_debris:
                body.append(f'<p>Les også: <a href="/nyheter/{i}">{escape(teaser)}</a></p>')
                body.append("<p>ANNONSE</p>")
            else:
                body.append(_teaser(teaser, i))
                body.append(_ad(f"inline-{i}"))
    menu = "".join(f'<li><a href="/{escape(m.lower())}">{escape(m)}</a></li>' for m in MENU)
    related = "".join(f'<li><a href="/sak/{n}">{escape(r)}</a></li>' for n, r in enumerate(RELATED))
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}">
<head>
<meta charset="{escape(charset)}">
<title>{escape(title)} – {escape(site_name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="author" content="{escape(author)}">
<meta name="description" content="{escape(paragraphs[0][:150]) if paragraphs else ''}">
<meta property="og:type" content="article">
<meta property="og:title" content="{escape(title)}">
<meta property="og:site_name" content="{escape(site_name)}">
<meta property="og:locale" content="{escape(locale)}">
<meta property="og:url" content="{escape(canonical_url)}">
<meta property="article:published_time" content="{escape(date)}">
<link rel="canonical" href="{escape(canonical_url)}">
<style>{STYLE}</style>
<script>{TRACKER}</script>
<script type="application/ld+json">{ld_json}</script>
</head>
<body>
<div id="cookie-consent" class="cookie-banner" role="dialog">
<p>Vi bruker informasjonskapsler (cookies) for å gi deg en bedre opplevelse og for å vise relevante annonser.</p>
<button>Godta alle</button> <button>Innstillinger</button>
</div>
<header class="site-header">
<a class="logo" href="/">{escape(site_name)}</a>
<nav class="main-menu"><ul>{menu}</ul></nav>
<form class="search" action="/sok"><input name="q" placeholder="Søk"><button>Søk</button></form>
</header>
{_ad("top")}
<main id="main">
<article class="article">
<header class="article-header">
<h1>{escape(title)}</h1>
<p class="byline">Av <span class="author">{escape(author)}</span>
<time datetime="{escape(date)}">{escape(date)}</time></p>
<div class="share-bar"><a href="#">Del på Facebook</a> <a href="#">Del på Twitter</a> <a href="#">Del på e-post</a></div>
</header>
<div class="article-body">
{chr(10).join(body)}
</div>
<div class="share-bar bottom"><a href="#">Del på Facebook</a> <a href="#">Del på Twitter</a></div>
</article>
{_ad("bottom")}
<aside class="related-articles"><h2>Mer fra {escape(site_name)}</h2><ul>{related}</ul></aside>
</main>
<footer class="site-footer">
<p>Ansvarlig redaktør: Kari Nordmann. {escape(site_name)} arbeider etter Vær Varsom-plakatens regler for god presseskikk.</p>
<ul><li><a href="/om">Om oss</a></li><li><a href="/personvern">Personvern</a></li><li><a href="/cookies">Informasjonskapsler</a></li></ul>
</footer>
<script src="https://cdn.example.net/analytics.js" async></script>
<script>track("footer_loaded"); if (window.ads) {{ ads.render("ANNONSE"); }}</script>
</body>
</html>
"""
