"""Workers: the stage between the crawlers and the store.

Crawlers hand over batches of records (``workers.dispatch.submit_batch``); the workers validate
them, detect their language and score their sentiment (``workers.analysis``), then upsert them
into the store (``workers.ingest``). With ``tasks.mode: celery`` that work runs in Celery worker
processes fed through Redis (``workers.celery_app``, ``workers.tasks``); with ``inprocess`` it
runs in the caller. The logic lives in plain modules; Celery tasks are thin adapters over them.
"""
