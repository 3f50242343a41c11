"""Automated follow-up calls (回访)."""
