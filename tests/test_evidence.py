"""docs/evidence.md covers every statement the templates emit: one table row per Sid, each citing
AWS's page and sentence. A new statement without its evidence fails here, and so does a row whose
statement no template emits any more."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode_str

from cfn_flowlogs import build_archive_template, build_template, to_json
from cfn_flowlogs.config.loading import load_config_file

from .matrix import EXTRAS
from .test_security import every_template

ROOT = Path(__file__).resolve().parents[1]
EVIDENCE = ROOT / "docs/evidence.md"
USER_STATEMENTS = "additional_s3_bucket_policy_statements"  # the input whose keys are the user's Sids

# Another engineer's change adds this statement (the bucket emptier writing its own log group);
# its row may stand before any template emits it, and must be right once one does.
PENDING = frozenset({"WriteFunctionLogs"})

ROW = re.compile(r"^\| `([^`]+)` \|(.*)\|\s*$")


def sids_in(node: Any) -> Iterator[Any]:
    """Every `Sid` value anywhere under `node`, in document order."""
    if isinstance(node, dict):
        if "Sid" in node:
            yield node["Sid"]
        for value in node.values():
            yield from sids_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from sids_in(value)


def user_sids_in(node: Any) -> Iterator[str]:
    """The keys of every `additional_s3_bucket_policy_statements` map under a config `node`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == USER_STATEMENTS and isinstance(value, dict):
                yield from value
            else:
                yield from user_sids_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from user_sids_in(value)


def parsed(name: str, text: str) -> dict[str, Any]:
    if name.endswith((".yaml", ".yml")):
        template, errors = decode_str(text)
        assert not errors, f"{name}: {errors}"
        return template
    return json.loads(text)


def table_rows() -> dict[str, list[str]]:
    """Sid -> the cells after it, for each `| `Sid` | ...` row of docs/evidence.md."""
    rows: dict[str, list[str]] = {}
    for line in EVIDENCE.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            sid, rest = match.groups()
            assert sid not in rows, f"two rows for {sid}"
            rows[sid] = [cell.strip() for cell in rest.split("|")]
    return rows


ROWS = table_rows()


@pytest.fixture(scope="module")
def emitted() -> dict[str, set[str]]:
    """Sid -> the templates that emit it: every template the tests build (shipped, examples,
    matrix, archives), each built and parsed once, plus a fresh build of both parameterized
    templates in case the checked-in ones are stale."""
    texts = every_template()
    texts["fresh-vpc-flow-logs.json"] = to_json(build_template(parameterized=True))
    texts["fresh-flow-logs-archive.json"] = to_json(build_archive_template())
    found: dict[str, set[str]] = {}
    for name, text in texts.items():
        for sid in sids_in(parsed(name, text)):
            assert isinstance(sid, str) and sid, f"{name}: a Sid that is not a literal name: {sid!r}"
            found.setdefault(sid, set()).add(name)
    return found


@pytest.fixture(scope="module")
def user_sids() -> set[str]:
    """The Sids users chose: the matrix EXTRAS' and the example configs' own statements."""
    names = set(user_sids_in(EXTRAS))
    for path in sorted((ROOT / "examples").rglob("*.yaml")):
        names.update(user_sids_in(load_config_file(path)))
    return names


def test_every_template_sid_has_a_row(emitted, user_sids):
    # GIVEN every statement Sid the templates emit, less the ones users named
    ours = set(emitted) - user_sids
    # WHEN they are looked up in docs/evidence.md's table
    missing = {sid: sorted(emitted[sid])[:3] for sid in sorted(ours - set(ROWS))}
    # THEN each has its row (`| `Sid` | where | page | sentence | how |`)
    assert not missing, f"add a row to {EVIDENCE.name} for each (Sid: some templates emitting it): {missing}"


def test_no_row_for_a_sid_no_template_emits(emitted):
    # GIVEN the rows of the table
    documented = set(ROWS)
    # WHEN the statements no template emits are taken out, sparing a pending one not yet emitted
    stale = documented - set(emitted) - (PENDING - set(emitted))
    # THEN nothing is left: every row is about a statement that exists
    assert not stale, f"rows for statements no template emits (remove them from {EVIDENCE.name}): {sorted(stale)}"


def test_user_sids_are_excluded_and_have_no_row(emitted, user_sids):
    # GIVEN the Sids users chose in the matrix EXTRAS and the example configs
    # WHEN they are compared with what the templates emit and with the table
    # THEN they are real (emitted, so the exclusion drops something) and none has a row
    assert {"AllowReaders", "DenyOthers", "AllowAthenaReaders"} <= user_sids
    assert user_sids <= set(emitted), sorted(user_sids - set(emitted))
    assert not user_sids & set(ROWS), sorted(user_sids & set(ROWS))


def test_pending_sid_once_emitted_is_a_template_sid(emitted, user_sids):
    # GIVEN the statement another engineer is adding
    # WHEN templates emit it
    # THEN it has a row like any other (and it is no user's name)
    for sid in PENDING:
        assert sid in ROWS
        assert sid not in user_sids
        if sid not in emitted:
            pytest.skip(f"{sid} is not emitted yet")


@pytest.mark.parametrize("sid", sorted(ROWS))
def test_each_row_names_where_cites_a_page_quotes_a_sentence_and_says_how(sid):
    # GIVEN one row of the table
    cells = ROWS[sid]
    # WHEN its cells are read
    # THEN there are exactly five, with a resource, an https page, a quoted sentence and a line on how
    assert len(cells) == 4, f"{sid}: {len(cells) + 1} cells, want 5 (Sid, where, page, sentence, how)"
    where, page, sentence, how = cells
    assert "`" in where, f"{sid}: name the resource (in backticks) in 'where'"
    assert page.startswith("https://"), f"{sid}: the page must be a URL, got {page[:60]!r}"
    assert sentence.startswith('"') and sentence.count('"') >= 2, f"{sid}: quote AWS's sentence"
    assert how, f"{sid}: say how the template follows it"


def test_the_table_is_not_empty_and_counts_the_known_statements():
    # GIVEN the statements the brief names as current
    known = {
        "AllowVpcFlowLogsToAssume", "DeliverToLogGroup", "AllowLogDeliveryToAssume", "PassToLogDeliveryForTarget",
        "ManageLogDelivery", "AssumeDestinationRole", "EnableRootAccess", "AllowKeyUsers", "AllowCloudWatchLogs",
        "AllowLogDeliveryToEncrypt", "AWSLogDeliveryWrite", "AWSLogDeliveryAclCheck", "DenyInsecureTransport",
        "ListAndDeleteBucket", "DeleteObjects", "AllowLambdaToAssume", "ReadOwnStack", "WriteFunctionLogs",
    }  # fmt: skip
    # WHEN the table is parsed
    # THEN it has a row for each (the row pattern still matches the file's table)
    assert known <= set(ROWS), sorted(known - set(ROWS))
