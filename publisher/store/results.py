"""Result formats of the endpoint, and pure serialisers for result tables.

``FORMATS`` is the one table of what the endpoint can answer in: a short name (used by
the ``format=`` parameter), the media type, other media types clients send for it, whether
it carries a result table (SELECT/ASK) or a graph (CONSTRUCT/DESCRIBE), and its W3C
formats IRI (for the Service Description). Tables are serialised here, row by row, so
that the row limit can cut them; graphs are serialised by pyoxigraph.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_W3C = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class ResultFormat:
    """One format the endpoint answers in."""

    name: str
    media_type: str
    kind: str  # "table" (SELECT, ASK) or "graph" (CONSTRUCT, DESCRIBE)
    iri: str
    aliases: tuple[str, ...] = ()

    @property
    def media_types(self) -> tuple[str, ...]:
        """The main media type first, then the aliases."""
        return (self.media_type, *self.aliases)


FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat(
        "json",
        "application/sparql-results+json",
        "table",
        _W3C + "SPARQL_Results_JSON",
        ("application/json",),
    ),
    ResultFormat(
        "xml",
        "application/sparql-results+xml",
        "table",
        _W3C + "SPARQL_Results_XML",
        ("application/xml", "text/xml"),
    ),
    ResultFormat("csv", "text/csv", "table", _W3C + "SPARQL_Results_CSV"),
    ResultFormat("tsv", "text/tab-separated-values", "table", _W3C + "SPARQL_Results_TSV"),
    ResultFormat("turtle", "text/turtle", "graph", _W3C + "Turtle", ("application/x-turtle",)),
    ResultFormat("jsonld", "application/ld+json", "graph", _W3C + "JSON-LD"),
    ResultFormat("rdfxml", "application/rdf+xml", "graph", _W3C + "RDF_XML"),
    ResultFormat("nt", "application/n-triples", "graph", _W3C + "N-Triples", ("text/plain",)),
)
BY_NAME = {f.name: f for f in FORMATS}

#: pyoxigraph's serialiser for each graph format
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "nt": ox.RdfFormat.N_TRIPLES,
}

Solution = list[Any]  # one row: a pyoxigraph term or None per variable


def json_term(term: Any) -> dict[str, Any]:
    """One term in the SPARQL 1.1 Query Results JSON format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": json_term(term.subject),
            "predicate": json_term(term.predicate),
            "object": json_term(term.object),
        },
    }


def table_json(names: list[str], rows: list[Solution], cut_at: int | None = None) -> bytes:
    """SELECT results as application/sparql-results+json; ``cut_at``: the row limit that
    cut them, said by top-level ``"truncated": true, "rowLimit": N`` (clients ignore
    members they do not know, as the format asks)."""
    bindings = [
        {n: json_term(t) for n, t in zip(names, row, strict=True) if t is not None} for row in rows
    ]
    doc: dict[str, Any] = {"head": {"vars": names}, "results": {"bindings": bindings}}
    if cut_at is not None:
        doc.update(truncated=True, rowLimit=cut_at)
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            dt = quoteattr(term.datatype.value)
            return f"<literal datatype={dt}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    parts = (("subject", term.subject), ("predicate", term.predicate), ("object", term.object))
    inner = "".join(f"<{k}>{_xml_term(v)}</{k}>" for k, v in parts)
    return f"<triple>{inner}</triple>"


_XML_HEAD = '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'


def table_xml(names: list[str], rows: list[Solution], cut_at: int | None = None) -> bytes:
    """SELECT results as application/sparql-results+xml; ``cut_at``: the row limit that
    cut them, said in a comment (the format has no element for it)."""
    out = [_XML_HEAD]
    if cut_at is not None:
        out.append(f"<!-- {truncation_note(cut_at)} -->")
    out.append("<head>")
    out += [f"<variable name={quoteattr(n)}/>" for n in names]
    out.append("</head><results>")
    for row in rows:
        cells = (
            f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>"
            for n, t in zip(names, row, strict=True)
            if t is not None
        )
        out.append("<result>" + "".join(cells) + "</result>")
    out.append("</results></sparql>\n")
    return "\n".join(out).encode("utf-8")


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term.value)
    return str(term)


def truncation_note(cut_at: int) -> str:
    """What a cut answer says about itself, where its format has room for a comment."""
    return f"truncated: this endpoint answers at most {cut_at} rows or triples; there are more"


def table_csv(names: list[str], rows: list[Solution], cut_at: int | None = None) -> bytes:
    """SELECT results as text/csv (values only: no datatypes or languages). CSV has no
    place for a note: a cut is said only by the X-SPARQL-Truncated header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([_csv_value(t) for t in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def table_tsv(names: list[str], rows: list[Solution], cut_at: int | None = None) -> bytes:
    """SELECT results as text/tab-separated-values (terms in N-Triples syntax); like CSV,
    a cut is said only by the header."""
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


TABLE_WRITERS: dict[str, Callable[[list[str], list[Solution], int | None], bytes]] = {
    "json": table_json,
    "xml": table_xml,
    "csv": table_csv,
    "tsv": table_tsv,
}


def boolean(value: bool, fmt: str) -> bytes:
    """An ASK answer in the table format ``fmt``."""
    word = "true" if value else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if fmt == "xml":
        return f"{_XML_HEAD}<head/><boolean>{word}</boolean></sparql>\n".encode()
    # CSV and TSV do not define booleans; a one-cell table is what common clients read.
    header = "_askResult" if fmt == "csv" else "?_askResult"
    return f"{header}\n{word}\n".encode()
