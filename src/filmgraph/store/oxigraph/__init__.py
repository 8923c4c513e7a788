"""The embedded Oxigraph backend."""
