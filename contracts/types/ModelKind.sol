// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What a model is. A circuit model's inputs and outputs are tensors (`TensorCodec`), its answers
/// proven by its EZKL verifier (zk, or optimistic with proof-settled disputes). A language model's are
/// UTF-8 text; it has no verifier, answers optimistically only, and its disputes are settled by the
/// coordinator's language arbiter (a committee re-executing its runtime spec).
enum ModelKind {
    Circuit,
    Language
}
