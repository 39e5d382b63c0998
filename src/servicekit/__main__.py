"""``python -m servicekit``: the same as the ``servicekit`` command."""

from servicekit._cli import main

raise SystemExit(main())
