"""The remote SPARQL store backend."""
