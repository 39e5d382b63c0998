"""``python -m servicekit``: the command line."""

from servicekit.cli import main

raise SystemExit(main())
