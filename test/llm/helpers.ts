/** What the language-model tests share. */
import { ZeroAddress, ZeroHash } from "ethers";
import type { LocalHighway } from "../../scripts/lib/localnet.js";
import { loadRuntimeSpec } from "../../sdk/language-models.js";
import { MODEL_KINDS, proofModeBits } from "../../sdk/protocol.js";
import { runtimeSpecHash } from "../../sdk/runtime-spec.js";

/** smollm2's model id on a local Highway: the deployment's, or registered now by the deployer as a language model. */
export async function languageModelId(highway: LocalHighway): Promise<string> {
  const deployed = highway.deployment.models.smollm2?.modelId;
  if (deployed) return deployed;
  const spec = loadRuntimeSpec("smollm2");
  const [deployer] = await highway.ethers.getSigners();
  const registry = highway.registry.connect(deployer);
  const salt = ZeroHash;
  const tx = await registry.registerModel(salt, {
    kind: MODEL_KINDS.indexOf("language"),
    fee: 10n ** 18n,
    verifier: ZeroAddress,
    runtimeSpecHash: runtimeSpecHash(spec),
    proofModes: proofModeBits(["optimistic"]),
    inputLength: spec.limits.inputBytes,
    outputLength: spec.limits.outputBytes,
    inputScale: 0,
    outputScale: 0,
    inputBound: 0,
    parentModelId: ZeroHash,
    parentShareBps: 0,
    referralShareBps: 0,
    artifactURI: "",
    artifactHash: ZeroHash,
  });
  await tx.wait();
  return registry.modelIdOf(deployer.address, salt);
}
