"""The daemon: one asyncio loop driving engine, store, radio and screens."""
