import { expect } from "chai";
import { batchable, UNPROVEN_RULE, planBatch } from "../../relayer/src/batching.js";

const queued = (...ages: number[]) => ages.map((queuedAtMs, i) => ({ requestId: BigInt(i + 1), queuedAtMs }));
const answers = { size: 8, minBatch: 4, maxWaitMs: 500 };

describe("relayer batching (planBatch)", () => {
  it("sends a whole batch at once, the oldest first, whatever the wait", () => {
    expect(planBatch(queued(5, 1, 3, 2), { ...answers, size: 3 }, 10)).to.deep.equal({ kind: "batch", requestIds: [2n, 4n, 3n] });
  });

  it("waits for more until the oldest has waited maxWaitMs", () => {
    expect(planBatch(queued(100, 300), answers, 400)).to.deep.equal({ kind: "wait", wakeAtMs: 600 });
  });

  it("sends a partial batch of at least minBatch once the oldest has waited", () => {
    expect(planBatch(queued(100, 300, 350, 400), answers, 600)).to.deep.equal({ kind: "batch", requestIds: [1n, 2n, 3n, 4n] });
  });

  it("sends fewer than minBatch each alone (single proofs), so low load proves no padding", () => {
    expect(planBatch(queued(100, 300), answers, 600)).to.deep.equal({ kind: "alone", requestIds: [1n, 2n] });
    expect(planBatch(queued(100), { ...answers, maxWaitMs: 0 }, 100)).to.deep.equal({ kind: "alone", requestIds: [1n] });
  });

  it("waits with a partial batch while every prover worker is busy, so it fills; a whole batch goes anyway", () => {
    expect(planBatch(queued(100, 300, 350, 400), answers, 600, true)).to.deep.equal({ kind: "wait", wakeAtMs: 600 });
    expect(planBatch(queued(100), { ...answers, maxWaitMs: 0 }, 100, true)).to.deep.equal({ kind: "wait", wakeAtMs: 100 });
    const whole = queued(1, 2, 3, 4, 5, 6, 7, 8);
    expect(planBatch(whole, answers, 9, true)).to.deep.equal({ kind: "batch", requestIds: [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n] });
  });

  it("claims, or posts optimistic answers, any two or more together at once, and a lone one alone", () => {
    expect(planBatch(queued(100, 101), UNPROVEN_RULE, 101)).to.deep.equal({ kind: "batch", requestIds: [1n, 2n] });
    expect(planBatch(queued(100), UNPROVEN_RULE, 100)).to.deep.equal({ kind: "alone", requestIds: [1n] });
  });

  it("has nothing to send for an empty queue", () => {
    expect(planBatch([], answers, 0)).to.deep.equal({ kind: "empty" });
  });

  it("batches answers only of zk requests made after the batched verifier was registered", () => {
    expect(batchable({ mode: "zk", terms: { createdAt: 101n } }, 100)).to.equal(true);
    expect(batchable({ mode: "zk", terms: { createdAt: 100n } }, 100)).to.equal(false);
    expect(batchable({ mode: "optimistic", terms: { createdAt: 101n } }, 100)).to.equal(false);
    expect(batchable({ mode: "zk", terms: { createdAt: 101n } }, undefined)).to.equal(false);
  });
});
