"""Discovery: a page's HTML -> goals-and-targets files, month pages, the rest listed."""

from __future__ import annotations

import pytest
from portal import replica

from publisher.harvest.discover import discover, month_in, normalise

BASE = "http://portal.example"


def _page(path: str) -> str:
    return replica().routes[path].body.decode().replace("{base}", BASE)


def test_a_months_by_literals_table_gives_the_a4_column_by_row_month() -> None:
    found = discover(_page("/loja/transparencia/2019.html"), f"{BASE}/loja/transparencia/2019.html")
    assert [(f.url, f.month, f.part) for f in found.files] == [
        (f"{BASE}/loja/docs/a4-julio-2019.pdf", "2019-07", "report"),  # relative "../docs"
        (f"{BASE}/loja/docs/a4-2019-08.txt", "2019-08", "report"),  # absolute
    ]
    # a1-a3 (three shared PDFs, each met once) and a5: other literals, never fetched
    assert found.ignored == 4
    assert found.unclassified == [] and found.pages == []


def test_nested_pages_are_followed_by_month_and_year() -> None:
    index = discover(_page("/sot/transparencia/"), f"{BASE}/sot/transparencia/")
    assert [(p.url, p.year) for p in index.pages] == [(f"{BASE}/sot/transparencia/2023/", "2023")]
    year = discover(_page("/sot/transparencia/2023/"), index.pages[0].url, None, "2023")
    assert [(p.url, p.month) for p in year.pages] == [
        (f"{BASE}/sot/transparencia/2023/enero.html", "2023-01"),
        (f"{BASE}/sot/transparencia/2023/febrero.html", "2023-02"),
    ]


def test_a_link_with_spaces_and_accents_is_percent_encoded() -> None:
    page = discover(_page("/sot/transparencia/2023/enero.html"), f"{BASE}/sot/t/enero.html")
    assert [(f.url, f.month) for f in page.files] == [
        (
            f"{BASE}/sot/A%C3%B1o%202023/Enero/"
            "Literal%20a4)%20Metas%20y%20Objetivos%20%E2%80%93%20Planificaci%C3%B3n.txt",
            "2023-01",
        )
    ]
    assert page.ignored == 1  # Literal a1


def test_the_trio_parts_and_what_is_not_classified() -> None:
    trio = discover(_page("/congope/transparencia-2023.html"), f"{BASE}/congope/")
    assert [(f.month, f.part) for f in trio.files] == [
        ("2023-03", "data"),
        ("2023-03", "metadata"),
        ("2023-03", "dictionary"),
        ("2023-04", "data"),
        ("2023-04", "metadata"),
    ]
    listed = discover(_page("/alausi/lotaip.html"), f"{BASE}/alausi/lotaip.html")
    assert [(u.url, u.why) for u in listed.unclassified] == [
        (f"{BASE}/alausi/docs/Informe%20final.pdf", "no literal a4 / numeral 1.3 mark")
    ]
    assert listed.ignored == 1  # Literal b1
    assert [f.month for f in listed.files] == ["2021-05", "2021-06", "2021-07"]


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("Literal a4", "x.pdf"),
        ("a4) Metas y objetivos", "x.pdf"),
        ("LITERAL A.4", "x.pdf"),
        ("Descargar", "Metas-y-Objetivos.xlsx"),
        ("Descargar", "metas_y_objetivos.pdf"),
        ("Numeral 1.3", "x.csv"),
        ("Descargar", "1-4_Metas_y_Objetivos.pdf"),
        ("Descargar", "LOTAIP-1_3-conjunto-de-datos.csv"),
        ("Metas  y  Objetivos", "x.ods"),
    ],
)
def test_goals_marks_with_accents_case_and_separators(text: str, href: str) -> None:
    html = f'<h2>Enero 2024</h2><a href="{href}">{text}</a>'
    found = discover(html, f"{BASE}/t/")
    assert [(f.url, f.month) for f in found.files] == [(f"{BASE}/t/{href}", "2024-01")]


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("Literal a1) Estructura orgánica", "x.pdf"),
        ("b2) Presupuesto", "x.pdf"),
        ("Numeral 1.1", "x.pdf"),
        ("Descargar", "literal-c-2023.pdf"),
        ("Descargar", "a12-enero-2024.pdf"),
    ],
)
def test_other_literals_are_ignored(text: str, href: str) -> None:
    found = discover(f'<h2>Enero 2024</h2><a href="{href}">{text}</a>', f"{BASE}/t/")
    assert found.files == [] and found.unclassified == []


def test_links_that_lead_nowhere_are_skipped() -> None:
    html = (
        '<a href="mailto:x@y.gob.ec">a4</a><a href="javascript:void(0)">a4</a>'
        '<a href="#top">a4</a><a href="http://other.example/2023/">2023</a>'
    )
    found = discover(html, f"{BASE}/")
    assert (found.files, found.pages, found.unclassified) == ([], [], [])


def test_a_goals_file_without_a_month_is_listed_not_guessed() -> None:
    found = discover('<a href="metas.pdf">Literal a4</a>', f"{BASE}/")
    assert found.files == []
    assert [u.why for u in found.unclassified] == ["no month in its text or context"]


@pytest.mark.parametrize(
    ("texts", "month"),
    [
        (["a4 2019 08 pdf"], "2019-08"),
        (["informe 08 2019"], "2019-08"),
        (["descargar", "agosto", "ano 2019"], "2019-08"),
        (["setiembre 2020"], "2020-09"),
        (["descargar"], None),
    ],
)
def test_month_in(texts: list[str], month: str | None) -> None:
    assert month_in(texts, None, None) == month


def test_normalise() -> None:
    assert normalise("Literal A4) Metas_y-Objetivos – Planificación") == (
        "literal a4) metas y objetivos – planificacion"
    )
    assert normalise("1-4_Metas") == "1.4 metas"
    assert normalise("LOTAIP 1_3 datos") == "lotaip 1.3 datos"
    assert normalise("1-12-2019") == "1 12 2019"  # a date, not numeral 1.12


@pytest.mark.parametrize(
    ("text", "href", "part"),
    [
        ("Descargar", "1-4_metas-y-objetivos_unidades_ENERO(conjuntoDatos).csv", "data"),
        ("Descargar", "1.3 Metas y Objetivos - Enero (Metadatos).csv", "metadata"),
        ("Diccionario", "LOTAIP_1_3_metas_y_objetivos_enero_2024.csv", "dictionary"),
        ("Numeral 1.3", "LOTAIP_1_3_metas_y_objetivos_enero_2024.csv", "report"),
    ],
)
def test_trio_parts_are_named_as_the_parser_names_them(text: str, href: str, part: str) -> None:
    # the build finds a trio's siblings with publisher.parse.trio.classify: discovery too
    found = discover(f'<h2>Enero 2024</h2><a href="{href}">{text}</a>', f"{BASE}/t/")
    assert [f.part for f in found.files] == [part]
