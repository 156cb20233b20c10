"""Data layer: the records (``search.documents``), the store interface and its two backends."""
