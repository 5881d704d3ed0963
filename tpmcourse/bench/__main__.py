"""``python -m tpmcourse.bench`` (what ``make bench`` runs)."""

import sys

from tpmcourse.bench import main

sys.exit(main())
