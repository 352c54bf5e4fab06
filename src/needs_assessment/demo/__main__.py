"""``python -m needs_assessment.demo``: write the demonstration extract."""

import sys

from needs_assessment.demo import main

sys.exit(main())
