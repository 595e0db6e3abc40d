"""Rendering: deterministic text, and files written whole or not at all.

YAML is the text troposphere's `Template.to_yaml()` gives (cfn-flip's dumper over the template's
JSON: short-form `!Ref`/`!Sub`/`!GetAtt` tags, its string styles, sorted keys, a line width of
200), byte for byte. cfn-flip drives PyYAML's pure-Python emitter, which is most of a build's own
time; where PyYAML has libyaml, the same text comes from libyaml's C emitter instead:

- the node graph is what cfn-flip's representers make of the data (`_node`), and libyaml is
  given each scalar's style where PyYAML would choose it differently (a tagged scalar is never
  plain: PyYAML quotes `!Ref 'Name'`);
- libyaml always writes a block sequence that is a mapping's value at the key's column, where
  cfn-flip's dumper indents it; and it breaks long lines at other columns. So libyaml writes
  with no line width, and one pass over its lines (`_reindent`) indents those sequences and
  breaks lines past column 200 where PyYAML's emitter does;
- what that pass does not reproduce, it refuses (`_Declined`), and the text comes from cfn-flip:
  characters past ASCII (libyaml and PyYAML judge some differently), keys PyYAML writes as
  complex keys (from 123 characters), a single-quoted scalar over several lines (a string
  starting with "0" with line breaks), a Step Functions definition (cfn-flip writes it as a
  JSON literal). tests/output/test_render.py compares both emitters on every template
  the tests build and checks that libyaml is the one used for them.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any, Final

from troposphere import Template
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:
    from yaml import CSafeDumper
except ImportError:  # PyYAML built without libyaml
    LIBYAML = False
else:
    LIBYAML = True

WIDTH: Final = 200  # cfn-flip's line width (cfn_tools._config: max_col_width)


def to_json(template: Template) -> str:
    """JSON with sorted keys, a line per value and a trailing newline: the same template gives
    the same bytes. No indentation: the shipped template stays far under the 51,200 bytes of an
    inline body (the YAML is the one to read)."""
    return template.to_json(indent=0, sort_keys=True) + "\n"


def to_yaml(template: Template) -> str:
    """YAML (short-form intrinsic functions) with sorted keys: the same template, the same bytes."""
    return yaml_from_json(json.dumps(template.to_dict(), sort_keys=True))


def yaml_from_json(text: str, *, libyaml: bool = True) -> str:
    """The YAML `Template.to_yaml()` writes for the template whose JSON is `text`: through
    libyaml where PyYAML has it (and `libyaml`), else through cfn-flip."""
    rendered = libyaml_yaml(text) if libyaml else None
    if rendered is None:
        rendered = cfn_flip_yaml(text)
    return rendered if rendered.endswith("\n") else rendered + "\n"


def cfn_flip_yaml(text: str) -> str:
    """What troposphere's `Template.to_yaml()` does with the template's JSON."""
    import cfn_flip  # troposphere imports it already: no extra cost

    result: str = cfn_flip.to_yaml(text, clean_up=False, long_form=False)
    return result


def libyaml_yaml(text: str) -> str | None:
    """The same text as `cfn_flip_yaml`, from libyaml; None where libyaml is missing or where
    the text holds something `_reindent` cannot reproduce."""
    if not LIBYAML or _NON_ASCII.search(text) or "AWS::StepFunctions::StateMachine" in text:
        return None  # libyaml judges non-ASCII characters differently; cfn-flip's JSON literals
    try:
        data = json.loads(text)
        if type(data) is not dict or (len(data) == 1 and _short_form(next(iter(data)))):
            return None  # a template is a mapping; only it was compared with cfn-flip
        root = _node(data)
        stream = io.StringIO()
        dumper = _Dumper(stream, allow_unicode=True, width=-1)  # -1: libyaml never breaks a line
        try:
            dumper.open()
            dumper.serialize(root)
            dumper.close()
        finally:
            dumper.dispose()
        return _reindent(stream.getvalue())
    except (_Declined, TypeError, ValueError):
        return None  # cfn-flip's own path gives the text, or raises its own error


_NON_ASCII: Final = re.compile(r"\\u(?!00[0-7])")  # an escape json.dumps writes for a character past U+007F


class _Declined(Exception):
    """The text needs something only PyYAML's pure emitter does."""


# cfn-flip's representers (cfn_flip.yaml_dumper, cfn_tools.yaml_dumper), as nodes.
_STR: Final = "tag:yaml.org,2002:str"
_MAP: Final = "tag:yaml.org,2002:map"
_SEQ: Final = "tag:yaml.org,2002:seq"
_ACCOUNT_ID: Final = re.compile(r"^0[0-9]+$")  # cfn_tools.yaml_dumper.AWS_ACCOUNT_ID
_LONG_KEY: Final = 123  # PyYAML counts the key's "!!str" tag: a key from 123 characters is "? key"


def _str(value: str) -> ScalarNode:
    """cfn_flip.yaml_dumper.string_representer, then CfnYamlDumper.represent_scalar."""
    breaks = value.count("\n") + value.count("\r")
    if breaks >= 10:
        style: str | None = "|"
    elif len(value) >= WIDTH and "\n" not in value:
        style = ">"
    elif value[:1] == "0":
        style = "'"
        if breaks:
            raise _Declined("a multi-line single-quoted scalar")
    else:
        style = None
    if style != "'" and value[:1] == "0" and _ACCOUNT_ID.match(value):
        style = "'"
    if style is None and breaks:
        style = '"'
    return ScalarNode(_STR, value, style=style)


def _key(value: Any) -> ScalarNode:
    """A mapping key: what PyYAML writes as a simple key, on one line."""
    if type(value) is not str or not 0 < len(value) < _LONG_KEY or not value.isprintable():
        raise _Declined("a key PyYAML writes as a complex key")
    return ScalarNode(_STR, value, None, None, None) if value[:1] != "0" else _str(value)


def _short_form(key: str) -> bool:
    """cfn-flip writes a mapping of this one key as a tag: `{"Ref": x}` as `!Ref x`."""
    return key == "Ref" or key == "Condition" or key.startswith("Fn::")


def _function(name: str, value: Any) -> Node:
    """cfn_flip.yaml_dumper.fn_representer: `{"Fn::X": v}` as `!X v`."""
    tag = "!" + name
    if tag == "!GetAtt" and isinstance(value, list):
        value = ".".join(value)
    if isinstance(value, list):
        return SequenceNode(tag, [_node(item) for item in value], flow_style=False)
    if isinstance(value, dict):
        return MappingNode(tag, [(_key(k), _node(v)) for k, v in value.items()], flow_style=False)
    if not isinstance(value, str):
        raise TypeError(f"{tag} of {type(value).__name__}")  # cfn-flip fails on it too
    # CfnYamlDumper.represent_scalar; where it leaves the style to PyYAML, PyYAML never writes a
    # tagged scalar plain: single-quoted where it can, else double (libyaml would write it plain).
    breaks = "\n" in value or "\r" in value
    if value[:1] == "0" and _ACCOUNT_ID.match(value):
        if breaks:
            raise _Declined("a multi-line single-quoted scalar")
        return ScalarNode(tag, value, style="'")
    return ScalarNode(tag, value, style='"' if breaks else "'")


def _node(value: Any) -> Node:
    """cfn-flip's representation of JSON data (map_representer, SafeRepresenter). The common
    cases inline, node constructors called positionally: this is most of the fast path's time."""
    kind = type(value)
    if kind is str:
        if len(value) < WIDTH and value[:1] != "0" and "\n" not in value and "\r" not in value:
            return ScalarNode(_STR, value, None, None, None)
        return _str(value)
    if kind is dict:
        if len(value) == 1:
            ((key, inner),) = value.items()
            if _short_form(key):
                return _function(key[4:] if key[:4] == "Fn::" else key, inner)
        return MappingNode(_MAP, [(_key(k), _node(v)) for k, v in value.items()], None, None, False)
    if kind is list:
        return SequenceNode(_SEQ, [_node(item) for item in value], None, None, False)
    if kind is bool:
        return ScalarNode("tag:yaml.org,2002:bool", "true" if value else "false", None, None, None)
    if kind is int:
        return ScalarNode("tag:yaml.org,2002:int", str(value), None, None, None)
    if kind is float:
        return ScalarNode("tag:yaml.org,2002:float", _float(value), None, None, None)
    if value is None:
        return ScalarNode("tag:yaml.org,2002:null", "null", None, None, None)
    raise TypeError(f"no YAML for {kind.__name__}")


def _float(value: float) -> str:
    """SafeRepresenter.represent_float."""
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value).lower()
    return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text


class _Dumper(CSafeDumper if LIBYAML else object):  # type: ignore[misc]
    """libyaml's emitter with PyYAML's resolver, memoized: libyaml asks twice per scalar, and a
    template repeats its keys and values."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.resolved: dict[str, str] = {}  # scalar value -> the tag PyYAML's resolver gives it plain

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            if not implicit[0]:
                return _STR
            tag = self.resolved.get(value)
            if tag is None:
                tag = self.resolved[value] = super().resolve(kind, value, implicit)
            return tag
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass  # no path resolvers

    def ascend_resolver(self) -> None:
        pass


_HEADER: Final = re.compile(r"[|>][1-9]?[-+]?")  # a block scalar's indicator and hints
_TAG: Final = re.compile(r"![^ ]+")
_SPACES: Final = re.compile(r"( +)")
_NOT_PLAIN: Final = frozenset(("'", '"', "!", "|", ">", "[", "{", ""))  # how a line's non-plain node starts


def _key_end(rest: str) -> int:
    """Where a quoted mapping key at the start of `rest` ends (at its ':'), or -1 for no key."""
    first = rest[:1]
    if first == "'":
        end = 1
        while True:
            end = rest.find("'", end)
            if end < 0:
                return -1
            if rest[end + 1 : end + 2] != "'":
                break
            end += 2
        end += 1
    elif first == '"':
        end, size = 1, len(rest)
        while end < size and rest[end] != '"':
            end += 2 if rest[end] == "\\" else 1
        end += 1
    else:
        return -1  # a tagged or block scalar, or an empty collection: an item, not a key
    return end if rest[end : end + 1] == ":" else -1


def _fold(head: str, body: str, indent: int, quoted: bool) -> str:
    """PyYAML's line breaking (write_plain, write_single_quoted, write_folded): a lone space met
    past column WIDTH becomes a line break and `indent` spaces; a quoted scalar's first and last
    spaces never break."""
    parts = _SPACES.split(body)  # words and runs of spaces, alternating
    last = len(parts) - 1
    out = [head]
    column = len(head)
    for index, part in enumerate(parts):
        edge = quoted and ((index == 1 and not parts[0]) or (index == last - 1 and not parts[last]))
        if part == " " and column > WIDTH and not edge:
            out.append("\n" + " " * indent)
            column = indent
        else:
            out.append(part)
            column += len(part)
    return "".join(out)


def _fold_double(head: str, body: str, indent: int) -> str:
    """PyYAML's write_double_quoted over libyaml's unbroken `body` (an escape is one character
    of the text): a line breaks, with a final backslash, at a space or after an escape once the
    text not yet written would pass column WIDTH; a space that starts the next line is escaped."""
    units: list[str] = []  # the text's characters as written: "a", " ", "\\n", "\\x7F", ...
    index, size = 0, len(body)
    while index < size:
        step = {"x": 4, "u": 6, "U": 10}.get(body[index + 1], 2) if body[index] == "\\" else 1
        units.append(body[index : index + step])
        index += step
    out = [head]
    column, start, count = len(head), 0, len(units)
    for end in range(count + 1):
        unit = units[end] if end < count else None
        if unit is None or unit[0] == "\\":
            if start < end:
                chunk = "".join(units[start:end])
                out.append(chunk)
                column, start = column + len(chunk), end
            if unit is not None:
                out.append(unit)
                column, start = column + len(unit), end + 1
        if 0 < end < count - 1 and (unit == " " or start >= end) and column + (end - start) > WIDTH:
            chunk = "".join(units[start:end]) + "\\"
            start = max(start, end)
            out.append(chunk + "\n" + " " * indent)
            column = indent
            if units[start] == " ":
                out.append("\\")
                column += 1
    return "".join(out)


def _reindent(text: str) -> str:
    """libyaml's lines as cfn-flip's dumper writes them: a block sequence that is a mapping's
    value indented two more than its key (and all it holds with it), lines past WIDTH broken.
    With no line width every flow scalar is one line, so each line is structure: an indent,
    "- " per sequence entered, then a key and its value, or an item."""
    if text.endswith("\n...\n"):
        text = text[:-4]  # libyaml's document end marker after a block scalar keeping newlines
    out: list[str] = []
    append = out.append
    open_at: list[int] = []  # libyaml columns of the indentless sequences the line is in
    shift = ""  # two spaces for each
    block: tuple[int, bool, bool] | None = None  # in a block scalar: (its parent's column, folded?, kept?)
    pending = -1  # the key column of a line whose value starts on the next line
    for line in text.split("\n"):
        if not line:  # only inside a block scalar: both emitters write empty lines unindented
            append(line)
            continue
        body = line.lstrip(" ")
        column = len(line) - len(body)
        if block is not None:
            if column > block[0]:  # the block scalar's content, indented past its parent
                if block[1] and len(line) + len(shift) > WIDTH:
                    content = block[0] + 2
                    append(_fold(shift + line[:content], line[content:], len(shift) + content, False))
                else:
                    append(shift + line)
                continue
            block = None
        item = body[:2] == "- "
        if open_at and open_at[-1] >= column:
            while open_at and (open_at[-1] > column or (open_at[-1] == column and not item)):
                open_at.pop()
            shift = " " * (2 * len(open_at))
        if column == pending and item:
            open_at.append(column)
            shift += "  "
        rest, inner = body, column
        while rest[:2] == "- ":
            rest, inner = rest[2:], inner + 2
        if rest[:1] in _NOT_PLAIN:
            end = _key_end(rest)
        else:  # a plain key holds no ": "; a plain item no ": " and no final ":"
            end = rest.find(": ")
            if end < 0 and rest[-1:] == ":":
                end = len(rest) - 1
        if end >= 0:
            value = rest[end + 2 :]
            pending = inner if not value or (value[0] == "!" and " " not in value) else -1
        else:
            value, inner, pending = rest, inner - 2, -1
        if value[:1] in ("|", ">") and _HEADER.fullmatch(value):
            block = (inner, value[0] == ">", value[-1] == "+")
        elif len(line) + len(shift) > WIDTH:
            start = len(line) - len(value)
            tagged = _TAG.match(value)
            if tagged:
                start += tagged.end() + 1
            quote = line[start : start + 1]
            indent = len(shift) + inner + 2
            if quote == '"':
                append(_fold_double(shift + line[: start + 1], line[start + 1 : -1], indent) + '"')
            elif quote == "'":
                append(_fold(shift + line[: start + 1], line[start + 1 : -1], indent, True) + "'")
            else:
                append(_fold(shift + line[:start], line[start:], indent, False))
            continue
        append(shift + line)
    if block is not None and block[2]:
        # PyYAML ends the stream with "..." when the last thing it wrote was such a block scalar
        # (libyaml when the last block scalar was one, whatever follows it).
        out.insert(len(out) - 1, "...")
    return "\n".join(out)


def write_atomic(path: Path, text: str, *, force: bool = False) -> None:
    """Write `text` to `path` whole, by the rules of `output.files` (an existing file only with
    `force`, a device written to and never replaced)."""
    from .files import write_text

    write_text(path, text, force=force)
