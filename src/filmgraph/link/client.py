"""A small HTTP client for Wikidata's action API and W3C Reconciliation API services.

Every request sends an identifying User-Agent (``filmgraph/<version> (<contact>)``, as
Wikimedia's policy asks), waits at most ``timeout`` seconds for each answer, and on a 429 or
503 waits as ``Retry-After`` says (seconds or an HTTP date; 1, 2, 4 s without one) and tries
again, at most ``retries`` times and never waiting longer than ``max_wait`` at once. Every
failure (unreachable, timed out, an HTTP error, an answer that is not the API's JSON)
becomes an :class:`~filmgraph.core.errors.UpstreamError` naming the URL and the status.

:mod:`.online` turns its answers into candidates.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from ..core import Settings, UpstreamError, unreachable, user_agent

#: How many items one wbgetentities request may ask for (the API's limit).
BATCH = 50


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP date.

    >>> retry_after("2", 0.0), retry_after("Thu, 01 Jan 1970 00:00:05 GMT", 1.0)
    (2.0, 4.0)
    """
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - now)


class WikidataClient:
    """JSON over HTTP from Wikidata's API (``api``) and a reconciliation service.

    Args:
        api: the action API, e.g. https://www.wikidata.org/w/api.php.
        reconcile: a W3C Reconciliation API endpoint, or "" to search with the action API.
        timeout: seconds to wait for each answer.
        contact: a URL or e-mail address for the User-Agent.
        retries: how many times a 429 or 503 is retried.
        max_wait: the longest wait for a retry; a longer ``Retry-After`` is an error.
        sleep, clock, opener: injectable for tests (``time.sleep``, ``time.time``, ``urlopen``).
    """

    def __init__(
        self,
        api: str,
        reconcile: str = "",
        *,
        timeout: float = 10.0,
        contact: str = "https://w3id.org/filmgraph/",
        retries: int = 3,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        opener: Callable[..., Any] = urlopen,
    ) -> None:
        self.api = api
        self.reconcile_url = reconcile
        self.timeout = timeout
        self.user_agent = user_agent(contact)
        self.retries = retries
        self.max_wait = max_wait
        self._sleep, self._clock, self._open = sleep, clock, opener

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> WikidataClient:
        return cls(
            settings.wikidata_api,
            settings.wikidata_reconcile,
            timeout=settings.wikidata_timeout,
            contact=settings.wikidata_contact,
            **kwargs,
        )

    def get_json(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
    ) -> Any:
        """GET ``url`` with ``params`` (or POST ``form``) and parse the JSON answer.

        Raises:
            UpstreamError: unreachable, timed out, an HTTP error (after the retries a 429
                or 503 allows), or an answer that is not JSON.
        """
        full = f"{url}?{urlencode(params)}" if params else url
        data = urlencode(form).encode("utf-8") if form is not None else None
        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        for attempt in range(self.retries + 1):
            try:
                with self._open(
                    Request(full, data=data, headers=headers), timeout=self.timeout
                ) as answer:
                    body = answer.read()
                break
            except HTTPError as exc:
                if exc.code not in (429, 503) or attempt == self.retries:
                    tries = f" after {attempt + 1} tries" if attempt else ""
                    raise UpstreamError(
                        f"{exc.reason or 'HTTP error'}{tries}", full, exc.code
                    ) from exc
                wait = retry_after(exc.headers.get("Retry-After"), self._clock())
                wait = 2.0**attempt if wait is None else wait
                if wait > self.max_wait:
                    message = (
                        f"asked to wait {wait:.0f} s, more than {self.max_wait:.0f}: try later"
                    )
                    raise UpstreamError(message, full, exc.code) from exc
                self._sleep(wait)
            except (OSError, HTTPException) as exc:  # URLError and time-outs too
                raise unreachable(exc, full, self.timeout) from exc
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UpstreamError(f"the answer is not JSON ({exc})", full) from exc

    def _api(self, **params: str) -> dict[str, Any]:
        answer = self.get_json(self.api, {**params, "format": "json"})
        if not isinstance(answer, dict):
            raise UpstreamError("the answer is not a JSON object", self.api)
        if "error" in answer:
            error = answer["error"] if isinstance(answer["error"], dict) else {}
            reason = f"{error.get('code', 'error')}: {error.get('info', '')}".rstrip(": ")
            raise UpstreamError(reason, self.api)
        return answer

    def search(self, text: str, limit: int = 5) -> list[dict[str, Any]]:
        """wbsearchentities: the items whose label or alias matches ``text``, best first."""
        answer = self._api(
            action="wbsearchentities",
            search=text,
            language="en",
            uselang="en",
            type="item",
            limit=str(limit),
        )
        return [hit for hit in answer.get("search", []) if isinstance(hit, dict) and "id" in hit]

    def entities(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """wbgetentities: labels, descriptions, aliases and claims (English), by QID."""
        ids = sorted(set(ids))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), BATCH):
            answer = self._api(
                action="wbgetentities",
                ids="|".join(ids[start : start + BATCH]),
                props="labels|descriptions|aliases|claims",
                languages="en",
            )
            for key, entity in (answer.get("entities") or {}).items():
                if isinstance(entity, dict) and "missing" not in entity:
                    found[key] = entity
        return found

    def reconcile(
        self, queries: Mapping[str, Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        """A batch of reconciliation queries (``{"q0": {"query": ..., "type": ...}}``): the
        results of each, by key."""
        answer = self.get_json(self.reconcile_url, form={"queries": json.dumps(queries)})
        if not isinstance(answer, dict):
            raise UpstreamError("the answer is not a JSON object", self.reconcile_url)
        results = {}
        for key in queries:
            part = answer.get(key)
            hits = part.get("result", []) if isinstance(part, dict) else []
            results[key] = [hit for hit in hits if isinstance(hit, dict) and "id" in hit]
        return results
