"""The footer block: ``LABEL<tabs>value`` rows, or ``LABEL: value`` in one cell."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from publisher.parse.cells import clean, email_in, normalised, not_applicable_reason, url_in
from publisher.records import Metadata, ParseWarning

#: Normalised label openings and the Metadata field each one fills.
LABELS = (
    ("link para descargar", "gpr_link"),
    ("fecha actualizacion", "updated"),
    ("fecha de actualizacion", "updated"),
    ("periodicidad", "periodicity"),
    ("unidad poseedora", "responsible_unit"),
    ("responsable de la unidad", "responsible_person"),
    ("correo electronico", "email"),
    ("numero telefonico", "phone"),
    ("telefono", "phone"),
)

#: Metadata fields as messages name them.
_FIELD_NAMES = {
    "updated": "update date",
    "periodicity": "periodicity",
    "responsible_unit": "responsible unit",
    "responsible_person": "responsible person",
    "email": "e-mail",
    "phone": "phone",
}

_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


_OPENINGS = (
    "link p",
    "fecha",
    "periodicidad",
    "unidad posee",
    "responsable",
    "correo",
    "número tel",
    "numero tel",
    "teléfono",
    "telefono",
)


def footer_field(first_cell: str) -> str | None:
    """The Metadata field a footer row fills, judged from its first non-empty cell."""
    if not first_cell[:16].lower().startswith(_OPENINGS):
        return None  # cheap test first: this runs on every row
    key = normalised(first_cell[:60])
    return next((name for label, name in LABELS if key.startswith(label)), None)


@dataclass
class Footer:
    """Collects footer rows into ``Metadata``."""

    values: dict[str, object] = field(default_factory=dict)
    warnings: list[ParseWarning] = field(default_factory=list)
    first_line: int | None = None

    def add(self, name: str, raw_cells: list[str], line: int) -> None:
        """Read one footer row whose label cell is ``raw_cells[0]``."""
        self.first_line = self.first_line or line
        raw = _value(raw_cells)
        if name != "gpr_link" and not_applicable_reason(clean(raw)) is not None:
            # NO APLICA / INFORMACIÓN NO DISPONIBLE: absent, and the reason said (the GPR
            # link has its own message for a cell holding no address)
            self.values[name] = None
            self.warnings.append(ParseWarning(line, f"no {_FIELD_NAMES[name]}: {clean(raw)!r}"))
        elif name == "email":
            self.values[name] = email_in(raw)
        elif name == "gpr_link":
            self.values[name] = self._link(raw, " ".join(raw_cells), line)
        elif name == "updated":
            self.values[name] = self._date(clean(raw), line)
        else:
            self.values[name] = clean(raw) or None

    def metadata(self) -> Metadata:
        """The collected values as ``Metadata``."""
        return Metadata(**self.values)  # type: ignore[arg-type]

    def _link(self, raw: str, whole_row: str, line: int) -> str | None:
        url = url_in(whole_row)
        if url is None and clean(raw):
            self.warnings.append(
                ParseWarning(line, f"the GPR link holds no address: {clean(raw)!r}")
            )
        return url

    def _date(self, text: str, line: int) -> date | None:
        found = _DATE.search(text)
        parts = (found[3], found[2], found[1]) if found else None
        if parts is None and (iso := _ISO_DATE.search(text)):
            parts = (iso[1], iso[2], iso[3])
        try:
            return date(int(parts[0]), int(parts[1]), int(parts[2])) if parts else None
        except ValueError:
            pass
        if text:
            self.warnings.append(ParseWarning(line, f"cannot read the update date {text!r}"))
        return None


def _value(raw_cells: list[str]) -> str:
    """The raw value: after the label's colon in the same cell, else the last other cell."""
    label = raw_cells[0]
    if ":" in label:
        after = label.split(":", 1)[1]
        if clean(after):
            return after
    rest = [c for c in raw_cells[1:] if clean(c)]
    return rest[-1] if rest else ""
