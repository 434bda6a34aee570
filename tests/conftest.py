"""Shared fixtures. Components are built per test and passed in; nothing is global."""
