"""`make demo`: a hub, support points and relay sites on emulated radios."""
