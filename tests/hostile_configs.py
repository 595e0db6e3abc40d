"""Hostile config files: each must be a one-line ConfigError, with bounded work. Shared by
tests/config/test_loading.py (what is raised, and that the work is bounded) and bench/bench.py (how long
each rejection takes: a figure, never a test)."""

from __future__ import annotations

from cfn_flowlogs.config.loading import MAX_CONFIG_BYTES

VPC = "vpc-0123456789abcdef0"
BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def many_keys(count: int) -> str:
    """A JSON object of `count` distinct keys."""
    return "{" + ",".join(f'"k{i}": 0' for i in range(count)) + "}"


MANY_KEYS = many_keys(60_000)  # ~700 kB: a config of 60,000 unknown inputs


# (id, file name, content, the ConfigError's name, a fragment of its message)
MALFORMED: list[tuple[str, str, str | bytes, str, str]] = [
    ("yaml-unclosed-flow", "flows.yaml", f"vpc_id: [{VPC}\n", "config", "invalid YAML at line"),
    ("yaml-bad-indent", "flows.yaml", "custom_tags:\n  a: b\n c: d\n", "config", "at line 3"),
    ("yaml-nested-colon", "flows.yaml", "vpc_id: a: b\n", "config", "invalid YAML at line 1"),
    ("yaml-unclosed-quote", "flows.yaml", "vpc_id: 'open\n", "config", "invalid YAML"),
    ("yaml-tab-indent", "flows.yaml", "\tvpc_id: x\n", "config", "invalid YAML"),
    ("yaml-billion-laughs", "flows.yaml", BILLION_LAUGHS, "config", "alias *a"),
    ("yaml-merge-key", "flows.yaml", "base: &b {x: 1}\nother:\n  <<: *b\n", "config", "alias *b"),
    ("yaml-duplicate-keys", "flows.yaml", f"vpc_id: {VPC}\nvpc_id: {VPC}\n", "config", "vpc_id"),
    ("yaml-nested-duplicate-keys", "flows.yaml", "custom_tags:\n  team: a\n  team: b\n", "config", "team"),
    ("yaml-python-tag", "flows.yaml", "!!python/object/apply:os.system ['true']\n", "config", "invalid YAML"),
    ("yaml-unhashable-key", "flows.yaml", "? [a, b]\n: 1\n", "config", "unhashable keys"),
    ("yaml-control-char", "flows.yaml", "\x00vpc_id: x\n", "config", "invalid YAML"),
    ("json-duplicate-keys", "flows.json", f'{{"vpc_id": "{VPC}", "vpc_id": "{VPC}"}}', "config", "vpc_id"),
    ("json-nested-duplicate-keys", "flows.json", '{"a": {"b": 1, "b": 2}}', "config", "'b'"),
    ("json-trailing-comma", "flows.json", '{"vpc_id": "x",}', "config", "invalid JSON at line 1"),
    ("json-that-is-yaml", "flows.json", "vpc_id: x\n", "config", "invalid JSON"),
    ("json-bom", "flows.json", "\ufeff{}", "config", "invalid JSON"),
    ("yaml-list", "flows.yaml", f"- vpc_id: {VPC}\n", "config", "'list'"),
    ("yaml-scalar", "flows.yaml", "just a string\n", "config", "'str'"),
    ("yaml-number", "flows.yaml", "42\n", "config", "'int'"),
    ("json-list", "flows.json", f'["{VPC}"]', "config", "'list'"),
    ("json-scalar", "flows.json", '"vpc"', "config", "'str'"),
    ("not-utf8", "flows.yaml", "vpc_id: caf\xe9\n".encode("latin-1"), "--config", "flows.yaml"),
    ("utf16", "flows.json", b"\xff\xfe{\x00}\x00", "--config", "flows.json"),
    ("over-1mb", "flows.yaml", b"#" * (MAX_CONFIG_BYTES + 1), "--config", "flows.yaml"),
    ("yaml-deeply-nested", "flows.yaml", "[" * 100_000 + "]" * 100_000, "config", "YAML"),
    ("json-deeply-nested", "flows.json", "[" * 100_000 + "]" * 100_000, "config", "JSON"),
    ("yaml-huge-int", "flows.yaml", "cloudwatch_log_retention: " + "1" * 5000, "config", "YAML"),
    ("json-huge-int", "flows.json", '{"cloudwatch_log_retention": ' + "1" * 5000 + "}", "config", "JSON"),
]
