"""Dynamic int8 quantisation of the graph's weights (activations stay float, quantised on the fly).

Weights are quantised per output channel: on MiniLM this lifts the worst parity cosine from about 0.97
(per tensor) to about 0.99.
"""

from __future__ import annotations

import logging
from pathlib import Path

from onnxruntime.quantization import QuantType, quantize_dynamic

logger = logging.getLogger(__name__)


def quantize_int8(source: str | Path, target: str | Path) -> None:
    root = logging.getLogger()
    previous = root.level
    root.setLevel(max(previous, logging.ERROR))  # the quantiser logs every skipped node on the root logger
    try:
        quantize_dynamic(
            model_input=str(source), model_output=str(target), weight_type=QuantType.QInt8, per_channel=True
        )
    finally:
        root.setLevel(previous)
    logger.info("int8 graph written to %s", target)
