"""jieba's word dictionary in two memory-mapped files, and jieba's precise cut over them.

jieba keeps its dictionary as a Python dict of about 500,000 words and word prefixes with
their frequencies: some 60 MB in every process that searches or indexes, plus 14 MB more for
the HMM model of unknown words that ``import jieba`` loads and this portal never uses
(``HMM=False``, see segment.py). Here the same words live in a MARISA trie (about 1.3 MB) and
their frequencies in an array of 32-bit numbers (2 MB), both memory-mapped read-only, so the
operating system shares them between the gunicorn workers and the task worker.

``build(folder)`` makes the files once from jieba's own dictionary with the law's terms
added exactly as jieba's ``add_word`` adds them (``data/terms.txt``); it runs in a process of its
own (``python -I search/dictionary.py FOLDER``), so that jieba's dict is never built inside a
worker that would keep its freed memory. The file names carry a fingerprint of everything they
are made from, so a new jieba or a changed term list makes new files.

``Dictionary.cut`` is ``jieba.Tokenizer.cut(text, HMM=False)`` step for step: the same blocks,
the same graph of dictionary words, the same best route by log frequency (ties included), the
same joining of single Latin letters and digits. tests/search/test_dictionary.py compares the
two on real Chinese text.

This module imports neither Django nor (outside ``build``) jieba.
"""

import array
import contextlib
import fcntl
import hashlib
import importlib.metadata
import importlib.util
import math
import mmap
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import marisa_trie

TERMS = Path(__file__).resolve().parent / "data" / "terms.txt"
# Bumped whenever the files' layout changes; part of the fingerprint.
FORMAT = "1"
# Frequencies file: total (8 bytes), longest word (4), number of words (4), then one
# native unsigned 32-bit frequency per word id of the trie.
HEADER = 16

# jieba's own expressions (jieba/__init__.py, 0.42.1): blocks of Han characters, Latin letters,
# digits and + # & . _ % - are cut with the dictionary; between them, whitespace is kept as
# it is and every other character is one word.
RE_HAN = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._%\\-]+)")
RE_SKIP = re.compile("(\r\n|\\s)")
RE_ENG = re.compile("[a-zA-Z0-9]")


def terms():
    """The law's own terms, as listed in data/terms.txt."""
    lines = TERMS.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def fingerprint():
    """A digest of what the files are made from: jieba's version and dictionary, the terms,
    this module's file layout and the machine's integer layout."""
    digest = hashlib.sha256()
    spec = importlib.util.find_spec("jieba")  # finds the package without importing it
    jieba_dict = Path(spec.origin).with_name("dict.txt")
    parts = (FORMAT, sys.byteorder, str(array.array("I").itemsize), _version("jieba"))
    digest.update("\0".join(parts).encode())
    for path in (jieba_dict, TERMS):
        with open(path, "rb") as file:
            digest.update(hashlib.file_digest(file, "sha256").digest())
    return digest.hexdigest()[:16]


def _version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def paths(folder, stamp=None):
    stamp = stamp or fingerprint()
    folder = Path(folder)
    return folder / f"words-{stamp}.marisa", folder / f"frequencies-{stamp}.bin"


def _write(path, data):
    """Written beside, then renamed: a reader never maps a half-written file."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def build(folder):
    """Write the dictionary's files into the folder unless they are there; returns their
    paths. Several processes may call this at once: one builds, the others wait for it."""
    import logging

    import jieba

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    words_path, frequencies_path = paths(folder)
    with open(folder / ".build.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if words_path.exists() and frequencies_path.exists():
            return words_path, frequencies_path
        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        # jieba's own parse of its dictionary, without its cache file in a shared folder.
        tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
        tokenizer.initialized = True
        # One by one, as segment.py added them to a stock tokenizer: each term's frequency
        # is suggested from the dictionary and the terms before it.
        for term in terms():
            tokenizer.add_word(term)
        frequencies = tokenizer.FREQ
        for word in frequencies:
            # Dictionary.cut finds a position's words with one trie walk, which is the same
            # as jieba's walk word prefix by word prefix only if every prefix is a key.
            if len(word) > 1 and word[:-1] not in frequencies:
                raise ValueError(f"jieba's dictionary lacks a prefix of {word!r}")
        trie = marisa_trie.Trie(frequencies.keys())
        table = array.array("I", bytes(4 * len(trie)))
        for word, frequency in frequencies.items():
            table[trie[word]] = frequency  # OverflowError beyond 32 bits, never silently cut
        longest = max(map(len, frequencies))
        header = tokenizer.total.to_bytes(8, "little") + longest.to_bytes(4, "little")
        header += len(trie).to_bytes(4, "little")
        _write(frequencies_path, header + table.tobytes())
        # The trie last: its presence says both files are complete.
        _write(words_path, trie.tobytes())
    return words_path, frequencies_path


def build_in_subprocess(folder):
    """build() in a fresh interpreter, so this process never holds jieba's dict."""
    # -I: neither this file's folder nor PYTHON* variables shape what the builder imports.
    command = [sys.executable, "-I", __file__, str(folder)]
    subprocess.run(command, check=True, timeout=300)  # nosec B603 # noqa: S603 (our interpreter and file)


class Dictionary:
    """The dictionary's files, mapped read-only; ``cut`` segments as jieba does."""

    def __init__(self, folder):
        self.folder = Path(folder)
        words_path, frequencies_path = paths(folder)
        if not words_path.exists():  # marisa says only "MARISA_IO_ERROR"
            raise FileNotFoundError(words_path)
        self.words = marisa_trie.Trie()
        self.words.mmap(str(words_path))
        with open(frequencies_path, "rb") as file:
            self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        total, longest, count = (
            int.from_bytes(self._map[start:end], "little")
            for start, end in ((0, 8), (8, 12), (12, 16))
        )
        if count != len(self.words) or len(self._map) != HEADER + 4 * count:
            raise ValueError(f"{frequencies_path} does not match {words_path}")
        self.total = total
        self.longest = longest
        self.frequencies = memoryview(self._map)[HEADER:].cast("I")
        self.log_total = math.log(total)

    def frequency(self, word):
        """The word's frequency; 0 for a prefix that is no word, or for an unknown word."""
        index = self.words.get(word)
        return 0 if index is None else self.frequencies[index]

    def cut(self, sentence):
        """The words of the sentence, as ``jieba.Tokenizer.cut(sentence, HMM=False)``."""
        for block in RE_HAN.split(sentence):
            if not block:
                continue
            if RE_HAN.match(block):
                yield from self._cut_block(block)
            else:
                for part in RE_SKIP.split(block):
                    if RE_SKIP.match(part):
                        yield part
                    else:
                        yield from part

    def _route(self, sentence):
        """jieba's get_DAG and calc: for each position, the end of the best word from it."""
        size = len(sentence)
        prefixes = self.words.iter_prefixes_with_ids
        frequencies = self.frequencies
        log_total = self.log_total
        longest = self.longest
        route = [(0, 0)] * (size + 1)
        for start in range(size - 1, -1, -1):
            # The dictionary words starting here, shortest first; a prefix that is no word
            # has frequency 0. None: the character alone, as jieba's graph has it.
            candidates = [
                (start + len(word) - 1, frequencies[index])
                for word, index in prefixes(sentence[start : start + longest])
                if frequencies[index]
            ] or [(start, 0)]
            route[start] = max(
                (math.log(frequency or 1) - log_total + route[end + 1][0], end)
                for end, frequency in candidates
            )
        return route

    def _cut_block(self, sentence):
        route = self._route(sentence)
        position, size, latin = 0, len(sentence), ""
        while position < size:
            end = route[position][1] + 1
            word = sentence[position:end]
            if RE_ENG.match(word) and len(word) == 1:
                latin += word
            else:
                if latin:
                    yield latin
                    latin = ""
                yield word
            position = end
        if latin:
            yield latin


if __name__ == "__main__":
    try:
        build(sys.argv[1])
    except OSError as error:  # a read-only folder, say: the caller falls back and logs it
        sys.exit(f"search dictionary not built: {error}")
