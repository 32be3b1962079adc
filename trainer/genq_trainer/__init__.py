"""GenQ training core: TSDAE pre-training, MNRL fine-tuning and ONNX export.

Run as ``python -m genq_trainer tsdae|mnrl|export --config cfg.json``; see ``trainer/README.md`` for the
settings, the JSON-lines protocol on stdout and the exit codes.
"""

from __future__ import annotations

__version__ = "0.1.0"
