"""The checks a build must pass: SHACL shapes, SPARQL queries that must return no rows,
quotes that must match the document, and no evaluative words stated as fact
(:mod:`.evaluation`), gathered into a :class:`Report` (:mod:`.report`)."""

from .checks import run_checks
from .report import Report, Violation

__all__ = ["Report", "Violation", "run_checks"]
