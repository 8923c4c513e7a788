"""The backend docs/architecture.md adds as its example ("Adding a backend"): the build in an
Oxigraph store in memory, run from the documentation's own code, so that the page stays true.

The page writes it as the module ``src/filmgraph/store/oxigraph_memory.py``; here it is
executed as this module, its relative imports resolved in ``filmgraph.store``, and
``tests/test_architecture.py`` adds its row to ``STORES`` and serves it. Query workers
(spawned processes) import this module again to unpickle its spec.
"""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"

_text = DOCS.read_text(encoding="utf-8")
_found = re.search(r"`src/filmgraph/store/oxigraph_memory.py`:\n\n```python\n(.*?)```", _text, re.S)
if _found is None:
    raise LookupError(f"{DOCS}: no example backend module after 'Adding a backend'")

__package__ = "filmgraph.store"  # the page's module lives there: its relative imports
exec(compile(_found[1], f"{DOCS}#adding-a-backend", "exec"), globals())
