"""Where published graphs live: the protocols (``Store``, ``BuildStore``), the embedded
store (pyoxigraph) and its loader, the remote SPARQL store and the SPARQL text it sends,
the query engine (``engine``, ``pool``, ``results``) and ``rdftext`` (terms, RDF text).
The only package that imports pyoxigraph (a contract in pyproject.toml)."""
