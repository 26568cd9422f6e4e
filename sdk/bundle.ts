/**
 * Node only: a model bundle (what `highway models build` writes) fetched from its registered
 * `artifactURI` and checked against its registered `artifactHash`.
 *
 * A bundle is a folder: manifest.json and the files its `artifacts` map names (model.onnx,
 * settings.json, model.compiled, vk.key, Halo2Verifier.sol, and kzg.srs for a development
 * build), each under the manifest's SHA-256. `artifactHash` is the SHA-256 of that map as
 * circuits/build.py writes it (Python's `json.dumps(artifacts, sort_keys=True)`), so the one
 * registered hash pins every file. The URI is the folder: `https://…/`, `http://…/` or `file:///…`.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { HighwayError } from "./errors.js";
import type { CircuitManifest } from "./manifest.js";

/** The artifact hash of an `artifacts` map: SHA-256 of its JSON with sorted keys, as Python's json.dumps writes it. */
export function artifactHashOf(artifacts: Record<string, string>): string {
  const body = Object.keys(artifacts)
    .sort()
    .map((key) => `${JSON.stringify(key)}: ${JSON.stringify(artifacts[key])}`)
    .join(", ");
  return `0x${createHash("sha256").update(`{${body}}`).digest("hex")}`;
}

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

async function read(base: string, file: string): Promise<Uint8Array> {
  if (base.startsWith("file://")) {
    const root = fileURLToPath(base.endsWith("/") ? base : `${base}/`);
    try {
      return readFileSync(join(root, file));
    } catch (error) {
      throw new HighwayError(`${base}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }
  if (!/^https?:\/\//.test(base))
    throw new HighwayError(`artifactURI "${base}": a bundle is fetched from an https://, http:// or file:// folder`);
  const url = new URL(file, base.endsWith("/") ? base : `${base}/`);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  } catch (error) {
    throw new HighwayError(`${url}: cannot fetch (${(error as Error).message})`);
  }
  if (!response.ok) throw new HighwayError(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Fetches the bundle at `uri` into `dir` (replacing it) after checking every file against its
 * manifest and the manifest's artifacts against `artifactHash`; returns the manifest.
 * Nothing is written when a check fails.
 */
export async function fetchBundle(uri: string, artifactHash: string, dir: string): Promise<CircuitManifest> {
  const manifestBytes = await read(uri, "manifest.json");
  let manifest: CircuitManifest;
  try {
    manifest = JSON.parse(Buffer.from(manifestBytes).toString("utf8")) as CircuitManifest;
  } catch {
    throw new HighwayError(`${uri}: manifest.json is not JSON`);
  }
  const computed = artifactHashOf(manifest.artifacts ?? {});
  if (computed.toLowerCase() !== artifactHash.toLowerCase())
    throw new HighwayError(`${uri}: the bundle's artifacts hash to ${computed}, the registry's artifactHash is ${artifactHash}`);
  if (manifest.artifactHash?.toLowerCase() !== artifactHash.toLowerCase())
    throw new HighwayError(`${uri}: manifest.json says artifactHash ${manifest.artifactHash}, the registry ${artifactHash}`);
  const files = new Map<string, Uint8Array>();
  for (const [file, digest] of Object.entries(manifest.artifacts)) {
    // Only files inside the bundle: a name may not climb out of the folder it is written into.
    if (normalize(file).startsWith(`..${sep}`) || normalize(file).startsWith(sep))
      throw new HighwayError(`${uri}: artifact "${file}" is outside the bundle`);
    const data = await read(uri, file);
    if (sha256(data) !== digest) throw new HighwayError(`${uri}: ${file} has SHA-256 ${sha256(data)}, the manifest says ${digest}`);
    files.set(file, data);
  }
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const [file, data] of files) {
    mkdirSync(dirname(join(staging, file)), { recursive: true });
    writeFileSync(join(staging, file), data);
  }
  writeFileSync(join(staging, "manifest.json"), manifestBytes);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  renameSync(staging, dir);
  return manifest;
}
