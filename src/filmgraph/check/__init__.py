"""The checks a build must pass: SHACL shapes, SPARQL queries that must return no rows, and
quotes that must match the document, gathered into a :class:`Report`."""

from .checks import Report, Violation, run_checks

__all__ = ["Report", "Violation", "run_checks"]
