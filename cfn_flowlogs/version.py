"""The version, in one place: the package metadata and `cfn-flowlogs --version` read it."""

__version__ = "0.1.0"
