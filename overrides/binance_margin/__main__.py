"""`python -m binance_margin`: the `binance-margin` command, where the scripts directory is not on PATH."""

from ._cli import main

raise SystemExit(main())
