"""`flask tools list | export | import`: scriptable, and an import is all or nothing."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from audit_app.data import tools as tool_data
from audit_app.extensions import db
from audit_tools.tools import load_builtin, parse_definition

NEGLECT = "neglect-multi-agency"
PRACTICE = "neglect-practice-single-agency"


def stored_text(version_id: int) -> str:
    with db.engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT CAST(definition AS TEXT) FROM tool_versions WHERE id = :id"), {"id": version_id}
        ).scalar_one()


def row_counts() -> tuple[int, int, int]:
    """(tools, tool versions, audit events), read outside the test's session."""
    with db.engine.connect() as conn:
        return tuple(
            conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("tools", "tool_versions", "audit_events")
        )


def versions_of(slug: str) -> list[tuple[int, int, str]]:
    with db.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.text(
                    "SELECT v.id, v.version, v.status FROM tool_versions v JOIN tools t ON t.id = v.tool_id "
                    "WHERE t.slug = :slug ORDER BY v.version"
                ),
                {"slug": slug},
            )
        ]


@pytest.fixture
def builtin(ctx):
    versions = tool_data.ensure_builtin_tools()
    db.session.commit()
    return versions


def write(tmp_path, name: str, content) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(json.dumps(content, ensure_ascii=False), "utf-8")
    return str(path)


def builtin_raw(name: str = "neglect_tool.json") -> dict:
    raw, _ = load_builtin(name)
    return json.loads(json.dumps(raw))


# --------------------------------------------------------------------------- list


def test_list_prints_slug_version_status_and_name(runner, builtin):
    tool_data.new_draft_version(builtin[0].tool, None)
    db.session.commit()
    result = runner.invoke(args=["tools", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert sorted(line.split("\t") for line in lines) == sorted(
        [
            [NEGLECT, "1", "published", "Multi-agency neglect case audit"],
            [NEGLECT, "2", "draft", "Multi-agency neglect case audit"],
            [PRACTICE, "1", "published", load_builtin("neglect_practice_tool.json")[1].name],
        ]
    )


def test_list_with_no_tools_prints_nothing(runner, ctx):
    result = runner.invoke(args=["tools", "list"])
    assert result.exit_code == 0 and result.output == ""


# --------------------------------------------------------------------------- export


@pytest.mark.parametrize("slug, index", [(NEGLECT, 0), (PRACTICE, 1)])
def test_export_prints_json_of_the_stored_version(runner, builtin, slug, index):
    result = runner.invoke(args=["tools", "export", slug])
    assert result.exit_code == 0, result.output
    exported = json.loads(result.output)
    version = builtin[index]
    assert parse_definition(exported) == parse_definition(json.loads(stored_text(version.id)))
    assert parse_definition(exported) == tool_data.definition_of(version)
    assert result.output.endswith("}\n")


def test_export_takes_the_latest_published_version_or_the_one_asked_for(runner, builtin):
    draft = tool_data.new_draft_version(builtin[0].tool, None)
    changed = json.loads(stored_text(builtin[0].id))
    changed["description"] = "Only in the draft."
    tool_data.save_draft(draft, changed, None)
    db.session.commit()
    default = json.loads(runner.invoke(args=["tools", "export", NEGLECT]).output)
    assert default.get("description") != "Only in the draft."  # the draft is not published
    result = runner.invoke(args=["tools", "export", NEGLECT, "--version", "2"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["description"] == "Only in the draft."
    assert parse_definition(json.loads(result.output)) == parse_definition(json.loads(stored_text(draft.id)))
    first = runner.invoke(args=["tools", "export", NEGLECT, "--version", "1"])
    assert json.loads(first.output) == default


@pytest.mark.parametrize(
    "args, message",
    [
        (["no-such-tool"], "No tool with the short name 'no-such-tool'"),
        ([NEGLECT, "--version", "7"], f"{NEGLECT} has no version 7"),
    ],
)
def test_export_of_something_missing_fails_with_a_message(runner, builtin, args, message):
    result = runner.invoke(args=["tools", "export", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "{" not in result.output  # no half-written JSON on stdout


def test_export_of_a_tool_with_only_a_draft_fails_without_a_version(runner, ctx):
    raw = builtin_raw()
    raw["slug"] = "draft-only"
    tool_data.create_tool(raw, None)
    db.session.commit()
    result = runner.invoke(args=["tools", "export", "draft-only"])
    assert result.exit_code != 0 and "draft-only has no published version" in result.output
    assert runner.invoke(args=["tools", "export", "draft-only", "--version", "1"]).exit_code == 0


# --------------------------------------------------------------------------- import


def test_import_of_a_good_file_creates_a_draft_tool(runner, builtin, tmp_path):
    raw = builtin_raw("neglect_practice_tool.json")
    raw.update(slug="school-neglect-2027", name="School neglect audit 2027")
    before = row_counts()
    result = runner.invoke(args=["tools", "import", write(tmp_path, "school.json", raw)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Imported school-neglect-2027 as draft version 1. Publish it before use."
    [(version_id, number, status)] = versions_of("school-neglect-2027")
    assert (number, status) == (1, "draft")
    assert parse_definition(json.loads(stored_text(version_id))) == parse_definition(raw)
    assert row_counts()[:2] == (before[0] + 1, before[1] + 1)


def test_import_of_an_existing_slug_adds_a_draft_version_and_keeps_the_published_one(runner, builtin, tmp_path):
    published = stored_text(builtin[0].id)
    raw = json.loads(published)
    raw["sections"][0]["questions"][0]["text"] = "Reworded in another partnership"
    result = runner.invoke(args=["tools", "import", write(tmp_path, "revised.json", raw)])
    assert result.exit_code == 0, result.output
    assert f"Imported {NEGLECT} as draft version 2" in result.output
    assert stored_text(builtin[0].id) == published
    assert [v[1:] for v in versions_of(NEGLECT)] == [(1, "published"), (2, "draft")]
    # While version 2 is a draft, a further import is refused and changes nothing.
    before = row_counts()
    again = runner.invoke(args=["tools", "import", write(tmp_path, "again.json", raw)])
    assert again.exit_code != 0
    assert "Version 2 of Multi-agency neglect case audit is already a draft" in again.output
    assert row_counts() == before


@pytest.mark.parametrize("name", ["neglect_tool.json", "neglect_practice_tool.json"])
def test_export_then_import_gives_an_identical_definition(runner, builtin, tmp_path, name):
    slug = load_builtin(name)[1].slug
    exported = runner.invoke(args=["tools", "export", slug]).output
    result = runner.invoke(args=["tools", "import", write(tmp_path, "exported.json", exported.encode("utf-8"))])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["tools", "export", slug, "--version", "2"]).output == exported


def broken_file() -> tuple[dict, list[str]]:
    raw = builtin_raw()
    raw["slug"] = "broken-tool"
    sections = raw["sections"]
    multiple = next(
        (i, j) for i, s in enumerate(sections) for j, q in enumerate(s["questions"]) if q["type"] == "multiple"
    )
    question = sections[multiple[0]]["questions"][multiple[1]]
    question["options"][1]["value"] = question["options"][0]["value"]
    question["options"][2]["score"] = "high"
    sections[1]["questions"][0]["key"] = "Not A Key"
    sections[2]["questions"][1]["show_if"] = {"question": "q99", "values": ["yes"]}
    sections[4]["questions"].append(dict(sections[4]["questions"][0]))
    raw["schema_version"] = 2
    return raw, [
        "schema_version: expected 1, got 2",
        f"sections[{multiple[0]}].questions[{multiple[1]}].options: duplicate value "
        f'"{question["options"][0]["value"]}"',
        f"sections[{multiple[0]}].questions[{multiple[1]}].options[2].score: must be a number from -100 to 100",
        "sections[1].questions[0].key: must start with a letter",
        f'questions "{sections[2]["questions"][1]["key"]}": show-if refers to unknown key "q99"',
        f'questions "{sections[4]["questions"][0]["key"]}": the key is used more than once',
    ]


def test_import_of_a_broken_file_names_each_problem_and_changes_nothing(runner, builtin, tmp_path):
    raw, problems = broken_file()
    before = row_counts()
    published = stored_text(builtin[0].id)
    result = runner.invoke(args=["tools", "import", write(tmp_path, "broken.json", raw)])
    assert result.exit_code != 0
    assert "broken.json was not imported" in result.output
    for problem in problems:
        assert problem in result.output, (problem, result.output)
    assert row_counts() == before
    assert stored_text(builtin[0].id) == published


def test_import_of_a_broken_version_of_an_existing_tool_changes_nothing(runner, builtin, tmp_path):
    raw, _ = broken_file()
    raw["slug"] = NEGLECT
    before = row_counts()
    result = runner.invoke(args=["tools", "import", write(tmp_path, "broken.json", raw)])
    assert result.exit_code != 0 and "was not imported" in result.output
    assert row_counts() == before
    assert [v[1:] for v in versions_of(NEGLECT)] == [(1, "published")]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"slug: yaml-perhaps\n", "is not a JSON tool file"),
        (b"", "is not a JSON tool file"),
        (b'{"slug": "caf\xe9"}', "is not a JSON tool file"),
        (b'"just a string"', "the definition must be a JSON object"),
    ],
)
def test_import_of_a_file_that_is_not_a_tool_fails_with_a_message(runner, builtin, tmp_path, content, message):
    before = row_counts()
    result = runner.invoke(args=["tools", "import", write(tmp_path, "not-a-tool.json", content)])
    assert result.exit_code != 0
    assert message in result.output
    assert row_counts() == before


def test_import_of_a_missing_file_fails(runner, builtin, tmp_path):
    result = runner.invoke(args=["tools", "import", str(tmp_path / "absent.json")])
    assert result.exit_code != 0 and "absent.json" in result.output
