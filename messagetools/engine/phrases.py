"""A small, curated list of phrases typical of spam, in German, English and French.

Each phrase carries a score; a message's score is the sum of the phrases it contains (each
counted once) plus a few typographic signs of spam in the subject. Phrases are written in
lower case; matching ignores case, accents written as such, and runs of white space.
"""

import re
import unicodedata
from dataclasses import dataclass

WARN_SCORE = 4
REJECT_SCORE = 8

PHRASES: dict[str, dict[str, int]] = {
    "de": {
        "sie haben gewonnen": 3,
        "100 % kostenlos": 2,
        "100% kostenlos": 2,
        "völlig kostenlos": 1,
        "nur noch heute": 2,
        "jetzt zugreifen": 1,
        "klicken sie hier": 1,
        "ohne risiko": 1,
        "geld zurück garantie": 1,
        "schnell reich": 3,
        "von zu hause aus geld verdienen": 3,
        "kredit ohne schufa": 3,
        "ihr konto wurde gesperrt": 3,
        "bestätigen sie ihre kontodaten": 3,
        "ihr gewinn wartet": 3,
        "abnehmen ohne diät": 3,
        "potenzmittel": 3,
        "streng vertraulich": 1,
        "millionen euro": 2,
        "erbschaft": 2,
        "bitcoin verdoppeln": 3,
        "gewinnspiel": 1,
    },
    "en": {
        "you have won": 3,
        "you've won": 3,
        "100% free": 2,
        "act now": 2,
        "limited time offer": 2,
        "click here": 1,
        "risk-free": 1,
        "risk free": 1,
        "earn money fast": 3,
        "work from home": 2,
        "no credit check": 3,
        "verify your account": 3,
        "your account has been suspended": 3,
        "claim your prize": 3,
        "lose weight fast": 3,
        "cheap meds": 3,
        "viagra": 3,
        "casino bonus": 3,
        "double your bitcoin": 3,
        "wire transfer": 1,
        "inheritance": 2,
        "million dollars": 2,
        "dear friend": 1,
    },
    "fr": {
        "vous avez gagné": 3,
        "100% gratuit": 2,
        "100 % gratuit": 2,
        "offre limitée": 2,
        "cliquez ici": 1,
        "sans risque": 1,
        "gagnez de l'argent": 3,
        "travail à domicile": 2,
        "crédit sans justificatif": 3,
        "votre compte a été suspendu": 3,
        "vérifiez votre compte": 3,
        "réclamez votre prix": 3,
        "perdez du poids": 3,
        "argent facile": 3,
        "héritage": 2,
        "millions d'euros": 2,
        "cher ami": 1,
    },
}


@dataclass(frozen=True)
class PhraseHit:
    phrase: str
    language: str
    score: int


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("’", "'").replace("\u00a0", " ")
    return " ".join(text.split())


def _compile() -> tuple[re.Pattern, dict[str, PhraseHit]]:
    index: dict[str, PhraseHit] = {}
    for language, phrases in PHRASES.items():
        for phrase, score in phrases.items():
            index[_normalise(phrase)] = PhraseHit(phrase, language, score)
    alternatives = sorted(index, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in alternatives) + r")(?!\w)")
    return pattern, index


_PATTERN, _INDEX = _compile()


def phrase_hits(text: str, *, limit: int = 2_000_000) -> list[PhraseHit]:
    """The listed phrases a text contains, each once, in order of first appearance."""
    found: dict[str, PhraseHit] = {}
    for match in _PATTERN.finditer(_normalise(text[:limit])):
        found.setdefault(match.group(0), _INDEX[match.group(0)])
    return list(found.values())


def subject_signs(subject: str) -> list[tuple[str, int]]:
    """Typographic spam signs in a subject: shouting in capitals, rows of ! or $."""
    signs = []
    letters = [c for c in subject if c.isalpha()]
    if len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        signs.append(("caps", 2))
    if re.search(r"[!?]{3,}|[$€£]{2,}", subject):
        signs.append(("punctuation", 1))
    return signs
