#!/usr/bin/env node
// The demo's cheating relayer: the real relayer with a dishonest prover. Its witness
// outputs, which an optimistic answer posts, are off by one unit in their first value;
// its proofs are honest, since no proof of a wrong output can be made. It exists to show
// (and test) the dispute game: an honest watchtower challenges it, proves the fraud,
// and it is slashed. Its language models' answers are wrong too (the honest answer with a
// prefix), to show (and test) a committee of relayers voting a wrong text answer down.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../../relayer/src/cli.ts");
const { ProverPool } = await import("../../relayer/prover/pool.ts");

process.exitCode = await main(process.argv.slice(2), {
  startProver: async (options) => offByOneWitnesses(await ProverPool.start(options)),
  wrapLanguageRuntime: prefixedAnswers,
});

function prefixedAnswers(runtime) {
  const prefix = new TextEncoder().encode("Cheated: ");
  return {
    spec: runtime.spec,
    async answer(input, maxOutputBytes) {
      const honest = await runtime.answer(input, maxOutputBytes);
      const wrong = new Uint8Array([...prefix, ...honest.output]).slice(0, maxOutputBytes);
      return { ...honest, output: wrong };
    },
    close: () => runtime.close(),
  };
}

function offByOneWitnesses(pool) {
  return {
    async witness(model, input) {
      const witnessed = await pool.witness(model, input);
      return { ...witnessed, outputs: witnessed.outputs.map((value, index) => (index === 0 ? value + 1n : value)) };
    },
    prove: (model, input) => pool.prove(model, input),
    warmUpTimes: () => pool.warmUpTimes(),
    close: () => pool.close(),
  };
}
