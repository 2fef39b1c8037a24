"""The five real reports, read from their text layout, against counts made by hand.

Every expected number below was counted by reading the report in an editor (tabs shown),
not taken from the parser; the comment above each count says how. Where a report and
READING.md disagree, the report wins and the test says so.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from publisher.errors import ParseError
from publisher.parse import parse_bytes, parse_file
from publisher.records import Indicator, Report, Unit

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "reports"
BAD = Path(__file__).resolve().parent / "data" / "reports" / "bad"


@cache
def report(name: str) -> Report:
    """Each example is parsed once per test session."""
    return parse_file(EXAMPLES / name)


def unit(r: Report, name: str) -> Unit:
    """The unit with this exact name."""
    return next(u for u in r.units if u.name == name)


def slot(r: Report, line: int) -> Indicator:
    """The indicator slot read from this source line."""
    return next(i for o in r.objectives() for i in o.indicators if i.line == line)


def counts(r: Report) -> tuple[int, int, int, int]:
    return len(r.units), len(r.objectives()), len(r.indicators()), len(r.targets())


# --- SOT ----------------------------------------------------------------------------------


def test_sot_counts() -> None:
    # Units: numbers 1..18 plus "Dirección de Asesoría Jurídica - Dirección de Patrocinio
    # Judicial", a row with a name but no number (line 33): 19.
    # Objectives: one per non-empty objective cell; unit 1's is empty. By unit:
    # 2:4 3:3 4:4 5..9:1 each 10:2 11:1 12:2 (12b):1 13:1 14:1 15:2 16..18:1 each = 29.
    # Indicators and targets: one per objective row, none NO APLICA except unit 1: 29 each.
    assert counts(report("sot-2023-01.txt")) == (19, 29, 29, 29)
    who = report("sot-2023-01.txt").institution
    assert (who.id, who.inferred_from) == ("sot", "email-domain")


def test_sot_metadata() -> None:
    meta = report("sot-2023-01.txt").metadata
    assert meta.updated == date(2023, 1, 31)
    assert meta.periodicity == "MENSUAL"
    assert meta.responsible_unit == "Coordinación General de Planificación y Gestión Estratégica"
    assert meta.responsible_person == "Samantha Almeida Jara"
    assert meta.email == "samantha.almeida@sot.gob.ec"
    assert meta.phone == "(+593) 0960835043"
    assert meta.gpr_link is None  # the cell says "No Aplica"


def test_sot_facts() -> None:
    r = report("sot-2023-01.txt")
    head = unit(r, "SUPERINTENDENTE DE ORDENAMIENTO TERRITORIAL, USO Y GESTIÓN DEL SUELO")
    assert (head.number, head.process_level) == ("1", "governing")
    # Only NO APLICA statements and no objective: no objective, the reason is kept.
    assert head.objectives == ()
    assert head.not_applicable_reason == "en razón de que se refiere a la Máxima Autoridad."
    init = unit(r, "Dirección de Gestión de Información Territorial - INIT")
    assert (init.number, init.process_level, len(init.objectives)) == ("2", "value-adding", 4)
    unnumbered = unit(r, "Dirección de Asesoría Jurídica - Dirección de Patrocinio Judicial")
    assert unnumbered.number is None and unnumbered.process_level == "support"
    assert unnumbered.objectives[0].text.startswith("Garantizar la correcta atención")
    assert unit(r, "Intendencias Zonales").process_level == "deconcentrated"
    # The blank line 22 inside the table does not end it.
    assert (
        unit(r, "Intendencia General de Ordenamiento Territorial, Uso y Gestión del Suelo").number
        == "7"
    )
    # Due dates come from the indicator text and carry over to its target.
    abril = slot(r, 13)
    assert abril.due_date == "2023-04"
    assert (abril.targets[0].value, abril.targets[0].unit) == (Decimal(100), "percent")
    assert abril.targets[0].due_date == "2023-04"
    assert slot(r, 9).due_date == "2023"  # "Para finales del año 2023"
    assert slot(r, 18).targets[0].value == Decimal(50)
    assert slot(r, 18).targets[0].due_date == "2023-06"
    assert slot(r, 36).targets[0].value == Decimal(99)
    # Truncated cells are kept as read.
    assert (
        unit(r, "Dirección de Desarrollo de Software y Base de Datos")
        .objectives[0]
        .text.endswith("resultantes de la")
    )


# --- CONGOPE ------------------------------------------------------------------------------


def test_congope_counts() -> None:
    # Units 1..18, one objective cell each (cells moved out of the objective column on
    # lines 17, 21 and 30 are an indicator, an indicator and a target): 18 and 18.
    # Indicators by unit: 1:1 2:0 3:1 4:1 5:6 (lines 12-17) 6:4 7:1 8:1 9:1 10..18:1 each
    # = 25. Targets (NO APLICA statements excluded): 5:6 6:3 7:1 8:2 9:7 (line 30 holds M2
    # and M3) 10:2 11:2 12:1 13:4 14:2 15:1 16:9 <p> 17:2 18:4 (+1 No aplica) = 46.
    assert counts(report("congope-2022-02.txt")) == (18, 18, 25, 46)
    who = report("congope-2022-02.txt").institution
    assert (who.id, who.inferred_from) == ("congope", "email-domain")


def test_congope_metadata() -> None:
    meta = report("congope-2022-02.txt").metadata
    assert meta.updated == date(2022, 2, 28)
    assert meta.periodicity == "MENSUAL"
    assert meta.responsible_unit == "DIRECCIÓN DE PLANIFICACIÓN Y ORDENAMIENTO TERRITORIAL"
    assert meta.responsible_person == "Ing. Juan Haro"
    assert meta.email == "haro@congope.gob.ec"  # from <a href="mailto:…">
    assert meta.phone == "(02) 380-1750 EXTENSIÓN 410"
    assert meta.gpr_link is None


def test_congope_facts() -> None:
    r = report("congope-2022-02.txt")
    asamblea = unit(r, "Asamblea de Prefectos")
    assert (asamblea.number, asamblea.process_level) == ("1", "governing")
    na = asamblea.objectives[0].indicators[0].targets[0]
    assert na.not_applicable and na.reason is not None
    assert na.reason.startswith("dado que la funcionalidad del proceso gobernante")
    assert unit(r, "Comisión Ejecutiva").objectives[0].indicators == ()
    # Line 17 is shifted left by one: the indicator sat under "Objetivo".
    paper = slot(r, 17)
    assert paper.text == "Número de paper presentados"
    assert (paper.targets[0].label, paper.targets[0].value, paper.targets[0].unit) == (
        "M6",
        Decimal(3),
        "paper",
    )
    i3 = slot(r, 21)
    assert i3.text == "I3. Nro de GAD Fortalecidos/ GAD Fortalecidos"
    assert (i3.targets[0].value, i3.targets[0].unit, i3.targets[0].due_date) == (
        Decimal(6),
        "GADP",
        "2022",
    )
    # Line 30: two M-labelled targets shifted left, one under "Objetivo".
    assert [t.label for t in slot(r, 30).targets] == ["M2", "M3"]
    assert slot(r, 30).targets[1].unit == "percent"
    admin = unit(r, "Dirección Administrativa")  # after the repeated page header
    assert (admin.number, admin.process_level) == ("16", "value-adding")
    labels = [t.label for t in admin.objectives[0].indicators[0].targets]
    assert labels == ["M1", "M2", "M3", "M4", "M5", "M6", "M1", "M2", "M3"]
    assert admin.objectives[0].indicators[0].targets[0].value == Decimal(80)
    last = unit(r, "Dirección de Tecnología").objectives[0].indicators[0].targets[-1]
    assert last.not_applicable
    assert last.reason == (
        "en cumplimiento al Art. 6 del COOTAD donde se estipula la garantía de la autonomía "
        "de los gobiernos autónomos descentralizados"
    )
    m1 = slot(r, 36).targets[0]  # "M.1. 12 análisis coyuntural de las provincias"
    assert (m1.label, m1.value, m1.unit) == ("M1", Decimal(12), "análisis")
    assert any(w.line == 17 and "moved" in w.message for w in r.warnings)


# --- Loja ---------------------------------------------------------------------------------


def test_loja_counts() -> None:
    # Data rows per page (one project = one objective): 3 + 8 + 12 + 12 + 12 + 11 + 14 +
    # 16 + 17 + 19 + 9 + 4 = 137 objectives. Distinct unit names per page: 3+3+4+0+3+5+6+
    # 0+2+4+4+4 = 38. Rows whose indicator and target say NO APLICA: lines 9-11, 94, 95,
    # 102, 107, 199-202, 210-213 = 15; the other 122 rows have one indicator and one target.
    assert counts(report("loja-2019-08.txt")) == (38, 137, 122, 122)
    who = report("loja-2019-08.txt").institution
    assert (who.id, who.inferred_from) == ("gad-municipal-loja", "email-domain")


def test_loja_metadata() -> None:
    meta = report("loja-2019-08.txt").metadata
    assert meta.updated == date(2019, 8, 31)
    assert meta.periodicity == "Mensual"
    assert meta.responsible_unit == "DIRECCIÓN DE PLANIFICACIÓN"
    assert meta.responsible_person == "Mgs. Econ. Víctor Pucha"
    assert meta.email == "vhpucha@loja.gob.ec"
    assert meta.phone == "(593-7) 2570407 EXT 206"
    assert meta.gpr_link is None  # "Reporte del GPR": link text without its address


def test_loja_facts() -> None:
    r = report("loja-2019-08.txt")
    calidad = unit(r, "Gestión Ambiental - Gestión de Calidad Ambiental")
    # The same name on lines 13-17 and again on line 20 is one unit.
    assert (calidad.number, calidad.process_level, len(calidad.objectives)) == (
        "6.1",
        "value-adding",
        6,
    )
    assert sum(1 for u in r.units if u.number == "6.1") == 3  # numbers are shared
    # The report wins over READING.md: Loja's governing units carry NO APLICA but also an
    # objective cell, so they keep their objective (SOT's head unit has none).
    alcaldia = unit(r, "Alcaldía")
    assert (alcaldia.number, alcaldia.process_level, len(alcaldia.objectives)) == (
        "1",
        "governing",
        1,
    )
    na_slot = alcaldia.objectives[0].indicators[0]
    assert na_slot.text is None
    assert na_slot.not_applicable_reason == (
        "los planes operativos anuales de las direcciones municipales están conformados por "
        "los programas de inversión que ejecutan cada año."
    )
    assert na_slot.targets[0].not_applicable
    remark = slot(r, 49).targets[0]
    assert (remark.value, remark.unit) == (Decimal(20), "percent")
    assert remark.note == "Sólo posee estudios, no se ejecutó por falta de financiamiento"
    # Lines 111-115, 123-138 and 145-151 across three pages: 5 + 16 + 7.
    assert len(unit(r, "Gestión de Planificación - Promoción Popular").objectives) == 28
    agua = unit(r, "Unidad Municipal de Agua Potable y Alcantarillado- Agua Potable")
    assert len(agua.objectives) == 5 + 12 + 3
    zonal = unit(r, "Unidad de Administración Zonal 1")  # numbering restarts
    assert (zonal.number, zonal.process_level) == ("1", "deconcentrated")
    assert unit(r, "Dirección de Sistemas Informaticos").process_level == "institutional"
    assert unit(r, "Coordinación General").process_level == "support"
    puerto = unit(r, "Puerto Seco Comercial")
    assert puerto.number == "10.5"
    assert puerto.objectives[0].indicators[0].targets[0].value == Decimal(30)
    assert r.warnings[-1].line == 214  # only the GPR cell without an address


# --- Alausí -------------------------------------------------------------------------------


def test_alausi_counts() -> None:
    # Units 1..13, one row each with objective, indicator and target; one sentence
    # under PROCESOS DESCONCENTRADOS (line 20) instead of rows.
    r = report("alausi-2021-05.txt")
    assert counts(r) == (13, 13, 13, 13)
    assert (r.institution.id, r.institution.inferred_from) == (
        "gad-municipal-alausi",
        "email-domain",
    )
    assert len(r.notes) == 1


def test_alausi_metadata() -> None:
    meta = report("alausi-2021-05.txt").metadata  # labels inside <b>
    assert meta.updated == date(2021, 5, 31)
    assert meta.periodicity == "Mensual"
    assert meta.responsible_unit == "Planificación Institucional y Seguimiento"
    assert meta.responsible_person == "César Darío Rojas Meza, Ing."
    assert meta.email == "cesar.rojas@alausi.gob.ec"
    assert meta.phone == "(03) 2930-153 EXTENSIÓN 204"
    assert meta.gpr_link is None


def test_alausi_facts() -> None:
    r = report("alausi-2021-05.txt")
    assert [u.number for u in r.units] == [str(n) for n in range(1, 14)]
    levels = [u.process_level for u in r.units]
    # Units 10-13 follow a page break with a **markdown** title and no new banner.
    assert levels == ["governing"] * 3 + ["value-adding"] * 4 + ["support"] * 6
    note = r.notes[0]
    assert (note.process_level, note.line) == ("deconcentrated", 20)
    assert note.text.startswith("No constan con misión ni objetivos")
    assert r.units[0].name == "CONCEJO CANTONAL"
    assert r.units[0].objectives[0].text.startswith("Procurar el bien común local")
    assert r.units[8].name == "ASESORÍA JURÍDICA"
    assert (r.units[12].name, r.units[12].line) == ("DIRECCIÓN FINANCIERA", 35)
    for target in r.targets():
        assert target.text == "80 % de cumplimiento del Plan Operativo Anual - POA 2021"
        assert (target.value, target.unit, target.note) == (Decimal(80), "percent", None)
    assert r.indicators()[0].text == "% de cumplimiento del Plan Operativo Anual - POA 2021"
    assert [w.line for w in r.warnings] == [36]  # GPR: "No aplica (Ya que …)", no address


# --- AME ----------------------------------------------------------------------------------


def test_ame_counts() -> None:
    # Units by name (the TIC coordination appears on lines 26 and 32): 14.
    # Objectives: 1:2 2:2 3:1 Comunicación:1 TIC:5 (two on line 26, then 32, 33, 34) 4:1
    # Ordenamiento:3 5:1 Fortalecimiento:1 6:1 Talento:5 (65, 67, 69, 70, 71) 7:1 8:1 9:1
    # = 26. Indicator cells: 2+2+3+6+12+1+6+3+4+9+7+1+3+1 = 60 (lines 77-78 have none).
    # Targets: 2+2+3+6+12 (line 31 holds two) +2 (line 39 holds two) +6+3+4+9+7+1+3+1 = 61.
    assert counts(report("ame-2015-09.txt")) == (14, 26, 60, 61)
    who = report("ame-2015-09.txt").institution
    assert (who.id, who.inferred_from) == ("ame", "header")


def test_ame_metadata() -> None:
    meta = report("ame-2015-09.txt").metadata  # "LABEL: value" in one cell
    assert meta.updated == date(2015, 9, 30)
    assert meta.periodicity == "MENSUAL"
    assert meta.responsible_unit == "DIRECCIÓN DE PLANIFICACIÓN INSTITUCIONAL"
    assert meta.responsible_person == "ARQ. MIGUEL VEGA"
    assert meta.email == "miguel.vega@ame.gob.ec"
    assert meta.phone == "(02) 2469-683 EXTENSIÓN 2415"


def test_ame_facts() -> None:
    r = report("ame-2015-09.txt")
    assert r.institution.inferred_from == "header"
    # The template's "Ejemplo:" row is not data.
    assert all(not u.name.startswith("Secretario/a") for u in r.units)
    assert any(w.line == 11 and "Ejemplo" in w.message for w in r.warnings)
    first = slot(r, 12)
    assert first.activity == "Activar los órganos desconcentrados de la AME"
    assert (first.targets[0].value, first.targets[0].unit) == (Decimal(45), "Reuniones")
    tic = unit(
        r,
        "DIRECCIÓN DE PLANIFICACIÓN INSTITUCIONAL-COORDINACIÓN DE TECNOLOGÍAS DE LA "
        "INFORMACIÓN Y COMUNICACIONES",
    )
    assert len(tic.objectives) == 5
    assert tic.objectives[0].text.startswith("Posicionar la imagen institucional")
    assert tic.objectives[0].indicators == ()
    # Line 64: shifted left by two; the activity sat under "Descripción de la unidad".
    moved = slot(r, 64)
    assert (moved.activity, moved.text) == (
        "Adquisición de bienes y suministros",
        "% de cumplimiento",
    )
    assert all(u.name != "Adquisición de bienes y suministros" for u in r.units)
    bpl = slot(r, 52)
    assert bpl.activity == "Desarrollo de la estrategia de Buenas Prácticas Locales"
    assert (bpl.targets[0].value, bpl.targets[0].unit) == (Decimal(20), "GAD")
    assert [(t.value, t.unit) for t in slot(r, 39).targets] == [
        (Decimal(22), "municipios"),
        (Decimal(9), "municipios"),
    ]
    assert [t.value for t in slot(r, 31).targets] == [Decimal(3), Decimal(1)]
    escuela = slot(r, 73).targets[0]
    assert (escuela.value, escuela.unit, escuela.due_date) == (Decimal(80), "percent", "2015")
    fondos = slot(r, 77)
    assert (fondos.text, fondos.activity, fondos.targets) == (
        None,
        "Implementación Proyecto - Fondos UE",
        (),
    )
    named = slot(r, 40).targets[0]
    assert named.value is None
    assert (
        named.text
        == "Guía técnica para la gestión integral de residuos sólidos impresa para su difusión"
    )
    assert slot(r, 25).activity == "Monitoreo nacional de información y redes"
    levels = {u.number: u.process_level for u in r.units if u.number}
    assert levels == {
        "1": "governing",
        "2": "advisory",
        "3": "advisory",
        "4": "value-adding",
        "5": "value-adding",
        "6": "support",
        "7": "support",
        "8": "support",
        "9": "support",
    }


# --- encodings and bad input ----------------------------------------------------------------


def test_latin1_and_bom_read_like_utf8(tmp_path: Path) -> None:
    original = (EXAMPLES / "sot-2023-01.txt").read_bytes()
    expected = report("sot-2023-01.txt")
    latin1 = original.decode("utf-8").encode("cp1252")
    for name, data in (("latin1.txt", latin1), ("bom.txt", b"\xef\xbb\xbf" + original)):
        parsed = parse_bytes(data, name)
        assert parsed.units == expected.units
        assert parsed.metadata == expected.metadata


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.txt", "empty.txt: the file is empty"),
        ("binary.txt", "binary.txt: this is a binary file, not a text report"),
        ("no-columns.txt", "no-columns.txt:1: no header row with the expected columns"),
        ("no-columns.csv", "no-columns.csv:1: no header row with the expected columns"),
        ("header-only.txt", "header-only.txt:3: no units below the header row"),
    ],
)
def test_bad_files_give_one_line_naming_file_and_line(name: str, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_file(BAD / name)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "report.pptx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(ParseError, match=r"report.pptx: unsupported file type '.pptx'"):
        parse_file(path)


def test_truncated_report_is_read_up_to_the_cut_and_warns() -> None:
    # The CONGOPE report cut in the middle of line 27 (unit 9's third target).
    r = parse_file(BAD / "truncated.txt", institution="congope")
    assert [u.number for u in r.units] == [str(n) for n in range(1, 10)]
    assert r.metadata.updated is None
    assert r.warnings[-1].line == 27
    assert "truncated" in r.warnings[-1].message
    assert slot(r, 27).targets[0].text == "M1. Los 23 GADP han recibido asesoría, asi"


# --- shifted rows ---------------------------------------------------------------------------


def _shape(r: Report) -> list[object]:
    """What must not change when a row is shifted: every text in its place."""
    return [
        (u.name, u.number, u.process_level, u.not_applicable_reason)
        + tuple(
            (o.text, [(i.text, i.activity, [t.text for t in i.targets]) for i in o.indicators])
            for o in u.objectives
        )
        for u in r.units
    ]


def _shifted(line: str, by: int) -> str | None:
    """The row with its cells moved right (by > 0) or left, or None when it cannot move."""
    if by > 0:
        return "\t" * by + line
    cells = line.split("\t")
    if any(c.strip() for c in cells[:-by]):
        return None
    return "\t".join(cells[-by:])


@pytest.mark.parametrize(("name", "every"), [("sot-2023-01.txt", 1), ("loja-2019-08.txt", 7)])
@pytest.mark.parametrize("by", [-2, -1, 1, 2])
def test_a_shifted_row_reads_the_same_and_is_warned(name: str, every: int, by: int) -> None:
    # Whole rows moved left or right, as PDF extraction does, one row at a time.
    lines = (EXAMPLES / name).read_text(encoding="utf-8").split("\n")
    expected = _shape(parse_bytes("\n".join(lines).encode(), name, institution="sot"))
    data_rows = [
        i
        for i, line in enumerate(lines)
        if line[:1].isdigit() or (line.startswith("\t\t") and line.strip())
    ]
    for i in data_rows[::every]:
        moved = _shifted(lines[i], by)
        if moved is None:
            continue
        variant = "\n".join([*lines[:i], moved, *lines[i + 1 :]]).encode()
        parsed = parse_bytes(variant, name, institution="sot")
        assert _shape(parsed) == expected, f"line {i + 1} shifted by {by}"
        assert any(w.line == i + 1 and "moved" in w.message for w in parsed.warnings)


# --- small tables: banners, notes, cells -----------------------------------------------------

HEADER = "No.\tDescripción de la unidad\tObjetivo de la unidad\tIndicador\tMeta cuantificable"


def _table(*rows: str) -> Report:
    text = "\n".join([HEADER, *rows, "CORREO ELECTRÓNICO: a@sot.gob.ec"])
    return parse_bytes(text.encode(), "t.txt")


def test_banners_in_markdown_or_bold_set_the_level_and_unknown_ones_warn() -> None:
    r = _table(
        "**PROCESOS HABILITANTES DE APOYO**\t\t\t\t",
        "1\tDirección Financiera\tGestionar el presupuesto\t% de ejecución\t95%",
        "<b>PROCESOS DE LA LUNA</b>\t\t\t\t",
        "2\tDirección de Estrellas\tContar estrellas\tNúmero de estrellas\t10 estrellas",
    )
    assert [u.process_level for u in r.units] == ["support", None]
    assert [(w.line, w.message) for w in r.warnings] == [
        (4, "unknown process level 'PROCESOS DE LA LUNA'")
    ]


def test_a_sentence_under_a_banner_is_a_note_but_after_a_unit_it_is_data() -> None:
    r = _table(
        "PROCESOS DESCONCENTRADOS\t\t\t\t",
        "No existen unidades desconcentradas en el estatuto\t\t\t\t",
        "1\tDirección Zonal\tAtender a la zona\t% de atención\t90%",
    )
    assert [(n.process_level, n.text, n.line) for n in r.notes] == [
        ("deconcentrated", "No existen unidades desconcentradas en el estatuto", 3)
    ]
    assert len(r.units) == 1


def test_a_banner_repeated_across_merged_cells_is_one_banner() -> None:
    banner = "\t".join(["PROCESOS GOBERNANTES / NIVEL DIRECTIVO"] * 5)
    r = _table(banner, "1\tAlcaldía\tDirigir el municipio\t% de cumplimiento\t80%")
    assert r.units[0].process_level == "governing"


def test_html_entities_and_markup_are_cleaned_but_paragraphs_split_targets() -> None:
    r = _table(
        "1\tDirecci&oacute;n &amp; Control\t<b>Mejorar</b>&nbsp;el control\t% de control"
        "\t<p>M1. 90% de control</p><p>M2. 5 talleres</p>"
    )
    assert r.units[0].name == "Dirección & Control"
    assert r.objectives()[0].text == "Mejorar el control"
    assert [(t.label, t.value) for t in r.targets()] == [("M1", Decimal(90)), ("M2", Decimal(5))]


def test_cells() -> None:
    from publisher.parse.cells import clean, email_in, not_applicable_reason, url_in

    assert clean("  **Literal a4)**\u00a0 Las  metas\n") == "Literal a4) Las metas"
    assert email_in('<a href="mailto:haro@congope.gob.ec">Juan</a>') == "haro@congope.gob.ec"
    assert email_in("escribir a: x.y@loja.gob.ec.") == "x.y@loja.gob.ec"
    assert url_in('<a href="https://gpr.gob.ec/r?id=1">Reporte del GPR</a>') == (
        "https://gpr.gob.ec/r?id=1"
    )
    assert url_in("Reporte del GPR") is None
    assert not_applicable_reason("No aplica, en cumplimiento al Art. 6") == (
        "en cumplimiento al Art. 6"
    )
    assert not_applicable_reason("NO APLICA") == ""
    assert not_applicable_reason("Aplica siempre") is None
