"""Articles to import, read from a folder of Markdown files or a JSON array.

Everything is read and checked before anything is written, and a refusal names the file (or
the array entry) at fault, so a bad export is fixed at its source and imported again whole.

Markdown: one article per `.md` file, in the folder or any folder below it. Optional front
matter between `---` lines sets `title`, `category`, `tags`, `slug` and `status`; otherwise
the title is the first `# ` heading, the slug comes from the file name, and the category is
the name of the folder below the imported one that holds the file (for files at the top: the
article's own, or `general` for a new one).
JSON: an array of `{title, content, category, tags?, slug?, status?}`, or an object whose
`articles` holds one (as bench/knowledge_set.json does)."""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.kit.errors import ValidationFailed
from app.knowledge.models import ArticleStatus
from app.knowledge.service import slugify

DEFAULT_CATEGORY = "general"
FIELDS = ("title", "category", "tags", "slug", "status")
STATUSES = (ArticleStatus.PUBLISHED, ArticleStatus.DRAFT)
TITLE = re.compile(r"^#\s+(.+?)\s*#*\s*$")
FENCE = "---"


@dataclass(frozen=True)
class Source:
    """One article as the input states it; None leaves a field to the defaults (new article)
    or as it is (existing one)."""

    origin: str
    slug: str
    title: str
    content: str
    category: str | None
    tags: list[str] | None
    status: str | None


def read_sources(path: Path) -> list[Source]:
    """The articles under `path`: a folder of Markdown, one Markdown file, or a JSON file."""
    if path.is_dir():
        files = sorted(found for found in path.rglob("*.md") if found.is_file())
        if not files:
            raise ValidationFailed(f"{path}: no Markdown (.md) files in this folder")
        sources = [_markdown(file, path) for file in files]
    elif path.is_file() and path.suffix.lower() == ".md":
        sources = [_markdown(path, path.parent)]
    elif path.is_file() and path.suffix.lower() == ".json":
        sources = _json_articles(path)
    else:
        raise ValidationFailed(
            f"{path}: not a folder of Markdown files, a .md file or a .json file"
        )
    _refuse_repeated_slugs(sources)
    return sources


def _refuse_repeated_slugs(sources: list[Source]) -> None:
    first: dict[str, str] = {}
    for source in sources:
        if source.slug in first:
            raise ValidationFailed(
                f"{source.origin}: the slug {source.slug!r} is also "
                f"{first[source.slug]}'s; each article needs its own"
            )
        first[source.slug] = source.origin


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise ValidationFailed(f"{path}: cannot be read ({error.strerror})") from None


def _markdown(file: Path, root: Path) -> Source:
    origin = str(file)
    meta, body = _front_matter(_text(file), origin)
    title = meta.get("title") or _first_title(body)
    if not title:
        raise ValidationFailed(f"{origin}: no title: start with a `# ` heading or set `title:`")
    folders = file.relative_to(root).parts[:-1]
    tags = meta.get("tags")
    return Source(
        origin=origin,
        slug=_slug(meta.get("slug")) or slugify(file.stem),
        title=str(title),
        content=body.strip("\n"),
        category=str(meta.get("category") or "") or (folders[0] if folders else None),
        tags=tags if isinstance(tags, list) else None,
        status=_status(meta.get("status"), origin),
    )


def _front_matter(text: str, origin: str) -> tuple[dict[str, str | list[str]], str]:
    """(fields, body): YAML-like `key: value` lines, with tags as `[a, b]`, `a, b` or `- a`
    lines below `tags:`. Unknown keys are refused: a misspelt `catgory:` would otherwise be
    lost without a word."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != FENCE:
        return {}, text
    try:
        end = next(n for n, line in enumerate(lines[1:], start=1) if line.strip() == FENCE)
    except StopIteration:
        raise ValidationFailed(f"{origin}: the front matter has no closing `---` line") from None
    meta: dict[str, str | list[str]] = {}
    key: str | None = None
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.lstrip().startswith("- ") and key == "tags":
            listed = meta.setdefault("tags", [])
            assert isinstance(listed, list)
            listed.append(_unquoted(line.lstrip()[2:]))
            continue
        name, colon, value = line.partition(":")
        key = name.strip().lower()
        if not colon or key not in FIELDS:
            raise ValidationFailed(
                f"{origin}, line {number}: expected one of {', '.join(FIELDS)} as `key: value`"
            )
        meta[key] = _tags(value) if key == "tags" else _unquoted(value)
    return meta, "\n".join(lines[end + 1 :])


def _unquoted(value: str) -> str:
    cleaned = value.strip()
    if len(cleaned) >= 2 and cleaned[0] == cleaned[-1] and cleaned[0] in "'\"":
        return cleaned[1:-1]
    return cleaned


def _tags(value: str) -> list[str]:
    listed = value.strip().removeprefix("[").removesuffix("]")
    return [_unquoted(tag) for tag in listed.split(",") if tag.strip()]


def _first_title(body: str) -> str | None:
    fenced = False
    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        match = None if fenced else TITLE.match(line)
        if match:
            return match.group(1)
    return None


def _slug(value: object) -> str:
    """A stated slug as the service will store it (trimmed, lower case), so that it finds the
    article it names; the service refuses one that is not a slug."""
    return str(value or "").strip().lower()


def _status(value: object, origin: str) -> str | None:
    if value is None or value == "":
        return None
    if value not in STATUSES:
        raise ValidationFailed(f"{origin}: status must be one of {', '.join(STATUSES)}")
    return str(value)


def _json_articles(file: Path) -> list[Source]:
    try:
        loaded = json.loads(_text(file))
    except json.JSONDecodeError as error:
        raise ValidationFailed(f"{file}: not valid JSON ({error})") from None
    if isinstance(loaded, dict) and isinstance(loaded.get("articles"), list):
        loaded = loaded["articles"]
    if not isinstance(loaded, list) or not loaded:
        raise ValidationFailed(f"{file}: expected a non-empty JSON array of articles")
    return [_json_article(entry, f"{file}[{index}]") for index, entry in enumerate(loaded)]


def _json_article(entry: Any, origin: str) -> Source:
    if not isinstance(entry, dict):
        raise ValidationFailed(f"{origin}: each article must be a JSON object")
    unknown = sorted(set(entry) - {"content", *FIELDS})
    if unknown:
        raise ValidationFailed(f"{origin}: unknown field {', '.join(unknown)}")
    for name in ("title", "content", "category"):
        if not isinstance(entry.get(name), str) or not entry[name].strip():
            raise ValidationFailed(f"{origin}: {name} is required (a non-empty string)")
    for name in ("slug", "status"):
        if entry.get(name) is not None and not isinstance(entry[name], str):
            raise ValidationFailed(f"{origin}: {name} must be a string")
    tags = entry.get("tags")
    if tags is not None and not (
        isinstance(tags, list) and all(isinstance(tag, str) for tag in tags)
    ):
        raise ValidationFailed(f"{origin}: tags must be an array of strings")
    return Source(
        origin=origin,
        slug=_slug(entry.get("slug")) or slugify(entry["title"]),
        title=entry["title"],
        content=entry["content"],
        category=entry["category"],
        tags=tags,
        status=_status(entry.get("status"), origin),
    )
