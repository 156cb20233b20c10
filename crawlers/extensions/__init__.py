"""Scrapy extensions: the crawl's bookkeeping (state, review events) and its health verdict."""
