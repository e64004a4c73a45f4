"""The commands, one module per group; each registers itself in cli/registry.py with its arguments
beside its handler."""
