"""`hsplan users`: the server's users — add, list, disable, reset-password.

There are no default credentials: the first administrator is added here, on the database
host, with a password typed at the prompt or read from standard input.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from hsplan.cli._app import PANEL_PROJECT, app, console
from hsplan.cli.commands_db import DbOption, _engine

users_app = typer.Typer(help="服务器用户、角色与权限范围（hsplan serve --db）。",
                        no_args_is_help=True)
app.add_typer(users_app, name="users", rich_help_panel=PANEL_PROJECT)

PasswordStdin = Annotated[bool, typer.Option(
    "--password-stdin", help="从标准输入读取密码（一行）")]


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="登录名")],
    db: DbOption,
    role: Annotated[str, typer.Option(help="管理员 / 规划人员 / 领导 / 部门 / 机构填报员")],
    area: Annotated[list[str] | None, typer.Option(
        help="用户可访问的区划代码（含下级，可重复）")] = None,
    facility: Annotated[list[str] | None, typer.Option(
        help="用户负责填报的机构编码（可重复）")] = None,
    department: Annotated[list[str] | None, typer.Option(
        help="用户负责报送任务进展的部门（可重复）")] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """新增用户及其角色与权限范围（没有权限范围的用户什么也看不到）。"""
    from hsplan.server.auth import create_user

    password = _password(password_stdin)
    with _engine(db).begin() as conn:
        user_id = create_user(conn, name, password, role, areas=tuple(area or ()),
                              facilities=tuple(facility or ()),
                              departments=tuple(department or ()))
    console.print(f"user {name} added (id {user_id}, {role})")


@users_app.command("list")
def users_list(db: DbOption) -> None:
    """列出用户及其角色、权限范围和是否停用。"""
    import sqlalchemy as sa

    from hsplan.server import db as store

    table = Table("用户", "角色", "范围", "停用")
    with _engine(db).connect() as conn:
        scopes: dict[int, list[str]] = {}
        for r in conn.execute(sa.select(store.user_scopes).order_by(store.user_scopes.c.id)):
            scopes.setdefault(r.user_id, []).append(f"{r.kind} {r.value}")
        for u in conn.execute(sa.select(store.users).order_by(store.users.c.name)):
            table.add_row(u.name, u.role, ", ".join(scopes.get(u.id, [])) or "(无)",
                          "是" if u.disabled else "")
    console.print(table)


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="登录名")],
                  db: DbOption) -> None:
    """停用用户（其会话立即失效）。"""
    from hsplan.server.auth import set_disabled

    with _engine(db).begin() as conn:
        set_disabled(conn, name, True)
    console.print(f"user {name} disabled")


@users_app.command("reset-password")
def users_reset_password(name: Annotated[str, typer.Argument(help="登录名")],
                         db: DbOption, password_stdin: PasswordStdin = False) -> None:
    """为用户设置新密码（其会话立即失效）。"""
    from hsplan.server.auth import set_password

    password = _password(password_stdin)
    with _engine(db).begin() as conn:
        set_password(conn, name, password)
    console.print(f"password of {name} reset")
