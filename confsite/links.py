"""Web addresses: which ones a site may link to, and where a site may be published.

Used by the field kinds of links (scalars.py) and by the command line's --base-url (cli.py),
which checks it before it imports anything heavy: this module needs the standard library and
messages.py only.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

from .messages import Message, msg, quoted

#: The schemes a link may have: anything else (javascript:, data:, file:, ...) is refused.
SAFE_SCHEMES = ("https", "http", "mailto", "tel")

#: Characters that a web address cannot hold unencoded (RFC 3986 has no place for them), and
#: what to write instead. A quotation mark or angle bracket in an address is a slip at best
#: and an attempt to break out of an HTML attribute at worst.
UNENCODED = {
    '"': "%22",
    "<": "%3C",
    ">": "%3E",
    "\\": "%5C",
    "^": "%5E",
    "`": "%60",
    "{": "%7B",
    "|": "%7C",
    "}": "%7D",
}
_UNENCODED = re.compile("[" + re.escape("".join(UNENCODED)) + "]")
#: A character of an address that needs no second look: a letter or digit (ü too: \w has no
#: space or control character), or punctuation that is neither an escape (\\) nor ends an
#: entity (;).
_PLAIN_CHAR = r"[\w\-.~%!$'*+,=:@/?#&]"
#: An allowed address of plain characters: a web address with a plain host, or mailto: or tel:.
_PLAIN_ADDRESS = (
    r"https?://[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?(?::[1-9][0-9]{0,3})?(?:[/?#]" + _PLAIN_CHAR + r"*)?"
    r"|(?:mailto|tel):" + _PLAIN_CHAR + r"+"
)
#: An inline link's or image's address that is plainly allowed, from "](" to ")".
_PLAIN_LINK = re.compile(rf"\]\((?:{_PLAIN_ADDRESS})\)", re.I)
#: An autolink of such an address, or of a plain e-mail address.
_PLAIN_AUTOLINK = re.compile(rf"<(?:{_PLAIN_ADDRESS}|[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+)>", re.I)
#: An address written without its scheme: a host name (www.example.org/path) ...
_HOST_FIRST = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\.?(?::[0-9]+)?(?:[/?#].*)?", re.I | re.S)
#: ... or an e-mail address.
_EMAIL = re.compile(r"[^@\s/:]+@[^@\s/:]+\.[a-z]{2,}", re.I)


def url_problem(text: str, schemes: tuple[str, ...] = SAFE_SCHEMES) -> Message:
    """Say what is wrong with a link, or return an empty message."""
    written = quoted(text)
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        return msg(
            "{text} contains spaces or control characters; encode them (%20)",
            "{text} enthält Leerzeichen oder Steuerzeichen; ersetzen Sie sie durch ihre Kodierung (%20)",
            text=written,
        )
    bad = _UNENCODED.search(text)
    if bad is not None:
        return unencoded(text, bad.group())
    try:
        parts = urlsplit(text)
    except ValueError:
        return msg("{text} is not a valid web address", "{text} ist keine gültige Webadresse", text=written)
    scheme = parts.scheme.lower()
    if not scheme or "." in scheme:  # (www.example.org:8080/x reads as the scheme www.example.org)
        return _not_full(text, schemes)
    if scheme not in schemes:
        return msg(
            "{text} is not a safe link; only {allowed} addresses are allowed",
            "{text} ist kein sicherer Link; erlaubt sind nur Adressen mit {allowed}",
            text=written,
            allowed=[f"{s}:" for s in schemes],
        )
    if scheme in ("http", "https"):
        return _host_problem(text, parts)
    return msg("", "")


def plainly_safe(markdown: str) -> bool:
    """Tell whether every link a Markdown text can hold is plainly allowed, so it need not be parsed.

    An address in Markdown follows "](" (a link or image), "]:" (a reference definition) or
    "<" (an autolink): CommonMark allows nothing in between, and HTML is off. A text without
    "]:" and "<" (autolinks of allowed addresses of plain characters set aside) whose every
    "](" is followed by an allowed address of plain characters and ")" holds no other address,
    and markdown-it takes that one as it is written (there is no escape or entity in it);
    url_problem accepts it. Most texts with links are of this kind:
    at 1,000 sessions, 3,600 of 4,550 texts have a link, and parsing one takes 0.25 ms.
    """
    if "<" in markdown:  # (autolinks of plain allowed addresses say nothing more: set them aside)
        markdown = _PLAIN_AUTOLINK.sub(" ", markdown)
    if "]:" in markdown or "<" in markdown:
        return False
    marks = markdown.count("](")
    return marks == 0 or marks == len(_PLAIN_LINK.findall(markdown))


def unencoded(text: str, char: str) -> Message:
    """Say that ``text`` holds ``char``, which an address cannot hold as it is."""
    return msg(
        "{text} contains {char}, which a web address cannot hold; write {code} instead",
        "{text} enthält {char}, das in einer Webadresse nicht stehen kann; schreiben Sie stattdessen {code}",
        text=quoted(text),
        char=f"'{char}'",
        code=UNENCODED.get(char, f"%{ord(char):02X}"),
    )


def _not_full(text: str, schemes: tuple[str, ...]) -> Message:
    """Say that an address lacks its scheme, with the address it probably means."""
    web = "https" if "https" in schemes else schemes[0]
    if text.startswith("//"):
        fixed = f"{web}:{text}"
    elif "mailto" in schemes and _EMAIL.fullmatch(text):
        fixed = f"mailto:{text}"
    elif _HOST_FIRST.fullmatch(text):
        fixed = f"{web}://{text}"
    else:
        return msg(
            "{text} is not a full address; write one that starts with {allowed}, e.g. https://example.org/",
            "{text} ist keine vollständige Adresse; schreiben Sie eine, die mit {allowed} beginnt,"
            " z. B. https://example.org/",
            text=quoted(text),
            allowed=[f"{s}://" if s.startswith("http") else f"{s}:" for s in schemes],
        )
    return msg(
        "{text} is not a full address; write {fixed}",
        "{text} ist keine vollständige Adresse; schreiben Sie {fixed}",
        text=quoted(text),
        fixed=fixed,
    )


def _host_problem(text: str, parts: SplitResult) -> Message:
    """Say what is wrong with the host or port of a web address, or return an empty message."""
    written = quoted(text)
    host, port = _host_and_port(parts.netloc)
    if not host:
        return msg(
            "{text} has no host; write e.g. https://example.org/",
            "{text} enthält keinen Servernamen; schreiben Sie z. B. https://example.org/",
            text=written,
        )
    if not host.startswith("[") and "" in host.removesuffix(".").split("."):
        fixed = text.replace(host, ".".join(label for label in host.split(".") if label), 1)
        return msg(
            "{text} has two dots in a row (or a dot at the start) in its host name; write {fixed}",
            "{text} hat im Servernamen zwei Punkte hintereinander (oder einen Punkt am Anfang);"
            " schreiben Sie {fixed}",
            text=written,
            fixed=fixed,
        )
    if port is not None and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        return msg(
            "{text} has the port {port}; a port is a number from 1 to 65535 (most addresses have none:"
            " {fixed})",
            "{text} hat den Port {port}; ein Port ist eine Zahl von 1 bis 65535 (die meisten Adressen haben"
            " keinen: {fixed})",
            text=written,
            port=port,
            fixed=text.replace(f"{host}:{port}", host, 1),
        )
    return msg("", "")


def _host_and_port(netloc: str) -> tuple[str, str | None]:
    """Split ``user@host:port`` into the host as written and the port (None when absent or empty)."""
    hostport = netloc.rpartition("@")[2]
    if hostport.startswith("["):  # an IPv6 address: [::1]:8080
        host, _, rest = hostport.partition("]")
        return host + "]", rest[1:] if rest.startswith(":") and rest[1:] else None
    host, colon, port = hostport.partition(":")
    return host, port if colon and port else None


def base_url_problem(text: str, schemes: tuple[str, ...] = ("https",)) -> Message:
    """Say what is wrong with an address at which a site is published, or return an empty message.

    It is a folder of a web server: the site's paths are put after it (sitemap, feeds,
    calendars), so it has no query, no fragment and no file name at its end.
    """
    problem = url_problem(text, schemes)
    if problem.en:
        return problem
    if "'" in text:  # (allowed in links; in the address of a site, only a slip)
        return msg(
            '{text} contains "\'", which the address of a site must not hold; write %27 instead',
            '{text} enthält "\'", das in der Adresse einer Website nicht stehen darf; schreiben Sie'
            " stattdessen %27",
            text=quoted(text),
        )
    before, hash_sign, fragment = text.partition("#")
    address, question, query = before.partition("?")
    parts = urlsplit(address)
    folder, _, last = parts.path.rpartition("/")
    found = []
    if question:
        found.append(msg("a query ({part})", "eine Abfrage ({part})", part=f"?{query}"))
    if hash_sign:
        found.append(msg("a fragment ({part})", "einen Anker ({part})", part=f"#{fragment}"))
    if "." in last:
        found.append(msg("a file name at the end ({part})", "einen Dateinamen am Ende ({part})", part=last))
    else:
        folder = parts.path.rstrip("/")
    if not found:
        return msg("", "")
    return msg(
        "{text} is not the address of a folder: it has {found}; write {fixed}",
        "{text} ist nicht die Adresse eines Ordners: sie enthält {found}; schreiben Sie {fixed}",
        text=quoted(text),
        found=found,
        fixed=f"{parts.scheme}://{parts.netloc}{folder}/",
    )
