/** `highway models list|show|register|update|withdraw-earnings`: the registry, for requesters and model owners. */
import { Option, type Command } from "commander";
import { printTable } from "../../format.js";
import { HighwayContractError, loadCircuit, modelSalt, type ModelChanges, type ModelInfo, type ProofMode } from "../../node.js";
import { CliError, UsageError } from "../errors.js";
import { modelName, resolveModel, type Cli, type Session } from "../context.js";
import { recordName } from "../names.js";
import { formatTokens, modelRow, printModel } from "../output.js";
import { parseAddress, parseBps, parseModelName, parseModes, parseSalt, parseTokens } from "../parse.js";
import { action, define } from "../command.js";

const NAMES_HELP = `
Models are named by id (0x + 64 hex digits) or by name: the deployment file's own
models (deployments/<chain id>.json, "models"), and the models registered with
\`highway models register --name\`, whose names this CLI keeps in a file next to the
deployment file (deployments/<chain id>.models.json; foo.models.json for
--deployment foo.json). The registry itself stores no names.`;

export function modelCommands(program: Command, cli: Cli): void {
  const models = define(cli, program, "models", "list | show | register | update | withdraw-earnings: the model registry");
  models.addHelpText("after", NAMES_HELP);

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
    .option("--artifact-uri <uri>", "where the circuit's artifacts can be fetched (default: circuits/<name>)")
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
            artifactURI: options.artifactUri,
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
