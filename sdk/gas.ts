/** Gas arithmetic shared by the SDK and the benchmarks. */

/** The base cost of every transaction. */
export const INTRINSIC_GAS = 21_000n;

/** EIP-2028 calldata cost: 4 gas per zero byte, 16 per other byte. */
export function calldataGas(data: string): bigint {
  let gas = 0n;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === "00" ? 4n : 16n;
  return gas;
}
