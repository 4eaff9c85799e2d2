"""The theme codebook that lives across audits, and coding an audit's free text to themes."""

from flask import Blueprint

bp = Blueprint("themes", __name__)
