"""WSGI entry point: `gunicorn wsgi:app`."""

from audit_app import create_app

app = create_app()
