/** Relayer actions: a relayer's stake (running one is the relayer's own command, relayer/). */
import { MaxUint256 } from "ethers";
import { approveIfNeeded, sendAndWait, withContractErrors, type HighwayClient } from "../client.js";

/** Stakes `amount` as a relayer, approving the staking contract (for good) as needed. */
export async function stake(client: HighwayClient, amount: bigint) {
  const overrides = await withContractErrors(client, () => approveIfNeeded(client, client.deployment.staking, amount, MaxUint256));
  return sendAndWait(client, () => client.staking.stake(amount, overrides));
}

/** Starts unbonding `amount` of stake; it can be withdrawn after the unbonding delay. */
export function requestUnstake(client: HighwayClient, amount: bigint) {
  return sendAndWait(client, () => client.staking.unbond(amount));
}

/** Withdraws stake whose unbonding delay has passed. */
export function withdrawStake(client: HighwayClient) {
  return sendAndWait(client, () => client.staking.withdraw());
}
