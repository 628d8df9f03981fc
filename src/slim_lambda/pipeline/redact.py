"""Credentials never leave a build: the userinfo of every URL and the values of secret query
parameters (``?token=…``, ``&X-Amz-Signature=…``) are hidden in every log line, error
message and hashed text.

Found by shape, not by value, so this works inside the image, where the host's secrets are
unknown (the host adds its known values on top: ``run.environment.make_redactor``).

A URL runs from ``scheme://`` to the next whitespace. Its userinfo ends at the last ``@``
followed by something shaped like a host (``host``, ``host:port``, ``[v6]``) and then the
path, the query or the end: passwords may hold a raw ``@`` or ``/`` (``https://u:p@s/s@host``
hides ``u:p@s/s``). In version-control URLs (``git+https://…``) a trailing ``@…`` names a
revision, so there the host must be followed by the repository path. When in doubt more is
hidden, never less: ``https://host/a@b`` becomes ``https://***@b``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

__all__ = ["HIDDEN", "SECRET_PARAMETERS", "SecretParameter", "redact", "url_secrets"]

HIDDEN = "***"


@dataclass(frozen=True)
class SecretParameter:
    """A query-parameter name whose value is a credential."""

    name: str
    """Lowercase, without ``-``, ``_`` and ``.`` (``X-Amz-Signature`` is ``xamzsignature``)."""
    whole: bool
    """True: the whole name must be this; False: a name containing it is secret too."""
    reason: str


SECRET_PARAMETERS: tuple[SecretParameter, ...] = (
    SecretParameter("token", False, "access_token, auth_token, GitLab's private_token, "
                    "X-Amz-Security-Token: bearer credentials"),
    SecretParameter("secret", False, "client_secret and the like"),
    SecretParameter("passw", False, "password, passwd"),
    SecretParameter("apikey", False, "api_key, apikey, x-api-key"),
    SecretParameter("signature", False, "X-Amz-Signature, X-Goog-Signature: presigned URLs "
                    "are credentials until they expire"),
    SecretParameter("credential", False, "X-Amz-Credential, X-Goog-Credential: the access "
                    "key id of a presigned URL"),
    SecretParameter("sig", True, "Azure shared-access signatures (only the whole name: "
                    "'design' is not secret)"),
    SecretParameter("key", True, "Google API keys (only the whole name: 'keyword' is not)"),
    SecretParameter("pwd", True, "a password"),
    SecretParameter("pass", True, "a password"),
    SecretParameter("auth", True, "an authorization value (only the whole name: 'author' "
                    "is not)"),
    SecretParameter("authorization", True, "an Authorization header passed as a parameter"),
)

_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>\S+)")
_HOST = re.compile(r"(?:[\w.~%-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?")
_HOST_END = re.compile(r"[/?#]|$")
_PARAMETER = re.compile(r"(?P<lead>[?&])(?P<name>[^=&#?\s]+)=(?P<value>[^&#\s]+)")
_VCS = ("git", "hg", "svn", "bzr")
"""Version-control schemes (``git+https``, ``git``): their URLs may end in ``@revision``."""


def _host_end(rest: str, start: int) -> int:
    match = _HOST_END.search(rest, start)
    assert match is not None  # ``$`` always matches
    return match.start()


def _userinfo_end(scheme: str, rest: str) -> int:
    """Where the userinfo of ``scheme://rest`` ends (its ``@``), or -1 when it has none."""
    vcs = scheme.lower().split("+")[0] in _VCS
    end = -1
    for at in (i for i, c in enumerate(rest) if c == "@"):
        stop = _host_end(rest, at + 1)
        if _HOST.fullmatch(rest, at + 1, stop) and (not vcs or rest.startswith("/", stop)):
            end = at
    if end < 0:  # nothing shaped like a host: the last @ before the first / ? #
        end = rest.rfind("@", 0, _host_end(rest, 0))
    return end


def _is_secret_parameter(name: str) -> bool:
    plain = re.sub(r"[-_.]", "", unquote(name).lower())
    return any(plain == p.name if p.whole else p.name in plain for p in SECRET_PARAMETERS)


def _hide_userinfo(match: re.Match[str]) -> str:
    scheme, rest = match["scheme"], match["rest"]
    end = _userinfo_end(scheme, rest)
    return match[0] if end < 0 else f"{scheme}://{HIDDEN}{rest[end:]}"


def _hide_parameter(match: re.Match[str]) -> str:
    if not _is_secret_parameter(match["name"]):
        return match[0]
    return f"{match['lead']}{match['name']}={HIDDEN}"


def redact(text: str) -> str:
    """``text`` with every URL's userinfo and every secret query value replaced by ``***``."""
    return _PARAMETER.sub(_hide_parameter, _URL.sub(_hide_userinfo, text))


def url_secrets(text: str) -> list[str]:
    """The secrets :func:`redact` hides in ``text``, as written (percent-encoded or not):
    each URL's user and password, and each secret query value. The host
    uses them to hide the same values wherever else they appear."""
    found: list[str] = []
    for match in _URL.finditer(text):
        end = _userinfo_end(match["scheme"], match["rest"])
        if end >= 0:
            user, _colon, password = match["rest"][:end].partition(":")
            found += [user, password]
    found += [m["value"] for m in _PARAMETER.finditer(text) if _is_secret_parameter(m["name"])]
    return [s for s in found if s]
