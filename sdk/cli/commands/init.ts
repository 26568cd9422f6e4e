/**
 * `highway init <dir>`: scaffolds a consumer project from templates/consumer/ — a contract that
 * inherits InferenceConsumer, its Ignition module, scripts that deploy it against a deployment
 * file and ask it for an answer, a Hardhat config and a package.json.
 *
 * The project depends on Highway's npm packages (highway-inference-contracts and -sdk): from a
 * repository checkout, on the tarballs `make pack` writes to dist/packages/ (by file: path); from
 * an installed SDK, on the published versions of that SDK's own version; --packages DIR names a
 * folder of tarballs, --registry forces the published versions. Every other dependency is pinned
 * in the template at the version the repository uses.
 */
import type { Command } from "commander";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { action, define } from "../command.js";
import { PACKAGE_JSON, type Cli } from "../context.js";
import { DEPLOYMENTS_DIR } from "../../deployment-file.js";
import { CliError, UsageError } from "../errors.js";

/** The root of the repository, or of the installed SDK package (whose layout keeps sdk/ and templates/). */
const ROOT = resolve(import.meta.dirname, "..", "..", "..");
export const TEMPLATE_DIR = join(ROOT, "templates", "consumer");
/** A checkout of the repository (scripts/pack.ts builds the packages), rather than an installed SDK. */
const CHECKOUT_PACKAGES = existsSync(join(ROOT, "scripts", "pack.ts")) ? join(ROOT, "dist", "packages") : undefined;
/** The packages a consumer project installs, besides those pinned in the template. */
export const HIGHWAY_PACKAGES = ["highway-inference-contracts", "highway-inference-sdk"] as const;
/** Template files npm would drop from a package, kept under another name. */
const RENAMED: Record<string, string> = { _gitignore: ".gitignore" };

export interface InitOptions {
  /** A folder of the packages' tarballs (`make pack`'s dist/packages/). */
  packages?: string;
  /** Depend on the published packages, even in a repository checkout. */
  registry?: boolean;
  /** A deployment file to copy into the project's deployments/. */
  deployment?: string;
}

export interface InitResult {
  dir: string;
  files: string[];
  /** The specs the project's package.json gives Highway's packages. */
  dependencies: Record<string, string>;
}

/** Every file under `dir`, relative, sorted. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)).map((file) => `${entry.name}/${file}`) : [entry.name]));
}

/** The tarball of `name` in `dir` (`<name>-<version>.tgz`), as a file: spec. */
function tarballSpec(dir: string, name: string, hint: string): string {
  const found = existsSync(dir) ? readdirSync(dir).filter((file) => new RegExp(`^${name}-\\d[^/]*\\.tgz$`).test(file)) : [];
  if (found.length !== 1) throw new CliError(`${found.length ? "more than one" : "no"} ${name} tarball in ${dir}: ${hint}`, "NoPackages");
  return `file:${join(dir, found[0])}`;
}

/** What the project's package.json names Highway's packages by. */
function dependencySpecs(options: InitOptions): Record<string, string> {
  if (options.packages !== undefined && options.registry) throw new UsageError("give --packages or --registry, not both");
  const version = (JSON.parse(readFileSync(PACKAGE_JSON, "utf8")) as { version: string }).version;
  const tarballs = options.registry ? undefined : options.packages !== undefined ? resolve(options.packages) : CHECKOUT_PACKAGES;
  const hint =
    options.packages !== undefined
      ? "build them with `make pack` in the Highway repository"
      : "run `make pack` first (or pass --registry to depend on the published packages)";
  return Object.fromEntries(HIGHWAY_PACKAGES.map((name) => [name, tarballs ? tarballSpec(tarballs, name, hint) : version]));
}

/** An npm package name from a folder's name. */
function packageName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[._-]+|-+$/g, "");
  return name || "my-consumer";
}

/** Writes the project into `dir` (which must be missing or empty). */
export function initProject(dirText: string, options: InitOptions = {}): InitResult {
  const dir = resolve(dirText);
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0))
    throw new CliError(`${dir} already exists and is not an empty folder: choose a new one`, "NotEmpty");
  if (!existsSync(TEMPLATE_DIR)) throw new CliError(`the project template is missing (${TEMPLATE_DIR}): reinstall the SDK`, "NoTemplate");
  let deployment: { chainId: number } | undefined;
  if (options.deployment !== undefined) {
    try {
      deployment = JSON.parse(readFileSync(options.deployment, "utf8")) as { chainId: number };
    } catch {
      throw new CliError(`cannot read the deployment file ${options.deployment}`, "NoDeployment");
    }
    if (!Number.isInteger(deployment.chainId))
      throw new CliError(`${options.deployment} is not a deployment file (no chainId)`, "NoDeployment");
  }
  const dependencies = dependencySpecs(options);

  const files: string[] = [];
  for (const file of walk(TEMPLATE_DIR)) {
    const target = join(dirname(file), RENAMED[basename(file)] ?? basename(file));
    mkdirSync(dirname(join(dir, target)), { recursive: true });
    if (target === "package.json") {
      const manifest = JSON.parse(readFileSync(join(TEMPLATE_DIR, file), "utf8")) as { name: string; dependencies: Record<string, string> };
      manifest.name = packageName(dir);
      Object.assign(manifest.dependencies, dependencies);
      writeFileSync(join(dir, target), `${JSON.stringify(manifest, null, 2)}\n`);
    } else {
      copyFileSync(join(TEMPLATE_DIR, file), join(dir, target));
    }
    files.push(target);
  }
  if (deployment) {
    const target = join("deployments", `${deployment.chainId}.json`);
    copyFileSync(options.deployment!, join(dir, target));
    files.push(target);
  }
  return { dir, files: files.sort(), dependencies };
}

export function initCommand(program: Command, cli: Cli): void {
  define(
    cli,
    program,
    "init <dir>",
    "scaffold a consumer project: a contract inheriting InferenceConsumer, its Ignition module, deploy and ask scripts",
  )
    .option(
      "--packages <dir>",
      "depend on the tarballs of Highway's packages in this folder (default in a repository checkout: dist/packages/, from `make pack`)",
    )
    .option("--registry", "depend on the published packages (default outside a repository checkout)")
    .addHelpText(
      "after",
      "\n--deployment FILE (or a chain id, for deployments/<id>.json) is copied into the project's deployments/.\nThen: cd <dir> && npm install; put the chain's deployment file in deployments/ (or --deployment);\nHIGHWAY_PRIVATE_KEY=0x… npm run deploy; npm run ask (a relayer must serve the model).",
    )
    .action(
      action(cli, (dir: string, options: InitOptions) => {
        const deployment = cli.globals.deployment;
        const deploymentFile =
          deployment === undefined || !/^\d+$/.test(deployment) ? deployment : join(DEPLOYMENTS_DIR, `${deployment}.json`);
        const result = initProject(dir, { ...options, deployment: deploymentFile });
        cli.print(result, () => {
          cli.io.out(`created ${result.dir}:`);
          for (const file of result.files) cli.io.out(`  ${file}`);
          for (const [name, spec] of Object.entries(result.dependencies)) cli.io.out(`${name}: ${spec}`);
          const where = relative(process.cwd(), result.dir) || ".";
          cli.io.out(`\nnext:\n  cd ${where} && npm install`);
          if (!result.files.some((file) => file.startsWith("deployments/") && file.endsWith(".json")))
            cli.io.out("  cp path/to/highway/deployments/<chainId>.json deployments/");
          cli.io.out(
            "  export HIGHWAY_PRIVATE_KEY=0x…   # the account that deploys and pays (HIGHWAY_RPC_URL: default http://127.0.0.1:8545)",
          );
          cli.io.out("  npm run deploy && npm run ask     # a relayer must serve the model");
        });
      }),
    );
}
