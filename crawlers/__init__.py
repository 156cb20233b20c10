"""The collection stage: a Scrapy project that gathers public reviews and rating summaries.

Spiders yield raw, as-collected items (``crawlers.items``); the ordered item pipelines validate,
normalise, fingerprint and de-duplicate them, then hand batches of ``search.documents`` records
to the task queue. Nothing here analyses or stores reviews: that is the workers' job.
Run a crawl with ``crawlers.runner.run_crawl`` or ``python -m crawlers.runner --config FILE``.
"""
