"""Turning result frames into JSON-ready Python values (one rule for every output)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def json_value(value: Any) -> Any:
    """Return `value` as plain JSON data: None for missing, Python numbers for numpy ones,
    lists and dicts converted item by item, anything else unknown as its text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return str(value)


def json_records(frame: pd.DataFrame, columns: Sequence[str] | None = None
                 ) -> list[dict[str, Any]]:
    """Return the rows of `frame` (only `columns`, in that order, when given) as JSON dicts."""
    cols = list(columns) if columns is not None else [str(c) for c in frame.columns]
    return [{c: json_value(row[c]) for c in cols} for row in frame.to_dict(orient="records")]
