"""The publishing workflow (.github/workflows/pages.yml), hardened and kept so.

zizmor (pinned in requirements.txt; ``make audit`` and .ci/run run it too) must find nothing of
medium severity or above, and must still catch a regression: the same workflow with an action
back on a moving tag is refused. Read without zizmor: every action is pinned to a full commit
hash with its release tag beside it, the workflow grants no permission at its level, each job
only what it needs, and the checkout keeps no credentials.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"
PAGES = WORKFLOWS / "pages.yml"
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+?)@(\S+)(.*)$", re.MULTILINE)
#: What each job may do, and nothing more.
JOB_PERMISSIONS = {"build": {"contents": "read"}, "notebooks": {"contents": "write"},
                   "deploy": {"pages": "write", "id-token": "write"}}


def zizmor() -> str:
    found = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")
    if not found:
        message = "zizmor is not installed (pip install -r requirements.txt)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


def audit(target: Path) -> list[dict]:
    """zizmor's findings of medium severity or above in a workflow file or a repository's
    ``.github/workflows`` folder."""
    run = subprocess.run([zizmor(), "--offline", "--no-config", "--min-severity", "medium",
                          "--format", "json", str(target)], capture_output=True, text=True, timeout=120)
    assert run.stdout.strip(), f"zizmor said nothing (exit {run.returncode}): {run.stderr[-2000:]}"
    return json.loads(run.stdout)


def test_zizmor_finds_nothing_at_medium_or_above():
    findings = audit(WORKFLOWS)
    assert not findings, [(f["ident"], f["determinations"]["severity"]) for f in findings]


def test_zizmor_catches_an_unpinned_action(tmp_path):
    text = PAGES.read_text(encoding="utf8")
    loosened, count = re.subn(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@v4", text)
    assert count == 1
    (tmp_path / "pages.yml").write_text(loosened, encoding="utf8")
    assert "unpinned-uses" in {finding["ident"] for finding in audit(tmp_path / "pages.yml")}


def test_every_action_is_pinned_to_a_commit_with_its_tag():
    uses = USES.findall(PAGES.read_text(encoding="utf8"))
    assert len(uses) >= 6, uses
    loose = [f"{action}@{ref}{rest}" for action, ref, rest in uses
             if not (re.fullmatch(r"[0-9a-f]{40}", ref) and re.fullmatch(r"\s*#\s*v\d+\.\d+\.\d+\s*", rest))]
    assert not loose, f"actions not pinned to a commit hash with '# vX.Y.Z' beside it: {loose}"


def test_each_job_has_only_the_permissions_it_needs():
    workflow = yaml.safe_load(PAGES.read_text(encoding="utf8"))
    assert workflow["permissions"] == {}, "the workflow level grants nothing"
    jobs = workflow["jobs"]
    assert {name: job.get("permissions") for name, job in jobs.items()} == JOB_PERMISSIONS
    for name, job in jobs.items():
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, name


def test_the_workflow_publishes_both_editions_and_their_pdfs():
    workflow = yaml.safe_load(PAGES.read_text(encoding="utf8"))
    build = workflow["jobs"]["build"]["steps"]
    commands = "\n".join(step.get("run", "") for step in build)
    assert "make book" in commands, "make book builds the editions and prints their PDFs"
    tests = [step["run"] for step in build if "pytest" in step.get("run", "")]
    assert tests, "the build job runs the tests before anything is uploaded"
    whole = [line for line in tests[0].splitlines() if "-m pytest" in line]
    assert whole and not re.search(r"tests/\S+|-m\s+[\"']?not|-k\s", whole[0]), (
        "the whole suite runs, every built-book threshold and finding included: " + whole[0])
    order = [i for i, step in enumerate(build) if "pytest" in step.get("run", "")
             or "upload-pages-artifact" in str(step.get("uses"))]
    assert order == sorted(order) and "pytest" in build[order[0]].get("run", "")
    upload = [step for step in build if "upload-pages-artifact" in str(step.get("uses"))]
    assert upload and upload[0]["with"]["path"] == "_build/html"  # the Korean edition is inside
