"""docs/guides/query.md shows what the command prints: its example's records (the `printf` lines of
its shell block), delivered under the key its `aws s3 cp` names, give the tables it shows.
tests/aws/test_docs.py runs the blocks themselves against the local endpoint; this checks their
output, in-process, over a folder."""

from __future__ import annotations

import gzip
import re
import shlex

from ..conftest import run_cli
from ..docs_blocks import DOCS, blocks

PAGE = DOCS / "guides/query.md"


def shown_after(body_start: str) -> tuple[str, str]:
    """The shell block that starts with `body_start`, and the text block after it."""
    found = blocks(PAGE, "sh", "text")
    index = next(i for i, b in enumerate(found) if b.language == "sh" and b.body.startswith(body_start))
    assert found[index + 1].language == "text"
    return found[index].body, found[index + 1].body


def command(body: str, program: str) -> list[str]:
    """The words of the block's (last) `program` line, continuation lines joined."""
    lines = [line for line in body.replace("\\\n", " ").splitlines() if line.startswith(program)]
    return shlex.split(lines[-1])


def test_the_list_is_what_the_command_prints(capsys, monkeypatch):
    body, shown = shown_after("cfn-flowlogs query --config examples/s3-athena.yaml --list")
    argv = command(body, "cfn-flowlogs")[1:]
    monkeypatch.chdir(DOCS.parent)
    code, out, err = run_cli(capsys, *argv)
    assert (code, err) == (0, "")
    assert out == shown


def test_the_examples_answers_are_what_the_command_prints(tmp_path, capsys, monkeypatch):
    # GIVEN the example's records, config and key, as its shell block writes them
    body, table = shown_after("BUCKET=cfn-flowlogs-query-guide")
    sql_body, csv = shown_after("cat > by-action.sql")
    records = re.findall(r"^  '([^']*)'", body, re.M)
    key = re.search(r'"s3://\$BUCKET/([^"]+)"', body)[1]
    (tmp_path / "bucket" / key).parent.mkdir(parents=True)
    (tmp_path / "bucket" / key).write_bytes(gzip.compress(("\n".join(records) + "\n").encode()))
    config = re.search(r"cat > flows.yaml <<'EOF'\n(.*?)^EOF$", body, re.S | re.M)[1]
    (tmp_path / "flows.yaml").write_text(config, encoding="utf-8")
    sql = re.search(r"cat > by-action.sql <<'EOF'\n(.*?)^EOF$", sql_body, re.S | re.M)[1]
    (tmp_path / "by-action.sql").write_text(sql, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    # WHEN its commands run over a folder holding the same object
    for words, shown in ((command(body, "cfn-flowlogs"), table), (command(sql_body, "cfn-flowlogs"), csv)):
        argv = [str(tmp_path / "bucket") if word == "s3://$BUCKET" else word for word in words[1:]]
        code, out, err = run_cli(capsys, *argv)
        # THEN they print what the page shows
        assert code == 0, err
        assert out == shown
