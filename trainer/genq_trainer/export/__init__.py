"""The ONNX model package: graph export, parity check, quantisation and the package description."""
