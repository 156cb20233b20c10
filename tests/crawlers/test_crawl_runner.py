"""Runner checks that happen before any crawl starts (in-process: no reactor is started)."""

import pytest
from crawler_support import make_settings

from crawlers.errors import CrawlConfigError
from crawlers.runner import main, run_crawl, select_sources


def test_loopback_sources_are_refused_unless_allowed():
    settings = make_settings([{"id": "shop", "url": "http://127.0.0.1:8080/avis"}], crawl={"allow_loopback": False})
    with pytest.raises(CrawlConfigError, match="allow_loopback: true"):
        run_crawl(settings, sink=print)


def test_private_sources_are_refused_even_with_loopback_allowed():
    settings = make_settings([{"id": "intranet", "url": "http://10.1.2.3/avis"}])
    with pytest.raises(CrawlConfigError, match="'intranet'.*private"):
        run_crawl(settings, sink=print)


def test_link_local_sources_are_refused():
    settings = make_settings([{"id": "metadata", "url": "http://169.254.169.254/latest/"}])
    with pytest.raises(CrawlConfigError, match="link-local"):
        select_sources(settings, None)


def test_an_unknown_source_id_lists_the_known_ones():
    with pytest.raises(CrawlConfigError, match=r"unknown source id 'nope' \(known: shop\)"):
        run_crawl(make_settings(), ["nope"], sink=print)


def test_all_configured_sources_are_crawled_by_default_and_a_selection_narrows_it():
    settings = make_settings([{"id": "a", "url": "http://127.0.0.1:1/"}, {"id": "b", "url": "http://127.0.0.1:2/"}])
    assert [c.source.id for c in select_sources(settings, None)] == ["a", "b"]
    assert [c.source.id for c in select_sources(settings, ["b", "b"])] == ["b"]


def test_no_configured_source_is_a_config_error():
    from config.settings import Settings

    with pytest.raises(CrawlConfigError, match="no sources to crawl"):
        select_sources(Settings(privacy={"author_salt": "x"}), None)


def test_the_command_line_exits_2_with_the_message_on_a_bad_config(tmp_path, capsys):
    config = tmp_path / "starwatch.yaml"
    config.write_text("entities:\n  - id: cafe\n    name: Café\n    sources:\n"
                      "      - {id: lan, type: schema_org, url: 'http://192.168.0.10/avis'}\n", encoding="utf-8")
    assert main(["--config", str(config), "--output", str(tmp_path / "out.jsonl")]) == 2
    assert "source 'lan' (http://192.168.0.10/avis) refused" in capsys.readouterr().err
