"""Meanings of SMTP reply codes (RFC 5321) and enhanced status codes (RFC 3463), in our words."""

from django.utils.translation import gettext_lazy as _

CLASSES = {
    "2": _("Erfolg: die Nachricht wurde zugestellt."),
    "4": _("Vorübergehender Fehler: der Server versucht es später erneut."),
    "5": _("Endgültiger Fehler: die Nachricht wurde nicht zugestellt."),
}

SUBJECTS = {
    "0": _("sonstiger Grund"),
    "1": _("Problem mit der Adresse"),
    "2": _("Problem mit dem Postfach"),
    "3": _("Problem des Mailsystems"),
    "4": _("Problem mit Netz oder Weiterleitung"),
    "5": _("Problem im SMTP-Protokoll"),
    "6": _("Problem mit dem Inhalt (Format, Kodierung)"),
    "7": _("Sicherheit oder Richtlinie (z. B. Spam-Schutz)"),
}

DETAILS = {
    "0.0": _("Nicht näher bezeichneter Fehler."),
    "1.0": _("Nicht näher bezeichnetes Adressproblem."),
    "1.1": _("Das Postfach der Empfängeradresse gibt es nicht."),
    "1.2": _("Die Domain der Empfängeradresse gibt es nicht oder sie nimmt keine Mail an."),
    "1.3": _("Die Empfängeradresse ist falsch geschrieben (Syntax)."),
    "1.4": _("Die Empfängeradresse ist mehrdeutig."),
    "1.6": _("Das Postfach ist umgezogen; eine Weiterleitung gibt es nicht."),
    "1.7": _("Die Absenderadresse ist falsch geschrieben (Syntax)."),
    "1.8": _("Die Domain der Absenderadresse ist ungültig."),
    "1.10": _("Die Empfängerdomain erklärt ausdrücklich, keine E-Mails anzunehmen."),
    "2.0": _("Nicht näher bezeichnetes Postfachproblem."),
    "2.1": _("Das Postfach ist deaktiviert und nimmt nichts an."),
    "2.2": _("Das Postfach des Empfängers ist voll."),
    "2.3": _("Die Nachricht ist grösser, als der Empfänger erlaubt."),
    "2.4": _("Problem beim Verteilen an eine Mailingliste."),
    "3.0": _("Nicht näher bezeichnetes Problem des Mailsystems."),
    "3.1": _("Der Speicher des Mailsystems ist voll."),
    "3.2": _("Das System nimmt zurzeit keine Nachrichten an."),
    "3.3": _("Das System beherrscht eine benötigte Funktion nicht."),
    "3.4": _("Die Nachricht ist für das empfangende System zu gross."),
    "3.5": _("Das System ist falsch eingerichtet."),
    "4.0": _("Nicht näher bezeichnetes Netz- oder Weiterleitungsproblem."),
    "4.1": _("Der Zielserver antwortet nicht."),
    "4.2": _("Die Verbindung ist abgebrochen."),
    "4.3": _("Ein Verzeichnisdienst (z. B. DNS) ist ausgefallen."),
    "4.4": _("Es gibt keinen Weg zum Zielserver (z. B. fehlender MX-Eintrag)."),
    "4.5": _("Das Mailsystem ist überlastet."),
    "4.6": _("Die Nachricht läuft im Kreis (Weiterleitungsschleife)."),
    "4.7": _("Die Zustellfrist ist abgelaufen."),
    "5.0": _("Nicht näher bezeichnetes Protokollproblem."),
    "5.1": _("Ungültiger Befehl."),
    "5.2": _("Syntaxfehler im Befehl."),
    "5.3": _("Zu viele Empfänger auf einmal."),
    "5.4": _("Ungültige Befehlsargumente."),
    "5.5": _("Falsche Protokollversion."),
    "6.0": _("Nicht näher bezeichnetes Inhaltsproblem."),
    "6.1": _("Dieses Format wird nicht unterstützt."),
    "6.2": _("Eine nötige Umwandlung ist verboten."),
    "6.3": _("Eine nötige Umwandlung ist nicht möglich."),
    "6.5": _("Die Umwandlung ist fehlgeschlagen."),
    "7.0": _("Nicht näher bezeichneter Sicherheits- oder Richtliniengrund (häufig Spam-Filter)."),
    "7.1": _("Die Zustellung ist nicht erlaubt; die Nachricht wurde abgewiesen."),
    "7.2": _("Verteilen an die Liste ist verboten."),
    "7.3": _("Eine nötige Sicherheitsumwandlung ist nicht möglich."),
    "7.4": _("Sicherheitsfunktionen werden nicht unterstützt."),
    "7.5": _("Kryptografischer Fehler."),
    "7.6": _("Das kryptografische Verfahren wird nicht unterstützt."),
    "7.7": _("Die Nachricht wurde unterwegs verändert (Integrität verletzt)."),
    "7.8": _("Die Anmeldedaten sind ungültig."),
    "7.9": _("Das Anmeldeverfahren ist zu schwach."),
    "7.23": _("SPF-Prüfung fehlgeschlagen."),
    "7.24": _("SPF-Prüfung mit Fehler abgebrochen."),
    "7.25": _("Der Absenderserver hat keinen gültigen Reverse-DNS-Eintrag."),
    "7.26": _("Mehrere Echtheitsprüfungen (SPF, DKIM) sind fehlgeschlagen."),
    "7.27": _("Die Absenderdomain nimmt selbst keine E-Mails an (Null-MX)."),
}

SMTP_CODES = {
    "421": _("Der Server ist zurzeit nicht erreichbar und beendet die Verbindung."),
    "450": _("Das Postfach ist vorübergehend nicht verfügbar."),
    "451": _("Vorübergehender Verarbeitungsfehler beim Empfänger."),
    "452": _("Vorübergehend zu wenig Speicher oder zu viele Empfänger."),
    "454": _("Verschlüsselung (TLS) vorübergehend nicht verfügbar."),
    "500": _("Befehl nicht erkannt."),
    "501": _("Fehler in den Angaben eines Befehls."),
    "502": _("Befehl nicht unterstützt."),
    "503": _("Falsche Reihenfolge der Befehle."),
    "504": _("Befehlsparameter nicht unterstützt."),
    "521": _("Dieser Server nimmt grundsätzlich keine E-Mails an."),
    "530": _("Anmeldung erforderlich."),
    "535": _("Anmeldung fehlgeschlagen (Benutzername oder Passwort falsch)."),
    "550": _("Postfach nicht verfügbar oder Nachricht aus Richtliniengründen abgewiesen."),
    "551": _("Empfänger ist hier nicht bekannt."),
    "552": _("Speicherplatz überschritten oder Nachricht zu gross."),
    "553": _("Adresse nicht zulässig."),
    "554": _("Zustellung fehlgeschlagen (oft: vom Spam-Filter abgewiesen)."),
    "556": _("Die Empfängerdomain nimmt keine E-Mails an."),
}


def describe_enhanced(code: str) -> str:
    """`5.1.1` → 'Endgültiger Fehler … – Problem mit der Adresse: Postfach gibt es nicht.'"""
    parts = code.split(".")
    if len(parts) != 3:
        return ""
    klass, subject, detail = parts
    pieces = [str(CLASSES.get(klass, ""))]
    if subject in SUBJECTS:
        text = str(SUBJECTS[subject])
        pieces.append(text[:1].upper() + text[1:] + ":")
    pieces.append(str(DETAILS.get(f"{subject}.{detail}", DETAILS.get(f"{subject}.0", ""))))
    return " ".join(p for p in pieces if p)


def describe_smtp(code: str) -> str:
    return str(SMTP_CODES.get(code, CLASSES.get(code[:1], "")))
