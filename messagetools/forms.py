"""Forms of the message tools: a message as an uploaded .eml or as pasted source."""

from django import forms
from django.core.validators import MaxLengthValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from messagetools.app_settings import app_settings
from messagetools.engine import NotAMessage
from messagetools.engine.parsing import parse_message


def _read_upload(upload) -> bytes:
    """Reads an upload in chunks, refusing it as soon as it is larger than allowed."""
    limit = app_settings.MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise forms.ValidationError(
            _("Die Datei ist zu gross (%(size)s); erlaubt sind höchstens %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    chunks, total = [], 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > limit:
            raise forms.ValidationError(
                _("Die Datei ist zu gross; erlaubt sind höchstens %(limit)s."),
                code="too_large",
                params={"limit": filesizeformat(limit)},
            )
        chunks.append(chunk)
    return b"".join(chunks)


class MessageSourceForm(forms.Form):
    """A whole message (.eml upload or pasted source); it must really be a message."""

    file = forms.FileField(
        label=_("Nachricht als .eml-Datei"),
        required=False,
        help_text=_("Im Webmail: Nachricht öffnen, „Herunterladen (.eml)“ wählen."),
        widget=forms.ClearableFileInput(attrs={"accept": ".eml,message/rfc822,text/plain"}),
    )
    source = forms.CharField(
        label=_("… oder Quelltext der Nachricht einfügen"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "mono"}),
        help_text=_("Der vollständige Quelltext mit allen Kopfzeilen („Original anzeigen“)."),
    )
    require_message = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = app_settings.MAX_PASTE_CHARS
        self.fields["source"].validators.append(MaxLengthValidator(limit))
        self.fields["source"].widget.attrs["maxlength"] = limit

    def clean(self):
        cleaned = super().clean()
        upload, source = cleaned.get("file"), cleaned.get("source") or ""
        if self.errors:
            return cleaned
        if upload and source.strip():
            raise forms.ValidationError(
                _("Bitte entweder eine Datei hochladen oder Text einfügen, nicht beides.")
            )
        if upload:
            try:
                raw = _read_upload(upload)
            except forms.ValidationError as error:
                self.add_error("file", error)
                return cleaned
            field = "file"
        elif source.strip():
            raw = source.replace("\r\n", "\n").encode("utf-8", errors="replace")
            field = "source"
        else:
            raise forms.ValidationError(
                _("Bitte laden Sie eine .eml-Datei hoch oder fügen Sie den Text ein."),
                code="empty",
            )
        if self.require_message:
            try:
                parse_message(raw)
            except NotAMessage as error:
                self.add_error(field, str(error))
                return cleaned
        elif b"\x00" in raw[:65536]:
            self.add_error(field, _("Die Datei enthält Binärdaten; erwartet wird Text oder .eml."))
            return cleaned
        cleaned["raw"] = raw
        return cleaned


class BounceForm(MessageSourceForm):
    """A bounce: a whole DSN message or just the text of the error."""

    require_message = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = _("Unzustellbarkeitsmeldung als .eml-Datei")
        self.fields["source"].label = _("… oder den Text der Fehlermeldung einfügen")
        self.fields["source"].help_text = _(
            "Zum Beispiel: „554 5.7.0 AV: Message is rejected by headers rule filter“."
        )


class PhishingReportForm(MessageSourceForm):
    note = forms.CharField(
        label=_("Bemerkung (freiwillig)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Zum Beispiel: Haben Sie auf einen Link geklickt oder Daten eingegeben?"),
    )
