"""Synthetic multilingual news pages, for benchmarks and scale tests (not for quality claims).

    python -m disinfowatch.demo.generate OUT_DIR N [SEED]             # HTML files
    python -m disinfowatch.demo.generate --shards OUT_DIR N [SEED]    # Parquet shards of 1,000 for batch mode

Pages are deterministic for a seed, wrapped in realistic site chrome (navigation, cookie banner,
ad slots, related links, share bar, footer, scripts, JSON-LD), and about 5% are exact
republications and 5% near-duplicates (one sentence changed) of earlier pages.
"""

from __future__ import annotations

import html
import json
import random
import sys
from pathlib import Path

LANGUAGES = ("nb", "en", "ru", "uk", "de", "sv", "fr", "pl")
SITES = [("Nordlys Nyheter", "nordlys.example", "nb"), ("Baltic Ledger", "ledger.example", "en"),
         ("Вести Севера", "vesti-severa.example", "ru"), ("Голос Прикордоння", "holos.example", "uk"),
         ("Rheinischer Bote", "bote.example", "de"), ("Östersjöposten", "ostersjo.example", "sv"),
         ("Le Courrier du Nord", "courrier.example", "fr"), ("Kurier Bałtycki", "kurier.example", "pl")]

ACTORS = ["NATO", "the EU", "Jens Stoltenberg", "the Kremlin", "Ukraine", "Poland", "Norway", "Germany"]
PLACES = {"nb": ["Oslo", "Tromsø", "Kirkenes", "Bodø"], "en": ["Riga", "Tallinn", "Vilnius", "Brussels"],
          "ru": ["Москве", "Калининграде", "Мурманске", "Пскове"], "uk": ["Києві", "Харкові", "Одесі", "Львові"],
          "de": ["Berlin", "Hamburg", "Rostock", "Kiel"], "sv": ["Stockholm", "Visby", "Luleå", "Malmö"],
          "fr": ["Paris", "Lille", "Strasbourg", "Brest"], "pl": ["Gdańsku", "Warszawie", "Białymstoku", "Suwałkach"]}

# Sentence templates per language: {place}, {n}, {m} are filled in. Written for this project.
TEMPLATES = {
    "nb": ["Kommunestyret i {place} vedtok torsdag et budsjett på {n} millioner kroner.",
           "- Vi må ta trusselen fra desinformasjon på alvor, sier ordføreren i {place}.",
           "Ifølge politiet ble {n} personer kontrollert ved grensen den siste uken.",
           "Regjeringen sier at beredskapen i nord skal styrkes med {m} nye stillinger.",
           "Forskere ved universitetet i {place} har kartlagt {n} falske nettsider.",
           "Det blir hevdet at øvelsen er en forberedelse til angrep, men det avvises av forsvaret.",
           "Været i {place} blir kaldt, med snø og sterk vind utover kvelden.",
           "Fiskeriministeren sa at kvotene for neste år øker med {m} prosent.",
           "Mange innbyggere i {place} har fått falske SMS-er om strømpriser.",
           "Forsvaret opplyser at {n} soldater deltar i øvelsen som varer i {m} dager."],
    "en": ["The city council in {place} approved a budget of {n} million euros on Thursday.",
           "\"We have to take disinformation seriously,\" the mayor of {place} said.",
           "According to the police, {n} people were checked at the border last week.",
           "The government says {m} new positions will strengthen preparedness in the north.",
           "Researchers in {place} have mapped {n} fake websites imitating real newspapers.",
           "It is claimed that the exercise is preparation for an attack, which the ministry denies.",
           "The weather in {place} will turn cold, with snow and strong winds in the evening.",
           "The fisheries minister said quotas for next year will rise by {m} percent.",
           "Many residents of {place} received fake text messages about electricity prices.",
           "The armed forces say {n} soldiers take part in the exercise, which lasts {m} days."],
    "ru": ["Городской совет в {place} в четверг утвердил бюджет в {n} миллионов рублей.",
           "— Мы должны серьёзно относиться к угрозам, — заявил мэр города.",
           "По данным полиции, на границе за неделю проверили {n} человек.",
           "Утверждается, что учения являются подготовкой к нападению, однако министерство это отрицает.",
           "Исследователи в {place} обнаружили {n} поддельных сайтов.",
           "Правительство заявило, что в регионе появятся {m} новых рабочих мест.",
           "Погода в {place} станет холодной, вечером ожидается снег и сильный ветер.",
           "Министр рыболовства сказал, что квоты на следующий год вырастут на {m} процентов.",
           "Многие жители получили ложные сообщения о ценах на электричество.",
           "В учениях участвуют {n} военнослужащих, они продлятся {m} дней."],
    "uk": ["Міська рада в {place} у четвер ухвалила бюджет на {n} мільйонів гривень.",
           "— Ми маємо серйозно ставитися до дезінформації, — заявив мер міста.",
           "За даними поліції, на кордоні за тиждень перевірили {n} осіб.",
           "Стверджується, що навчання є підготовкою до нападу, але міністерство це заперечує.",
           "Дослідники в {place} виявили {n} фальшивих сайтів.",
           "Уряд заявив, що в регіоні з'являться {m} нових робочих місць.",
           "Погода в {place} стане холодною, увечері очікується сніг і сильний вітер.",
           "Міністр аграрної політики сказав, що квоти наступного року зростуть на {m} відсотків.",
           "Багато мешканців отримали фальшиві повідомлення про ціни на електроенергію.",
           "У навчаннях беруть участь {n} військових, вони триватимуть {m} днів."],
    "de": ["Der Stadtrat in {place} hat am Donnerstag einen Haushalt von {n} Millionen Euro beschlossen.",
           "„Wir müssen Desinformation ernst nehmen“, sagte der Bürgermeister von {place}.",
           "Nach Angaben der Polizei wurden in der vergangenen Woche {n} Personen an der Grenze kontrolliert.",
           "Es wird behauptet, dass die Übung die Vorbereitung eines Angriffs sei, was das Ministerium bestreitet.",
           "Forscher in {place} haben {n} gefälschte Nachrichtenseiten entdeckt.",
           "Die Regierung sagt, dass {m} neue Stellen die Vorsorge im Norden stärken sollen.",
           "Das Wetter in {place} wird kalt, am Abend gibt es Schnee und starken Wind.",
           "Der Fischereiminister sagte, die Fangquoten stiegen im nächsten Jahr um {m} Prozent.",
           "Viele Einwohner von {place} haben gefälschte SMS über Strompreise erhalten.",
           "Die Streitkräfte teilen mit, dass {n} Soldaten an der Übung teilnehmen, die {m} Tage dauert."],
    "sv": ["Kommunfullmäktige i {place} antog i torsdags en budget på {n} miljoner kronor.",
           "– Vi måste ta desinformation på allvar, säger kommunalrådet i {place}.",
           "Enligt polisen kontrollerades {n} personer vid gränsen förra veckan.",
           "Det påstås att övningen är en förberedelse för ett anfall, men försvaret avvisar det.",
           "Forskare i {place} har kartlagt {n} falska nyhetssajter.",
           "Regeringen säger att {m} nya tjänster ska stärka beredskapen i norr.",
           "Vädret i {place} blir kallt, med snö och hård vind under kvällen.",
           "Fiskeministern sade att kvoterna för nästa år ökar med {m} procent.",
           "Många invånare i {place} har fått falska sms om elpriser.",
           "Försvarsmakten uppger att {n} soldater deltar i övningen som pågår i {m} dagar."],
    "fr": ["Le conseil municipal de {place} a adopté jeudi un budget de {n} millions d'euros.",
           "« Nous devons prendre la désinformation au sérieux », a déclaré le maire de {place}.",
           "Selon la police, {n} personnes ont été contrôlées à la frontière la semaine dernière.",
           "On affirme que l'exercice prépare une attaque, ce que le ministère dément.",
           "Des chercheurs de {place} ont recensé {n} faux sites d'information.",
           "Le gouvernement indique que {m} nouveaux postes renforceront la préparation dans le nord.",
           "Le temps à {place} va se refroidir, avec de la neige et un vent fort en soirée.",
           "Le ministre de la pêche a dit que les quotas augmenteront de {m} pour cent l'an prochain.",
           "De nombreux habitants de {place} ont reçu de faux SMS sur les prix de l'électricité.",
           "L'armée indique que {n} soldats participent à l'exercice, qui dure {m} jours."],
    "pl": ["Rada miasta w {place} przyjęła w czwartek budżet w wysokości {n} milionów złotych.",
           "„Musimy traktować dezinformację poważnie” – powiedział prezydent miasta.",
           "Według policji w zeszłym tygodniu na granicy skontrolowano {n} osób.",
           "Twierdzi się, że ćwiczenia są przygotowaniem do ataku, czemu ministerstwo zaprzecza.",
           "Naukowcy w {place} wykryli {n} fałszywych serwisów informacyjnych.",
           "Rząd podaje, że {m} nowych etatów wzmocni gotowość na północy.",
           "Pogoda w {place} będzie zimna, wieczorem spadnie śnieg i powieje silny wiatr.",
           "Minister rybołówstwa powiedział, że kwoty w przyszłym roku wzrosną o {m} procent.",
           "Wielu mieszkańców otrzymało fałszywe SMS-y o cenach prądu.",
           "Wojsko informuje, że w ćwiczeniach bierze udział {n} żołnierzy, a potrwają one {m} dni."],
}

CHROME = {  # menu, cookie text, ad marker, read-also label, share text
    "nb": ("Nyheter Sport Kultur Meninger", "Vi bruker informasjonskapsler for å gi deg en bedre opplevelse.", "ANNONSE", "Les også", "Del på Facebook"),
    "en": ("News Sport Culture Opinion", "We use cookies to give you a better experience.", "Advertisement", "Read also", "Share this article"),
    "ru": ("Новости Спорт Культура Мнения", "Мы используем файлы cookie, чтобы сайт работал лучше.", "Реклама", "Читайте также", "Поделиться"),
    "uk": ("Новини Спорт Культура Думки", "Ми використовуємо файли cookie, щоб сайт працював краще.", "Реклама", "Читайте також", "Поділитися"),
    "de": ("Nachrichten Sport Kultur Meinung", "Wir verwenden Cookies, um Ihnen ein besseres Erlebnis zu bieten.", "Anzeige", "Lesen Sie auch", "Artikel teilen"),
    "sv": ("Nyheter Sport Kultur Åsikt", "Vi använder cookies för att ge dig en bättre upplevelse.", "ANNONS", "Läs också", "Dela på Facebook"),
    "fr": ("Actualités Sport Culture Opinions", "Nous utilisons des cookies pour améliorer votre expérience.", "Publicité", "Lire aussi", "Partager"),
    "pl": ("Wiadomości Sport Kultura Opinie", "Używamy plików cookie, aby strona działała lepiej.", "Reklama", "Czytaj też", "Udostępnij"),
}


def news_page(title: str, paragraphs: list[str], *, date: str, author: str, canonical_url: str,
              site_name: str, lang: str, related: list[str] | None = None) -> str:
    """A realistic news-site page around an article: everything but the article is chrome."""
    menu, cookies, ad, read_also, share = CHROME.get(lang, CHROME["en"])
    e = html.escape
    related = related or [f"{title[:30]} …", "Slik jobber redaksjonen", "Mest lest i dag"]
    body = []
    for i, paragraph in enumerate(paragraphs):
        body.append(f"<p>{e(paragraph)}</p>")
        if i == 1:
            body.append(f'<aside class="ad"><span>{e(ad)}</span><img src="/ads/banner.png" alt=""></aside>')
        if i == 2:
            body.append(f'<aside class="teaser"><a href="/related/1">{e(read_also)}: {e(related[0])}</a></aside>')
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title, "datePublished": date,
                     "author": {"@type": "Person", "name": author}, "publisher": {"@type": "Organization", "name": site_name}},
                    ensure_ascii=False).replace("</", "<\\/")
    items = "".join(f'<li><a href="/{i}">{e(w)}</a></li>' for i, w in enumerate(menu.split()))
    rel = "".join(f'<li><a href="/related/{i}">{e(r)}</a></li>' for i, r in enumerate(related))
    return f"""<!DOCTYPE html>
<html lang="{e(lang)}">
<head>
<meta charset="utf-8">
<title>{e(title)} – {e(site_name)}</title>
<link rel="canonical" href="{e(canonical_url)}">
<meta property="og:site_name" content="{e(site_name)}">
<meta property="og:title" content="{e(title)}">
<meta name="author" content="{e(author)}">
<meta property="article:published_time" content="{e(date)}">
<style>body{{font-family:sans-serif}} .cookie{{position:fixed;bottom:0}}</style>
<script>window.dataLayer = window.dataLayer || []; function track(){{dataLayer.push(arguments)}}</script>
<script type="application/ld+json">{ld}</script>
</head>
<body>
<div class="cookie-banner" id="cookies"><p>{e(cookies)}</p><button>OK</button></div>
<header><a class="logo" href="/">{e(site_name)}</a><nav><ul>{items}</ul></nav></header>
<div class="ad top"><span>{e(ad)}</span></div>
<main>
<article>
<h1>{e(title)}</h1>
<div class="byline"><span class="author">{e(author)}</span> <time datetime="{e(date)}">{e(date[:10])}</time></div>
{chr(10).join(body)}
</article>
<div class="share"><a href="#">{e(share)}</a></div>
<section class="related"><h2>{e(read_also)}</h2><ul>{rel}</ul></section>
</main>
<footer><p>© {e(site_name)}</p><a href="/about">About</a> <a href="/privacy">Privacy</a></footer>
<script>track('pageview');</script>
</body>
</html>
"""


def _article(rng: random.Random, lang: str) -> tuple[str, list[str]]:
    templates = TEMPLATES[lang]
    sentences = []
    for _ in range(rng.randint(8, 45)):
        sentence = rng.choice(templates).format(place=rng.choice(PLACES[lang]), n=rng.randint(2, 9000), m=rng.randint(2, 90))
        sentences.append(sentence)
    paragraphs, i = [], 0
    while i < len(sentences):
        k = rng.randint(1, 4)
        paragraphs.append(" ".join(sentences[i:i + k]))
        i += k
    title = sentences[0].split(",")[0].rstrip(".")[:90]
    return title, paragraphs


def generate_pages(n: int, *, seed: int = 0, languages: tuple[str, ...] = LANGUAGES):
    """``n`` pages as (url, site name, html), deterministic for ``seed``."""
    rng = random.Random(seed)
    sites = [s for s in SITES if s[2] in languages]
    made: list[tuple[str, list[str], tuple]] = []
    for i in range(n):
        roll = rng.random()
        if made and roll < 0.05:  # exact republication on another site
            title, paragraphs, site = rng.choice(made)
            site = rng.choice(sites)
        elif made and roll < 0.10:  # near-duplicate: one sentence edited
            title, paragraphs, site = rng.choice(made)
            paragraphs = list(paragraphs)
            j = rng.randrange(len(paragraphs))
            paragraphs[j] = paragraphs[j] + " " + rng.choice(TEMPLATES[site[2]]).format(place="X", n=1, m=1)
        else:
            site = rng.choice(sites)
            title, paragraphs = _article(rng, site[2])
            made.append((title, paragraphs, site))
        name, host, lang = site
        date = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(6, 22):02d}:00:00+01:00"
        url = f"https://{host}/news/{i}"
        yield url, name, news_page(title, paragraphs, date=date, author=f"Redaksjon {rng.randint(1, 40)}",
                                   canonical_url=url, site_name=name, lang=lang)


def generate_corpus(out_dir: Path, n: int, *, seed: int = 0, languages: tuple[str, ...] = LANGUAGES) -> list[Path]:
    """Write ``n`` pages to ``out_dir`` (created) as HTML files; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (_, _, page) in enumerate(generate_pages(n, seed=seed, languages=languages)):
        path = out_dir / f"page-{i:06d}.html"
        path.write_text(page, encoding="utf-8")
        paths.append(path)
    return paths


def generate_shards(out_dir: Path, n: int, *, per_shard: int = 1000, seed: int = 0, fmt: str = "parquet",
                    languages: tuple[str, ...] = LANGUAGES) -> list[Path]:
    """Write ``n`` pages as shards of ``per_shard`` records (``url``, ``html``, ``source``), Parquet
    or JSON Lines, for batch mode (``disinfowatch analyze --input``); return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows, paths = [], []

    def flush() -> None:
        path = out_dir / f"shard-{len(paths):05d}.{fmt}"
        if fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.Table.from_pylist(rows), str(path))
        else:
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        paths.append(path)
        rows.clear()

    for url, name, page in generate_pages(n, seed=seed, languages=languages):
        rows.append({"url": url, "html": page, "source": name})
        if len(rows) >= per_shard:
            flush()
    if rows:
        flush()
    return paths


if __name__ == "__main__":  # pragma: no cover
    args = sys.argv[1:]
    shards = bool(args) and args[0] == "--shards"
    args = args[1:] if shards else args
    if len(args) < 2:
        sys.exit("usage: python -m disinfowatch.demo.generate [--shards] OUT_DIR N [SEED]")
    make = generate_shards if shards else generate_corpus
    make(Path(args[0]), int(args[1]), seed=int(args[2]) if len(args) > 2 else 0)
