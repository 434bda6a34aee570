"""Tests of the mesh simulator, the real-time air and the sim:// transport."""
