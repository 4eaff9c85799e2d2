"""Moderation (issue 21): the coordinator's moderation sample, the moderator's blind grading and the reconcile view."""
