"""Learning points, recommendations and the action plan that outlives each audit."""

from flask import Blueprint

bp = Blueprint("learning", __name__)
