"""The ``%%sparql`` cell magic for IPython and Jupyter.

Load it with ``%load_ext filmgraph.analysis.magic``; then a cell::

    %%sparql
    SELECT ?title ?year WHERE { ?film a schema:Movie ; schema:name ?title ;
                                      schema:datePublished ?year }

runs against the built dataset (opened on first use, see
:func:`filmgraph.analysis.open_dataset`) and shows the answer as a DataFrame (a bool for ASK,
an rdflib Graph for CONSTRUCT). On the ``%%sparql`` line, an endpoint URL
(``%%sparql http://127.0.0.1:8000/sparql``) runs the cell there instead, and the name of a
:class:`filmgraph.analysis.Source` variable (``%%sparql fg``) runs it on that source. A query
that cannot be answered is one line of error (``UsageError: malformed query: line 2, ...``),
never a traceback.
"""

from __future__ import annotations

from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.core.magic import Magics, cell_magic, magics_class

from ..core import FilmgraphError
from . import Source, connect, open_dataset


@magics_class
class SparqlMagics(Magics):
    """``%%sparql [URL | VARIABLE]``: the cell's query, answered as a DataFrame."""

    def __init__(self, shell: InteractiveShell) -> None:
        super().__init__(shell)
        self.dataset: Source | None = None  # the built dataset, opened on first use
        self.endpoints: dict[str, Source] = {}

    @cell_magic
    def sparql(self, line: str, cell: str) -> object:
        """Run the cell's SPARQL query on the dataset (no argument), an endpoint (a URL) or
        a Source (the name of a variable); return the DataFrame, bool or Graph."""
        try:
            return self.source(line.strip()).query(cell)
        except FilmgraphError as exc:
            raise UsageError(exc.message) from None

    def source(self, where: str) -> Source:
        """The source a ``%%sparql`` line names."""
        if not where:
            if self.dataset is None:
                self.dataset = open_dataset()
            return self.dataset
        if where.startswith(("http://", "https://")):
            if where not in self.endpoints:
                self.endpoints[where] = connect(where)
            return self.endpoints[where]
        found = self.shell.user_ns.get(where) if self.shell else None
        if isinstance(found, Source):
            return found
        raise UsageError(
            f"%%sparql {where}: not an endpoint URL (http://...) nor a variable holding a "
            "filmgraph Source (from open_dataset() or connect())"
        )


def load_ipython_extension(ipython: InteractiveShell) -> None:
    """``%load_ext filmgraph.analysis.magic``: register ``%%sparql``."""
    ipython.register_magics(SparqlMagics)
