"""The code blocks of the documentation: what the docs tests run, or check without running.

A fenced block whose info string has a title starting with one of NOT_RUN (rendered above the
block, so a reader sees it) is not run: the local endpoint cannot serve it, or it would change
the reader's machine. Such a block is still parsed, and every `cfn-flowlogs` and `aws` command in
it must name a real command and real options.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOT_RUN = ("Real account only:", "Not run here:")
_FENCE = re.compile(
    r"^(?P<indent>[ ]*)```(?P<language>[\w-]*)(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=indent)```[ ]*$", re.M | re.S
)
_TITLE = re.compile(r'title="([^"]*)"')


@dataclass(frozen=True)
class Block:
    page: str  # relative to the repository: README.md, docs/...
    line: int
    language: str
    title: str
    body: str

    @property
    def runs(self) -> bool:
        return not self.title.startswith(NOT_RUN)

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def pages() -> list[Path]:
    """The README and every page of the documentation site."""
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def blocks(page: Path, *languages: str) -> list[Block]:
    """The fenced blocks of `page` in `languages`, in order, dedented as a reader copies them."""
    text = page.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        if match.group("language") not in languages:
            continue
        title = _TITLE.search(match.group("info"))
        indent = len(match.group("indent"))
        body = textwrap.dedent(match.group("body")) if indent else match.group("body")
        line = text.count("\n", 0, match.start()) + 1
        found.append(
            Block(str(page.relative_to(ROOT)), line, match.group("language"), title.group(1) if title else "", body)
        )
    return found


def all_blocks(*languages: str) -> list[Block]:
    return [block for page in pages() for block in blocks(page, *languages)]


def section(page: str, heading: str) -> str:
    """The text of docs/`page` under `heading` (any level), up to the next heading of that level or higher."""
    lines = (DOCS / page).read_text(encoding="utf-8").splitlines(keepends=True)
    for start, line in enumerate(lines):
        match = re.match(r"(#+) (.*)\n?$", line)
        if match and match.group(2) == heading:
            level = len(match.group(1))
            end = next((i for i in range(start + 1, len(lines)) if re.match(rf"#{{1,{level}}} ", lines[i])), len(lines))
            return "".join(lines[start + 1 : end])
    raise AssertionError(f"docs/{page} has no heading {heading!r}")


# --- commands a shell block runs --------------------------------------------------------------

_SUBSTITUTION = re.compile(r"\$\(([^()]*)\)")


def commands(script: str) -> list[list[str]]:
    """The simple commands of a shell script, as words: lines joined at `\\`, comments and
    here-documents' bodies dropped, split at newlines and control operators (a quoted string may
    span lines), and each `$(...)` a command of its own. Enough to find the `cfn-flowlogs`, `aws`
    and `make` commands a block runs."""
    import shlex

    kept, heredoc = [], None
    for line in re.sub(r"\\\n", " ", script).splitlines():
        if heredoc is not None:
            heredoc = None if line.strip() == heredoc else heredoc
            continue
        marker = re.search(r"<<-?\s*['\"]?(\w+)['\"]?", line)
        if marker:
            heredoc, line = marker.group(1), line[: marker.start()]
        kept.append(line)
    text = _without_comments("\n".join(kept))
    found = [words for inner in _SUBSTITUTION.findall(text) for words in commands(inner)]
    lexer = shlex.shlex(_SUBSTITUTION.sub("VALUE", text), posix=True, punctuation_chars="();<>|&\n!")
    lexer.whitespace, lexer.whitespace_split, lexer.commenters = " \t\r", True, ""
    words: list[str] = []
    redirect = False
    for token in [*lexer, "\n"]:
        if redirect:  # the file a redirection names is not a word of the command
            redirect = False
        elif set(token) <= set("<>"):
            redirect = True
        elif set(token) <= set("();|&!\n"):
            if words := _without_assignments(words):
                found.append(words)
            words = []
        else:
            words.append(token)
    return found


def _without_comments(text: str) -> str:
    """`text` without shell comments (a `#` that starts a word, outside quotes, to the end of its
    line; the newline stays, so the commands around it stay apart)."""
    out, quote, i = [], "", 0
    while i < len(text):
        char = text[i]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or text[i - 1] in " \t\n"):
            end = text.find("\n", i)
            i = len(text) if end == -1 else end
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _without_assignments(words: list[str]) -> list[str]:
    while words and re.match(r"[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        words = words[1:]
    return words
