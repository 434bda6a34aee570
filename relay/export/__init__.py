"""Exports for the control room: bulletins and point status in formats other systems read."""
