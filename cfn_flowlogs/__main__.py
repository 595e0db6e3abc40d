"""`python -m cfn_flowlogs`: the `cfn-flowlogs` command."""

from .cli import main

raise SystemExit(main())
