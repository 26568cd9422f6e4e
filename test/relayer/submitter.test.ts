/**
 * The submitter's replacement rule on its own, and its giving up against a real
 * `hardhat node` process that does not mine: a nonce is given up only by a transaction
 * that takes it, so the transactions after it are not stuck behind it.
 */
import "../../relayer/src/quiet-warnings.js";
import { expect } from "chai";
import { Interface, JsonRpcProvider, Wallet } from "ethers";
import { createLogger } from "../../relayer/src/logger.js";
import { RelayerMetrics } from "../../relayer/src/metrics.js";
import { replacementFees, Submitter } from "../../relayer/src/submitter.js";
import { hardhatAccount, startNode, type LocalNode } from "../../scripts/lib/node.js";
import { waitFor } from "../../scripts/lib/localnet.js";

describe("submitter: replacement fees", () => {
  it("raises each fee by at least bumpPercent over the send it replaces", () => {
    expect(replacementFees({ maxFeePerGas: 100n, maxPriorityFeePerGas: 10n }, { maxFeePerGas: 50n, maxPriorityFeePerGas: 5n }, 10)).to.deep.equal({ maxFeePerGas: 110n, maxPriorityFeePerGas: 11n });
  });

  it("meets the current quote when the fees rose past the bump (a spike after the first send)", () => {
    expect(replacementFees({ maxFeePerGas: 100n, maxPriorityFeePerGas: 10n }, { maxFeePerGas: 5_000n, maxPriorityFeePerGas: 20n }, 10)).to.deep.equal({ maxFeePerGas: 5_000n, maxPriorityFeePerGas: 20n });
  });

  it("rounds the bump up, keeps the tip within the fee cap, and bumps a legacy gas price alike", () => {
    expect(replacementFees({ maxFeePerGas: 101n, maxPriorityFeePerGas: 101n }, { maxFeePerGas: 1n, maxPriorityFeePerGas: 1n }, 10)).to.deep.equal({ maxFeePerGas: 112n, maxPriorityFeePerGas: 112n });
    expect(replacementFees({ maxFeePerGas: 100n, maxPriorityFeePerGas: 10n }, { maxFeePerGas: 100n, maxPriorityFeePerGas: 500n }, 10)).to.deep.equal({ maxFeePerGas: 110n, maxPriorityFeePerGas: 110n });
    expect(replacementFees({ gasPrice: 100n }, { gasPrice: 90n }, 25)).to.deep.equal({ gasPrice: 125n });
    expect(replacementFees({ gasPrice: 100n }, { gasPrice: 900n }, 25)).to.deep.equal({ gasPrice: 900n });
  });
});

describe("submitter against a node that does not mine", function () {
  this.timeout(120_000);
  let node: LocalNode;
  let provider: JsonRpcProvider;

  before(async () => {
    node = await startNode();
    provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
  });

  after(async () => {
    provider?.destroy();
    await node?.stop();
  });

  it("gives an action up by a self-transfer at its nonce, which mines; the next transaction takes the next nonce", async () => {
    const wallet = new Wallet(hardhatAccount(3).privateKey, provider);
    const metrics = new RelayerMetrics();
    const submitter = new Submitter(wallet, provider, new Interface([]), { bumpAfterMs: 300, bumpPercent: 10, maxSends: 2 }, createLogger("silent"), metrics);
    const payee = hardhatAccount(4).address;
    const nonce = await provider.getTransactionCount(wallet.address, "latest");

    await provider.send("evm_setAutomine", [false]);
    await provider.send("evm_setIntervalMining", [0]);
    let result: Awaited<ReturnType<Submitter["send"]>>;
    try {
      const sending = submitter.send("pay", { to: payee, data: "0x" });
      // The action, its replacement, then the self-transfer: each replaced the one before in the node's pool.
      await waitFor("the self-transfer in the pool", async () => {
        const pending = await provider.send("eth_getBlockByNumber", ["pending", true]);
        return pending.transactions.some((tx: { to: string; nonce: string }) => tx.to.toLowerCase() === wallet.address.toLowerCase() && Number(tx.nonce) === nonce);
      }, 30_000, 100);
      await provider.send("evm_mine", []);
      result = await sending;
    } finally {
      await provider.send("evm_setAutomine", [true]);
    }
    expect(result).to.deep.equal({ ok: false, error: "GivenUp", args: [nonce], sent: true });
    const block = await provider.getBlock("latest", true);
    expect(block!.prefetchedTransactions.map((tx) => [tx.nonce, tx.to, tx.value])).to.deep.equal([[nonce, wallet.address, 0n]]);

    const next = await submitter.send("pay", { to: payee, data: "0x" });
    expect(next.ok).to.equal(true);
    const mined = await provider.getTransaction((next as { receipt: { hash: string } }).receipt.hash);
    expect(mined!.nonce).to.equal(nonce + 1);
    const counted = (await metrics.registry.getSingleMetricAsString("highway_relayer_transactions_total")).split("\n");
    expect(counted).to.include('highway_relayer_transactions_total{action="pay",outcome="abandoned"} 1');
    expect(counted).to.include('highway_relayer_transactions_total{action="pay",outcome="mined"} 1');
  });
});
