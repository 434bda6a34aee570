"""Setting up a hub or support point: keys, certificate exchange, config, keyring, service."""
