"""``relay doctor``: every check a technician needs to trust a node, one line each."""
