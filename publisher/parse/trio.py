"""The numeral 1.3 trio: since the 2023 LOTAIP reform a report is three files.

Institutions publish "Metas y objetivos de las unidades administrativas" (Art. 19,
numeral 1.3) each month as three CSV files whose names differ only in a suffix:

* the data file, ``…(conjuntoDatos)`` / ``…(conjunto de datos)``: a header row
  ``Unidad | Objetivo | Indicador | Meta cuantificable | Enlace al sistema de gestión de
  planificación …`` and one row per indicator. ``table.read_table`` reads it like any
  other grid (``Enlace`` is the ``link`` column), with no footer and no process levels;
* ``…(metadatos)``: label/value rows, the footer of a literal a4 report
  (``FECHA ACTUALIZACIÓN …``, ``PERIODICIDAD …``, ``RESPONSABLE …``…), read by
  ``footer.Footer``;
* ``…(diccionario)``: field/description rows; its ``Institución`` row gives the
  institution's full name, which is matched to the registry.

Siblings are found by name: the part before the suffix, normalised (case, accents,
spaces, dashes, underscores, dots), is the same for the three. When it is not, a folder
holding exactly one data file pairs it with its only file of each other kind.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from publisher.errors import ParseError
from publisher.parse.cells import clean, normalised
from publisher.parse.footer import Footer, footer_field
from publisher.parse.grid import Grid
from publisher.records import Metadata, ParseWarning

#: Role -> what the file is called in messages, and the suffix its name is expected to have.
ROLES = {
    "data": ("data (conjunto de datos)", "conjuntoDatos"),
    "metadata": ("metadatos", "metadatos"),
    "dictionary": ("diccionario", "diccionario"),
}

_SEP = r"[\W_]*"
# The role word at the end of the stem, as a word of its own ("ENERO(conjuntoDatos)").
_SUFFIX = re.compile(
    rf"(?:^|(?<=[\W_]))(?:(?P<data>conjunto{_SEP}(?:de{_SEP})?datos)|(?P<metadata>metadatos)"
    rf"|(?P<dictionary>diccionario(?:{_SEP}(?:de{_SEP})?datos)?)){_SEP}$",
    re.IGNORECASE,
)


class Member(NamedTuple):
    """What a file name says of a trio member: its role and the name its siblings share."""

    role: str  # "data", "metadata" or "dictionary"
    key: str  # the name before the suffix, normalised
    stem: str  # the name before the suffix, as written


@dataclass(frozen=True)
class Trio:
    """The three files of one numeral 1.3 report."""

    data: Path
    metadata: Path
    dictionary: Path

    @property
    def files(self) -> tuple[Path, Path, Path]:
        """The three files, data first."""
        return (self.data, self.metadata, self.dictionary)


def classify(name: str) -> Member | None:
    """The trio role of a file name, or None when it names no trio member.

    >>> classify("1-4_metas-y-objetivos_unidades_ENERO(conjuntoDatos).csv").key
    '1 4 metas y objetivos unidades enero'
    >>> classify("1.3 Metas y Objetivos - Enero (Metadatos).csv").role
    'metadata'
    """
    stem = name.rsplit(".", 1)[0] if "." in name else name
    found = _SUFFIX.search(stem)
    if found is None or found.lastgroup is None:
        return None
    return Member(found.lastgroup, normalised(stem[: found.start()]), stem[: found.start()])


def find(path: Path) -> Trio:
    """The trio of a data file (siblings looked for beside it) or of a folder holding one.

    Raises ``ParseError`` naming the missing file, or the member to give instead."""
    if path.is_dir():
        return find(_only_data_file(path))
    member = classify(path.name)
    if member is None:
        raise ParseError(path.name, "not a file of a numeral 1.3 report")
    if not path.is_file():
        raise ParseError(path.name, "cannot read the file: no such file")
    if member.role != "data":
        data = _siblings(path, member).get("data", [])
        if not data:
            raise _missing(path, member, "data")
        raise ParseError(
            path.name,
            f"this is the {ROLES[member.role][0]} file of a numeral 1.3 report: give its data "
            f"file {data[0].name!r} or the folder",
        )
    found = _siblings(path, member)
    others = _folder_members(path.parent)
    chosen = {}
    for role in ("metadata", "dictionary"):
        same = found.get(role, [])
        if not same and len(others.get("data", [])) == 1 and len(others.get(role, [])) == 1:
            same = others[role]  # the folder's one trio, named a little differently
        if not same:
            raise _missing(path, member, role)
        if len(same) > 1:
            names = ", ".join(repr(p.name) for p in same)
            raise ParseError(path.name, f"more than one {ROLES[role][0]} file: {names}")
        chosen[role] = same[0]
    return Trio(path, chosen["metadata"], chosen["dictionary"])


def report_files(files: Sequence[Path]) -> list[Path]:
    """``files`` with each trio's metadatos and diccionario folded into its data file, so
    that a folder lists one file per report. Members without a data file stay: reading
    them says which file is missing."""
    data_keys = {(f.parent, m.key) for f in files if (m := classify(f.name)) and m.role == "data"}
    kept = []
    for file in files:
        member = classify(file.name)
        if member and member.role != "data" and (file.parent, member.key) in data_keys:
            continue
        kept.append(file)
    return kept


def input_digest(path: Path) -> str:
    """sha256 of what a report is read from: the file, or a data file's whole trio (a
    change to any of the three changes it). Raises ``OSError`` when a file is unreadable."""
    member = classify(path.name)
    if member is None or member.role != "data":
        return hashlib.sha256(path.read_bytes()).hexdigest()
    try:
        files: Sequence[Path] = find(path).files
    except ParseError:
        files = (path,)  # an incomplete trio: the parse stage says what is missing
    digest = hashlib.sha256()
    for file in files:
        digest.update(f"{file.name}\0".encode() + hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def read_metadata(grid: Grid, name: str) -> tuple[Metadata, list[ParseWarning]]:
    """The metadatos file: label/value rows, read as an a4 report's footer."""
    footer = Footer()
    unknown = []
    for row in grid.rows:
        texts = [clean(c) for c in row.cells]
        first = next((i for i, t in enumerate(texts) if t), None)
        if first is None:
            continue
        if (label := footer_field(texts[first])) is not None:
            footer.add(label, list(row.cells[first:]), row.line)
        else:
            unknown.append(ParseWarning(row.line, f"unknown metadata row {texts[first]!r}"))
    if footer.first_line is None:
        raise ParseError(name, "no metadata rows (FECHA ACTUALIZACIÓN …, PERIODICIDAD …)", 1)
    warnings = [ParseWarning(None, f"{name}:{w.line}: {w.message}") for w in unknown]
    warnings += [ParseWarning(None, f"{name}:{w.line}: {w.message}") for w in footer.warnings]
    return footer.metadata(), warnings


def declared_institution(grid: Grid, name: str) -> tuple[str, int]:
    """The full name in the diccionario's ``Institución`` row, and its line."""
    for row in grid.rows:
        texts = [t for t in map(clean, row.cells) if t]
        if texts and normalised(texts[0]).startswith("institucion"):
            value = texts[0].split(":", 1)[1].strip() if ":" in texts[0] else ""
            value = value or (texts[1] if len(texts) > 1 else "")
            if not value:
                raise ParseError(name, "the 'Institución' row names no institution", row.line)
            return value, row.line
    raise ParseError(name, "no 'Institución' row naming the institution", 1)


def _siblings(path: Path, member: Member) -> dict[str, list[Path]]:
    """Members of ``path``'s folder whose names share its key, by role."""
    return {
        role: [p for p in files if classify(p.name).key == member.key]  # type: ignore[union-attr]
        for role, files in _folder_members(path.parent).items()
    }


def _folder_members(folder: Path) -> dict[str, list[Path]]:
    """The visible trio members of a folder, by role, sorted by name."""
    members: dict[str, list[Path]] = {}
    for file in sorted(folder.iterdir()):
        if file.is_file() and not file.name.startswith(".") and (m := classify(file.name)):
            members.setdefault(m.role, []).append(file)
    return members


def _only_data_file(folder: Path) -> Path:
    data = _folder_members(folder).get("data", [])
    if len(data) != 1:
        held = "no" if not data else f"{len(data)}"
        raise ParseError(
            str(folder),
            f"{held} numeral 1.3 data files (…(conjunto de datos).csv) here: give one file",
        )
    return data[0]


def _missing(path: Path, member: Member, role: str) -> ParseError:
    """The error for a trio missing its ``role`` file, naming the file expected."""
    expected = f"{member.stem.rstrip(' (_-')}({ROLES[role][1]}){path.suffix}"
    return ParseError(
        path.name,
        f"the numeral 1.3 report is three files and its {ROLES[role][0]} file is missing: "
        f"expected {expected!r} in {path.parent}",
    )
