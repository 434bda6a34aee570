"""Scenario files shipped with noodrelay (package data, loaded by name)."""
