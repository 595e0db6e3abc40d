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
_ALIASES = "config: must be YAML without anchors and aliases, got *"
_JSON_DUPLICATE = 'config: must be a JSON object without duplicate keys, got "b"'
MALFORMED: list[tuple[str, str, str | bytes, str, str]] = [
    ("yaml-unclosed-flow", "flows.yaml", f"vpc_id: [{VPC}\n", "config", "flows.yaml:2: config: must be valid YAML"),
    ("yaml-bad-indent", "flows.yaml", "custom_tags:\n  a: b\n c: d\n", "config", ":3: config: must be valid YAML"),
    ("yaml-nested-colon", "flows.yaml", "vpc_id: a: b\n", "config", "flows.yaml:1: config: must be valid YAML"),
    ("yaml-unclosed-quote", "flows.yaml", "vpc_id: 'open\n", "config", "must be valid YAML ("),
    ("yaml-tab-indent", "flows.yaml", "\tvpc_id: x\n", "config", "must be valid YAML ("),
    ("yaml-billion-laughs", "flows.yaml", BILLION_LAUGHS, "config", f":2: {_ALIASES}a"),
    ("yaml-merge-key", "flows.yaml", "base: &b {x: 1}\nother:\n  <<: *b\n", "config", f":3: {_ALIASES}b"),
    ("yaml-duplicate-keys", "flows.yaml", f"vpc_id: {VPC}\nvpc_id: {VPC}\n", "config", "vpc_id"),
    ("yaml-nested-duplicate-keys", "flows.yaml", "custom_tags:\n  team: a\n  team: b\n", "config", "team"),
    ("yaml-python-tag", "flows.yaml", "!!python/object/apply:os.system ['true']\n", "config", "must be valid YAML ("),
    ("yaml-unhashable-key", "flows.yaml", "? [a, b]\n: 1\n", "config", "unhashable keys"),
    ("yaml-control-char", "flows.yaml", "\x00vpc_id: x\n", "config", "must be valid YAML ("),
    ("json-duplicate-keys", "flows.json", f'{{"vpc_id": "{VPC}", "vpc_id": "{VPC}"}}', "config", "vpc_id"),
    ("json-nested-duplicate-keys", "flows.json", '{"a": {"b": 1, "b": 2}}', "config", f":1: {_JSON_DUPLICATE}"),
    ("json-trailing-comma", "flows.json", '{"vpc_id": "x",}', "config", "flows.json:1: config: must be valid JSON"),
    ("json-that-is-yaml", "flows.json", "vpc_id: x\n", "config", "must be valid JSON ("),
    ("json-bom", "flows.json", "\ufeff{}", "config", "must be valid JSON ("),
    ("yaml-list", "flows.yaml", f"- vpc_id: {VPC}\n", "config", f'got [{{"vpc_id": "{VPC}"}}]'),
    ("yaml-scalar", "flows.yaml", "just a string\n", "config", 'got "just a string"'),
    ("yaml-number", "flows.yaml", "42\n", "config", "got 42"),
    ("json-list", "flows.json", f'["{VPC}"]', "config", f'got ["{VPC}"]'),
    ("json-scalar", "flows.json", '"vpc"', "config", 'got "vpc"'),
    ("not-utf8", "flows.yaml", "vpc_id: caf\xe9\n".encode("latin-1"), "--config", "flows.yaml"),
    ("utf16", "flows.json", b"\xff\xfe{\x00}\x00", "--config", "flows.json"),
    ("over-1mb", "flows.yaml", b"#" * (MAX_CONFIG_BYTES + 1), "--config", "flows.yaml"),
    ("yaml-deeply-nested", "flows.yaml", "[" * 100_000 + "]" * 100_000, "config", "YAML"),
    ("json-deeply-nested", "flows.json", "[" * 100_000 + "]" * 100_000, "config", "JSON"),
    ("yaml-huge-int", "flows.yaml", "cloudwatch_log_retention: " + "1" * 5000, "config", "YAML"),
    ("json-huge-int", "flows.json", '{"cloudwatch_log_retention": ' + "1" * 5000 + "}", "config", "JSON"),
]
