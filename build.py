#!/usr/bin/env python3
"""Entry point: `python build.py [command] [options]` behaves exactly like the `sitegen` command."""
import sys

from sitegen.cli import main

if __name__ == "__main__":
    sys.exit(main())
