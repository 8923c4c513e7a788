"""What the checks found: each :class:`Violation`, gathered into a :class:`Report`."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Violation:
    """One problem: which check found it, on which node, along which path, and why."""

    check: str
    focus: str
    message: str
    path: str = ""
    value: str = ""

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        value = f" (value {self.value})" if self.value else ""
        return f"[{self.check}] {self.focus}{where}: {self.message}{value}"


@dataclass
class Report:
    """The outcome of every check that ran."""

    checks_run: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not self.violations

    def text(self) -> str:
        head = (
            f"{len(self.checks_run)} checks passed"
            if self.conforms
            else f"{len(self.violations)} violation(s) in {len(self.checks_run)} checks:"
        )
        return "\n".join([head, *(f"  {v}" for v in self.violations)])

    def to_json(self) -> str:
        return json.dumps(
            {
                "conforms": self.conforms,
                "checks": self.checks_run,
                "violations": [asdict(v) for v in self.violations],
            },
            indent=2,
            ensure_ascii=False,
        )
