import sys

from microdrama.cli import main

sys.exit(main())
