"""Precompressed siblings (.gz, .br) of the site's text files, for servers that send them as they are."""

from __future__ import annotations

from collections.abc import Mapping

import brotli  # type: ignore[import-untyped]  # no type hints; compress(data, quality=) -> bytes
import deflate

#: The kinds of file worth compressing; images and PDFs are compressed already.
TEXT_SUFFIXES = (".html", ".css", ".js", ".xml", ".json", ".ics", ".txt", ".svg", ".webmanifest")
#: Brotli at its best for the hashed assets (rarely changed, cached for a year), and at a level
#: about sixty times faster for everything else: 10 % larger, and a build stays quick.
BROTLI_QUALITY_STATIC = 11
BROTLI_QUALITY = 8
#: Below this size (every file but the program, the people, the calendars and the feeds),
#: quality 6 packs as well as 8 in 70 % of the time: the 6,613 such files of 1,000 sessions
#: (34.8 MB) give .br files 0.04 % larger, made in 0.72 s instead of 1.04 s.
BROTLI_QUALITY_SMALL = 6
SMALL = 64 * 1024
#: libdeflate at level 9 writes smaller .gz files than zlib at 9, in half the time: the text
#: files of 1,000 sessions (6,622, 47.5 MB) packed to 13.01 MB in 0.51 s instead of 13.08 MB
#: in 0.92 s. Its header holds no time, so the same bytes give the same file.
GZIP_LEVEL = 9
#: The libraries' versions, which a cache of the siblings is keyed by (with this module).
LIBRARIES = f"brotli {brotli.__version__}, libdeflate bindings {deflate.__version__}"


def is_text(path: str) -> bool:
    """Tell whether a file gets siblings: a text file; images and PDFs are compressed already."""
    return path.endswith(TEXT_SUFFIXES)


def compressed(path: str, data: bytes) -> dict[str, bytes]:
    """Return the .gz and .br siblings of one file, leaving out any that would not be smaller."""
    if not is_text(path):
        return {}
    if path.startswith("static/"):
        quality = BROTLI_QUALITY_STATIC
    else:
        quality = BROTLI_QUALITY_SMALL if len(data) < SMALL else BROTLI_QUALITY
    siblings = {
        f"{path}.gz": bytes(deflate.gzip_compress(data, GZIP_LEVEL)),  # (it gives a bytearray)
        f"{path}.br": brotli.compress(data, quality=quality),
    }
    return {name: packed for name, packed in siblings.items() if len(packed) < len(data)}


def with_compressed(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Return the site's files together with the precompressed siblings of its text files."""
    out = dict(files)
    for path, data in files.items():
        out.update(compressed(path, data))
    return out
