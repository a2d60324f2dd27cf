"""``python -m smmsim`` runs the command line."""

from smmsim.cli import main

main()
