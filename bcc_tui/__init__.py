"""bcc-tui: the terminal dashboard for 1177 errands at Barncancercentrum."""

__version__ = "0.1.0"
