"""Keep the garbage collector's full collections off the objects a crawl process keeps to the end.

A crawl runs in a process of its own (``crawlers.runner``, ``crawlers.scheduling``), and by the
time its first spider opens, that process holds everything it will keep until it exits: the
imported modules (Scrapy, Twisted, pydantic, lxml, dateparser, the store backend), the settings,
the open store and the source's crawl history. CPython's full (generation 2) collection walks
all of them each time it runs, and a crawl's per-review allocations trigger several per minute:
in ``benchmarks/crawl_throughput.py`` each one took 75-100 ms on the 2-core benchmark machine.

``freeze_long_lived_objects()`` moves what is alive at that moment into the permanent generation
with ``gc.freeze()``, as the CPython documentation recommends for long-lived startup objects, so
full collections only walk what the crawl itself creates. It acts once per process: the first
crawler's open is when the startup is done; freezing again for every crawler of the process would
also pin the short-lived garbage of the crawls before it. Objects are still freed by reference
counting; only cyclic garbage present at the freeze stays until the process exits, which a crawl
process does soon after. ``gc.unfreeze()`` undoes it. No settings are read.
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_long_lived_objects() -> bool:
    """Freeze the objects alive now, the first time it is called in this process.

    :returns: True when this call froze them, False when an earlier call had.

    Example::

        state = store.get_crawl_state(source_id)  # the last long-lived thing a crawl loads
        freeze_long_lived_objects()
    """
    global _frozen
    if _frozen:
        return False
    gc.freeze()
    _frozen = True
    return True
