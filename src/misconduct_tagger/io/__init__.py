"""Readers and writers for report files."""
