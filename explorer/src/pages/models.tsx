/** The models: fee, proof modes, shapes, lineage, requests served, earnings of the owner and the parent, cache hits. */
import { useState } from "preact/hooks";
import { formatTokens, type ModelInfo } from "../../../sdk/index.js";
import type { ChainIndex } from "../chain/chain-index.js";
import { earningsOf, lineageOf, modelStats } from "../chain/stats.js";
import { Chart } from "../ui/chart.js";
import { Address, Card, Facts, Figure, ModelLink, RequestLink, Status, formatTime } from "../ui/common.js";
import type { Wallet } from "../wallet.js";

/** A model's input or output as people read it: a tensor's values and scale, or a language model's text limit. */
function shape(model: ModelInfo, spec: ModelInfo["input"]): string {
  if (model.kind === "language") return `UTF-8 text, up to ${spec.length} bytes`;
  return `${spec.length} values at scale ${spec.scale}${spec.bound ? `, |q| ≤ ${spec.bound}` : ""}`;
}

export function ModelsPage({ index }: { index: ChainIndex }) {
  return (
    <Card title="Models" testid="models">
      <table class="list">
        <thead>
          <tr>
            <th>model</th>
            <th>owner</th>
            <th class="num">fee</th>
            <th>proof modes</th>
            <th>input</th>
            <th>output</th>
            <th>parent</th>
            <th class="num">requests</th>
            <th class="num">served</th>
            <th class="num">cache hits</th>
            <th class="num">owner earned</th>
            <th class="num">parent earned</th>
          </tr>
        </thead>
        <tbody>
          {[...index.models.values()].map((model) => {
            const stats = modelStats(index, model.modelId);
            return (
              <tr key={model.modelId} data-model={model.name ?? model.modelId}>
                <td>
                  <ModelLink index={index} modelId={model.modelId} />
                  {!model.active && <span class="muted"> (inactive)</span>}
                </td>
                <td>
                  <Address address={model.owner} />
                </td>
                <td class="num">{formatTokens(model.fee)}</td>
                <td>{model.proofModes.join(", ")}</td>
                <td>{shape(model, model.input)}</td>
                <td>{shape(model, model.output)}</td>
                <td>
                  {/^0x0+$/.test(model.parentModelId) ? "—" : <ModelLink index={index} modelId={model.parentModelId.toLowerCase()} />}
                </td>
                <td class="num">{stats.requests}</td>
                <td class="num">{stats.served}</td>
                <td class="num">{stats.cacheHits}</td>
                <td class="num">{formatTokens(stats.ownerEarnings)}</td>
                <td class="num">{formatTokens(stats.parentEarnings)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Card>
  );
}

export function ModelPage({ index, modelId, wallet }: { index: ChainIndex; modelId: string; wallet?: Wallet }) {
  const model = index.models.get(modelId.toLowerCase());
  if (!model) return <Card title="Model">{index.sync.loading ? "reading the chain…" : `no model ${modelId} in this registry`}</Card>;
  const stats = modelStats(index, model.modelId);
  const records = index.ordered.filter((record) => record.modelId === model.modelId);
  const children = [...index.models.values()].filter((m) => m.parentModelId.toLowerCase() === model.modelId);
  const lineage = lineageOf(index, model.modelId);
  // Earnings over time: the owner's and the parent's cumulative shares at each settled request.
  const settled = records.filter((record) => record.fees && record.fulfilledBlock !== undefined).reverse();
  const times: number[] = [];
  const owner: number[] = [];
  const parent: number[] = [];
  let sum = { modelOwner: 0n, parent: 0n };
  for (const record of settled) {
    const at = index.timeOf(record.fulfilledBlock);
    if (at === undefined) continue;
    const e = earningsOf([record]);
    sum = { modelOwner: sum.modelOwner + e.modelOwner, parent: sum.parent + e.parent };
    times.push(at);
    owner.push(Number(formatTokens(sum.modelOwner)));
    parent.push(Number(formatTokens(sum.parent)));
  }
  return (
    <>
      <Card title={`Model ${model.name ?? ""}`} testid="model">
        <div class="figures">
          <Figure label="requests" value={stats.requests} testid="model-requests" />
          <Figure label="served" value={stats.served} testid="model-served" />
          <Figure label="cache hits" value={stats.cacheHits} testid="model-cache-hits" />
          <Figure label="owner earned" value={formatTokens(stats.ownerEarnings)} testid="model-owner-earnings" />
          <Figure label="parent earned" value={formatTokens(stats.parentEarnings)} />
          <Figure label="owner withdrew" value={formatTokens(stats.withdrawn)} />
        </div>
        <Facts
          rows={[
            ["model id", <span class="mono">{model.modelId}</span>],
            ["owner", <Address address={model.owner} />],
            ["fee", `${formatTokens(model.fee)} tokens`],
            ["kind", model.kind === "language" ? "language model (UTF-8 text in and out)" : "circuit (tensors, zk-provable)"],
            ["proof modes", model.proofModes.join(", ")],
            ["active", model.active ? "yes" : "no"],
            ["input", shape(model, model.input)],
            ["output", shape(model, model.output)],
            [
              "lineage",
              lineage.length === 0 ? (
                "no parent"
              ) : (
                <span>
                  {lineage.map((id, i) => (
                    <span key={id}>
                      {i > 0 && " ← "}
                      <ModelLink index={index} modelId={id} />
                    </span>
                  ))}{" "}
                  (parent's share {model.parentShareBps / 100}%)
                </span>
              ),
            ],
            [
              "fine-tunes",
              children.length === 0
                ? "none"
                : children.map((child) => (
                    <span key={child.modelId}>
                      <ModelLink index={index} modelId={child.modelId} />{" "}
                    </span>
                  )),
            ],
            ["referral share", `${model.referralShareBps / 100}%`],
            model.kind === "language"
              ? ["runtime spec", <span class="mono">{model.runtimeSpecHash}</span>]
              : ["verifier", <span class="mono">{model.verifier}</span>],
            ["artifacts", `${model.artifactURI} (${model.artifactHash.slice(0, 10)}…)`],
          ]}
        />
        {wallet?.account && <RequestForm index={index} model={model} wallet={wallet} />}
      </Card>
      {times.length > 1 && (
        <Card title="Earnings over time (tokens, cumulative)">
          <Chart
            x={times}
            series={[
              { label: "owner", values: owner, color: "#16a34a", stepped: true },
              { label: "parent", values: parent, color: "#9333ea", stepped: true },
            ]}
          />
        </Card>
      )}
      <Card title="Latest requests">
        <table class="list">
          <thead>
            <tr>
              <th>request</th>
              <th>mode</th>
              <th>status</th>
              <th>made (UTC)</th>
            </tr>
          </thead>
          <tbody>
            {records.slice(0, 20).map((record) => (
              <tr key={record.requestId.toString()}>
                <td>
                  <RequestLink id={record.requestId} />
                </td>
                <td>{record.answerMode === "cache" ? "cache" : record.proofMode}</td>
                <td>
                  <Status status={record.status} />
                </td>
                <td>{formatTime(record.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </>
  );
}

/** With a wallet: ask this model for an inference. */
function RequestForm({ index, model, wallet }: { index: ChainIndex; model: ModelInfo; wallet: Wallet }) {
  const language = model.kind === "language";
  const [input, setInput] = useState(() => (language ? "" : Array.from({ length: model.input.length }, () => "0").join(", ")));
  const [mode, setMode] = useState(model.proofModes[0]);
  const [result, setResult] = useState<string>();
  const submit = async (event: Event) => {
    event.preventDefault();
    setResult("sending…");
    try {
      // A language model takes the prompt as text; a circuit model, numbers at its input scale.
      const values = language ? input : input.split(",").map((text) => Number(text.trim()));
      const id = await wallet.request({ model: model.modelId, input: values, proofMode: mode });
      setResult(`request made: ${id}`);
      void index.refresh();
    } catch (error) {
      setResult((error as Error).message.split("\n")[0]);
    }
  };
  return (
    <form class="wallet-form" onSubmit={(e) => void submit(e)} data-testid="request-form">
      <h3>Request an inference</h3>
      <label>
        {language ? `prompt (up to ${model.input.length} bytes)` : `input (${model.input.length} numbers)`}{" "}
        <input value={input} onInput={(e) => setInput((e.target as HTMLInputElement).value)} size={60} />
      </label>
      <label>
        mode{" "}
        <select value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value as typeof mode)}>
          {model.proofModes.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </label>
      <button type="submit">request</button>
      {result && <p data-testid="request-result">{result}</p>}
    </form>
  );
}
