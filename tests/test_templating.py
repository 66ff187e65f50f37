"""The templates' environment calls what templates call as Jinja does (templating._Context)."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from typing import Any

import jinja2
import pytest

from confsite import templating


@jinja2.pass_context
def in_context(context: jinja2.runtime.Context, name: str) -> str:
    """Return a variable as the context sees it (in a loop: the loop's, by Jinja's _loop_vars)."""
    return f"{name}={context.get(name)}"


@jinja2.pass_environment
def in_environment(environment: jinja2.Environment, text: str) -> str:
    return f"{type(environment).__name__ in ('Environment', 'RecordingEnvironment')}:{text}"


@jinja2.pass_eval_context
def in_eval_context(eval_context: jinja2.nodes.EvalContext, text: str) -> str:
    return f"autoescape={eval_context.autoescape}:{text}"


class CalledWithContext:
    """A callable object whose ``__call__`` asks for the context."""

    @jinja2.pass_context
    def __call__(self, context: jinja2.runtime.Context) -> str:
        return f"called with {context.get('who')}"


class Helper:
    """A page helper's kind of object: plain methods, one marked."""

    def plain(self, text: str, *, suffix: str = "") -> str:
        return f"<{text}{suffix}>"

    @jinja2.pass_context
    def marked(self, context: jinja2.runtime.Context) -> str:
        return f"marked sees {context.get('who')}"


def exhausted() -> Any:
    """Raise StopIteration, which Jinja turns into an undefined value."""
    empty: Iterator[int] = iter(())
    return next(empty)


#: Every kind of call: marked and plain functions, methods, callable objects, macros,
#: Python's own functions, a string's method, keyword arguments, inside loops and blocks.
TEMPLATE = """\
{% macro twice(x) %}{{ x }}{{ x }}{% endmacro -%}
{{ in_context('who') }} {{ in_environment('e') }} {{ in_eval_context('v') }} {{ obj() }}
{{ helper.plain('a') }} {{ helper.plain('b', suffix='!') }} {{ helper.marked() }}
{{ twice('m') }} {{ 'a,b'.split(',') }} {{ len('abc') }} [{{ exhausted() }}]
{% for w in ['x', 'y'] %}{% set who = w %}{{ in_context('who') }} {{ obj() }} {{ helper.marked() }}\
 {{ helper.plain(w, suffix='?') }} {{ twice(w) }} {{ loop.cycle('odd', 'even') }};{% endfor %}
{% set who = 'set' %}{{ in_context('who') }} {{ helper.marked() }}
{% block inner %}{% set who = 'block' %}{{ in_context('who') }} {{ helper.marked() }}{% endblock %}
"""

VALUES: dict[str, Any] = {
    "who": "page",
    "obj": CalledWithContext(),
    "helper": Helper(),
    "in_context": in_context,
    "in_environment": in_environment,
    "in_eval_context": in_eval_context,
    "exhausted": exhausted,
    "len": len,
}


@pytest.mark.parametrize("autoescape", [True, False])
def test_calls_render_as_with_jinjas_own_context(autoescape: bool) -> None:
    loader = jinja2.DictLoader({"t.html": TEMPLATE})
    ours = templating.RecordingEnvironment(loader=loader, autoescape=autoescape)
    jinjas = jinja2.Environment(loader=loader, autoescape=autoescape)
    assert ours.context_class is not jinjas.context_class  # (what is compared)
    rendered = ours.get_template("t.html").render(VALUES)
    assert rendered == jinjas.get_template("t.html").render(VALUES)
    lines = rendered.splitlines()
    assert lines[0] == f"who=page True:e autoescape={autoescape}:v called with page"
    assert "who=x called with x marked sees x" in lines[3]
    assert lines[4:] == ["who=set marked sees set", "who=block marked sees block"]


def test_a_failing_call_names_the_template_line_and_not_the_context() -> None:
    """Jinja leaves its own frames out of a template's traceback: the context's call too."""

    def failing() -> str:
        raise ValueError("failed")

    env = templating.RecordingEnvironment(loader=jinja2.DictLoader({"t.html": "\n{{ failing() }}"}))
    with pytest.raises(ValueError, match="failed") as raised:
        env.get_template("t.html").render(failing=failing)
    frames = [(frame.filename, frame.lineno, frame.name) for frame in traceback.extract_tb(raised.tb)]
    template = frames.index(("<template>", 2, "top-level template code"))
    assert [name for _, _, name in frames[template + 1 :]] == ["failing"]
