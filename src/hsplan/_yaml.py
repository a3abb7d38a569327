"""Reading YAML documents (plans, scenarios) with the line of every node, for messages
that point at the line to fix.

The reader is a guarded boundary: the text is at most `MAX_YAML_BYTES`, nesting at most
`MAX_DEPTH` levels, and the document at most `MAX_NODES` nodes *after* alias expansion (a
"billion laughs" alias bomb of 1 KB is refused before it is built, not after it has filled
the memory). A key given twice in one mapping, ``.nan`` and ``.inf`` are errors naming the
line: a plan target is never NaN or infinite, and the last of two values never silently
wins.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from hsplan._i18n import N_, _
from hsplan.errors import Problem, ValidationError

MAX_YAML_BYTES = 2_000_000
MAX_DEPTH = 50
MAX_NODES = 200_000

Lines = dict[tuple[Any, ...], int]
# the parser's words for the mistakes people make most, translated in messages
_PARSER_PROBLEMS = (
    N_("mapping values are not allowed here"), N_("could not find expected ':'"),
    N_("mapping values are not allowed in this context"),
    N_("block sequence entries are not allowed in this context"),
    N_("found a tab character where an indentation space is expected"),
    N_("did not find expected node content"), N_("did not find expected <document start>"),
    N_("did not find expected ',' or ']'"), N_("did not find expected ',' or '}'"),
    N_("found unknown escape character"),
    N_("found character that cannot start any token"),
    N_("found unexpected end of stream"), N_("found undefined alias"),
    N_("found a tab character that violates indentation"),
    N_("expected <block end>, but found '<block mapping start>'"),
    N_("expected <block end>, but found '-'"),
    N_("expected <block end>, but found '<scalar>'"),
    N_("did not find expected key"), N_("did not find expected '-' indicator"),
    N_("found duplicate anchor; first occurrence"),
    N_("expected a single document in the stream"),
)
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class TextDatesLoader(_BaseLoader):  # type: ignore[misc]
    """SafeLoader that keeps dates as the ISO text written (schemas check them), so an
    impossible date such as 2025-02-30 is one clear problem instead of a crash."""


TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def yaml_with_lines(text: str, *, file: str, context: str, fix: str,
                    loader: type = TextDatesLoader) -> tuple[Any, Lines]:
    """Return the YAML data of `text` and the line (1-based) of every node path (keys and
    list indexes); raise one `ValidationError` naming `file` and the line when the text is
    not valid YAML (`fix` says what to check)."""
    if len(text) > MAX_YAML_BYTES:
        raise ValidationError([Problem(
            _("file too large"), file=file,
            expected=_("at most {n} characters").format(n=f"{MAX_YAML_BYTES:,}"),
            got=_("{n} characters").format(n=f"{len(text):,}"), fix=fix)], context=context)
    if "\x00" in text:
        raise ValidationError([Problem(
            _("NUL byte in the text (a binary file?)"), file=file,
            row=text[:text.index("\x00")].count("\n") + 1, fix=fix)], context=context)
    parser = loader(text)
    try:
        node = parser.get_single_node()
        if node is not None:
            problems: list[Problem] = []
            _guard(node, file=file, problems=problems)
            if problems:
                problems.sort(key=lambda p: p.row or 0)
                raise ValidationError(problems, context=context)
        data = parser.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        if problem in _PARSER_PROBLEMS:
            problem = _(problem)
        raise ValidationError([Problem(
            _("not valid YAML ({problem})").format(problem=problem), file=file,
            row=mark.line + 1 if mark is not None else None, fix=fix)],
            context=context) from exc
    except RecursionError as exc:
        raise ValidationError([Problem(
            _("nested too deeply"), file=file,
            expected=_("at most {n} levels").format(n=MAX_DEPTH), fix=fix)],
            context=context) from exc
    finally:
        parser.dispose()
    lines: Lines = {}
    if node is not None:
        _node_lines(node, (), lines)
    return data, lines


def _guard(root: yaml.Node, *, file: str, problems: list[Problem]) -> None:
    """Append a problem for an alias bomb, deep nesting, a duplicated key, NaN or infinity."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise _TooDeep(node)
        if id(node) in active:
            raise _Recursive(node)
        known = sizes.get(id(node))
        if known is not None:
            return known
        active.add(id(node))
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k, depth + 1) + size(v, depth + 1)
                if total > MAX_NODES:
                    break
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item, depth + 1)
                if total > MAX_NODES:
                    break
        active.discard(id(node))
        sizes[id(node)] = total
        return total

    active: set[int] = set()
    try:
        total = size(root, 0)
    except _Recursive as exc:
        problems.append(Problem(
            _("an alias refers to the value that contains it"), file=file,
            row=exc.node.start_mark.line + 1, expected=_("values that end"),
            fix=_("write the values out instead of the alias")))
        return
    except _TooDeep as exc:
        problems.append(Problem(
            _("nested too deeply"), file=file, row=exc.node.start_mark.line + 1,
            expected=_("at most {n} levels of lists and mappings").format(n=MAX_DEPTH),
            fix=_("flatten the document; a plan or scenario needs only a few levels")))
        return
    if total > MAX_NODES:
        problems.append(Problem(
            _("document too large once its aliases (&anchor / *alias) are expanded"),
            file=file, expected=_("at most {n} values").format(n=f"{MAX_NODES:,}"),
            got=_("more than {n}").format(n=f"{MAX_NODES:,}"),
            fix=_("write the values out instead of repeating aliases")))
        return
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, int] = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    line = k.start_mark.line + 1
                    if k.value in keys:
                        problems.append(Problem(
                            _("key given twice"), file=file, row=line, column=str(k.value),
                            expected=_("each key once in a mapping"),
                            got=_("{key} (also on line {line})").format(key=k.value,
                                                                        line=keys[k.value]),
                            fix=_("delete one of the two, or merge their values")))
                    else:
                        keys[k.value] = line
                stack += [k, v]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
        elif isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:float":
            try:
                value = float(yaml.SafeLoader("").construct_yaml_float(node))
            except (ValueError, TypeError, yaml.YAMLError):
                continue
            if not math.isfinite(value):
                problems.append(Problem(
                    _("not a finite number"), file=file, row=node.start_mark.line + 1,
                    expected=_("a number"), got=str(node.value),
                    fix=_("write the number itself; leave the key out when there is no "
                          "value")))


class _Recursive(Exception):
    def __init__(self, node: yaml.Node) -> None:
        super().__init__("recursive")
        self.node = node


class _TooDeep(Exception):
    def __init__(self, node: yaml.Node) -> None:
        super().__init__("too deep")
        self.node = node


def _node_lines(node: yaml.Node, path: tuple[Any, ...], out: Lines) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            _node_lines(value_node, (*path, key), out)
            out[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _node_lines(item, (*path, i), out)
