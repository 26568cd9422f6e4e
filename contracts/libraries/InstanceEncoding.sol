// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title InstanceEncoding
 * @notice Maps a zk model's fixed-point tensors to and from the public instances of
 * its EZKL proof: inputs first, then outputs, each an element of the BN254 scalar
 * field, where a negative value v is the element `FIELD_MODULUS + v`.
 * @dev The TypeScript twin is `sdk/encoding.ts`; both are checked against the same
 * vectors in the tests. Only values with |v| <= MAX_ABS_VALUE have a field image, so the
 * map is a bijection between that signed range and the field.
 */
library InstanceEncoding {
    /// @notice The order of the BN254 scalar field (the field of Halo2/KZG instances).
    uint256 internal constant FIELD_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice The largest magnitude a signed value may have: (FIELD_MODULUS - 1) / 2.
    uint256 internal constant MAX_ABS_VALUE = (FIELD_MODULUS - 1) / 2;

    /// @notice `value` has no field image: its magnitude exceeds MAX_ABS_VALUE.
    error ValueOutsideField(int256 value);

    /// @notice `element` is not a canonical field element (it is >= FIELD_MODULUS).
    error NonCanonicalFieldElement(uint256 element);

    /// @notice The instances hold `actual` values, but inputs plus outputs need `expected`.
    error InstanceCountMismatch(uint256 expected, uint256 actual);

    /// @notice The field element that stands for the signed value `value`.
    function toField(int256 value) internal pure returns (uint256) {
        if (value >= 0) {
            if (uint256(value) > MAX_ABS_VALUE) revert ValueOutsideField(value);
            return uint256(value);
        }
        // -(value + 1) cannot overflow, even for type(int256).min.
        uint256 magnitude = uint256(-(value + 1)) + 1;
        if (magnitude > MAX_ABS_VALUE) revert ValueOutsideField(value);
        return FIELD_MODULUS - magnitude;
    }

    /// @notice The signed value that the field element `element` stands for.
    function fromField(uint256 element) internal pure returns (int256) {
        if (element >= FIELD_MODULUS) revert NonCanonicalFieldElement(element);
        if (element <= MAX_ABS_VALUE) return int256(element);
        return -int256(FIELD_MODULUS - element);
    }

    /// @notice The public instances of a proof that `inputs` produce `outputs`.
    function buildInstances(
        int256[] memory inputs,
        int256[] memory outputs
    ) internal pure returns (uint256[] memory instances) {
        uint256 inputCount = inputs.length;
        instances = new uint256[](inputCount + outputs.length);
        for (uint256 i; i < inputCount; ++i) {
            instances[i] = toField(inputs[i]);
        }
        for (uint256 i; i < outputs.length; ++i) {
            instances[inputCount + i] = toField(outputs[i]);
        }
    }

    /// @notice The outputs carried by `instances`, which hold `inputCount` inputs and then `outputCount` outputs.
    function readOutputs(
        uint256[] memory instances,
        uint256 inputCount,
        uint256 outputCount
    ) internal pure returns (int256[] memory outputs) {
        if (instances.length != inputCount + outputCount) {
            revert InstanceCountMismatch(inputCount + outputCount, instances.length);
        }
        outputs = new int256[](outputCount);
        for (uint256 i; i < outputCount; ++i) {
            outputs[i] = fromField(instances[inputCount + i]);
        }
    }
}
