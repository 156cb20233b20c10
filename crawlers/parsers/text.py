"""Review text cleanup: markup removed, entities decoded, whitespace collapsed.

Pages put ``<br>``, ``<b>`` and ``&amp;`` inside ``reviewBody``; the store and the sentiment
workers want plain text. Uses w3lib (a Scrapy dependency) rather than hand-written regexes.

``looks_unrendered`` spots template placeholders a page forgot to fill in (``<&=rating&>``,
``{{ review.body }}``, ``<%= note %>``, ``${rating}``): such a value is not data, and the
validation pipeline drops the whole entry. No settings are read.
"""

from __future__ import annotations

import re

from w3lib.html import remove_tags, replace_entities

_PLACEHOLDER = re.compile(r"<[&%][=-]?.{0,80}?[&%]>|\{\{.{0,80}?\}\}|\$\{[\w.]{1,60}\}|\[%.{0,80}?%\]", re.DOTALL)
# Every placeholder _PLACEHOLDER finds starts with one of these: a cheap first look at a whole entry.
_PLACEHOLDER_OPENINGS = ("<&", "<%", "{{", "${", "[%")
_BLOCK_TAGS = re.compile(r"<\s*/?\s*(br|p|div|li|ul|ol|h[1-6]|tr|td|blockquote)\b[^>]*>", re.IGNORECASE)


def clean_text(raw: object) -> str:
    """Plain, single-spaced text; ``""`` for None.

    >>> clean_text("Très <b>bon</b>&nbsp;accueil<br/>merci")
    'Très bon accueil merci'
    """
    if raw is None:
        return ""
    text = str(raw)
    if "<" not in text and "&" not in text:  # most texts: no tag, no entity, only spaces to fold
        return " ".join(text.split())
    text = _BLOCK_TAGS.sub(" ", text)  # "accueil<br>merci" must not become "accueilmerci"
    text = replace_entities(remove_tags(text))
    return " ".join(text.split())


def looks_unrendered(raw: object) -> bool:
    """True when the value holds an unfilled template placeholder.

    >>> looks_unrendered("<&=rating&>"), looks_unrendered("4,5 / 5")
    (True, False)
    """
    return isinstance(raw, str) and bool(_PLACEHOLDER.search(raw))


def may_be_unrendered(values: list[object]) -> bool:
    """False when none of ``values`` can hold a placeholder (``looks_unrendered`` is then False for each).

    Validation checks eight fields of every entry; a few substring tests over all of them at once
    cost less than eight regular-expression searches, and only an entry that passes this look
    needs them.

    >>> may_be_unrendered(["4,5", "Très bon", None]), may_be_unrendered(["{{ review.body }}"])
    (False, True)
    """
    joined = "\x00".join([value for value in values if isinstance(value, str)])
    for opening in _PLACEHOLDER_OPENINGS:
        if opening in joined:
            return True
    return False
