"""The message check: one rule engine for the web page and `manage.py check_message`.

It answers "would the provider's filters reject this message, and why?" (docs/product.md §5).
"""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from messagetools.engine import links as link_rules
from messagetools.engine.archives import ArchiveInspector, Limits, sniff
from messagetools.engine.filenames import ARCHIVE_EXTENSIONS, display_name, extension
from messagetools.engine.findings import CheckReport, Finding, Severity
from messagetools.engine.parsing import (
    address,
    domain_of,
    header,
    iter_parts,
    parse_message,
    part_text,
    payload_bytes,
)
from messagetools.engine.phrases import REJECT_SCORE, WARN_SCORE, phrase_hits, subject_signs

MAX_TEXT = 2_000_000  # characters of one body part that are analysed
MAX_LINK_FINDINGS = 10

SpfChecker = Callable[[str], Any]  # domain -> diagnosis CheckResult (status, message)
Progress = Callable[[int, int], None]  # (steps done, steps in all)

# The steps of a check, in order; `progress` is called after each one.
CHECK_STEPS = ("parse", "parts", "links", "phrases", "spf")

# Structural defects of the stdlib parser that mean "truncated or broken MIME".
_DEFECTS = {
    "CloseBoundaryNotFoundDefect",
    "StartBoundaryNotFoundDefect",
    "MultipartInvariantViolationDefect",
    "MissingHeaderBodySeparatorDefect",
    "NoBoundaryInMultipartDefect",
    "InvalidBase64PaddingDefect",
    "InvalidBase64CharactersDefect",
    "InvalidBase64LengthDefect",
}


def check_message(
    data: bytes,
    *,
    spf_checker: SpfChecker | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
) -> CheckReport:
    """Runs every rule on raw message bytes. Raises `NotAMessage` for data that is no message.

    `spf_checker` is called with the sender's domain (the portal passes the diagnosis
    module's `check_spf`); without it, SPF is not checked. `progress(done, total)` is
    called after each of the `CHECK_STEPS`.
    """
    message = parse_message(data)
    report = CheckReport(size=len(data))
    report.subject = header(message, "subject")[:300]
    report.sender = address(header(message, "from"))
    if progress:
        progress(1, len(CHECK_STEPS))
    _Run(report, message, limits or Limits(), spf_checker).run(progress)
    return report


class _Run:
    def __init__(self, report: CheckReport, message, limits: Limits, spf_checker):
        self.report = report
        self.message = message
        self.limits = limits
        self.spf_checker = spf_checker
        self.texts: list[str] = []  # visible texts for the phrase list
        self.links: list[tuple[link_rules.Link, str]] = []
        self.active: dict[str, str] = {}

    def add(self, finding: Finding) -> None:
        self.report.findings.append(finding)

    def run(self, progress: Progress | None = None) -> None:
        stages = (self.parts, self.link_checks, self.phrase_check, self.spf_check)
        for done, stage in enumerate(stages, start=len(CHECK_STEPS) - len(stages) + 1):
            try:
                stage()
            except Exception:  # a failed rule is reported, never a crash
                self.add(
                    Finding(
                        "check_incomplete",
                        Severity.WARN,
                        _("Ein Teil der Prüfung konnte nicht ausgeführt werden (%(stage)s).")
                        % {"stage": stage.__name__},
                    )
                )
            if progress:
                progress(done, len(CHECK_STEPS))

    # -- parts: attachments, archives, bodies ----------------------------------------------
    def parts(self) -> None:
        inspector = ArchiveInspector(self.limits)
        defects: set[str] = {type(d).__name__ for d in self.message.defects}
        unknown_charsets: set[str] = set()
        for part in iter_parts(self.message):
            defects.update(type(d).__name__ for d in getattr(part.message, "defects", []))
            label = self._label(part)
            if part.is_attachment:
                for name in part.names:
                    inspector.check_name(name, label)
                payload = payload_bytes(part.message)
                name = part.names[0] if part.names else ""
                if payload and (
                    extension(name) in ARCHIVE_EXTENSIONS or sniff(payload[:512], name)
                ):
                    inspector.inspect(payload, name=name, location=label)
            if part.content_type in ("text/plain", "text/html"):
                text, unknown = part_text(part.message)
                if unknown:
                    unknown_charsets.add(unknown)
                self._body(part, text[:MAX_TEXT], label)
        for finding in inspector.finish():
            self.add(finding)
        if defects & _DEFECTS:
            self.add(
                Finding(
                    "message_defect",
                    Severity.INFO,
                    _(
                        "Die Nachricht ist unvollständig oder fehlerhaft aufgebaut (%(defects)s); "
                        "geprüft wurde, was lesbar war."
                    )
                    % {"defects": ", ".join(sorted(defects & _DEFECTS))},
                )
            )
        if unknown_charsets:
            self.add(
                Finding(
                    "charset_unknown",
                    Severity.INFO,
                    _("Unbekannter Zeichensatz %(charsets)s; der Text wurde als UTF-8 gelesen.")
                    % {"charsets": ", ".join(sorted(c[:40] for c in unknown_charsets))},
                )
            )

    def _label(self, part) -> str:
        if part.names:
            return _("Anhang „%(name)s“") % {"name": display_name(part.names[0])}
        return _("Teil %(index)s (%(type)s)") % {"index": part.index, "type": part.content_type}

    def _body(self, part, text: str, label: str) -> None:
        if part.content_type == "text/html":
            scan = link_rules.scan_html(text)
            for tag in scan.active_tags:
                self.active.setdefault(tag, label)
            self.links.extend((link, label) for link in scan.links)
            visible = scan.text
            # Plain URLs written as text in HTML count too (not already inside an <a>).
            hrefs = {link.href.strip() for link in scan.links}
            self.links.extend(
                (link, label) for link in link_rules.text_links(visible) if link.href not in hrefs
            )
        else:
            visible = text
            self.links.extend((link, label) for link in link_rules.text_links(text))
            self._signature(text, label)
        if not part.is_attachment:
            self.texts.append(visible)

    def _signature(self, text: str, label: str) -> None:
        """A signature (after the `-- ` line) full of links or very long looks like spam."""
        marker = text.rfind("\n-- \n")
        if marker < 0:
            marker = text.replace("\r\n", "\n").rfind("\n-- \n")
            if marker < 0:
                return
        signature = text[marker + 5 :]
        link_count = len(link_rules.text_links(signature))
        lines = len(signature.splitlines())
        if link_count > 4 or lines > 25 or phrase_hits(signature):
            self.add(
                Finding(
                    "signature_unusual",
                    Severity.WARN,
                    _(
                        "Die Signatur ist ungewöhnlich (%(lines)s Zeilen, %(links)s Links oder "
                        "Werbesprache); Filter werten so etwas als Spam-Zeichen."
                    )
                    % {"lines": lines, "links": link_count},
                    label,
                )
            )

    # -- links ---------------------------------------------------------------------------
    def link_checks(self) -> None:
        counts = {"link_malformed": 0, "link_text_mismatch": 0}
        for tag, label in sorted(self.active.items()):
            self.add(
                Finding(
                    "html_active_content",
                    Severity.WARN,
                    _("Der HTML-Teil enthält aktive Inhalte (<%(tag)s>), die Filter abweisen.")
                    % {"tag": tag},
                    label,
                )
            )
        seen = set()
        for link, label in self.links:
            key = (link.href, link.text)
            if key in seen:
                continue
            seen.add(key)
            shown_href = display_name(link.href)[:200]
            problem = link_rules.link_problem(link.href, in_text=link.source == "text")
            if problem:
                code, reason = problem
                if code == "html_active_content":
                    self.add(
                        Finding(
                            code,
                            Severity.WARN,
                            _("Link „%(href)s“: %(reason)s.")
                            % {"href": shown_href, "reason": reason},
                            label,
                        )
                    )
                    continue
                counts[code] += 1
                if counts[code] <= MAX_LINK_FINDINGS:
                    self.add(
                        Finding(
                            code,
                            Severity.WARN,
                            _("Fehlerhafter Link „%(href)s“: %(reason)s.")
                            % {"href": shown_href, "reason": reason},
                            label,
                        )
                    )
                continue
            lie = link_rules.mismatch(link)
            if lie:
                counts["link_text_mismatch"] += 1
                if counts["link_text_mismatch"] <= MAX_LINK_FINDINGS:
                    self.add(
                        Finding(
                            "link_text_mismatch",
                            Severity.WARN,
                            _(
                                "Der Link zeigt „%(shown)s“ an, führt aber zu „%(target)s“ – "
                                "ein typisches Merkmal von Phishing."
                            )
                            % {"shown": lie[0][:200], "target": lie[1][:200]},
                            label,
                        )
                    )
        for code, count in counts.items():
            if count > MAX_LINK_FINDINGS:
                self.add(
                    Finding(
                        code,
                        Severity.WARN,
                        _("… und %(count)s weitere gleichartige Befunde.")
                        % {"count": count - MAX_LINK_FINDINGS},
                    )
                )

    # -- phrases -------------------------------------------------------------------------
    def phrase_check(self) -> None:
        subject = self.report.subject
        hits = phrase_hits(subject + "\n" + "\n".join(self.texts))
        signs = subject_signs(subject)
        score = sum(h.score for h in hits) + sum(points for _sign, points in signs)
        if not score:
            return
        words = [f"„{h.phrase}“ ({h.score})" for h in hits]
        sign_names = {
            "caps": _("Betreff in Grossbuchstaben"),
            "punctuation": _("Satzzeichen-Reihen im Betreff"),
        }
        words += [f"{sign_names[sign]} ({points})" for sign, points in signs]
        if score >= REJECT_SCORE:
            severity = Severity.REJECT
        elif score >= WARN_SCORE:
            severity = Severity.WARN
        else:
            severity = Severity.INFO
        self.add(
            Finding(
                "spam_phrases",
                severity,
                _(
                    "Spam-typische Wörter, Punktzahl %(score)s (Warnung ab %(warn)s, Abweisung "
                    "ab %(reject)s): %(words)s."
                )
                % {
                    "score": score,
                    "warn": WARN_SCORE,
                    "reject": REJECT_SCORE,
                    "words": ", ".join(words),
                },
                _("Betreff und Text"),
            )
        )

    # -- SPF -----------------------------------------------------------------------------
    def spf_check(self) -> None:
        if self.spf_checker is None:
            return
        domain = domain_of(self.report.sender)
        if not domain:
            self.add(
                Finding(
                    "spf_unknown",
                    Severity.INFO,
                    _("Ohne gültige Absenderadresse (From) lässt sich SPF nicht prüfen."),
                    "From",
                )
            )
            return
        try:
            result = self.spf_checker(domain)
        except Exception as error:  # DNS trouble is reported, not raised
            self.add(
                Finding(
                    "spf_unknown",
                    Severity.INFO,
                    _("SPF von %(domain)s konnte nicht geprüft werden (%(error)s).")
                    % {"domain": domain, "error": type(error).__name__},
                    "From",
                )
            )
            return
        status = str(getattr(result, "status", "unknown"))
        text = str(getattr(result, "message", "") or "")
        code, severity = {
            "ok": ("spf_pass", Severity.INFO),
            "warning": ("spf_warn", Severity.WARN),
            "error": ("spf_fail", Severity.REJECT),
        }.get(status, ("spf_unknown", Severity.INFO))
        self.add(
            Finding(
                code,
                severity,
                _("SPF der Absenderdomain %(domain)s: %(message)s")
                % {"domain": domain, "message": text or status},
                "From",
            )
        )
