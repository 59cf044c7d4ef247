"""The issuance pipeline: stream documents -> leaves -> batches -> sign -> anchor -> stamp, journaled."""

from notary.issuance.inputs import ClaimDefaults, InputDoc, from_manifest, from_paths
from notary.issuance.journal import Journal
from notary.issuance.run import DEFAULT_BATCH_SIZE, Issuance, IssueOptions, Summary

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "ClaimDefaults",
    "InputDoc",
    "Issuance",
    "IssueOptions",
    "Journal",
    "Summary",
    "from_manifest",
    "from_paths",
]
