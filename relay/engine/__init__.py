"""The delivery engine: sans-I/O protocol logic shared by the daemon and the simulator.

An engine takes frames, send results and clock values and returns outputs: frames to
transmit and notifications for the application (store, screens). It never touches a
socket, a thread, a file or a clock, so the asyncio daemon and the virtual-time
simulator drive exactly the same code.
"""
