"""`cfn-flowlogs query`: the workgroup's questions (or your own Athena SQL), answered on this
machine over the objects delivery wrote, in a folder or in S3.

Exit 0 answered, 2 bad input or an object that cannot be read as the config's format. DuckDB,
sqlglot and boto3 (the `query` extra) are imported only in `run`, by the engine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from typing import Any, Final

from .common import add_config_arguments, add_output_arguments, emit, fail, say, warn

FORMATS: Final = ("table", "csv", "json")
_ARCHIVE_KEYS: Final = ("source_account_ids", "organization_id")  # inputs only an archive config has
_ACCOUNT: Final = r"[0-9]{12}"
_REGION: Final = r"[a-z]{2}(-[a-z]+)+-[0-9]"
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DEFAULT_HOURS: Final = 24
EPILOG = """\
examples:
  cfn-flowlogs query --config examples/s3-athena.yaml --list
  cfn-flowlogs query RejectedBySourceAndPort --config examples/s3.yaml --source s3://example-flow-logs
  cfn-flowlogs query TopTalkers --config flows.yaml --source ./bucket-copy --since 2026-11-30 --until 2026-12-01
  cfn-flowlogs query --config archive.yaml --sql mine.sql --source s3://org-archive --account 111122223333
"""


def add_parser(commands: Any) -> None:
    query = commands.add_parser(
        "query",
        help="answer the query layer's questions (or your Athena SQL) over delivered objects, on this machine",
        description="Run a named query of the config's workgroup (or --sql, your own Athena SQL over the "
        "config's table) with DuckDB over the flow-log objects of a window: in a folder laid out as the "
        "bucket, or in S3. Only the partitions that overlap the window are read; records are kept by their "
        "start time. Exit 0 answered, 2 bad input or an object that is not the config's format.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    query.add_argument("key", nargs="?", metavar="KEY", help="the question's key (see --list)")
    add_config_arguments(query)
    query.add_argument("--list", action="store_true", help="list the questions the config's format can answer")
    query.add_argument("--sql", metavar="FILE", help="run this Athena SQL (it names the config's table) instead of KEY")
    query.add_argument("--source", metavar="PATH", help="a folder laid out as the bucket, or s3://bucket[/prefix]")
    query.add_argument("--since", metavar="WHEN", help="a date or ISO time, UTC unless it says (default: 24 h ago)")
    query.add_argument("--until", metavar="WHEN", help="the window's end, excluded (default: now)")
    query.add_argument("--account", metavar="ID", action="append", default=[],
                       help="an account whose partitions to read (repeatable; default: the caller's, from "
                       "STS, or an archive's source_account_ids)")  # fmt: skip
    query.add_argument("--region", metavar="R", action="append", default=[],
                       help="a region whose partitions to read (repeatable; default: the session's, or an "
                       "archive's source_regions)")  # fmt: skip
    query.add_argument("--format", choices=FORMATS, default=None,
                       help="output format (default: table on a terminal, else json)")  # fmt: skip
    add_output_arguments(query, what="file to write the answer to (default and -: standard output)")
    query.set_defaults(run=run)


def load(args: argparse.Namespace) -> Any:
    """The config: a flow-log config that delivers to S3, or an archive config (it names its sources)."""
    from ..config.archive import ArchiveConfig
    from ..config.flow_logs import FlowLogsConfig
    from ..config.loading import config_from, load_config_file
    from ..errors import ConfigError

    if not args.config:
        raise ConfigError("--config", None, "a flow-log config delivering to S3, or an archive config")
    names = [*load_config_file(args.config, args.module)]
    names += [assignment.partition("=")[0].strip() for assignment in args.assignments]
    kind = ArchiveConfig if any(name in _ARCHIVE_KEYS for name in names) else FlowLogsConfig
    config = config_from(args.config, args.assignments, kind, args.module)
    if isinstance(config, FlowLogsConfig):
        destination = config.log_destination_type
        if destination == "cloud-watch-logs":
            raise ConfigError("log_destination_type", destination, "s3 for query, which reads S3 objects: for "
                              "CloudWatch Logs, use the saved Logs Insights queries (create_logs_insights_queries: "
                              "true) with aws logs start-query (docs/guides/query.md)")  # fmt: skip
        if destination != "s3":
            raise ConfigError("log_destination_type", destination, "s3 for query, which reads the objects VPC Flow "
                              "Logs writes to S3 (Firehose delivers to a destination of its own)")  # fmt: skip
    return config


def when(option: str, text: str) -> dt.datetime:
    """A date (midnight UTC) or an ISO time (UTC unless it names an offset)."""
    from ..errors import ConfigError

    allowed = "a date (2026-11-30) or an ISO time (2026-11-30T12:00:00Z; UTC unless it names an offset)"
    try:
        if _DATE.fullmatch(text):
            return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone.utc)
        moment = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise ConfigError(option, text, allowed) from None
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment.astimezone(dt.timezone.utc)


def window(args: argparse.Namespace, now: dt.datetime | None = None) -> Any:
    from ..errors import ConfigError
    from ..query.engine import Window

    now = now or dt.datetime.now(dt.timezone.utc)
    until = when("--until", args.until) if args.until else now
    since = when("--since", args.since) if args.since else until - dt.timedelta(hours=DEFAULT_HOURS)
    if since >= until:
        raise ConfigError("--until", args.until or until.isoformat(), f"after --since ({since.isoformat()})")
    return Window(since, until)


def _items(option: str, values: list[str], pattern: str, allowed: str) -> tuple[str, ...]:
    from ..errors import ConfigError

    items = tuple(dict.fromkeys(item.strip() for value in values for item in value.split(",")))
    for item in items:
        if not re.fullmatch(pattern, item):
            raise ConfigError(option, item, allowed)
    return items


def scope(args: argparse.Namespace, config: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The accounts and regions whose partitions to read: as given, else the archive's sources,
    else the caller's account (STS) and the session's region."""
    from ..config.archive import ArchiveConfig
    from ..errors import ConfigError

    accounts = _items("--account", args.account, _ACCOUNT, "a 12-digit account ID")
    regions = _items("--region", args.region, _REGION, "a region code like eu-west-1")
    if isinstance(config, ArchiveConfig):
        listed = config.source_account_ids or ()
        for account in accounts:
            if listed and account not in listed:
                raise ConfigError("--account", account, "one of the archive's source_account_ids (its table "
                                  f"projects only those: {', '.join(listed)})")  # fmt: skip
        accounts = accounts or tuple(listed)
        if not accounts:
            raise ConfigError("--account", None, "the accounts to read (the archive takes an organization's: "
                              "its table needs each query to name them)")  # fmt: skip
        regions = regions or tuple(config.source_regions or ())
    if not accounts or not regions:
        from ..query.engine import caller_defaults

        caller, session_region = caller_defaults(not accounts, not regions)
        accounts = accounts or (str(caller),)
        regions = regions or (str(session_region),)
    return accounts, regions


def question(key: str | None, fields: tuple[str, ...]) -> Any:
    """The answer a question gives for these fields, or why it cannot be asked."""
    from ..errors import ConfigError
    from ..query.catalog import QUESTIONS

    answerable = [q.key for q in QUESTIONS if q.answer_for(fields)]
    if key is None:
        raise ConfigError("KEY", None, "a question's key (one of " + ", ".join(answerable) + "), or --sql FILE")
    match = next((q for q in QUESTIONS if q.key == key), None)
    if match is None:
        raise ConfigError("KEY", key, "one of " + ", ".join(answerable))
    answer = match.answer_for(fields)
    if answer is None:
        lacking = sorted({name for a in match.answers for name in a.fields} - set(fields))
        raise ConfigError("KEY", key, f"a question the config's format can answer ({key} needs the fields "
                          f"{', '.join(lacking)}; it answers {', '.join(answerable)})")  # fmt: skip
    return answer


def render(fmt: str, columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    if fmt == "json":
        import json

        return json.dumps([dict(zip(columns, row, strict=True)) for row in rows], indent=2, default=str) + "\n"
    if fmt == "csv":
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return out.getvalue()
    cells = [columns] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    numeric = [all(isinstance(row[i], (int, float)) or row[i] is None for row in rows) for i in range(len(columns))]
    lines = []
    for index, row in enumerate(cells):
        lines.append("  ".join(c.rjust(w) if numeric[i] and index else c.ljust(w)
                               for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip())  # fmt: skip
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from ..errors import ConfigError
    from ..query import engine  # light: its libraries are imported where it uses them
    from ..query.catalog import athena_sql, questions_for

    terminal = (args.output in (None, "-")) and sys.stdout.isatty()
    fmt = args.format or ("table" if terminal else "json")
    try:
        config = load(args)
        shape = config.record_shape
        if args.list:
            given = [(o, v) for o, v in (("KEY", args.key), ("--sql", args.sql), ("--source", args.source)) if v]
            if given:
                raise ConfigError(given[0][0], given[0][1], "left out with --list")
            rows = [(q.key, q.title, ", ".join(a.fields)) for q, a in questions_for(shape.fields)]
            emit(args, render(fmt, ["key", "title", "fields"], rows), inputs=[args.sql] if args.sql else [])
            return 0
        if args.sql and args.key:
            raise ConfigError("--sql", args.sql, "given without KEY (it runs instead of a named query)")
        sql = _read_sql(args.sql) if args.sql else athena_sql(question(args.key, shape.fields), config.glue_table_name)
        if not args.source:
            raise ConfigError("--source", None, "a folder laid out as the bucket, or s3://bucket[/prefix]")
        span = window(args)
        accounts, regions = scope(args, config)
        request = engine.Request(shape, config.glue_table_name, args.source, accounts, regions, span, sql,
                                 named=not args.sql)  # fmt: skip
        result = engine.run(request)
    except ConfigError as error:
        fail(error)
    except ImportError as error:
        if engine.missing_extra(error):
            fail(engine.needs_extra())
        raise
    for note in result.notes:
        warn(note)
    emit(args, render(fmt, result.columns, result.rows), inputs=[args.sql] if args.sql else [])
    say(args, f"query: {len(result.rows)} rows from {result.objects} objects in {result.partitions} partitions of "
              f"[{span.since.isoformat()}, {span.until.isoformat()})")  # fmt: skip
    return 0


def _read_sql(path: str) -> str:
    from ..errors import ConfigError

    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read(1_000_001)
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(
            "--sql", path, f"a readable UTF-8 file ({getattr(error, 'strerror', None) or error})"
        ) from None
