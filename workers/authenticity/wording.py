"""Word lists and patterns for the text-only signals: incentives, solicitation, generic praise.

Incentive and solicitation wording is first taken from the analysis stage (issue 4's
``solicitation:*`` flags, defined in ``config/aspects/solicitation.yaml``). The patterns here are
starwatch's own minimal fallback, in English and French, for reviews analysed before those flags
existed; a match preceded closely by a negation ("I was *not* given this for free") is ignored.

Generic praise: a short review whose every content word is generic ("Great product, love it!",
"Super, je recommande"), which says nothing a real customer would need to know. Reads no settings.
"""

from __future__ import annotations

import re
import unicodedata

INCENTIVE_PATTERNS = tuple(re.compile(pattern, re.IGNORECASE) for pattern in (
    r"\b(?:received|was sent|were sent)\b[^.!?]{0,60}\b(?:for free|free of charge|at (?:a|no) (?:\w+ )?"
    r"(?:discount|cost)|discounted|complimentary)\b",
    r"\bin (?:exchange|return) for (?:my|an|a|our|this)\b[^.!?]{0,30}\b(?:review|rating|stars?)\b",
    r"\b(?:free|discount|gift card|coupon|voucher|refund|cashback)\b[^.!?]{0,50}\b(?:for|if|in return for)\b"
    r"[^.!?]{0,30}\b(?:review|rating|5[- ]?stars?|five[- ]stars?)\b",
    r"\ben [ée]change d['’ ]\s*(?:un|mon|notre|leur)\s+(?:avis|commentaire)\b",
    r"\b(?:offerts?|offertes?|gratuite?s?|gratuitement|remise|r[ée]duction|bon d['’ ]achat|cadeau)\b[^.!?]{0,50}"
    r"\b(?:contre|en [ée]change d['’ ]?)\s*(?:un|mon|notre|5|cinq)?\s*(?:\w+\s+)?(?:avis|commentaire|[ée]toiles)\b",
    r"\bproduit (?:offert|re[çc]u gratuitement|test[ée] gratuitement)\b",
    r"\b(?:review|rating|stars?)\b[^.!?]{0,20}\b(?:for|to get|in exchange for)\s+(?:a |an |some )?"
    r"(?:free|discount|gift|coupon|voucher|refund)",
    r"\b(?:avis|[ée]toiles)\b[^.!?]{0,20}\b(?:contre|pour|en [ée]change d['’ ]?)\s*[^.!?]{0,20}"
    r"\b(?:offerte?s?|gratuite?s?|remise|r[ée]duction|cadeau)\b",
))
SOLICITATION_PATTERNS = tuple(re.compile(pattern, re.IGNORECASE) for pattern in (
    r"\b(?:asked|begged|told|urged|encouraged|reminded)\b[^.!?]{0,25}\b(?:us|me|everyone|customers|people)\b"
    r"[^.!?]{0,20}\b(?:leave|write|post|give|rate)\b[^.!?]{0,30}\b(?:review|stars?|rating)\b",
    r"\bplease (?:leave|give|rate)\b[^.!?]{0,15}\b(?:5|five)\s*(?:stars?|\*)",
    r"\b(?:demand[ée]|incit[ée]|suppli[ée]|pri[ée])e?s?\b[^.!?]{0,30}\b(?:laisser|mettre|[ée]crire|donner)\b"
    r"[^.!?]{0,30}\b(?:avis|[ée]toiles|note)\b",
    r"\b(?:5|cinq) [ée]toiles,? (?:svp|s'il vous pla[iî]t|please)\b",
))
NEGATIONS = frozenset({"not", "never", "no", "didn't", "didnt", "wasn't", "wasnt", "weren't", "without",
                       "pas", "jamais", "aucun", "aucune", "sans", "ni"})
NEGATION_WINDOW_WORDS = 4

STOPWORDS = frozenset("""
a an the and or but so it its it's this that these those is was are were be been i i'm im we you they he she
my our your their me us to of in on at for with as very really so too just all just much more most
le la les l un une des du de d et ou mais donc ce cet cette ces c est c'est était sont je j nous vous ils elles
il elle mon ma mes notre nos votre vos leur leurs me m te t se s en au aux à a y très trop vraiment tout tous
""".split())
PRAISE = frozenset("""
great good excellent perfect perfectly love loved loves lovely amazing awesome best nice wonderful fantastic
super superb recommend recommended recommendable highly happy satisfied fine cool top outstanding brilliant
beautiful cute gorgeous incredible fabulous terrific thanks thank favourite favorite
génial géniale parfait parfaite excellent excellente top bien bon bonne bons bonnes merci recommande
recommandé recommandée conseille ravi ravie ravis satisfait satisfaite impeccable nickel magnifique adore
adoré formidable sympa génialissime extra parfaitement super
""".split())
GENERIC_NOUNS = frozenset("""
product products item items service place staff price value quality shop store restaurant coffee food
shipping delivery seller purchase buy bought experience everything stars star five 5 fit fits works work
job team time times again definitely always ever would will must exactly described expected as
produit produits article service lieu endroit équipe personnel prix qualité boutique magasin café
livraison vendeur achat expérience tout étoiles étoile cinq fois encore toujours rien dire accueil rapide
""".split())
MAX_GENERIC_WORDS = 8
_WORD = re.compile(r"[\w']+")


def words_of(text: str) -> list[str]:
    """Lowercased words, apostrophes kept ("c'est", "didn't"); digits count as words."""
    return _WORD.findall(unicodedata.normalize("NFC", text or "").lower().replace("’", "'"))


def _negated(text: str, start: int) -> bool:
    before = words_of(text[:start])[-NEGATION_WINDOW_WORDS:]
    return any(word in NEGATIONS or word.endswith("n't") for word in before)


def first_match(text: str, patterns: tuple[re.Pattern[str], ...]) -> str | None:
    """The first non-negated match of any pattern, as written in the text."""
    for pattern in patterns:
        for match in pattern.finditer(text or ""):
            if not _negated(text, match.start()):
                return match.group(0)
    return None


def is_short_generic_praise(text: str) -> bool:
    """At most ``MAX_GENERIC_WORDS`` words, all generic, at least one of them praise."""
    words = words_of(text)
    if not words or len(words) > MAX_GENERIC_WORDS:
        return False
    content = [word.split("'")[-1] for word in words if word not in STOPWORDS]
    content = [word for word in content if word and word not in STOPWORDS]
    return bool(content) and any(w in PRAISE for w in content) and all(w in PRAISE or w in GENERIC_NOUNS
                                                                         for w in content)
