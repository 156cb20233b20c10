"""Which SQLite library the embedded store runs on: a current build when one is installed.

Python's ``sqlite3`` module uses the SQLite of the system it was built on. Debian 12's (3.40) is
compiled without lookaside memory (``OMIT_LOOKASIDE``) and with a soft heap limit, so every small
allocation SQLite makes goes through one lock for the whole process. A search that scores 100,000
matches with bm25 makes a great many of them: with ``pysqlite3-binary`` (the same DB-API module,
built with a bundled, current SQLite and its default options) the same statements ran 30-45 %
faster on the 1M-review benchmark corpus, and two threads of one process no longer wait on each
other. Results and files are the same: both write SQLite file format 4.

``pysqlite3-binary`` ships wheels for Linux on x86-64 only, so ``pyproject.toml`` installs it
there; anywhere else the standard module is used and everything still works, a little slower.
Every SQLite module of the store imports ``sqlite3`` from here, so the exception classes caught
(``sqlite3.OperationalError``...) are those of the library actually in use.

The environment variable ``STARWATCH_SQLITE_LIBRARY=system`` forces Python's own module (to
compare the two, or to rule the bundled one out when chasing a problem); it is read once, at
import, because every connection of a process must come from the same library.
"""

from __future__ import annotations

import os

if os.environ.get("STARWATCH_SQLITE_LIBRARY", "auto").strip().lower() == "system":
    import sqlite3
else:
    try:
        from pysqlite3 import dbapi2 as sqlite3
    except ImportError:  # not Linux x86-64, or not installed: the standard library's module
        import sqlite3

LIBRARY = "pysqlite3" if sqlite3.__name__.startswith("pysqlite3") else "sqlite3"

__all__ = ["LIBRARY", "sqlite3"]
