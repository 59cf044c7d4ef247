"""Verification: named checks with typed results, and the public web app."""
