"""The screens: the support point's kiosk and the hub's dashboard, served by the daemon."""

from relay.web.app import add_screens

__all__ = ["add_screens"]
