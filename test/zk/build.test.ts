import { expect } from "chai";
import { network } from "hardhat";
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadCircuit, REFERENCE_MODELS } from "../../sdk/circuits.js";
import { compileSolidity } from "../../sdk/solidity.js";
import { ProverPool } from "../../relayer/prover/pool.js";
import { verifies } from "../helpers/verifiers.js";
import { REPO, runPython } from "../helpers/python.js";

const { ethers } = await network.create();
const BUILD = join(REPO, "circuits", "build.py");

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Writes an ONNX graph with one node of `operator` (and a valid shape) into `path`. */
function writeSingleOperatorOnnx(path: string, operator: string): void {
  const script = `
import onnx, sys
from onnx import helper, TensorProto
node = helper.make_node(sys.argv[2], ["x"], ["y"], name="the_node")
graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.save(model, sys.argv[1])
`;
  const result = runPython(["-c", script, path, operator]);
  expect(result.status, result.stderr).to.equal(0);
}

function modelFolderWith(onnx: (path: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "highway-build-"));
  for (const file of ["circuit.json", "calibration.json"]) copyFileSync(join(REPO, "circuits", "price-signal", file), join(dir, file));
  onnx(join(dir, "model.onnx"));
  return dir;
}

describe("circuit build (circuits/build.py)", function () {
  const scratch: string[] = [];
  after(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("stops on a malformed ONNX file, naming the file", () => {
    const dir = modelFolderWith((path) => writeFileSync(path, "this is not a protobuf"));
    scratch.push(dir);
    const result = runPython([BUILD, "build", dir]);
    expect(result.status).to.equal(2);
    expect(result.stderr).to.contain(`${dir}/model.onnx: not a valid ONNX model`);
  });

  it("stops on an operator EZKL cannot prove, naming the file, the node and EZKL's reason", () => {
    const dir = modelFolderWith((path) => writeSingleOperatorOnnx(path, "Det"));
    scratch.push(dir);
    const result = runPython([BUILD, "build", dir]);
    expect(result.status).to.equal(2);
    expect(result.stderr).to.contain(`${dir}/model.onnx: EZKL cannot prove 1 node(s): Det 'the_node' (`);
  });

  it("rebuilds price-signal from its ONNX, and the new verifier verifies a new proof", async () => {
    const source = join(REPO, "circuits", "price-signal");
    const out = mkdtempSync(join(tmpdir(), "highway-rebuild-"));
    scratch.push(out);
    const result = runPython([BUILD, "build", source, "--out", out]);
    expect(result.status, result.stderr).to.equal(0);

    // The same model and toolchain. (Not necessarily the same keys: EZKL's compile orders
    // some of its parameters by hash map, so a rebuild yields one of a few equivalent layouts.)
    const committed = loadCircuit("price-signal").manifest;
    const rebuilt = loadCircuit(out).manifest;
    expect(rebuilt.ezklVersion).to.equal(committed.ezklVersion);
    expect(rebuilt.artifacts["model.onnx"]).to.equal(committed.artifacts["model.onnx"]);
    expect(rebuilt.input).to.deep.equal(committed.input);
    expect(rebuilt.output).to.deep.equal(committed.output);
    // Built elsewhere, the verifier stays in the output folder, where its manifest names and hashes it.
    expect(resolve(REPO, rebuilt.verifier.source)).to.equal(join(realpathSync(out), "Halo2Verifier.sol"));
    expect(rebuilt.artifacts).to.have.property("Halo2Verifier.sol");
    const verifierSource = readFileSync(join(out, "Halo2Verifier.sol"), "utf8");
    const verifier = await deployFromSource(verifierSource, "Halo2Verifier");

    const pool = await ProverPool.start({ circuits: [out] });
    try {
      const input = [100n, -200n, 300n, -400n, 500n, -600n, 700n, -800n];
      const proof = await pool.prove("price-signal", input);
      expect(await verifies(verifier, proof.proof, proof.instances)).to.equal(true);
      const wrongOutput = [...proof.instances];
      wrongOutput[wrongOutput.length - 1] += 1n;
      expect(await verifies(verifier, proof.proof, wrongOutput)).to.equal(false);
    } finally {
      await pool.close();
    }
  });

  for (const model of REFERENCE_MODELS) {
    it(`${model}: committed artifacts are the ones its manifest names`, () => {
      const { dir, manifest } = loadCircuit(model);
      for (const [file, digest] of Object.entries(manifest.artifacts)) {
        expect(sha256(join(dir, file)), file).to.equal(digest);
      }
      expect(sha256(join(REPO, manifest.srs.path))).to.equal(manifest.srs.sha256);
      // The verifier the manifest hashes is the one copy Hardhat compiles and the deployment deploys.
      const hashedFiles = Object.keys(manifest.artifacts).map((file) => resolve(dir, file));
      expect(hashedFiles).to.include(join(REPO, manifest.verifier.source));
    });
  }
});

/** Compiles a verifier source offline and deploys it. */
async function deployFromSource(source: string, contractName: string) {
  const compiled = compileSolidity("Verifier.sol", source, contractName);
  const [deployer] = await ethers.getSigners();
  const contract = await new ethers.ContractFactory(compiled.abi as never, compiled.bytecode, deployer).deploy();
  await contract.waitForDeployment();
  return contract as unknown as import("ethers").Contract;
}
