"""Discovery: a transparency page's HTML -> its goals-and-targets files, classified.

A pure function of the page's text (``discover``): no fetching here. Portals list their
reports as tables of months × numerals, as lists of links, or as a page per month; a link
is read together with its context (the row's first cell, the column's header, the nearest
heading above it, and the month of the page it sits on), so "Descargar" in the a4 column of
the row "Enero 2019" is January 2019's literal a4 report.

A link is, by its own text and file name first, then by its column, row and heading:

- a goals-and-targets file: literal a4 ("Literal a4", "a4)", "a4-2019-08.pdf") or numeral
  1.3 ("1.3", "Metas y objetivos", "1-4_Metas…"); the 2023 numeral's three CSV files
  (conjunto de datos, metadatos, diccionario) are one report: ``Found.part`` names each;
- another literal or numeral (a1, b2, numeral 1.1, …): ignored;
- a month's (or year's, or the transparency section's) sub-page on the same site: a page
  to follow (``pages``);
- a file with none of these marks, or no month: ``unclassified``, listed and never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag
from requests.utils import requote_uri

from publisher.parse import trio
from publisher.parse.targets import MONTHS  # Spanish month names, one table for the project

#: Suffixes of the files a portal links its reports as.
FILE_SUFFIXES = frozenset(
    {".pdf", ".xlsx", ".xls", ".csv", ".ods", ".doc", ".docx", ".odt", ".txt", ".tsv"}
)
#: Suffixes of pages (a month's sub-page is one of these, or has no suffix).
PAGE_SUFFIXES = frozenset({"", ".html", ".htm", ".php", ".aspx", ".asp", ".jsp"})

_MONTH_NAME = re.compile(rf"\b({'|'.join(MONTHS)})\b")
_YEAR = re.compile(r"\b(20[0-4]\d|19[89]\d)\b")
# 2019-08, 2019 08, 201908 (after separators became spaces)
_YEAR_MONTH = re.compile(r"\b(20[0-4]\d)\s?(0[1-9]|1[0-2])\b")
_MONTH_YEAR = re.compile(r"\b(0[1-9]|1[0-2])\s(20[0-4]\d)\b")

# Marks, over normalised text (lower case, no accents, separators as spaces, "1-3" as "1.3")
_GOALS = re.compile(
    r"\bliteral a\s?4\b|\ba\s?4\b|\bmetas y objetivos\b|\bobjetivos y metas\b"
    r"|\bmetas objetivos\b|\b1\.3\b|\b1\.4 metas\b|\bnumeral 1\.4\b.*\bmetas\b"
)
_OTHER = re.compile(
    r"\bliteral [a-z]\s?\d{0,2}\b|\b[a-n]\s?\d{1,2}\)|\b[a-n]\d{1,2}\b"
    r"|\bnumeral \d{1,2}(\.\d{1,2})?\b|\b\d\.\d{1,2}\b"
)
#: A link to the transparency section is worth following from a home page.
_TRANSPARENCY = re.compile(r"\btransparencia\b|\blotaip\b")
#: The parts of numeral 1.3's trio, in the order a report lists them.
TRIO_PARTS = tuple(trio.ROLES)  # the parser's roles: data, metadata, dictionary


@dataclass(frozen=True)
class Found:
    """A goals-and-targets file: where it is, the month it reports, and what part it is."""

    url: str
    month: str | None  # YYYY-MM
    part: str  # "report" (literal a4: one file) or a TRIO_PARTS name
    text: str  # the link's text, for messages


@dataclass(frozen=True)
class Page:
    """A sub-page to follow (a month's or a year's), with the month or year it is about."""

    url: str
    month: str | None
    year: str | None
    text: str


@dataclass(frozen=True)
class Unclassified:
    """A file link discovery could not place, and why."""

    url: str
    text: str
    why: str


@dataclass
class Discovery:
    """What one page links to."""

    files: list[Found] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    unclassified: list[Unclassified] = field(default_factory=list)
    ignored: int = 0  # links to other literals' files and pages


def discover(
    html: str, page_url: str, month: str | None = None, year: str | None = None
) -> Discovery:
    """Classify the links of the page ``html`` found at ``page_url``.

    ``month``/``year`` are what the page is about (from the link that led to it), the
    fallback for links that name neither."""
    soup = BeautifulSoup(html, "html.parser")
    base = page_url
    if (tag := soup.find("base", href=True)) is not None and isinstance(tag, Tag):
        base = urljoin(page_url, str(tag["href"]))
    found = Discovery()
    seen: set[str] = set()
    for anchor in soup.find_all("a", href=True):
        if not isinstance(anchor, Tag):
            continue
        url = absolute(base, str(anchor["href"]))
        if url is None or url in seen:
            continue
        seen.add(url)
        _classify(anchor, url, page_url, month, year, found)
    return found


def absolute(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``, percent-encoded, without fragment; None when it
    is not an http(s) link (mailto:, javascript:, a fragment of the page itself)."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.scheme not in {"http", "https"}:
        return None
    return requote_uri(urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, "")))


def _classify(
    anchor: Tag, url: str, page_url: str, month: str | None, year: str | None, out: Discovery
) -> None:
    text = " ".join(anchor.get_text(" ").split())
    name = unquote(PurePosixPath(urlsplit(url).path).name)
    suffix = PurePosixPath(name).suffix.lower()
    own = normalise(f"{text} {anchor.get('title') or ''} {name}")
    row, column, heading = _context(anchor)
    contexts = [normalise(c) for c in (column, row, heading)]
    link_month = month_in([own, *contexts], month, year)
    if suffix in FILE_SUFFIXES:
        kind = _kind(own, contexts)
        if kind == "other":
            out.ignored += 1
        elif kind is None:
            out.unclassified.append(Unclassified(url, text, "no literal a4 / numeral 1.3 mark"))
        elif link_month is None:
            out.unclassified.append(Unclassified(url, text, "no month in its text or context"))
        else:
            out.files.append(Found(url, link_month, _part(name, text, suffix), text))
    elif suffix in PAGE_SUFFIXES and _same_site(url, page_url):
        _page(url, text, own, contexts, link_month, month, year, out)


def _page(
    url: str,
    text: str,
    own: str,
    contexts: list[str],
    link_month: str | None,
    month: str | None,
    year: str | None,
    out: Discovery,
) -> None:
    """A same-site page worth following: it names a month or year, the a4 literal, or the
    transparency section (LOTAIP)."""
    if _OTHER.search(own) and not _GOALS.search(own):
        out.ignored += 1
        return
    years = _YEAR.findall(own)
    names_time = bool(_MONTH_NAME.search(own) or years or _YEAR_MONTH.search(own))
    if names_time or _GOALS.search(own) or _TRANSPARENCY.search(own):
        page_year = years[0] if years else year
        out.pages.append(Page(url, link_month, page_year, text))


def _kind(own: str, contexts: list[str]) -> str | None:
    """ "goals", "other" or None, by the link's own marks first, then its context's."""
    for text in (own, *contexts):
        goals, other = bool(_GOALS.search(text)), bool(_OTHER.search(_drop_dates(text)))
        if goals:
            return "goals"
        if other:
            return "other"
    return None


def _drop_dates(text: str) -> str:
    """``text`` without year-month pairs, whose digits could read as a numeral."""
    return _MONTH_YEAR.sub(" ", _YEAR_MONTH.sub(" ", text))


def _part(name: str, text: str, suffix: str) -> str:
    """Which part of a report the file is: a trio's part (CSV), else the whole report.

    The parser's own classification of trio names decides (the build finds the siblings
    the same way); the link's text is read as a name when the file's own name says nothing.
    """
    if suffix == ".csv":
        member = trio.classify(name) or trio.classify(text)
        if member is not None:
            return member.role
    return "report"


def _context(anchor: Tag) -> tuple[str, str, str]:
    """The texts around a link: its row's first cell, its column's header, the heading above."""
    row = column = ""
    cell = anchor.find_parent(["td", "th"])
    if cell is not None:
        tr = cell.find_parent("tr")
        if tr is not None:
            cells = tr.find_all(["td", "th"], recursive=False)
            if cells and cells[0] is not cell:
                row = cells[0].get_text(" ")
            column = _column_header(tr, cells.index(cell) if cell in cells else -1)
    heading = anchor.find_previous(["h1", "h2", "h3", "h4", "h5", "h6", "caption"])
    return row, column, heading.get_text(" ") if heading is not None else ""


def _column_header(tr: Tag, index: int) -> str:
    """The header cell above column ``index`` of the row's table (its first row of th)."""
    table = tr.find_parent("table")
    if table is None or index < 0:
        return ""
    for header in table.find_all("tr"):
        if header is tr:
            return ""
        cells = header.find_all(["th", "td"], recursive=False)
        if header.find("th") is not None and index < len(cells):
            return str(cells[index].get_text(" "))
    return ""


def month_in(texts: list[str], month: str | None, year: str | None) -> str | None:
    """The first YYYY-MM the texts name, in order; a month name takes the year of the
    same text, else of any text, else the page's."""
    years = [y for text in texts for y in _YEAR.findall(text)]
    for text in texts:
        if match := _YEAR_MONTH.search(text):
            return f"{match[1]}-{match[2]}"
        if match := _MONTH_YEAR.search(text):
            return f"{match[2]}-{match[1]}"
        if match := _MONTH_NAME.search(text):
            own_year = _YEAR.findall(text)
            found = (own_year or years or [year])[0]
            if found:
                return f"{found}-{MONTHS[match[1]]:02d}"
    return month


def _same_site(url: str, page_url: str) -> bool:
    """True when both are on one host (www. or not)."""
    a, b = urlsplit(url).netloc.lower(), urlsplit(page_url).netloc.lower()
    return a.removeprefix("www.") == b.removeprefix("www.")


def normalise(text: str) -> str:
    """Lower case, accents dropped, ``_ - + / ,`` and spaces folded to one space, a dash
    or underscore between two digits made a dot ("1-3" -> "1.3"), "a.4" read "a4"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"(?<![0-9A-Za-z])(\d)[-_](\d{1,2})(?![0-9])(?![-_.]\d)", r"\1.\2", text)
    text = re.sub(r"\b([a-n])\.\s?(\d)", r"\1\2", text)  # "a.4" is literal a4
    text = re.sub(r"[\s_\-+/,;:|]+", " ", text)
    text = re.sub(r"\.(?=\s|$)|(?<=\s)\.", " ", text)  # a dot ending a word is punctuation
    return " ".join(text.split())
