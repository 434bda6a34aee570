"""An emulated Meshtastic node: the firmware's stream API on top of a simulated radio.

The unmodified ``meshtastic`` library (``TCPInterface``, ``SerialInterface`` over a
pseudo-terminal) and the ``meshtastic`` CLI cannot tell it from a device. Layers:
:mod:`framing` (bytes <-> frames), :mod:`phone_api` (one client session),
:mod:`node` (the device: state, admin, packets to and from the air),
:mod:`servers` (TCP and pty), :mod:`radio` (a node with its servers).
"""
