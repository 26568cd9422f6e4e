/**
 * Log queries page through bounded block ranges from the deployment's first block
 * (sdk/logs.ts): what public RPC providers require, tested here with a tiny page.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { Filter, FilterByBlockHash } from "ethers";
import { deployHighway } from "../../scripts/deploy.js";
import { getLogsPaged, Highway } from "../../sdk/index.js";

const { ethers, networkHelpers } = await network.create();
const UNIT = 10n ** 18n;

/** Records the block range of every eth_getLogs call the provider makes. */
function recordLogQueries(): { from: number; to: number }[] {
  const queries: { from: number; to: number }[] = [];
  const getLogs = ethers.provider.getLogs.bind(ethers.provider);
  ethers.provider.getLogs = async (filter: Filter | FilterByBlockHash) => {
    const { fromBlock, toBlock } = filter as Filter;
    queries.push({ from: Number(fromBlock), to: Number(toBlock) });
    return getLogs(filter);
  };
  return queries;
}

describe("paged log queries (sdk/logs.ts)", () => {
  const queries = recordLogQueries();
  beforeEach(() => queries.splice(0));

  it("reads a range larger than a page in bounded pages, and finds what one query finds", async () => {
    const [owner] = await ethers.getSigners();
    const token = await ethers.deployContract("HighwayToken", [owner.address]);
    const first = (await token.deploymentTransaction()!.wait())!.blockNumber;
    for (let i = 1n; i <= 7n; i++) await (await token.mint(owner.address, i)).wait();
    const last = await ethers.provider.getBlockNumber();
    const filter = { address: await token.getAddress(), topics: [token.interface.getEvent("Transfer").topicHash] };
    const whole = await ethers.provider.getLogs({ ...filter, fromBlock: first, toBlock: last });
    queries.splice(0);

    const paged = await getLogsPaged(ethers.provider, filter, first, last, 3);
    expect(paged.map((log) => log.transactionHash)).to.deep.equal(whole.map((log) => log.transactionHash));
    expect(paged).to.have.length(7);
    // Consecutive pages of at most 3 blocks, from the first block to the last.
    expect(queries.length).to.equal(Math.ceil((last - first + 1) / 3));
    expect(queries[0].from).to.equal(first);
    expect(queries.at(-1)!.to).to.equal(last);
    for (const [i, { from, to }] of queries.entries()) {
      expect(to - from + 1).to.be.within(1, 3);
      if (i > 0) expect(from).to.equal(queries[i - 1].to + 1);
    }
  });

  it("has the SDK query from the deployment's block, page by page", async () => {
    await networkHelpers.mine(20); // history before the deployment, which no query should read
    const [requester] = await ethers.getSigners();
    const { deployment } = await deployHighway(ethers, {
      models: ["price-signal"],
      write: false,
      mint: [{ to: requester.address, amount: 1_000n * UNIT }],
    });
    const start = deployment.deploymentBlock!;
    expect(await ethers.provider.getCode(deployment.token, start - 1)).to.equal("0x");
    expect(await ethers.provider.getCode(deployment.token, start)).not.to.equal("0x");

    const sdk = await Highway.connect({ runner: requester, deployment, logPageBlocks: 2 });
    const requestIds = [];
    for (const value of [0.5, -0.5, 1]) {
      const handle = await sdk.requestInference({ model: "price-signal", input: Array.from({ length: 8 }, () => value) });
      requestIds.push(handle.requestId);
    }
    queries.splice(0);

    const found = await sdk.requestsByRequester(requester.address);
    expect(found.map((request) => request.requestId)).to.deep.equal(requestIds);
    expect((await sdk.models()).map((model) => model.name)).to.deep.equal(["price-signal"]);
    expect((await sdk.terms(requestIds[1])).requester).to.equal(requester.address);
    // Each of the three queries starts at the deployment's block.
    expect(queries.filter(({ from }) => from === start)).to.have.length(3);
    for (const { from, to } of queries) {
      expect(from).to.be.at.least(start);
      expect(to - from + 1).to.be.within(1, 2);
    }
  });
});
