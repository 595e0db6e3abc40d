"""`cfn-flowlogs build --config A --config B ... -o DIR`: several templates in one process, each
the same bytes as its own build, all checked (and linted, in one cfn-lint session) before any is
written."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfn_flowlogs.output import linting
from cfn_flowlogs.output.linting import Finding

from ..conftest import ROOT
from ..conftest import run_cli as run

EXAMPLES = ROOT / "examples"
PREFIX = "cfn-flowlogs: error:"


def configs(*names: str) -> list[str]:
    return [arg for name in names for arg in ("--config", str(EXAMPLES / name))]


def test_each_config_is_written_as_its_own_build_writes_it(capsys, tmp_path):
    # GIVEN three example configs WHEN one command builds them into a new directory
    out = tmp_path / "templates" / "new"
    code, stdout, _ = run(
        capsys, "build", *configs("s3.yaml", "firehose.yaml", "cloudwatch-logs.yaml"), "-o", f"{out}/"
    )
    # THEN the directory holds one template per config, named after it, as its own build writes it
    assert (code, stdout) == (0, "")
    assert sorted(p.name for p in out.iterdir()) == ["cloudwatch-logs.yaml", "firehose.yaml", "s3.yaml"]
    for name in ("s3.yaml", "firehose.yaml", "cloudwatch-logs.yaml"):
        single = tmp_path / f"single-{name}"
        assert run(capsys, "build", "--config", str(EXAMPLES / name), "-o", str(single))[0] == 0
        assert (out / name).read_bytes() == single.read_bytes()
        assert (out / name).read_bytes() == (ROOT / "templates/examples" / name).read_bytes()


def test_json_format_names_the_files_json(capsys, tmp_path):
    code, _, _ = run(capsys, "build", *configs("s3.yaml", "firehose.yaml"), "--format", "json", "-o", str(tmp_path))
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["firehose.json", "s3.json"]
    single = tmp_path.parent / "firehose-single.json"
    run(capsys, "build", "--config", str(EXAMPLES / "firehose.yaml"), "-o", str(single))
    assert (tmp_path / "firehose.json").read_bytes() == single.read_bytes()


def test_set_applies_to_every_config(capsys, tmp_path):
    # GIVEN --set traffic_type=REJECT WHEN two configs build THEN both templates take it
    code, _, _ = run(capsys, "build", *configs("s3.yaml", "cloudwatch-logs.yaml"), "--set", "traffic_type=REJECT",
                     "-o", str(tmp_path))  # fmt: skip
    assert code == 0
    for name in ("s3.yaml", "cloudwatch-logs.yaml"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "TrafficType: REJECT" in text and "TrafficType: ALL" not in text


def test_the_archive_command_builds_several_configs_too(capsys, tmp_path):
    (tmp_path / "org.yaml").write_text("organization_id: o-abcd123456\n", encoding="utf-8")
    (tmp_path / "accounts.yaml").write_text("source_account_ids: ['111122223333']\n", encoding="utf-8")
    code, _, _ = run(capsys, "archive", "--config", str(tmp_path / "org.yaml"), "--config",
                     str(tmp_path / "accounts.yaml"), "-o", f"{tmp_path / 'out'}/")  # fmt: skip
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["accounts.yaml", "org.yaml"]


def bad_config(tmp_path: Path) -> list[str]:
    (tmp_path / "bad.yaml").write_text("vpc_id: vpc-0123456789abcdef0\ncloudwatch_log_retention: 4\n", encoding="utf-8")
    return [*configs("s3.yaml"), "--config", str(tmp_path / "bad.yaml"), *configs("firehose.yaml")]


def same_stem(tmp_path: Path) -> list[str]:
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "s3.json").write_text('{"subnet_id": "subnet-0123456789abcdef0"}', encoding="utf-8")
    return [*configs("s3.yaml"), "--config", str(tmp_path / "other" / "s3.json")]


@pytest.mark.parametrize(
    "make_args, output, expected",
    [
        (bad_config, "out/", ["bad.yaml:2: cloudwatch_log_retention: must be one of", "got 4"]),
        (same_stem, "out/", ["s3.yaml and", "s3.json would both write", "s3.yaml"]),
        (lambda tmp: [*configs("s3.yaml"), "--config", str(tmp / "missing.yaml")], "out/",
         ["--config must be a readable file", "missing.yaml"]),
        (lambda tmp: [*configs("s3.yaml", "firehose.yaml"), "--set", "traffic_type=SOME"], "out/",
         ["traffic_type must be one of", 'got "SOME"']),
        (lambda tmp: configs("s3.yaml", "firehose.yaml"), None, ["-o must name the directory"]),
        (lambda tmp: configs("s3.yaml", "firehose.yaml"), "a-file", ["-o must be a directory", "a-file"]),
        (lambda tmp: configs("s3.yaml", "firehose.yaml"), "new-name", ["-o must be a directory", "ending in /"]),
    ],
    ids=["bad-config", "same-stem", "missing-config", "bad-set", "no-output", "output-is-a-file", "output-is-new"],
)  # fmt: skip
def test_bad_input_stops_everything_before_anything_is_written(capsys, tmp_path, make_args, output, expected):
    # GIVEN several configs, one of them (or the output) bad, and an existing file
    args = make_args(tmp_path)
    (tmp_path / "a-file").write_text("keep me", encoding="utf-8")
    before = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    # WHEN they build
    code, out, err = run(capsys, "build", *args, *(["-o", f"{tmp_path}/{output}"] if output else []))
    # THEN one error line names the file and the input, exit 2, and nothing is written
    assert code == 2
    assert out == ""
    assert err.startswith(PREFIX) and len(err.splitlines()) == 1, err
    assert all(part in err for part in expected), err
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == before
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "keep me"


def test_lint_checks_every_template_in_one_session(capsys, tmp_path, monkeypatch):
    # GIVEN a count of the cfn-lint sessions made
    made: list[linting.Session] = []
    original = linting.Session.__init__

    def counted(self, *args, **kwargs):
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(linting.Session, "__init__", counted)
    # WHEN three configs build with --lint
    code, _, err = run(capsys, "build", *configs("s3.yaml", "firehose.yaml", "cloudwatch-logs.yaml"), "--lint",
                       "-o", str(tmp_path))  # fmt: skip
    # THEN one session linted them all, found nothing, and the templates are written
    assert code == 0
    assert len(made) == 1
    assert "cfn-flowlogs: lint: no findings in 3 templates" in err
    assert len(list(tmp_path.iterdir())) == 3


def test_lint_findings_name_their_file_and_nothing_is_written(capsys, tmp_path, monkeypatch):
    # GIVEN cfn-lint finding something in the Firehose template only (its rules are not ours to break)
    real = linting.Session.lint

    def lint(self, template):
        found = real(self, template)
        return [*found, Finding("W9999", "a finding", "Resources/FlowLog")] if "firehose" in str(template) else found

    monkeypatch.setattr(linting.Session, "lint", lint)
    # WHEN two configs build with --lint
    code, _, err = run(capsys, "build", *configs("s3.yaml", "firehose.yaml"), "--lint", "-o", f"{tmp_path / 'out'}/")
    # THEN exit 1, the finding is prefixed by its config file, and no template is written
    assert code == 1
    assert f"cfn-flowlogs: lint: {EXAMPLES / 'firehose.yaml'}: W9999 Resources/FlowLog: a finding" in err
    assert not (tmp_path / "out").exists()
