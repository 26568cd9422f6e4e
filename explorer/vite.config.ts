/**
 * The explorer's build: one page (index.html) bundled by Vite with Preact's JSX runtime;
 * every asset is in the output, nothing is loaded from elsewhere. `highway explorer`
 * serves the output (explorer/build.ts runs this build).
 */
import { isBuiltin } from "node:module";
import { defineConfig, type Plugin } from "vite";

/** The page runs in a browser: an import of a Node builtin (node:fs, ...) fails the build instead of being stubbed out. */
const noNodeBuiltins: Plugin = {
  name: "no-node-builtins",
  enforce: "pre",
  resolveId(source, importer) {
    if (isBuiltin(source)) this.error(`${importer ?? "the page"} imports the Node builtin ${source}: the page runs in a browser`);
    return null;
  },
};

export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  plugins: [noNodeBuiltins],
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { emptyOutDir: true, chunkSizeWarningLimit: 1_500, reportCompressedSize: false },
  logLevel: "warn",
});
