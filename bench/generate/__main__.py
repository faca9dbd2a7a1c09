"""`python -m bench.generate`: see bench/generate/__init__.py."""

import sys

from bench.generate import main

sys.exit(main())
