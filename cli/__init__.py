"""The `notary` command line: thin wrappers over notary and verifier."""
