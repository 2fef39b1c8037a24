"""Cell cleaning: HTML tags and entities, ``**`` emphasis, white space; small cell tests.

Readers keep cells as they were published; these helpers give the text a reader sees.
``<p>`` boundaries matter to target splitting, so ``parse.targets`` receives raw cells.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from publisher.uris import normalise

_TAG = re.compile(r"<[^>]{0,500}>")
_MAILTO = re.compile(r"mailto:\s*([^\"'>\s?]+)", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HREF = re.compile(r"href\s*=\s*[\"']?\s*(https?://[^\"'>\s]+)", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")
_NOT_APPLICABLE = re.compile(r"^[\"'“”«\s]*no\s+aplica\b[\"'“”»]*\W*", re.IGNORECASE)
_PARAGRAPH = re.compile(r"</?p\b[^>]*>|</?li\b[^>]*>", re.IGNORECASE)
_LINE_BREAK = re.compile(r"<br\s*/?>|\r\n?|\n", re.IGNORECASE)
_BULLET = re.compile(r"^[•·‣▪◦*\-–—]\s+")
#: Besides capitals and digits, what a stacked value may open with (see ``stack``).
_OPENERS = "•·‣▪◦*-–—%\"'“«¿¡"
# The numeral 1.3 template's other way of saying a value is absent: the statement is its reason.
_NOT_AVAILABLE = re.compile(r"^[\"'“”«\s]*informaci[oó]n\s+no\s+disponible\b", re.IGNORECASE)


@lru_cache(maxsize=8192)
def clean(raw: str) -> str:
    """The text of a cell: tags dropped, entities decoded, ``**`` removed, spaces folded.

    Cached: every row is cleaned cell by cell, and cells repeat (empty ones, banners,
    stock indicators and targets).

    >>> clean("<b>PROCESOS&nbsp;DESCONCENTRADOS</b> ")
    'PROCESOS DESCONCENTRADOS'
    """
    if "<" in raw:
        raw = _TAG.sub(" ", raw)
    if "&" in raw:
        raw = html.unescape(raw)
    if "**" in raw:
        raw = raw.replace("**", " ")
    return " ".join(raw.split())  # str.split folds every Unicode space, faster than a regex


@lru_cache(maxsize=8192)
def normalised(text: str) -> str:
    """``uris.normalise`` with a cache: unit names, banners, header and footer labels repeat."""
    return normalise(text)


def email_in(raw: str) -> str | None:
    """The e-mail address of a cell: a ``mailto:`` link first, else an address in the text."""
    if found := _MAILTO.search(raw):
        return html.unescape(found[1])
    found = _EMAIL.search(clean(raw))
    return found[0] if found else None


def url_in(raw: str) -> str | None:
    """The first web address of a cell: an ``href`` first, else a URL in the text."""
    if found := _HREF.search(raw):
        return html.unescape(found[1])
    found = _URL.search(clean(raw))
    return found[0] if found else None


def not_applicable_reason(text: str) -> str | None:
    """For a ``NO APLICA …`` statement, the reason after it ("" when none); for
    ``INFORMACIÓN NO DISPONIBLE …``, the statement itself; else None.

    >>> not_applicable_reason('"NO APLICA", en razón de que se refiere a la Máxima Autoridad.')
    'en razón de que se refiere a la Máxima Autoridad.'
    >>> not_applicable_reason("INFORMACIÓN NO DISPONIBLE")
    'INFORMACIÓN NO DISPONIBLE'
    """
    found = _NOT_APPLICABLE.match(text)
    if found:
        return text[found.end() :].strip()
    if _NOT_AVAILABLE.match(text):
        return text.strip(" \"'“”«»")
    return None


@lru_cache(maxsize=8192)
def stack(raw: str) -> tuple[str, ...]:
    """The values stacked in one cell, cleaned, empty ones dropped.

    Values are separated by paragraphs (``<p>``, ``<li>``) and by line breaks (Alt+Enter
    in a spreadsheet, a line break inside a quoted CSV cell, ``<br>``). A line that opens
    in lower case or with punctuation such as ``(`` or ``,`` continues the line above
    (a manual wrap inside one sentence); a new value opens with a capital, a digit, a
    bullet, ``%``, a quote or ``¿``/``¡``. Bullets (``•``, ``-`` … and a space) are dropped.
    Cached like ``clean``.

    >>> stack("Fortalecer la gestión\\ndel talento humano\\n- Mejorar los servicios")
    ('Fortalecer la gestión del talento humano', 'Mejorar los servicios')
    """
    if "<" not in raw and "\n" not in raw and "\r" not in raw:
        text = clean(raw)
        return (text,) if text else ()
    values: list[str] = []
    for paragraph in _PARAGRAPH.split(raw):
        opened = len(values)
        for line in map(clean, _LINE_BREAK.split(paragraph)):
            if not line:
                continue
            if len(values) > opened and not _opens_value(line):
                values[-1] = f"{values[-1]} {line}"
            else:
                values.append(_BULLET.sub("", line))
    return tuple(values)


def _opens_value(line: str) -> bool:
    """True when a stacked line starts a value of its own (see ``stack``)."""
    first = line[0]
    return first.isupper() or first.isdigit() or first in _OPENERS
