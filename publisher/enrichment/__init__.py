"""Enrichment: links to the registry, Wikidata and INEC; report quality."""
