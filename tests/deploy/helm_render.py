"""A deliberately small renderer for the ZHDJ Helm chart (test helper, not production code).

There is no ``helm`` binary on the machines this project is built and tested on, so the
tests render ``helm/zhdj/templates/*.yaml`` with this module instead. It implements a
*subset* of Go ``text/template`` + Sprig, with Helm's semantics where they matter. The
chart's templates must stay inside this subset; anything else raises ``TemplateError``
(so a template that uses an unsupported construct fails the tests instead of rendering
something helm would render differently).

Supported subset
----------------
Actions and whitespace:
  ``{{ pipeline }}``          output a value (``true``/``false`` for booleans, like Go)
  ``{{- ...``  ``... -}}``    trim whitespace (spaces, tabs, newlines) before / after
  ``{{/* comment */}}``       comment (also with trim markers)
  ``{{ if P }} ... {{ else }} ... {{ end }}``   Go truthiness: false, 0, "", nil, empty
                              map/list are false
  ``{{ range $k, $v := P }} ... {{ end }}``     maps in sorted key order, lists by index;
  ``{{ range $v := P }}`` and ``{{ range P }}`` also work; inside range ``.`` is the
                              element (as in Go), use ``$`` for the root context
  ``{{ define "name" }} ... {{ end }}``        named templates (normally in ``_helpers.tpl``)

Operands:
  ``.``, ``$``, field chains ``.Values.a.b``, ``$.Values.a``, ``$v.key``,
  ``.Release.Name``/``.Namespace``/``.Revision``/``.Service``, ``.Chart.Name``/``.Version``/
  ``.AppVersion``, double-quoted strings, integers, ``true``/``false``.
  A missing map key is "nil": it may be tested with ``if``/``not`` or replaced with
  ``default``, but *printing* it raises ``TemplateError`` (helm would print an empty
  string; a strict renderer catches typos in value names). Field access on nil raises,
  as in Go (``nil pointer evaluating ...``).

Functions (arguments first, the piped value last, as in Go templates):
  ``include "name" CTX``, ``quote``, ``default D``, ``toYaml``, ``nindent N``, ``indent N``,
  ``trunc N``, ``trimSuffix "s"``, ``not``.

Not supported (raises): variables assigned with ``:=`` outside ``range``, ``with``,
``else if``, parenthesised sub-pipelines, ``tpl``, ``required``, ``lookup``, ``printf``,
comparison functions, ``.Files``, ``.Capabilities``, and every other Sprig function.

Also not reproduced: ``toYaml`` uses PyYAML (keys sorted, as Go's yaml does, but string
quoting style may differ from helm's output; the *parsed* YAML is the same). Helm keeps
numbers from values files as float64, so an integer of 1e6 or more prints as ``1e+06`` in
helm but as ``1000000`` here: values.schema.json caps every integer below 1e6 (tested).

API
---
``render_chart(chart_dir, values_files=(), overrides=None, release_name="zhdj",
namespace="zhdj", revision=1)`` returns ``{template_file_name: rendered_text}`` for every
template not starting with ``_``; ``load_values`` merges values files the way helm does
(maps merge recursively, other values replace, ``null`` deletes a key).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "Renderer",
    "TemplateError",
    "deep_merge",
    "load_values",
    "render_chart",
    "render_string",
]


class TemplateError(Exception):
    """Raised for syntax outside the supported subset or an evaluation error."""


class _Missing:
    """Nil produced by a missing map key."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "<missing>"


MISSING = _Missing()

# --------------------------------------------------------------------------- lexing

_ACTION_RE = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)


@dataclass
class _Text:
    text: str


@dataclass
class _Action:
    src: str
    line: int


def _split(source: str, name: str) -> list[_Text | _Action]:
    """Split a template into text and actions, applying the trim markers."""
    parts: list[_Text | _Action] = []
    pos = 0
    trim_next = False
    for m in _ACTION_RE.finditer(source):
        text = source[pos : m.start()]
        if trim_next:
            text = text.lstrip(" \t\r\n")
        if m.group(1):
            text = text.rstrip(" \t\r\n")
        if text:
            parts.append(_Text(text))
        body = m.group(2).strip()
        line = source.count("\n", 0, m.start()) + 1
        if "{{" in body:
            raise TemplateError(f"{name}:{line}: nested '{{{{' in action")
        if not (body.startswith("/*") and body.endswith("*/")):
            parts.append(_Action(body, line))
        trim_next = bool(m.group(3))
        pos = m.end()
    text = source[pos:]
    if trim_next:
        text = text.lstrip(" \t\r\n")
    if "{{" in text or "}}" in text:
        raise TemplateError(f"{name}: unterminated or malformed action")
    if text:
        parts.append(_Text(text))
    return parts


_TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<str>"(?:[^"\\]|\\.)*")
      | (?P<assign>:=)
      | (?P<pipe>\|)
      | (?P<comma>,)
      | (?P<paren>[()])
      | (?P<num>-?\d+)(?![\w.])
      | (?P<field>(?:\$[A-Za-z_]\w*|\$)?(?:\.[A-Za-z_]\w*)+|\.|\$[A-Za-z_]\w*|\$)
      | (?P<ident>[A-Za-z_][\w]*)
    )""",
    re.X,
)


@dataclass
class _Tok:
    kind: str
    value: str


def _tokenize(src: str, where: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    src = src.rstrip()
    while pos < len(src):
        m = _TOKEN_RE.match(src, pos)
        if not m or m.end() == pos:
            raise TemplateError(f"{where}: cannot parse {src[pos:]!r}")
        kind = m.lastgroup
        if kind == "paren":
            raise TemplateError(f"{where}: parenthesised pipelines are not supported")
        toks.append(_Tok(kind, m.group(kind)))
        pos = m.end()
    return toks


# --------------------------------------------------------------------------- parsing


@dataclass
class _Pipeline:
    commands: list[list[_Tok]]
    where: str


@dataclass
class _Out:
    pipe: _Pipeline


@dataclass
class _If:
    cond: _Pipeline
    then: list = field(default_factory=list)
    other: list = field(default_factory=list)


@dataclass
class _Range:
    key_var: str | None
    val_var: str | None
    pipe: _Pipeline
    body: list = field(default_factory=list)


FUNCTIONS = {
    "include",
    "quote",
    "default",
    "toYaml",
    "nindent",
    "indent",
    "trunc",
    "trimSuffix",
    "not",
}
KEYWORDS = {"if", "else", "end", "range", "define"}
UNSUPPORTED = {
    "with",
    "template",
    "block",
    "tpl",
    "required",
    "lookup",
    "printf",
    "eq",
    "ne",
    "and",
    "or",
    "len",
    "index",
    "toJson",
    "b64enc",
    "sha256sum",
    "print",
    "println",
    "contains",
    "replace",
    "upper",
    "lower",
    "dict",
    "list",
    "empty",
    "hasKey",
    "ternary",
    "fail",
}


def _pipeline(toks: list[_Tok], where: str) -> _Pipeline:
    if not toks:
        raise TemplateError(f"{where}: empty pipeline")
    commands: list[list[_Tok]] = [[]]
    for t in toks:
        if t.kind == "pipe":
            commands.append([])
        elif t.kind in ("assign", "comma"):
            raise TemplateError(f"{where}: variable assignment is only supported in 'range'")
        else:
            commands[-1].append(t)
    if any(not c for c in commands):
        raise TemplateError(f"{where}: empty command in pipeline")
    for cmd in commands:
        head = cmd[0]
        if head.kind == "ident":
            if head.value in UNSUPPORTED or (
                head.value not in FUNCTIONS and head.value not in ("true", "false")
            ):
                raise TemplateError(
                    f"{where}: function {head.value!r} is outside the supported subset"
                )
        elif len(cmd) > 1:
            raise TemplateError(f"{where}: operand {head.value!r} cannot take arguments")
    return _Pipeline(commands, where)


class _Parser:
    def __init__(self, parts: list[_Text | _Action], name: str):
        self.parts = parts
        self.name = name
        self.i = 0
        self.defines: dict[str, list] = {}

    def parse(self) -> list:
        nodes, term = self._block(top=True)
        if term is not None:
            raise TemplateError(f"{self.name}: unexpected {{{{ {term} }}}}")
        return nodes

    def _block(self, top: bool = False):
        nodes: list = []
        while self.i < len(self.parts):
            part = self.parts[self.i]
            self.i += 1
            if isinstance(part, _Text):
                nodes.append(part)
                continue
            where = f"{self.name}:{part.line}"
            toks = _tokenize(part.src, where)
            head = toks[0].value if toks and toks[0].kind == "ident" else None
            if head in ("end", "else"):
                if head == "else" and len(toks) > 1:
                    raise TemplateError(f"{where}: 'else if' is not supported")
                if len(toks) > 1 and head == "end":
                    raise TemplateError(f"{where}: garbage after 'end'")
                if top:
                    raise TemplateError(f"{where}: '{head}' without an open block")
                return nodes, head
            if head == "if":
                node = _If(_pipeline(toks[1:], where))
                node.then, term = self._block()
                if term == "else":
                    node.other, term = self._block()
                if term != "end":
                    raise TemplateError(f"{where}: 'if' not closed")
                nodes.append(node)
            elif head == "range":
                rest = toks[1:]
                key_var = val_var = None
                if any(t.kind == "assign" for t in rest):
                    idx = next(i for i, t in enumerate(rest) if t.kind == "assign")
                    decl, rest = rest[:idx], rest[idx + 1 :]
                    names = [t.value for t in decl if t.kind != "comma"]
                    if not all(n.startswith("$") and n != "$" for n in names) or len(names) not in (
                        1,
                        2,
                    ):
                        raise TemplateError(f"{where}: bad range variable declaration")
                    if len(names) == 2:
                        key_var, val_var = names
                    else:
                        val_var = names[0]
                node = _Range(key_var, val_var, _pipeline(rest, where))
                node.body, term = self._block()
                if term != "end":
                    raise TemplateError(
                        f"{where}: 'range' not closed ('else' in range is unsupported)"
                    )
                nodes.append(node)
            elif head == "define":
                if not top or len(toks) != 2 or toks[1].kind != "str":
                    raise TemplateError(f"{where}: bad define")
                body, term = self._block()
                if term != "end":
                    raise TemplateError(f"{where}: 'define' not closed")
                self.defines[json.loads(toks[1].value)] = body
            elif head in UNSUPPORTED and head in ("with", "template", "block"):
                raise TemplateError(f"{where}: '{head}' is outside the supported subset")
            else:
                nodes.append(_Out(_pipeline(toks, where)))
        if not top:
            raise TemplateError(f"{self.name}: unexpected end of template (missing 'end')")
        return nodes, None


# --------------------------------------------------------------------------- evaluation


def _truthy(v: Any) -> bool:
    if v is MISSING or v is None:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    if isinstance(v, (str, list, dict, tuple)):
        return len(v) > 0
    return True


def _to_text(v: Any, where: str) -> str:
    if v is MISSING:
        raise TemplateError(f"{where}: value is missing (helm would print an empty string)")
    if v is None:
        raise TemplateError(f"{where}: value is null")
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float, str)):
        return str(v)
    raise TemplateError(f"{where}: cannot print a {type(v).__name__} directly (use toYaml)")


def _to_yaml(v: Any) -> str:
    if v is MISSING or v is None:
        return "null"
    out = yaml.safe_dump(
        v, default_flow_style=False, sort_keys=True, allow_unicode=True, width=10_000
    )
    if out.endswith("\n...\n"):
        out = out[: -len("\n...\n")]
    return out.rstrip("\n")


def _go_quote(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _indent(n: Any, s: Any, where: str) -> str:
    if not isinstance(n, int):
        raise TemplateError(f"{where}: indent width must be an integer")
    pad = " " * n
    return pad + _to_text(s, where).replace("\n", "\n" + pad)


class Renderer:
    def __init__(self, defines: dict[str, list] | None = None):
        self.defines: dict[str, list] = dict(defines or {})

    def add_source(self, source: str, name: str) -> list:
        parser = _Parser(_split(source, name), name)
        nodes = parser.parse()
        self.defines.update(parser.defines)
        return nodes

    def render(self, source: str, root: dict, name: str = "<template>") -> str:
        nodes = self.add_source(source, name)
        return self._exec(nodes, root, {"$": root})

    # -- internals
    def _exec(self, nodes: list, dot: Any, vars_: dict) -> str:
        out: list[str] = []
        for node in nodes:
            if isinstance(node, _Text):
                out.append(node.text)
            elif isinstance(node, _Out):
                out.append(_to_text(self._eval(node.pipe, dot, vars_), node.pipe.where))
            elif isinstance(node, _If):
                branch = node.then if _truthy(self._eval(node.cond, dot, vars_)) else node.other
                out.append(self._exec(branch, dot, vars_))
            elif isinstance(node, _Range):
                seq = self._eval(node.pipe, dot, vars_)
                if seq is MISSING or seq is None:
                    continue
                if isinstance(seq, dict):
                    items = [(k, seq[k]) for k in sorted(seq)]
                elif isinstance(seq, list):
                    items = list(enumerate(seq))
                else:
                    raise TemplateError(f"{node.pipe.where}: range over a {type(seq).__name__}")
                for k, v in items:
                    scope = dict(vars_)
                    if node.key_var:
                        scope[node.key_var] = k
                    if node.val_var:
                        scope[node.val_var] = v
                    out.append(self._exec(node.body, v, scope))
            else:  # pragma: no cover
                raise TemplateError(f"unknown node {node!r}")
        return "".join(out)

    def _operand(self, tok: _Tok, dot: Any, vars_: dict, where: str) -> Any:
        if tok.kind == "str":
            return json.loads(tok.value)
        if tok.kind == "num":
            return int(tok.value)
        if tok.kind == "ident":
            if tok.value in ("true", "false"):
                return tok.value == "true"
            raise TemplateError(f"{where}: {tok.value!r} used as a value")
        if tok.kind == "field":
            text = tok.value
            if text.startswith("$"):
                var, _, rest = text.partition(".")
                if var not in vars_:
                    raise TemplateError(f"{where}: undefined variable {var}")
                base = vars_[var]
                chain = rest.split(".") if rest else []
            else:
                base = dot
                chain = text[1:].split(".") if text != "." else []
            walked = ""
            for name in chain:
                if base is MISSING or base is None:
                    raise TemplateError(f"{where}: nil pointer evaluating {walked or '.'}.{name}")
                if not isinstance(base, dict):
                    raise TemplateError(
                        f"{where}: can't evaluate field {name} in a {type(base).__name__}"
                    )
                base = base.get(name, MISSING)
                walked += "." + name
            return base
        raise TemplateError(f"{where}: unexpected token {tok.value!r}")

    def _eval(self, pipe: _Pipeline, dot: Any, vars_: dict) -> Any:
        where = pipe.where
        value: Any = None
        for i, cmd in enumerate(pipe.commands):
            head = cmd[0]
            if head.kind == "ident" and head.value in FUNCTIONS:
                args = [self._operand(t, dot, vars_, where) for t in cmd[1:]]
                if i > 0:
                    args.append(value)
                value = self._call(head.value, args, where)
            else:
                if i > 0:
                    raise TemplateError(f"{where}: cannot pipe into a non-function")
                value = self._operand(head, dot, vars_, where)
        return value

    def _call(self, fn: str, args: list, where: str) -> Any:
        def arity(n: int) -> None:
            if len(args) != n:
                raise TemplateError(f"{where}: {fn} takes {n} argument(s), got {len(args)}")

        if fn == "include":
            arity(2)
            name, ctx = args
            if name not in self.defines:
                raise TemplateError(f"{where}: no template named {name!r}")
            return self._exec(self.defines[name], ctx, {"$": ctx})
        if fn == "quote":
            if not args:
                raise TemplateError(f"{where}: quote needs an argument")
            return " ".join(
                _go_quote("" if a is MISSING or a is None else _to_text(a, where)) for a in args
            )
        if fn == "default":
            arity(2)
            dflt, given = args
            return given if _truthy(given) else dflt
        if fn == "toYaml":
            arity(1)
            return _to_yaml(args[0])
        if fn == "nindent":
            arity(2)
            return "\n" + _indent(args[0], args[1], where)
        if fn == "indent":
            arity(2)
            return _indent(args[0], args[1], where)
        if fn == "trunc":
            arity(2)
            n, s = args
            s = _to_text(s, where)
            return s[:n] if n >= 0 else s[n:]
        if fn == "trimSuffix":
            arity(2)
            suffix, s = args
            s = _to_text(s, where)
            return s[: -len(suffix)] if suffix and s.endswith(suffix) else s
        if fn == "not":
            arity(1)
            return not _truthy(args[0])
        raise TemplateError(f"{where}: unknown function {fn}")  # pragma: no cover


# --------------------------------------------------------------------------- chart level


def deep_merge(base: Any, override: Any) -> Any:
    """Merge like helm: maps recursively, everything else replaced, None deletes."""
    if not isinstance(base, dict) or not isinstance(override, dict):
        return copy.deepcopy(override)
    out = copy.deepcopy(base)
    for k, v in override.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _load_yaml(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data or {}


def load_values(chart_dir: Path, values_files=(), overrides: dict | None = None) -> dict:
    chart_dir = Path(chart_dir)
    values = _load_yaml(chart_dir / "values.yaml")
    for f in values_files:
        values = deep_merge(values, _load_yaml(Path(f)))
    if overrides:
        values = deep_merge(values, overrides)
    return values


def render_string(
    source: str, values: dict | None = None, helpers: str = "", **root_extra: Any
) -> str:
    """Render one template string (for the renderer's own tests)."""
    r = Renderer()
    if helpers:
        r.add_source(helpers, "_helpers.tpl")
    root = {
        "Values": values or {},
        "Release": {"Name": "rel", "Namespace": "ns", "Revision": 1, "Service": "Helm"},
        "Chart": {"Name": "chart", "Version": "0.0.0", "AppVersion": "0.0.0"},
    }
    root.update(root_extra)
    return r.render(source, root, "<string>")


def render_chart(
    chart_dir: Path,
    values_files=(),
    overrides: dict | None = None,
    release_name: str = "zhdj",
    namespace: str = "zhdj",
    revision: int = 1,
) -> dict[str, str]:
    chart_dir = Path(chart_dir)
    chart = _load_yaml(chart_dir / "Chart.yaml")
    values = load_values(chart_dir, values_files, overrides)
    root = {
        "Values": values,
        "Release": {
            "Name": release_name,
            "Namespace": namespace,
            "Revision": revision,
            "Service": "Helm",
            "IsInstall": revision == 1,
            "IsUpgrade": revision > 1,
        },
        "Chart": {
            "Name": chart["name"],
            "Version": str(chart["version"]),
            "AppVersion": str(chart.get("appVersion", "")),
        },
    }
    renderer = Renderer()
    templates = sorted((chart_dir / "templates").iterdir())
    for path in templates:
        if path.name.startswith("_") and path.suffix == ".tpl":
            renderer.add_source(path.read_text(encoding="utf-8"), path.name)
    rendered: dict[str, str] = {}
    for path in templates:
        if path.name.startswith("_") or path.suffix not in (".yaml", ".yml"):
            continue
        rendered[path.name] = renderer.render(path.read_text(encoding="utf-8"), root, path.name)
    return rendered
