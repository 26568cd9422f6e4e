/** Bundling for a browser with esbuild, as the SDK's browser checks do. */
import { build, type BuildOptions, type Message } from "esbuild";
import { isBuiltin } from "node:module";

export interface BrowserBundle {
  errors: Message[];
  /** Every import of a Node builtin anywhere in the graph, by importer. */
  builtinImports: string[];
  /** The bundle's code. */
  code: string;
}

/**
 * Bundles for the browser (in memory). An import of a Node builtin is kept out of the bundle
 * rather than failing it, so that an assertion on `builtinImports` can name every one.
 */
export async function bundleForBrowser(
  options: Pick<BuildOptions, "entryPoints" | "absWorkingDir" | "format" | "globalName">,
): Promise<BrowserBundle> {
  const builtinImports: string[] = [];
  const bundled = await build({
    ...options,
    bundle: true,
    platform: "browser",
    write: false,
    logLevel: "silent",
    plugins: [
      {
        name: "record-node-builtins",
        setup(bundle) {
          bundle.onResolve({ filter: /.*/ }, ({ path, importer }) => {
            if (!isBuiltin(path)) return undefined;
            builtinImports.push(`${importer} imports ${path}`);
            return { path, external: true };
          });
        },
      },
    ],
  });
  return { errors: bundled.errors, builtinImports, code: bundled.outputFiles[0].text };
}
