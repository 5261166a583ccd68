"""`python -m artcost.cli ...`: the same as the `artcost` command."""

import sys

from artcost.cli import main

sys.exit(main())
