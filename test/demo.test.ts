/** The demo's scenario (scripts/demo/scenario.ts), run for real, with its summary's figures checked. */
import { expect } from "chai";
import { runDemo } from "../scripts/demo/scenario.js";
import { UNIT } from "../scripts/lib/localnet.js";

describe("the demo's scenario", function () {
  this.timeout(600_000);

  it("answers, disputes, caches and refunds as it says, and its earnings add up to the escrow", async () => {
    const lines: string[] = [];
    const summary = await runDemo((line) => lines.push(line));

    const total = Object.entries(summary.earnings)
      .filter(([role]) => !role.startsWith(" "))
      .reduce((sum, [, amount]) => sum + amount, 0n);
    expect(total).to.equal(summary.escrowed);
    expect(summary.requests.map((r) => r.status)).to.deep.equal(["answered", "answered", "disputed", "answered", "refunded"]);
    expect(summary.requests.filter((r) => r.cached)).to.have.length(1);
    expect(summary.requests[3].output).to.deep.equal(summary.requests[0].output);

    expect(summary.slashes).to.have.length(1);
    expect(summary.fraudProofs).to.equal(1);
    // The cheater's whole job bond (100) goes to the honest relayer (80%) and the protocol (20%).
    expect(summary.slashes[0].amount).to.equal(100n * UNIT);
    expect(summary.disputeWinnings).to.deep.equal({ honestRelayer: 20n * UNIT, protocol: 80n * UNIT }); // the winner keeps 20 %

    // price-signal's fee is 2 tokens; its fine-tune's 3, 20% to the parent and 10% to the referrer.
    expect(summary.earnings["  of which parent share from the fine-tune"]).to.equal((3n * UNIT * 2_000n) / 10_000n);
    expect(summary.earnings.referrer).to.equal((3n * UNIT * 1_000n) / 10_000n);
    const refunded = summary.requests.find((r) => r.status === "refunded")!;
    expect(refunded.fees.refund).to.equal(refunded.escrow);
    expect(lines.join("\n")).to.contain("proved the fraud");
    // The vault acted on both of its signals, the zk one and the disputed optimistic one.
    const vault = summary.requests.filter((r) => r.label.startsWith("vault"));
    expect(vault.map((r) => r.mode)).to.deep.equal(["zk", "optimistic"]);
    for (const request of vault) expect(request.decision).to.match(/^(rebalanced|held)/);

    // The language model: a text answer finalized, then a wrong one (the cheater's) replaced by the committee's.
    const [answered, disputed] = summary.language;
    expect(answered.status).to.equal("answered");
    expect(disputed.status).to.equal("disputed");
    expect(disputed.posted).to.match(/^Cheated: /);
    expect(disputed.text).to.equal(answered.text);
    expect(summary.languageSlash).to.equal(5_000n * UNIT);
    // 80 % of the cheater's 5,000-token bond is the protocol's cut, shared by the three members of the majority.
    for (const reward of summary.committeeRewards) expect(reward).to.be.at.least((4_000n * UNIT) / 3n);
  });
});
