"""The W3C SPARQL 1.1 tests that describe HTTP exchanges, sent to the real server: the
protocol tests (``protocol/manifest.ttl``), the service description tests
(``service-description/manifest.ttl``) and, over HTTP, the result-format tests (csv-tsv-res,
json-res). Used by tests/test_w3c_protocol.py.

- **Servers** (:func:`serving`): a command that prints ``serving http://127.0.0.1:PORT/sparql``
  once it listens, run in a subprocess and stopped by SIGTERM (then killed). The build is
  served by ``filmgraph serve`` (:data:`browser.FILMGRAPH_SERVE`); a result-format test's
  data by this module run as a script (:func:`serve_test_data`): the app of ``filmgraph
  serve`` (``filmgraph.web.serve``, uvicorn and its query workers) over a backend holding
  only the test's data, in the asserted graph, so that it is the default graph.
- **Protocol requests** (:func:`requests_of`): each ``ht:Request`` of an entry's
  ``mf:action`` (method, path, headers, body in its ``cnt:characterEncoding``) and what its
  ``ht:resp`` expects (``mf:expectedStatus``, ``mf:expectedFormat``,
  ``mf:expectedBoolean``); the path's ``/sparql/`` is the endpoint's ``/sparql``, as the
  manifest's comment asks. :class:`StandIns` adapts a query request to the graphs filmgraph
  holds; :func:`send` sends a request as written (``http.client``: no header added but Host
  and Content-Length); :func:`problem` judges the reply.
- **Runs** (:func:`run_protocol`, :func:`run_service_description`,
  :func:`run_result_format`): each gives a :class:`w3c_suite.Run`, judged on the list of
  expected failures by :func:`w3c_suite.judge`.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import pytest
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

import browser
import w3c_suite as w3c

ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = w3c.SUITE / "protocol" / "manifest.ttl"
SERVICE_DESCRIPTION = w3c.SUITE / "service-description" / "manifest.ttl"

HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

# --- servers ----------------------------------------------------------------------------


@contextlib.contextmanager
def serving(command: Sequence[str], env: Mapping[str, str], log: Path) -> Iterator[str]:
    """:func:`browser.serving` from the project folder, giving only the base URL."""
    with browser.serving(command, env, ROOT, log) as (_, base):
        yield base


def serve_test_data(
    entry: w3c.Entry, store: str, folder: Path
) -> contextlib.AbstractContextManager[str]:
    """The real server over the data of the evaluation test ``entry`` on ``store``
    (``memory`` or ``oxigraph``): the data as filmgraph's build holds it
    (:func:`w3c_suite.filmgraph_dataset`: its default graph in the asserted graph, literals
    as written) written to N-Quads in ``folder`` and served by this module as a script."""
    folder.mkdir(parents=True, exist_ok=True)
    nquads = folder / "data.nq"
    w3c.filmgraph_dataset(entry).serialize(
        destination=str(nquads), format="nquads", encoding="utf-8"
    )
    command = [sys.executable, str(Path(__file__).resolve()), store, str(nquads), str(folder)]
    env = {**os.environ, "FILMGRAPH_WORKERS": "1"}
    return serving(command, env, folder / "stderr.log")


def main(argv: Sequence[str]) -> None:
    """``python tests/w3c_http.py STORE DATA.nq FOLDER``: serve the named graphs of DATA.nq
    on STORE with ``filmgraph.web.serve`` on a free port of 127.0.0.1 (an Oxigraph store is
    written in FOLDER by :func:`filmgraph.store.oxigraph.load_store`, as a build is kept;
    the memory store parses the file as a build's cache is read, literals as written)."""
    from filmgraph import MemoryBackend, OxigraphBackend, Settings
    from filmgraph.core import literals_as_written, new_dataset
    from filmgraph.store.oxigraph import load_store
    from filmgraph.web import serve

    store, nquads, folder = argv
    settings = Settings.from_env(
        root=ROOT, build_dir=Path(folder), store=store, host="127.0.0.1", port=0
    )
    backend: MemoryBackend | OxigraphBackend
    if store == "oxigraph":
        backend = OxigraphBackend(load_store(Path(nquads), settings.oxigraph_dir))
    else:
        dataset = new_dataset()
        with literals_as_written():
            dataset.parse(nquads, format="nquads")
        backend = MemoryBackend(dataset)
    serve(settings, backend, ready=lambda url: print(f"serving {url}", flush=True))


# --- entries ----------------------------------------------------------------------------


def protocol_tests() -> list[w3c.Entry]:
    """The approved entries of the protocol manifest (mf:ProtocolTest)."""
    return [e for e in w3c.read_manifest(PROTOCOL) if e.approved]


def service_description_tests() -> list[w3c.Entry]:
    """The approved entries of the service description manifest (mf:ServiceDescriptionTest)."""
    return [e for e in w3c.read_manifest(SERVICE_DESCRIPTION) if e.approved]


def result_format_tests() -> list[w3c.Entry]:
    """The approved evaluation tests of csv-tsv-res and json-res."""
    return w3c.approved(lambda e: e.is_evaluation and e.category in w3c.FORMAT_CATEGORIES)


@functools.cache
def _manifest(path: Path) -> Graph:
    return Graph().parse(path, format="turtle", publicID=w3c.iri_of(path))


@dataclass(frozen=True)
class Request:
    """One HTTP request of a protocol test, and what its answer must be.

    ``statuses``: the status classes accepted (2 for 2xx ...); ``format``: ``boolean``,
    ``tabular`` or ``RDF`` (the manifest's mf:expectedFormat), or None; ``boolean``: the
    expected ASK answer, or None.
    """

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    statuses: frozenset[int] = frozenset({2, 3})
    format: str | None = None
    boolean: bool | None = None

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def is_update(self) -> bool:
        """An update request: a ``application/sparql-update`` body, or an ``update``
        parameter in the URL or a form body."""
        kind = (self.header("content-type") or "").split(";")[0].strip()
        query = urlsplit(self.path).query
        form = self.body.decode("utf-8", "replace") if self.body else ""
        names = {n for n, _ in parse_qsl(query)} | (
            {n for n, _ in parse_qsl(form)} if kind == _FORM else set()
        )
        return kind == "application/sparql-update" or "update" in names

    def show(self) -> str:
        body = "" if self.body is None else f" {self.body[:120]!r}"
        kind = self.header("content-type")
        return f"{self.method} {unquote(self.path)[:200]}" + (f" [{kind}]" if kind else "") + body


_FORM = "application/x-www-form-urlencoded"
_STATUS = re.compile(r"StatusCode(\d)xx$")


def requests_of(entry: w3c.Entry) -> list[Request]:
    """The requests of the protocol test ``entry``, in their order (``/sparql/`` as
    ``/sparql``)."""
    graph = _manifest(PROTOCOL)
    node = URIRef(entry.iri)
    action = graph.value(node, w3c.MF.action)
    found = []
    for request in Collection(graph, graph.value(action, HT.requests)):
        path = str(graph.value(request, HT.absolutePath))
        assert path.startswith("/sparql/"), path
        headers: list[tuple[str, str]] = []
        listed = graph.value(request, HT.headers)
        if listed is not None:
            for header in Collection(graph, listed):
                headers.append(
                    (
                        str(graph.value(header, HT.fieldName)),
                        str(graph.value(header, HT.fieldValue)),
                    )
                )
        body = None
        content = graph.value(request, HT.body)
        if content is not None:
            encoding = str(graph.value(content, CNT.characterEncoding) or "UTF-8")
            body = str(graph.value(content, CNT.chars)).encode(encoding)
        response = graph.value(request, HT.resp)
        statuses = frozenset(
            int(m[1])
            for s in graph.objects(response, w3c.MF.expectedStatus)
            if (m := _STATUS.search(str(s)))
        )
        fmt = graph.value(response, w3c.MF.expectedFormat)
        boolean = graph.value(response, w3c.MF.expectedBoolean)
        found.append(
            Request(
                method=str(graph.value(request, HT.methodName)),
                path="/sparql" + path.removeprefix("/sparql/"),
                headers=tuple(headers),
                body=body,
                statuses=statuses,
                format=None if fmt is None else str(fmt),
                boolean=None if boolean is None else bool(boolean.toPython()),
            )
        )
    return found


def graph_data_of(entry: w3c.Entry) -> list[str]:
    """The graphs a protocol test says the endpoint holds (``ut:graphData``: their names)."""
    graph = _manifest(PROTOCOL)
    return sorted(
        str(graph.value(item, RDFS.label))
        for item in graph.objects(URIRef(entry.iri), w3c.UT.graphData)
    )


# --- the protocol tests, on filmgraph's graphs -----------------------------------------

#: The example graphs the protocol tests name (their data: each holds one triple,
#: ``<dataN.rdf> a foaf:Document``; data0.rdf holds nothing the tests read).
KASEI = "http://kasei.us/2009/09/sparql/data/"

#: The graph of filmgraph's build standing in for each example graph. data1 and data2 are
#: graphs outside the endpoint's default graph (asserted + inferred + links), so that a
#: default graph made of them holds nothing the endpoint's own default graph holds.
STAND_IN_GRAPHS = {
    "data0.rdf": "wikidata",  # the tests naming it read no data
    "data1.rdf": "ontology",
    "data2.rdf": "provenance",
    "data3.rdf": "asserted",
}

_DOCUMENT = re.compile(r"<" + re.escape(KASEI) + r"(data\d\.rdf)>\s+a\s+\?type\b")
_GRAPH = re.compile(r"<" + re.escape(KASEI) + r"(data\d\.rdf)>")
DATASET_PARAMETERS = ("default-graph-uri", "named-graph-uri")


@dataclass(frozen=True)
class StandIns:
    """The protocol tests' example graphs, as graphs of filmgraph's build.

    ``graphs``: example graph IRI -> our graph IRI; ``typings``: example graph IRI ->
    (subject, class), a typing that our graph holds and no other graph of the build does.
    A query's ``<dataN.rdf> a ?type`` (the example data's one triple) becomes
    ``<subject> a <class>``, and any other ``<dataN.rdf>`` (a graph name: FROM, a dataset
    parameter) our graph's IRI: so the query is true exactly when its dataset holds the
    graphs the test names, in the roles it names them.
    """

    graphs: Mapping[str, str]
    typings: Mapping[str, tuple[str, str]]

    @classmethod
    def of(cls, dataset: Any, graph_iris: Mapping[str, Any]) -> StandIns:
        """The stand-ins in the build ``dataset`` (its graphs ``graph_iris``, name -> IRI)."""
        graphs, typings = {}, {}
        for example, name in STAND_IN_GRAPHS.items():
            ours = graph_iris[name]
            graphs[KASEI + example] = str(ours)
            others = [dataset.graph(g) for n, g in graph_iris.items() if n != name]
            held = sorted(
                (str(s), str(t))
                for s, _, t in dataset.graph(ours).triples((None, RDF.type, None))
                if isinstance(s, URIRef)
                and isinstance(t, URIRef)
                and not any((s, RDF.type, t) in other for other in others)
            )
            if held:
                typings[KASEI + example] = held[0]
        return cls(graphs, typings)

    def text(self, query: str) -> str:
        """A query with the example graphs' data and names replaced by ours."""

        def document(match: re.Match[str]) -> str:
            subject, kind = self.typings[KASEI + match[1]]
            return f"<{subject}> a <{kind}>"

        query = _DOCUMENT.sub(document, query)
        return _GRAPH.sub(lambda m: f"<{self.graphs[KASEI + m[1]]}>", query)

    def _pairs(self, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [
            (
                n,
                self.graphs.get(v, v)
                if n in DATASET_PARAMETERS
                else self.text(v)
                if n == "query"
                else v,
            )
            for n, v in pairs
        ]

    def adapt(self, request: Request) -> Request:
        """``request`` on our graphs; an update, or a request naming no example graph, as
        it is."""
        text = unquote(request.path) + (request.body or b"").decode("utf-8", "replace")
        if request.is_update or KASEI not in text:
            return request
        path, _, query = request.path.partition("?")
        pairs = self._pairs(parse_qsl(query, keep_blank_values=True))
        changed = replace(request, path=f"{path}?{urlencode(pairs, quote_via=quote)}")
        kind = (request.header("content-type") or "").split(";")[0].strip()
        if request.body is not None and kind == _FORM:
            form = parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)
            changed = replace(changed, body=urlencode(self._pairs(form), quote_via=quote).encode())
        elif request.body is not None and kind == "application/sparql-query":
            changed = replace(changed, body=self.text(request.body.decode("utf-8")).encode())
        return changed


def without_last_graph(request: Request) -> Request | None:
    """``request`` with its last dataset parameter (default-graph-uri, named-graph-uri)
    left out of its URL, or None when it has none."""
    path, _, query = request.path.partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    last = [i for i, (n, _) in enumerate(pairs) if n in DATASET_PARAMETERS]
    if not last:
        return None
    del pairs[last[-1]]
    return replace(request, path=f"{path}?{urlencode(pairs, quote_via=quote)}" if pairs else path)


# --- sending and judging ----------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes

    @property
    def mimetype(self) -> str:
        return self.content_type.split(";")[0].strip().lower()

    def show(self) -> str:
        text = " ".join(self.body.decode("utf-8", "replace").split())
        return f"{self.status} [{self.content_type}] {text[:300]}"


def send(base: str, request: Request, timeout: float = 60) -> Reply:
    """Send ``request`` to the server at ``base`` as it is written: its method, path,
    headers and body bytes (``http.client`` adds Host, and Content-Length for a body)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    try:
        connection.request(request.method, request.path, request.body, dict(request.headers))
        response = connection.getresponse()
        return Reply(response.status, response.getheader("Content-Type", ""), response.read())
    finally:
        connection.close()


#: The media types a result of each expected format may come in (the manifest's lists).
FORMAT_TYPES = {
    "boolean": {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml"},
    "tabular": {
        "application/sparql-results+json": "json",
        "application/sparql-results+xml": "xml",
        "text/csv": "csv",
        "text/tab-separated-values": "tsv",
    },
    "RDF": {
        "application/rdf+xml": "xml",
        "text/turtle": "turtle",
        "application/n-triples": "nt",
        "text/plain": "nt",  # N-Triples' old media type
    },
}


def read_answer(reply: Reply, fmt: str) -> w3c.Outcome:
    """The reply's body as the result it holds, read by the media type it came in.

    Raises:
        ValueError: the media type is not one of ``fmt`` (:data:`FORMAT_TYPES`), or the
            body cannot be read in it.
    """
    name = FORMAT_TYPES[fmt].get(reply.mimetype)
    if name is None:
        raise ValueError(
            f"a {fmt} result came as {reply.content_type!r}, not one of "
            f"{', '.join(FORMAT_TYPES[fmt])}"
        )
    if fmt == "RDF":
        return w3c.triples_of(Graph().parse(data=reply.body, format=name))
    if name == "xml":
        return w3c.read_srx(reply.body)
    return w3c.read_body(reply.body, name)


def problem(request: Request, reply: Reply) -> str | None:
    """What is wrong with ``reply`` as the answer to ``request``, or None."""
    if reply.status // 100 not in request.statuses:
        classes = " or ".join(f"{c}xx" for c in sorted(request.statuses))
        return f"expected {classes}, answered {reply.show()}"
    if request.format is None:
        return None
    try:
        answer = read_answer(reply, request.format)
    except Exception as error:  # the body is not what it says
        return f"{type(error).__name__}: {error} [{reply.show()}]"
    if request.format == "boolean" and not isinstance(answer, bool):
        return f"expected a boolean result, got {reply.show()}"
    if request.format == "tabular" and not isinstance(answer, w3c.Solutions):
        return f"expected solutions, got {reply.show()}"
    if request.boolean is not None and answer != request.boolean:
        return f"expected {str(request.boolean).lower()}, answered {reply.show()}"
    return None


def run_protocol(entry: w3c.Entry, base: str, stand_ins: StandIns) -> w3c.Run:
    """Send the requests of the protocol test ``entry`` in order, on our graphs
    (:class:`StandIns`); it fails at the first answer that is not the one expected.

    For a test whose data are graphs it names (``ut:graphData``), each ASK that must be
    true is sent again with its last dataset parameter left out, and must then be false:
    every graph the request names is needed, so an endpoint that ignored the dataset
    parameters would fail."""
    answered = []
    for i, written in enumerate(requests_of(entry), 1):
        request = stand_ins.adapt(written)
        reply = send(base, request)
        found = problem(request, reply)
        if found is not None:
            return w3c.Run(False, f"request {i}: {found} (sent {request.show()})", reply.status)
        answered.append(f"{reply.status} {reply.mimetype}")
        if graph_data_of(entry) and request.boolean is True:
            smaller = without_last_graph(request)
            if smaller is not None:
                control = replace(smaller, boolean=False)
                reply = send(base, control)
                found = problem(control, reply)
                if found is not None:
                    return w3c.Run(
                        False, f"request {i} less a graph: {found} (sent {control.show()})"
                    )
                answered.append(f"{reply.status} false")
    return w3c.Run(True, "answered " + ", ".join(answered))


# --- the service description ------------------------------------------------------------

#: Accept headers the description is asked with, and the media type each must get.
DESCRIPTION_TYPES = {
    None: "text/turtle",
    "*/*": "text/turtle",
    "text/turtle": "text/turtle",
    "application/rdf+xml": "application/rdf+xml",
    "application/n-triples": "application/n-triples",
    "application/ld+json": "application/ld+json",
}
_RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
}

#: The Service Description vocabulary (http://www.w3.org/TR/sparql11-service-description/
#: section 3): its classes, properties and instances.
SD_CLASSES = {
    "Service", "Language", "Function", "Aggregate", "EntailmentRegime", "EntailmentProfile",
    "GraphCollection", "Dataset", "Graph", "NamedGraph", "Feature",
}  # fmt: skip
SD_PROPERTIES = {
    "endpoint", "feature", "defaultEntailmentRegime", "entailmentRegime",
    "defaultSupportedEntailmentProfile", "supportedEntailmentProfile", "extensionFunction",
    "extensionAggregate", "languageExtension", "supportedLanguage", "propertyFeature",
    "defaultDataset", "availableGraphs", "resultFormat", "inputFormat", "defaultGraph",
    "namedGraph", "name", "graph",
}  # fmt: skip
SD_INSTANCES = {
    "SPARQL10Query", "SPARQL11Query", "SPARQL11Update", "DereferencesURIs",
    "UnionDefaultGraph", "RequiresDataset", "EmptyGraphs", "BasicFederatedQuery",
}  # fmt: skip
#: Properties whose subject must be of one of these classes (the vocabulary's domains; an
#: sd:Dataset is an sd:GraphCollection).
SD_DOMAINS = {
    "endpoint": ("Service",), "supportedLanguage": ("Service",), "resultFormat": ("Service",),
    "defaultDataset": ("Service",), "availableGraphs": ("Service",),
    "defaultGraph": ("Dataset",), "namedGraph": ("GraphCollection", "Dataset"),
    "name": ("NamedGraph",), "graph": ("NamedGraph",),
}  # fmt: skip
#: Properties whose object must be of this class (the vocabulary's ranges).
SD_RANGES = {
    "defaultDataset": "Dataset", "defaultGraph": "Graph", "namedGraph": "NamedGraph",
    "graph": "Graph", "availableGraphs": "GraphCollection",
}  # fmt: skip


def get_description(base: str, accept: str | None, host: str | None = None) -> Reply:
    headers = tuple((k, v) for k, v in (("Accept", accept), ("Host", host)) if v is not None)
    return send(base, Request("GET", "/sparql", headers))


def read_description(reply: Reply) -> Graph:
    return Graph().parse(data=reply.body, format=_RDFLIB_FORMATS[reply.mimetype])


def schema_problems(graph: Graph, endpoint: str) -> list[str]:
    """How the description ``graph`` departs from the Service Description vocabulary:
    every ``sd:NamedGraph`` (and every object of ``sd:namedGraph``) has one ``sd:name``, an
    IRI (the W3C validator's check); the service at ``endpoint`` is an ``sd:Service`` with
    that ``sd:endpoint``, supports SPARQL 1.1 Query and names result formats (IRIs); only
    terms of the vocabulary are used, and its domains and ranges are typed."""
    found = []
    named = set(graph.subjects(RDF.type, SD.NamedGraph)) | set(graph.objects(None, SD.namedGraph))
    for node in named:
        names = list(graph.objects(node, SD.name))
        if len(names) != 1 or not isinstance(names[0], URIRef):
            found.append(f"named graph {node} has sd:name {names}, not one IRI")
    service = URIRef(endpoint)
    if (service, RDF.type, SD.Service) not in graph:
        found.append(f"<{endpoint}> is not an sd:Service")
    if (service, SD.endpoint, service) not in graph:
        found.append(f"<{endpoint}> has no sd:endpoint <{endpoint}>")
    if (service, SD.supportedLanguage, SD.SPARQL11Query) not in graph:
        found.append("no sd:supportedLanguage sd:SPARQL11Query")
    formats = list(graph.objects(service, SD.resultFormat))
    if not formats or not all(isinstance(f, URIRef) for f in formats):
        found.append(f"sd:resultFormat {formats}: not IRIs, or none")
    for s, p, o in graph:
        for t in (s, p, o):
            if isinstance(t, URIRef) and str(t).startswith(str(SD)):
                local = str(t)[len(SD) :]
                if local not in SD_CLASSES | SD_PROPERTIES | SD_INSTANCES:
                    found.append(f"{t} is not a term of the vocabulary")
        if not str(p).startswith(str(SD)):
            continue
        local = str(p)[len(SD) :]
        domain = SD_DOMAINS.get(local, ())
        if domain and not any((s, RDF.type, SD[c]) in graph for c in domain):
            found.append(f"subject of sd:{local} not an sd:{' or sd:'.join(domain)}: {s}")
        if local in SD_RANGES and (o, RDF.type, SD[SD_RANGES[local]]) not in graph:
            found.append(f"object of sd:{local} not an sd:{SD_RANGES[local]}: {o}")
    return found


def run_service_description(entry: w3c.Entry, base: str) -> w3c.Run:
    """The service description test ``entry`` on the endpoint at ``base``: a GET of the
    endpoint with no query.

    - ``returns-rdf``: RDF, in the media type asked for by content negotiation (Turtle with
      no Accept header), the same graph in each (:data:`DESCRIPTION_TYPES`);
    - ``has-endpoint-triple``: ``?service sd:endpoint <U>`` for the URL U requested (at
      127.0.0.1, and with the manifest's Host, www.example);
    - ``conforms-to-schema``: :func:`schema_problems` finds none.
    """
    endpoint = base + "/sparql"
    name = entry.id.rsplit("/", 1)[-1]
    if name == "returns-rdf":
        graphs = {}
        for accept, media in DESCRIPTION_TYPES.items():
            reply = get_description(base, accept)
            if reply.status != 200 or reply.mimetype != media:
                return w3c.Run(
                    False,
                    f"Accept {accept}: expected 200 {media}, got {reply.show()}",
                    reply.status,
                )
            try:
                graphs[media] = read_description(reply)
            except Exception as error:  # not the RDF it says
                return w3c.Run(False, f"Accept {accept}: {type(error).__name__}: {error}")
            if len(graphs[media]) == 0:
                return w3c.Run(False, f"Accept {accept}: an empty description")
        turtle = graphs["text/turtle"]
        for media, graph in graphs.items():
            if not isomorphic(turtle, graph):
                return w3c.Run(False, f"{media} gives another graph than text/turtle")
        return w3c.Run(True)
    if name == "has-endpoint-triple":
        for host, url in ((None, endpoint), ("www.example", "http://www.example/sparql")):
            reply = get_description(base, "text/turtle", host)
            if reply.status != 200:
                return w3c.Run(False, f"Host {host}: {reply.show()}", reply.status)
            graph = read_description(reply)
            if not list(graph.subjects(SD.endpoint, URIRef(url))):
                said = sorted(str(o) for o in graph.objects(None, SD.endpoint))
                return w3c.Run(
                    False,
                    f"Host {host}: no ?service sd:endpoint <{url}>; sd:endpoint {said}",
                    reply.status,
                )
        return w3c.Run(True)
    if name == "conforms-to-schema":
        reply = get_description(base, "text/turtle")
        if reply.status != 200:
            return w3c.Run(False, reply.show(), reply.status)
        found = schema_problems(read_description(reply), endpoint)
        return w3c.Run(not found, "; ".join(found[:5]))
    raise ValueError(f"unknown service description test {entry.id}")


# --- the result formats over HTTP -------------------------------------------------------

#: The media type a result-format test asks for (Accept), per format.
RESULT_MEDIA_TYPES = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "json": "application/sparql-results+json",
}


def run_result_format(entry: w3c.Entry, base: str) -> w3c.Run:
    """The result-format test ``entry`` over HTTP: its query sent to the server at ``base``
    (which holds its data as its default graph) with ``BASE <query file>`` (the base the
    evaluation tests use) and the Accept header of the format its result is written in;
    the body read back in that format and compared with the expected result."""
    fmt = entry.result_format
    if fmt is None:
        raise ValueError(f"{entry.id} checks no result format")
    media = RESULT_MEDIA_TYPES[fmt]
    text = f"BASE <{entry.query}>\n{entry.text}"
    request = Request(
        "GET", "/sparql?" + urlencode({"query": text}, quote_via=quote), (("Accept", media),)
    )
    reply = send(base, request)
    if reply.status != 200 or reply.mimetype != media:
        return w3c.Run(False, f"expected 200 {media}, got {reply.show()}", reply.status)
    try:
        got = w3c.read_body(reply.body, fmt)
        difference = w3c.compare(w3c.expected(entry), got, w3c.order_keys(entry.text))
    except Exception as error:  # the body is not what it says
        return w3c.Run(False, f"{type(error).__name__}: {error} [{reply.show()}]")
    return w3c.Run(difference is None, difference or "")


# --- the list of expected failures -------------------------------------------------------


def expected_failures(kind: str) -> dict[str, dict[str, dict[str, Any]]]:
    """The tables ``[kind.STORE]`` of the list of expected failures (none: empty)."""
    return w3c.expected_failures().get(kind, {})


def print_counts(
    request: pytest.FixtureRequest,
    title: str,
    tests: Sequence[w3c.Entry],
    runs: Mapping[tuple[str, str], w3c.Run],
) -> None:
    """Print the passes per category and store on the terminal (when pytest runs in one
    process), like tests/test_w3c_query.py."""
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    stores = [s for s in ("memory", "oxigraph") if any(key[1] == s for key in runs)]
    if reporter is None or capture is None or not stores:
        return
    chosen = [t for t in tests if any((t.id, s) in runs for s in stores)]
    table = w3c.counts(chosen, runs, stores)
    table[0][2:] = [f"store {s}" for s in stores]
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"\n\n{title}:")
        reporter.write_line(w3c.markdown(table))


if __name__ == "__main__":  # run as a script, tests/ is first on the path: w3c_suite imports
    main(sys.argv[1:])
