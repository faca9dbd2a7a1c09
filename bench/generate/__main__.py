"""`python -m bench.generate`: see bench/generate/cli.py."""

import sys

from bench.generate import main

sys.exit(main())
