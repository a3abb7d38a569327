"""Property-based fuzzing of the readers (Hypothesis): whatever the bytes or cells, a reader
returns a value that satisfies its column, or an hsplan error naming where — never a Python
exception, never NaN, infinity or a value outside the column's range."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hsplan._yaml import yaml_with_lines
from hsplan.errors import HsplanError, Problem, ValidationError, summarise
from hsplan.region import schema
from hsplan.region.io._cells import CellError, parse_cell
from hsplan.region.io.tables import decode_text, frame_from_rows, read_tables

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])
COLUMNS = [(t, c) for t in schema.TABLES.values() for c in t.columns]
cells = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(["NaN", "inf", "-Infinity", "1e400", "#DIV/0!", "约200", "1,200", "２０２３",
                     "2023年", " 12 ", "0x1F", "1_000", "\x00", "=1+1", "是", "否"]),
    st.datetimes(), st.dates())


@SETTINGS
@given(st.sampled_from(COLUMNS), cells)
def test_a_parsed_cell_satisfies_its_column(table_col: Any, value: Any) -> None:
    _, col = table_col
    if value is None or (isinstance(value, str) and not value.strip()):
        return
    parsed = parse_cell(value, col)
    if isinstance(parsed, CellError):
        assert parsed.message and parsed.expected and parsed.fix
        return
    if col.kind in ("int", "float", "year"):
        assert isinstance(parsed, int | float) and not isinstance(parsed, bool)
        assert math.isfinite(parsed) and abs(parsed) <= schema.ABSOLUTE_MAX
        if col.min is not None:
            assert parsed >= col.min
        if col.max is not None:
            assert parsed <= col.max
        if col.kind != "float":
            assert float(parsed).is_integer()
    elif col.kind == "choice":
        assert parsed in col.choices
    elif col.kind in ("str", "code", "list", "date"):
        assert isinstance(parsed, str) and "\x00" not in parsed


@SETTINGS
@given(st.lists(st.lists(cells, max_size=6), min_size=0, max_size=8),
       st.sampled_from(list(schema.TABLES.values())))
def test_any_grid_of_cells_gives_a_frame_or_located_problems(grid: list[list[Any]],
                                                             table: schema.Table) -> None:
    headers = [c.zh for c in table.columns[:6]]
    rows = [(1, headers), *[(i + 2, r) for i, r in enumerate(grid)]]
    frame, _, problems = frame_from_rows(table, rows, file="f.xlsx", sheet=table.zh)
    for p in problems:
        assert p.file == "f.xlsx" and p.sheet == table.zh and str(p)
    if frame is not None:
        for col in table.columns:
            if col.kind in ("int", "float", "year") and col.id in frame:
                values = frame[col.id].dropna().astype(float)
                assert values.map(math.isfinite).all()


@SETTINGS
@given(st.binary(max_size=400))
def test_any_bytes_decode_or_fail_with_a_named_error(raw: bytes) -> None:
    try:
        text, encoding = decode_text(raw, file="x.csv")
    except HsplanError as exc:
        assert "x.csv" in str(exc)
        return
    assert isinstance(text, str) and encoding


@SETTINGS
@given(st.binary(max_size=600))
def test_any_csv_file_reads_or_fails_cleanly(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "resources.csv"
    path.write_bytes(b"\xe6\x9c\xba\xe6\x9e\x84\xe7\xbc\x96\xe7\xa0\x81,\xe5\xb9\xb4\xe4\xbb\xbd,"
                     b"\xe5\xae\x9e\xe6\x9c\x89\xe5\xba\x8a\xe4\xbd\x8d\n" + raw)
    try:
        result = read_tables(path)
    except HsplanError as exc:
        assert "resources.csv" in str(exc)
        return
    for p in result.problems:
        assert p.file == "resources.csv"


@SETTINGS
@given(st.text(max_size=300))
def test_any_yaml_text_loads_or_fails_with_a_line(text: str) -> None:
    try:
        yaml_with_lines(text, file="p.yaml", context="plan", fix="check it")
    except ValidationError as exc:
        assert all(p.file == "p.yaml" for p in exc.problems)


@st.composite
def _yaml_docs(draw: Any) -> str:
    keys = draw(st.lists(st.sampled_from(["a", "b", "c", "target", "value"]), min_size=1,
                         max_size=6))
    values = draw(st.lists(st.sampled_from(["1", ".nan", ".inf", "-.inf", "x", "[1, 2]",
                                            "{v: .NaN}", "1.0e+999", "2.5"]),
                           min_size=len(keys), max_size=len(keys)))
    return "".join(f"{k}: {v}\n" for k, v in zip(keys, values, strict=True))


@SETTINGS
@given(_yaml_docs())
def test_yaml_never_yields_nan_or_a_silently_duplicated_key(text: str) -> None:
    try:
        data, _ = yaml_with_lines(text, file="p.yaml", context="plan", fix="check it")
    except ValidationError as exc:
        assert exc.problems
        return
    keys = [line.split(":")[0] for line in text.splitlines()]
    assert len(keys) == len(set(keys))

    def finite(v: Any) -> bool:
        if isinstance(v, float):
            return math.isfinite(v)
        if isinstance(v, dict):
            return all(finite(x) for x in v.values())
        if isinstance(v, list):
            return all(finite(x) for x in v)
        return True

    assert finite(data)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]),
                          st.sampled_from(["error", "warning"])), max_size=300))
def test_problems_are_capped_per_kind_and_counted(kinds: list[tuple[str, str]]) -> None:
    problems = [Problem(m, severity=s, row=i) for i, (m, s) in enumerate(kinds)]
    shown, omitted = summarise(problems, per_kind=20)
    assert len(shown) + sum(omitted.values()) == len(problems)
    for kind in {(p.message, p.severity) for p in problems}:
        n = sum((p.message, p.severity) == kind for p in shown)
        assert n == min(20, sum((p.message, p.severity) == kind for p in problems))


@pytest.mark.parametrize("raw", [b"", b"\xff\xfe", b"\xef\xbb\xbf", b"\xfe\xff\x00a"])
def test_boundary_byte_strings_decode_or_fail_cleanly(raw: bytes) -> None:
    try:
        text, _ = decode_text(raw, file="x.csv")
    except HsplanError as exc:
        assert str(exc).startswith("x.csv: text in an unknown encoding")
        return
    assert isinstance(text, str)
