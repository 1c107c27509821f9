"""``python -m algdiv ...`` runs the ``algdiv`` command line."""
import sys

from .cli import main

sys.exit(main())
