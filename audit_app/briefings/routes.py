"""Learning briefings: composing, checking for anything that could identify a child, approving,
publishing, and the library of published briefings."""

from flask import Blueprint

bp = Blueprint("briefings", __name__)
