"""The search box's small query language, parsed safely and rendered for each backend.

Users type words, ``"quoted phrases"``, ``OR`` between alternatives, ``-excluded`` words and
``prefix*``. ``parse_query_text`` turns that into a ``ParsedQuery`` made only of words (runs of
letters and digits); every other character is a word separator. Because the renderers rebuild
the backend syntax from those words alone, nothing a user types (``col:foo``, ``NEAR(a b)``,
``*:*``, ``") OR 1=1 --``) can reach FTS5 or Elasticsearch syntax, another column or another
index. Unbalanced quotes close at the end of the text; a dangling ``OR`` is ignored.

``fold_text`` / ``fold_word`` remove accents the same way for documents and queries so that
"cafe" finds "café" on an Elasticsearch node without the ``asciifolding`` filter (the stripped
test node has none); SQLite gets the same effect from ``unicode61 remove_diacritics 2``.

Reads no settings. The limits below are here because a 10 KB paste must fail fast and clearly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from search.backends.base import QueryError

MAX_QUERY_CHARS = 2000
MAX_QUERY_WORDS = 64

_WORD = re.compile(r"[^\W_]+")  # letters and digits, any script; "_" separates like FTS5 does


@dataclass(frozen=True)
class QueryTerm:
    """One word, or a phrase of several words; ``prefix`` marks the last word as a prefix."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """``clauses`` must all match (AND); each clause is a list of alternatives (OR)."""

    clauses: tuple[tuple[QueryTerm, ...], ...] = ()
    excluded: tuple[QueryTerm, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.clauses and not self.excluded


@dataclass
class _Lexeme:
    raw: str
    quoted: bool = False
    negated: bool = False
    is_or: bool = False


@dataclass
class _Builder:
    clauses: list[list[QueryTerm]] = field(default_factory=list)
    excluded: list[QueryTerm] = field(default_factory=list)
    pending_or: bool = False


def parse_query_text(text: str | None) -> ParsedQuery:
    """Parse user query text; raises ``QueryError`` when it cannot be searched as written.

    >>> parse_query_text('accueil "service rapide" -froid').clauses[1][0].words
    ('service', 'rapide')
    """
    text = unicodedata.normalize("NFC", text or "")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the search text is {len(text)} characters long; shorten it to at most "
            f"{MAX_QUERY_CHARS} characters (a few distinctive words work best)"
        )
    builder = _Builder()
    for lexeme in _lex(text):
        _add_lexeme(builder, lexeme)
    parsed = ParsedQuery(tuple(tuple(c) for c in builder.clauses), tuple(builder.excluded))
    word_count = sum(len(t.words) for c in parsed.clauses for t in c) + sum(len(t.words) for t in parsed.excluded)
    if word_count > MAX_QUERY_WORDS:
        raise QueryError(
            f"the search text has {word_count} words; use at most {MAX_QUERY_WORDS} "
            "(a few distinctive words work best)"
        )
    if parsed.is_empty and text.strip():
        raise QueryError(
            f"the search text {_shorten(text)!r} contains no letters or digits to search for; "
            'type words, "a phrase", word OR word, -word or prefix*'
        )
    return parsed


def _lex(text: str):
    """Split into bare words, quoted phrases (closed at the end if unbalanced) and ``OR``."""
    position, length = 0, len(text)
    while position < length:
        if text[position].isspace():
            position += 1
            continue
        negated = text[position] == "-" and position + 1 < length and not text[position + 1].isspace()
        if negated:
            position += 1
        if text[position] == '"':
            closing = text.find('"', position + 1)
            end = length if closing == -1 else closing
            yield _Lexeme(text[position + 1 : end], quoted=True, negated=negated)
            position = end + 1
            continue
        end = position
        while end < length and not text[end].isspace():
            end += 1
        raw = text[position:end]
        yield _Lexeme(raw, negated=negated, is_or=(raw == "OR" and not negated))
        position = end


def _add_lexeme(builder: _Builder, lexeme: _Lexeme) -> None:
    if lexeme.is_or:
        builder.pending_or = bool(builder.clauses)
        return
    term = _term(lexeme)
    if term is None:
        return
    if lexeme.negated:
        builder.excluded.append(term)
        builder.pending_or = False
    elif builder.pending_or:
        builder.clauses[-1].append(term)
        builder.pending_or = False
    else:
        builder.clauses.append([term])


def _term(lexeme: _Lexeme) -> QueryTerm | None:
    raw = lexeme.raw
    prefix = not lexeme.quoted and raw.endswith("*")
    words = tuple(_WORD.findall(raw))
    if not words:
        return None
    return QueryTerm(words, prefix=prefix)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- rendering ------------------------------------------------------------------------------


def render_fts5(parsed: ParsedQuery) -> str:
    """FTS5 MATCH expression for the positive part: every word inside a double-quoted string.

    >>> render_fts5(parse_query_text("pizza OR pâtes accue*"))
    '("pizza" OR "pâtes") AND "accue"*'
    """
    return " AND ".join(_fts5_clause(clause) for clause in parsed.clauses)


def render_fts5_excluded(parsed: ParsedQuery) -> str:
    """FTS5 expression matching any excluded term (used as ``NOT IN``), or ``""``."""
    return " OR ".join(_fts5_term(term) for term in parsed.excluded)


def _fts5_clause(clause: tuple[QueryTerm, ...]) -> str:
    if len(clause) == 1:
        return _fts5_term(clause[0])
    return "(" + " OR ".join(_fts5_term(term) for term in clause) + ")"


def _fts5_term(term: QueryTerm) -> str:
    # Words hold only letters and digits, so they never contain '"'; quoting makes FTS5 read
    # them as strings, never as AND/OR/NOT/NEAR, column filters or '^'.
    return '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "")


def render_simple_query_string(parsed: ParsedQuery) -> str:
    """Elasticsearch ``simple_query_string`` text for the positive part, over folded words.

    >>> render_simple_query_string(parse_query_text("Café OR thé accue*"))
    '("cafe" | "the") + accue*'
    """
    return " + ".join(_sqs_clause(clause) for clause in parsed.clauses)


def render_simple_query_string_excluded(parsed: ParsedQuery) -> str:
    """``simple_query_string`` text matching any excluded term, or ``""``."""
    return " | ".join(_sqs_term(term) for term in parsed.excluded)


def _sqs_clause(clause: tuple[QueryTerm, ...]) -> str:
    if len(clause) == 1:
        return _sqs_term(clause[0])
    return "(" + " | ".join(_sqs_term(term) for term in clause) + ")"


def _sqs_term(term: QueryTerm) -> str:
    words = [fold_word(word) for word in term.words]
    if not term.prefix:
        return '"' + " ".join(words) + '"'
    if len(words) == 1:
        return words[0] + "*"
    # simple_query_string has no prefix inside a phrase: require the leading words and the prefix.
    return '("' + " ".join(words[:-1]) + '" + ' + words[-1] + "*)"


# -- accent folding shared by documents and queries -----------------------------------------


def _fold_char(char: str) -> str | None:
    """Letters/digits lose their accents, combining marks vanish, anything else is a space."""
    if char.isalnum():
        return unicodedata.normalize("NFD", char)[0]
    if unicodedata.category(char).startswith("M"):
        return None
    return " "


def fold_word(word: str) -> str:
    """Lowercase a query word without accents: "Pâtés" -> "pates"."""
    return "".join(_fold_char(char) or "" for char in word).lower()


class _FoldTable(dict):
    """``str.translate`` table filled on first sight of each character (C speed afterwards)."""

    def __missing__(self, code: int) -> str | None:
        value = _fold_char(chr(code))
        self[code] = value
        return value


_FOLD_TABLE = _FoldTable()


def _single_byte_table(encoding: str) -> bytes | None:
    """The fold of every character of a one-byte encoding as a byte table, or None if one does
    not fold to a character of the same encoding (then the fast path is not used)."""
    table = bytearray(range(256))
    for byte in range(256):
        try:
            char = bytes([byte]).decode(encoding)
        except UnicodeDecodeError:
            continue
        folded = _fold_char(char)
        try:
            encoded = folded.encode(encoding) if folded is not None else b""
        except UnicodeEncodeError:
            return None
        if len(encoded) != 1:
            return None
        table[byte] = encoded[0]
    return bytes(table)


# Western European text (accents, curly quotes, euro, oe ligature) fits cp1252: folded by one
# C-level bytes.translate instead of a dictionary lookup per character.
_CP1252_TABLE = _single_byte_table("cp1252")


def fold_for_index(text: str) -> str:
    """``fold_text(text)[0]`` without the origins, fast enough for bulk indexing.

    >>> fold_for_index("Crème brûlée !")
    'Creme brulee  '
    """
    text = text or ""
    if _CP1252_TABLE is not None:
        try:
            return text.encode("cp1252").translate(_CP1252_TABLE).decode("cp1252")
        except UnicodeEncodeError:
            pass  # other scripts or emoji: the general table
    return text.translate(_FOLD_TABLE)


def fold_text(text: str) -> tuple[str, list[int]]:
    """Fold a document text for the Elasticsearch search fields.

    Returns the folded text and, for each of its characters, the index of the original
    character it came from, so that highlights found in the folded text can be placed back on
    the original (accented) text.
    """
    text = text or ""
    fast = fold_for_index(text)
    if len(fast) == len(text):  # no combining mark dropped: character i came from character i
        return fast, list(range(len(text)))
    folded: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        replacement = _FOLD_TABLE[ord(char)]
        if replacement is not None:
            folded.append(replacement)
            origins.append(index)
    return "".join(folded), origins
