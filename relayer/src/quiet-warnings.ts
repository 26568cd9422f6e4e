/**
 * Imported first by the relayer's entry points: node:sqlite works as the job store
 * but Node 22 still flags it experimental; keep every other warning.
 */
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (!(warning.name === "ExperimentalWarning" && /SQLite/.test(warning.message))) console.warn(warning);
});
