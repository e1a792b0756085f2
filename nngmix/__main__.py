import sys

from nngmix.cli import main

sys.exit(main())
