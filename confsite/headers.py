"""HTTP headers for static hosts: the security policy and caching, as a ``_headers`` file."""

from __future__ import annotations

#: Everything a page loads comes from the site itself; no inline script or style runs.
#: (The JSON-LD ``<script type="application/ld+json">`` blocks are data, never executed.)
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)

#: Headers for every response, in the order they are written.
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Content-Type-Options", "nosniff"),
    ("Permissions-Policy", "camera=(), geolocation=(), microphone=(), payment=(), usb=()"),
)

#: Files under static/ carry a content hash in their names, so they never change.
STATIC_CACHE_CONTROL = "public, max-age=31536000, immutable"


def headers_file() -> bytes:
    """Return the ``_headers`` file of Netlify and Cloudflare Pages for the site's root."""
    lines = [
        "# HTTP headers for Netlify and Cloudflare Pages; docs/nginx.conf sends the same with nginx.",
        "/*",
        *(f"  {name}: {value}" for name, value in SECURITY_HEADERS),
        "/static/*",
        f"  Cache-Control: {STATIC_CACHE_CONTROL}",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")
