"""User-facing capabilities, one plain function each; every front end calls these, nothing else.

- ``collection.crawl_sources``   collect reviews from configured sources now
- ``mentions.search_mentions``   one search box over every review and mention
- ``comparison.compare_group``   side-by-side ratings of a competitor group
- ``saved_searches.*``           save, list, run and delete named searches; ``saved_search_query`` for rules
- ``indexing.index_status`` / ``indexing.migrate_indices``   the store's indices and their migration
- ``alerting.run_alert_rules``   evaluate alert rules and send the emails
- ``demo.run_demo``              the whole pipeline on bundled data, no services needed
"""
