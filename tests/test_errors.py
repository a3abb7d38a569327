"""Problems render as 'where: what: expected X, got Y. Fix: …' and are raised all at once."""

from __future__ import annotations

import pytest

from hsplan.errors import Problem, ValidationError, raise_if_errors

# these tests check the English text of messages (tests/test_i18n_problems.py checks the
# Chinese): run them in English
pytestmark = pytest.mark.usefixtures("english")


def test_problem_message_names_where_what_expected_got_and_fix() -> None:
    p = Problem("bad bed count", file="facilities.xlsx", sheet="机构", row=17, column="床位数",
                expected="a whole number ≥ 0", got="约200", fix="enter digits only")
    assert str(p) == ("facilities.xlsx, sheet 机构, row 17, column 床位数: bad bed count: "
                      "expected a whole number ≥ 0, got '约200'. Fix: enter digits only")


def test_validation_error_carries_every_problem_and_ignores_warnings_for_raising() -> None:
    problems = [Problem("a", row=2), Problem("b", row=3), Problem("c", severity="warning")]
    with pytest.raises(ValidationError) as info:
        raise_if_errors(problems, context="template.xlsx")
    assert len(info.value.errors) == 2 and len(info.value.warnings) == 1
    assert str(info.value).splitlines()[0] == "template.xlsx: 2 problems found"
    raise_if_errors([Problem("only a warning", severity="warning")])  # does not raise
