"""The site's own labels in Spanish (first) and English, and how a request picks one.

Only the site's wording lives here; texts from reports are shown as published. The
language comes from ``?lang=`` (remembered in a cookie), then ``Accept-Language``.
"""

from __future__ import annotations

from flask import Request

LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"
COOKIE = "lang"

LABELS: dict[str, dict[str, str]] = {
    "site.title": {
        "es": "Metas y objetivos LOTAIP",
        "en": "LOTAIP goals and targets",
    },
    "site.tagline": {
        "es": "Datos abiertos enlazados de los informes LOTAIP, literal a4",
        "en": "Linked open data from LOTAIP literal a4 reports",
    },
    "sparql.title": {"es": "Consultas SPARQL", "en": "SPARQL queries"},
    "sparql.lead": {
        "es": "Punto de acceso SPARQL 1.1 de solo lectura. El grafo por defecto es el estado "
        "actual (el último reporte de cada institución); cada reporte es además un grafo "
        "con nombre, y el grafo id/historial reúne todos los meses.",
        "en": "Read-only SPARQL 1.1 endpoint. The default graph is the current state (each "
        "institution's latest report); each report is also a named graph, and the graph "
        "id/historial holds every month.",
    },
    "sparql.limits": {
        "es": "Límites: {rows} filas por respuesta, {seconds} s por consulta.",
        "en": "Limits: {rows} rows per answer, {seconds} s per query.",
    },
    "sparql.examples": {"es": "Ejemplos", "en": "Examples"},
    "sparql.gallery": {"es": "Todos los ejemplos", "en": "All examples"},
    "sparql.prefixes": {
        "es": "Prefijos predefinidos: una consulta puede usarlos sin declararlos",
        "en": "Predefined prefixes: a query may use them without declaring them",
    },
    "sparql.choose": {"es": "— elija una pregunta —", "en": "— pick a question —"},
    "sparql.query": {"es": "Consulta SPARQL", "en": "SPARQL query"},
    "sparql.run": {"es": "Ejecutar", "en": "Run"},
    "sparql.download_as": {"es": "Descargar como", "en": "Download as"},
    "sparql.download": {"es": "Descargar", "en": "Download"},
    "sparql.rows": {"es": "filas", "en": "rows"},
    "sparql.cut": {"es": "resultados cortados en", "en": "results cut at"},
    "sparql.graph": {"es": "grafo", "en": "graph"},
    "sparql.running": {"es": "Consultando…", "en": "Querying…"},
    "sparql.yes": {"es": "sí (true)", "en": "yes (true)"},
    # YASR's table and its controls (DataTables' _START_/_END_/_TOTAL_/_MAX_ placeholders)
    "yasr.table": {"es": "Tabla", "en": "Table"},
    "yasr.response": {"es": "Respuesta", "en": "Response"},
    "yasr.info": {
        "es": "Filas _START_ a _END_ de _TOTAL_",
        "en": "Rows _START_ to _END_ of _TOTAL_",
    },
    "yasr.info_empty": {"es": "Ninguna fila", "en": "No rows"},
    "yasr.filtered": {"es": "(filtradas de _MAX_)", "en": "(filtered from _MAX_)"},
    "yasr.zero": {"es": "Ninguna fila coincide", "en": "No matching rows"},
    "yasr.filter": {"es": "Filtrar resultados", "en": "Filter results"},
    "yasr.page_size": {"es": "Filas por página: ", "en": "Rows per page: "},
    "yasr.all": {"es": "Todas", "en": "All"},
    "yasr.simple": {"es": "Vista simple", "en": "Simple view"},
    "yasr.ellipsis": {"es": "Recortar textos", "en": "Ellipsis"},
    "nav.home": {"es": "Inicio", "en": "Home"},
    "nav.browse": {"es": "Explorar", "en": "Browse"},
    "nav.sparql": {"es": "SPARQL", "en": "SPARQL"},
    "nav.downloads": {"es": "Descargas", "en": "Downloads"},
    "nav.vocabulary": {"es": "Vocabulario", "en": "Vocabulary"},
    "nav.language": {"es": "English", "en": "Español"},
    "home.intro": {
        "es": "Cada institución pública del Ecuador publica cada mes las metas y objetivos "
        "de sus unidades administrativas (LOTAIP, art. 19, literal a4). Este sitio los "
        "publica como datos abiertos enlazados: cada institución, unidad, objetivo, "
        "indicador y meta tiene un URI que se puede consultar.",
        "en": "Every Ecuadorian public institution publishes, each month, the goals and "
        "targets of its administrative units (LOTAIP literal a4). This site publishes them "
        "as linked open data: every institution, unit, objective, indicator and target has "
        "a URI you can look up.",
    },
    "home.counts": {"es": "En cifras", "en": "In figures"},
    "home.institutions": {"es": "Instituciones", "en": "Institutions"},
    "home.latest": {"es": "Últimos informes", "en": "Latest reports"},
    "home.examples": {"es": "Consultas SPARQL de ejemplo", "en": "Example SPARQL queries"},
    "home.run": {"es": "Ejecutar", "en": "Run"},
    "count.institutions": {"es": "instituciones", "en": "institutions"},
    "count.units": {"es": "unidades", "en": "units"},
    "count.objectives": {"es": "objetivos", "en": "objectives"},
    "count.indicators": {"es": "indicadores", "en": "indicators"},
    "count.targets": {"es": "metas", "en": "targets"},
    "count.reports": {"es": "informes", "en": "reports"},
    "count.report_s": {"es": "informe(s)", "en": "report(s)"},
    "count.triples": {"es": "tripletas", "en": "triples"},
    "collection.institucion": {"es": "Instituciones", "en": "Institutions"},
    "collection.reporte": {"es": "Informes", "en": "Reports"},
    "collection.territorio": {"es": "Territorios", "en": "Territories"},
    "collection.fuente": {"es": "Archivos fuente", "en": "Source files"},
    "collection.enlaces": {"es": "Conjuntos de enlaces", "en": "Linksets"},
    "collection.members": {"es": "elementos", "en": "members"},
    "search.placeholder": {"es": "agua, gestión, talento humano…", "en": "water, gestión…"},
    "search.label": {"es": "Buscar en el sitio", "en": "Search the site"},
    "browse.filters": {"es": "Filtros", "en": "Filters"},
    "browse.remove": {"es": "Quitar este filtro", "en": "Remove this filter"},
    "browse.facets": {"es": "Facetas", "en": "Facets"},
    "browse.more": {"es": "más", "en": "more"},
    "browse.rows": {"es": "Metas", "en": "Targets"},
    "browse.hint": {
        "es": "Escriba palabras (con o sin tildes) o elija una faceta: institución, nivel, "
        "función, provincia, cantón, unidad de medida o año.",
        "en": "Type words (accents optional) or pick a facet: institution, level, function, "
        "province, canton, unit of measure or year.",
    },
    "facet.institution": {"es": "Institución", "en": "Institution"},
    "facet.level": {"es": "Nivel de proceso", "en": "Process level"},
    "facet.function": {"es": "Función de la unidad", "en": "Unit function"},
    "facet.province": {"es": "Provincia", "en": "Province"},
    "facet.canton": {"es": "Cantón", "en": "Canton"},
    "facet.measure": {"es": "Unidad de medida", "en": "Unit of measure"},
    "facet.year": {"es": "Año límite", "en": "Due year"},
    "kind.institution": {"es": "Instituciones", "en": "Institutions"},
    "kind.unit": {"es": "Unidades", "en": "Units"},
    "kind.objective": {"es": "Objetivos", "en": "Objectives"},
    "kind.indicator": {"es": "Indicadores", "en": "Indicators"},
    "kind.target": {"es": "Metas", "en": "Targets"},
    "browse.title": {"es": "Explorar y buscar", "en": "Browse and search"},
    "browse.institution": {"es": "Institución", "en": "Institution"},
    "browse.level": {"es": "Nivel de proceso", "en": "Process level"},
    "browse.text": {"es": "Palabras", "en": "Words"},
    "browse.min": {"es": "Meta desde", "en": "Target from"},
    "browse.max": {"es": "hasta", "en": "to"},
    "browse.any": {"es": "Todas", "en": "Any"},
    "browse.search": {"es": "Buscar", "en": "Search"},
    "browse.results": {"es": "resultados", "en": "results"},
    "browse.none": {"es": "Ningún resultado.", "en": "No results."},
    "browse.truncated": {
        "es": "Se muestran los primeros resultados; afine la búsqueda.",
        "en": "Showing the first results only; narrow the search.",
    },
    "col.institution": {"es": "Institución", "en": "Institution"},
    "col.unit": {"es": "Unidad", "en": "Unit"},
    "col.objective": {"es": "Objetivo", "en": "Objective"},
    "col.indicator": {"es": "Indicador", "en": "Indicator"},
    "col.target": {"es": "Meta", "en": "Target"},
    "col.value": {"es": "Valor", "en": "Value"},
    "col.property": {"es": "Propiedad", "en": "Property"},
    "col.file": {"es": "Archivo", "en": "File"},
    "col.format": {"es": "Formato", "en": "Format"},
    "col.size": {"es": "Tamaño", "en": "Size"},
    "col.date": {"es": "Fecha", "en": "Date"},
    "col.report": {"es": "Informe", "en": "Report"},
    "resource.about": {"es": "Datos", "en": "Data"},
    "resource.incoming": {"es": "Enlaces entrantes", "en": "Incoming links"},
    "resource.sources": {"es": "Procede de", "en": "Comes from"},
    "resource.as": {"es": "Esta página como", "en": "This page as"},
    "resource.uri": {"es": "URI", "en": "URI"},
    "resource.planning": {
        "es": "Enlace al sistema de gestión de planificación",
        "en": "Planning system link",
    },
    "resource.more": {"es": "y más", "en": "and more"},
    "institution.units": {"es": "Unidades por nivel de proceso", "en": "Units by process level"},
    "institution.chart": {
        "es": "Metas porcentuales: cuántas en cada tramo",
        "en": "Percentage targets: how many in each range",
    },
    "institution.chart_x": {"es": "Valor de la meta (%)", "en": "Target value (%)"},
    "institution.chart_y": {"es": "Metas", "en": "Targets"},
    "institution.chart_caption": {
        "es": "Metas porcentuales del último informe, todas contadas",
        "en": "Percentage targets of the latest report, every one counted",
    },
    "institution.according": {
        "es": "Según su informe más reciente, del",
        "en": "As stated in its latest report, of",
    },
    "institution.no_level": {"es": "Sin nivel de proceso", "en": "No process level"},
    "institution.col.level": {"es": "Nivel de proceso", "en": "Process level"},
    "institution.col.name": {"es": "Unidad", "en": "Unit"},
    "institution.col.objectives": {"es": "Objetivos", "en": "Objectives"},
    "institution.col.indicators": {"es": "Indicadores", "en": "Indicators"},
    "institution.col.targets": {"es": "Metas", "en": "Targets"},
    "institution.reports": {"es": "Informes publicados", "en": "Published reports"},
    "report.source": {"es": "Archivo fuente", "en": "Source file"},
    "report.downloaded": {"es": "descargado de", "en": "downloaded from"},
    "report.contents": {"es": "Contenido", "en": "Contents"},
    "downloads.title": {"es": "Descargas", "en": "Downloads"},
    "downloads.intro": {
        "es": "El conjunto de datos completo, bajo licencia CC BY 4.0.",
        "en": "The whole dataset, under the CC BY 4.0 licence.",
    },
    "downloads.void": {"es": "Descripción VoID/DCAT", "en": "VoID/DCAT description"},
    "downloads.none": {
        "es": "Todavía no hay volcados publicados.",
        "en": "No dumps have been published yet.",
    },
    "downloads.sitemap": {"es": "Mapa del sitio", "en": "Sitemap"},
    "vocab.title": {"es": "Vocabulario LOTAIP", "en": "LOTAIP vocabulary"},
    "vocab.classes": {"es": "Clases", "en": "Classes"},
    "vocab.properties": {"es": "Propiedades", "en": "Properties"},
    "vocab.other": {"es": "Otros términos", "en": "Other terms"},
    "error.title": {"es": "Error", "en": "Error"},
    "error.404": {"es": "No encontrado", "en": "Not found"},
    "error.404.help": {
        "es": "No hay nada publicado con esta dirección. Puede buscar en el sitio, "
        "explorar las instituciones o consultar el punto SPARQL.",
        "en": "Nothing is published at this address. You can search the site, browse the "
        "institutions or ask the SPARQL endpoint.",
    },
    # --- downloads, quality and history (issue 9) ---
    "nav.quality": {"es": "Calidad", "en": "Quality"},
    "nav.changes": {"es": "Cambios", "en": "Changes"},
    "tidy.title": {"es": "Tabla de metas (CSV, XLSX)", "en": "Targets table (CSV, XLSX)"},
    "tidy.intro": {
        "es": "Una fila por meta, con institución, nivel, unidad, objetivo, actividad, "
        "indicador, valor, unidad de medida, fecha límite y los URI, para abrir en una hoja "
        "de cálculo. Las columnas se describen en CSVW.",
        "en": "One row per target, with institution, level, unit, objective, activity, "
        "indicator, value, unit of measure, due date and the URIs, to open in a spreadsheet. "
        "The columns are described in CSVW.",
    },
    "tidy.bom": {
        "es": "UTF-8 con BOM, para hojas de cálculo",
        "en": "UTF-8 with BOM, for spreadsheets",
    },
    "tidy.download_rows": {"es": "Descargar estas filas", "en": "Download these rows"},
    "tidy.download_report": {
        "es": "Descargar las metas de este informe",
        "en": "Download this report's targets",
    },
    "quality.title": {"es": "Calidad de los informes", "en": "Report quality"},
    "quality.intro": {
        "es": "Instituciones ordenadas por la calidad de sus informes del literal a4: cuánto "
        "de lo que el formato pide está dicho de forma que se pueda medir.",
        "en": "Institutions ranked by the quality of their literal a4 reports: how much of "
        "what the form asks for is stated in a measurable way.",
    },
    "quality.score": {"es": "Puntuación", "en": "Score"},
    "quality.chart": {
        "es": "Puntuación de cada institución",
        "en": "Each institution's score",
    },
    "quality.method": {"es": "Cómo se mide", "en": "How it is measured"},
    "quality.method.intro": {
        "es": "Cada medida es una proporción sobre lo publicado de cada informe; la de una "
        "institución suma los casos de todos sus informes. La puntuación es la media de las "
        "medidas de completitud.",
        "en": "Each measure is a share over what each report publishes; an institution's "
        "adds up the cases of all its reports. The score is the mean of the completeness "
        "measures.",
    },
    "quality.method.dqv": {
        "es": "Las medidas se publican con el vocabulario W3C DQV (dqv:QualityMeasurement) y "
        "se pueden consultar por",
        "en": "The measures are published with the W3C DQV vocabulary "
        "(dqv:QualityMeasurement) and can be queried through",
    },
    "quality.unscored": {"es": "informativa, sin puntuar", "en": "informative, not scored"},
    "quality.report": {"es": "Calidad de este informe", "en": "Quality of this report"},
    "quality.institution": {
        "es": "Calidad de sus informes (todos juntos)",
        "en": "Quality of its reports (all together)",
    },
    "quality.how": {"es": "Cómo se mide", "en": "How it is measured"},
    "history.title": {"es": "Metas en el tiempo", "en": "Targets over time"},
    "history.covers": {"es": "Informes de:", "en": "Reports of:"},
    "changes.title": {"es": "Cambios entre informes", "en": "Changes between reports"},
    "changes.intro": {
        "es": "Qué cambió entre dos informes de una institución: unidades nuevas o retiradas "
        "y metas que subieron o bajaron.",
        "en": "What changed between two reports of an institution: units added or removed "
        "and targets raised or lowered.",
    },
    "changes.from": {"es": "Desde", "en": "From"},
    "changes.compare": {"es": "Comparar", "en": "Compare"},
    "changes.to": {"es": "hasta", "en": "to"},
    "changes.between": {"es": "Entre los informes del", "en": "Between the reports of"},
    "changes.one_report": {
        "es": "Esta institución ha publicado un solo informe: no hay con qué comparar.",
        "en": "This institution has published one report only: nothing to compare.",
    },
    "changes.units_added": {"es": "Unidades nuevas", "en": "Units added"},
    "changes.units_removed": {"es": "Unidades retiradas", "en": "Units removed"},
    "changes.raised": {"es": "Metas que subieron", "en": "Targets raised"},
    "changes.lowered": {"es": "Metas que bajaron", "en": "Targets lowered"},
    "changes.before": {"es": "Antes", "en": "Before"},
    "changes.after": {"es": "Después", "en": "After"},
    "changes.none": {"es": "Ninguna.", "en": "None."},
    "footer.licence": {
        "es": "Datos bajo licencia CC BY 4.0; fuente: informes LOTAIP de cada institución.",
        "en": "Data under CC BY 4.0; source: each institution's LOTAIP reports.",
    },
}


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_ORG = "http://www.w3.org/ns/org#"
_DCT = "http://purl.org/dc/terms/"
_DCAT = "http://www.w3.org/ns/dcat#"
_PROV = "http://www.w3.org/ns/prov#"
_QUDT = "http://qudt.org/schema/qudt/"
_VCARD = "http://www.w3.org/2006/vcard/ns#"
_FREQ = "http://publications.europa.eu/resource/authority/frequency/"

#: Names of the standard terms (and a few code-list values) our pages show most (our own
#: terms are labelled in the ontology graph); anything else shows as a CURIE.
TERM_LABELS: dict[str, tuple[str, str]] = {
    _RDF + "type": ("tipo", "type"),
    _RDFS + "label": ("nombre", "label"),
    _RDFS + "comment": ("descripción", "description"),
    _RDFS + "isDefinedBy": ("definido en", "defined by"),
    _SKOS + "prefLabel": ("nombre preferido", "preferred label"),
    _SKOS + "altLabel": ("otro nombre", "alternative label"),
    _SKOS + "notation": ("código", "code"),
    _SKOS + "note": ("nota", "note"),
    _SKOS + "definition": ("definición", "definition"),
    _SKOS + "inScheme": ("en el esquema", "in scheme"),
    _ORG + "hasUnit": ("tiene unidad", "has unit"),
    _ORG + "unitOf": ("unidad de", "unit of"),
    _ORG + "purpose": ("objetivo", "purpose"),
    _ORG + "classification": ("clasificación", "classification"),
    _DCT + "title": ("título", "title"),
    _DCT + "issued": ("fecha del informe", "report date"),
    _DCT + "publisher": ("publicado por", "publisher"),
    _DCT + "identifier": ("identificador", "identifier"),
    _DCT + "accrualPeriodicity": ("periodicidad", "periodicity"),
    _DCAT + "contactPoint": ("contacto", "contact point"),
    _DCAT + "landingPage": ("página", "landing page"),
    _PROV + "wasDerivedFrom": ("derivado de", "derived from"),
    _PROV + "wasGeneratedBy": ("generado por", "generated by"),
    _PROV + "generatedAtTime": ("generado el", "generated at"),
    _QUDT + "numericValue": ("valor", "value"),
    _QUDT + "unit": ("unidad de medida", "unit of measure"),
    _VCARD + "fn": ("nombre", "name"),
    _VCARD + "hasEmail": ("correo electrónico", "e-mail"),
    _VCARD + "hasTelephone": ("teléfono", "telephone"),
    "http://xmlns.com/foaf/0.1/homepage": ("sitio web", "home page"),
    "http://qudt.org/vocab/unit/PERCENT": ("por ciento (%)", "percent (%)"),
    _FREQ + "MONTHLY": ("mensual", "monthly"),
    _FREQ + "QUARTERLY": ("trimestral", "quarterly"),
    _FREQ + "ANNUAL": ("anual", "annual"),
}


def term_label(iri: str, lang: str) -> str | None:
    """The site's name for a standard term in ``lang``, or None."""
    names = TERM_LABELS.get(iri)
    if names is None:
        return None
    return names[1] if lang == "en" else names[0]


def translate(key: str, lang: str) -> str:
    """The label ``key`` in ``lang`` (Spanish when missing; the key itself if unknown)."""
    entry = LABELS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry[DEFAULT_LANGUAGE]


def request_language(request: Request) -> str:
    """``?lang=`` first, then the remembered choice, then ``Accept-Language``; else Spanish."""
    for candidate in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)
