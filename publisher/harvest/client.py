"""The harvest's one seam to the web: a polite, robust HTTP client over ``requests``.

What it does, and whose machinery does it:

- retries with exponential backoff on connection errors, read errors and 5xx answers,
  never on 4xx (urllib3's ``Retry``, mounted with ``requests``' ``HTTPAdapter``);
- timeouts on connect and read, and at most ``max_redirects`` redirects (``requests``);
- a truncated body (fewer bytes than ``Content-Length``) is an error (urllib3 enforces the
  length), and so is a body that is not what its name says: an HTML page served as a
  ``.pdf``, a PDF without its end, a spreadsheet that is not a whole ZIP (``check_body``);
- conditional GET: given the ETag and Last-Modified of the copy we hold, an unchanged file
  costs one ``304 Not Modified``;
- robots.txt is honoured (``urllib.robotparser``), its ``Crawl-delay`` too, and requests to
  one host are spaced by ``delay`` seconds: one ``Client`` serves one host at a time;
- a body larger than ``max_bytes`` is refused (by ``Content-Length``, else while reading).

Every failure is a ``FetchError`` naming the URL and saying what happened.
"""

from __future__ import annotations

import io
import threading
import time
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit
from urllib.robotparser import RobotFileParser

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from publisher.errors import PublisherError

USER_AGENT = "lotaip-lod-harvest/0.1 (+https://w3id.org/lotaip)"
#: 5xx answers worth another try; 501 (not implemented) never gets better.
RETRY_STATUSES = (500, 502, 503, 504)
#: Most seconds a robots.txt ``Crawl-delay`` may make us wait between requests.
MAX_CRAWL_DELAY = 30.0
_FORBID_ALL = ["User-agent: *", "Disallow: /"]


class FetchError(PublisherError):
    """A URL that could not be fetched, or whose body is not what it claims to be."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        self.url = url
        self.reason = reason
        self.status = status
        super().__init__(f"{url}: {reason}")


@dataclass(frozen=True)
class ClientOptions:
    """How politely and how patiently to fetch."""

    timeout: float = 30.0  # seconds to connect, and between bytes read
    delay: float = 1.0  # seconds between two requests to one host
    max_bytes: int = 50 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 0.5  # urllib3 waits backoff * 2**(n-1) seconds before retry n
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Fetched:
    """The answer to one GET: a body (200) or "not modified" (304)."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int  # 200 or 304
    body: bytes  # empty on 304
    retrieved: datetime  # when the answer arrived (UTC, whole seconds)
    etag: str | None = None
    last_modified: str | None = None
    media_type: str | None = None  # Content-Type without its parameters

    @property
    def not_modified(self) -> bool:
        """True when the server said our copy is current (304)."""
        return self.status == 304


class Client:
    """One host's polite session. Not shared between threads: make one per host."""

    def __init__(self, options: ClientOptions | None = None) -> None:
        self.options = options or ClientOptions()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = self.options.user_agent
        self.session.max_redirects = self.options.max_redirects
        retry = Retry(
            total=self.options.retries,
            connect=self.options.retries,
            read=self.options.retries,
            status=self.options.retries,
            backoff_factor=self.options.backoff,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,  # the last 5xx answer comes back; we report its status
            respect_retry_after_header=True,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._robots: dict[str, RobotFileParser | None] = {}
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()
        #: Answers received, by status (200, 304, 404, …), for the harvest's figures.
        self.answers: dict[int, int] = {}

    def close(self) -> None:
        """Close the session's connections."""
        self.session.close()

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET ``url``; with ``etag``/``last_modified`` a copy we hold may be "not modified".

        Raises ``FetchError`` for a 4xx/5xx answer, a network failure after the retries,
        robots.txt forbidding the URL, or a body over ``max_bytes``.
        """
        if not self.allowed(url):
            raise FetchError(url, "robots.txt forbids fetching it")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        response = self._send(url, headers)
        with response:
            self.answers[response.status_code] = self.answers.get(response.status_code, 0) + 1
            if response.status_code == 304:
                return self._fetched(url, response, b"")
            if response.status_code >= 400:
                reason = f"HTTP {response.status_code} {response.reason}"
                if response.status_code in RETRY_STATUSES:
                    reason += f" after {self.options.retries} retries"
                raise FetchError(url, reason, response.status_code)
            return self._fetched(url, response, self._read(url, response))

    def _send(self, url: str, headers: dict[str, str]) -> requests.Response:
        self._wait(url)
        timeout = self.options.timeout
        try:
            return self.session.get(url, headers=headers, timeout=timeout, stream=True)
        except requests.TooManyRedirects as err:
            raise FetchError(url, f"more than {self.options.max_redirects} redirects") from err
        except requests.RequestException as err:
            if isinstance(err, requests.Timeout) or "timed out" in str(err):
                tries = f"{self.options.retries + 1} tries"
                raise FetchError(url, f"no answer within {timeout:g} s ({tries})") from err
            raise FetchError(url, f"cannot fetch: {_cause(err)}") from err

    def _read(self, url: str, response: requests.Response) -> bytes:
        """The body, refused past ``max_bytes``; a short body raises (urllib3 checks it)."""
        limit = self.options.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(url, f"{declared} bytes, more than the limit of {limit}")
        body = bytearray()
        try:
            for chunk in response.iter_content(chunk_size=64 * 1024):
                body += chunk
                if len(body) > limit:
                    raise FetchError(url, f"more than the limit of {limit} bytes")
        except requests.RequestException as err:
            raise FetchError(url, f"download cut short ({_cause(err)})") from err
        return bytes(body)

    def _fetched(self, url: str, response: requests.Response, body: bytes) -> Fetched:
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        return Fetched(
            url=url,
            final_url=response.url,
            status=response.status_code,
            body=body,
            retrieved=datetime.now(UTC).replace(microsecond=0),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            media_type=media_type or None,
        )

    # --- politeness -------------------------------------------------------------------
    def allowed(self, url: str) -> bool:
        """True when the host's robots.txt lets us fetch ``url`` (fetched once per host)."""
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        if host not in self._robots:
            self._robots[host] = self._read_robots(host)
        robots = self._robots[host]
        return robots is None or robots.can_fetch(self.options.user_agent, url)

    def _read_robots(self, host: str) -> RobotFileParser | None:
        """The host's rules; None (no rules) when it has no robots.txt.

        As RFC 9309 says: 4xx means no rules; a server error or no answer means
        everything is forbidden (for this run).
        """
        robots = RobotFileParser(f"{host}/robots.txt")
        try:
            response = self._send(f"{host}/robots.txt", {})
        except FetchError:
            robots.parse(_FORBID_ALL)
            return robots
        with response:
            if 400 <= response.status_code < 500:
                return None
            if response.status_code >= 500:
                robots.parse(_FORBID_ALL)
                return robots
            robots.parse(response.text.splitlines())
        return robots

    def _wait(self, url: str) -> None:
        """Sleep until ``delay`` (or the host's Crawl-delay) has passed since its last request."""
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        delay = self.options.delay
        robots = self._robots.get(host)
        if robots is not None:
            crawl = robots.crawl_delay(self.options.user_agent)
            if crawl is not None:
                delay = max(delay, min(float(crawl), MAX_CRAWL_DELAY))
        with self._lock:
            pause = self._last.get(host, 0.0) + delay - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            self._last[host] = time.monotonic()


def _cause(err: BaseException) -> str:
    """What went wrong, on one line: urllib3's reason when it gave up retrying."""
    reason = getattr(err.args[0], "reason", None) if err.args else None
    text = " ".join(str(reason or err).split())
    return text[:200] or type(err).__name__


# --- what a body really is ------------------------------------------------------------------
ZIP_SUFFIXES = frozenset({".xlsx", ".docx", ".ods", ".odt", ".zip"})
OLE_SUFFIXES = frozenset({".xls", ".doc"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".php", ".aspx", ".asp", ".jsp", ""})


def check_body(url: str, body: bytes) -> None:
    """Raise ``FetchError`` when ``body`` is not the kind of file ``url``'s name says.

    Decided by content: HTML where a document was expected (an error or login page served
    with the document's name), a PDF without ``%%EOF`` at its end, a ZIP-based file
    (XLSX, DOCX, ODS) without its central directory: both are what a cut download leaves.
    """
    suffix = PurePosixPath(unquote(urlsplit(url).path)).suffix.lower()
    if not body:
        raise FetchError(url, "empty file")
    if suffix not in HTML_SUFFIXES and looks_like_html(body):
        raise FetchError(url, f"an HTML page served as {suffix or 'a file'}, not the file")
    if suffix == ".pdf":
        if not body.startswith(b"%PDF-"):
            raise FetchError(url, "not a PDF (no %PDF- header)")
        if b"%%EOF" not in body[-2048:]:
            raise FetchError(url, "truncated PDF (no %%EOF at its end)")
    elif suffix in ZIP_SUFFIXES:
        if not zipfile.is_zipfile(io.BytesIO(body)):
            raise FetchError(url, f"truncated or not a {suffix} file (no whole ZIP archive)")
    elif suffix in OLE_SUFFIXES and not body.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise FetchError(url, f"not a {suffix} file (no OLE2 header)")


def looks_like_html(body: bytes) -> bool:
    """True when the first bytes are an HTML document's opening."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
        head.startswith(b"<") and b"<html" in head
    )
