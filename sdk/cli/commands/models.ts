/** `highway models list|show|register|update|withdraw-earnings`: the registry, for requesters and model owners. */
import { Option, type Command } from "commander";
import { pathToFileURL } from "node:url";
import { printTable } from "../../format.js";
import { HighwayContractError, loadCircuit, modelSalt, type ModelChanges, type ModelInfo, type ProofMode } from "../../node.js";
import { CliError, UsageError } from "../errors.js";
import { modelName, resolveModel, type Cli, type Session } from "../context.js";
import { recordName } from "../names.js";
import { formatTokens, modelRow, printModel } from "../output.js";
import { parseAddress, parseBps, parseModelName, parseModes, parseSalt, parseTokens } from "../parse.js";
import { action, define } from "../command.js";
import { buildModel } from "../../model-build.js";

const NAMES_HELP = `
Models are named by id (0x + 64 hex digits) or by name: the deployment file's own
models (deployments/<chain id>.json, "models"), and the models registered with
\`highway models register --name\`, whose names this CLI keeps in a file next to the
deployment file (deployments/<chain id>.models.json; foo.models.json for
--deployment foo.json). The registry itself stores no names.`;

const BUILD_HELP = `
Runs EZKL's whole pipeline offline: what EZKL compiles is accepted (an unsupported node
is named, every one of them); scikit-learn's ai.onnx.ml operators (Scaler,
LinearClassifier, Normalizer, ZipMap, tree ensembles) are rewritten to standard ONNX first.
Then it proves one sample, checks the circuit at both input extremes, compares the circuit
with ONNX Runtime on the calibration rows, and verifies the sample with the generated
verifier (under EIP-170's 24,576 bytes) on an in-process EVM, measuring verifyProof gas.
With --json the last line is {"ok":true,"name",...} or {"ok":false,"error",...}; a refusal
exits 2 and leaves nothing behind.`;

/** Where relayers fetch a bundle built by `highway models build` by default: its folder as a file:// URL (a reference circuit keeps circuits/<name>). */
function bundleUri(dir: string, manifest: object): string | undefined {
  return "inputs" in manifest ? `${pathToFileURL(dir).href}/` : undefined;
}

/** A number option: finite, optionally an integer, within [min, max]. */
function parseNumber(text: string, flag: string, limits: { integer?: boolean; min?: number; max?: number }): number {
  const value = Number(text.trim());
  const { integer = false, min = -Infinity, max = Infinity } = limits;
  if (text.trim() === "" || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max)
    throw new UsageError(
      `${flag}: "${text}" is not ${integer ? "an integer" : "a number"}${Number.isFinite(min) ? ` from ${min}` : ""}${Number.isFinite(max) ? ` to ${max}` : ""}`,
    );
  return value;
}

export function modelCommands(program: Command, cli: Cli): void {
  const models = define(cli, program, "models", "build | list | show | register | update | withdraw-earnings: the model registry");
  models.addHelpText("after", NAMES_HELP);

  define(cli, models, "build <model.onnx>", "build any ONNX model into a bundle that proves, deploys and verifies (offline)")
    .requiredOption("--calibration <file>", "calibration rows: EZKL input.json, CSV or .npy (one row is enough)")
    .option("--name <name>", "the model's name (default: the ONNX file's name)")
    .option("--out <dir>", "where the bundle goes (default: models/<name>)")
    .option("--force", "replace --out when it exists")
    .option("--input-scale <S>", "inputs are quantized to multiples of 2^-S", "8")
    .option("--param-scale <S>", "weights are quantized to multiples of 2^-S (default: the input scale)")
    .option("--input-bound <X>", "the largest |input value| a request may send (default: the calibration's largest)")
    .option("--max-logrows <K>", "the largest circuit size tried (2^K rows)", "17")
    .option("--min-agreement <R>", "refuse below this share of calibration rows whose argmax (or sign) agrees with ONNX Runtime", "0.9")
    .option("--srs <file>", "a ceremony SRS (production); default: a development SRS, shipped in the bundle")
    .addHelpText("after", BUILD_HELP)
    .action(
      action(
        cli,
        async (
          onnx: string,
          options: {
            calibration: string;
            name?: string;
            out?: string;
            force?: boolean;
            inputScale: string;
            paramScale?: string;
            inputBound?: string;
            maxLogrows: string;
            minAgreement: string;
            srs?: string;
          },
        ) => {
          const result = await buildModel({
            onnx,
            calibration: options.calibration,
            name: options.name === undefined ? undefined : parseModelName(options.name),
            out: options.out,
            force: options.force === true,
            inputScale: parseNumber(options.inputScale, "--input-scale", { integer: true, min: 0, max: 24 }),
            paramScale:
              options.paramScale === undefined
                ? undefined
                : parseNumber(options.paramScale, "--param-scale", { integer: true, min: 0, max: 24 }),
            inputBound: options.inputBound === undefined ? undefined : parseNumber(options.inputBound, "--input-bound", { min: 0 }),
            maxLogrows: parseNumber(options.maxLogrows, "--max-logrows", { integer: true, min: 8, max: 22 }),
            minAgreement: parseNumber(options.minAgreement, "--min-agreement", { min: 0, max: 1 }),
            srs: options.srs,
            onProgress: (line) => cli.progress(line),
          });
          const { report } = result;
          cli.print(report, () => {
            cli.io.out(`built ${report.name} into ${result.dir}`);
            cli.io.out(
              `  logrows ${report.logrows}; inputs ${JSON.stringify(report.inputShapes)}; outputs ${JSON.stringify(report.outputShapes)}`,
            );
            cli.io.out(
              `  input bound ${report.inputBound} (scale ${result.manifest.input.scale}), every input at +bound and at -bound checked by EZKL's mock prover`,
            );
            cli.io.out(
              `  verifier ${report.verifierRuntimeBytes} bytes; verifyProof ${report.verifyGas} gas; sample proof ${report.proveMs} ms`,
            );
            cli.io.out(
              `  against ONNX Runtime: max abs error ${report.accuracy.maxAbsError}, argmax/sign agreement ${(report.accuracy.agreement * 100).toFixed(1)}%`,
            );
            for (const note of result.notes) cli.io.out(`  note: ${note}`);
            cli.io.out(`register it: highway models register ${result.dir} --fee <T>`);
          });
        },
      ),
    );

  define(cli, models, "list", "every registered model, with its name when it has one").action(
    action(cli, async () => {
      const session = await cli.connect();
      const all = (await session.highway.models()).map((model) => named(session, model));
      cli.print(all, () => (all.length ? printTable(all.map(modelRow), cli.io.out) : cli.io.out("no models registered")));
    }),
  );

  define(cli, models, "show <model>", "one model: owner, fee, proof modes, shapes, shares, earnings")
    .addHelpText("after", NAMES_HELP)
    .action(
      action(cli, async (text: string) => {
        const session = await cli.connect();
        const { modelId } = resolveModel(session, text);
        const [model, earnings] = await Promise.all([session.highway.model(modelId), session.highway.modelEarnings(modelId)]);
        const shown = { ...named(session, model), earnings };
        cli.print(shown, () => {
          printModel(shown, cli.io.out);
          cli.io.out(
            `${"earnings".padEnd(14)}  ${formatTokens(earnings)} tokens (withdraw: highway models withdraw-earnings ${shown.name ?? modelId})`,
          );
        });
      }),
    );

  define(cli, models, "register <circuit>", "deploy a circuit folder's verifier and register the model")
    .requiredOption("--fee <T>", "the model fee per request, in tokens")
    .option("--name <name>", "name it in the local name book (default: the circuit's name, when free)")
    .option(
      "--salt <salt>",
      "registration salt: 32 bytes of hex, or any text (hashed); default: from the circuit's name and artifact hash, so one build registers once per owner",
    )
    .option("--modes <modes>", "proof modes it serves: zk, optimistic or zk,optimistic", "zk,optimistic")
    .option("--referral-share <BPS>", "share of the model fee paid to a request's referrer, in basis points", "0")
    .option("--parent <model>", "the model this one is fine-tuned from")
    .option("--parent-share <BPS>", "share of the model fee paid to the parent's owner, in basis points (needs --parent)")
    .option(
      "--artifact-uri <uri>",
      "where relayers fetch the model bundle: an https://, http:// or file:// folder (default: file:// of a bundle's folder, circuits/<name> for a reference circuit)",
    )
    .addHelpText("after", `\n<circuit> is a circuit folder (with its manifest.json), or the name of one in circuits/.${NAMES_HELP}`)
    .action(
      action(
        cli,
        async (
          circuitArg: string,
          options: {
            fee: string;
            name?: string;
            salt?: string;
            modes: string;
            referralShare: string;
            parent?: string;
            parentShare?: string;
            artifactUri?: string;
          },
        ) => {
          const fee = parseTokens(options.fee, "--fee");
          const proofModes = parseModes(options.modes);
          const referralShareBps = parseBps(options.referralShare, "--referral-share");
          const parentShareBps = options.parentShare === undefined ? 0 : parseBps(options.parentShare, "--parent-share");
          if (options.parentShare !== undefined && options.parent === undefined)
            throw new UsageError("--parent-share needs --parent <model>");
          if (parentShareBps + referralShareBps > 10_000)
            throw new UsageError(
              `--parent-share ${parentShareBps} plus --referral-share ${referralShareBps} is more than 10000 basis points`,
            );
          const explicitName = options.name === undefined ? undefined : parseModelName(options.name);
          if (options.artifactUri !== undefined && !/^(https?|file):\/\/\S+$/.test(options.artifactUri))
            throw new UsageError(`--artifact-uri "${options.artifactUri}": an https://, http:// or file:// URL of the bundle's folder`);
          const circuit = loadCircuit(circuitArg);
          const salt = options.salt === undefined ? modelSalt(circuit.manifest) : parseSalt(options.salt);

          const session = await cli.connect({ sign: true });
          const { highway } = session;
          const parentModelId = options.parent === undefined ? undefined : resolveModel(session, options.parent).modelId;
          // The name is checked before anything is sent: once registered, the model cannot be renamed here.
          const defaultName = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/.test(circuit.manifest.name) ? circuit.manifest.name : undefined;
          const wanted = explicitName ?? defaultName;
          const takenBy = wanted === undefined ? undefined : (session.deployment.models[wanted]?.modelId ?? session.names[wanted]?.modelId);
          if (explicitName !== undefined && takenBy !== undefined) {
            throw new UsageError(`--name ${explicitName} already names model ${takenBy}: choose another name`);
          }
          const modelId = (await highway.registry.modelIdOf(session.account!, salt)).toLowerCase();
          if (await isRegistered(session, modelId)) {
            throw new CliError(
              `${session.account} already registered this circuit build as model ${modelId}${modelName(session, modelId) ? ` (${modelName(session, modelId)})` : ""}: pass --salt to register it again under a new id, or change it with \`highway models update\``,
              "ModelAlreadyRegistered",
            );
          }
          const registered = await highway.registerModel(circuitArg, {
            fee,
            proofModes,
            referralShareBps,
            parentModelId,
            parentShareBps,
            salt,
            artifactURI: options.artifactUri ?? bundleUri(circuit.dir, circuit.manifest),
          });
          const name = takenBy === undefined ? wanted : undefined;
          if (name !== undefined)
            recordName(session.nameBookPath, name, { modelId: registered.modelId, owner: session.account!, circuit: circuit.dir });
          cli.print(
            {
              modelId: registered.modelId,
              verifier: registered.verifier,
              name: name ?? null,
              nameBook: name === undefined ? null : session.nameBookPath,
            },
            () => {
              cli.io.out(`registered model ${registered.modelId} with verifier ${registered.verifier}, fee ${options.fee} tokens`);
              if (name !== undefined) cli.io.out(`named it ${name} (in ${session.nameBookPath}): use \`highway request ${name} ...\``);
              else if (wanted !== undefined)
                cli.io.out(`not named: ${wanted} already names model ${takenBy}; use the id, or register with --name`);
            },
          );
        },
      ),
    );

  define(cli, models, "update <model>", "change a model you own: fee, referral share, proof modes, active, artifact URI, owner")
    .option("--fee <T>", "the model fee of future requests, in tokens")
    .option("--referral-share <BPS>", "the referrer's share of the model fee, in basis points")
    .option("--modes <modes>", "the proof modes future requests may use: zk, optimistic or zk,optimistic")
    .addOption(new Option("--active", "open the model to new requests").conflicts("inactive"))
    .addOption(new Option("--inactive", "close the model to new requests (requests already made still settle)"))
    .option("--artifact-uri <uri>", "move the artifacts' URI (their hash stays)")
    .option("--new-owner <address>", "hand the model and its future earnings to another account (sent last)")
    .addHelpText(
      "after",
      `\nEach change is one transaction, sent in the order above. A request keeps the fee and shares it was made with.${NAMES_HELP}`,
    )
    .action(
      action(
        cli,
        async (
          text: string,
          options: {
            fee?: string;
            referralShare?: string;
            modes?: string;
            active?: boolean;
            inactive?: boolean;
            artifactUri?: string;
            newOwner?: string;
          },
        ) => {
          const changes: ModelChanges = {};
          if (options.fee !== undefined) changes.fee = parseTokens(options.fee, "--fee");
          if (options.referralShare !== undefined) changes.referralShareBps = parseBps(options.referralShare, "--referral-share");
          if (options.modes !== undefined) changes.proofModes = parseModes(options.modes);
          if (options.active || options.inactive) changes.active = options.active === true;
          if (options.artifactUri !== undefined) changes.artifactURI = options.artifactUri;
          if (options.newOwner !== undefined) changes.owner = parseAddress(options.newOwner, "--new-owner");
          if (Object.keys(changes).length === 0)
            throw new UsageError(
              "models update needs at least one change: --fee, --referral-share, --modes, --active, --inactive, --artifact-uri or --new-owner",
            );

          const { session, modelId, label, model } = await ownedModel(cli, text, "change it");
          if (changes.referralShareBps !== undefined && changes.referralShareBps + model.parentShareBps > 10_000) {
            throw new CliError(
              `--referral-share ${changes.referralShareBps} plus the model's parent share of ${model.parentShareBps} bps is more than 10000 basis points`,
              "InvalidShares",
            );
          }
          const receipts = await session.highway.updateModel(modelId, changes);
          const updated = named(session, await session.highway.model(modelId));
          const said = describeChanges(options, changes);
          cli.print({ ...updated, transactions: receipts.map((receipt) => receipt.hash) }, () =>
            cli.io.out(`updated model ${label}: ${said}`),
          );
        },
      ),
    );

  define(cli, models, "withdraw-earnings <model>", "pay a model's earnings (its share of model fees) out to its owner")
    .addHelpText("after", NAMES_HELP)
    .action(
      action(cli, async (text: string) => {
        const { session, modelId, label, model } = await ownedModel(cli, text, "withdraw its earnings");
        if ((await session.highway.modelEarnings(modelId)) === 0n) {
          throw new CliError(
            `model ${label} has no earnings to withdraw: it earns its fee when its requests are answered`,
            "NothingToWithdraw",
          );
        }
        const { amount, receipt } = await session.highway.withdrawModelEarnings(modelId);
        cli.print({ modelId, owner: model.owner, withdrawn: amount, transaction: receipt.hash }, () =>
          cli.io.out(`withdrew ${formatTokens(amount)} tokens of model ${label}'s earnings to ${model.owner}`),
        );
      }),
    );
}

/** For a command only a model's owner may run: a session that signs, and the model `text` names, owned by its account. */
async function ownedModel(
  cli: Cli,
  text: string,
  what: string,
): Promise<{ session: Session; modelId: string; label: string; model: ModelInfo }> {
  const session = await cli.connect({ sign: true });
  const { modelId, name } = resolveModel(session, text);
  const label = name ?? modelId;
  const model = await session.highway.model(modelId);
  if (model.owner.toLowerCase() !== session.account!.toLowerCase()) {
    throw new CliError(
      `only the owner of model ${label} (${model.owner}) may ${what}, not ${session.account}: use the owner's key`,
      "NotModelOwner",
    );
  }
  return { session, modelId, label, model };
}

function named(session: Session, model: ModelInfo): ModelInfo {
  return { ...model, name: model.name ?? modelName(session, model.modelId) };
}

async function isRegistered(session: Session, modelId: string): Promise<boolean> {
  try {
    await session.highway.model(modelId);
    return true;
  } catch (error) {
    if (error instanceof HighwayContractError && error.is("UnknownModel")) return false;
    throw error;
  }
}

/** The changes in the user's words: amounts as typed. */
function describeChanges(options: { fee?: string; artifactUri?: string }, changes: ModelChanges): string {
  const parts: string[] = [];
  if (changes.fee !== undefined) parts.push(`fee ${options.fee} tokens`);
  if (changes.referralShareBps !== undefined) parts.push(`referral share ${changes.referralShareBps} bps`);
  if (changes.proofModes !== undefined) parts.push(`proof modes ${(changes.proofModes as ProofMode[]).join(",")}`);
  if (changes.active !== undefined) parts.push(changes.active ? "active" : "inactive");
  if (changes.artifactURI !== undefined) parts.push(`artifact URI ${options.artifactUri}`);
  if (changes.owner !== undefined) parts.push(`owner ${changes.owner}`);
  return parts.join(", ");
}
