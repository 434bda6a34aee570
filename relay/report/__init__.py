"""``relay report``: the evaluation report from the hub's own store (issue 12)."""
