import { expect } from "chai";
import { id as keccakUtf8 } from "ethers";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { artifactHashOf, fetchBundle } from "../../sdk/bundle.js";
import { loadCircuit } from "../../sdk/circuits.js";
import { modelRegistration } from "../../sdk/manifest.js";
import { Highway } from "../../sdk/node.js";
import { compiledVerifier } from "../../sdk/verifier.js";
import { addModel } from "../../relayer/src/models-add.js";
import { startHighway, UNIT, type LocalHighway } from "../../scripts/lib/localnet.js";
import { hardhatAccount } from "../../scripts/lib/node.js";
import { REPO } from "../helpers/repo.js";

const BUNDLE = join(REPO, "models", "breast-cancer", "bundle");
const OWNER = 3;

describe("relayer models add: a model bundle fetched from its artifactURI", function () {
  this.timeout(300_000);
  let highway: LocalHighway;
  let scratch: string;
  let server: Server;
  let httpBase: string;

  before(async () => {
    highway = await startHighway({ models: ["price-signal"] });
    scratch = mkdtempSync(join(tmpdir(), "highway-models-add-"));
    // A web server for the bundle, as a model owner would publish it.
    server = createServer((request, response) => {
      const file = join(BUNDLE, decodeURIComponent(new URL(request.url!, "http://x").pathname).replace(/^\/bundle\//, ""));
      if (!file.startsWith(BUNDLE) || !existsSync(file)) return void response.writeHead(404).end();
      response.writeHead(200).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    httpBase = `http://127.0.0.1:${(server.address() as { port: number }).port}/bundle/`;
  });
  after(async () => {
    server?.close();
    await highway?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** Registers the breast-cancer bundle with `verifier` (default: its own, deployed) under `artifactURI`; returns the model id. */
  async function register(artifactURI: string, salt: string, verifier?: string): Promise<string> {
    const owner = await highway.ethers.getSigner(hardhatAccount(OWNER).address);
    const circuit = loadCircuit(BUNDLE);
    let address = verifier;
    if (!address) {
      const compiled = compiledVerifier(circuit);
      const deployed = await highway.ethers.getContractFactory(compiled.abi as never, compiled.bytecode, owner).then((f) => f.deploy());
      await deployed.waitForDeployment();
      address = await deployed.getAddress();
    }
    const { params } = modelRegistration(circuit.manifest, { fee: UNIT, verifier: address, artifactURI, salt: keccakUtf8(salt) });
    await (await highway.registry.connect(owner).registerModel(keccakUtf8(salt), params)).wait();
    return (await highway.registry.modelIdOf(owner.address, keccakUtf8(salt))).toLowerCase();
  }

  function config(name: string): string {
    const path = join(scratch, `${name}.json`);
    writeFileSync(
      path,
      JSON.stringify({
        rpcUrl: highway.node.url,
        deployment: highway.deploymentPath,
        key: { env: "HIGHWAY_RELAYER_KEY" },
        database: join(scratch, `${name}.sqlite`),
        models: [{ circuit: "price-signal" }],
      }),
    );
    return path;
  }

  it("hashes a bundle's artifacts exactly as the build does", () => {
    const manifest = loadCircuit(BUNDLE).manifest;
    expect(artifactHashOf(manifest.artifacts)).to.equal(manifest.artifactHash);
  });

  it("fetches a bundle over http, derives its proving key, checks the registered verifier, and adds the model to the config", async () => {
    const modelId = await register(httpBase, "http bundle");
    const path = config("http");
    const dir = join(scratch, "fetched-http");
    const added = await addModel(path, modelId, dir);
    expect(added.name).to.equal("breast-cancer");
    expect(existsSync(join(dir, "pk.key"))).to.equal(true);
    const models = (JSON.parse(readFileSync(path, "utf8")) as { models: { circuit: string; modelId?: string }[] }).models;
    expect(models.at(-1)).to.deep.equal({ circuit: "./fetched-http", modelId });
  });

  it("fetches a bundle from a file:// folder", async () => {
    const modelId = await register(pathToFileURL(BUNDLE).href, "file bundle");
    const added = await addModel(config("file"), modelId, join(scratch, "fetched-file"));
    expect(added.modelId).to.equal(modelId);
  });

  it("refuses a bundle whose file differs from its registered hash, writing nothing", async () => {
    const copy = join(scratch, "tampered");
    cpSync(BUNDLE, copy, { recursive: true });
    writeFileSync(join(copy, "vk.key"), Buffer.concat([readFileSync(join(copy, "vk.key")), Buffer.from([0])]));
    const modelId = await register(pathToFileURL(copy).href, "tampered bundle");
    const path = config("tampered");
    const before = readFileSync(path, "utf8");
    const dir = join(scratch, "fetched-tampered");
    let message = "";
    await addModel(path, modelId, dir).catch((error: Error) => (message = error.message));
    expect(message).to.match(/vk\.key has SHA-256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}/);
    expect(existsSync(dir)).to.equal(false);
    expect(readFileSync(path, "utf8")).to.equal(before);
  });

  it("refuses a model whose registered verifier is not the bundle's, leaving the config unchanged", async () => {
    const otherVerifier = await highway.verifiers["price-signal"].getAddress();
    const modelId = await register(pathToFileURL(BUNDLE).href, "wrong verifier", otherVerifier);
    const path = config("wrong-verifier");
    const before = readFileSync(path, "utf8");
    let message = "";
    await addModel(path, modelId, join(scratch, "fetched-wrong")).catch((error: Error) => (message = error.message));
    expect(message).to.match(
      /the registered verifier 0x[0-9a-fA-F]{40} has code hash 0x[0-9a-f]{64}, the verifier compiled from the bundle 0x[0-9a-f]{64}/,
    );
    expect(readFileSync(path, "utf8")).to.equal(before);
  });

  it("registers bundles through the SDK (a 10-class digits classifier too), and refuses one the registry would refuse before deploying its verifier", async () => {
    const owner = await highway.ethers.getSigner(hardhatAccount(OWNER).address);
    const sdk = await Highway.connect({ runner: owner, deployment: highway.deploymentPath });
    const registered = await sdk.registerModel(BUNDLE, {
      fee: UNIT,
      salt: keccakUtf8("sdk bundle"),
      artifactURI: pathToFileURL(BUNDLE).href,
    });
    expect((await sdk.model(registered.modelId)).artifactHash).to.equal(loadCircuit(BUNDLE).manifest.artifactHash);

    // digits returns 10 values: with the compact tensor encoding the registry takes it.
    const digits = join(REPO, "models", "digits", "bundle");
    const salt = keccakUtf8("digits");
    const added = await sdk.registerModel(digits, { fee: UNIT, salt, artifactURI: pathToFileURL(digits).href });
    expect((await sdk.model(added.modelId)).output.length).to.equal(10);

    // A registration the registry refuses (the same build and salt again) fails in the dry run, before a verifier is deployed.
    const nonce = await highway.ethers.provider.getTransactionCount(owner.address);
    let name = "";
    await sdk.registerModel(digits, { fee: UNIT, salt }).catch((error: { errorName?: string }) => (name = error.errorName ?? ""));
    expect(name).to.equal("ModelAlreadyRegistered");
    expect(await highway.ethers.provider.getTransactionCount(owner.address)).to.equal(nonce);
  });

  it("refuses a registered hash the bundle does not have", async () => {
    let message = "";
    await fetchBundle(pathToFileURL(BUNDLE).href, keccakUtf8("other"), join(scratch, "never")).catch(
      (error: Error) => (message = error.message),
    );
    expect(message).to.match(/the bundle's artifacts hash to 0x[0-9a-f]{64}, the registry's artifactHash is 0x/);
    expect(existsSync(join(scratch, "never"))).to.equal(false);
  });
});
