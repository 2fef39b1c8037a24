"""Value converters named by the mappings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from publisher.errors import MappingError
from publisher.mapping.convert import (
    CONVERTERS,
    LabelFormatter,
    month_name,
    shorten,
    to_date,
    to_datetime,
    to_decimal,
    to_due_date,
    to_frequency,
    to_homepage,
    to_http_iri,
    to_mailto,
    to_process_level,
    to_qudt_unit,
    to_tel,
    to_unit_text,
)
from publisher.vocab import FREQ, LOTAIP, UNIT, XSD


def typed(text: str, datatype: str) -> ox.Literal:
    """A typed literal, as converters give it (pyoxigraph terms)."""
    return ox.Literal(text, datatype=ox.NamedNode(datatype))


def iri(text: str) -> ox.NamedNode:
    """An IRI, as converters give it."""
    return ox.NamedNode(text)


def test_dates() -> None:
    assert to_date(date(2023, 1, 31)) == typed("2023-01-31", XSD.date)
    assert to_date("2023-01-31") == typed("2023-01-31", XSD.date)
    moment = datetime(2026, 11, 22, 1, 2, 3, tzinfo=UTC)
    assert to_datetime(moment) == typed("2026-11-22T01:02:03+00:00", XSD.dateTime)
    with pytest.raises(MappingError, match="not an ISO date"):
        to_date("31/01/2023")


@pytest.mark.parametrize(
    ("text", "datatype"),
    [("2023-12-31", XSD.date), ("2023-04", XSD.gYearMonth), ("2023", XSD.gYear)],
)
def test_due_dates_keep_their_precision(text: str, datatype: URIRef) -> None:
    assert to_due_date(text) == typed(text, datatype)


def test_bad_due_date_and_number_raise() -> None:
    with pytest.raises(MappingError, match="due date"):
        to_due_date("diciembre")
    with pytest.raises(MappingError, match="not a number"):
        to_decimal("abc")


def test_decimal_in_canonical_notation() -> None:
    assert to_decimal(Decimal("90")) == typed("90.0", XSD.decimal)
    assert to_decimal(Decimal("1E+2")) == typed("100.0", XSD.decimal)
    assert to_decimal(Decimal("12.50")) == typed("12.5", XSD.decimal)
    assert to_decimal(Decimal("-0.5")) == typed("-0.5", XSD.decimal)


def test_units() -> None:
    assert to_qudt_unit("percent") == iri(UNIT.PERCENT)
    assert to_qudt_unit("Reuniones") == iri(UNIT.NUM)
    assert to_unit_text("percent") is None
    assert to_unit_text("Reuniones") == ox.Literal("Reuniones", language="es")


def test_frequency_from_spanish_words() -> None:
    assert to_frequency("MENSUAL") == iri(FREQ.MONTHLY)
    assert to_frequency("Trimestral") == iri(FREQ.QUARTERLY)
    assert to_frequency("cuando se requiera") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(593-7) 2570407 EXT 206", "tel:+593-7-2570407;ext=206"),
        ("(03) 2930-153 EXTENSIÓN 204", "tel:+593-3-2930-153;ext=204"),
        ("(+593) 0960835043", "tel:+593-960835043"),
    ],
)
def test_phone_numbers_from_the_examples(text: str, expected: str) -> None:
    assert to_tel(text) == iri(expected)


def test_links() -> None:
    assert to_mailto(" mailto:ana@sot.gob.ec") == iri("mailto:ana@sot.gob.ec")
    assert to_http_iri("Reporte del GPR") is None
    assert to_http_iri("https://gpr.gob.ec/x?a=1") == iri("https://gpr.gob.ec/x?a=1")
    assert to_homepage("www.loja.gob.ec") == iri("https://loja.gob.ec/")
    assert to_tel("sin número") is None


def test_process_levels() -> None:
    assert to_process_level("support") == iri(LOTAIP["nivel/support"])
    with pytest.raises(MappingError, match="unknown process level"):
        to_process_level("operativo")


def test_every_converter_is_registered_by_name() -> None:
    assert CONVERTERS["due_date"] is to_due_date
    assert all(callable(c) for c in CONVERTERS.values())


def test_shorten_drops_the_lead_in_and_cuts_at_a_word() -> None:
    text = (
        "Para finales del año 2023 se logrará participar en un 90% en los espacios de "
        "interés común propiciados para el intercambio de conocimientos e información."
    )
    assert shorten(text, 60) == "participar en un 90% en los espacios de interés común…"
    assert shorten("A diciembre de 2023 se ejecutará el plan", 60) == "se ejecutará el plan"
    assert shorten("Crear espacios de intercambio, MEDIANTE la participación", 32) == (
        "Crear espacios de intercambio…"  # no dangling comma before the ellipsis
    )
    assert shorten("  90%\n ", 40) == "90%"  # short text stays whole, spaces folded
    assert shorten("Supercalifragilísticoexpialidoso", 10) == "Supercalif…"  # one long word


def test_month_names_in_spanish_and_english() -> None:
    assert month_name(date(2023, 1, 31), "es") == "enero de 2023"
    assert month_name(date(2023, 9, 30), "en") == "September 2023"
    assert month_name(None, "es") == "sin fecha"
    assert month_name(None, "en") == "undated"


def test_label_formatter_specs_and_plain_fields() -> None:
    fmt = LabelFormatter()
    day = date(2023, 2, 28)
    assert fmt.format("{d:mes} | {d:month} | {d:%Y-%m}", d=day) == (
        "febrero de 2023 | February 2023 | 2023-02"
    )
    assert fmt.format("{t:12…}", t="uno dos tres cuatro") == "uno dos tres…"
