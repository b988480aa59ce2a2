"""A PostgreSQL URL without its password: for `url`, and scrubbed from every message.

URLs are read by hand, so that even one libpq takes but urlsplit refuses (several hosts),
or one that is wrong, never shows its password.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote

_REDACTED = "***"
_WHOLE_SECRET = 6  # a password this long is scrubbed wherever it appears in a message


def redact(url: str) -> str:
    """The URL with any password (in its user part or its query) replaced by ***."""
    parts = _split(url)
    if parts is None:
        return url
    scheme, authority, tail = parts
    user, at, hosts = authority.rpartition("@")
    if at and ":" in user:
        authority = f"{user.split(':', 1)[0]}:{_REDACTED}@{hosts}"
    path, question, rest = tail.partition("?")
    if question:
        query, hash_mark, fragment = rest.partition("#")
        query = "&".join(
            f"{item.split('=', 1)[0]}={_REDACTED}" if _names_the_password(item) else item for item in query.split("&")
        )
        tail = f"{path}?{query}{hash_mark}{fragment}"
    return f"{scheme}://{authority}{tail}"


def secrets_of(url: str) -> list[str]:
    """Every spelling of the URL's passwords, longest first, to scrub from messages."""
    parts = _split(url)
    if parts is None:
        return []
    _, authority, tail = parts
    user = authority.rpartition("@")[0]
    found = {user.split(":", 1)[1]} if ":" in user else set()
    query = tail.partition("?")[2].partition("#")[0]
    found.update(item.split("=", 1)[1] for item in query.split("&") if "=" in item and _names_the_password(item))
    spellings = {spelling for secret in found for spelling in (secret, unquote(secret)) if spelling}
    return sorted(spellings, key=len, reverse=True)


def _split(url: str) -> tuple[str, str, str] | None:
    """Scheme, authority (user:password@hosts) and the rest, of a URL; None if it is not one.

    Read by hand rather than by urlsplit, which refuses some URLs that libpq takes (several
    hosts) and some that are wrong (a broken IPv6 address), whose messages must be safe too.
    """
    scheme, separator, rest = url.partition("://")
    if not separator:
        return None
    end = min((index for index in map(rest.find, "/?#") if index >= 0), default=len(rest))
    return scheme, rest[:end], rest[end:]


def _names_the_password(query_item: str) -> bool:
    """Whether a query item (name=value) gives the password."""
    return unquote(query_item.split("=", 1)[0]).lower() == "password"


def scrub(text: str, url: str, redacted_url: str, secrets: Sequence[str]) -> str:
    """`text` without the password: the URL as given becomes the redacted one, then any spelling
    of the password goes (a short one only where it stands alone, so that words stay whole)."""
    text = text.replace(url, redacted_url)
    for secret in secrets:
        if len(secret) >= _WHOLE_SECRET:
            text = text.replace(secret, _REDACTED)
        else:
            text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", _REDACTED, text)
    return text
