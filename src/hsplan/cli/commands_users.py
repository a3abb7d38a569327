"""`hsplan users`: the server's users — add, list, disable, reset-password.

There are no default credentials: the first administrator is added here, on the database
host, with a password typed at the prompt or read from standard input.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from hsplan._i18n import N_, _
from hsplan.cli._app import PANEL_PROJECT, app, console
from hsplan.cli.commands_db import DbOption, _engine

users_app = typer.Typer(help=_("Server users, their roles and scopes (hsplan serve --db)."),
                        no_args_is_help=True)
app.add_typer(users_app, name="users", rich_help_panel=PANEL_PROJECT)

PasswordStdin = Annotated[bool, typer.Option(
    "--password-stdin", help=_("read the password from standard input (one line)"))]


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=True))


@users_app.command("add",
    help=_("Add a user with a role and scopes (a user without a scope sees nothing)."))
def users_add(
    name: Annotated[str, typer.Argument(help=_("login name"))],
    db: DbOption,
    role: Annotated[str, typer.Option(help=_(
        "role: 管理员 (admin) / 规划人员 (planner) / 领导 (leadership) / 部门 (department) / "
        "机构填报员 (facility reporter)"))],
    area: Annotated[list[str] | None, typer.Option(
        help=_("division code the user may access, with everything below it (repeatable)"))] = None,
    facility: Annotated[list[str] | None, typer.Option(
        help=_("facility id the user reports for (repeatable)"))] = None,
    department: Annotated[list[str] | None, typer.Option(
        help=_("department whose task progress the user reports (repeatable)"))] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a user with a role and scopes (a user without a scope sees nothing)."""
    from hsplan.server.auth import create_user

    password = _password(password_stdin)
    with _engine(db).begin() as conn:
        user_id = create_user(conn, name, password, role, areas=tuple(area or ()),
                              facilities=tuple(facility or ()),
                              departments=tuple(department or ()))
    console.print(_("user {name} added (id {id}, {role})").format(name=name, id=user_id,
                                                                  role=role), highlight=False)


@users_app.command("list",
    help=_("List the users with their roles, scopes and whether they are disabled."))
def users_list(db: DbOption) -> None:
    """List the users with their roles, scopes and whether they are disabled."""
    import sqlalchemy as sa

    from hsplan.server import db as store

    table = Table(_("user"), _("role"), _("scope"), _("disabled"))
    kinds = {"area": N_("area {code}"), "facility": N_("facility {id}"),
             "department": N_("department {name}")}
    with _engine(db).connect() as conn:
        scopes: dict[int, list[str]] = {}
        for r in conn.execute(sa.select(store.user_scopes).order_by(store.user_scopes.c.id)):
            said = _(kinds[r.kind]).format(code=r.value, id=r.value, name=r.value) \
                if r.kind in kinds else f"{r.kind} {r.value}"
            scopes.setdefault(r.user_id, []).append(said)
        for u in conn.execute(sa.select(store.users).order_by(store.users.c.name)):
            table.add_row(u.name, u.role, _(", ").join(scopes.get(u.id, [])) or _("(none)"),
                          _("yes") if u.disabled else "")
    console.print(table)


@users_app.command("disable",
    help=_("Disable a user (their sessions end at once)."))
def users_disable(name: Annotated[str, typer.Argument(help=_("login name"))],
                  db: DbOption) -> None:
    """Disable a user (their sessions end at once)."""
    from hsplan.server.auth import set_disabled

    with _engine(db).begin() as conn:
        set_disabled(conn, name, True)
    console.print(_("user {name} disabled").format(name=name), highlight=False)


@users_app.command("reset-password",
    help=_("Set a new password for a user (their sessions end at once)."))
def users_reset_password(name: Annotated[str, typer.Argument(help=_("login name"))],
                         db: DbOption, password_stdin: PasswordStdin = False) -> None:
    """Set a new password for a user (their sessions end at once)."""
    from hsplan.server.auth import set_password

    password = _password(password_stdin)
    with _engine(db).begin() as conn:
        set_password(conn, name, password)
    console.print(_("password of {name} reset").format(name=name), highlight=False)
