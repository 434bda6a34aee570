"""Shared fixtures. Components are built per test and passed in; nothing is global."""

from hypothesis import settings

# No timing deadlines: speed is measured by benchmarks in tools/, never asserted in tests,
# and this machine's two cores are shared.
settings.register_profile("noodrelay", deadline=None)
settings.load_profile("noodrelay")
