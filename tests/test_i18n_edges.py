"""Messages of the edges in the reader's language: Typer's and Click's usage errors
(`hsplan.cli._typer_words`), Click's plural messages in the catalog, the server's and the web
API's errors. Chinese by default; English with the `english` fixture."""

from __future__ import annotations

import re
from typing import Any

import pytest

from hsplan import _i18n
from hsplan.cli._typer_words import said_again
from hsplan.errors import DataSourceError, HsplanError, ValidationError

CJK = re.compile(r"[\u4e00-\u9fff]")

# every message Typer 0.2x's copy of Click, Typer's value checks and Click 8.1 raise before
# a command runs, as they print it (those that name choices or parameters, English words by
# nature, are checked word for word below)
USAGE_ERRORS = (
    "Got unexpected extra argument(s) (/tmp/ex)",
    "Got unexpected extra argument (/tmp/ex)",
    "Got unexpected extra arguments (/tmp/ex b)",
    "Option '--version' does not take a value.",
    "Argument 'pair' takes 2 values.",
    "Option '--port' requires an argument.",
    "Option '--pair' requires 2 arguments.",
    "No such option: --bogus",
    "No such option: --hel (Possible options: --help)",
    "No such option '--bogus'. Did you mean '--year'?",
    "No such command 'evaluat'.",
    "No such command 'evaluat'. Did you mean 'evaluate'?",
    "Missing command.",
    "Missing argument 'PROJECT'.",
    "Missing option '--plan'.",
    "Could not open file 'plan.yaml': No such file or directory",
    "Invalid value: Value must be an iterable.",
    "Invalid value for '--port': 'abc' is not a valid integer.",
    "Invalid value for '--port': Input should be a valid integer, unable to parse string as "
    "an integer",
    "Invalid value for '--km': Input should be a valid number, unable to parse string as a "
    "number",
    "Invalid value for '--km': Input should be a finite number",
    "Invalid value for '--flag': Input should be a valid boolean, unable to interpret input",
    "Invalid value for '--year': Input should be greater than or equal to 1949",
    "Invalid value for '--year': Input should be less than or equal to 2100",
    "Invalid value for '--n': Input should be greater than 0",
    "Invalid value for '--n': Input should be less than 10",
    "Invalid value for '--format': 'xyz' is not one of 'table', 'json'.",
    "Invalid value for '--format': Input should be 'table' or 'json'",
    "Invalid value for '--n': 12 is not in the range 1<=x<=10.",
    "Invalid value for '--as-of': Input should be a valid date or datetime, invalid "
    "character in year",
    "Invalid value for 'PROJECT': Path 'x' does not exist.",
    "Invalid value for 'PROJECT': File 'x' does not exist.",
    "Invalid value for 'PROJECT': Directory 'x' does not exist.",
    "Invalid value for 'PROJECT': Directory 'x' is a file.",
    "Invalid value for '--out': File 'x' is a directory.",
    "Invalid value for '--out': File 'x' is not writable.",
    "Invalid value for 'PROJECT': Directory 'x' is not readable.",
    "Invalid value for '--when': Value 'x' is not a valid datetime.",
    "Invalid value for '--when': 'x' does not match the formats '%Y-%m-%d'.",
    "Aborted!",
)


def _english_words(text: str) -> list[str]:
    """Return the English words of `text` outside quotes, options and paths."""
    bare = re.sub(r"'[^']*'|--?[\w-]+|/[\w/.]+|%\w|\bYYYY-MM-DD\b|\btrue\b|\bfalse\b", " ",
                  text)
    return re.findall(r"[A-Za-z]{3,}", bare)


@pytest.mark.usefixtures("chinese")
@pytest.mark.parametrize("message", USAGE_ERRORS)
def test_every_usage_error_is_said_again_in_chinese(message: str) -> None:
    said = said_again(message)
    assert CJK.search(said) and not _english_words(said), said


def test_the_extra_argument_keeps_what_came_and_the_choices_are_listed(chinese: None) -> None:
    assert said_again("Got unexpected extra argument(s) (/tmp/ex)") == "多余的参数（/tmp/ex）。"
    assert said_again("Missing option '--format'. Choose from:\n\ttable,\n\tjson") == \
        "缺少选项 '--format'。可选：table，json。"
    assert said_again("Missing parameter: name") == "缺少参数 name。"


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("message", USAGE_ERRORS[:6])
def test_usage_errors_stay_as_they_came_in_english(message: str) -> None:
    assert said_again(message) == message


# Click's own ngettext messages (a Typer on Click 8.1 says them through gettext)
CLICK_PLURALS = (
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})",
     {"args": "a b"}),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments.",
     {"name": "--pair", "nargs": 2}),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}.",
     {"value": "x", "choice": "'a'", "choices": "'a', 'b'"}),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)",
     {"possibility": "'--year'", "possibilities": "'--year'"}),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given.",
     {"nargs": 2, "len": 3}),
    ("{value!r} does not match the format {format}.",
     "{value!r} does not match the formats {formats}.",
     {"value": "x", "format": "'%Y'", "formats": "'%Y'"}),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given.",
     {"len_type": 2, "len_value": 3}),
)


@pytest.mark.usefixtures("chinese")
@pytest.mark.parametrize("singular, plural, fields", CLICK_PLURALS, ids=lambda x: str(x)[:30])
@pytest.mark.parametrize("n", [1, 2])
def test_clicks_plural_messages_are_in_the_catalog(singular: str, plural: str,
                                                   fields: dict[str, Any], n: int) -> None:
    """A plain catalog entry of the singular is not what ngettext looks up: Click's "Got
    unexpected extra argument(s)" came out in English however the entry read."""
    import gettext

    found = gettext.translation(_i18n.DOMAIN, localedir=str(_i18n.LOCALE_DIR),
                                languages=["zh_CN"]).ngettext(singular, plural, n)
    assert CJK.search(found.format(**fields)), found


# --- the server and the web API ---------------------------------------------------------------

def _server_errors() -> list[str]:
    pytest.importorskip("argon2")
    pytest.importorskip("sqlalchemy")
    from hsplan.server import auth, db

    out = []
    with pytest.raises(ValidationError) as short:
        auth.hash_password("short")
    out.append(str(short.value))
    with pytest.raises(DataSourceError) as url:
        db.engine_for("mysql://me@host/db")
    out.append(str(url.value))
    return out


def test_server_errors_in_chinese_by_default(chinese: None) -> None:
    short, url = _server_errors()
    assert "密码太短：应为 不少于 10 个字符，实际为 '5 个字符'。" \
        "处理办法：换一个更长的密码短语" in short
    assert url.startswith("--db host/db：应为 postgresql:// 地址。处理办法：--db postgresql://")
    assert not _english_words(short.replace("密码", ""))


def test_server_errors_in_english_on_request(english: None) -> None:
    short, url = _server_errors()
    assert "password too short: expected at least 10 characters, got '5 characters'." in short
    assert url.startswith("--db host/db: expected a postgresql:// URL. Fix: --db postgresql://")


def _api_answers() -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the JSON of a bad query value and of a Chinese hsplan error, from a small app
    with the web API's error handlers."""
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from hsplan._i18n import _
    from hsplan.web.errors import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)

    @app.get("/n")
    def n(year: int) -> int:
        return year

    @app.get("/layer")
    def layer() -> None:
        raise HsplanError(_("map layer {name}: expected one of {layers}. Fix: ask for "
                            "{example}.").format(name="'x'", layers="county, townships",
                                                 example="/api/v1/geo/townships"))

    with TestClient(app) as client:
        return client.get("/n", params={"year": "abc"}).json(), client.get("/layer").json()


def test_api_errors_in_chinese_by_default(chinese: None) -> None:
    bad, layer = _api_answers()
    assert bad["errors"][0]["what"] == "不是整数" and bad["errors"][0]["expected"] == "整数"
    e = layer["errors"][0]
    assert e["what"] == "地图图层 'x'：应为 county, townships 之一"  # the fix split off
    assert e["fix"] == "请求 /api/v1/geo/townships。"


def test_api_errors_in_english_on_request(english: None) -> None:
    bad, layer = _api_answers()
    assert bad["errors"][0]["what"].startswith("Input should be a valid integer")
    e = layer["errors"][0]
    assert e["what"] == "map layer 'x': expected one of county, townships"
    assert e["fix"] == "ask for /api/v1/geo/townships."
