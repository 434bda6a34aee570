"""The doctor's tests provision nodes like the provisioning tests do."""

from tests.provision.conftest import region, relay

__all__ = ["region", "relay"]
