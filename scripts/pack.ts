/**
 * `make pack`: the three npm packages users install, as tarballs in dist/packages/.
 *
 *   tsx scripts/pack.ts [--json]     # after `make build` (artifacts/ and types/)
 *
 * - contracts (highway-inference-contracts): InferenceConsumer.sol, every interface, and the
 *   files they import, at the paths they have under contracts/; `abi/<Name>.json` of the
 *   protocol's contracts and interfaces and `artifacts/<Name>.json` (Hardhat's, with bytecode)
 *   of those that deploy. OpenZeppelin is a peer dependency.
 * - sdk (highway-inference-sdk): sdk/ compiled with the TypeChain bindings it imports from
 *   types/ into one folder that keeps the repository's layout (sdk/, types/); entries `.`
 *   (sdk/index.ts, browser-safe), `./node` (sdk/node.ts), `./contracts` (the protocol's
 *   TypeChain factories and types, a barrel generated here), bin `highway`.
 * - relayer (highway-inference-relayer): relayer/ compiled with its imports of sdk/ and types/
 *   pointed at the SDK package (`highway-inference-sdk/node`, `highway-inference-sdk/contracts`),
 *   bin `relayer`, the Python prover worker with the circuits/lib helpers and the development
 *   SRS it reads, and the prover's requirements.txt.
 *
 * Each package's package.json and README are scripts/pack/<kind>/; its folder is assembled in
 * dist/build/<kind>/ (the layout mirrors the repository, so paths the code derives from its own
 * location keep their meaning) and packed from there with `npm pack`. The script checks that
 * every package a build imports is a declared dependency, pinned at the version the repository
 * uses. With --json the last line printed is
 *   {"packages":[{"kind","name","version","tarball","files","bytes"}],"consumerImport":"..."}
 */
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, posix, relative, resolve, sep } from "node:path";
import { builtinModules } from "node:module";

const REPO = resolve(import.meta.dirname, "..");
const TEMPLATES = join(REPO, "scripts", "pack");
const BUILD = join(REPO, "dist", "build");
export const PACKAGES_DIR = join(REPO, "dist", "packages");

export type PackageKind = "contracts" | "sdk" | "relayer";

export interface PackedPackage {
  kind: PackageKind;
  name: string;
  version: string;
  /** The tarball, relative to the repository root. */
  tarball: string;
  files: number;
  bytes: number;
}

export interface PackResult {
  packages: PackedPackage[];
  /** What a Solidity file writes to import InferenceConsumer from the contracts package. */
  consumerImport: string;
}

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  bin?: Record<string, string>;
}

/** Folders of contracts/ that hold no protocol contract a user deploys or calls. */
const NOT_PROTOCOL = new Set(["test", "examples", "verifiers", "libraries"]);

class PackError extends Error {}

const rootManifest = readJson<Manifest & { devDependencies?: Record<string, string> }>(join(REPO, "package.json"));

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

function manifestOf(kind: PackageKind): Manifest {
  return readJson<Manifest>(join(TEMPLATES, kind, "package.json"));
}

/** Every file under `dir` (relative paths, `/`-separated), depth first, sorted. */
function walk(dir: string, skipDir: (name: string) => boolean = () => false): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory()) {
      if (!skipDir(entry.name)) found.push(...walk(join(dir, entry.name), skipDir).map((path) => `${entry.name}/${path}`));
    } else {
      found.push(entry.name);
    }
  }
  return found;
}

function copy(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

/** The files every package has: its package.json and README (scripts/pack/<kind>/), the licence, its bin folder. */
function addPackageFiles(kind: PackageKind, root: string): void {
  copy(join(TEMPLATES, kind, "package.json"), join(root, "package.json"));
  copy(join(TEMPLATES, kind, "README.md"), join(root, "README.md"));
  copy(join(REPO, "LICENSE"), join(root, "LICENSE"));
  if (existsSync(join(TEMPLATES, kind, "bin"))) cpSync(join(TEMPLATES, kind, "bin"), join(root, "bin"), { recursive: true });
}

function tsc(project: string): void {
  const run = spawnSync(process.execPath, [join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", join(TEMPLATES, project)], {
    cwd: REPO,
    encoding: "utf8",
  });
  if (run.status !== 0) throw new PackError(`tsc -p scripts/pack/${project} failed:\n${run.stdout}${run.stderr}`);
}

/** The npm package an import names: `@scope/name` or `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/**
 * Checks the manifest's pins: the version is the repository's, every dependency is pinned at
 * the version the repository installs (the SDK at the SDK package's version), and every package
 * the built JavaScript imports is declared.
 */
function checkDependencies(kind: PackageKind, root: string): void {
  const manifest = manifestOf(kind);
  const where = `scripts/pack/${kind}/package.json`;
  if (manifest.version !== rootManifest.version)
    throw new PackError(`${where}: version ${manifest.version} is not the repository's ${rootManifest.version}`);
  const repoVersions = {
    ...rootManifest.devDependencies,
    ...rootManifest.dependencies,
    [manifestOf("sdk").name]: manifestOf("sdk").version,
  };
  for (const [name, version] of Object.entries(manifest.dependencies ?? {})) {
    if (repoVersions[name] !== version)
      throw new PackError(`${where}: ${name} ${version} is not the version the repository uses (${repoVersions[name] ?? "none"})`);
  }
  const declared = new Set([manifest.name, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
  const builtins = new Set(builtinModules);
  for (const file of walk(root).filter((path) => /\.(m?js|d\.ts)$/.test(path))) {
    const source = readFileSync(join(root, file), "utf8");
    for (const match of source.matchAll(/(?:[\s}]from\s+|\bimport\s*\(\s*|^\s*import\s+)["']([^"'\s./][^"'\s]*)["']/gm)) {
      const specifier = match[1];
      if (specifier.startsWith("node:") || builtins.has(specifier)) continue;
      if (!declared.has(packageOf(specifier)))
        throw new PackError(`${kind}: ${file} imports "${specifier}", which ${where} does not declare`);
    }
  }
}

// ---------------------------------------------------------------- contracts

/** The files of contracts/ that `entries` import, transitively (relative to contracts/), and the npm imports among them. */
function solidityClosure(contractsDir: string, entries: string[]): { files: string[]; npmImports: Set<string> } {
  const files = new Set<string>();
  const npmImports = new Set<string>();
  const pending = [...entries];
  while (pending.length) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(join(contractsDir, file), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    for (const match of source.matchAll(/^\s*import\s+(?:["']([^"']+)["']|[^;]*?\bfrom\s+["']([^"']+)["'])/gm)) {
      const specifier = match[1] ?? match[2];
      if (!specifier.startsWith(".")) {
        npmImports.add(specifier);
        continue;
      }
      const target = posix.normalize(posix.join(posix.dirname(file), specifier));
      if (target.startsWith("../")) throw new PackError(`contracts/${file} imports ${specifier}, outside contracts/`);
      pending.push(target);
    }
  }
  return { files: [...files].sort(), npmImports };
}

function buildContracts(): { root: string; consumerImport: string } {
  const manifest = manifestOf("contracts");
  const root = join(BUILD, "contracts");
  const contractsDir = join(REPO, "contracts");
  const entry = "InferenceConsumer.sol";
  const interfaces = readdirSync(join(contractsDir, "interfaces"))
    .filter((name) => name.endsWith(".sol"))
    .map((name) => `interfaces/${name}`);
  const { files, npmImports } = solidityClosure(contractsDir, [entry, ...interfaces]);
  for (const file of files) copy(join(contractsDir, file), join(root, file));
  const peers = { ...manifest.dependencies, ...manifest.peerDependencies };
  for (const specifier of npmImports) {
    if (!peers[packageOf(specifier)])
      throw new PackError(`contracts: a shipped source imports "${specifier}", which scripts/pack/contracts/package.json does not declare`);
  }

  // The ABIs of the protocol's contracts and interfaces; the whole Hardhat artifact of each one that deploys.
  const artifactsDir = join(REPO, "artifacts", "contracts");
  if (!existsSync(artifactsDir)) throw new PackError("artifacts/contracts/ is missing: run `make build` first");
  const names = new Map<string, string>();
  for (const file of walk(artifactsDir, (dir) => NOT_PROTOCOL.has(dir) || dir === "build-info")) {
    if (!file.endsWith(".json") || file.endsWith(".dbg.json")) continue;
    const artifact = readJson<{ contractName?: string; sourceName?: string; abi?: unknown[]; bytecode?: string }>(join(artifactsDir, file));
    if (!artifact.contractName || !artifact.abi) continue;
    const clash = names.get(artifact.contractName);
    if (clash) throw new PackError(`contracts: two contracts named ${artifact.contractName} (${clash}, ${artifact.sourceName})`);
    names.set(artifact.contractName, artifact.sourceName ?? file);
    mkdirSync(join(root, "abi"), { recursive: true });
    writeFileSync(join(root, "abi", `${artifact.contractName}.json`), `${JSON.stringify(artifact.abi, null, 2)}\n`);
    if (artifact.bytecode && artifact.bytecode !== "0x")
      copy(join(artifactsDir, file), join(root, "artifacts", `${artifact.contractName}.json`));
  }
  if (!names.size) throw new PackError("artifacts/contracts/ holds no artifact: run `make build` first");
  addPackageFiles("contracts", root);
  return { root, consumerImport: `${manifest.name}/${entry}` };
}

// ---------------------------------------------------------------- sdk

/**
 * The `./contracts` entry: the TypeChain contract type and factory of every protocol contract
 * and interface (types/contracts/ less tests, examples, verifiers and libraries).
 */
function contractsBarrel(typesDir: string): string {
  const lines = [
    "/**",
    " * Highway's protocol contracts and interfaces as typed ethers contracts (TypeChain):",
    " * `X__factory.connect(address, runner)` and the contract type `X`. Generated by scripts/pack.ts.",
    " */",
  ];
  const seen = new Set<string>();
  for (const file of walk(join(typesDir, "contracts"), (dir) => NOT_PROTOCOL.has(dir))) {
    if (!file.endsWith(".ts") || basename(file) === "index.ts") continue;
    const path = file.slice(0, -".ts".length);
    const name = basename(path);
    if (seen.has(name)) throw new PackError(`sdk: two TypeChain contracts named ${name}`);
    seen.add(name);
    lines.push(`export type { ${name} } from "./types/contracts/${path}.js";`);
    if (existsSync(join(typesDir, "factories", "contracts", `${path}__factory.ts`)))
      lines.push(`export { ${name}__factory } from "./types/factories/contracts/${path}__factory.js";`);
  }
  return `${lines.join("\n")}\n`;
}

function buildSdk(): { root: string } {
  const staged = join(BUILD, "sdk-src");
  const root = join(BUILD, "sdk");
  const typesDir = join(REPO, "types");
  if (!existsSync(join(typesDir, "common.ts"))) throw new PackError("types/ (the TypeChain bindings) is missing: run `make build` first");
  for (const file of walk(join(REPO, "sdk"))) if (file.endsWith(".ts")) copy(join(REPO, "sdk", file), join(staged, "sdk", file));
  for (const file of walk(typesDir))
    if (file.endsWith(".ts") && !file.endsWith(".d.ts")) copy(join(typesDir, file), join(staged, "types", file));
  if (existsSync(join(staged, "contracts.ts"))) throw new PackError("sdk: contracts.ts would overwrite a staged file");
  writeFileSync(join(staged, "contracts.ts"), contractsBarrel(join(staged, "types")));
  tsc("tsconfig.sdk.json");
  addPackageFiles("sdk", root);
  // The project `highway init` scaffolds (sdk/cli/commands/init.ts reads it from <package>/templates/).
  cpSync(join(REPO, "templates"), join(root, "templates"), { recursive: true });
  return { root };
}

// ---------------------------------------------------------------- relayer

/** Points the relayer's imports of sdk/ and types/ at the SDK package; refuses any other import that leaves relayer/. */
function rewriteRelayerImports(file: string, source: string): string {
  const sdk = manifestOf("sdk").name;
  return source.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(["'])(\.\.?\/[^"']+)\2/gm,
    (whole, lead: string, quote: string, specifier: string) => {
      const target = relative(REPO, resolve(REPO, dirname(file), specifier))
        .split(sep)
        .join("/");
      if (target.startsWith("relayer/")) return whole;
      if (target.startsWith("sdk/")) return `${lead}${quote}${sdk}/node${quote}`;
      if (target.startsWith("types/")) return `${lead}${quote}${sdk}/contracts${quote}`;
      throw new PackError(`${file} imports ${specifier}: outside relayer/, sdk/ and types/, so in no package`);
    },
  );
}

/** The circuits/lib modules (`from lib.x import ...`) that `files` import, transitively, with the package's __init__.py. */
function pythonLibClosure(files: string[]): string[] {
  const modules = new Set<string>(["circuits/lib/__init__.py"]);
  const pending = [...files];
  while (pending.length) {
    const source = readFileSync(join(REPO, pending.pop()!), "utf8");
    for (const match of source.matchAll(/^\s*(?:from\s+lib\.(\w+)\s+import|import\s+lib\.(\w+))/gm)) {
      const module = `circuits/lib/${match[1] ?? match[2]}.py`;
      if (!modules.has(module)) pending.push(module);
      modules.add(module);
    }
  }
  return [...modules].sort();
}

function buildRelayer(sdkRoot: string): { root: string } {
  const staged = join(BUILD, "relayer-src");
  const root = join(BUILD, "relayer");
  for (const file of walk(join(REPO, "relayer"), (dir) => dir === "node_modules")) {
    if (!file.endsWith(".ts")) continue;
    const repoPath = `relayer/${file}`;
    mkdirSync(dirname(join(staged, repoPath)), { recursive: true });
    writeFileSync(join(staged, repoPath), rewriteRelayerImports(repoPath, readFileSync(join(REPO, repoPath), "utf8")));
  }
  // The SDK package as an installed project would see it.
  mkdirSync(join(staged, "node_modules"), { recursive: true });
  symlinkSync(relative(join(staged, "node_modules"), sdkRoot), join(staged, "node_modules", manifestOf("sdk").name), "dir");
  tsc("tsconfig.relayer.json");

  // The prover: the worker at the path the pool derives (relayer/prover/), the helpers it imports
  // from circuits/lib, the development SRS a circuit built by circuits/build.py names (circuits/srs/),
  // and the Python requirements at the package's root.
  const workers = walk(join(REPO, "relayer", "prover"))
    .filter((file) => file.endsWith(".py"))
    .map((file) => `relayer/prover/${file}`);
  for (const file of [...workers, ...pythonLibClosure(workers)]) copy(join(REPO, file), join(root, file));
  // The llama.cpp worker thread (plain JavaScript), beside the compiled relayer/llm/llama.js that starts it.
  for (const file of walk(join(REPO, "relayer", "llm")).filter((name) => name.endsWith(".mjs"))) {
    copy(join(REPO, "relayer", "llm", file), join(root, "relayer", "llm", file));
  }
  cpSync(join(REPO, "circuits", "srs"), join(root, "circuits", "srs"), { recursive: true });
  copy(join(REPO, "circuits", "requirements.txt"), join(root, "requirements.txt"));
  addPackageFiles("relayer", root);
  return { root };
}

// ---------------------------------------------------------------- npm pack

function npmCommand(): string {
  const besideNode = join(dirname(process.execPath), "npm");
  return existsSync(besideNode) ? besideNode : "npm";
}

function npmPack(kind: PackageKind, root: string): PackedPackage {
  const run = spawnSync(npmCommand(), ["pack", "--json", "--ignore-scripts", "--pack-destination", PACKAGES_DIR], {
    cwd: root,
    encoding: "utf8",
  });
  if (run.status !== 0) throw new PackError(`npm pack (${kind}) failed:\n${run.stdout}${run.stderr}`);
  const [packed] = JSON.parse(run.stdout) as { name: string; version: string; filename: string; entryCount: number; size: number }[];
  const tarball = join(PACKAGES_DIR, packed.filename);
  return {
    kind,
    name: packed.name,
    version: packed.version,
    tarball: relative(REPO, tarball).split(sep).join("/"),
    files: packed.entryCount,
    bytes: statSync(tarball).size,
  };
}

/** Builds the three packages and packs them into dist/packages/. */
export function pack(): PackResult {
  rmSync(BUILD, { recursive: true, force: true });
  mkdirSync(PACKAGES_DIR, { recursive: true });
  for (const kind of ["contracts", "sdk", "relayer"] as const) {
    const { name } = manifestOf(kind);
    for (const old of readdirSync(PACKAGES_DIR)) if (old.startsWith(`${name}-`) && old.endsWith(".tgz")) rmSync(join(PACKAGES_DIR, old));
  }
  const contracts = buildContracts();
  const sdk = buildSdk();
  const relayer = buildRelayer(sdk.root);
  checkDependencies("sdk", sdk.root);
  checkDependencies("relayer", relayer.root);
  checkDependencies("contracts", contracts.root);
  return {
    packages: [npmPack("contracts", contracts.root), npmPack("sdk", sdk.root), npmPack("relayer", relayer.root)],
    consumerImport: contracts.consumerImport,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const json = process.argv.includes("--json");
  try {
    const result = pack();
    for (const p of result.packages)
      console.log(
        `${p.kind.padEnd(9)} ${`${p.name}@${p.version}`.padEnd(34)} ${p.tarball} (${p.files} files, ${(p.bytes / 1024).toFixed(1)} kB)`,
      );
    console.log(`Solidity: import {InferenceConsumer} from "${result.consumerImport}";`);
    if (json) console.log(JSON.stringify(result));
  } catch (error) {
    if (!(error instanceof PackError)) throw error;
    console.error(`pack: ${error.message}`);
    process.exitCode = 1;
  }
}
