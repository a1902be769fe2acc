"""envman: Terraform-backed environment manager."""


def _version() -> str:
    """The version setuptools-scm derived from git tags at build time (docs/install.md)."""
    try:
        from envman._version import version
    except ImportError:  # a checkout used without installing: ask the installed metadata
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as dist_version

        try:
            return dist_version("envman")
        except PackageNotFoundError:
            return "0.0.0+unknown"
    return str(version)


__version__ = _version()
