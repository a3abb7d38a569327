"""`python -m hsplan` runs the command line."""

from hsplan.cli import main

main()
