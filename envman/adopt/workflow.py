"""The GitHub Actions workflow `envman init --ci github` writes for the user's own repository:
plan every environment on a pull request (one sticky comment per environment, edited on every
push), apply in order on a merge to the default branch, and check drift on a schedule."""

from __future__ import annotations

import json

WORKFLOW_PATH = ".github/workflows/envman.yml"

_HEAD = """\
# Written by `envman init --ci github` (see docs/adopting.md). Yours to edit.
# - pull request: `envman plan` of each environment, posted as one comment per environment that
#   is edited on every push (exit 3 = a guard or policy would refuse the plan: the job fails)
# - push to the default branch: `envman apply` of each environment, in the order listed
# - schedule: `envman drift`, the report in the run's summary (exit 2 = drift: the job fails)
name: envman

on:
  pull_request:
  push:
    branches: [main]
  schedule:
    - cron: "17 6 * * 1-5" # drift check, weekdays 06:17 UTC
  workflow_dispatch:

permissions:
  contents: read
  pull-requests: write # the plan comment
  id-token: write # OIDC credentials for the cloud provider, if you use them

env:
  ENVMAN_PACKAGE: {package} # where your team installs envman from (wheel, index, git+URL)
  TERRAFORM_VERSION: "1.11.4"
{aws_env}
jobs:
"""

_SETUP = """\
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - uses: hashicorp/setup-terraform@v3
        with:
          terraform_version: ${{ env.TERRAFORM_VERSION }}
          terraform_wrapper: false
      - name: Install envman
        run: pip install "$ENVMAN_PACKAGE"
"""

_AWS = """\
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: ${{ secrets.ENVMAN_AWS_ROLE_ARN }}
          aws-region: ${{ env.AWS_REGION }}
"""

_PLAN = """\
  plan:
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        env: {envs}
    steps:
{setup}      - name: envman plan
        id: plan
        run: |
          code=0
          envman plan "${{ matrix.env }}" --report "plan-${{ matrix.env }}.md" || code=$?
          echo "code=$code" >> "$GITHUB_OUTPUT"
          if [ "$code" != 0 ] && [ "$code" != 2 ]; then exit "$code"; fi
      - uses: marocchino/sticky-pull-request-comment@v2
        if: always() && hashFiles(format('plan-{{0}}.md', matrix.env)) != ''
        with:
          header: envman-plan-${{ matrix.env }}
          path: plan-${{ matrix.env }}.md

"""

_APPLY = """\
  apply:
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    concurrency: envman-apply # one apply at a time, never cancelled
    strategy:
      max-parallel: 1 # in the order listed: each environment before the next
      matrix:
        env: {envs}
    environment: ${{ matrix.env }} # GitHub environments: add required reviewers there
    steps:
{setup}      - name: envman apply
        run: envman apply "${{ matrix.env }}" --yes --confirm "${{ matrix.env }}"

"""

_DRIFT = """\
  drift:
    if: github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'
    runs-on: ubuntu-latest
    steps:
{setup}      - name: envman drift
        run: envman drift {names} --format markdown >> "$GITHUB_STEP_SUMMARY"
"""


def render_workflow(environments: list[str], package: str, aws_region: str | None) -> str:
    """The workflow text for ``environments`` (plan and apply order as given); with an AWS
    region (an S3 backend), the jobs assume the role in the secret ENVMAN_AWS_ROLE_ARN."""
    setup = _SETUP + (_AWS if aws_region else "")
    envs = json.dumps(environments)
    aws_env = f"  AWS_REGION: {json.dumps(aws_region)}\n" if aws_region else ""
    return (
        _HEAD.replace("{package}", json.dumps(package)).replace("{aws_env}", aws_env)
        + _PLAN.replace("{envs}", envs).replace("{setup}", setup).replace("{{0}}", "{0}")
        + _APPLY.replace("{envs}", envs).replace("{setup}", setup)
        + _DRIFT.replace("{names}", " ".join(environments)).replace("{setup}", setup)
    )


def package_spec(version: str) -> str:
    """A pip requirement for this envman: the exact release, or just the name for a build
    between releases (which no index has)."""
    released = version.replace(".", "").isdigit()
    return f"envman=={version}" if released else "envman"
