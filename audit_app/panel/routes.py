"""The multi-agency panel: every agency's return on a case side by side, and what the panel agreed."""

from flask import Blueprint

bp = Blueprint("panel", __name__, url_prefix="/audits")
