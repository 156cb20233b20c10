import json

from crawler_support import fixture_page

from crawlers.parsers.schema_org import extract_schema_org, flatten_aggregate, flatten_review

BASE = "http://shop.test/reviews/"


def _jsonld(data) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def _page(*blocks: str, body: str = "") -> str:
    return f"<html lang='en'><head>{''.join(blocks)}</head><body>{body}</body></html>"


def test_reviews_nested_in_a_business_are_found_with_its_aggregate_rating():
    page = extract_schema_org(fixture_page("reviews/page-1.html"), BASE + "page-1.html")
    ids = [flatten_review(r)["external_id"].rsplit("/", 1)[-1] for r in page.reviews]
    assert ids == ["r-101", "r-102", "r-103", "r-104"]
    assert flatten_aggregate(page.aggregate) == {
        "rating_value": "4,2", "rating_best": "5", "rating_worst": None, "rating_count": "31", "review_count": "27",
    }
    assert page.next_url == BASE + "page-2.html"
    assert page.language == "fr"
    assert page.errors == []


def test_microdata_reviews_are_read_like_json_ld():
    page = extract_schema_org(fixture_page("reviews/page-2.html"), BASE + "page-2.html")
    fields = [flatten_review(review) for review in page.reviews]
    assert [f["author_name"] for f in fields] == ["Tom Becker", "Camille Roux", "Lucien Marchand"]
    assert fields[0]["rating_value"] == "3" and fields[0]["language_hint"] == "en"
    assert fields[1]["text"].startswith("Cappuccino tiède")
    assert fields[2]["external_id"] is None and fields[2]["date"] == "il y a 3 jours"
    assert page.aggregate is None
    assert page.next_url == BASE + "page-3.html"  # <a rel="next">


def test_a_broken_json_ld_block_keeps_the_valid_block_next_to_it():
    page = extract_schema_org(fixture_page("reviews/page-3.html"), BASE + "page-3.html")
    authors = [flatten_review(review)["author_name"] for review in page.reviews]
    assert "Grace O'Neill" in authors and "Nobody Should See Me" not in authors
    assert len(page.reviews) == 6
    assert len(page.errors) == 1 and page.errors[0].startswith("jsonld_invalid: block 1 of 2")


def test_top_level_and_graph_reviews_are_found():
    html = _page(
        _jsonld({"@type": "Review", "@id": "r1", "author": "Ann", "reviewBody": "Top"}),
        _jsonld({"@context": "https://schema.org", "@graph": [
            {"@type": "Organization", "name": "Shop"},
            {"@type": ["Review"], "@id": "r2", "author": {"@type": "Person", "name": "Bob"}, "reviewBody": "Graph"},
        ]}),
    )
    page = extract_schema_org(html, BASE)
    assert [flatten_review(review)["external_id"] for review in page.reviews] == ["r1", "r2"]


def test_a_review_list_under_a_product_without_types_still_counts():
    html = _page(_jsonld({"@type": "Product", "reviews": [{"reviewBody": "Untyped", "reviewRating": 4}],
                          "aggregateRating": {"ratingValue": 4, "ratingCount": 1}}))
    page = extract_schema_org(html, BASE)
    assert flatten_review(page.reviews[0])["rating_value"] == 4
    assert flatten_aggregate(page.aggregate)["rating_count"] == 1


def test_the_item_reviewed_inside_a_review_is_not_mistaken_for_the_page_aggregate():
    html = _page(_jsonld({"@type": "Review", "reviewBody": "ok", "itemReviewed": {
        "@type": "Product", "aggregateRating": {"@type": "AggregateRating", "ratingValue": 1}}}))
    page = extract_schema_org(html, BASE)
    assert len(page.reviews) == 1 and page.aggregate is None


def test_authors_as_string_person_or_given_and_family_name():
    html = _page(_jsonld([
        {"@type": "Review", "author": "Ann Lee", "reviewBody": "a"},
        {"@type": "Review", "author": [{"@type": "Person", "name": "Bob"}], "reviewBody": "b"},
        {"@type": "Review", "author": {"givenName": "Élodie", "familyName": "Garnier"}, "reviewBody": "c"},
        {"@type": "Review", "reviewBody": "d"},
    ]))
    authors = [flatten_review(review)["author_name"] for review in extract_schema_org(html, BASE).reviews]
    assert authors == ["Ann Lee", "Bob", "Élodie Garnier", None]


def test_page_relative_ids_are_not_used_as_review_ids():
    html = _page(_jsonld([{"@type": "Review", "@id": "#r3", "reviewBody": "a"},
                          {"@type": "Review", "identifier": {"value": "42"}, "reviewBody": "b"}]))
    ids = [flatten_review(review)["external_id"] for review in extract_schema_org(html, BASE).reviews]
    assert ids == [None, "42"]


def test_next_link_resolves_against_base_href_and_ignores_other_rels():
    links = '<a rel="nofollow" href="/x">x</a><a rel="Next noopener" href="p2">2</a>'
    html = _page('<base href="/archive/">', body=links)
    assert extract_schema_org(html, "http://shop.test/reviews/p1").next_url == "http://shop.test/archive/p2"


def test_no_reviews_and_no_next_page_on_a_plain_page():
    page = extract_schema_org("<html><body><p>Nothing here</p></body></html>", BASE)
    assert (page.reviews, page.aggregate, page.next_url, page.errors) == ([], None, None, [])


def test_an_empty_body_is_an_error_not_an_exception():
    page = extract_schema_org("", BASE)
    assert page.reviews == [] and page.errors[0].startswith("html_invalid")


def test_a_json_ld_block_opened_by_a_comment_is_still_read():
    # plain JSON refuses it; extruct's lenient reader (which drops the comment) takes over
    block = '<script type="application/ld+json">// widget v2\n{"@type": "Review", "reviewBody": "Bon"}</script>'
    page = extract_schema_org(_page(block), BASE)
    assert [flatten_review(review)["text"] for review in page.reviews] == ["Bon"] and page.errors == []


def test_microdata_and_rdfa_are_found_whatever_the_case_of_their_attributes():
    microdata = ('<div ITEMSCOPE ITEMTYPE="https://schema.org/Review"><span itemprop="reviewBody">Micro</span>'
                 '</div>')
    rdfa = ('<div VOCAB="https://schema.org/" TYPEOF="Review"><span property="reviewBody">Rdfa</span></div>')
    page = extract_schema_org(_page(body=microdata + rdfa), BASE)
    assert sorted(flatten_review(review)["text"] for review in page.reviews) == ["Micro", "Rdfa"]


def test_the_words_alone_in_a_text_are_not_markup():
    page = extract_schema_org(_page(body="<p>Our itemscope and typeof tutorial</p>"), BASE)
    assert (page.reviews, page.errors) == ([], [])
