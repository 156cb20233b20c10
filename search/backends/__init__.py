"""Store backends: ``sqlite`` (embedded default) and ``elasticsearch``; see ``base.ReviewStore``."""
