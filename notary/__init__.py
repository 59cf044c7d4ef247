"""Issuer side of the notary: the pure core, chain access, PDF stamping and the issuance pipeline."""

__version__ = "0.1.0"
