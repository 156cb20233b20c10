"""schema.org items written in RDFa (``vocab``/``typeof``/``property``), as nested dicts.

extruct returns RDFa as flattened, expanded JSON-LD: every node separate, keys as full IRIs
(``https://schema.org/reviewBody``), values as ``[{"@value": ...}]`` and links as
``{"@id": ...}``. The JSON-LD and microdata readers in ``crawlers.parsers.schema_org`` expect
the compact, nested shape (``{"@type": "Review", "reviewBody": "...", "author": {...}}``), so
this module inlines referenced nodes into their parents and shortens the keys. Only root nodes
(nodes no other node points to) are returned. No settings are read.
"""

from __future__ import annotations

import extruct
from lxml import etree

_SCHEMA_PREFIXES = ("https://schema.org/", "http://schema.org/")
_MAX_DEPTH = 8  # RDFa graphs may loop (a review's itemReviewed pointing back at the product)
_TYPED = etree.XPath("//*[@typeof]")  # compiled once, not on every page


def _short(iri: str) -> str:
    for prefix in _SCHEMA_PREFIXES:
        if iri.startswith(prefix):
            return iri[len(prefix):]
    return iri


def _value(value: object, nodes: dict, depth: int) -> object:
    if not isinstance(value, dict):
        return value
    if "@value" in value:
        return value["@value"]
    reference = value.get("@id")
    if reference in nodes and depth < _MAX_DEPTH:
        return _compact(nodes[reference], nodes, depth + 1)
    return reference


def _compact(node: dict, nodes: dict, depth: int = 0) -> dict:
    compact: dict = {}
    for key, values in node.items():
        if key == "@type":
            compact["@type"] = [_short(name) for name in (values if isinstance(values, list) else [values])]
        elif key == "@id":
            compact["@id"] = values
        elif key.startswith(_SCHEMA_PREFIXES):
            items = [_value(value, nodes, depth) for value in (values if isinstance(values, list) else [values])]
            compact[_short(key)] = items[0] if len(items) == 1 else items
    return compact


def rdfa_items(tree, html: str | bytes, url: str, errors: list[str]) -> list[dict]:
    """Root schema.org nodes of a page's RDFa (``tree`` is ``html`` parsed), compact and nested."""
    if not _TYPED(tree):
        return []  # pyRdfa is slow; most pages have no RDFa at all
    try:
        graph = extruct.extract(html, base_url=url, syntaxes=["rdfa"], uniform=True)["rdfa"]
    except Exception as exc:  # extruct/pyRdfa raise assorted errors on odd markup; keep the rest
        errors.append(f"rdfa_invalid: RDFa skipped ({type(exc).__name__}: {exc})")
        return []
    nodes = {node["@id"]: node for node in graph if isinstance(node, dict) and "@id" in node}
    referenced = {
        value["@id"]
        for node in graph if isinstance(node, dict)
        for key, values in node.items() if key != "@id" and isinstance(values, list)
        for value in values if isinstance(value, dict) and "@id" in value
    }
    return [
        _compact(node, nodes)
        for node in graph
        if isinstance(node, dict) and node.get("@type") and node.get("@id") not in referenced
    ]
