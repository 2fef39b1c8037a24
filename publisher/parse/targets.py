"""A "Meta cuantificable" cell -> ``Target`` records; due dates in free text.

One cell may hold several targets. They are split, in this order, at:

1. paragraphs and line breaks (``<p>…</p>``, ``<li>``, ``<br>``, Alt+Enter, a line break in
   a CSV cell): each stacked value (``cells.stack``) is a statement;
2. M-labels (``M1.``, ``M.2``, ``M. 1.``, ``M4 ``, ``M2.A1 2022``) inside a paragraph;
3. a sentence end followed by a new quantity, when two quantified statements run together
   (``… competencias.9 municipios …``, ``… prensa) 1 Manual de manejo``).

Each statement then gives one ``Target``:

* ``NO APLICA …`` / ``No aplica, …`` / ``INFORMACIÓN NO DISPONIBLE`` ->
  ``not_applicable=True``, ``reason`` the text after it (without the joining comma or the
  parentheses around it); nothing else is derived.
* the first quantity in reading order is the ``value``: ``90%``, ``80 % de …``,
  ``80 por ciento`` -> ``unit="percent"``; ``45 Reuniones`` -> unit ``"Reuniones"`` (the
  counted noun: the first word after the number, skipping ``de``/``el``/``los``…).
  Four-digit numbers between 1900 and 2099 are years, never values. Spelled-out numbers
  (``dos`` … ``diez``, ``veinte``, ``cien``…) count anywhere. ``un``/``una``/``uno`` are
  usually articles, so they count as 1 only where they are plainly a quantity: right after
  ``al menos`` (``Al menos una evaluación``) or opening the statement (``Un documento de
  formación``); ``M2. Al 2020, un informe …`` has no value.
* a percentage that opens the statement followed by a capitalised remark
  (``20% Sólo posee estudios, …``) keeps the remark as ``note``; ``80 % de cumplimiento``
  has no note (the words after the number belong to the quantity).
* ``label`` is the M-label normalised to ``M<n>``; ``text`` is the statement as read
  (label included, markup removed, whitespace folded).
* ``due_date`` comes from ``find_due_date``.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

from publisher.parse.cells import clean, stack
from publisher.records import Target

MONTHS = {
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
}

NUMBER_WORDS = {
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
    "once": 11,
    "doce": 12,
    "quince": 15,
    "veinte": 20,
    "treinta": 30,
    "cincuenta": 50,
    "cien": 100,
}

_YEAR = r"((?:19|20)\d\d)"
_MONTH = r"(" + "|".join(MONTHS) + r")"

# An M-label: at the start or after white space / a full stop; "M", an optional dot and
# space, one or two digits, an optional dot. Not followed by another digit (so "M12" is
# one label) and followed by a space, a letter or the end.
_LABEL = re.compile(r"M(?<![^\s.]M)\s?\.?\s?(\d{1,2})(?!\d)(?:\s?\.)?(?=\s|[^\W\d]|$)")
# "INFORMACIÓN NO DISPONIBLE" (numeral 1.3 template) is read like NO APLICA: absent, not data
_NOT_APPLICABLE = re.compile(
    r"^[\"'“”«\s]*(?:no\s+aplica|informaci[oó]n\s+no\s+disponible)\b[\"'“”»]*", re.IGNORECASE
)

# A new quantified statement glued to the previous one: a sentence end after a word, then a
# number followed by a word or a percent sign. Abbreviations like "Art. 6" are excluded.
_RUN_ON = re.compile(
    r"(?:\.(?:(?<=[^\W\d]{2}\.)|(?<=\)\.))\s*|\)(?<=[^\W\d]{2}\))\s+)"
    r"(?=\d+(?:[.,]\d+)?\s*(?:%|[^\W\d]{2,}))"
)

# Patterns open with the character they look for and check what precedes it after: the
# regex engine then skips quickly to candidates (a leading look-behind is tried everywhere).
_PERCENT = re.compile(r"(\d(?<![\w.,]\d)\d*(?:[.,]\d+)?)\s*(?:%|por\s*ciento\b)", re.IGNORECASE)
_NUMBER = re.compile(r"(\d(?<![\w.,/(-]\d)\d*(?:[.,]\d+)?)(?![\d%])(?!\s*%)(?!\s*por\s*ciento)")
_WORD_NUMBER = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b")  # on lower-cased text
_ONE = re.compile(r"(?:^|\bal\s+menos\s+(?:en\s+|a\s+)?)(un|una|uno)\b(?!\s+\d)")  # lower
_NOUN = re.compile(r"\s*(?:(?:de|del|el|la|los|las)\s+)*([^\W\d][^\s,.;:()]*)", re.IGNORECASE)
# A remark after an opening percentage: capitalised, and not a noun heading a "de" phrase
# ("100 % Cobertura de Servicios …" is the quantity, "20% Sólo posee …" is a remark).
_NOTE = re.compile(
    r"^\s*\d+(?:[.,]\d+)?\s*%\s*[-–:.,]?\s*"
    r"([A-ZÁÉÍÓÚÑ][^\s,]*+(?!\s+(?:de|del|en|para|a|por)\b).*)$",
    re.DOTALL,
)
_ABBREVIATION_BEFORE = re.compile(r"(?:\b(?:art|arts|nro|no|núm|num)\.?\s*)$", re.IGNORECASE)

_ANY_YEAR = re.compile(_YEAR)
_FULL_DATE = re.compile(
    r"\b(\d{1,2})\s+de\s+" + _MONTH + r"\s+(?:de(?:l)?\s+)?" + _YEAR + r"\b", re.IGNORECASE
)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/" + _YEAR + r"\b")
_MONTH_YEAR = re.compile(r"\b" + _MONTH + r"\s+(?:de(?:l)?\s+)?" + _YEAR + r"\b", re.IGNORECASE)
_YEAR_ONLY = re.compile(
    r"\b(?:a[l1]?|en(?:\s+el)?|para(?:\s+el)?|hasta(?:\s+el)?|durante\s+el|(?:del?\s+)?año|"
    r"(?:finales|fines|final)(?:\s+del?)?(?:\s+año)?|"
    r"per[ií]odo(?:\s+fiscal)?)\s+" + _YEAR + r"\b",
    re.IGNORECASE,
)


def parse_targets(raw_cell: str, line: int, due_date: str | None = None) -> list[Target]:
    """Split a raw "Meta cuantificable" cell into its targets (see the module docstring).

    ``due_date`` (the indicator's, say) goes to every applicable target that states none.
    """
    return [
        Target(
            t.text,
            line,
            t.value,
            t.unit,
            t.label,
            t.not_applicable,
            t.reason,
            t.due_date or (None if t.not_applicable else due_date),
            t.note,
        )
        for t in _read_cell(raw_cell)
    ]


@functools.lru_cache(maxsize=4096)
def _read_cell(raw_cell: str) -> tuple[Target, ...]:
    """The targets of a cell, with line 0. Cached: reports repeat target cells a lot (Loja's
    ``100%``, Alausí's one sentence on every row); Target is frozen, so sharing is safe."""
    if "<" not in raw_cell and "\n" not in raw_cell and "\r" not in raw_cell:
        return _read_paragraph(raw_cell)
    return tuple(t for part in stack(raw_cell) for t in _read_paragraph(part))


@functools.lru_cache(maxsize=4096)
def _read_paragraph(paragraph: str) -> tuple[Target, ...]:
    """The targets of one paragraph. Cached as well: cells that differ as a whole share
    paragraphs (``<p>M1. Al menos 20 GADP …</p>`` beside different ``M2``s)."""
    text = clean(paragraph)
    if not text:
        return ()
    return tuple(t for part in _split_labels(text) for t in _read_part(part))


@functools.lru_cache(maxsize=4096)
def _read_part(part: str) -> tuple[Target, ...]:
    """The targets of one labelled part of a paragraph (``M1. Al menos 20 GADP …``).
    Cached too, for cells that run their labelled statements together on one line."""
    if _NOT_APPLICABLE.match(part):
        return (_target(part),)  # a reason is free prose: "Art. 6 del COOTAD" must stay whole
    return tuple(_target(s.strip()) for s in _split_run_ons(part) if s.strip())


@functools.lru_cache(maxsize=4096)
def find_due_date(text: str) -> str | None:
    """The first due date stated in ``text``, as ISO ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``.

    A full date wins over a month, and a month over a bare year: ``A abril de 2023`` ->
    ``"2023-04"``, ``Para finales del año 2023`` -> ``"2023"``, ``Al 2022`` -> ``"2022"``.
    Cached: indicators repeat from row to row.
    """
    if not _ANY_YEAR.search(text):
        return None  # every form below names a year; most cells have none
    if found := _FULL_DATE.search(text):
        day, month, year = int(found[1]), MONTHS[found[2].lower()], found[3]
        return f"{year}-{month:02d}-{day:02d}" if 1 <= day <= 31 else f"{year}-{month:02d}"
    if found := _NUMERIC_DATE.search(text):
        day, month, year = int(found[1]), int(found[2]), found[3]
        if 1 <= day <= 31 and 1 <= month <= 12:
            return f"{year}-{month:02d}-{day:02d}"
    if found := _MONTH_YEAR.search(text):
        return f"{found[2]}-{MONTHS[found[1].lower()]:02d}"
    if found := _YEAR_ONLY.search(text):
        return found[1]
    return None


def _split_labels(text: str) -> list[str]:
    """Cut ``text`` before every M-label; text before the first label stays a statement."""
    if "M" not in text:
        return [text]
    starts = [m.start() for m in _LABEL.finditer(text)]
    bounds = [0, *[s for s in starts if s > 0], len(text)]
    parts = (text[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False))
    return [p for p in parts if p]


def _split_run_ons(text: str) -> list[str]:
    """Cut ``text`` where a new quantified statement is glued to the previous one."""
    if "." not in text and ")" not in text:
        return [text]
    parts, start = [], 0
    for found in _RUN_ON.finditer(text):
        if _ABBREVIATION_BEFORE.search(text[max(start, found.start() - 8) : found.start()]):
            continue
        end = found.start() + (1 if text[found.start()] in ".)" else 0)
        parts.append(text[start:end])
        start = found.end()
    parts.append(text[start:])
    return parts


def _target(statement: str) -> Target:
    """One statement -> one ``Target``, with line 0."""
    label, body = _label(statement)
    if na := _NOT_APPLICABLE.match(body):
        return Target(
            text=statement, line=0, label=label, not_applicable=True, reason=_reason(body, na)
        )
    value, unit = _quantity(_mask_dates(body))
    note = _NOTE.match(body) if unit == "percent" else None
    return Target(
        text=statement,
        line=0,
        value=value,
        unit=unit,
        label=label,
        due_date=find_due_date(body),
        note=note[1].strip() if note else None,
    )


def _label(statement: str) -> tuple[str | None, str]:
    """``("M2", "rest")`` when the statement opens with an M-label, else ``(None, statement)``."""
    found = _LABEL.match(statement)
    if not found:
        return None, statement
    return f"M{int(found[1])}", statement[found.end() :].strip()


def _reason(body: str, found: re.Match[str]) -> str | None:
    """What follows ``NO APLICA``, without the joining punctuation or enclosing parentheses."""
    rest = body[found.end() :].strip().lstrip(",;:.-–— ").strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1].strip()
    return rest or None


def _mask_dates(text: str) -> str:
    """Blank out date phrases so that their numbers are not read as quantities."""
    if not _ANY_YEAR.search(text):
        return text
    for pattern in (_FULL_DATE, _NUMERIC_DATE, _MONTH_YEAR, _YEAR_ONLY):
        text = pattern.sub(lambda m: " " * len(m[0]), text)
    return text


def _quantity(text: str) -> tuple[Decimal | None, str | None]:
    """The first quantity in reading order, with its unit (``"percent"`` or the noun)."""
    best: tuple[int, Decimal, str | None] | None = None
    if found := _PERCENT.search(text):
        best = (found.start(), _decimal(found[1]), "percent")
    if (number := _first_number(text)) and (best is None or number[0] < best[0]):
        best = number
    if best and best[0] == 0:
        return best[1], best[2]  # opens with a number: nothing can come before it
    lower = text.lower()
    if len(lower) != len(text):  # a letter whose lower case is longer ("İ"): offsets differ
        lower = text
    words = any(word in lower for word in NUMBER_WORDS)  # a substring test is far cheaper
    if words and (found := _WORD_NUMBER.search(lower)) and (not best or found.start() < best[0]):
        best = (found.start(), Decimal(NUMBER_WORDS[found[1]]), _noun(text, found.end()))
    ones = lower.startswith("un") or "menos" in lower
    if ones and (found := _ONE.search(lower)) and (best is None or found.start(1) < best[0]):
        best = (found.start(1), Decimal(1), _noun(text, found.end()))
    return (best[1], best[2]) if best else (None, None)


def _first_number(text: str) -> tuple[int, Decimal, str | None] | None:
    """The first plain number that is not a year nor an article/law number."""
    for found in _NUMBER.finditer(text):
        digits = found[1]
        if len(digits) == 4 and digits.isdigit() and 1900 <= int(digits) <= 2099:
            continue
        if _ABBREVIATION_BEFORE.search(text[max(found.start() - 8, 0) : found.start()]):
            continue
        return found.start(), _decimal(digits), _noun(text, found.end())
    return None


def _noun(text: str, end: int) -> str | None:
    """The counted noun after a number: the next word, skipping articles and ``de``."""
    found = _NOUN.match(text, end)
    return found[1] if found else None


def _decimal(digits: str) -> Decimal:
    """``"12,5"`` or ``"12.5"`` -> ``Decimal("12.5")``."""
    return Decimal(digits.replace(",", "."))
