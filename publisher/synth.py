"""Synthetic literal a4 reports in the real layouts, with their quirks, from a seed.

Used by the parse benchmark, the property tests and ``lotaip-lod synth``. A report is
made in two steps so that tests can check the parser against what was generated:

1. ``make_report(rng, …)`` draws the *truth*: units, objectives, indicators and targets
   (``SynthReport``), with texts as the parser should read them;
2. ``render_rows(report, quirks, rng)`` lays it out as rows of raw cells the way
   institutions publish it: the 5- or 6-column header (``Actividad``), title lines,
   process-level banners as ``<b>…</b>``, ``**…**`` or plain, continuation rows with empty
   No./unit cells, page headers repeated at page breaks, blank rows, ``<p>M1…</p>`` target
   cells, ``NO APLICA`` rows, cells shifted left, harmless HTML noise and the footer.

``write_text``/``write_csv`` turn rows into the bytes of a ``.txt`` (tab-separated) or
``.csv`` file; ``synth_reports(n, out_dir, seed)`` writes a whole corpus.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from publisher.enrichment.registry import SYNTHETIC_DOMAIN, synthetic_id

TITLES = (
    "Art. 7 de la Ley Orgánica de Transparencia y Acceso a la Información Pública - LOTAIP",
    "Literal a4) Las metas y objetivos de las unidades administrativas de conformidad con sus"
    " programas operativos",
)
HEADER_5 = ("No.", "Descripción de la unidad", "Objetivo de la unidad", "Indicador",
            "Meta cuantificable")  # fmt: skip
HEADER_6 = ("No.", "Descripción de la unidad", "Objetivo de la unidad ( Objetivo Operativo POA )",
            "Actividad ( Actividad POA )", "Indicador", "Meta cuantificable")  # fmt: skip
LEVELS = (
    ("governing", "PROCESOS GOBERNANTES / NIVEL DIRECTIVO"),
    ("value-adding", "PROCESOS AGREGADORES DE VALOR / NIVEL OPERATIVO"),
    ("advisory", "PROCESOS HABILITANTES DE ASESORÍA"),
    ("support", "PROCESOS HABILITANTES DE APOYO / NIVEL DE APOYO"),
    ("deconcentrated", "PROCESOS DESCONCENTRADOS"),
)
#: (e-mail domain, responsible unit) of institutions in the registry, so inference works.
DOMAINS = ("sot.gob.ec", "congope.gob.ec", "loja.gob.ec", "alausi.gob.ec", "ame.gob.ec")
#: Every registry institution's domain: a corpus spreads its files over these.
CORPUS_DOMAINS = (*DOMAINS, "cuenca.gob.ec", "guaranda.gob.ec", "chimborazo.gob.ec",
                  "prefecturaloja.gob.ec")  # fmt: skip
#: The month of a corpus's first report (each institution then reports monthly).
CORPUS_START = date(2010, 1, 28)
HEADS = ("Dirección de", "Unidad de", "Coordinación de", "Dirección Nacional de", "Gestión de")
AREAS = (
    "Planificación", "Obras Públicas", "Talento Humano", "Comunicación Social",
    "Desarrollo Territorial", "Gestión Ambiental", "Cooperación Internacional", "Tecnología",
    "Asesoría Jurídica", "Secretaría General", "Fomento Productivo", "Vialidad y Riego",
    "Agua Potable", "Participación Ciudadana", "Turismo", "Catastros", "Higiene",
    "Fiscalización", "Compras Públicas", "Seguridad Ciudadana",
)  # fmt: skip
VERBS = ("Fortalecer", "Mejorar", "Incrementar", "Garantizar", "Brindar", "Promover",
         "Asegurar", "Planificar", "Coordinar", "Dirigir", "Consolidar", "Impulsar")  # fmt: skip
THINGS = ("la gestión", "la capacidad técnica", "la atención ciudadana", "los procesos internos",
          "la calidad del servicio", "la articulación territorial", "el control interno",
          "la transparencia", "la ejecución presupuestaria", "el seguimiento")  # fmt: skip
MEANS = ("MEDIANTE la capacitación del personal", "mediante convenios interinstitucionales",
         "a través de herramientas informáticas", "mediante la mejora de procedimientos",
         "con la participación de los GAD")  # fmt: skip
NOUNS = ("Reuniones", "talleres", "GADP", "municipios", "asistencias técnicas", "informes",
         "capacitaciones", "Publicaciones", "eventos", "convenios")  # fmt: skip
MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
          "septiembre", "octubre", "noviembre", "diciembre")  # fmt: skip
NOT_APPLICABLE = (
    "NO APLICA, los planes operativos anuales de las direcciones están conformados por los"
    " programas de inversión que ejecutan cada año."
)
NOTE = "Sólo posee estudios, no se ejecutó por falta de financiamiento"


@dataclass(frozen=True)
class SynthTarget:
    """A target as the parser should read it."""

    text: str
    value: Decimal | None = None
    unit: str | None = None
    label: str | None = None
    note: str | None = None
    not_applicable: bool = False


@dataclass(frozen=True)
class SynthIndicator:
    """One row's indicator slot: its text (None for NO APLICA), activity and target cell."""

    text: str | None
    cell: str  # the raw "Meta cuantificable" cell
    targets: tuple[SynthTarget, ...]
    activity: str | None = None


@dataclass(frozen=True)
class SynthObjective:
    """An objective and its indicator rows."""

    text: str
    indicators: tuple[SynthIndicator, ...]


@dataclass(frozen=True)
class SynthUnit:
    """A unit; a NO APLICA unit has no objectives and keeps its statement."""

    number: str | None
    name: str
    level: str
    objectives: tuple[SynthObjective, ...] = ()
    not_applicable: str | None = None


@dataclass(frozen=True)
class SynthReport:
    """The truth of one synthetic report."""

    name: str
    columns: int  # 5, or 6 with Actividad
    units: tuple[SynthUnit, ...]
    domain: str
    updated: date

    def row_count(self) -> int:
        """Data rows (one per indicator slot, one per NO APLICA unit)."""
        return sum(max(1, sum(len(o.indicators) for o in u.objectives)) for u in self.units)


@dataclass(frozen=True)
class Quirks:
    """How messy the layout is; every flag keeps the content the same."""

    banner_style: str = "b"  # "b" (<b>…</b>), "md" (**…**) or "plain"
    page_every: int = 0  # repeat titles and header every N rows (0: never)
    blank_rate: float = 0.0  # chance of a blank row before a data row
    shift_rate: float = 0.0  # chance of shifting a continuation row left
    noise_rate: float = 0.0  # chance of wrapping a cell in harmless markup
    paragraphs: bool = True  # M-labelled targets as <p>…</p> (else one plain line)

    @classmethod
    def draw(cls, rng: random.Random) -> Quirks:
        """Random quirks, as varied as the real reports."""
        return cls(
            banner_style=rng.choice(("b", "md", "plain")),
            page_every=rng.choice((0, 15, 40)),
            blank_rate=rng.choice((0.0, 0.05)),
            shift_rate=rng.choice((0.0, 0.1, 0.3)),
            noise_rate=rng.choice((0.0, 0.2)),
            paragraphs=rng.random() < 0.7,
        )


# --- the truth ----------------------------------------------------------------------------
def make_report(
    rng: random.Random, name: str, units: int = 12, columns: int | None = None
) -> SynthReport:
    """Draw a report's content: ``units`` units under process-level banners."""
    columns = columns or rng.choice((5, 5, 6))
    names = _unit_names(rng, units)
    made = []
    for i, unit_name in enumerate(names):
        level = LEVELS[min(i * len(LEVELS) // max(units, 1), len(LEVELS) - 1)][0]
        number = None if rng.random() < 0.05 else str(i + 1)
        if level == "governing" and rng.random() < 0.3:
            made.append(SynthUnit(number, unit_name.upper(), level, (), NOT_APPLICABLE))
            continue
        objectives = tuple(_objective(rng, columns) for _ in range(rng.choice((1, 1, 2, 3))))
        made.append(SynthUnit(number, unit_name, level, objectives))
    updated = date(2015, 1, 31) + timedelta(days=rng.randrange(0, 3000))
    return SynthReport(name, columns, tuple(made), rng.choice(DOMAINS), updated)


def revise(report: SynthReport, rng: random.Random, rate: float = 0.05) -> SynthReport:
    """Next month's report of the same institution: each target cell is drawn again with
    chance ``rate``, and with that chance one unit gives way to a new one. Institutions
    republish nearly the same report every month; a corpus drawn afresh each month would
    make every month's update, change and history look far bigger than real ones."""
    units = []
    for unit in report.units:
        objectives = tuple(
            replace(
                objective,
                indicators=tuple(
                    _redrawn(indicator, rng) if rng.random() < rate else indicator
                    for indicator in objective.indicators
                ),
            )
            for objective in unit.objectives
        )
        units.append(replace(unit, objectives=objectives))
    if units and rng.random() < rate:
        gone = rng.randrange(len(units))
        taken = {unit.name for unit in units}
        name = next(n for n in _unit_names(rng, len(units) + 1) if n not in taken)
        objectives = tuple(_objective(rng, report.columns) for _ in range(rng.choice((1, 2))))
        units[gone] = SynthUnit(units[gone].number, name, units[gone].level, objectives)
    return replace(report, units=tuple(units))


def _redrawn(indicator: SynthIndicator, rng: random.Random) -> SynthIndicator:
    """The indicator with a new target cell (a NO APLICA row stays as it is)."""
    if indicator.text is None:
        return indicator
    cell, targets = _target_cell(rng)
    return replace(indicator, cell=cell, targets=targets)


def _unit_names(rng: random.Random, n: int) -> list[str]:
    """``n`` distinct unit names."""
    names: list[str] = []
    while len(names) < n:
        area = rng.choice(AREAS)
        name = f"{rng.choice(HEADS)} {area}"
        if name in names:
            name = f"{name} y {rng.choice(AREAS)}"
        if name in names:
            name = f"{name} - Zona {len(names) + 1}"
        names.append(name)
    return names


def _objective(rng: random.Random, columns: int) -> SynthObjective:
    """An objective with one to three indicator rows."""
    text = f"{rng.choice(VERBS)} {rng.choice(THINGS)} de la institución {rng.choice(MEANS)}"
    count = rng.choice((1, 1, 2, 3))
    return SynthObjective(text, tuple(_indicator(rng, columns) for _ in range(count)))


def _indicator(rng: random.Random, columns: int) -> SynthIndicator:
    """An indicator row and its target cell."""
    activity = f"Ejecutar el plan de {rng.choice(AREAS).lower()}" if columns == 6 else None
    if rng.random() < 0.04:
        target = SynthTarget(NOT_APPLICABLE, not_applicable=True)
        return SynthIndicator(None, NOT_APPLICABLE, (target,), activity)
    thing = rng.choice(THINGS)
    text = rng.choice(
        (
            f"% de cumplimiento de {thing}",
            f"Número de {rng.choice(NOUNS).lower()} realizados",
            "Porcentaje de avance",
            f"A {rng.choice(MONTHS)} de 2023 se logrará mejorar {thing}",
        )
    )
    cell, targets = _target_cell(rng)
    return SynthIndicator(text, cell, targets, activity)


def _target_cell(rng: random.Random) -> tuple[str, tuple[SynthTarget, ...]]:
    """A raw target cell and the targets in it."""
    kind = rng.random()
    if kind < 0.35:
        value = rng.choice((10, 20, 50, 70, 80, 90, 100))
        text = rng.choice((f"{value}%", f"{value} % de cumplimiento del Plan Operativo Anual"))
        return text, (SynthTarget(text, Decimal(value), "percent"),)
    if kind < 0.55:
        value, noun = rng.randrange(1, 400), rng.choice(NOUNS)
        text = f"{value} {noun}"
        return text, (SynthTarget(text, Decimal(value), noun.split()[0]),)
    if kind < 0.65:
        value = rng.choice((10, 20, 30))
        text = f"{value}% {NOTE}"
        return text, (SynthTarget(text, Decimal(value), "percent", note=NOTE),)
    return _labelled_targets(rng)


def _labelled_targets(rng: random.Random) -> tuple[str, tuple[SynthTarget, ...]]:
    """Two to four ``M<n>.`` statements; the cell joins them as paragraphs (or not, later)."""
    targets = []
    for label in range(1, rng.choice((2, 3, 4)) + 1):
        if rng.random() < 0.5:
            value = rng.randrange(2, 30)
            text = f"M{label}. Al menos {value} GADP fortalecen sus capacidades"
            targets.append(SynthTarget(text, Decimal(value), "GADP", f"M{label}"))
        else:
            value = rng.choice((50, 80, 90))
            text = f"M{label}. Cumplir el {value}% de los requerimientos de {rng.choice(THINGS)}"
            targets.append(SynthTarget(text, Decimal(value), "percent", f"M{label}"))
    return "".join(f"<p>{t.text}</p> " for t in targets).strip(), tuple(targets)


# --- the layout ---------------------------------------------------------------------------
@dataclass
class _Layout:
    report: SynthReport
    quirks: Quirks
    rng: random.Random
    rows: list[list[str]] = field(default_factory=list)
    data_rows: int = 0

    @property
    def width(self) -> int:
        return self.report.columns

    def blank(self) -> None:
        self.rows.append([""] * self.width if self.rng.random() < 0.5 else [])

    def page_header(self, first: bool) -> None:
        if not first:
            self.rows.extend([[], [], []])
        for title in TITLES:
            text = f"**{title}**" if self.quirks.banner_style == "md" else title
            self.rows.append([text] + [""] * (self.width - 1))
        self.rows.append(list(HEADER_6 if self.width == 6 else HEADER_5))

    def banner(self, text: str) -> None:
        style = self.quirks.banner_style
        shown = {"b": f"<b>{text}</b>", "md": f"**{text}**"}.get(style, text)
        self.rows.append([shown] + [""] * (self.width - 1))

    def data(self, cells: list[str], shiftable: bool) -> None:
        q, rng = self.quirks, self.rng
        if q.page_every and self.data_rows and self.data_rows % q.page_every == 0:
            self.page_header(first=False)
        if q.blank_rate and rng.random() < q.blank_rate:
            self.blank()
        cells = [self.noise(c) for c in cells]
        if shiftable and q.shift_rate and rng.random() < q.shift_rate:
            cells = _shift_left(cells, rng)
        self.rows.append(cells)
        self.data_rows += 1

    def noise(self, cell: str) -> str:
        if not cell or self.quirks.noise_rate == 0 or self.rng.random() >= self.quirks.noise_rate:
            return cell
        if cell.startswith("<p>"):
            return cell
        return self.rng.choice(
            (f"<span>{cell}</span>", f" {cell}  ", cell.replace(" ", "&nbsp;", 1))
        )


def render_rows(report: SynthReport, quirks: Quirks, rng: random.Random) -> list[list[str]]:
    """Lay ``report`` out as rows of raw cells, with ``quirks``."""
    out = _Layout(report, quirks, rng)
    out.rows.extend([[], []])
    out.page_header(first=True)
    level = None
    for unit in report.units:
        if unit.level != level:
            level = unit.level
            out.banner(dict(LEVELS)[level])
        _unit_rows(out, unit)
    out.rows.extend(_footer(report))
    return out.rows


def _unit_rows(out: _Layout, unit: SynthUnit) -> None:
    """The rows of one unit: the first names it, the others continue it."""
    head = [unit.number or "", unit.name]
    if unit.not_applicable:
        middle = ["", ""] if out.width == 6 else [""]
        out.data([*head, *middle, unit.not_applicable, unit.not_applicable], shiftable=False)
        return
    first = True
    for objective in unit.objectives:
        for i, indicator in enumerate(objective.indicators):
            cells = head if first else ["", ""]
            cells = [*cells, objective.text if i == 0 else ""]
            if out.width == 6:
                cells.append(indicator.activity or "")
            cell = indicator.cell
            if not out.quirks.paragraphs and cell.startswith("<p>"):
                cell = " ".join(t.text for t in indicator.targets)
            cells += [indicator.text or NOT_APPLICABLE, cell]
            # Only continuation rows whose target opens with a number or an M-label shift:
            # that anchor is how a reader (and our parser) sees where the row belongs.
            out.data(cells, shiftable=not first and indicator.text is not None)
            first = False


def _shift_left(cells: list[str], rng: random.Random) -> list[str]:
    """Drop one or two leading empty cells, as PDF extraction does to continuation rows."""
    empty = next((i for i, c in enumerate(cells) if c), len(cells))
    drop = min(empty, rng.choice((1, 2)))
    return cells[drop:]


def _footer(report: SynthReport) -> list[list[str]]:
    """The footer block, ``LABEL<tabs>value``."""
    pad = [""] * (report.columns - 4)
    person = "Ana María Torres"
    fields = (
        ("FECHA ACTUALIZACIÓN DE LA INFORMACIÓN:", report.updated.strftime("%d/%m/%Y")),
        ("PERIODICIDAD DE ACTUALIZACIÓN DE LA INFORMACIÓN:", "MENSUAL"),
        ("UNIDAD POSEEDORA DE LA INFORMACION - LITERAL a4):", "Dirección de Planificación"),
        ("RESPONSABLE DE LA UNIDAD POSEEDORA DE LA INFORMACIÓN DEL LITERAL a4):", person),
        (
            "CORREO ELECTRÓNICO DEL O LA RESPONSABLE DE LA UNIDAD POSEEDORA DE LA INFORMACIÓN:",
            f"ana.torres@{report.domain}",
        ),
        (
            "NÚMERO TELEFÓNICO DEL O LA RESPONSABLE DE LA UNIDAD POSEEDORA DE LA INFORMACIÓN:",
            "(02) 380-1750 EXTENSIÓN 410",
        ),
    )
    return [[label, "", "", value, *pad] for label, value in fields]


# --- files --------------------------------------------------------------------------------
def write_text(rows: list[list[str]]) -> bytes:
    """Rows as a tab-separated text file (UTF-8)."""
    return ("\n".join("\t".join(r) for r in rows) + "\n").encode("utf-8")


def write_csv(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    """Rows as a CSV file; ``encoding="cp1252"`` for Latin-1 exports."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def synth_reports(
    n: int,
    out_dir: str | Path,
    seed: int = 0,
    units: int = 12,
    formats: tuple[str, ...] = ("txt",),
    institutions: int | None = None,
) -> list[Path]:
    """Write ``n`` reports (each in every one of ``formats``: ``txt``, ``csv``) to ``out_dir``.

    The same seed gives the same files. Returns the paths written, in order. File ``i``
    is published by institution ``i mod k`` for the month ``i div k`` months after
    ``CORPUS_START``, so no two files are the same report (institution and month). Each
    month after an institution's first is its previous report through ``revise``, in the
    same layout quirks, as institutions republish. The
    ``k`` institutions are the registry's 9 (``CORPUS_DOMAINS``) or, with
    ``institutions=k``, the synthetic ones ``synth-0000`` … (``registry.synthetic_entry``).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    domains = CORPUS_DOMAINS if institutions is None else synthetic_domains(institutions)
    written = []
    last: dict[int, tuple[SynthReport, Quirks]] = {}  # each institution's previous month
    for i in range(n):
        institution = i % len(domains)
        if institution in last:  # the same template, nearly the same content
            drawn, quirks = revise(last[institution][0], rng), last[institution][1]
        else:
            drawn, quirks = make_report(rng, "", units=units), Quirks.draw(rng)
        report = replace(
            drawn,
            name=f"synth-{seed}-{i:05d}",
            domain=domains[institution],
            updated=_month(i // len(domains)),
        )
        last[institution] = (report, quirks)
        rows = render_rows(report, quirks, rng)
        for suffix in formats:
            path = out / f"{report.name}.{suffix}"
            path.write_bytes(write_text(rows) if suffix == "txt" else write_csv(rows))
            written.append(path)
    return written


def synthetic_domains(count: int) -> tuple[str, ...]:
    """The e-mail domains of ``count`` synthetic institutions (resolved by the registry)."""
    return tuple(synthetic_id(k) + SYNTHETIC_DOMAIN for k in range(count))


def _month(round_: int) -> date:
    """The update date of a corpus's ``round_``-th round of institutions: one a month."""
    year, month = divmod(CORPUS_START.month - 1 + round_, 12)
    return CORPUS_START.replace(year=CORPUS_START.year + year, month=month + 1)
