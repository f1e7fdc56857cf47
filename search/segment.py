"""Chinese word segmentation for the search index and for queries.

Wagtail's database search backends cut text into tokens at spaces and punctuation (SQLite's
FTS5 ``unicode61`` tokenizer, PostgreSQL's default text-search parser). Chinese is written
without spaces, so a whole run of characters such as 发现涉黑涉恶线索请及时举报 would be one
token and a search for 举报 would find nothing. Text is therefore turned into space-separated
tokens before it reaches the index (``index_text``), and queries the same way (``query_terms``),
so both backends only ever see words.

What ``index_text`` writes, for each word jieba finds:

- the word itself;
- every dictionary word inside it (反有组织犯罪法 also gives 有组织犯罪, 组织, 犯罪 ...), so a
  search for a shorter word finds a page that only uses a longer one;
- each Chinese character of a word longer than one character, so that a one-character query
  (黑) finds pages too. One-character tokens cost little, and keep one index that answers
  one-, two- and longer queries instead of a second n-gram index.

Queries are cut into words the same way but without the expansions: every query word must be
in the page (AND), and a page with more of them, or with them in its title, ranks higher.

jieba runs without its HMM guesser of unknown words (``HMM=False``): with it, the same
characters can be cut differently in a long page and in a two-word query, and the query would
miss. Without it an unknown word (a name, say) falls apart into characters, which are indexed
anyway, so it is still found.

Text is NFKC-normalised (full-width letters and digits become ASCII) and lower-cased;
everything that is not a letter or digit is dropped, so the index and the backends' query
syntax never see punctuation, quotes or control characters.

jieba's dictionary, with the law's own terms from ``data/terms.txt`` added, is read from two
memory-mapped files (``search/dictionary.py``), not loaded as jieba's 60 MB dict in every
process. They are made once, in a process of their own, by ``manage.py build_search_dictionary``
at deployment or on the first search, under the project's ``var/cache/`` (``PORTAL_VAR_DIR``)
rather than the shared temporary folder, where another local user could plant a file of the
same name.
"""

import logging
import re
import subprocess
import tempfile
import threading
import unicodedata
from pathlib import Path

from django.conf import settings

from . import dictionary as compact

logger = logging.getLogger(__name__)

terms = compact.terms

# Letters and digits of any script; everything else separates words.
NOT_WORD = re.compile(r"[\W_]+")
CJK = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\U00030000-\U0003134f]"
)
# A query longer than this many words is cut short: each word is one more condition in SQL.
MAX_QUERY_TERMS = 20
# Dictionary words inside a longer word are looked for up to this length.
MAX_INNER_WORD = 8

_lock = threading.Lock()
_dictionary = None


def dictionary_dir():
    return Path(getattr(settings, "VAR_DIR", "var")) / "cache" / "search-dictionary"


def _open_or_build():
    folder = dictionary_dir()
    try:
        return compact.Dictionary(folder)
    except FileNotFoundError:
        pass
    try:
        compact.build_in_subprocess(folder)
    except (OSError, subprocess.SubprocessError) as error:
        # A read-only var/: a private folder of this process instead of a guessable name.
        logger.warning(
            "The search dictionary could not be written to %s (%s); run manage.py "
            "build_search_dictionary when deploying.",
            folder,
            error,
        )
        folder = tempfile.mkdtemp(prefix="search-dictionary-")
        compact.build_in_subprocess(folder)
    return compact.Dictionary(folder)


def dictionary():
    """jieba's dictionary with the law's terms, opened on first use and shared by the
    process."""
    global _dictionary
    if _dictionary is None:
        with _lock:
            if _dictionary is None:
                _dictionary = _open_or_build()
    return _dictionary


def normalize(text):
    """NFKC, lower case, and spaces for everything that is not a letter or a digit."""
    text = unicodedata.normalize("NFKC", str(text or "")).lower()
    return NOT_WORD.sub(" ", text).strip()


def words(text):
    """The words of the text, in order (jieba's precise mode without guessing)."""
    text = normalize(text)
    if not text:
        return []
    return [word for word in dictionary().cut(text) if word.strip()]


def _inner_words(word, frequency):
    length = len(word)
    for size in range(2, min(length - 1, MAX_INNER_WORD) + 1):
        for start in range(length - size + 1):
            part = word[start : start + size]
            if frequency(part):
                yield part


def index_text(text):
    """The text as space-separated tokens for the index: words, the dictionary words inside
    them, and the single characters of Chinese words."""
    frequency = dictionary().frequency
    tokens = []
    for word in words(text):
        tokens.append(word)
        if len(word) > 1 and CJK.search(word):
            tokens.extend(_inner_words(word, frequency))
            tokens.extend(char for char in word if CJK.match(char))
    return " ".join(tokens)


def query_terms(query):
    """The distinct words of a query, in order, at most MAX_QUERY_TERMS of them."""
    seen = []
    for word in words(query):
        if word not in seen:
            seen.append(word)
    return seen[:MAX_QUERY_TERMS]
