"""Demo data: two phishing reports of the demo customer (one new, one triaged). Idempotent."""

from email.message import EmailMessage

from messagetools.models import PhishingReport
from messagetools.services import phishing_report_create, phishing_report_triage


def _phishing_message(subject: str, link: str, shown: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Alpenpost Sicherheit <sicherheit@alpenpost-konto.example>"
    msg["Reply-To"] = "support@konto-pruefung.example"
    msg["Return-Path"] = "<bounce@mailer.konto-pruefung.example>"
    msg["To"] = "anna.muster@demo-kunde.ch"
    msg["Subject"] = subject
    msg["Date"] = "Thu, 26 Nov 2026 08:12:00 +0100"
    msg["Message-ID"] = "<demo-phish@konto-pruefung.example>"
    msg["Received"] = (
        "from mailer.konto-pruefung.example (mailer.konto-pruefung.example [198.51.100.23]) "
        "by mx1.alpenpost.example with ESMTPS id 4Xk2; Thu, 26 Nov 2026 08:12:03 +0100"
    )
    msg.set_content(f"Ihr Postfach wird gesperrt. Bestätigen Sie Ihre Kontodaten: {link}\n")
    msg.add_alternative(
        f'<p>Ihr Postfach wird heute gesperrt.</p><p><a href="{link}">{shown}</a></p>',
        subtype="html",
    )
    return bytes(msg)


def seed(*, customer, stdout):
    reports = PhishingReport.objects.for_customer(customer)
    if reports.exists():
        stdout.write(f"  Phishing reports: {reports.count()} exist")
        return
    user = customer.owner
    first = phishing_report_create(
        customer=customer,
        reported_by=user,
        raw=_phishing_message(
            "Letzte Warnung: Postfach wird gesperrt",
            "https://login.konto-pruefung.example/alpenpost",
            "https://www.alpenpost.example/login",
        ),
        note="Nicht geklickt.",
    )
    phishing_report_triage(report=first, status="confirmed", note="Demo: Domain gemeldet.", by=None)
    phishing_report_triage(report=first, status="closed", note="", by=None)
    phishing_report_create(
        customer=customer,
        reported_by=user,
        raw=_phishing_message(
            "Ihre Rechnung ist bereit",
            "http://rechnung-download.example/r.php?id=7",
            "Rechnung ansehen",
        ),
    )
    stdout.write("  Phishing reports: 2 demo reports")
