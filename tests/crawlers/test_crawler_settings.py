from crawler_support import make_settings
from scrapy.settings import Settings as ScrapySettings
from scrapy.utils.misc import load_object

import crawlers.settings as crawler_settings
from crawlers.settings import base_settings, scrapy_settings_for


def test_the_defaults_are_polite():
    assert crawler_settings.ROBOTSTXT_OBEY is True
    assert crawler_settings.CONCURRENT_REQUESTS_PER_DOMAIN == 1
    assert crawler_settings.DOWNLOAD_DELAY == 1
    assert crawler_settings.AUTOTHROTTLE_ENABLED is True
    assert crawler_settings.USER_AGENT.startswith("starwatch/")


def test_pipelines_run_in_the_documented_order_and_all_load():
    pipelines = sorted(crawler_settings.ITEM_PIPELINES.items(), key=lambda pair: pair[1])
    modules = [path.rsplit(".", 2)[1] for path, _ in pipelines]
    assert modules == ["validate", "normalize", "fingerprint", "dedupe", "changes", "handoff"]
    assert [order for _, order in pipelines] == [100, 200, 300, 400, 450, 900]
    for path, _ in pipelines:
        assert callable(load_object(path).from_crawler)


def test_starwatch_crawl_settings_are_mapped_onto_scrapy():
    settings = make_settings(crawl={"download_delay_seconds": 0, "concurrent_requests_per_domain": 2,
                                    "autothrottle": False, "obey_robots_txt": True, "user_agent": "starwatch-test/1"})
    mapped = ScrapySettings(scrapy_settings_for(settings))
    assert mapped.getfloat("DOWNLOAD_DELAY") == 0
    assert mapped.getfloat("AUTOTHROTTLE_START_DELAY") == 0
    assert mapped.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2
    assert mapped.getbool("AUTOTHROTTLE_ENABLED") is False
    assert mapped["USER_AGENT"] == "starwatch-test/1"
    assert mapped["STARWATCH_SETTINGS"] is settings
    assert mapped["ITEM_PIPELINES"] == base_settings()["ITEM_PIPELINES"]
