"""What a person (or a profile) needs to connect a calendar/contacts client to an address."""

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from mailservices.dav.app_settings import app_settings


@dataclass(frozen=True)
class DavAccount:
    username: str  # the full address, as the mail stack spells it
    server_url: str  # the DAV server's public URL
    principal_url: str  # the address's own folder on it
    host: str
    port: int
    use_ssl: bool

    @property
    def principal_path(self) -> str:
        return urlsplit(self.principal_url).path


def dav_account(username: str) -> DavAccount:
    url = urlsplit(app_settings.PUBLIC_URL)
    use_ssl = url.scheme == "https"
    server_url = app_settings.PUBLIC_URL
    return DavAccount(
        username=username,
        server_url=server_url,
        principal_url=server_url + quote(username, safe="@") + "/",
        host=url.hostname or "",
        port=url.port or (443 if use_ssl else 80),
        use_ssl=use_ssl,
    )


def address_login(address) -> str:
    """The login of an `Address` (its local part at the ASCII domain name)."""
    return f"{address.local_part}@{address.service.domain.name}"
