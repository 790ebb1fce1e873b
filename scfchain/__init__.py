"""scfchain: supply-chain finance on a consortium EVM chain (tooling package)."""

__version__ = "0.1.0"
