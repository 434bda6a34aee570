"""noodrelay: signed crisis bulletins and status reports over Meshtastic LoRa."""

__version__ = "0.1.0"
