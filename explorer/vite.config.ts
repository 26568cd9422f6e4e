/**
 * The explorer's build: one page (index.html) bundled by Vite with Preact's JSX runtime;
 * every asset is in the output, nothing is loaded from elsewhere. `highway explorer`
 * serves the output (explorer/build.ts runs this build).
 */
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { emptyOutDir: true, chunkSizeWarningLimit: 1_500, reportCompressedSize: false },
  logLevel: "warn",
});
