"""Hand-made data in the published shape, for the SPARQL endpoint's tests.

Two institutions, three reports (one named graph each) and the graph of changes a build
makes of them: enough for every protocol case and for example-query shapes (a unit in two
institutions, a target that changed between two reports of the same institution, a
percent target over 90 about water).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pyoxigraph as ox
from flask import Flask
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, XSD
from werkzeug.serving import make_server

from publisher.build import changes
from publisher.settings import Settings, load
from publisher.store.embedded import OxigraphStore, to_ox
from publisher.uris import Urls
from publisher.vocab import LOTAIP, QUDT, UNIT

ID = Namespace("http://localhost:8000/id/")
REPORTS = {
    "a-2023-01": ("gad-a", "GAD Municipal A", date(2023, 1, 31)),
    "a-2023-02": ("gad-a", "GAD Municipal A", date(2023, 2, 28)),
    "b-2023-01": ("gad-b", "GAD Municipal B", date(2023, 1, 31)),
}


def report_iri(key: str) -> URIRef:
    """The named graph (and node) of a hand-made report."""
    inst, _, when = key.partition("-")
    return ID[f"reporte/gad-{inst}/{when}"]


def report_graph(key: str) -> Graph:
    """One report: institution, a unit, an objective about water, an indicator, a target."""
    inst_id, inst_name, issued = REPORTS[key]
    g = Graph()
    report, inst = report_iri(key), ID[f"institucion/{inst_id}"]
    unit = ID[f"institucion/{inst_id}/unidad/direccion-financiera"]
    objective = URIRef(f"{unit}/objetivo/agua-potable")
    indicator = URIRef(f"{objective}/indicador/cobertura")
    value = 95 if key != "a-2023-02" else 97  # the February report changed the target
    target = URIRef(f"{indicator}/meta/cobertura-{value}")
    g.add((report, RDF.type, LOTAIP.Report))
    g.add((report, DCTERMS.publisher, inst))
    g.add((report, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    g.add((inst, RDF.type, LOTAIP.Institution))
    g.add((inst, RDFS.label, Literal(inst_name, lang="es")))
    g.add((inst, ORG.hasUnit, unit))
    g.add((unit, RDF.type, LOTAIP.AdministrativeUnit))
    g.add((unit, RDFS.label, Literal("Dirección Financiera", lang="es")))
    g.add((unit, ORG.purpose, objective))
    g.add((objective, RDF.type, LOTAIP.Objective))
    g.add((objective, RDFS.label, Literal("Garantizar el agua potable", lang="es")))
    g.add((objective, LOTAIP.hasIndicator, indicator))
    g.add((indicator, RDF.type, LOTAIP.Indicator))
    g.add((indicator, RDFS.label, Literal("Cobertura de agua potable", lang="es")))
    g.add((indicator, LOTAIP.hasTarget, target))
    g.add((target, RDF.type, LOTAIP.Target))
    g.add((target, RDFS.label, Literal(f"{value}% de cobertura", lang="es")))
    g.add((target, LOTAIP.targetText, Literal(f"{value}% de cobertura", lang="es")))
    g.add((target, QUDT.numericValue, Literal(value)))
    g.add((target, QUDT.unit, UNIT.PERCENT))
    g.add((target, LOTAIP.dueDate, Literal("2023-12-31", datatype=XSD.date)))
    # the one-hop paths a build gives every target (mappings/literal-a4.toml)
    g.add((target, LOTAIP.isTargetOf, indicator))
    g.add((target, LOTAIP.objective, objective))
    g.add((target, LOTAIP.unit, unit))
    g.add((target, LOTAIP.institution, inst))
    g.add((target, LOTAIP.reportedIn, report))
    return g


def make_store(path: Path | None, union: bool = False) -> OxigraphStore:
    """An OxigraphStore (on disk at ``path``, or in memory) holding the three reports.

    ``union``: also write the distinct union of the reports into the default graph, the
    way the endpoint expects a build to materialise it (set semantics for the union).
    """
    store = OxigraphStore(path)
    merged = Graph()
    for key in REPORTS:
        graph = report_graph(key)
        store.replace_graph(report_iri(key), graph)
        merged += graph
    # the graph of changes, as a build makes it from the reports (build/changes.py), in
    # one transaction: the bulk loader's background compaction could delete files under
    # the query workers that open this store right after
    store.native.load(
        changes_ntriples(store), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(ID["cambios"]))
    )
    if union:
        store.native.extend(
            ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph()) for s, p, o in merged
        )
    return store


def changes_ntriples(store: OxigraphStore) -> bytes:
    """The changes between the hand-made reports (A's January and February)."""
    graphs = []
    for key, (_, _, issued) in REPORTS.items():
        name = ox.NamedNode(str(report_iri(key)))
        ntriples = store.native.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name) or b""
        graphs.append((name.value, issued.isoformat(), ntriples))
    return changes.changes_of(graphs, Urls(str(ID)[: -len("id/")]))


def sparql_settings(tmp: Path, **overrides: object) -> Settings:
    """Settings for endpoint tests (data folder under ``tmp``)."""
    return load(env={}, data_dir=tmp / "data", **overrides)


def make_app(store: OxigraphStore, settings: Settings) -> Flask:
    """The whole web app over ``store``."""
    from publisher.web import create_app

    app = create_app(settings, store)
    app.testing = True
    return app


def close_app(app: Flask) -> None:
    """Stop the query worker processes of ``app``."""
    app.extensions["publisher.sparql"].close()


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 (threaded); yields its /sparql URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sparql"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def quads_fingerprint(store: OxigraphStore) -> list[str]:
    """Every quad of ``store`` as sorted text: equal lists mean unchanged data."""
    return sorted(str(q) for q in store.quads())


def parse_rdf(data: bytes | str, rdflib_format: str) -> Graph:
    """Parse an RDF answer; rdflib's JSON-LD parser warns about its own internals, not us."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=data, format=rdflib_format)
