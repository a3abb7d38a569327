"""Write src/hsplan/cli/_help_text.py: the command manifest and top-level help of `hsplan`.

    PYTHONPATH=src python scripts/cli_help.py           # write it
    PYTHONPATH=src python scripts/cli_help.py --check   # exit 1 if it is out of date

Run it after adding or renaming a command, or changing a command's short help, a panel or
a translation of them (after scripts/i18n_catalog.py).
"""

from __future__ import annotations

import argparse
import sys

from hsplan.cli._prerender import help_text_module, help_text_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args()
    path = help_text_path()
    text = help_text_module()
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if args.check:
        if text != current:
            print(f"{path} is out of date: run scripts/cli_help.py", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    if text != current:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    else:
        print(f"{path} is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
