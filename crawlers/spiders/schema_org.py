"""``scrapy crawl schema_org -a source_id=<id>``: any site publishing schema.org reviews."""

from crawlers.platforms.schema_org import SchemaOrgReviewSpider


class SchemaOrgSpider(SchemaOrgReviewSpider):
    name = "schema_org"
