import gzip
import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def zipped(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return out.getvalue()


def report_mail(
    attachment: bytes, filename: str, ctype: str, *, to="dmarc-reports@alpenpost.example"
):
    """A report mail as receivers send them: a short text and the report attached."""
    message = EmailMessage()
    message["From"] = "noreply-dmarc@receiver.example"
    message["To"] = to
    message["Subject"] = "Report Domain: kunde-a.ch Submitter: receiver.example"
    message.set_content("This is an aggregate report.")
    maintype, subtype = ctype.split("/")
    message.add_attachment(attachment, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def gz(data: bytes) -> bytes:
    return gzip.compress(data)


import pytest  # noqa: E402


@pytest.fixture
def world_reports(db, customer):
    """The customer's domain kunde-a.ch (the samples report about it)."""
    from mailservices.services import domain_create

    return domain_create(customer=customer, name="kunde-a.ch")
