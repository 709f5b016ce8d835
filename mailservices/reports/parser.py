"""DMARC aggregate (RFC 7489, DMARCbis) and TLS-RPT (RFC 8460) reports, read without I/O.

`parse_report(data)` takes the bytes of one report file — XML or JSON, plain, gzip or zip,
or a whole message (.eml) carrying one as attachment — and returns a `Report`. Anything
else, and anything hostile, raises `ReportError` with a short reason: XML with a DTD
(external entities, entity expansion) is refused by defusedxml, archives are unpacked with
a hard limit on the unpacked size, member count and nesting, so time and memory stay small.
"""

import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email import policy as email_policy

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

MAX_INPUT = 25 * 1024 * 1024  # what is read at all (a report mail is far smaller)
MAX_UNPACKED = 32 * 1024 * 1024  # one unpacked report
MAX_ZIP_MEMBERS = 20
MAX_ROWS = 100_000
MAX_MIME_PARTS = 50
DMARC_NAMESPACES = ("", "urn:ietf:params:xml:ns:dmarc-2.0")
_TLSRPT_POLICY_TYPES = {"sts", "tlsa", "no-policy-found"}


class ReportError(ValueError):
    """Not a report we can read (or a hostile file); the message says why, briefly."""


@dataclass
class Report:
    kind: str  # "dmarc" | "tlsrpt"
    org: str
    report_id: str
    domain: str
    begin: datetime
    end: datetime
    rows: list[dict] = field(default_factory=list)
    # DMARC: the published policy (p=, sp=, pct=, adkim=, aspf=); TLS-RPT: empty.
    policy: dict = field(default_factory=dict)
    contact: str = ""

    def as_json(self) -> dict:
        """The shape `report_parse --json` prints (issue 15): rows with exactly their keys."""
        if self.kind == "dmarc":
            keys = ("source_ip", "count", "disposition", "dkim", "spf", "header_from")
        else:
            keys = ("policy_type", "policy_domain", "success", "failure")
        return {
            "kind": self.kind,
            "org": self.org,
            "report_id": self.report_id,
            "domain": self.domain,
            "begin": self.begin.isoformat(),
            "end": self.end.isoformat(),
            "rows": [{k: row[k] for k in keys} for row in self.rows],
        }


# --- unpacking ----------------------------------------------------------------------------


def _gunzip(data: bytes) -> bytes:
    """gzip with a ceiling on the output (a gzip bomb stops at MAX_UNPACKED)."""
    out = io.BytesIO()
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    pending = data
    while True:
        chunk = inflater.decompress(pending, 1024 * 1024)
        out.write(chunk)
        if out.tell() > MAX_UNPACKED:
            raise ReportError("the archive unpacks to more than 32 MB (a gzip bomb?)")
        pending = inflater.unconsumed_tail
        if inflater.eof:
            break
        if not pending and not chunk:
            raise ReportError("the gzip archive is truncated")
    return out.getvalue()


def _unzip(data: bytes) -> bytes:
    """The one report inside a zip file, read with the same ceiling as gzip."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise ReportError(f"not a readable zip archive ({exc})") from None
    if not members:
        raise ReportError("the zip archive is empty")
    if len(members) > MAX_ZIP_MEMBERS:
        raise ReportError("the zip archive holds too many files")
    member = members[0]
    if member.file_size > MAX_UNPACKED:
        raise ReportError("the archive unpacks to more than 32 MB (a zip bomb?)")
    if member.flag_bits & 0x1:
        raise ReportError("the zip archive is encrypted")
    out = io.BytesIO()
    try:
        with archive.open(member) as stream:
            while True:
                chunk = stream.read(1024 * 1024)
                if not chunk:
                    break
                out.write(chunk)
                if out.tell() > MAX_UNPACKED:
                    raise ReportError("the archive unpacks to more than 32 MB (a zip bomb?)")
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise ReportError(f"the zip archive is damaged or truncated ({exc})") from None
    return out.getvalue()


def _is_message(data: bytes) -> bool:
    head = data[:4096].lower()
    return b"\n\n" in head.replace(b"\r\n", b"\n") and any(
        marker in head for marker in (b"content-type:", b"mime-version:", b"from:", b"subject:")
    )


def _attachments(data: bytes):
    """The candidate report parts of a message, most specific first."""
    message = message_from_bytes(data, policy=email_policy.default)
    parts = []
    for index, part in enumerate(message.walk()):
        if index > MAX_MIME_PARTS:
            break
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        name = (part.get_filename() or "").lower()
        if (
            "gzip" in ctype
            or "zip" in ctype
            or "xml" in ctype
            or "tlsrpt" in ctype
            or ctype in ("application/json", "application/octet-stream")
            or name.endswith((".gz", ".zip", ".xml", ".json"))
        ):
            payload = part.get_payload(decode=True)
            if payload:
                parts.append(payload)
    return parts


def parse_report(data: bytes, *, _depth: int = 0) -> Report:
    """One report from the bytes of a file (see module docstring)."""
    if len(data) > MAX_INPUT:
        raise ReportError("the file is larger than 25 MB")
    if _depth > 2:
        raise ReportError("archives nested too deeply")
    if not data.strip():
        raise ReportError("the file is empty")
    if data[:2] == b"\x1f\x8b":
        return parse_report(_gunzip(data), _depth=_depth + 1)
    if data[:4] == b"PK\x03\x04":
        return parse_report(_unzip(data), _depth=_depth + 1)
    text_start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if text_start == b"<":
        return _dmarc(data)
    if text_start in (b"{", b"["):
        return _tlsrpt(data)
    if _is_message(data) and _depth == 0:
        reasons = []
        for payload in _attachments(data):
            try:
                return parse_report(payload, _depth=1)
            except ReportError as exc:
                reasons.append(str(exc))
        raise ReportError(
            "the message carries no DMARC or TLS-RPT report"
            + (f" ({reasons[0]})" if reasons else "")
        )
    raise ReportError("not a DMARC or TLS-RPT report")


# --- DMARC --------------------------------------------------------------------------------


def _local(tag: str) -> str:
    namespace, _sep, name = tag.rpartition("}")
    if namespace and namespace[1:] not in DMARC_NAMESPACES:
        return f"{{{namespace[1:]}}}{name}"
    return name


def _epoch(value: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(value.strip()), UTC)
    except (ValueError, OverflowError, OSError):
        raise ReportError(f"not a time: {value[:40]!r}") from None


def _result(value: str) -> str:
    return "pass" if value.strip().lower() == "pass" else "fail"


def _disposition(value: str) -> str:
    value = value.strip().lower()
    return value if value in ("quarantine", "reject") else "none"


def _dmarc(data: bytes) -> Report:
    meta: dict = {}
    policy: dict = {}
    rows: list[dict] = []
    path: list[str] = []
    row: dict = {}
    try:
        for event, element in iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True):
            name = _local(element.tag)
            if event == "start":
                if not path and name != "feedback":
                    raise ReportError("not a DMARC aggregate report (no <feedback>)")
                path.append(name)
                if name == "record":
                    row = {"auth": []}
                continue
            text = (element.text or "").strip()
            parent = path[-2] if len(path) > 1 else ""
            if parent == "report_metadata" and name in ("org_name", "report_id", "email"):
                meta[name] = text
            elif parent == "date_range" and name in ("begin", "end"):
                meta[name] = _epoch(text)
            elif parent == "policy_published":
                policy[name] = text
            elif (
                parent == "row"
                and name in ("source_ip", "count")
                or parent == "policy_evaluated"
                and name in ("disposition", "dkim", "spf")
            ):
                row[name] = text
            elif parent == "identifiers" and name == "header_from":
                row["header_from"] = text.lower()
            elif parent == "auth_results" and name in ("dkim", "spf"):
                auth = {"method": name}
                for child in element:
                    auth[_local(child.tag)] = (child.text or "").strip()
                row["auth"].append(auth)
            elif name == "record":
                rows.append(_dmarc_row(row))
                if len(rows) > MAX_ROWS:
                    raise ReportError("too many records")
                element.clear()
            path.pop()
    except DefusedXmlException as exc:
        raise ReportError(f"refused XML: {type(exc).__name__} (DTDs and entities)") from None
    except SyntaxError as exc:  # xml.etree.ElementTree.ParseError
        raise ReportError(f"not well-formed XML ({exc})") from None
    for needed in ("org_name", "report_id", "begin", "end"):
        if needed not in meta:
            raise ReportError(f"not a DMARC aggregate report (no {needed})")
    if not policy.get("domain"):
        raise ReportError("not a DMARC aggregate report (no policy_published/domain)")
    return Report(
        kind="dmarc",
        org=meta["org_name"][:255],
        report_id=meta["report_id"][:255],
        domain=policy["domain"].lower().rstrip(".")[:253],
        begin=meta["begin"],
        end=meta["end"],
        rows=rows,
        policy={k: v for k, v in policy.items() if k != "domain"},
        contact=meta.get("email", "")[:255],
    )


def _dmarc_row(row: dict) -> dict:
    if "source_ip" not in row:
        raise ReportError("a DMARC record without source_ip")
    try:
        count = max(0, int(row.get("count", "0")))
    except ValueError:
        raise ReportError("a DMARC record with a count that is not a number") from None
    return {
        "source_ip": row["source_ip"][:45],
        "count": count,
        "disposition": _disposition(row.get("disposition", "none")),
        "dkim": _result(row.get("dkim", "")),
        "spf": _result(row.get("spf", "")),
        "header_from": row.get("header_from", "")[:253],
        "auth": row["auth"][:10],
    }


# --- TLS-RPT ------------------------------------------------------------------------------


def _iso(value) -> datetime:
    if not isinstance(value, str):
        raise ReportError("a TLS-RPT date that is not a string")
    try:
        when = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise ReportError(f"not a date: {value[:40]!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _count(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ReportError("a TLS-RPT count that is not a number")
    return value


def _tlsrpt(data: bytes) -> Report:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ReportError(f"not valid JSON ({str(exc)[:80]})") from None
    if not isinstance(doc, dict) or "policies" not in doc or "date-range" not in doc:
        raise ReportError("not a TLS-RPT report (no policies or date-range)")
    policies = doc.get("policies")
    date_range = doc.get("date-range")
    if not isinstance(policies, list) or not isinstance(date_range, dict):
        raise ReportError("not a TLS-RPT report")
    rows = []
    for item in policies[:MAX_ROWS]:
        if not isinstance(item, dict):
            raise ReportError("a TLS-RPT policy that is not an object")
        policy = item.get("policy") or {}
        summary = item.get("summary") or {}
        if not isinstance(policy, dict) or not isinstance(summary, dict):
            raise ReportError("a TLS-RPT policy that is not an object")
        policy_type = str(policy.get("policy-type", "")).lower()
        if policy_type not in _TLSRPT_POLICY_TYPES:
            raise ReportError(f"unknown TLS-RPT policy-type {policy_type[:30]!r}")
        details = []
        for detail in (item.get("failure-details") or [])[:50]:
            if isinstance(detail, dict):
                details.append(
                    {
                        "result_type": str(detail.get("result-type", ""))[:64],
                        "sending_mta_ip": str(detail.get("sending-mta-ip", ""))[:45],
                        "receiving_mx_hostname": str(detail.get("receiving-mx-hostname", ""))[:253],
                        "failed_session_count": _count(detail.get("failed-session-count", 0)),
                    }
                )
        rows.append(
            {
                "policy_type": policy_type,
                "policy_domain": str(policy.get("policy-domain", "")).lower()[:253],
                "success": _count(summary.get("total-successful-session-count", 0)),
                "failure": _count(summary.get("total-failure-session-count", 0)),
                "failure_details": details,
            }
        )
    domain = rows[0]["policy_domain"] if rows else ""
    report_id = doc.get("report-id")
    org = doc.get("organization-name")
    if not isinstance(report_id, str) or not isinstance(org, str) or not domain:
        raise ReportError("not a TLS-RPT report (no report-id, organization or domain)")
    return Report(
        kind="tlsrpt",
        org=org[:255],
        report_id=report_id[:255],
        domain=domain,
        begin=_iso(date_range.get("start-datetime")),
        end=_iso(date_range.get("end-datetime")),
        rows=rows,
        contact=str(doc.get("contact-info", ""))[:255],
    )


def read_report_file(path: str) -> Report:
    """A file on disk (read with the input ceiling)."""
    with open(path, "rb") as handle:
        data = handle.read(MAX_INPUT + 1)
    return parse_report(data)
