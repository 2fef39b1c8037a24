"""Where published graphs live: the protocol, the embedded store (pyoxigraph),
the remote SPARQL store and the SPARQL text it sends."""
