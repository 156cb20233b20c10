"""The rest of the issue's bad-input list, crawled for real: what ``test_crawl_hostile.py`` and the
messy fixture site do not already cover.

- a transfer cut short (the server announces more bytes than it sends, then hangs up):
  what arrived is kept, the page counts as truncated and the listing as incomplete,
- an HTML document that ends inside its second JSON-LD block,
- a JSON "load more" endpoint that answers invalid JSON,
- a page in a language nobody configured, without a ``lang`` attribute to say so, and pages
  in a language their source's ``languages`` does not list (counted, reviews kept),
- one page listing the same review without id twice.

Each source must leave a clear stat or health problem, keep every valid review, and the crawl
must not crash. (Already covered elsewhere: 5xx, timeouts, redirect loops and a 50 MB page in
``test_crawl_hostile.py``; raw control characters in JSON-LD, duplicates with ids, a German page
truncated mid-tag in ``test_crawl_schema_org_messy.py``; invalid JSON per platform parser in
``test_platform_parsers.py``.)
"""

import json

import pytest
from crawler_support import _RecordingHandler, crawl_config, run_crawl_subprocess, serve_directory


def _review(name: str | None, rating, text: str, date: str = "2024-05-02") -> dict:
    review = {"@type": "Review", "reviewRating": {"ratingValue": rating}, "reviewBody": text, "datePublished": date}
    if name:
        review["author"] = name
    return review


def _ld(data) -> str:
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def _business(*reviews: dict) -> dict:
    return {"@context": "https://schema.org", "@type": "LocalBusiness", "name": "Chez Ada",
            "aggregateRating": {"@type": "AggregateRating", "ratingValue": 4, "reviewCount": 40},
            "review": list(reviews)}


CUT_TRANSFER = ('<html lang="fr"><head>' + _ld(_business(_review("Lou", 5, "Parfait, rien à redire."),
                                                           _review("Sam", 4, "Très bon, un peu cher.")))
                + "</head><body>" + "<p>avis</p>" * 2000 + "</body></html>").encode()
CUT_DOCUMENT = ('<!DOCTYPE html><html lang="fr"><head>' + _ld(_business(_review("Lou", 5, "Parfait, rien à redire.")))
                + '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Review", '
                '"author": "Sam", "reviewBody": "Très bon, un p').encode()
LOAD_MORE_FIRST = ('<html lang="fr"><head>' + _ld(_business(_review("Lou", 5, "Parfait, rien à redire."),
                                                              _review("Sam", 4, "Très bon, un peu cher.")))
                   + "</head><body></body></html>").encode()
LOAD_MORE_BROKEN = b'{"reviews": [{"@type": "Review", "author": "Kim", "reviewBody": "Bien'
POLYGLOT = ("<html><head>" + _ld(_business(
    _review("Zofia", 5, "Świetna kawa i bardzo miła obsługa.", "3 dni temu"),
    _review("Bartek", 2, "Zimna kawa, długo czekałem.", "wczoraj"),
    _review("Ola", 4, "Dobre ciasta, drogo.", "2024-04-28"))) + "</head><body><p>Opinie</p></body></html>").encode()
REPEATED = ("<html lang='en'><head>" + _ld(_business(
    _review("Kim", 5, "Lovely brunch, will come back."), _review("Kim", 5, "Lovely brunch, will come back."),
    _review("Ray", 3, "Fine, slow service."))) + "</head><body></body></html>").encode()

PAGES = {"/cut-document": CUT_DOCUMENT, "/more/page-1": LOAD_MORE_FIRST, "/more/api-2.json": LOAD_MORE_BROKEN,
         "/polyglot": POLYGLOT, "/repeated": REPEATED}


class BadInputHandler(_RecordingHandler):
    def do_GET(self):  # noqa: N802 (http.server API)
        self.site.requested_paths.append(self.path)
        try:
            self.answer()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def answer(self):
        if self.path == "/cut-transfer":  # promises the whole page, sends half, hangs up
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(CUT_TRANSFER)))
            self.end_headers()
            self.wfile.write(CUT_TRANSFER[: len(CUT_TRANSFER) // 2])
            self.close_connection = True
            return None
        body = PAGES.get(self.path)
        if body is None:
            return self.send_error(404)
        self.send_response(200)
        kind = "application/json" if self.path.endswith(".json") else "text/html; charset=utf-8"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return self.wfile.write(body)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    site, server = serve_directory(tmp_path_factory.mktemp("empty"), BadInputHandler)
    sources = [
        {"id": "cut-transfer", "url": site.url("/cut-transfer")},
        {"id": "cut-document", "url": site.url("/cut-document"), "languages": ["fr", "en"]},
        {"id": "broken-json", "url": site.url("/more/page-1"), "load_more_url": site.url("/more/api-{page}.json")},
        {"id": "polyglot", "url": site.url("/polyglot"), "languages": ["fr", "en"]},
        {"id": "repeated", "url": site.url("/repeated"), "languages": ["fr"]},
    ]
    try:
        run = run_crawl_subprocess(tmp_path_factory.mktemp("bad-input"), crawl_config(sources))
    finally:
        server.shutdown()
        server.server_close()
    assert run.report is not None, run.stderr[-3000:]
    return run


def _texts(run, source: str) -> list[str]:
    return sorted(r["text"] for r in run.records("reviews") if r["source"] == source)


def test_nothing_crashes(crawl):
    assert {source["source_id"] for source in crawl.report["sources"]} == {
        "cut-transfer", "cut-document", "broken-json", "polyglot", "repeated"}
    assert "Traceback" not in crawl.stderr


def test_a_document_cut_inside_a_json_ld_block_keeps_the_blocks_before_it(crawl):
    report = crawl.source("cut-document")
    assert _texts(crawl, "cut-document") == ["Parfait, rien à redire."]
    assert report["health"] == "degraded"
    assert any("jsonld_invalid" in problem for problem in report["health_problems"])


def test_invalid_json_from_a_load_more_endpoint_keeps_the_first_page_and_is_no_complete_listing(crawl):
    report = crawl.source("broken-json")
    assert _texts(crawl, "broken-json") == ["Parfait, rien à redire.", "Très bon, un peu cher."]
    assert any("json_invalid" in problem for problem in report["health_problems"])
    # The broken answer ended the paging, but the reviews after it were never read: judging
    # deletions on this listing would call them deleted.
    assert report["complete_listing"] is False


def test_a_page_in_an_unexpected_language_keeps_its_reviews_and_counts_the_dates_it_cannot_read(crawl):
    report = crawl.source("polyglot")
    assert len(_texts(crawl, "polyglot")) == 3
    assert report["field_problems"] == {"published_at/invalid": 2}  # "3 dni temu", "wczoraj"
    dated = [r for r in crawl.records("reviews") if r["source"] == "polyglot" and r["published_at"]]
    assert [r["published_at"] for r in dated] == ["2024-04-28T00:00:00Z"]


def test_a_page_in_a_language_the_source_does_not_list_is_counted_and_keeps_its_reviews(crawl):
    # no lang attribute: the language is read from the reviews' text
    assert crawl.source("polyglot")["unexpected_languages"] == {"pl": 1}
    assert len(_texts(crawl, "polyglot")) == 3
    # <html lang="en"> on a source that expects French
    assert crawl.source("repeated")["unexpected_languages"] == {"en": 1}
    assert len(_texts(crawl, "repeated")) == 2
    # <html lang="fr"> on a source that expects French or English; no list at all: no check
    assert crawl.source("cut-document")["unexpected_languages"] == {}
    assert crawl.source("cut-transfer")["unexpected_languages"] == {}


def test_a_review_without_id_listed_twice_on_one_page_is_kept_once(crawl):
    report = crawl.source("repeated")
    assert _texts(crawl, "repeated") == ["Fine, slow service.", "Lovely brunch, will come back."]
    assert report["dropped"] == {"duplicate": 1}


def test_a_transfer_cut_short_keeps_what_arrived_and_names_the_cause(crawl):
    report = crawl.source("cut-transfer")
    assert _texts(crawl, "cut-transfer") == ["Parfait, rien à redire.", "Très bon, un peu cher."]
    assert report["complete_listing"] is False
    assert any("dataloss" in problem.lower() or "truncated" in problem.lower() for problem in report["health_problems"])


def test_a_transfer_cut_short_degrades_the_source_without_failing_it(crawl):
    report = crawl.source("cut-transfer")
    assert report["health"] == "degraded"
    assert not report["errors"]
