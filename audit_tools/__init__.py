"""The domain: plain data and functions for a multi-agency case audit, with no web framework,
database or forms. Subpackages follow the data's path through an audit year, each importing only
the ones below it (an import-linter contract in pyproject.toml):

    briefing   the learning briefing: content, drafting, sections, disclosure check
    analysis   across returns: aggregation, agreement, suppression, summaries, exports
    learning   themes, the codebook, suggestions, counts and the action plan
    returns    one agency's answers, their rules and scores, the panel's comparison
    sampling   sample frames in, checked and pseudonymised, and the reproducible draw
    tools      the audit tool's definition, its files, editing and differences
    privacy    what could identify a child: disclosure check, names, pseudonyms
    files      bounded JSON, measured workbooks, the spreadsheet-cell guard

and, shared by all: ``text`` (what people type, and wording helpers), ``errors`` (the base of
every refusal), ``merge`` (three-way merge of saved values) and ``password_policy`` (what makes a
password acceptable); ``states`` names the states, roles and question types and holds one transition
table per workflow. Each subpackage re-exports its
public names: import them from the subpackage, not from its modules.
"""
