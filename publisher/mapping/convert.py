"""Small value converters named by the mappings (``converter = "…"`` in ``mappings/``).

Each converter takes one record value (never ``None``: the mapper skips absent values) and
returns the RDF term to publish, as a pyoxigraph term (the mapper writes pyoxigraph terms:
no rdflib objects on the way to the N-Quads), or ``None`` when the value has nothing to say
in that property (for example a counted noun asked for its QUDT unit). A value that cannot
be what its field promises raises ``MappingError``. ``CONVERTERS`` is the table mappings use.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode

from publisher.errors import MappingError
from publisher.records import PROCESS_LEVELS
from publisher.uris import Urls, normalise
from publisher.vocab import FREQ, UNIT, XSD

Term = NamedNode | Literal
Converter = Callable[[Any], Term | None]

# the datatypes and IRIs converters give, made once (a pyoxigraph term is immutable)
_DATE = NamedNode(str(XSD.date))
_DATETIME = NamedNode(str(XSD.dateTime))
_DECIMAL = NamedNode(str(XSD.decimal))
_PERCENT = NamedNode(str(UNIT.PERCENT))
_COUNT = NamedNode(str(UNIT.NUM))

_DUE_DATE_TYPES = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), _DATE),
    (re.compile(r"^\d{4}-\d{2}$"), NamedNode(str(XSD.gYearMonth))),
    (re.compile(r"^\d{4}$"), NamedNode(str(XSD.gYear))),
)

#: Spanish periodicity words -> the EU frequency vocabulary (normalised text as key).
FREQUENCIES = {
    "diaria": "DAILY",
    "diario": "DAILY",
    "semanal": "WEEKLY",
    "quincenal": "BIWEEKLY",
    "mensual": "MONTHLY",
    "bimestral": "BIMONTHLY",
    "trimestral": "QUARTERLY",
    "cuatrimestral": "ANNUAL_3",
    "semestral": "ANNUAL_2",
    "anual": "ANNUAL",
}

#: ``FREQUENCIES`` values as IRIs.
_FREQUENCY_IRIS = {code: NamedNode(str(FREQ[code])) for code in set(FREQUENCIES.values())}

_EXTENSION = re.compile(r"\bext(?:ension)?\.?", re.IGNORECASE)
_EMAIL_UNSAFE = "@.-_+'"
_HTTP_LINK = re.compile(r"^https?://\S+$")
_DOMAIN = re.compile(r"^[a-z0-9.-]+\.[a-z]{2,}$")


def to_date(value: date | str) -> Literal:
    """A calendar date as ``xsd:date``."""
    if isinstance(value, datetime):
        raise MappingError(f"expected a date, got a date and time: {value!r}")
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError as err:
            raise MappingError(f"not an ISO date: {value!r}") from err
    return Literal(value.isoformat(), datatype=_DATE)


def to_datetime(value: datetime) -> Literal:
    """A moment as ``xsd:dateTime`` (ISO form, with its offset when it has one)."""
    return Literal(value.isoformat(), datatype=_DATETIME)


def to_decimal(value: Decimal | int | float | str) -> Literal:
    """A number as ``xsd:decimal`` in canonical notation (``90.0``, ``12.5``)."""
    try:
        number = Decimal(str(value))
    except InvalidOperation as err:
        raise MappingError(f"not a number: {value!r}") from err
    if not number.is_finite():
        raise MappingError(f"not a finite number: {value!r}")
    # canonical xsd:decimal lexical form ("90.0", "12.5"), as Turtle's 90.0 shorthand reads back
    text = format(number.normalize(), "f") if number != number.to_integral_value() else None
    return Literal(text or f"{int(number)}.0", datatype=_DECIMAL)


def to_due_date(value: str) -> Literal:
    """An ISO due date at its own precision: ``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear``."""
    for pattern, datatype in _DUE_DATE_TYPES:
        if pattern.match(value):
            return Literal(value, datatype=datatype)
    raise MappingError(f"due date is not YYYY-MM-DD, YYYY-MM or YYYY: {value!r}")


def to_qudt_unit(value: str) -> NamedNode:
    """``"percent"`` -> ``unit:PERCENT``; any counted noun -> ``unit:NUM`` (a count)."""
    return _PERCENT if value == "percent" else _COUNT


def to_unit_text(value: str) -> Literal | None:
    """The counted noun as written (``"Reuniones"@es``); nothing for percentages."""
    return None if value == "percent" else Literal(value, language="es")


def to_frequency(value: str) -> NamedNode | None:
    """``"Mensual"`` -> ``freq:MONTHLY``; unknown words give nothing (the text is kept)."""
    code = FREQUENCIES.get(normalise(value))
    return _FREQUENCY_IRIS[code] if code else None


def to_mailto(value: str) -> NamedNode:
    """An e-mail address as a ``mailto:`` IRI (the shapes check its form)."""
    address = value.strip().removeprefix("mailto:").strip()
    return _iri("mailto:" + quote(address, safe=_EMAIL_UNSAFE))


def to_tel(value: str) -> NamedNode | None:
    """A phone number as a ``tel:`` IRI (RFC 3966); Ecuadorian numbers get ``+593``.

    ``"(593-7) 2570407 EXT 206"`` -> ``tel:+593-7-2570407;ext=206``;
    ``"(03) 2930-153 EXTENSIÓN 204"`` -> ``tel:+593-3-2930-153;ext=204``.
    """
    main, *rest = _EXTENSION.split(_fold_accents(value), maxsplit=1)
    extension = rest[0] if rest else ""
    groups = re.findall(r"\d+", main)
    if not groups:
        return None
    if groups[0] == "593":
        groups = groups[1:]
    if groups and groups[0].startswith("0"):
        # the trunk prefix 0 is dropped in the international form
        groups[0] = groups[0][1:]
    number = "-".join(g for g in groups if g)
    ext_digits = "".join(re.findall(r"\d+", extension))
    return _iri(f"tel:+593-{number}" + (f";ext={ext_digits}" if ext_digits else ""))


def _fold_accents(value: str) -> str:
    """Accents removed (``EXTENSIÓN`` -> ``EXTENSION``) so that extension words match."""
    folded = unicodedata.normalize("NFKD", value)
    return "".join(c for c in folded if not unicodedata.combining(c))


def to_http_iri(value: str) -> NamedNode | None:
    """An ``http(s)`` link as an IRI; anything else (``"Reporte del GPR"``) gives nothing."""
    text = value.strip()
    if not _HTTP_LINK.match(text):
        return None
    return _iri(quote(text, safe=":/?#[]@!$&'()*+,;=%~.-_"))


def to_homepage(value: str) -> NamedNode:
    """An institution's web domain (``loja.gob.ec``) as its home page IRI."""
    domain = value.strip().lower().removeprefix("www.")
    if not _DOMAIN.match(domain):
        raise MappingError(f"not a web domain: {value!r}")
    return _iri(f"https://{domain}/")


#: ``records.PROCESS_LEVELS`` keys -> their SKOS concepts.
_PROCESS_LEVEL_IRIS = {key: NamedNode(str(Urls.process_level(key))) for key in PROCESS_LEVELS}


def to_process_level(value: str) -> NamedNode:
    """A process level key of ``records.PROCESS_LEVELS`` -> its SKOS concept."""
    if value not in PROCESS_LEVELS:
        raise MappingError(f"unknown process level {value!r}; known: {sorted(PROCESS_LEVELS)}")
    return _PROCESS_LEVEL_IRIS[value]


def _iri(text: str) -> NamedNode:
    """``text`` as an IRI; pyoxigraph checks it, and a malformed one is a mapping error."""
    try:
        return NamedNode(text)
    except ValueError as err:
        raise MappingError(f"not a valid IRI: {text!r}: {err}") from err


def to_warning_text(value: Any) -> Literal:
    """A parser warning (``ParseWarning``) as one line of text."""
    where = f"line {value.line}: " if value.line is not None else ""
    return Literal(f"{where}{value.message}")


# ------------------------------------------------------------------- labels (templates)

MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
             "septiembre", "octubre", "noviembre", "diciembre")  # fmt: skip
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")  # fmt: skip

# "Para finales del año 2023 se logrará …": the lead-in most indicators share says nothing
_LEAD_IN = re.compile(
    r"^(?:a|al|hasta|para|durante|en)\s+(?:el\s+)?(?:(?:finales|final|fin|cierre|terminar)\s+)?"
    r"(?:del?\s+)?(?:el\s+)?(?:(?:año|período|periodo|enero|febrero|marzo|abril|mayo|junio|"
    r"julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)\s+)?(?:fiscal\s+)?"
    r"(?:del?\s+)?\d{4}\s*,?\s*(?:se\s+(?:logrará|alcanzará)\s+)?",
    re.IGNORECASE,
)


def shorten(text: str, width: int) -> str:
    """``text`` without its lead-in, cut at the last word boundary within ``width``
    characters, with an ellipsis when cut (``"participar en los espacios de…"``)."""
    text = " ".join(text.split())
    text = _LEAD_IN.sub("", text, count=1) or text
    if len(text) <= width:
        return text
    cut = text[:width]
    if " " in cut and not text[width].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-—") + "…"


def month_name(value: date | None, language: str) -> str:
    """``"enero de 2023"`` (es) or ``"January 2023"`` (en); a report without a date says so."""
    if value is None:
        return "sin fecha" if language == "es" else "undated"
    if language == "es":
        return f"{MONTHS_ES[value.month - 1]} de {value.year}"
    return f"{MONTHS_EN[value.month - 1]} {value.year}"


class LabelFormatter(string.Formatter):
    """``str.format`` for mapping templates, with three more format specs:
    ``{x:60…}`` (:func:`shorten` to 60 characters), ``{d:mes}`` and ``{d:month}``
    (:func:`month_name` in Spanish or English)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.endswith("…") and format_spec[:-1].isdigit():
            return shorten(str(value), int(format_spec[:-1]))
        if format_spec in ("mes", "month"):
            return month_name(value, "es" if format_spec == "mes" else "en")
        return super().format_field(value, format_spec)

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        # a missing parent or date reads as None, so that "mes" can say "sin fecha"
        try:
            return super().get_field(field_name, args, kwargs)
        except AttributeError:
            return None, field_name


CONVERTERS: dict[str, Converter] = {
    "date": to_date,
    "datetime": to_datetime,
    "decimal": to_decimal,
    "due_date": to_due_date,
    "qudt_unit": to_qudt_unit,
    "unit_text": to_unit_text,
    "frequency": to_frequency,
    "mailto": to_mailto,
    "tel": to_tel,
    "http_iri": to_http_iri,
    "homepage": to_homepage,
    "process_level": to_process_level,
    "warning_text": to_warning_text,
}
