import { expect } from "chai";
import { batchable, planBatch } from "../../relayer/src/batching.js";

const queued = (...ages: number[]) => ages.map((queuedAtMs, i) => ({ requestId: BigInt(i + 1), queuedAtMs }));

describe("relayer batching (planBatch)", () => {
  it("sends a whole batch at once, the oldest first, whatever the wait", () => {
    expect(planBatch(queued(5, 1, 3, 2), 3, 10, 1_000)).to.deep.equal({ kind: "batch", requestIds: [2n, 4n, 3n] });
  });

  it("waits for more until the oldest has waited maxWaitMs", () => {
    expect(planBatch(queued(100, 300), 8, 400, 500)).to.deep.equal({ kind: "wait", wakeAtMs: 600 });
  });

  it("sends a partial batch once the oldest has waited maxWaitMs", () => {
    expect(planBatch(queued(100, 300), 8, 600, 500)).to.deep.equal({ kind: "batch", requestIds: [1n, 2n] });
  });

  it("sends a lone request alone (a single proof) after the wait, so low load proves no padding", () => {
    expect(planBatch(queued(100), 8, 600, 500)).to.deep.equal({ kind: "single", requestId: 1n });
    expect(planBatch(queued(100), 8, 100, 0)).to.deep.equal({ kind: "single", requestId: 1n });
  });

  it("has nothing to send for an empty queue", () => {
    expect(planBatch([], 8, 0, 500)).to.deep.equal({ kind: "empty" });
  });

  it("batches only zk requests made after the batched verifier was registered", () => {
    expect(batchable({ mode: "zk", terms: { createdAt: 101n } }, 100)).to.equal(true);
    expect(batchable({ mode: "zk", terms: { createdAt: 100n } }, 100)).to.equal(false);
    expect(batchable({ mode: "optimistic", terms: { createdAt: 101n } }, 100)).to.equal(false);
    expect(batchable({ mode: "zk", terms: { createdAt: 101n } }, undefined)).to.equal(false);
  });
});
