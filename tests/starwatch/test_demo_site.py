"""The bundled demo site serves real schema.org markup, paginated, with its planted dip."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import datetime, timezone

from starwatch.demo.site import DemoSite, demo_site, load_demo_data

NOW = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)


def jsonld(html: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    return json.loads(block)


def test_pages_carry_reviews_and_aggregate_and_link_the_next_page():
    site = DemoSite(load_demo_data(), NOW, port=8000)
    status, _, first = site.handle("/cafe-lumiere/reviews")
    assert status == 200
    data = jsonld(first)
    assert data["aggregateRating"]["reviewCount"] == 24
    assert len(data["review"]) == 10
    assert 'rel="next" href="http://127.0.0.1:8000/cafe-lumiere/reviews?page=2"' in first
    _, _, last = site.handle("/cafe-lumiere/reviews?page=3")
    assert 'rel="next"' not in last
    assert site.handle("/cafe-lumiere/reviews?page=4")[0] == 404
    assert site.handle("/cafe-lumiere/reviews?page=x")[0] == 404
    assert site.handle("/nobody/reviews")[0] == 404


def test_the_planted_dip_is_in_the_last_week():
    data = load_demo_data()
    lumiere = next(b for b in data["businesses"] if b["id"] == "cafe-lumiere")
    recent = [r["stars"] for r in lumiere["reviews"] if r["days"] < 7 and isinstance(r["stars"], int)]
    before = [r["stars"] for r in lumiere["reviews"] if 7 <= r["days"] < 37 and isinstance(r["stars"], int)]
    assert len(recent) >= 5 and len(before) >= 5
    assert sum(before) / len(before) - sum(recent) / len(recent) > 1.5


def test_texts_cannot_break_out_of_the_json_ld_script():
    data = load_demo_data()
    data["businesses"][0]["reviews"][0]["text"] = "</script><script>alert(1)</script>"
    site = DemoSite(data, NOW, port=8000)
    _, _, html = site.handle(f"/{data['businesses'][0]['id']}/reviews")
    assert html.count("</script>") == 1
    assert jsonld(html)["review"][0]["reviewBody"] == "</script><script>alert(1)</script>"


def test_served_over_http_with_robots_txt():
    with demo_site(NOW) as site:
        robots = urllib.request.urlopen(f"{site.base_url}/robots.txt").read().decode()
        assert "User-agent: *" in robots
        page = urllib.request.urlopen(site.url_for("bean-there")).read().decode()
        assert jsonld(page)["name"] == "Bean There"
