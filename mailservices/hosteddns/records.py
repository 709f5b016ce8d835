"""Validation of hosted-zone records, per type, as pure functions (no ORM).

`clean_record()` turns what a customer typed into the stored form (name relative to the
zone as A-labels, `@` for the apex; value normalised, names absolute with a final dot, TXT
unquoted) or raises `ValidationError` with one message per field. `rrset_conflicts()`
checks a record against the rest of the zone (a CNAME never beside other data, no data
below a delegation). `txt_strings()` is how a TXT value goes on the wire: 255-byte strings.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import idna
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

TYPES = ("A", "AAAA", "CNAME", "MX", "TXT", "SRV", "CAA", "TLSA", "NS")
TTL_MIN = 60
TTL_MAX = 86400
TXT_MAX_BYTES = 4000  # a whole TXT record; longer ones make answers fragment
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_CAA_TAG = re.compile(r"^[a-z0-9]{1,15}$", re.IGNORECASE)


@dataclass(frozen=True)
class CleanRecord:
    name: str  # relative A-labels, "@" for the apex
    type: str
    ttl: int
    value: str


def to_ascii_name(text: str) -> str:
    """A host name as A-labels (IDN allowed), lower case, without the final dot."""
    text = text.strip().rstrip(".")
    if not text:
        raise ValueError("empty")
    labels = []
    for label in text.split("."):
        if label == "*" or label.startswith("_") or label.isascii():
            label = label.lower()
        else:
            label = idna.encode(label, uts46=True).decode("ascii")
        labels.append(label)
    name = ".".join(labels)
    if len(name) > 253:
        raise ValueError("too long")
    for i, label in enumerate(labels):
        if label == "*" and i == 0:
            continue
        if not _LABEL.match(label):
            raise ValueError(label)
    return name


def relative_name(typed: str, zone: str) -> str:
    """The owner name relative to `zone` ("@" for the apex), from "www", "@", "www.zone."."""
    zone = zone.rstrip(".").lower()
    text = typed.strip()
    if text in ("", "@"):
        return "@"
    try:
        name = to_ascii_name(text)
    except (ValueError, idna.IDNAError) as exc:
        raise ValidationError(
            {"name": _("„%(name)s“ ist kein gültiger Name.") % {"name": typed}}
        ) from exc
    if name == zone:
        return "@"
    if name.endswith("." + zone):
        name = name[: -len(zone) - 1]
    elif text.endswith("."):
        raise ValidationError(
            {
                "name": _("„%(name)s“ liegt nicht in der Zone %(zone)s.")
                % {"name": typed, "zone": zone}
            }
        )
    if len(name) + len(zone) + 1 > 253:
        raise ValidationError({"name": _("Der Name ist zu lang (höchstens 253 Zeichen).")})
    return name


def _target(text: str, field: str = "value") -> str:
    """A host name in a value, absolute with a final dot."""
    try:
        return to_ascii_name(text) + "."
    except (ValueError, idna.IDNAError) as exc:
        raise ValidationError(
            {field: _("„%(name)s“ ist kein gültiger Hostname.") % {"name": text.strip()}}
        ) from exc


def _int(text: str, low: int, high: int, what: str) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValidationError(
            {
                "value": _("%(what)s muss eine Zahl von %(low)s bis %(high)s sein.")
                % {"what": what, "low": low, "high": high}
            }
        )
    return int(text)


def _parts(value: str, count: int, example: str) -> list[str]:
    parts = value.split(None, count - 1)
    if len(parts) != count:
        raise ValidationError(
            {"value": _("Erwartet wird die Form „%(example)s“.") % {"example": example}}
        )
    return parts


def txt_strings(value: str) -> list[bytes]:
    """A TXT value as the character-strings on the wire: UTF-8, at most 255 bytes each,
    never cutting a character in two."""
    strings, current = [], b""
    for char in value:
        encoded = char.encode()
        if len(current) + len(encoded) > 255:
            strings.append(current)
            current = b""
        current += encoded
    strings.append(current)
    return strings


def txt_presentation(value: str) -> str:
    """The TXT value in zone-file form: quoted 255-byte strings."""
    out = []
    for chunk in txt_strings(value):
        text = chunk.decode()
        out.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(out)


def _clean_value(rtype: str, value: str, name: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationError({"value": _("Bitte einen Wert angeben.")})
    if rtype == "A":
        try:
            return str(ipaddress.IPv4Address(value))
        except ValueError as exc:
            raise ValidationError(
                {"value": _("„%(v)s“ ist keine IPv4-Adresse (z. B. 192.0.2.10).") % {"v": value}}
            ) from exc
    if rtype == "AAAA":
        try:
            return str(ipaddress.IPv6Address(value))
        except ValueError as exc:
            raise ValidationError(
                {"value": _("„%(v)s“ ist keine IPv6-Adresse (z. B. 2001:db8::10).") % {"v": value}}
            ) from exc
    if rtype in ("CNAME", "NS"):
        return _target(value)
    if rtype == "MX":
        preference, host = _parts(value, 2, "10 mx.example.ch")
        pref = _int(preference, 0, 65535, _("Die Priorität"))
        if host.strip() == ".":
            return f"{pref} ."  # null MX (RFC 7505): this domain takes no mail
        return f"{pref} {_target(host)}"
    if rtype == "SRV":
        if not re.match(r"^_[a-z0-9-]+\._(tcp|udp|tls)(\.|$)", name):
            raise ValidationError(
                {"name": _("Ein SRV-Name beginnt mit _dienst._protokoll, z. B. _imaps._tcp.")}
            )
        priority, weight, port, target = _parts(value, 4, "0 1 993 mail.example.ch")
        p = _int(priority, 0, 65535, _("Die Priorität"))
        w = _int(weight, 0, 65535, _("Das Gewicht"))
        port_n = _int(port, 0, 65535, _("Der Port"))
        return f"{p} {w} {port_n} {'.' if target.strip() == '.' else _target(target)}"
    if rtype == "CAA":
        flags, tag, rest = _parts(value, 3, '0 issue "letsencrypt.org"')
        f = _int(flags, 0, 255, _("Das Flag"))
        if not _CAA_TAG.match(tag):
            raise ValidationError(
                {"value": _("„%(t)s“ ist kein CAA-Tag (issue, issuewild, iodef).") % {"t": tag}}
            )
        rest = rest.strip()
        if not (len(rest) >= 2 and rest[0] == rest[-1] == '"'):
            rest = '"' + rest.replace('"', '\\"') + '"'
        return f"{f} {tag.lower()} {rest}"
    if rtype == "TLSA":
        usage, selector, mtype, data = _parts(value, 4, "3 1 1 <SHA-256 in Hex>")
        _int(usage, 0, 3, _("Die Verwendung"))
        _int(selector, 0, 1, _("Der Selektor"))
        m = _int(mtype, 0, 2, _("Der Abgleichtyp"))
        data = data.replace(" ", "")
        expected = {1: 64, 2: 128}.get(m)
        if not _HEX.match(data) or (expected and len(data) != expected):
            raise ValidationError(
                {
                    "value": _(
                        "Die Daten müssen hexadezimal sein (SHA-256: 64 Zeichen, SHA-512: 128)."
                    )
                }
            )
        if not re.match(r"^_\d{1,5}\._(tcp|udp|sctp)(\.|$)", name):
            raise ValidationError(
                {"name": _("Ein TLSA-Name beginnt mit _port._tcp, z. B. _25._tcp.mx.")}
            )
        return f"{usage} {selector} {mtype} {data.lower()}"
    if rtype == "TXT":
        if len(value) >= 2 and value[0] == value[-1] == '"' and '" "' in value:
            value = "".join(part for part in re.findall(r'"((?:[^"\\]|\\.)*)"', value))
        elif len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValidationError({"value": _("Der Text enthält Steuerzeichen.")})
        if len(value.encode()) > TXT_MAX_BYTES:
            raise ValidationError(
                {"value": _("Der Text ist zu lang (höchstens %(n)s Bytes).") % {"n": TXT_MAX_BYTES}}
            )
        return value
    raise ValidationError({"type": _("Dieser Typ wird nicht unterstützt.")})


def clean_record(*, zone: str, name: str, rtype: str, ttl, value: str) -> CleanRecord:
    """One record as typed -> stored form, or ValidationError with per-field messages."""
    rtype = (rtype or "").strip().upper()
    if rtype not in TYPES:
        raise ValidationError({"type": _("Dieser Typ wird nicht unterstützt.")})
    errors: dict[str, list[str]] = {}
    try:
        rel = relative_name(name, zone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        rel = "@"
    try:
        ttl_n = int(ttl)
    except (TypeError, ValueError):
        ttl_n = -1
    if not TTL_MIN <= ttl_n <= TTL_MAX:
        errors["ttl"] = [
            _("Die TTL muss zwischen %(low)s und %(high)s Sekunden liegen.")
            % {"low": TTL_MIN, "high": TTL_MAX}
        ]
    if rtype == "CNAME" and rel == "@":
        errors.setdefault("name", []).append(
            _("Die Domain selbst kann kein CNAME sein (dort stehen SOA und NS).")
        )
    if rtype == "NS" and rel == "@":
        errors.setdefault("name", []).append(
            _("Die Name-Server der Domain setzen wir; NS nur für eine Subdomain (Delegation).")
        )
    clean_value = ""
    try:
        clean_value = _clean_value(rtype, value or "", rel)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if not errors:
        # Last word to dnspython: what it cannot parse, no name server will serve.
        shown = txt_presentation(clean_value) if rtype == "TXT" else clean_value
        try:
            dns.rdata.from_text(
                dns.rdataclass.IN, dns.rdatatype.from_text(rtype), shown, origin=dns.name.root
            )
        except (dns.exception.DNSException, ValueError) as exc:
            errors["value"] = [_("Der Wert ist für %(type)s ungültig.") % {"type": rtype}]
            raise ValidationError(errors) from exc
    if errors:
        raise ValidationError(errors)
    return CleanRecord(name=rel, type=rtype, ttl=ttl_n, value=clean_value)


def _inside(name: str, parent: str) -> bool:
    return name == parent or name.endswith("." + parent)


def rrset_conflicts(record: CleanRecord, others: list[CleanRecord]) -> dict[str, list[str]]:
    """What `record` would break beside the zone's `others` (the record itself excluded)."""
    errors: dict[str, list[str]] = {}
    same_name = [o for o in others if o.name == record.name]
    if record.type == "CNAME" and same_name:
        errors["name"] = [
            _(
                "Neben einem CNAME darf unter „%(name)s“ nichts anderes stehen; dort gibt es "
                "bereits %(types)s."
            )
            % {"name": record.name, "types": ", ".join(sorted({o.type for o in same_name}))}
        ]
    elif any(o.type == "CNAME" for o in same_name):
        errors["name"] = [
            _("„%(name)s“ ist ein CNAME; daneben darf nichts anderes stehen.")
            % {"name": record.name}
        ]
    if record.type == "NS":
        below = [
            o
            for o in others
            if o.name != record.name
            and _inside(o.name, record.name)
            and o.type not in ("A", "AAAA")
        ]
        if below:
            errors.setdefault("name", []).append(
                _(
                    "Unter „%(name)s“ stehen Einträge, die mit der Delegation nicht mehr "
                    "beantwortet würden."
                )
                % {"name": record.name}
            )
    else:
        for o in others:
            if o.type == "NS" and o.name != "@" and _inside(record.name, o.name):
                if record.type in ("A", "AAAA") and record.name != o.name:
                    continue  # glue for the delegated name servers
                errors.setdefault("name", []).append(
                    _("„%(name)s“ ist an andere Name-Server delegiert.") % {"name": o.name}
                )
                break
    return errors
