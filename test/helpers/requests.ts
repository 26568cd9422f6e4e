/** Requests sent the way the relayer's load tests need them: many at once, without waiting in between. */
import type { Contract, Signer } from "ethers";
import type { Highway } from "../../scripts/deploy.js";
import { UNIT, type RequestOptions } from "../../scripts/lib/localnet.js";
import { encodeTensor } from "../../sdk/encoding.js";
import { ANY_MODEL_FEE } from "../../sdk/protocol.js";

/** Sends `count` requests at once (explicit nonces, no waiting in between); resolves with their ids in order. */
export async function requestBurst(
  highway: Highway,
  requester: Signer,
  count: number,
  make: (index: number) => RequestOptions,
): Promise<bigint[]> {
  let nonce = await requester.provider!.getTransactionCount(await requester.getAddress(), "pending");
  const coordinator = highway.coordinator.connect(requester) as unknown as Contract;
  const latest = await requester.provider!.getBlock("latest");
  const now = Math.max(latest!.timestamp, Math.floor(Date.now() / 1000));
  const sent = [];
  for (let index = 0; index < count; index++) {
    const options = make(index);
    const params = {
      modelId: highway.deployment.models[options.model].modelId,
      proofMode: options.mode === "zk" ? 0 : 1,
      startComputeFee: options.startComputeFee ?? 1n * UNIT,
      maxComputeFee: options.maxComputeFee ?? 3n * UNIT,
      maxModelFee: ANY_MODEL_FEE,
      jobBond: 0n,
      challengeWindow: 0,
      callbackGasLimit: options.callbackGasLimit ?? 200_000,
      maxOutputBytes: 0,
      deadline: now + (options.deadlineIn ?? 3_600),
      consumer: options.consumer ?? "0x0000000000000000000000000000000000000000",
      referrer: options.referrer ?? "0x0000000000000000000000000000000000000000",
    };
    sent.push(await coordinator.requestInference(params, encodeTensor(options.input), { nonce: nonce++, gasLimit: 400_000 }));
  }
  const ids: bigint[] = [];
  for (const tx of sent) {
    const receipt = await tx.wait();
    const created = receipt.logs
      .map((log: { topics: string[]; data: string }) => highway.coordinator.interface.parseLog(log))
      .find((event: { name: string } | null) => event?.name === "RequestCreated");
    ids.push(created.args.requestId as bigint);
  }
  return ids;
}
