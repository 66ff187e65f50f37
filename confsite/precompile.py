"""The templates compiled by a process of their own, from the start of a build.

A build that finds no compiled templates in the cache (the first one, or one after confsite
or Jinja changed) spent 0.14 s compiling its 21 templates. Started once the build had
imported everything, a process that compiled them beside it came too late: it competed for
the second core with the one drawing the share images, and the build had compiled most of
them itself before that process got there. The command line therefore starts it before it
imports the rest of confsite (0.1 s, while the second core has nothing to do), from this
module, which imports little. The process compiles the templates into the cache in the
order the build needs them: the flyer's, the partials that most pages include, then the
pages' in the order of ``Routes.all``. The build takes each from there, or compiles it
itself where it gets there first.
"""

from __future__ import annotations

import functools
from pathlib import Path

from . import cache, workers

#: The templates that ship with confsite, beside the package.
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
#: The flyer's templates (flyer.FOLDER, named here: importing flyer takes 0.05 s).
FLYER_FOLDER = "flyer/"


def started(templates: Path = TEMPLATES) -> workers.Started[None]:
    """Start compiling the templates of ``templates`` into the cache, in a process of its own.

    Nothing is started on one core, or without a cache; a ``with`` block ends the process.
    """
    fork = workers.default_jobs() > 1 and cache.enabled()
    return workers.Started(functools.partial(compile_templates, templates), fork=fork)


def compile_templates(templates: Path) -> None:
    """Compile every template of ``templates`` into the cache (see templating.compile_all)."""
    # Imported by the forked process, while the build imports them too.
    from . import templating  # noqa: PLC0415
    from .routes import PAGE_TEMPLATES  # noqa: PLC0415

    env = templating.make_environment(templates)
    if env.bytecode_cache is not None:  # (without a cache folder, the work would be lost)
        templating.compile_all(env, (FLYER_FOLDER, "_", *PAGE_TEMPLATES.values()))
