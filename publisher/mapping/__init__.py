"""Mapping and validation: records to RDF (``mappings/``), checked by SHACL."""
