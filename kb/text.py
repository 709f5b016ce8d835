"""Small text helpers shared by indexing and search (no database access)."""

import re
import unicodedata

WORD_RE = re.compile(r"[^\W\d_]{4,40}")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def transliterate(text: str) -> str:
    """`Passwort ändern` -> `Passwort aendern`: the spelling of keyboards without umlauts."""
    text = text.translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def vocabulary(*texts: str) -> set[str]:
    """The distinct lower-case words (letters only, 4 to 40 long) of some texts."""
    words: set[str] = set()
    for text in texts:
        words.update(w.lower() for w in WORD_RE.findall(text))
    return words
