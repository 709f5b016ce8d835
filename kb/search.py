"""Searching the guides: PostgreSQL full text + trigram typo tolerance, or a SQLite fallback.

German, English, French and Italian guides are searched with their own text search
configuration (French and Italian with unaccent, see kb migration 0004).

Both paths return the same `SearchHit`s, best first, one per guide (slug), titled in the
requested language when that version exists, else in German. `snippet` is HTML: the text is
escaped and the matched words are wrapped in `<mark>`.
"""

import difflib
import html
import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.urls import reverse

from kb.models import Guide, SearchTerm
from kb.text import WORD_RE, transliterate

MAX_QUERY_LENGTH = 300
MARK_START, MARK_END = "\u27e6", "\u27e7"  # ⟦ ⟧: cannot collide with HTML, swapped for <mark>
PREFIX_RE = re.compile(r"[^\W_]{3,40}$")

_STOPWORD_TEXT = """aber alle als also am an auch auf aus bei bin bis da das dass dem den der
    des die du
    ein eine einem einen einer es für hat hatte ich ihr im in ist ja kann man mein meine mich
    mir mit nach nicht noch nur oder ob sich sie sind so um und uns von vor was wenn wie wir wird
    wo zu zum zur a an and are as at be by can do does for from how i if in is it my no not of
    on or the this to was what when where why with you your
    à au aux avec ce ces comment d dans de des du elle est et il j je l la le les leur mais mes mon
    ne nous on ou par pas pour quand que quel quelle qui sa ses son sur ta te tes ton tu un une
    vos votre vous
    al alla alle agli che come con da dal dalla del della delle dei di dove gli il la le lei lo
    ma mi mia mio nel nella non per perché perche posso può puo quando questo questa se si sono su
    sua suo un una uno è"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class SearchHit:
    slug: str
    title: str
    language: str
    snippet: str

    @property
    def url(self) -> str:
        return reverse("kb:guide", args=[self.slug])

    def as_json(self) -> dict:
        return {"slug": self.slug, "title": self.title, "url": self.url, "snippet": self.snippet}


def normalise_query(query: str) -> str:
    return " ".join(query.split())[:MAX_QUERY_LENGTH]


def _snippet_html(marked: str) -> str:
    escaped = html.escape(marked, quote=False)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def search_guides(query: str, *, language: str = "de", limit: int = 10) -> list[SearchHit]:
    """The guides that answer `query`, best first."""
    query = normalise_query(query)
    if not query.strip() or not any(ch.isalnum() for ch in query):
        return []
    language = language if language in CONFIGS else "de"
    if connection.vendor == "postgresql":
        return _search_postgres(query, language, limit)
    return _search_fallback(query, language, limit)


# --- PostgreSQL -------------------------------------------------------------------------------

# Nearest vocabulary word per unknown query word, straight from the GiST trigram index.
_CORRECTION_SQL = """
SELECT t.word, n.word, n.distance
  FROM unnest(%s::text[]) AS t(word)
  LEFT JOIN LATERAL (
    SELECT s.word, s.word <-> t.word AS distance FROM kb_searchterm s
     ORDER BY s.word <-> t.word LIMIT 1
  ) n ON true
 WHERE NOT EXISTS (SELECT 1 FROM kb_searchterm k WHERE k.word = t.word)
"""
MAX_DISTANCE = 0.7  # trigram similarity of at least 0.3, pg_trgm's own default threshold
CORRECT_UP_TO_WORDS = 8  # longer input is pasted text (an error message), not typed words


def _corrected(query: str) -> tuple[str, str]:
    """Swaps words no guide contains for the nearest vocabulary word (pg_trgm).

    Returns the corrected query and the tsquery prefix term for the word still being typed.
    """
    words = sorted({w.lower() for w in WORD_RE.findall(query)} - STOPWORDS)
    if not words or len(query.split()) > CORRECT_UP_TO_WORDS:
        return query, ""
    with connection.cursor() as cursor:
        cursor.execute(_CORRECTION_SQL, [words])
        unknown = {
            wrong: (right if distance is not None and distance <= MAX_DISTANCE else None)
            for wrong, right, distance in cursor.fetchall()
        }
    corrected = query
    for wrong, right in unknown.items():
        if right:
            corrected = re.sub(rf"(?i)\b{re.escape(wrong)}\b", right, corrected)
    prefix = ""
    last = PREFIX_RE.search(query)
    if last and not query.endswith(" ") and last.group(0).lower() in unknown:
        prefix = f"'{last.group(0).lower()}':*"
    return corrected, prefix


def _or_query(config: str) -> str:
    # plainto_tsquery ANDs the words; OR them so a pasted error message or a long question
    # still finds the guide that shares most of its words (ts_rank rewards the overlap).
    return (
        f"(replace(plainto_tsquery('{config}', %(q)s)::text, ' & ', ' | ')::tsquery"
        f" || to_tsquery('{config}', %(prefix)s))"
    )


_HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)

# Two stages keep the work flat as guides grow. Candidates come from the GIN index: any word
# of the query in the guide (typos were corrected before), or, for long input when some guide
# has all its words, only those guides. The best PRESELECT by a cheap score (the small head
# vector: title, summary, tags; plus a bonus when all words match) are then ranked on the full
# vector, which is large and compressed, plus trigram similarity with the title.
# The tsqueries are computed once in `q`; only fixed SQL fragments are formatted in, every
# user value is a bound parameter.
PRESELECT = 40
LONG_QUERY_WORDS = 5
# A query is matched against the guides of the requested language and of German (every guide
# exists in German, and customers paste German messages), each with its own configuration;
# the German portal adds English (error messages and English words typed there).
CONFIGS = {"de": "german", "en": "english", "fr": "kb_french", "it": "kb_italian"}
SEARCHED_WITH_GERMAN = {"de": "en", "en": "en", "fr": "fr", "it": "it"}


def _search_sql(config: str) -> str:
    """The search for one language; `config` is one of CONFIGS (never user input)."""
    return f"""
WITH q AS MATERIALIZED (
  SELECT plainto_tsquery('german', %(q)s) AS de_and,
         plainto_tsquery('{config}', %(q)s) AS main_and,
         {_or_query("german")} AS de_or,
         {_or_query(config)} AS main_or
), and_matches AS MATERIALIZED (
  -- The tsquery conditions alone pick the GIN index; a language condition beside them would
  -- make the planner scan the language index and unpack every guide's vector. So matches are
  -- found first (MATERIALIZED keeps the filter out) and their languages checked afterwards.
  SELECT g.id, g.language FROM kb_guide g CROSS JOIN q
   WHERE g.search_vector @@ q.de_and OR g.search_vector @@ q.main_and
), all_words AS (
  SELECT id FROM and_matches WHERE language IN ('de', %(main)s)
), or_matches AS MATERIALIZED (
  SELECT g.id, g.language FROM kb_guide g CROSS JOIN q
   WHERE (NOT %(long)s OR NOT EXISTS (SELECT 1 FROM all_words))
     AND (g.search_vector @@ q.de_or OR g.search_vector @@ q.main_or)
), candidates AS (
  -- Any word of the query in the guide. Long input (a pasted message) needs all its words
  -- when some guide has them all.
  SELECT id FROM or_matches WHERE language IN ('de', %(main)s)
  UNION
  SELECT id FROM all_words
), preselected AS (
  -- Cheap score from the small head vector (title, summary, tags): no large vector unpacked.
  SELECT g.id, g.slug, g.language, g.title,
         ts_rank(g.search_head, CASE WHEN g.language = 'de' THEN q.de_or ELSE q.main_or END, 1)
         + CASE WHEN g.id IN (SELECT id FROM all_words) THEN 0.3 ELSE 0 END
         + CASE WHEN g.language = %(lang)s THEN 0.01 ELSE 0 END AS pre
    FROM candidates c JOIN kb_guide g ON g.id = c.id CROSS JOIN q
   WHERE g.is_published
   ORDER BY pre DESC, g.slug
   LIMIT {PRESELECT}
), scored AS (
  SELECT p.slug,
         p.pre
         + ts_rank(g.search_vector, CASE WHEN p.language = 'de' THEN q.de_or ELSE q.main_or END, 1)
         + 0.4 * word_similarity(%(raw)s, p.title) AS score
    FROM preselected p JOIN kb_guide g ON g.id = p.id CROSS JOIN q
), best AS (
  SELECT DISTINCT ON (slug) slug, score FROM scored ORDER BY slug, score DESC
), top AS (
  SELECT slug, score FROM best ORDER BY score DESC, slug LIMIT %(limit)s
)
SELECT top.slug, d.title, d.language,
       ts_headline(CASE WHEN d.language = 'de' THEN 'german'::regconfig
                        ELSE '{config}'::regconfig END,
                   d.body_text,
                   CASE WHEN d.language = 'de' THEN q.de_or ELSE q.main_or END,
                   %(headline)s)
  FROM top
  CROSS JOIN q
  CROSS JOIN LATERAL (
    SELECT x.title, x.language, x.body_text FROM kb_guide x
     WHERE x.slug = top.slug AND x.is_published
     ORDER BY x.language = %(lang)s DESC, x.language = 'de' DESC LIMIT 1
  ) d
 ORDER BY top.score DESC, top.slug
"""  # noqa: S608


_SEARCH_SQL = {
    language: _search_sql(CONFIGS[main]) for language, main in SEARCHED_WITH_GERMAN.items()
}


def _meaningful_words(query: str) -> list[str]:
    """The words of a query that carry meaning: "combien de messages par jour" has three."""
    return [w for w in re.findall(r"[^\W_]+", query.lower()) if w not in STOPWORDS]


def _search_postgres(query: str, language: str, limit: int) -> list[SearchHit]:
    corrected, prefix = _corrected(query)
    params = {"q": corrected, "raw": query[:80], "prefix": prefix, "lang": language}
    params["main"] = SEARCHED_WITH_GERMAN[language]
    params.update(limit=limit, headline=_HEADLINE_OPTIONS)
    params["long"] = len(_meaningful_words(query)) > LONG_QUERY_WORDS
    with transaction.atomic(), connection.cursor() as cursor:
        # The planner prices a tsvector match as cheap and prefers scanning the table, but
        # every row then unpacks its large TOASTed vector; the GIN indexes avoid that.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(_SEARCH_SQL[language], params)
        rows = cursor.fetchall()
    return [
        SearchHit(slug=slug, title=title, language=lang, snippet=_snippet_html(snippet))
        for slug, title, lang, snippet in rows
    ]


# --- SQLite and other databases: a small scorer in Python ------------------------------------


def _stem(word: str) -> str:
    """A crude stem: enough to match `Passworts` with `Passwort` or `adresses` with `adresse`."""
    return word if len(word) <= 5 else word[: max(5, len(word) - 2)]


def _terms(query: str, vocabulary: list[str]) -> list[str]:
    terms = []
    for raw in re.findall(r"[^\W_]+(?:[.\-][^\W_]+)*", query.lower()):
        if raw in STOPWORDS or (len(raw) < 2 and not raw.isdigit()):
            continue
        if raw.isalpha() and len(raw) >= 4 and raw not in vocabulary:
            close = difflib.get_close_matches(raw, vocabulary, n=1, cutoff=0.8)
            if close:
                raw = close[0]
        terms.append(raw)
    return terms


def _field_words(text: str) -> set[str]:
    """Words of a text; `MX-Eintrag` gives `mx-eintrag`, `mx` and `eintrag`."""
    words = set(re.findall(r"[^\W_]+(?:[.\-][^\W_]+)*", text.lower()))
    return words | {part for word in words if "-" in word for part in word.split("-")}


def _matches(term: str, words: set[str]) -> bool:
    if term in words:
        return True
    stem = _stem(term)
    return len(stem) >= 3 and any(w.startswith(stem) for w in words)


def _fallback_snippet(text: str, terms: list[str]) -> str:
    lowered = text.lower()
    positions = [lowered.find(_stem(t)) for t in terms]
    positions = [p for p in positions if p >= 0]
    start = max(0, min(positions) - 60) if positions else 0
    excerpt = text[start : start + 220]
    if start:
        excerpt = "… " + excerpt.split(" ", 1)[-1]
    if start + 220 < len(text):
        excerpt = excerpt.rsplit(" ", 1)[0] + " …"
    escaped = html.escape(excerpt, quote=False)
    for term in sorted({_stem(t) for t in terms}, key=len, reverse=True):
        if len(term) >= 2:
            escaped = re.sub(
                rf"(?i)\b({re.escape(html.escape(term, quote=False))}\w*)",
                r"<mark>\1</mark>",
                escaped,
            )
    return escaped


def _search_fallback(query: str, language: str, limit: int) -> list[SearchHit]:
    vocabulary = list(SearchTerm.objects.values_list("word", flat=True))
    terms = _terms(query, vocabulary)
    if not terms:
        return []
    best: dict[str, tuple[float, dict]] = {}
    rows = list(
        Guide.objects.published()
        .filter(language__in={language, "de", SEARCHED_WITH_GERMAN[language]})
        .values("slug", "language", "title", "summary", "tags", "body_text")
    )
    for row in rows:
        title = _field_words(row["title"] + " " + transliterate(row["title"]))
        summary = _field_words(
            " ".join([row["summary"], *row["tags"], transliterate(" ".join(row["tags"]))])
        )
        body = _field_words(row["body_text"])
        score, matched = 0.0, 0
        for term in terms:
            if _matches(term, title):
                score, matched = score + 3, matched + 1
            elif _matches(term, summary):
                score, matched = score + 2, matched + 1
            elif _matches(term, body):
                score, matched = score + 1, matched + 1
        if not matched:
            continue
        score = score / len(terms) + (1.5 if matched == len(terms) else 0)
        score += 0.01 if row["language"] == language else 0
        if row["slug"] not in best or score > best[row["slug"]][0]:
            best[row["slug"]] = (score, row)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    display = {
        (g["slug"], g["language"]): g for g in rows if g["slug"] in {slug for slug, _ in ranked}
    }
    hits = []
    for slug, (_score, row) in ranked:
        shown = display.get((slug, language)) or display.get((slug, "de")) or row
        hits.append(
            SearchHit(
                slug=slug,
                title=shown["title"],
                language=shown["language"],
                snippet=_fallback_snippet(shown["body_text"], terms),
            )
        )
    return hits
