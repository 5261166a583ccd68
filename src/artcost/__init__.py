"""artcost: what an illustration costs when a machine makes it."""

__version__ = "0.1.0"
