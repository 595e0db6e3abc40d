"""Terraform files as configs: the flow-log `module` block of a `.tf` file, or the assignments of a
`.tfvars` file, as the plain Python data a YAML config holds; `FlowLogsConfig` judges it.

python-hcl2 parses; this module reads its raw syntax tree rather than its dict output, which
keeps strings quoted, leaves Terraform's `$${` and `%%{` escapes unresolved, drops a heredoc's
last newline, turns `1e3` and `(3)` into `${...}` text, and makes every block a list of one dict.
Each literal gets the value Terraform gives it:

- a quoted string: its escapes resolved (`\\n`, `\\"`, `\\u00e9` ...), `$${` as `${` and `%%{` as
  `%{`; so `"arn:$${AWS::Partition}:iam::$${AWS::AccountId}:root"` is the config's
  `arn:${AWS::Partition}:iam::${AWS::AccountId}:root`, which the compiler turns into `Fn::Sub`;
- a heredoc: its lines, each ending in a newline (the last too), `<<-` dedented;
- numbers (`30`, `-3`, `1.5`, `1e3`; a whole number is an int), `true`, `false`, `null`;
- lists `[...]` and objects `{ key = value }` (or `key: value`), nested.

Everything else is an expression only Terraform can evaluate (`module.vpc.vpc_id`, `var.x`,
`local.y`, `data.a.b`, a function call, an interpolation `"${...}"`, a template directive, a
conditional, an operator, a for expression): a ConfigError naming the input, the expression and
its line, deferred (`Read.deferred`): a `--set` for that input replaces the value unread, so the
usual `vpc_id = module.vpc.vpc_id` compiles with `--set vpc_id=vpc-...`. Nothing here evaluates,
imports or reads anything else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import hcl2
from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ..errors import ConfigError, Written, show
from .parsing import MAX_NESTING, Lines, Read, check_nesting

FLOW_LOG_SOURCE: Final = "vpc-flow-logs"
# Terraform's own arguments of a module block: never inputs of the module.
META_ARGUMENTS: Final = ("source", "version", "providers", "count", "for_each", "depends_on")
MAX_NUMBER_CHARS: Final = 40
# python-hcl2's pure-Python parser reads about 20,000 tokens a second on a 2-CPU VM: a cap on
# (an overestimate of) the tokens keeps a hostile file within MAX_CONFIG_BYTES from costing
# a minute. 150,000 is about 600 KB of typical Terraform.
MAX_TOKENS: Final = 150_000
_TOKEN: Final = re.compile(r"\w+|[^\w\s]")
_PLAIN: Final = "HCL of plain nesting and numbers ({reason})"

_EXPRESSIONS: Final = {
    "identifier": "a reference",
    "get_attr_expr_term": "a reference",
    "index_expr_term": "a reference",
    "attr_splat_expr_term": "a splat expression",
    "full_splat_expr_term": "a splat expression",
    "function_call": "a function call",
    "conditional": "a conditional",
    "binary_op": "an operator expression",
    "unary_op": "an operator expression",
    "for_tuple_expr": "a for expression",
    "for_object_expr": "a for expression",
}
# What Terraform configs use for partition, region and account, and the pseudo parameter that
# says the same in CloudFormation.
_PSEUDO_PARAMETERS: Final = (
    (re.compile(r"data\.aws_partition\.[\w-]+\.(partition|id)"), "AWS::Partition"),
    (re.compile(r"data\.aws_region\.[\w-]+\.(name|region|id)"), "AWS::Region"),
    (re.compile(r"data\.aws_caller_identity\.[\w-]+\.(account_id|id)"), "AWS::AccountId"),
)
_ESCAPES: Final = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_TEMPLATE_SEQUENCE: Final = re.compile(r"\$\$\{|%%\{|\$\{|%\{")
_HEREDOC_START: Final = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n")
_HEREDOC_MARKER: Final = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\r?\n")


def read_tfvars(text: str) -> Read:
    """The `name = value` assignments of a `.tfvars` file."""
    text = _prepare(text)
    body = _body(_parse(text))
    for block in _children(body, "block"):
        raise ConfigError("config", Written(f"block {_block_title(block)}"),
                          "a .tfvars file of name = value assignments only", line=_number(block))  # fmt: skip
    return _read(text, _attributes(body))


def read_module(text: str, module: str | None = None, source: str | None = FLOW_LOG_SOURCE) -> Read:
    """The inputs of the one `module` block of a `.tf` file whose `source` names `source` (any
    module when None), or of the block named `module`; Terraform's meta-arguments left out."""
    text = _prepare(text)
    tree = _parse(text)
    blocks: dict[str, tuple[Tree, dict[str, Tree], str | None]] = {}
    for block in _children(_body(tree), "block"):
        labels = _labels(text, block)
        if labels[0] != "module":
            continue  # terraform, provider, resource, data, variable, locals, output ...
        if len(labels) != 2:
            raise ConfigError("config", Written(_block_title(block)),
                              'module blocks with one label (module "name" { ... })', line=_number(block))  # fmt: skip
        name = labels[1]
        if name in blocks:
            raise ConfigError("config", Written(f'module "{name}"'), "module blocks of distinct names",
                              line=_number(block))  # fmt: skip
        attributes = _attributes(_body(block))
        named = attributes.get("source")
        value = None if named is None else _Reader(text, f"module.{name}.source").value(named)
        if named is not None and not isinstance(value, str):
            raise ConfigError(f"module.{name}.source", value, "a string", line=_number(named))
        blocks[name] = (block, attributes, value)
    candidates = [name for name, (_, _, found) in blocks.items() if source is None or _names(found, source)]
    wanted = f"whose source names {source}" if source is not None else "in the file"
    if module is not None:
        if module not in candidates:
            other = f" ({module}'s source {show(blocks[module][2])} does not)" if module in blocks else ""
            raise ConfigError("--module", module, f"one of the module blocks {wanted}: "
                              f"{', '.join(candidates) or 'there is none'}{other}")  # fmt: skip
        chosen = module
    elif len(candidates) == 1:
        (chosen,) = candidates
    elif candidates:
        raise ConfigError("--module", None, f"given to pick one of the {len(candidates)} module blocks {wanted}: "
                          f"{', '.join(candidates)}")  # fmt: skip
    else:
        found = {name: src for name, (_, _, src) in blocks.items()}
        raise ConfigError("config", found, f"a .tf file with a module block {wanted} (found these module blocks)")
    block, attributes, _ = blocks[chosen]
    for inner in _children(_body(block), "block"):
        raise ConfigError(f"module.{chosen}", Written(f"block {_block_title(inner)}"),
                          "arguments (name = value): a module takes no blocks", line=_number(inner))  # fmt: skip
    return _read(text, {name: node for name, node in attributes.items() if name not in META_ARGUMENTS})


def _read(text: str, attributes: dict[str, Tree]) -> Read:
    """Each attribute's value and the lines of its keys; an attribute whose value only Terraform
    could give (or a bad literal) is deferred, for a --set to replace or the config to report."""
    data: dict[str, Any] = {}
    lines: Lines = {}
    deferred: dict[str, ConfigError] = {}
    for name, node in attributes.items():
        line = _number(node)
        if line is not None:
            lines[name] = line
        try:
            data[name] = _Reader(text, name, lines).value(node)
        except ConfigError as error:
            deferred[name] = error
    return Read(data, lines, deferred)


def _names(source: str | None, wanted: str) -> bool:
    """Whether a module source (git URL, registry address, path) has `wanted` as a path segment."""
    if source is None:
        return False
    return re.search(rf"(^|[/:]){re.escape(wanted)}(\.git)?($|[/?])", source) is not None


# --- the tree --------------------------------------------------------------------------------


def _prepare(text: str) -> str:
    """No byte-order mark, and no spaces after a heredoc's closing marker: Terraform ends the
    heredoc there, python-hcl2 (8.1, its issue 343) reads on and fails lines later."""
    text = text.removeprefix("\ufeff")
    markers = set(_HEREDOC_MARKER.findall(text))
    if not markers:
        return text
    pattern = rf"^([ \t]*(?:{'|'.join(map(re.escape, sorted(markers)))}))[ \t]+(\r?)$"
    return re.sub(pattern, r"\1\2", text, flags=re.MULTILINE)


def _parse(text: str) -> Tree:
    check_nesting(text, "config", "HCL")
    tokens = len(_TOKEN.findall(text))
    if tokens > MAX_TOKENS:
        allowed = (f"HCL of at most {MAX_TOKENS} tokens (Terraform reads every .tf file of a directory: the "
                   "module block can have a file of its own)")  # fmt: skip
        raise ConfigError("config", Written(f"about {tokens} tokens"), allowed)
    try:
        return hcl2.parses_to_tree(text)
    except UnexpectedInput as error:
        line = _error_line(error, text)
        raise ConfigError("config", _written_line(text, line), _syntax(error, text), line=line) from None
    except RecursionError:
        too_deep = _PLAIN.format(reason="nested too deeply")
        raise ConfigError("config", Written(f"{len(text)} characters"), too_deep) from None
    except LarkError as error:  # nothing else is raised by parsing, but say so in one line if it is
        raise ConfigError("config", Written("invalid HCL"), f"valid HCL ({str(error).splitlines()[0][:80]})") from None


def _written_line(text: str, number: int) -> Written:
    lines = text.splitlines()
    line = lines[number - 1].strip() if 0 < number <= len(lines) else ""
    return Written(line[:80] or "(the end of the file)")


def _error_line(error: UnexpectedInput, text: str) -> int:
    line = getattr(error, "line", -1)
    return line if isinstance(line, int) and line > 0 else text.count("\n") + 1


def _syntax(error: UnexpectedInput, text: str) -> str:
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        problem = "unexpected end of file"
    elif isinstance(error, UnexpectedToken):
        problem = f"unexpected {show(str(error.token.value)[:20])} at column {error.column}"
    elif isinstance(error, UnexpectedCharacters):
        problem = f"unexpected {show(error.char)} at column {error.column}"
    else:
        problem = "unexpected end of file"
    lines, number = text.splitlines(), _error_line(error, text)
    line = lines[number - 1] if 0 < number <= len(lines) else ""
    if re.search(r"(?<!\$)\$\{AWS::", line):
        problem += "; write CloudFormation's ${AWS::...} as $${AWS::...}, Terraform's escape"
    return f"valid HCL ({problem})"


def _body(node: Tree) -> Tree:
    (body,) = _children(node, "body")
    return body


def _children(node: Tree, data: str) -> Iterator[Tree]:
    return (child for child in node.children if isinstance(child, Tree) and child.data == data)


def _number(node: Tree | Token) -> int | None:
    """The line a node starts on, when the parser kept it."""
    line = getattr(node, "line", None) if isinstance(node, Token) else getattr(node.meta, "line", None)
    return line if isinstance(line, int) else None


def _source(text: str, node: Tree) -> str:
    start, end = getattr(node.meta, "start_pos", None), getattr(node.meta, "end_pos", None)
    return text[start:end].strip() if isinstance(start, int) and isinstance(end, int) else node.data


def _name(node: Tree) -> str:
    """An attribute or block name (`identifier`, or a keyword such as `in` HCL does not reserve)."""
    return str(node.children[0])


def _attributes(body: Tree) -> dict[str, Tree]:
    """name -> value node of a body's `name = value` lines; a repeated name is an error, as in Terraform."""
    found: dict[str, Tree] = {}
    for attribute in _children(body, "attribute"):
        name = _name(attribute.children[0])
        if name in found:
            raise ConfigError(name, Written("set again"), "set once (Terraform refuses a repeat)",
                              line=_number(attribute))  # fmt: skip
        found[name] = attribute.children[-1]
    return found


def _labels(text: str, block: Tree) -> list[str]:
    """A block's type and labels: `module "flow_logs"` -> ["module", "flow_logs"]."""
    labels = []
    for child in block.children:
        if isinstance(child, Token) or child.data == "body":
            break
        if child.data == "string":
            labels.append(_Reader(text, "block label").string(child))
        elif child.data != "new_line_or_comment":
            labels.append(_name(child))
    return labels


def _block_title(block: Tree) -> str:
    first = block.children[0]
    return _name(first) if isinstance(first, Tree) else str(first)


# --- values ------------------------------------------------------------------------------------


class _Reader:
    """The Python value of one input's HCL expression; `name` is the input (for errors), `lines`
    gets the line of each object key read."""

    def __init__(self, text: str, name: str, lines: Lines | None = None) -> None:
        self.text = text
        self.name = name
        self.lines: Lines = {} if lines is None else lines

    def value(self, node: Tree, where: str | None = None, depth: int = 0) -> Any:
        where = where or self.name
        if depth > MAX_NESTING:  # brackets were counted before parsing; parentheses count here
            raise ConfigError(where, Written(f"nesting deeper than {MAX_NESTING}"),
                              _PLAIN.format(reason="nested too deeply"), line=_number(node))  # fmt: skip
        kind = node.data
        if kind == "expr_term":
            inner = [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
            parentheses = len(node.children) > 1
            if len(inner) == 1:
                return self.value(inner[0], where, depth + parentheses)
        elif kind == "int_lit" or kind == "float_lit":
            return self.number(node, where)
        elif kind == "literal_value":
            return {"true": True, "false": False, "null": None}[str(node.children[0])]
        elif kind == "string":
            return self.string(node, where)
        elif kind in ("heredoc_template", "heredoc_template_trim"):
            return self.heredoc(node, where)
        elif kind == "tuple":
            items = [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
            return [self.value(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(items)]
        elif kind == "object":
            return self.mapping(node, where, depth)
        elif kind == "unary_op" and str(node.children[0]).strip() == "-":
            negated = self.negative(node, where)
            if negated is not None:
                return negated
        raise self.expression(node, where, _EXPRESSIONS.get(kind, "an expression"))

    def expression(
        self, node: Tree, where: str, kind: str, shown: str | None = None, line: int | None = None
    ) -> ConfigError:
        """The error for an expression: it names the input, the expression and its line."""
        shown = shown or _source(self.text, node)
        advice = f"write the value itself, or give it with --set {self.name}=..."
        for pattern, pseudo in _PSEUDO_PARAMETERS:
            found = pattern.search(shown)
            if found:
                advice = f"write $${{{pseudo}}} for {found.group(0)}, which the template resolves"
                break
        return ConfigError(where, Written(shown), f"a literal value, not {kind} (only Terraform evaluates "
                           f"expressions; {advice})", line=line or _number(node))  # fmt: skip

    def number(self, node: Tree, where: str, sign: str = "") -> int | float:
        literal = sign + str(node.children[0])
        if len(literal) > MAX_NUMBER_CHARS:
            raise ConfigError(where, Written(f"a number of {len(literal)} characters"),
                              _PLAIN.format(reason=f"numbers of at most {MAX_NUMBER_CHARS} characters"),
                              line=_number(node))  # fmt: skip
        try:
            number = Decimal(literal)
        except InvalidOperation:
            raise ConfigError(where, Written(literal), "a number", line=_number(node)) from None
        # Terraform has one number type: 30, 30.0 and 3e1 are the same whole number.
        if number == number.to_integral_value() and number.adjusted() < MAX_NUMBER_CHARS:
            return int(number)
        return float(number)

    def negative(self, node: Tree, where: str) -> int | float | None:
        """`-3`: the lexer gives a minus and a number; Terraform gives a negative number."""
        operand = node.children[-1]
        if isinstance(operand, Tree) and operand.data == "expr_term" and len(operand.children) == 1:
            (literal,) = operand.children
            if isinstance(literal, Tree) and literal.data in ("int_lit", "float_lit"):
                return self.number(literal, where, "-")
        return None

    def mapping(self, node: Tree, where: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for element in _children(node, "object_elem"):
            key_node, value_node = element.children[0], element.children[-1]
            key = self.key(key_node, where)
            if key in result:
                raise ConfigError(where, key, "an object without duplicate keys", line=_number(element))
            line = _number(element)
            if line is not None:
                self.lines.setdefault(f"{where}.{key}", line)
            result[key] = self.value(value_node, f"{where}.{key}", depth + 1)
        return result

    def key(self, node: Tree, where: str) -> str:
        """An object key: a name, a literal string or number; `(expression)` keys are expressions."""
        (inner,) = node.children
        if inner.data == "keyword":
            return str(inner.children[0])
        if inner.data == "expr_term" and len(inner.children) == 1 and isinstance(inner.children[0], Tree):
            literal = inner.children[0]
            if literal.data in ("identifier", "literal_value"):
                return str(literal.children[0])
            if literal.data == "string":
                return self.string(literal, where)
            if literal.data in ("int_lit", "float_lit"):
                return str(self.number(literal, where))
        raise self.expression(inner, where, "an expression as a key")

    def string(self, node: Tree, where: str | None = None) -> str:
        """A quoted string's value; an interpolation or a template directive is an expression."""
        where = where or self.name
        parts = []
        for part in _children(node, "string_part"):
            (content,) = part.children
            if isinstance(content, Tree):
                kind = "an interpolation" if content.data == "interpolation" else "a template directive"
                raise self.expression(node, where, kind)
            text = str(content)
            if content.type == "STRING_CHARS":
                parts.append(self.unescape(text, where))
            else:  # ESCAPED_INTERPOLATION `$${...}`, ESCAPED_DIRECTIVE `%%{...}`: one sigil less
                parts.append(text[1:3] + self.unescape(text[3:], where))
        return "".join(parts)

    def unescape(self, text: str, where: str) -> str:
        """Terraform's backslash escapes; any other escape, or a line break, Terraform refuses too."""
        if "\n" in text:
            raise ConfigError(where, text, "a string on one line (Terraform refuses multi-line quoted strings; "
                              "use \\n or a heredoc)")  # fmt: skip
        if "\\" not in text:
            return text
        out, i = [], 0
        while i < len(text):
            char = text[i]
            if char != "\\":
                out.append(char)
                i += 1
                continue
            marker = text[i + 1 : i + 2]
            if marker in _ESCAPES:
                out.append(_ESCAPES[marker])
                i += 2
                continue
            width = {"u": 4, "U": 8}.get(marker, 0)
            digits = text[i + 2 : i + 2 + width]
            if width and re.fullmatch(r"[0-9a-fA-F]+", digits) and len(digits) == width:
                code = int(digits, 16)
                if code <= 0x10FFFF and not 0xD800 <= code < 0xE000:
                    out.append(chr(code))
                    i += 2 + width
                    continue
            raise ConfigError(where, text[i : i + 2 + width], "written with Terraform's escapes only (\\n \\r \\t "
                              "\\\" \\\\ \\uNNNN \\UNNNNNNNN)")  # fmt: skip
        return "".join(out)

    def heredoc(self, node: Tree, where: str) -> str:
        """`<<EOT` ... `EOT`: the lines between the markers, each ending in a newline; `<<-`
        removes the smallest indentation of the lines that are not blank (as OpenTofu does)."""
        (token,) = node.children
        raw = str(token)
        start = _HEREDOC_START.match(raw)
        if start is None:  # the grammar's terminal guarantees the opening marker
            raise ConfigError(where, raw[:40], "a heredoc")
        lines = [line.removesuffix("\r") for line in raw[start.end() :].split("\n")][:-2]  # less marker line, ""
        if start.group(1):
            margin = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
            lines = [line[margin:] if line.strip() else line for line in lines]
        body = "".join(line + "\n" for line in lines)
        out, last = [], 0
        for match in _TEMPLATE_SEQUENCE.finditer(body):
            out.append(body[last : match.start()])
            sequence = match.group(0)
            if sequence in ("${", "%{"):
                end = body.find("}", match.start())
                shown = body[match.start() : end + 1 if end >= 0 else len(body)]
                kind = "an interpolation" if sequence == "${" else "a template directive"
                line = _number(node)
                at = line + body.count("\n", 0, match.start()) + 1 if line is not None else None
                raise self.expression(node, where, f"{kind} in a heredoc", shown.replace("\n", " "), at)
            out.append(sequence[1:])  # $${ -> ${, %%{ -> %{
            last = match.end()
        out.append(body[last:])
        return "".join(out)
