"""Near-duplicate review texts within an entity and across entities: MinHash + LSH (datasketch).

Texts are folded (lowercase, no accents, punctuation as spaces) and cut into overlapping
5-character shingles, which survive the small edits campaign writers make to one template
(a name swapped, a word added, a typo). MinHash signatures go into an LSH index that proposes
candidate pairs; each candidate is then checked with the exact Jaccard similarity of the two
shingle sets, so the threshold means what it says. Texts shorter than ``MIN_CHARACTERS`` are
left out: "Great coffee!" is written independently by thousands of people (short generic
praise has its own signal).

Each pair is classified by who wrote it, because the same words mean different things:

- different (or unknown) authors, same entity: ``near_duplicate`` (suspicious);
- different (or unknown) authors, different entities: ``duplicate_across_entities`` (suspicious);
- same author, different entities: ``cross_listed`` — platforms show one review on sibling
  listings (Amazon variants): visible, not fraud;
- same author, same entity: ``same_author_repeat`` (one opinion posted twice; counted once).

Reads no settings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal, Sequence

from datasketch import MinHash, MinHashLSH

SHINGLE_CHARACTERS = 5
MIN_CHARACTERS = 40
SIMILARITY_THRESHOLD = 0.5
LSH_THRESHOLD = 0.4  # looser than the verified threshold: LSH misses some pairs near its own cut
NUM_PERM = 64
_NOT_WORD = re.compile(r"[^a-z0-9]+")

PairKind = Literal["near_duplicate", "duplicate_across_entities", "cross_listed", "same_author_repeat"]


@dataclass(frozen=True)
class TextItem:
    """What duplicate detection needs of a review."""

    review_id: str
    entity_id: str
    author_hash: str | None
    text: str


@dataclass(frozen=True)
class DuplicatePair:
    first: str
    second: str
    similarity: float
    kind: PairKind


def fold(text: str) -> str:
    """Lowercase, accents removed, every run of non-alphanumerics one space."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _NOT_WORD.sub(" ", plain).strip()


def shingles(text: str) -> frozenset[str]:
    folded = fold(text)
    if len(folded) < MIN_CHARACTERS:
        return frozenset()
    return frozenset(folded[i:i + SHINGLE_CHARACTERS] for i in range(len(folded) - SHINGLE_CHARACTERS + 1))


def jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def classify(first: TextItem, second: TextItem) -> PairKind:
    same_author = first.author_hash is not None and first.author_hash == second.author_hash
    same_entity = first.entity_id == second.entity_id
    if same_author:
        return "same_author_repeat" if same_entity else "cross_listed"
    return "near_duplicate" if same_entity else "duplicate_across_entities"


def find_duplicate_pairs(items: Sequence[TextItem], threshold: float = SIMILARITY_THRESHOLD) -> list[DuplicatePair]:
    """Every pair of items whose texts share at least ``threshold`` of their shingles, classified.

    Short texts are compared too, but only exactly and only with the same author's: "love them"
    posted by one author on eight sibling listings is one cross-listed review.
    """
    return _short_same_author_pairs(items) + _similar_pairs(items, threshold)


def _short_same_author_pairs(items: Sequence[TextItem]) -> list[DuplicatePair]:
    groups: dict[tuple[str, str], list[TextItem]] = {}
    for item in items:
        folded = fold(item.text)
        if item.author_hash and folded and len(folded) < MIN_CHARACTERS:
            groups.setdefault((item.author_hash, folded), []).append(item)
    return [DuplicatePair(first.review_id, second.review_id, 1.0, classify(first, second))
            for same in groups.values() for i, first in enumerate(same) for second in same[i + 1:]]


def _similar_pairs(items: Sequence[TextItem], threshold: float) -> list[DuplicatePair]:
    shingle_sets = [shingles(item.text) for item in items]
    indexed = [i for i, found in enumerate(shingle_sets) if found]
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    signatures = MinHash.bulk([[s.encode("utf-8") for s in shingle_sets[i]] for i in indexed], num_perm=NUM_PERM)
    for position, signature in zip(indexed, signatures):
        lsh.insert(str(position), signature, check_duplication=False)
    pairs: list[DuplicatePair] = []
    for position, signature in zip(indexed, signatures):
        for other in map(int, lsh.query(signature)):
            if other <= position:
                continue
            similarity = jaccard(shingle_sets[position], shingle_sets[other])
            if similarity >= threshold:
                first, second = items[position], items[other]
                pairs.append(DuplicatePair(first.review_id, second.review_id, round(similarity, 3),
                                           classify(first, second)))
    return pairs
