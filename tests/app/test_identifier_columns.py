"""No table has a column for a person's direct identifier (name, birth date, address, postcode, NHS
number, telephone, e-mail) unless it is on the allow-list below with the reason it is there.

Both the models and the schema the migrations actually built are checked, so a column added by
a migration alone is caught too.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from audit_app.extensions import db

IDENTIFIER = re.compile(
    r"name|dob|birth|address|postcode|post_code|nhs|surname|forename|first_name|last_name"
    r"|telephone|phone|mobile|email|e_mail"
)

# table.column → why it may hold something that looks like an identifier.
ALLOWED = {
    "users.email": "staff sign in with their work e-mail address; never a child's",
    "users.display_name": "staff names, shown on returns and the audit trail",
    "agencies.name": "an organisation, not a person",
    "agencies.short_name": "an organisation, not a person",
    "agencies.safeguarding_lead_email": "the work address of the agency's safeguarding lead (a post); never a child's",
    "tools.name": "an audit tool's title",
    "themes.name": "a theme of the codebook",
    "recommendation_categories.name": "a category of recommendations",
    "sample_frames.filename": "the name of the imported file, kept to show where the sample came from",
    "rescued_drafts.address_digest": "a keyed digest of a staff member's network address, for the rescue's rate "
    "limit; never a postal address and never the address itself",
}


def identifier_columns(columns: list[tuple[str, str]]) -> set[str]:
    """``table.column`` for each column whose name suggests a direct identifier and is not allowed."""
    return {
        f"{table}.{column}"
        for table, column in columns
        if IDENTIFIER.search(column.lower()) and f"{table}.{column}" not in ALLOWED
    }


def model_columns() -> list[tuple[str, str]]:
    return [(table.name, column.name) for table in db.metadata.sorted_tables for column in table.columns]


def schema_columns(engine: sa.Engine) -> list[tuple[str, str]]:
    inspector = sa.inspect(engine)
    return [(table, column["name"]) for table in inspector.get_table_names() for column in inspector.get_columns(table)]


def test_v14_2_4_no_model_has_a_column_for_a_direct_identifier(ctx):
    """ASVS 5.0 V14.2.4 (privacy controls as documented; classification per V14.1.1): pseudonymous by design."""
    assert identifier_columns(model_columns()) == set()


def test_v14_2_4_the_migrated_schema_has_no_column_for_a_direct_identifier(ctx):
    """ASVS 5.0 V14.2.4: the live schema, so a column that only a migration adds is caught too."""
    columns = schema_columns(db.engine)
    assert len({table for table, _ in columns}) >= len(db.metadata.tables)  # the whole schema was read
    assert identifier_columns(columns) == set()


def test_v14_2_4_the_check_finds_an_identifier_column_added_by_a_migration_only(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE cases (id INTEGER PRIMARY KEY, reference TEXT, child_Surname TEXT,"
            " DateOfBirth TEXT, home_postcode TEXT, NHSNumber TEXT, carer_phone TEXT)"
        )
    found = identifier_columns(schema_columns(engine))
    engine.dispose()
    assert found == {
        "cases.child_Surname",
        "cases.DateOfBirth",
        "cases.home_postcode",
        "cases.NHSNumber",
        "cases.carer_phone",
    }


def test_every_allowed_column_exists_so_the_allow_list_cannot_go_stale(ctx):
    present = {f"{table}.{column}" for table, column in schema_columns(db.engine)}
    assert set(ALLOWED) <= present, set(ALLOWED) - present
