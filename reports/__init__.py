"""Briefing renderers: turn plain ``audit_tools.briefing.content`` content into PDF and charts.

Nothing here imports Flask or SQLAlchemy; every function takes dataclasses and
returns bytes or text, so it can be used from a view, the CLI or a test alike.
"""
