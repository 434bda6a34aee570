"""Radio layer: the transport protocol and its implementations (Meshtastic, simulator)."""
