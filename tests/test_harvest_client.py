"""The harvest's HTTP client against a real server on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from portal import Portal, Route, serve

from publisher.harvest.client import Client, ClientOptions, FetchError, check_body

#: Short timeouts and backoff: the suite stays fast; the behaviour is the same.
FAST = ClientOptions(timeout=0.5, delay=0.0, retries=2, backoff=0.01, max_bytes=10_000)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


@pytest.fixture
def portal() -> Iterator[Portal]:
    site = Portal()
    site.file("/robots.txt", b"User-agent: *\nDisallow: /privado/\n", "text/plain")
    site.file("/a4.pdf", PDF, "application/pdf")
    site.file("/flaky.pdf", PDF, "application/pdf", fail_first=2)
    site.file("/down.pdf", PDF, "application/pdf", fail_first=99)
    site.file("/gone.pdf", b"", "text/html", status=404)
    site.file("/slow.pdf", PDF, "application/pdf", delay=2.0)
    site.file("/cut.pdf", PDF, "application/pdf", short=True)
    site.file("/big.pdf", b"%PDF-" + b"x" * 20_000 + b"%%EOF", "application/pdf")
    site.file("/privado/a4.pdf", PDF, "application/pdf")
    site.routes["/moved.pdf"] = Route(redirect="/a4.pdf")
    site.routes["/loop.pdf"] = Route(redirect="/loop.pdf")
    with serve(site) as served:
        yield served


def test_an_unchanged_file_costs_one_304(portal: Portal) -> None:
    client = Client(FAST)
    first = client.get(f"{portal.base}/a4.pdf")
    assert (first.status, first.body, first.media_type) == (200, PDF, "application/pdf")
    again = client.get(f"{portal.base}/a4.pdf", first.etag, first.last_modified)
    assert again.not_modified and again.body == b""
    assert portal.statuses("/a4.pdf") == [200, 304]


def test_5xx_is_retried_until_it_recovers_4xx_is_not(portal: Portal) -> None:
    client = Client(FAST)
    assert client.get(f"{portal.base}/flaky.pdf").body == PDF
    assert portal.statuses("/flaky.pdf") == [500, 500, 200]
    with pytest.raises(FetchError, match=r"HTTP 500 .* after 2 retries"):
        client.get(f"{portal.base}/down.pdf")
    assert portal.statuses("/down.pdf") == [500, 500, 500]
    with pytest.raises(FetchError, match="HTTP 404") as err:
        client.get(f"{portal.base}/gone.pdf")
    assert err.value.status == 404
    assert portal.statuses("/gone.pdf") == [404]  # asked once


def test_a_slow_answer_times_out(portal: Portal) -> None:
    options = ClientOptions(timeout=0.3, delay=0.0, retries=0)
    with pytest.raises(FetchError, match=r"no answer within 0.3 s \(1 tries\)"):
        Client(options).get(f"{portal.base}/slow.pdf")


def test_a_body_shorter_than_its_length_is_an_error(portal: Portal) -> None:
    with pytest.raises(FetchError, match="cut short"):
        Client(ClientOptions(timeout=2, delay=0, retries=0)).get(f"{portal.base}/cut.pdf")


def test_size_limit_redirects_and_robots(portal: Portal) -> None:
    client = Client(FAST)
    with pytest.raises(FetchError, match="more than the limit of 10000"):
        client.get(f"{portal.base}/big.pdf")
    moved = client.get(f"{portal.base}/moved.pdf")
    assert (moved.body, moved.final_url) == (PDF, f"{portal.base}/a4.pdf")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        client.get(f"{portal.base}/loop.pdf")
    with pytest.raises(FetchError, match="robots.txt forbids"):
        client.get(f"{portal.base}/privado/a4.pdf")
    assert portal.statuses("/privado/") == []  # never asked
    assert portal.statuses("/robots.txt") == [200]  # read once per host


def test_requests_to_one_host_are_spaced(portal: Portal) -> None:
    client = Client(ClientOptions(delay=0.3, retries=0))
    started = time.monotonic()
    for _ in range(3):
        client.get(f"{portal.base}/a4.pdf")
    assert time.monotonic() - started >= 0.6  # robots.txt, then 3 GETs 0.3 s apart


def test_robots_txt_unreachable_forbids_the_host() -> None:
    site = Portal()
    site.file("/robots.txt", b"", "text/plain", status=503)
    site.file("/a4.pdf", PDF, "application/pdf")
    with serve(site), pytest.raises(FetchError, match="robots.txt forbids"):
        Client(ClientOptions(delay=0, retries=0)).get(f"{site.base}/a4.pdf")


@pytest.mark.parametrize(
    ("name", "body", "problem"),
    [
        ("a4.pdf", b"<!DOCTYPE html><html><body>Error</body></html>", "HTML page served as .pdf"),
        ("a4.xlsx", b"\n<html><head></head></html>", "HTML page served as .xlsx"),
        ("a4.pdf", b"%PDF-1.4\n1 0 obj", "truncated PDF"),
        ("a4.pdf", b"GIF89a", "not a PDF"),
        ("a4.xlsx", b"PK\x03\x04 and nothing more", "truncated or not a .xlsx"),
        ("a4.xls", b"plain text", "not a .xls"),
        ("a4.csv", b"", "empty file"),
    ],
)
def test_bodies_are_checked_by_content(name: str, body: bytes, problem: str) -> None:
    with pytest.raises(FetchError, match=problem):
        check_body(f"http://x.example/{name}", body)


def test_good_bodies_pass() -> None:
    check_body("http://x.example/a4.pdf", PDF)
    check_body("http://x.example/a4.csv", b"unidad;objetivo\n")
    check_body("http://x.example/a4.html", b"<html><table></table></html>")
