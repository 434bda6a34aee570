"""Mesh simulator: a discrete-event model of Meshtastic nodes sharing one LoRa channel."""
