"""The checks a build must pass: SHACL shapes, SPARQL queries that must return no rows,
quotes that must match the document, and no evaluative words stated as fact
(:mod:`.evaluation`), gathered into a :class:`Report` (:mod:`.report`); and the OWL 2 RL
profile check of an ontology (:mod:`.profile`)."""

from .checks import run_checks
from .profile import RL_DATATYPES, ProfileViolation, rl_profile_violations
from .report import Report, Violation

__all__ = [
    "RL_DATATYPES",
    "ProfileViolation",
    "Report",
    "Violation",
    "rl_profile_violations",
    "run_checks",
]
