"""The example platform's release records, written in Python with CDK Terrain.

One stack per environment (envman sets ENVMAN_ENVIRONMENT): the releases the environment runs
(frontend release, backend image tag) kept as SSM parameters the deploy jobs read, a private
bucket for release notes, and a terraform_data record of the release set. The variables are
ordinary terraform variables: tfvars, `--set`, pins and promotion work as for HCL stacks.
"""

from __future__ import annotations

import os

from cdktn import App, TerraformOutput, TerraformStack, TerraformVariable
from constructs import Construct
from raw import AwsProvider, Resource


class Releases(TerraformStack):
    def __init__(self, scope: Construct, id: str, environment: str) -> None:
        super().__init__(scope, id)
        project = self.node.try_get_context("project") or "agentic-deals"
        name = f"{project}-{environment}"
        AwsProvider(self, "aws", region="us-east-1", max_retries=4)
        frontend = TerraformVariable(
            self, "frontend_release", type="string", default="f1", description="Frontend release"
        )
        image_tag = TerraformVariable(
            self, "backend_image_tag", type="string", default="v1", description="Backend image"
        )
        params = {}
        for key, variable in (("frontend_release", frontend), ("backend_image_tag", image_tag)):
            params[key] = Resource(
                self,
                f"{key}_parameter",
                "aws_ssm_parameter",
                {
                    "name": f"/{project}/{environment}/{key}",
                    "type": "String",
                    "value": variable.string_value,
                    "tags": {"environment": environment, "managed_by": "envman"},
                },
            )
        notes = Resource(
            self,
            "release_notes",
            "aws_s3_bucket",
            {
                "bucket": f"{name}-release-notes",
                "force_destroy": True,
                "tags": {"environment": environment},
            },
        )
        record = Resource(
            self,
            "release_record",
            "terraform_data",
            {"input": {"frontend": frontend.string_value, "backend": image_tag.string_value}},
        )
        for key, variable in (("frontend_release", frontend), ("backend_image_tag", image_tag)):
            output(self, key, variable.string_value)
        output(self, "release_notes_bucket", notes.get_string_attribute("bucket"))
        output(self, "frontend_parameter", params["frontend_release"].get_string_attribute("name"))
        output(self, "release_record_id", record.get_string_attribute("id"))


def output(stack: TerraformStack, name: str, value: str) -> None:
    """An output named `name` (its construct id differs from the variable of that name)."""
    TerraformOutput(stack, f"{name}_output", value=value).override_logical_id(name)


app = App()
Releases(app, "releases", os.environ.get("ENVMAN_ENVIRONMENT", "dev"))
app.synth()
