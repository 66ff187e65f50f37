"""The Markdown pages of a content folder: their file names, front matter, translations and addresses."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import display_path
from .fields import Ctx, Loc, Parsed, parse_record, suggest
from .loader import RawPage, load_page
from .messages import Message, msg
from .specs import PAGE
from .texts import check_links
from .walk import left_out

_PAGE_NAME = re.compile(r"(?P<slug>[^.]+)\.(?P<lang>[^.]+)\.md")


def load_pages(ctx: Ctx, folder: Path) -> list[tuple[RawPage, Parsed]]:
    """Read and check the page files of ``folder``; return each published one with its front matter."""
    if not folder.is_dir():
        return []
    found: list[tuple[RawPage, Parsed]] = []
    #: slug -> language -> "published", "draft" or "broken" (its own error is reported)
    state: dict[str, dict[str, str]] = {}
    for path in sorted(folder.iterdir()):
        if left_out(path.name) or path.is_dir():  # (a backup beside a page, say)
            continue
        shown = display_path(path)
        match = _PAGE_NAME.fullmatch(path.name)
        if match is None:
            ctx.error(
                shown,
                1,
                "",
                msg(
                    "a page file is named <slug>.<language>.md, e.g. about.en.md",
                    "eine Seitendatei heißt <slug>.<sprache>.md, z. B. about.en.md",
                ),
            )
            continue
        slug, lang = match["slug"], match["lang"]
        if lang not in ctx.languages and ctx.languages_valid:
            ctx.error(
                shown,
                1,
                "",
                msg(
                    "language '{lang}' is not configured{hint} (languages: {languages})",
                    "die Sprache '{lang}' ist nicht eingerichtet{hint} (Sprachen: {languages})",
                    lang=lang,
                    hint=suggest(lang, ctx.languages),
                    languages=ctx.languages,
                ),
            )
            continue
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
            ctx.error(
                shown,
                1,
                "",
                msg(
                    "'{slug}' is not a page name: use lower-case letters, digits and hyphens",
                    "'{slug}' ist kein Seitenname: verwenden Sie Kleinbuchstaben, Ziffern und Bindestriche",
                    slug=slug,
                ),
            )
            continue
        versions = state.setdefault(slug, {})
        versions[lang] = "broken"
        raw = load_page(path, slug, lang, ctx.errors)
        if raw is None:
            continue
        check_links(ctx, raw.body, raw.path, raw.body_line, "", exact=True)
        front = parse_record(ctx, PAGE, raw.front, Loc(shown, raw.front.line, "front matter"))
        if isinstance(front, Parsed) and front.get("draft", False):
            versions[lang] = "draft"
        elif isinstance(front, Parsed):
            versions[lang] = "published"
            found.append((raw, front))
    _check_translations(ctx, found, state)
    return found


def check_page_addresses(
    ctx: Ctx, pages: list[tuple[RawPage, Parsed]], strings: dict[str, dict[str, str]]
) -> None:
    """Report a page whose address in its language is taken by a section or by another page."""
    taken: dict[tuple[str, str], Message | str] = {
        (lang, text): msg("the section {key}", "den Bereich {key}", key=key)
        for lang, texts in strings.items()
        for key, text in texts.items()
        if key.startswith("slug_")
    }
    for raw, front in pages:
        slug = front.get("slug", raw.slug)
        line = front.line_of("slug") if "slug" in front.key_lines else 1
        other = taken.setdefault((raw.lang, slug), raw.path)
        if other != raw.path:
            ctx.error(
                raw.path,
                line,
                "front matter.slug" if "slug" in front.key_lines else "",
                msg(
                    "the address {lang}/{slug}/ is already taken by {other}; give this page another slug",
                    "die Adresse {lang}/{slug}/ ist schon durch {other} belegt; geben Sie dieser Seite"
                    " einen anderen slug",
                    lang=raw.lang,
                    slug=slug,
                    other=other,
                ),
            )


def _check_translations(
    ctx: Ctx, found: list[tuple[RawPage, Parsed]], state: dict[str, dict[str, str]]
) -> None:
    """Report a published page whose translation into a configured language is absent or a draft."""
    first: dict[str, RawPage] = {}
    for raw, _ in found:
        first.setdefault(raw.slug, raw)
    for key, raw in sorted(first.items()):
        for lang in ctx.languages:
            other = state[key].get(lang)
            if other is None:
                message = msg(
                    "this page has no '{lang}' translation; add pages/{key}.{lang}.md beside it",
                    "diese Seite hat keine Übersetzung '{lang}'; legen Sie pages/{key}.{lang}.md daneben an",
                    lang=lang,
                    key=key,
                )
            elif other == "draft":
                message = msg(
                    "its '{lang}' translation pages/{key}.{lang}.md is a draft;"
                    " publish both or mark this one as a draft too",
                    "ihre Übersetzung '{lang}' pages/{key}.{lang}.md ist ein Entwurf (draft);"
                    " veröffentlichen Sie beide oder markieren Sie auch diese als Entwurf",
                    lang=lang,
                    key=key,
                )
            else:
                continue
            ctx.error(raw.path, 1, "", message)
