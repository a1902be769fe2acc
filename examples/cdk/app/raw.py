"""Resources and providers without generated bindings: CDK Terrain's generic classes.

`cdktn get` would generate typed bindings for the AWS provider (a large download and a
code-generation step); this example writes its few resources through TerraformResource and
TerraformProvider directly, with the attributes terraform's JSON syntax takes.
"""

from __future__ import annotations

from typing import Any

from cdktn import TerraformProvider, TerraformProviderGeneratorMetadata, TerraformResource
from constructs import Construct


class Resource(TerraformResource):
    """Any resource type, its arguments given as a dict (tokens like var.x.string_value work)."""

    def __init__(
        self, scope: Construct, id: str, resource_type: str, attributes: dict[str, Any]
    ) -> None:
        provider = resource_type.split("_", 1)[0]
        metadata = None
        if provider != "terraform":  # terraform_data is built in: no provider to require
            metadata = TerraformProviderGeneratorMetadata(provider_name=provider)
        super().__init__(
            scope, id, terraform_resource_type=resource_type, terraform_generator_metadata=metadata
        )
        self.attributes = attributes

    def _synthesize_attributes(self) -> dict[str, Any]:
        return dict(self.attributes)


class AwsProvider(TerraformProvider):
    """hashicorp/aws, pinned; envman gives it the environment's region, endpoint and identity."""

    def __init__(self, scope: Construct, id: str, **attributes: Any) -> None:
        super().__init__(
            scope,
            id,
            terraform_resource_type="aws",
            terraform_generator_metadata=TerraformProviderGeneratorMetadata(
                provider_name="aws", provider_version_constraint="5.100.0"
            ),
            terraform_provider_source="hashicorp/aws",
        )
        self.attributes = attributes

    def _synthesize_attributes(self) -> dict[str, Any]:
        return dict(self.attributes)
