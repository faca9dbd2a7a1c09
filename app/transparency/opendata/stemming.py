"""Words reduced to their stems, per language, for the public search (issue 18).

A text is searched in the language it is written in: "rapport" finds "nos rapports annuels"
(French), "Bericht" finds "Berichte" (German), "report" finds "reports" (English).

* PostgreSQL stems with its own text search configurations (`regconfig`): the names below.
* SQLite has no multilingual stemmer in FTS5, so the index stores each entry's words as
  Snowball stems (`SearchEntry.stems`), made here with `snowballstemmer` — the Snowball
  project's own pure-Python build of the same algorithms PostgreSQL uses (no compiler,
  wheels for every platform; it runs PyStemmer's C code instead when that is installed).

A language without a Snowball stemmer (or a code we do not know) is searched by its words
only (PostgreSQL: the 'simple' configuration).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

# ISO 639-1 code -> (Snowball algorithm, PostgreSQL 15 text search configuration or None).
LANGUAGES: dict[str, tuple[str, str | None]] = {
    "ar": ("arabic", "arabic"),
    "ca": ("catalan", "catalan"),
    "cs": ("czech", None),
    "da": ("danish", "danish"),
    "de": ("german", "german"),
    "el": ("greek", "greek"),
    "en": ("english", "english"),
    "es": ("spanish", "spanish"),
    "et": ("estonian", None),
    "eu": ("basque", "basque"),
    "fa": ("persian", None),
    "fi": ("finnish", "finnish"),
    "fr": ("french", "french"),
    "ga": ("irish", "irish"),
    "hi": ("hindi", "hindi"),
    "hu": ("hungarian", "hungarian"),
    "hy": ("armenian", "armenian"),
    "id": ("indonesian", "indonesian"),
    "it": ("italian", "italian"),
    "lt": ("lithuanian", "lithuanian"),
    "nb": ("norwegian", "norwegian"),
    "ne": ("nepali", "nepali"),
    "nl": ("dutch", "dutch"),
    "nn": ("norwegian", "norwegian"),
    "no": ("norwegian", "norwegian"),
    "pl": ("polish", None),
    "pt": ("portuguese", "portuguese"),
    "ro": ("romanian", "romanian"),
    "ru": ("russian", "russian"),
    "sr": ("serbian", "serbian"),
    "sv": ("swedish", "swedish"),
    "ta": ("tamil", "tamil"),
    "tr": ("turkish", "turkish"),
    "yi": ("yiddish", "yiddish"),
}
SIMPLE = "simple"
MAX_WORD = 40  # longer "words" (hashes, URLs run together) are kept as they are
_WORD = re.compile(r"[^\W_]+")
_local = threading.local()  # Snowball stemmers keep state while they stem: one per thread


def _base(code: str | None) -> str:
    return (code or "").replace("-", "_").split("_")[0].lower()


def algorithm(code: str | None) -> str | None:
    """The Snowball algorithm for a language code ("fr", "pt_BR"), or None."""
    found = LANGUAGES.get(_base(code))
    return found[0] if found else None


def regconfig(code: str | None) -> str:
    """PostgreSQL's text search configuration for a language code ('simple' when none)."""
    found = LANGUAGES.get(_base(code))
    return (found[1] if found else None) or SIMPLE


def fold(word: str) -> str:
    """Lower case without diacritics ("États" -> "etats"), as FTS5's unicode61 tokenizer
    with remove_diacritics folds what it indexes."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _stemmer(name: str):
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if name not in stemmers:
        stemmers[name] = snowballstemmer.stemmer(name)
    return stemmers[name]


@lru_cache(maxsize=100_000)
def stem(name: str, word: str) -> str:
    """`word` (case-folded) stemmed by the Snowball algorithm `name`, then folded. Cached:
    natural text repeats its words, and pure-Python stemming costs ~25-75 µs a word."""
    if len(word) > MAX_WORD:
        return fold(word)
    return fold(_stemmer(name).stemWord(word))


def stems_of(text: str, code: str | None) -> list[str]:
    """The stems of `text`'s words in its language that differ from the words themselves,
    each once, in order (a word that is its own stem is found by the word itself)."""
    name = algorithm(code)
    if name is None or not text:
        return []
    seen: set[str] = set()
    found: list[str] = []
    for word in _WORD.findall(text.casefold()):
        stemmed = stem(name, word)
        if stemmed != fold(word) and stemmed not in seen:
            seen.add(stemmed)
            found.append(stemmed)
    return found


def query_stems(term: str, codes) -> list[str]:
    """A typed word's stems in each of these languages (folded, each once), but not the word
    itself."""
    folded = fold(term)
    found: list[str] = []
    for name in dict.fromkeys(filter(None, map(algorithm, codes))):
        stemmed = stem(name, term.casefold())
        if stemmed and stemmed != folded and stemmed not in found:
            found.append(stemmed)
    return found


def regconfigs(codes) -> list[str]:
    """The distinct PostgreSQL configurations of these languages, 'simple' left out."""
    return [c for c in dict.fromkeys(map(regconfig, codes)) if c != SIMPLE]
