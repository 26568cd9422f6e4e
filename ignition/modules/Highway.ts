/**
 * Highway's deployment as a Hardhat Ignition module: the payment/stake token (the demo
 * HighwayToken), ModelRegistry, RelayerStaking, InferenceCoordinator (whose constructor deploys
 * its DisputeGame, CoordinatorAdmin and BatchFulfiller), and for each reference model its EZKL verifier
 * (contracts/verifiers/<model>/Halo2Verifier.sol) and its registration, from
 * circuits/<model>/manifest.json, and, for a model with a batched circuit (circuits/<model>/batch-<B>/),
 * its batched verifier registered with `registerBatchVerifier`; and each reference language model
 * (language-models/<model>/runtime.json), registered with its runtime spec's hash and no verifier.
 *
 * Every run goes through scripts/deploy.ts — `make deploy NETWORK=<name>` on a real chain, and
 * `deployHighway(ethers, options)` in process for tests, `make localnet`, the demo and the
 * benchmarks — which supplies `predictedCoordinator` and writes deployments/<chainId>.json.
 *
 * Parameters (module id "Highway"; an Ignition parameters file such as
 * ignition/parameters/testnet.json5 sets any of them; amounts in token base units, as "…n"):
 *   predictedCoordinator  the coordinator's address, which RelayerStaking names in its constructor
 *                         (filled in by scripts/deploy.ts: CREATE address of the deployer's nonce + 3)
 *   admin, treasury       the protocol's admin (coordinator and staking) and fee recipient (default: the deployer)
 *   minStake, unbondingDelay                       RelayerStaking's rules
 *   protocolFeeBps … challengeBond                 the coordinator's Params (DEFAULT_PARAMS below)
 *   modelFee              each reference model's fee (circuit and language models alike)
 *   committeeSize … memberBond                     CommitteeArbiter's parameters (DEFAULT_COMMITTEE below)
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ArgumentType, ContractFuture, ReadEventArgumentFuture } from "@nomicfoundation/ignition-core";
import { ZeroAddress } from "ethers";
import { batchedCircuits, loadCircuit, REFERENCE_MODELS } from "../../sdk/circuits.js";
import { loadRuntimeSpec, REFERENCE_LANGUAGE_MODELS } from "../../sdk/language-models.js";
import { modelRegistration } from "../../sdk/manifest.js";
import { languageModelRegistration } from "../../sdk/runtime-spec.js";

/** The Ignition module's id: the key of its parameters in a parameters file, and the prefix of its future ids. */
export const HIGHWAY_MODULE_ID = "Highway";

const UNIT = 10n ** 18n;

/** The coordinator's parameters (contracts/README.md, "Protocol rules"). */
export interface CoordinatorParams {
  protocolFeeBps: number;
  lateSlashBps: number;
  disputeProtocolShareBps: number;
  auctionDuration: number;
  deliveryWindow: number;
  challengeWindow: number;
  defenceWindow: number;
  maxCallbackGasLimit: number;
  jobBond: bigint;
  challengeBond: bigint;
}

/** The module's default coordinator parameters: production-length windows (minutes to an hour). */
export const DEFAULT_PARAMS: CoordinatorParams = {
  protocolFeeBps: 500,
  lateSlashBps: 2_000,
  disputeProtocolShareBps: 8_000,
  auctionDuration: 120,
  deliveryWindow: 600,
  challengeWindow: 3_600,
  defenceWindow: 3_600,
  maxCallbackGasLimit: 2_000_000,
  jobBond: 100n * UNIT,
  challengeBond: 50n * UNIT,
};

/** CommitteeArbiter's parameters (docs/DESIGN.md, "Language models: disputes settled by a committee"). */
export interface CommitteeParams {
  committeeSize: number;
  nonRevealSlashBps: number;
  commitWindow: number;
  revealWindow: number;
  memberBond: bigint;
}

/** The committee's default parameters: three members, half a 50-token seat bond lost by a member that does not reveal. */
export const DEFAULT_COMMITTEE: CommitteeParams = {
  committeeSize: 3,
  nonRevealSlashBps: 5_000,
  commitWindow: 600,
  revealWindow: 600,
  memberBond: 50n * UNIT,
};

/** RelayerStaking's rules and the reference models' fee, by default. */
export const DEFAULT_MIN_STAKE = 200n * UNIT;
export const DEFAULT_UNBONDING_DELAY = 86_400;
export const DEFAULT_MODEL_FEE = 2n * UNIT;

/** What a fine-tuned reference model pays its parent, of its model fee. */
export const FINE_TUNE_PARENT_SHARE_BPS = 2_000;

/**
 * The deployer's transactions before the coordinator's: the token, the registry and the staking
 * contract, in that order (each `after` the one before), so the coordinator is the CREATE address
 * of the deployer's nonce + this.
 */
export const TRANSACTIONS_BEFORE_COORDINATOR = 3;

/** An Ignition future id for a model name (ids are letters, digits and underscores). */
export function modelFutureId(kind: "Verifier" | "Register" | "ModelId" | "BatchVerifier" | "RegisterBatch", model: string): string {
  return `${kind}_${model.replace(/[^a-zA-Z0-9]/g, "_")}`;
}

/** What a deployment registers by default: every reference circuit model, then every reference language model. */
export const DEFAULT_DEPLOY_MODELS: readonly string[] = [...REFERENCE_MODELS, ...REFERENCE_LANGUAGE_MODELS];

/** Whether a reference model's name is a language model's (language-models/<name>/), not a circuit's (circuits/<name>/). */
export function isLanguageModel(name: string): boolean {
  return (REFERENCE_LANGUAGE_MODELS as readonly string[]).includes(name);
}

/**
 * The module for a choice of reference models, circuit and language models by name (a fine-tune
 * after its parent). The default export registers all of them.
 */
export function highwayModule(models: readonly string[] = DEFAULT_DEPLOY_MODELS) {
  return buildModule(HIGHWAY_MODULE_ID, (m) => {
    const deployer = m.getAccount(0);
    const admin = m.getParameter("admin", deployer);
    const treasury = m.getParameter("treasury", deployer);

    const token = m.contract("HighwayToken", [deployer]);
    const registry = m.contract("ModelRegistry", [], { after: [token] });
    const staking = m.contract(
      "RelayerStaking",
      [
        token,
        m.getParameter<string>("predictedCoordinator"),
        admin,
        m.getParameter("minStake", DEFAULT_MIN_STAKE),
        m.getParameter("unbondingDelay", DEFAULT_UNBONDING_DELAY),
      ],
      { after: [registry] },
    );
    // The coordinator checks that the staking contract names it (StakingCoordinatorMismatch otherwise).
    const params = Object.fromEntries(
      Object.entries(DEFAULT_PARAMS).map(([name, value]) => [name, m.getParameter(name, value as number | bigint)]),
    );
    const coordinator = m.contract("InferenceCoordinator", [token, registry, staking, admin, treasury, params]);
    // After the coordinator, which it names; RelayerStaking lets it bond committee seats once the coordinator names it.
    const committee = Object.fromEntries(
      Object.entries(DEFAULT_COMMITTEE).map(([name, value]) => [name, m.getParameter(name, value as number | bigint)]),
    );
    const committeeArbiter = m.contract("CommitteeArbiter", [coordinator, staking, committee], { after: [coordinator] });

    const modelFee = m.getParameter("modelFee", DEFAULT_MODEL_FEE);
    const verifiers: Record<string, ContractFuture<string>> = {};
    const modelIds: Record<string, ReadEventArgumentFuture> = {};
    for (const name of models) {
      if (isLanguageModel(name)) {
        // No verifier to deploy: the registration alone, after the arbiter like every model's (nothing may come
        // between the nonces the coordinator's address is predicted from).
        const { salt, params: registration } = languageModelRegistration(loadRuntimeSpec(name), { fee: 0n });
        const register = m.call(registry, "registerModel", [salt, { ...(registration as Record<string, ArgumentType>), fee: modelFee }], {
          id: modelFutureId("Register", name),
          after: [committeeArbiter],
        });
        modelIds[name] = m.readEventArgument(register, "ModelRegistered", "modelId", { id: modelFutureId("ModelId", name) });
        continue;
      }
      const { manifest } = loadCircuit(name);
      if (manifest.parent && !modelIds[manifest.parent])
        throw new Error(`${name} is a fine-tune of ${manifest.parent}: deploy ${manifest.parent} too, before it`);
      // After the coordinator, so that nothing comes between the nonces the coordinator's address is predicted from.
      const verifier = m.contract(`${manifest.verifier.source}:${manifest.verifier.contract}`, [], {
        id: modelFutureId("Verifier", name),
        after: [committeeArbiter],
      });
      const { salt, params: registration } = modelRegistration(manifest, {
        fee: 0n,
        verifier: ZeroAddress, // the future below
        parentShareBps: manifest.parent ? FINE_TUNE_PARENT_SHARE_BPS : 0,
      });
      const modelParams: Record<string, ArgumentType> = {
        ...(registration as Record<string, ArgumentType>),
        fee: modelFee,
        verifier,
        ...(manifest.parent ? { parentModelId: modelIds[manifest.parent] } : {}),
      };
      const register = m.call(registry, "registerModel", [salt, modelParams], { id: modelFutureId("Register", name) });
      modelIds[name] = m.readEventArgument(register, "ModelRegistered", "modelId", { id: modelFutureId("ModelId", name) });
      verifiers[modelFutureId("Verifier", name)] = verifier;
      // The largest batch the model was built for (one batched verifier per model).
      const batched = batchedCircuits(name).at(-1);
      if (batched) {
        const batchVerifier = m.contract(`${batched.manifest.verifier.source}:${batched.manifest.verifier.contract}`, [], {
          id: modelFutureId("BatchVerifier", name),
          after: [coordinator],
        });
        m.call(
          registry,
          "registerBatchVerifier",
          [modelIds[name], batchVerifier, batched.manifest.batchSize!, batched.manifest.artifactHash],
          {
            id: modelFutureId("RegisterBatch", name),
          },
        );
        verifiers[modelFutureId("BatchVerifier", name)] = batchVerifier;
      }
    }
    return { token, registry, staking, coordinator, committeeArbiter, ...verifiers };
  });
}

export default highwayModule();
