"""The application layer: user-facing capabilities as plain functions, the CLI, and the demo.

``starwatch.capabilities`` holds one module per capability (collect, search, compare, alerts,
demo). The CLI in ``starwatch.cli`` only parses flags and prints; the REST API and dashboard to
come call the same functions.
"""
