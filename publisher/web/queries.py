"""The SPARQL the site issues, as named constants (Trifid's query table, minus templating).

IRIs and values are bound through the store's ``bindings`` (pyoxigraph substitutions),
never pasted into the text. pyoxigraph only binds variables that the outer SELECT
projects, and not inside sub-selects: so each query projects its parameters. ``?s`` is
the thing a page is about. The default graph is the union of the named graphs (one per
report, plus the ontology's).
"""

from __future__ import annotations

from publisher.vocab import sparql_prefixes

_P = sparql_prefixes()
#: What names a thing, as in view.LABEL_PREDICATES (a contact by vcard:fn, a source
#: file by its file name).
_LABEL = "(rdfs:label|skos:prefLabel|foaf:name|dct:title|vcard:fn|lotaip:fileName)"

#: Whether the store says anything about ?s, either way.
EXISTS = "ASK { { ?s ?p ?o } UNION { ?x ?q ?s } }"

#: Outgoing triples of ?s with the labels of their objects and predicates.
OUTGOING = (
    _P
    + f"""SELECT ?s ?p ?o ?olabel ?plabel WHERE {{
  ?s ?p ?o .
  OPTIONAL {{ ?o {_LABEL} ?olabel }}
  OPTIONAL {{ ?p rdfs:label ?plabel }}
}}"""
)

#: Whether ?s is typed in the default graph (the current state); a thing only older months
#: state (a superseded report, a dropped target) is then described from ?history instead.
CURRENT = "ASK { ?s a ?type }"

#: OUTGOING, read in the named graph ?history that holds every month's statements.
HISTORY_OUTGOING = (
    _P
    + f"""SELECT ?s ?history ?p ?o ?olabel ?plabel WHERE {{
  GRAPH ?history {{ ?s ?p ?o . OPTIONAL {{ ?o {_LABEL} ?olabel }} }}
  OPTIONAL {{ ?p rdfs:label ?plabel }}
}}"""
)

#: Triples of the blank nodes ?s points at (one level: contact points, quantities).
BLANK_OUTGOING = """SELECT ?s ?b ?p ?o WHERE { ?s ?p0 ?b . FILTER(isBlank(?b)) ?b ?p ?o }"""

#: Incoming links to ?s, with the labels of the linking things (bounded: hubs are big).
#: Not rdf:type (a class page would list every instance) nor lotaip:reportedIn (a report
#: page would list every node of the report: REPORT_UNITS summarises those instead).
INCOMING = (
    _P
    + f"""SELECT ?s ?x ?p ?xlabel ?plabel WHERE {{
  ?x ?p ?s FILTER(!isBlank(?x) && ?p NOT IN (rdf:type, lotaip:reportedIn))
  OPTIONAL {{ ?x {_LABEL} ?xlabel }}
  OPTIONAL {{ ?p rdfs:label ?plabel }}
}} LIMIT 4000"""
)

#: Named graphs (reports) that describe ?s, with their titles and source files (and, for
#: a harvested file, where and when it was downloaded).
SOURCES = (
    _P
    + f"""SELECT DISTINCT ?s ?g ?title ?file ?url ?retrieved WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  OPTIONAL {{ ?g {_LABEL} ?title }}
  OPTIONAL {{ ?g prov:wasDerivedFrom ?src . ?src (lotaip:fileName|rdfs:label|dct:title) ?file }}
  OPTIONAL {{
    ?g prov:wasDerivedFrom ?got . ?got dcat:downloadURL ?url ; prov:generatedAtTime ?retrieved
  }}
}} ORDER BY ?g"""
)

#: What ?s sits directly under (its unit, objective, indicator or institution), with the
#: class and name of that parent. The trail at the top of a page climbs this one step at
#: a time: a "+" path, or a UNION joined with "?up a ?type", took pyoxigraph 20-100 ms
#: (it starts from every typed node); one step with VALUES takes ~0.2 ms.
PARENT = (
    _P
    + """SELECT ?s ?up ?type ?label WHERE {
  VALUES ?p { org:unitOf lotaip:isObjectiveOf lotaip:isIndicatorOf lotaip:isTargetOf }
  ?s ?p ?up .
  ?up a ?type .
  OPTIONAL { ?up rdfs:label ?label }
}"""
)

#: The planning-system link (or why there is none) of an indicator ?s, or of the
#: indicator a target ?s belongs to (numeral 1.3's Enlace column).
PLANNING_LINK = (
    _P
    + """SELECT ?s ?link ?note WHERE {
  ?s lotaip:isTargetOf? ?i .
  OPTIONAL { ?i lotaip:planningSystemLink ?link }
  OPTIONAL { ?i lotaip:planningLinkNote ?note }
  FILTER(BOUND(?link) || BOUND(?note))
} LIMIT 1"""
)

#: Counts for the home page.
COUNTS = (
    _P
    + """SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE {
  VALUES ?class { lotaip:Institution lotaip:AdministrativeUnit lotaip:Objective
                  lotaip:Indicator lotaip:Target lotaip:Report }
  ?x a ?class
} GROUP BY ?class"""
)

#: Institutions with their names and how many reports each published.
INSTITUTIONS = (
    _P
    + f"""SELECT ?i (SAMPLE(?name) AS ?label) (COUNT(DISTINCT ?r) AS ?reports) WHERE {{
  ?i a lotaip:Institution .
  OPTIONAL {{ ?i {_LABEL} ?name }}
  OPTIONAL {{ ?r a lotaip:Report ; dct:publisher ?i }}
}} GROUP BY ?i ORDER BY ?label"""
)

#: Reports of every month (each read in its own graph: the default graph holds only the
#: current ones), newest first, one row each: its Spanish title (which names the month),
#: publisher and date.
REPORTS = (
    _P
    + f"""SELECT ?r (COALESCE(SAMPLE(?es), SAMPLE(?other)) AS ?title) ?issued ?i
  (SAMPLE(?name) AS ?iname) WHERE {{ GRAPH ?r {{
  ?r a lotaip:Report .
  OPTIONAL {{ ?r dct:title ?es FILTER(lang(?es) = "es") }}
  OPTIONAL {{ ?r {_LABEL} ?other }}
  OPTIONAL {{ ?r dct:issued ?issued }}
  OPTIONAL {{ ?r dct:publisher ?i . OPTIONAL {{ ?i {_LABEL} ?name }} }}
}} }} GROUP BY ?r ?issued ?i ORDER BY DESC(?issued) ?r"""
)

# The institution page's tree, one level per query: each is anchored on ?s and fast,
# where one query with nested OPTIONALs and UNIONs took ~30 ms on Loja (~200 ms for the
# percentage targets). ?report (bound to the institution's latest report) keeps what
# that report states: IRIs are stable across months, so the union of every report would
# mix this month's objectives with ones dropped long ago.

#: Units of institution ?s with their process level (units are also classified by
#: function, in another scheme: hence the class test).
INSTITUTION_UNITS = (
    _P
    + """SELECT ?s ?report ?lang ?unit ?uname ?level ?levelLabel WHERE {
  ?s org:hasUnit ?unit . ?unit lotaip:reportedIn ?report .
  OPTIONAL { ?unit rdfs:label ?uname }
  OPTIONAL { ?unit org:classification ?level . ?level a lotaip:ProcessLevel .
             OPTIONAL { ?level skos:prefLabel ?levelLabel FILTER(lang(?levelLabel) = ?lang) } }
}"""
)

#: Objectives of the units of institution ?s.
INSTITUTION_OBJECTIVES = (
    _P
    + """SELECT ?s ?report ?parent ?node ?label WHERE {
  ?s org:hasUnit ?parent . ?parent org:purpose ?node . ?node lotaip:reportedIn ?report .
  OPTIONAL { ?node rdfs:label ?label }
}"""
)

#: Indicators of those objectives.
INSTITUTION_INDICATORS = (
    _P
    + """SELECT ?s ?report ?parent ?node ?label WHERE {
  ?s org:hasUnit ?unit . ?unit org:purpose ?parent . ?parent lotaip:hasIndicator ?node .
  ?node lotaip:reportedIn ?report .
  OPTIONAL { ?node rdfs:label ?label }
}"""
)

#: Targets under those objectives, directly or through an indicator, with value and unit.
INSTITUTION_TARGETS = (
    _P
    + """SELECT ?s ?report ?parent ?node ?label ?value ?unit WHERE {
  ?s org:hasUnit ?u . ?u org:purpose ?objective .
  { ?objective lotaip:hasTarget ?node BIND(?objective AS ?parent) }
  UNION { ?objective lotaip:hasIndicator ?parent . ?parent lotaip:hasTarget ?node }
  ?node lotaip:reportedIn ?report .
  OPTIONAL { ?node rdfs:label ?label }
  OPTIONAL { ?node qudt:numericValue ?value }
  OPTIONAL { ?node qudt:unit ?unit }
}"""
)

#: Units stated in report ?s, with their process level and how many objectives and
#: targets each has there.
REPORT_UNITS = (
    _P
    + """SELECT ?s ?lang ?unit ?uname ?level ?levelLabel
       (COUNT(DISTINCT ?objective) AS ?objectives) (COUNT(DISTINCT ?target) AS ?targets)
WHERE {
  ?unit lotaip:reportedIn ?s ; a lotaip:AdministrativeUnit .
  OPTIONAL { ?unit rdfs:label ?uname }
  OPTIONAL { ?unit org:classification ?level . ?level a lotaip:ProcessLevel ;
             skos:prefLabel ?levelLabel FILTER(lang(?levelLabel) = ?lang) }
  OPTIONAL { ?unit org:purpose ?objective . ?objective lotaip:reportedIn ?s .
             OPTIONAL { ?objective lotaip:hasTarget|lotaip:hasIndicator/lotaip:hasTarget ?target } }
} GROUP BY ?s ?lang ?unit ?uname ?level ?levelLabel"""
)

#: Terms of our vocabulary (?ns bound to the namespace), for /def/.
VOCABULARY_TERMS = (
    _P
    + """SELECT ?lang ?ns ?term ?type ?label ?comment WHERE {
  ?term rdfs:isDefinedBy ?ontology .
  OPTIONAL { ?term a ?type FILTER(?type IN (owl:Class, rdfs:Class, owl:ObjectProperty,
                                          owl:DatatypeProperty, rdf:Property, skos:Concept)) }
  OPTIONAL { ?term rdfs:label ?label FILTER(lang(?label) = ?lang) }
  OPTIONAL { ?term rdfs:comment ?comment FILTER(lang(?comment) = ?lang) }
  FILTER(STRSTARTS(STR(?term), STR(?ns)))
} ORDER BY ?term"""
)

#: Every thing with a page, for the sitemap.
SITEMAP = """SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"""

#: Members of a collection (``/id/institucion/``): things of ?class whose IRI starts with
#: ?prefix, with their names.
COLLECTION_MEMBERS = (
    _P
    + f"""SELECT ?class ?prefix ?member (SAMPLE(?name) AS ?label) WHERE {{
  ?member a ?class FILTER(STRSTARTS(STR(?member), STR(?prefix)))
  OPTIONAL {{ ?member {_LABEL} ?name }}
}} GROUP BY ?class ?prefix ?member ORDER BY ?label ?member"""
)
