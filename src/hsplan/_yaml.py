"""Reading YAML documents (plans, scenarios) with the line of every node, for messages
that point at the line to fix."""

from __future__ import annotations

from typing import Any

import yaml

from hsplan.errors import Problem, ValidationError

Lines = dict[tuple[Any, ...], int]
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
    parser = loader(text)
    try:
        node = parser.get_single_node()
        data = parser.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ValidationError([Problem(
            f"not valid YAML ({problem})", file=file,
            row=mark.line + 1 if mark is not None else None, fix=fix)],
            context=context) from exc
    finally:
        parser.dispose()
    lines: Lines = {}
    if node is not None:
        _node_lines(node, (), lines)
    return data, lines


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
