"""SPF: exactly one record, evaluated per RFC 7208 by pyspf against our outbound addresses.

pyspf looks names up through its module-level `DNSLookup`. We replace it once by a function
that asks the answer source of the current evaluation (a context variable), so every check
uses its own resolver or answer book and nothing is shared between runs or threads.
"""

from __future__ import annotations

import contextvars
import functools

import spf as pyspf
from django.utils.translation import gettext_noop as _  # msgids are translated on display

from mailservices.diagnosis.checks.base import (
    ERROR,
    OK,
    REMOVE,
    UNKNOWN,
    WARNING,
    CheckResult,
    Finding,
    ProviderFacts,
    Record,
    Text,
)
from mailservices.diagnosis.dns import ANSWER, NODATA, NXDOMAIN, AnswerSource, normalize_name

NAME = "spf"
QUERYTIME = 15  # seconds for one whole evaluation (RFC 7208 suggests at least 20 for MTAs)
PROBE_IPV4 = "240.0.0.1"  # reserved, never listed: its evaluation walks the whole record
MAX_WALK = 30

_source: contextvars.ContextVar[AnswerSource | None] = contextvars.ContextVar(
    "spf_answer_source", default=None
)
_original_lookup = getattr(pyspf, "_portal_original_lookup", pyspf.DNSLookup)

NO_SPF = _(
    "Es gibt keinen SPF-Eintrag. Empfänger können nicht prüfen, ob unsere Server für "
    "%(domain)s senden dürfen, und stufen Ihre Nachrichten eher als Spam ein. Veröffentlichen "
    "Sie den folgenden TXT-Eintrag."
)
# The same finding for a domain whose zone we host: we fix it, nobody else publishes.
HOSTED_ZONE_TEXTS = {
    NO_SPF: _(
        "Es gibt keinen SPF-Eintrag. Empfänger können nicht prüfen, ob unsere Server für "
        "%(domain)s senden dürfen, und stufen Ihre Nachrichten eher als Spam ein. Die Zone "
        "dieser Domain führen wir: wir tragen den folgenden TXT-Eintrag für Sie ein."
    ),
}


def _lookup_for_pyspf(name, qtype, strict=True, timeout=30):
    """pyspf's DNS hook: answers from the current source, in pyspf's result format."""
    source = _source.get()
    if source is None:
        return _original_lookup(name, qtype, strict, timeout)
    lookup = source.lookup(name, qtype)
    if lookup.failed:
        raise pyspf.TempError(f"DNS {lookup.error} for {name}")
    if lookup.outcome != ANSWER:
        return []
    out = []
    for value in lookup.records:
        if qtype in ("TXT", "SPF"):
            out.append(((name, qtype), [value.encode()]))
        elif qtype == "MX":
            preference, _space, exchange = value.partition(" ")
            out.append(((name, qtype), (int(preference), exchange.rstrip("."))))
        elif qtype == "PTR":
            out.append(((name, qtype), value.rstrip(".")))
        else:
            out.append(((name, qtype), value))
    return out


if not hasattr(pyspf, "_portal_original_lookup"):
    pyspf._portal_original_lookup = pyspf.DNSLookup
    pyspf.DNSLookup = _lookup_for_pyspf


def is_spf(txt: str) -> bool:
    text = txt.strip().lower()
    return text == "v=spf1" or text.startswith("v=spf1 ")


def _bare(term: str) -> str:
    return term.lower().lstrip("+-~?")


def suggest_record(existing: list[str], provider: ProviderFacts, drop=()) -> str:
    """One SPF record with our include, keeping the customer's other senders.

    `drop`: terms known to break the record (an include without record, a typo), left out.
    """
    include = f"include:{provider.spf_include}"
    drop = {_bare(t) for t in drop}
    terms, redirect, final = [], None, "~all"
    for record in existing:
        for term in record.split()[1:]:
            bare = _bare(term)
            if bare in drop:
                continue
            if bare == "all":
                if term[0] == "-":
                    final = "-all"
                continue
            if bare == "ptr" or bare.startswith("ptr:") or bare.startswith("ptr/"):
                continue
            if bare.startswith("redirect="):
                redirect = term
                continue
            if term.lower() not in (t.lower() for t in terms):
                terms.append(term)
    if not any(_bare(t) == include for t in terms):
        terms.insert(0, include)
    terms.append(redirect if redirect else final)
    return " ".join(["v=spf1", *terms])


@functools.lru_cache(maxsize=64)
def _representative(network) -> str:
    if network.num_addresses == 1:
        return str(network.network_address)
    return str(network.network_address + 1)


def _evaluate(domain: str, ip: str, source: AnswerSource):
    """(result, problem, mechanisms) of pyspf for a message from `ip` for `domain`."""
    token = _source.set(source)
    try:
        query = pyspf.query(
            i=ip, s=f"postmaster@{domain}", h=domain, strict=True, querytime=QUERYTIME
        )
        result, _code, _explanation = query.check()
        return result, getattr(query, "prob", "") or "", list(query.mech)
    finally:
        _source.reset(token)


def _targets(record: str) -> list[str]:
    """Names an SPF record hands evaluation to (include and redirect), macros skipped."""
    out = []
    for term in record.split()[1:]:
        bare = _bare(term)
        for prefix in ("include:", "redirect="):
            if bare.startswith(prefix) and "%" not in bare:
                out.append(normalize_name(term.split(prefix[-1], 1)[1]))
    return out


def _find_loop(domain: str, record: str, source: AnswerSource) -> list[str] | None:
    """A chain of include/redirect that comes back to a name on it, if there is one."""
    budget = [MAX_WALK]

    def walk(name, rec, path):
        for target in _targets(rec):
            if target in path:
                return [*path, target]
            budget[0] -= 1
            if budget[0] < 0:
                return None
            lookup = source.lookup(target, "TXT")
            found = [r for r in lookup.records if is_spf(r)] if lookup.outcome == ANSWER else []
            if len(found) == 1:
                chain = walk(target, found[0], [*path, target])
                if chain:
                    return chain
        return None

    return walk(domain, record, [normalize_name(domain)])


def _permerror_text(problem: str, mechanisms: list[str]) -> tuple[Text, list[str]]:
    """The precise explanation of a permerror, and the terms to leave out to fix it."""
    low = problem.lower()
    mech = " ".join(mechanisms)
    if "dns lookups" in low:
        text = Text(
            _(
                "Der SPF-Eintrag braucht mehr als 10 DNS-Abfragen (include, a, mx, ptr, exists, "
                "redirect). Empfänger werten ihn deshalb als Fehler (RFC 7208, 4.6.4). Entfernen "
                "Sie nicht mehr benötigte include-Einträge."
            )
        )
        return text, []
    if "void lookup" in low:
        text = Text(
            _(
                "Mehr als 2 Abfragen des SPF-Eintrags ergeben keine Antwort (Namen ohne Eintrag). "
                "Empfänger werten ihn deshalb als Fehler (RFC 7208, 4.6.4). Entfernen Sie die "
                "Verweise auf nicht existierende Namen."
            )
        )
        return text, []
    if "included domain" in low:
        target = problem.rsplit(":", 1)[-1].strip()
        text = Text(
            _(
                "Der SPF-Eintrag bindet %(target)s per include ein, dort gibt es aber keinen "
                "SPF-Eintrag. Das ist ein permanenter Fehler; entfernen oder korrigieren Sie "
                "diesen include."
            ),
            {"target": target},
        )
        return text, [f"include:{target}"]
    if "redirect domain has no spf record" in low:
        text = Text(
            _(
                "Der SPF-Eintrag leitet mit redirect= auf %(target)s weiter, dort gibt es aber "
                "keinen SPF-Eintrag. Das ist ein permanenter Fehler."
            ),
            {"target": mech or "?"},
        )
        return text, [f"redirect={mech}"] if mech else []
    if "recursion" in low:
        text = Text(
            _("Der SPF-Eintrag bindet sich selbst ein (Schleife). Empfänger werten ihn als Fehler.")
        )
        return text, []
    if "two or more" in low:
        text = Text(
            _(
                "Ein eingebundener Name hat mehr als einen SPF-Eintrag; das ist ein permanenter "
                "Fehler."
            )
        )
        return text, []
    text = Text(
        _(
            "Der SPF-Eintrag enthält einen Syntaxfehler: %(detail)s. Empfänger werten ihn als "
            "Fehler (permerror)."
        ),
        {"detail": f"{problem} ({mech})" if mech and mech not in problem else problem},
    )
    return text, list(mechanisms)


def evaluate_spf(domain: str, source: AnswerSource, provider: ProviderFacts) -> CheckResult:
    domain = normalize_name(domain)
    txt = source.lookup(domain, "TXT")
    if txt.failed:
        return CheckResult.from_findings(
            NAME,
            [
                Finding(
                    UNKNOWN,
                    Text(
                        _(
                            "Der SPF-Eintrag von %(domain)s konnte nicht geprüft werden, weil "
                            "der DNS-Server nicht antwortete (%(error)s). Bitte versuchen Sie "
                            "es später nochmals."
                        ),
                        {"domain": domain, "error": txt.error},
                    ),
                )
            ],
        )
    records = [r for r in txt.records if is_spf(r)] if txt.outcome == ANSWER else []
    suggestion = Record(domain, "TXT", suggest_record(records, provider))
    if txt.outcome == NXDOMAIN:
        return CheckResult.from_findings(
            NAME,
            [
                Finding(
                    ERROR,
                    Text(_("Die Domain %(domain)s existiert im DNS nicht."), {"domain": domain}),
                )
            ],
            [suggestion],
        )
    quoted = [r for r in txt.records if is_spf(r.strip().strip("'\"").strip())]
    if not records and quoted:
        return CheckResult.from_findings(
            NAME,
            [
                Finding(
                    ERROR,
                    Text(
                        _(
                            "Der SPF-Eintrag enthält Anführungszeichen als Teil des Wertes und "
                            "gilt deshalb nicht. Geben Sie den Wert ohne Anführungszeichen ein."
                        )
                    ),
                )
            ],
            [suggestion, *(Record(domain, "TXT", r, action=REMOVE) for r in quoted)],
            quoted,
        )
    if not records:
        return CheckResult.from_findings(
            NAME,
            [
                Finding(
                    ERROR,
                    Text(NO_SPF, {"domain": domain}),
                )
            ],
            [suggestion],
        )
    if len(records) > 1:
        removals = [Record(domain, "TXT", r, action=REMOVE) for r in records]
        return CheckResult.from_findings(
            NAME,
            [
                Finding(
                    ERROR,
                    Text(
                        _(
                            "Es gibt %(count)d SPF-Einträge; erlaubt ist genau einer (RFC 7208, "
                            "4.5). Empfänger werten das als Fehler. Ersetzen Sie alle durch "
                            "den zusammengeführten Eintrag."
                        ),
                        {"count": len(records)},
                    ),
                )
            ],
            [suggestion, *removals],
            records,
        )

    record = records[0]
    findings = _flag_terms(record)
    drop: list[str] = []
    loop = _find_loop(domain, record, source)
    if loop:
        drop = [f"include:{loop[1]}", f"redirect={loop[1]}"]
        findings.append(
            Finding(
                ERROR,
                Text(
                    _(
                        "Der SPF-Eintrag enthält eine Schleife: %(chain)s. Empfänger werten "
                        "das als Fehler."
                    ),
                    {"chain": " → ".join(loop)},
                ),
            )
        )
    else:
        provider_findings, drop = _evaluate_provider(domain, source, provider, record)
        findings.extend(provider_findings)

    needs_change = any(f.status != OK for f in findings)
    if not findings:
        findings.append(
            Finding(
                OK,
                Text(
                    _(
                        "Der SPF-Eintrag ist gültig und erlaubt unseren Servern, für "
                        "%(domain)s zu senden."
                    ),
                    {"domain": domain},
                ),
            )
        )
    if not needs_change:
        return CheckResult.from_findings(NAME, findings, [Record(domain, "TXT", record)], records)
    fixed = suggest_record(records, provider, drop)
    if fixed == record:
        # Nothing we can rewrite safely (e.g. which include to give up is the customer's
        # choice): the explanation says what to change.
        return CheckResult.from_findings(NAME, findings, [], records)
    return CheckResult.from_findings(
        NAME,
        findings,
        [Record(domain, "TXT", fixed), Record(domain, "TXT", record, action=REMOVE)],
        records,
    )


def _flag_terms(record: str) -> list[Finding]:
    terms = record.split()[1:]
    findings = []
    alls = [t for t in terms if _bare(t) == "all"]
    has_redirect = any(_bare(t).startswith("redirect=") for t in terms)
    if alls:
        qualifier = alls[-1][0] if alls[-1][0] in "+-~?" else "+"
        if qualifier == "+":
            findings.append(
                Finding(
                    ERROR,
                    Text(
                        _(
                            "Der SPF-Eintrag endet mit „+all“: damit darf jeder Server der "
                            "Welt in Ihrem Namen senden. Verwenden Sie „~all“ oder „-all“."
                        )
                    ),
                )
            )
        elif qualifier == "?":
            findings.append(
                Finding(
                    WARNING,
                    Text(
                        _(
                            "Der SPF-Eintrag endet mit „?all“ (neutral): fremde Server werden "
                            "nicht abgewiesen. Empfohlen ist „~all“ oder „-all“."
                        )
                    ),
                )
            )
    elif not has_redirect:
        findings.append(
            Finding(
                WARNING,
                Text(
                    _(
                        "Dem SPF-Eintrag fehlt ein abschliessendes „all“: was für fremde "
                        "Server gilt, bleibt offen. Ergänzen Sie „~all“ oder „-all“."
                    )
                ),
            )
        )
    if any(_bare(t) == "ptr" or _bare(t).startswith(("ptr:", "ptr/")) for t in terms):
        findings.append(
            Finding(
                WARNING,
                Text(
                    _(
                        "Der SPF-Eintrag verwendet „ptr“. Davon rät RFC 7208 ab (langsam, "
                        "unzuverlässig); manche Empfänger ignorieren es. Nennen Sie die Server "
                        "stattdessen mit ip4/ip6 oder include."
                    )
                ),
            )
        )
    return findings


def _void_terms(record: str, source: AnswerSource) -> list[str]:
    """Terms of the record whose names answer nothing (the void lookups), macros skipped."""
    void = []
    for term in record.split()[1:]:
        bare = _bare(term)
        kind, _sep, target = bare.partition(":")
        target = target.split("/", 1)[0]
        if not target or "%" in target or kind not in ("a", "mx", "exists", "include"):
            continue
        types = {"a": ("A", "AAAA"), "exists": ("A",), "mx": ("MX",), "include": ("TXT",)}[kind]
        lookups = source.lookup_many([(target, t) for t in types])
        if all(lk.outcome in (NXDOMAIN, NODATA) for lk in lookups):
            void.append(term)
    return void


def _evaluate_provider(domain, source, provider, record) -> tuple[list[Finding], list[str]]:
    """Findings of pyspf's evaluation for our addresses (and a probe), and terms to drop."""
    findings = []
    failing = []
    for network in provider.outbound_networks:
        ip = _representative(network)
        result, problem, mechanisms = _evaluate(domain, ip, source)
        if result == "pass":
            continue
        if result == "temperror":
            return [
                Finding(
                    UNKNOWN,
                    Text(
                        _(
                            "Der SPF-Eintrag konnte nicht vollständig ausgewertet werden, weil "
                            "ein DNS-Server nicht antwortete. Bitte versuchen Sie es später "
                            "nochmals."
                        )
                    ),
                )
            ], []
        if result == "permerror":
            text, drop = _permerror_text(problem, mechanisms)
            if "void lookup" in problem.lower():
                drop = _void_terms(record, source)
            return [Finding(ERROR, text)], drop
        failing.append(f"{network} ({result})")
    if failing:
        findings.append(
            Finding(
                ERROR,
                Text(
                    _(
                        "Der SPF-Eintrag erlaubt unseren Servern nicht, für %(domain)s zu "
                        "senden (%(networks)s). Nehmen Sie „include:%(include)s“ auf."
                    ),
                    {
                        "domain": domain,
                        "networks": ", ".join(failing),
                        "include": provider.spf_include,
                    },
                ),
            )
        )
    # Our addresses may pass early; an address nobody lists walks the whole record and so
    # finds errors further on, which other senders' mail would run into.
    result, problem, mechanisms = _evaluate(domain, PROBE_IPV4, source)
    drop = []
    if result == "permerror":
        text, drop = _permerror_text(problem, mechanisms)
        if "void lookup" in problem.lower():
            drop = _void_terms(record, source)
        findings.append(Finding(ERROR, text))
    return findings, drop
