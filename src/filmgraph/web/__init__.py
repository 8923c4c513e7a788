"""The web layer (Flask only): ``create_app(settings, backend)``, one blueprint per concern.

- :mod:`.protocol`: the SPARQL 1.1 Protocol at ``/sparql`` (queries run in worker processes).
- :mod:`.description`: the Service Description (bare ``GET /sparql``) and VoID.
- :mod:`.explain`: ``/explain``, why a triple holds.
- :mod:`.ops`: ``/health``, ``/metrics``, CORS and the request log.
- :mod:`.graph_store`: the Graph Store Protocol's read side (``/graph``) and ``/export.*``.
- :mod:`.pages`: the query page, entity pages (``/id/``, ``/page/``, ``/data/``), the source
  document and downloads, for people.
- :mod:`.errors`: one handler that renders every error as a plain-text message.
- :mod:`.server`: ``serve()``, the app on uvicorn (:mod:`.connections`: its bounded connections;
  :mod:`.wsgi_bridge`: the Flask app on its threads).
"""

from .app import create_app
from .app_state import state
from .server import check_port, serve

__all__ = ["check_port", "create_app", "serve", "state"]
