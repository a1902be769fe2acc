"""Stacks written in Python: CDK for Terraform / CDK Terrain apps (docs/cdk.md).

A stack folder with a ``cdktf.json`` is an app. :func:`synthesise` turns it, for one
environment, into a folder terraform can run in (the chosen ``stacks/<name>/`` of the
synthesised output, with the environment's backend in place of the app's); the result is
cached by the digest of the app's sources and the environment's name.
"""

from envman.synth.app import CDKTF_FILE, is_cdk_app
from envman.synth.synthesise import SynthesisedStack, SynthOptions, SynthTarget, synthesise

__all__ = [
    "CDKTF_FILE",
    "SynthOptions",
    "SynthTarget",
    "SynthesisedStack",
    "is_cdk_app",
    "synthesise",
]
