"""`cfn-flowlogs query`'s engine: the workgroup's SQL over the delivered objects, on this machine.

The one module of `query/` that imports boto3, duckdb and sqlglot, each inside the function that
needs it: `import cfn_flowlogs` and a build load none of them. DuckDB runs with its extension
autoloading and autoinstalling off: nothing is downloaded at run time (its Parquet, JSON and ICU
code is built into the Python package). S3 objects are fetched with boto3 into a temporary folder.

Athena's reading, done the same way: the objects of the partitions that overlap the window
(found from the delivery prefixes, never by listing the bucket), text columns by position
(space-delimited, the header line skipped, `-` as NULL in number columns) and Parquet columns by
name, the partition columns from each object's prefix. Where Athena would go quiet, this stops
with one line naming the object: an object it cannot read (archived, not gzip, not Parquet), a
header line or a record that is not the config's format, a Parquet column missing or of a type
the table's column cannot read, a window with no object at all.
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import re
import sys
import tempfile
import threading
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TextIO

from ..config.fields import FIELDS, READABLE
from ..config.layout import RecordShape, partition_starts
from ..errors import ConfigError
from .catalog import TODAY_FILTER, column, partition_keys

S3: Final = "s3://"
FETCH_THREADS: Final = 8
# Nothing fetched or loaded at run time: users' CI runners may have no internet.
DUCKDB_CONFIG: Final[dict[str, Any]] = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
_DUCKDB_TYPES: Final = {"int": "INTEGER", "bigint": "BIGINT", "string": "VARCHAR"}
# Parquet's physical types (with the string annotation) as AWS's records pages name them.
_PARQUET_TYPES: Final = {"INT32": "INT_32", "INT64": "INT_64"}
_EXTRA: Final = "pip install 'cfn-flowlogs[query]'"


@dataclass(frozen=True)
class Window:
    """[since, until), UTC."""

    since: dt.datetime
    until: dt.datetime

    def epoch(self) -> tuple[int, int]:
        return int(self.since.timestamp()), int(self.until.timestamp())


@dataclass(frozen=True)
class Request:
    """What to read and ask: the record shape, the table's name, where the objects lie (a folder
    or s3://bucket[/prefix], laid out as the bucket), whose partitions, the window and the SQL."""

    shape: RecordShape
    table: str
    source: str
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    window: Window
    sql: str  # Athena SQL over `table`
    named: bool = True  # the workgroup's named-query SQL: its day filter becomes the window


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    objects: int  # objects read
    partitions: int  # partitions looked in (account x region x day or hour)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Object:
    name: str  # as the user knows it: s3://bucket/key, or the local path
    path: Path  # where it is read from (the temporary copy of an S3 object)
    partition: tuple[str, ...]  # account, region, year, month, day[, hour]


class Progress:
    """`fetched n/total` on one rewritten stderr line when it is a terminal; silent otherwise."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.live = bool(isatty and isatty())

    def update(self, done: int, total: int, size: int) -> None:
        if self.live:
            self.stream.write(f"\r\x1b[Kcfn-flowlogs: query: fetched {done}/{total} objects ({size / 1e6:.1f} MB)")
            self.stream.flush()

    def clear(self) -> None:
        if self.live:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def missing_extra(error: ImportError) -> bool:
    """Whether `error` is one of the query extra's packages missing."""
    return (error.name or "").split(".")[0] in ("duckdb", "sqlglot", "boto3", "botocore")


def needs_extra() -> str:
    return f"query needs duckdb, sqlglot and boto3, which the query extra installs: {_EXTRA}"


def caller_defaults(need_account: bool, need_region: bool) -> tuple[str | None, str | None]:
    """The caller's account (STS GetCallerIdentity) and the session's region, each if asked for."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    session = boto3.session.Session()
    region = session.region_name if need_region else None
    if need_region and not region:
        raise ConfigError("--region", None, "a region (no AWS region is configured: AWS_REGION or a profile's)")
    account = None
    if need_account:
        try:
            account = session.client("sts").get_caller_identity()["Account"]
        except (BotoCoreError, ClientError) as error:
            raise ConfigError(
                "--account", None, f"an account ID (STS could not tell the caller's: {_say(error)})"
            ) from None
    return account, region


def run(request: Request, progress: Progress | None = None) -> Result:
    """Find the window's objects, check them, and run the SQL over them."""
    import duckdb

    progress = progress or Progress()
    # The SQL first: a bad --sql stops before anything is fetched
    sql = duckdb_sql(request.sql, request.table, request.window if request.named else None, request.shape)
    starts = partition_starts(request.window.since, request.window.until, per_hour=request.shape.per_hour)
    partitions = [(a, r, s) for a in request.accounts for r in request.regions for s in starts]
    with tempfile.TemporaryDirectory(prefix="cfn-flowlogs-query-") as cache:
        objects = _find(request, partitions, Path(cache), progress)
        if not objects:
            where = [_where(request, *partitions[0])] + ([f"{len(partitions) - 1} more"] if len(partitions) > 1 else [])
            raise ConfigError("--since/--until", _shown(request.window),
                              f"a window with flow-log objects (none under {', '.join(where)})")  # fmt: skip
        con = duckdb.connect(config=DUCKDB_CONFIG)
        try:
            con.execute("SET TimeZone = 'UTC'")  # Athena's clock: from_unixtime and date_format in UTC
            con.execute("SET enable_progress_bar = false")  # stderr: one line per problem, our progress
            notes = _create_view(con, request, objects)
            try:
                cursor = con.execute(sql)
                rows = cursor.fetchall()
            except duckdb.Error as error:
                raise _record_error(con, error, objects, request.shape) from None
            columns = [d[0] for d in cursor.description or []]
        finally:
            con.close()
    return Result(columns, rows, len(objects), len(partitions), notes)


# --- finding and fetching the objects -------------------------------------------------------------


def _where(request: Request, account: str, region: str, start: dt.datetime) -> str:
    return _root(request.source) + request.shape.prefix(account, region, start)


def _root(source: str) -> str:
    """The source with a trailing `/`: the bucket's root (or a copy of it under a prefix)."""
    return source if source.endswith("/") else source + "/"


def _find(request: Request, partitions: list[Any], cache: Path, progress: Progress) -> list[_Object]:
    if request.source.startswith(S3):
        return _find_s3(request, partitions, cache, progress)
    root = Path(request.source)
    if not root.is_dir():
        raise ConfigError("--source", request.source, "a folder laid out as delivery writes the bucket, or "
                          "s3://bucket[/prefix]")  # fmt: skip
    found = []
    for account, region, start in partitions:
        folder = root / request.shape.prefix(account, region, start)
        if folder.is_dir():
            values = _partition(account, region, start, request.shape.per_hour)
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                if entry.is_file():
                    found.append(_Object(entry.path, Path(entry.path), values))
    return found


def _partition(account: str, region: str, start: dt.datetime, per_hour: bool) -> tuple[str, ...]:
    hour = (f"{start.hour:02d}",) if per_hour else ()
    return (account, region, f"{start.year:04d}", f"{start.month:02d}", f"{start.day:02d}", *hour)


def _find_s3(request: Request, partitions: list[Any], cache: Path, progress: Progress) -> list[_Object]:
    """List each partition's prefix (one level: the objects in it), then fetch them concurrently."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, _, base = request.source[len(S3) :].partition("/")
    base = base.strip("/") + "/" if base.strip("/") else ""
    client = boto3.session.Session().client("s3")
    listed: list[tuple[str, str, tuple[str, ...]]] = []  # key, storage class, partition
    try:
        paginator = client.get_paginator("list_objects_v2")
        for account, region, start in partitions:
            prefix = base + request.shape.prefix(account, region, start)
            values = _partition(account, region, start, request.shape.per_hour)
            for page in paginator.paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
                for item in page.get("Contents", []):
                    if item["Key"].endswith("/"):
                        continue  # a "folder" marker, no data
                    listed.append((item["Key"], item.get("StorageClass", "STANDARD"), values))
    except (BotoCoreError, ClientError) as error:
        raise ConfigError("--source", request.source, f"a bucket these credentials can list ({_say(error)})") from None
    done = [0, 0]  # objects, bytes
    lock = threading.Lock()

    def fetch(index: int, key: str, storage_class: str) -> Path:
        path = cache / f"{index:06d}"
        try:
            response = client.get_object(Bucket=bucket, Key=key)
            with path.open("wb") as out:
                for chunk in response["Body"].iter_chunks(1 << 20):
                    out.write(chunk)
        except (BotoCoreError, ClientError) as error:
            code = getattr(error, "response", {}).get("Error", {}).get("Code")
            if code == "InvalidObjectState":  # archived and not restored: Athena skips it without a word
                raise _archived(f"{S3}{bucket}/{key}", storage_class) from None
            raise ConfigError(
                f"{S3}{bucket}/{key}", None, f"an object these credentials can read ({_say(error)})"
            ) from None
        with lock:
            done[0] += 1
            done[1] += path.stat().st_size
            progress.update(done[0], len(listed), done[1])
        return path

    try:
        with ThreadPoolExecutor(FETCH_THREADS) as pool:
            keys, classes = [key for key, _, _ in listed], [kind for _, kind, _ in listed]
            paths = list(pool.map(fetch, range(len(listed)), keys, classes))
    finally:
        progress.clear()
    return [_Object(f"{S3}{bucket}/{key}", path, values) for (key, _, values), path in zip(listed, paths, strict=True)]


def _archived(name: str, storage_class: str) -> ConfigError:
    return ConfigError(name, storage_class, "readable: it is archived and not restored, and Athena skips such "
                       "objects without an error (restore it: docs/guides/query.md)")  # fmt: skip


def _say(error: Exception) -> str:
    info = getattr(error, "response", {}).get("Error", {})
    text = f"{info.get('Code')}: {info.get('Message', '')}" if info else f"{type(error).__name__}: {error}"
    return " ".join(text.split()).rstrip(": ")


def _shown(window: Window) -> str:
    return f"[{window.since.isoformat()}, {window.until.isoformat()})"


# --- the table, as Athena reads it ------------------------------------------------------------------


def _create_view(con: Any, request: Request, objects: list[_Object]) -> list[str]:
    """The table as a view: one branch per partition, its values as constant columns, each row a
    record of the window (by `start`, when the format records it)."""
    shape = request.shape
    columns = [(column(name), FIELDS[name].athena_type) for name in shape.fields]
    check = _check_parquet if shape.parquet else _check_text
    check(con, shape, objects)
    by_partition: dict[tuple[str, ...], list[_Object]] = {}
    for obj in objects:
        by_partition.setdefault(obj.partition, []).append(obj)
    keys = partition_keys(shape.per_hour)
    notes = []
    where = ""
    if "start" in shape.fields:
        since, until = request.window.epoch()
        where = f' WHERE "start" >= {since} AND "start" < {until}'
    else:
        notes.append("the format records no start: every record of the window's partitions is kept")
    branches = []
    for values, group in by_partition.items():
        files = _list_literal([str(obj.path) for obj in group])
        constants = ", ".join(f"{_quote(v)} AS {_ident(k)}" for k, v in zip(keys, values, strict=True))
        if shape.parquet:
            select = ", ".join(f"CAST({_ident(c)} AS {_DUCKDB_TYPES[t]}) AS {_ident(c)}" for c, t in columns)
            source = f"read_parquet({files})"
        else:  # `-` is NULL in a number column and stays `-` in a text one, as LazySimpleSerDe reads it
            select = ", ".join(
                f"coalesce({_ident(c)}, '-') AS {_ident(c)}" if t == "string" else _ident(c) for c, t in columns
            )
            source = _read_text(files, columns)
        branches.append(f"SELECT {select}, {constants} FROM {source}{where}")
    con.execute(f"CREATE TEMP VIEW {_ident(request.table)} AS " + " UNION ALL ".join(branches))
    return notes


def _read_text(files: str, columns: list[tuple[str, str]]) -> str:
    types = ", ".join(f"{_quote(c)}: {_quote(_DUCKDB_TYPES[t])}" for c, t in columns)
    return (
        f"read_csv({files}, delim=' ', header=true, columns={{{types}}}, nullstr='-', quote='', escape='', "
        "compression='gzip', strict_mode=true, auto_detect=false, new_line='\\n')"
    )


def _check_text(con: Any, shape: RecordShape, objects: list[_Object]) -> None:
    """Each object is gzip'd text whose first line names the format's fields (AWS's header line)."""
    header = " ".join(shape.fields)
    for obj in objects:
        try:
            with gzip.open(obj.path, "rt", encoding="utf-8", newline="\n") as text:
                first = text.readline().rstrip("\n")
        except (OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
            raise ConfigError(obj.name, f"{type(error).__name__}: {error}", "gzip'd flow-log text") from None
        if first != header:
            raise ConfigError(
                f"{obj.name} line 1", _clip(first), f"the header line of the config's format ({header!r})"
            )


def _check_parquet(con: Any, shape: RecordShape, objects: list[_Object]) -> None:
    """Each object is Parquet with a column for every field, of a type its table column reads."""
    import duckdb

    by_path = {str(obj.path): obj for obj in objects}
    query = "SELECT file_name, name, type, converted_type, logical_type FROM parquet_schema(?)"
    try:
        rows = con.execute(query, [list(by_path)]).fetchall()
    except duckdb.Error as error:  # which object: read each footer alone
        for path, obj in by_path.items():
            try:
                con.execute(query, [[path]]).fetchall()
            except duckdb.Error as alone:
                raise ConfigError(obj.name, _first_line(alone), "a Parquet file") from None
        raise ConfigError("--source", _first_line(error), "Parquet files") from None
    found: dict[str, dict[str, str]] = {path: {} for path in by_path}
    for path, name, physical, converted, logical in rows:
        text = physical == "BYTE_ARRAY" and (converted == "UTF8" or str(logical).startswith("StringType"))
        found[path][name] = "STRING" if text else _PARQUET_TYPES.get(physical, str(physical))
    for path, obj in by_path.items():
        for field_name in shape.fields:
            name, wanted = column(field_name), FIELDS[field_name].athena_type
            kind = found[path].get(name)
            if kind is None:
                raise ConfigError(
                    obj.name, sorted(found[path]), f"Parquet with the column {name} of the config's format"
                )
            if wanted not in READABLE.get(kind, ()):
                raise ConfigError(f"{obj.name} column {name}", kind, f"a Parquet type the table's {wanted} reads "
                                  f"({', '.join(k for k, v in READABLE.items() if wanted in v)})")  # fmt: skip


def _record_error(con: Any, error: Exception, objects: list[_Object], shape: RecordShape) -> ConfigError:
    """A DuckDB error as one line: the SQL's fault, or the object (and line) it could not read."""
    import duckdb

    text = str(error)
    if isinstance(error, (duckdb.BinderException, duckdb.CatalogException, duckdb.ParserException)):
        return ConfigError("query", _first_line(error), "SQL DuckDB can run over the table (its columns: the "
                           "format's fields, - as _, and the partition columns)")  # fmt: skip
    lines = text.splitlines()
    details = dict(line.strip().split(" = ", 1) for line in lines if line.startswith("  ") and " = " in line)
    obj = next((o for o in objects if str(o.path) == details.get("file")), None)
    number = re.search(r"Error on Line: ([0-9]+)", text)
    if obj is not None and number is not None:
        original = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("Original Line:")), "")
        after = lines[next((i for i, line in enumerate(lines) if line.startswith("Original Line:")), 0) + 1 :]
        reason = next((line.strip() for line in after if line.strip()), "")
        return ConfigError(
            f"{obj.name} line {number[1]}", _clip(original), f"a record of the config's format ({reason})"
        )
    # DuckDB did not say which object (a Parquet data page it cannot decode): read each alone
    for candidate in objects if obj is None else [obj]:
        source = (
            f"read_parquet({_list_literal([str(candidate.path)])})"
            if shape.parquet
            else _read_text(
                _list_literal([str(candidate.path)]), [(column(n), FIELDS[n].athena_type) for n in shape.fields]
            )
        )
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE _probe AS SELECT * FROM {source}")
        except duckdb.Error as probe:
            return ConfigError(candidate.name, _first_line(probe), "a flow-log object DuckDB can read")
    return ConfigError("query", _first_line(error), "a query DuckDB can run over the objects")


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _clip(text: str) -> str:
    return text if len(text) <= 200 else text[:197] + "..."


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _list_literal(items: Sequence[str]) -> str:
    return "[" + ", ".join(_quote(item) for item in items) + "]"


# --- the SQL ------------------------------------------------------------------------------------------


def duckdb_sql(athena: str, table: str, window: Window | None, shape: RecordShape) -> str:
    """Athena SQL as DuckDB runs it over the view: a named query's day filter replaced by the
    window (`start` in [since, until), or TRUE when the format has no start: the view holds only
    the window's partitions), the table named without its database, transpiled by sqlglot."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        trees = sqlglot.parse(athena, read="athena")
    except ParseError as error:
        raise ConfigError("--sql", _first_line(error), "one SELECT in Athena's SQL") from None
    statements = [tree for tree in trees if tree is not None]
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise ConfigError("--sql", _clip(" ".join(athena.split())), "one SELECT in Athena's SQL")
    tree = statements[0]
    if window is not None:
        today = sqlglot.parse_one(f"SELECT 1 WHERE {TODAY_FILTER}", read="athena").args["where"].this
        found = [node for node in tree.find_all(exp.And) if node == today]
        if len(found) != 1:
            raise ValueError("a named query without its day filter")
        since, until = window.epoch()
        replacement = (
            sqlglot.parse_one(f'"start" >= {since} AND "start" < {until}', read="athena")
            if "start" in shape.fields
            else exp.true()
        )
        found[0].replace(exp.Paren(this=replacement))
    for node in tree.find_all(exp.Table):
        if node.name == table:
            node.set("db", None)
            node.set("catalog", None)
    return tree.sql(dialect="duckdb")


def rows_as_records(columns: list[str], rows: list[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield dict(zip(columns, row, strict=True))


__all__ = ["Progress", "Request", "Result", "Window", "caller_defaults", "duckdb_sql", "run"]
