"""``scrapy crawl trustpilot -a source_id=<id>``: a Trustpilot-style business page."""

from crawlers.platforms.trustpilot import TrustpilotReviewSpider


class TrustpilotSpider(TrustpilotReviewSpider):
    name = "trustpilot"
