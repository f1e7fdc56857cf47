"""Snippets of a result's text around the first match, with the matched words in <mark>."""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

ASCII_WORD = re.compile(r"[a-z0-9]+")


def pattern(terms):
    """One regex for the query words: Chinese words anywhere, Latin words at a word start
    (and the rest of that word for longer ones, so "report" marks "reports")."""
    alternatives = []
    for term in sorted(set(terms), key=len, reverse=True):
        if ASCII_WORD.fullmatch(term):
            tail = r"\w*" if len(term) >= 3 else r"\b"
            alternatives.append(rf"\b{re.escape(term)}{tail}")
        else:
            alternatives.append(re.escape(term))
    if not alternatives:
        return None
    return re.compile("|".join(alternatives), re.IGNORECASE)


def highlight(text, terms):
    """The text, escaped, with every match of the terms wrapped in <mark>."""
    regex = pattern(terms)
    if regex is None:
        return escape(text)
    parts = []
    position = 0
    for match in regex.finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # nosec B308 B703 # noqa: S308 - every piece of text is escaped above


def snippet(text, terms, length=160):
    """About `length` characters of the text around its first match, highlighted."""
    text = " ".join(text.split())
    regex = pattern(terms)
    found = regex.search(text) if regex else None
    start = max(0, found.start() - length // 4) if found else 0
    end = min(len(text), start + length)
    before = "…" if start > 0 else ""
    after = "…" if end < len(text) else ""
    return mark_safe(before + highlight(text[start:end], terms) + after)  # nosec B308 B703 # noqa: S308 (escaped by highlight)
