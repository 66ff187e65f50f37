"""Build the conference website: ``python build.py --help`` explains the commands."""

from confsite.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
