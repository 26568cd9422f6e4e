import { expect } from "chai";
import { network } from "hardhat";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZeroAddress, ZeroHash } from "ethers";
import { loadCircuit } from "../../sdk/circuits.js";
import { loadRuntimeSpec, runtimeSpecHash } from "../../sdk/language-models.js";
import { DEFAULT_DEPLOY_MODELS, DEFAULT_MODEL_FEE } from "../../ignition/modules/Highway.js";
import { deployHighway, modelsFromEnvironment } from "../../scripts/deploy.js";

const { ethers } = await network.create();

describe("scripts/deploy.ts", () => {
  it("deploys and wires the protocol, registers the reference models, and writes deployments/<chainId>.json", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "highway-deploy-"));
    const [deployer, other] = await ethers.getSigners();
    const highway = await deployHighway(ethers, { outDir, mint: [{ to: other.address, amount: 5n }] });
    const { deployment } = highway;

    const written = JSON.parse(readFileSync(join(outDir, `${deployment.chainId}.json`), "utf8"));
    expect(written).to.deep.equal(JSON.parse(JSON.stringify(deployment)));
    expect(deployment.chainId).to.equal(31337);

    expect(await highway.staking.coordinator()).to.equal(deployment.coordinator);
    expect(await highway.coordinator.disputeGame()).to.equal(deployment.disputeGame);
    expect(await highway.disputeGame.coordinator()).to.equal(deployment.coordinator);
    expect(await highway.batchFulfiller.coordinator()).to.equal(deployment.coordinator);
    expect(deployment.batchFulfiller).to.equal(await highway.batchFulfiller.getAddress());
    const coordinatorAdmin = await ethers.getContractAt("CoordinatorAdmin", await highway.coordinator.coordinatorAdmin());
    expect(await coordinatorAdmin.coordinator()).to.equal(deployment.coordinator);
    expect(await highway.coordinator.paymentToken()).to.equal(deployment.token);
    expect(await highway.coordinator.registry()).to.equal(deployment.registry);
    expect(await highway.token.balanceOf(other.address)).to.equal(5n);
    expect((await highway.coordinator.getParams()).protocolFeeBps).to.equal(500n);
    expect(deployment.committeeArbiter).to.equal(await highway.committeeArbiter.getAddress());
    expect(await highway.committeeArbiter.coordinator()).to.equal(deployment.coordinator);
    expect(await highway.committeeArbiter.staking()).to.equal(deployment.staking);
    expect((await highway.committeeArbiter.params()).committeeSize).to.equal(3n);
    // The coordinator routes language-model disputes to it, and the staking contract lets it bond committee seats.
    expect(await highway.coordinator.languageArbiter()).to.equal(deployment.committeeArbiter);
    expect(await highway.staking.committeeArbiter()).to.equal(deployment.committeeArbiter);
    // Every deployed contract fits EIP-170's limit (so it deploys on mainnet) with 4 KB to spare for what comes next.
    for (const contract of [
      highway.token,
      highway.registry,
      highway.staking,
      highway.coordinator,
      highway.disputeGame,
      highway.committeeArbiter,
      highway.batchFulfiller,
      coordinatorAdmin,
      ...Object.values(highway.verifiers),
      ...Object.values(highway.batchVerifiers),
    ]) {
      const runtime = ethers.getBytes(await ethers.provider.getCode(await contract.getAddress()));
      expect(runtime.length, await contract.getAddress()).to.be.lessThanOrEqual(24_576 - 4_096);
    }

    for (const name of ["price-signal", "credit-risk"]) {
      const { manifest } = loadCircuit(name);
      const model = await highway.registry.getModel(deployment.models[name].modelId);
      expect(model.owner).to.equal(deployer.address);
      expect(model.verifier).to.equal(deployment.models[name].verifier);
      // The verifier's runtime code, recorded at registration: every proof check requires it unchanged.
      expect(model.verifierCodeHash).to.equal(ethers.keccak256(await ethers.provider.getCode(model.verifier)));
      expect(model.artifactHash).to.equal(manifest.artifactHash);
      expect(model.terms.inputLength).to.equal(BigInt(manifest.input.length));
      expect(model.terms.outputLength).to.equal(BigInt(manifest.output.length));
    }
    expect(Object.keys(deployment.models)).to.deep.equal([...DEFAULT_DEPLOY_MODELS]);
    // price-signal's batched circuit: its verifier registered for 8 requests per proof.
    const batch = await highway.registry.batchVerifierOf(deployment.models["price-signal"].modelId);
    expect(batch.verifier).to.equal(await highway.batchVerifiers["price-signal"].getAddress());
    expect(batch.batchSize).to.equal(8n);
  });

  it("hands the admin roles to a chosen admin", async () => {
    const [, admin] = await ethers.getSigners();
    const { coordinator, staking } = await deployHighway(ethers, { admin: admin.address, write: false, models: [] });
    const role = await staking.DEFAULT_ADMIN_ROLE();
    const coordinatorAdmin = await ethers.getContractAt("CoordinatorAdmin", await coordinator.coordinatorAdmin());
    expect(await coordinatorAdmin.hasRole(role, admin.address)).to.equal(true);
    expect(await staking.hasRole(role, admin.address)).to.equal(true);
  });

  it("registers the reference language model smollm2 as its runtime spec says: no verifier, the spec's hash and limits", async () => {
    const [deployer] = await ethers.getSigners();
    const { deployment, registry, coordinator } = await deployHighway(ethers, { write: false, models: ["price-signal", "smollm2"] });
    const spec = loadRuntimeSpec("smollm2");
    expect(deployment.models.smollm2).to.deep.equal({
      modelId: deployment.models.smollm2.modelId,
      verifier: ZeroAddress,
      fee: DEFAULT_MODEL_FEE.toString(),
      kind: "language",
    });
    expect(deployment.models["price-signal"].kind).to.equal("circuit");
    const model = await registry.getModel(deployment.models.smollm2.modelId);
    expect(model.owner).to.equal(deployer.address);
    expect(model.terms.kind).to.equal(1n); // ModelKind.Language
    expect(model.runtimeSpecHash).to.equal(runtimeSpecHash(spec));
    expect(model.verifier).to.equal(ZeroAddress);
    expect(model.verifierCodeHash).to.equal(ZeroHash);
    // A prompt of at most the spec's input bytes (2,048), an answer of at most its output bytes (1,024).
    expect(model.terms.inputLength).to.equal(BigInt(spec.limits.inputBytes));
    expect(model.terms.outputLength).to.equal(BigInt(spec.limits.outputBytes));
    expect(model.terms.proofModes).to.equal(2n); // optimistic only
    expect(model.terms.fee).to.equal(DEFAULT_MODEL_FEE);
    expect(model.artifactHash).to.equal(`0x${spec.weights.sha256}`);
    expect(model.artifactURI).to.equal("language-models/smollm2");
    // Its disputes go to the committee arbiter the deployment names.
    expect(await coordinator.languageArbiter()).to.equal(deployment.committeeArbiter);
  });

  it("resumes a journaled deployment to register smollm2 alone, and a third run sends nothing", async () => {
    const journalDir = mkdtempSync(join(tmpdir(), "highway-journal-"));
    const [deployer] = await ethers.getSigners();
    const first = await deployHighway(ethers, { write: false, journalDir, models: ["price-signal"] });
    expect(Object.keys(first.deployment.models)).to.deep.equal(["price-signal"]);
    const afterFirst = await ethers.provider.getTransactionCount(deployer.address);
    const second = await deployHighway(ethers, { write: false, journalDir, models: ["price-signal", "smollm2"] });
    // One transaction: smollm2's registration; the contracts and price-signal are the first run's.
    expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(afterFirst + 1);
    expect(second.deployment.coordinator).to.equal(first.deployment.coordinator);
    expect(second.deployment.models["price-signal"]).to.deep.equal(first.deployment.models["price-signal"]);
    expect(second.deployment.models.smollm2.kind).to.equal("language");
    const third = await deployHighway(ethers, { write: false, journalDir, models: ["price-signal", "smollm2"] });
    expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(afterFirst + 1);
    expect(third.deployment).to.deep.equal(second.deployment);
  });

  it("takes HIGHWAY_DEPLOY_MODELS as circuit and language model names, none, or (unset) all", () => {
    expect(modelsFromEnvironment(undefined)).to.deep.equal(DEFAULT_DEPLOY_MODELS);
    expect(DEFAULT_DEPLOY_MODELS).to.include("smollm2");
    expect(modelsFromEnvironment("none")).to.deep.equal([]);
    expect(modelsFromEnvironment(" price-signal , smollm2 ")).to.deep.equal(["price-signal", "smollm2"]);
    expect(() => modelsFromEnvironment("smollm2,gpt-9")).to.throw(
      /HIGHWAY_DEPLOY_MODELS: gpt-9 is not a reference model: give some of .*smollm2, or "none"/,
    );
  });
});
