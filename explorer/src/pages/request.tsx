/**
 * One request: its status, the window it is in with a countdown, its input and answer at
 * the model's scales, the fee split it settled with, the auction's price until the claim,
 * and its timeline (each event with its transaction's gas), withdrawals of its parties included.
 */
import { useEffect, useState } from "preact/hooks";
import { ZeroAddress } from "ethers";
import { auctionPrice, formatTokens, requestStatusName } from "../../../sdk/index.js";
import { hexId, type ChainIndex } from "../chain/chain-index.js";
import { decodeOutput, decodeRequestInput, describeData, sameOutput, type DecodedData, type RequestEvent } from "../chain/events.js";
import { hasConsumer, type RequestRecord } from "../chain/requests.js";
import { Chart } from "../ui/chart.js";
import { Address, Card, Facts, ModelLink, Status, Tokens, formatSeconds, formatTime } from "../ui/common.js";
import type { Wallet } from "../wallet.js";

/** Gas used by each transaction hash, read once. */
const gasUsed = new Map<string, bigint>();

interface LiveState {
  status: string;
  phaseEndsAt: number;
  callbackPending: boolean;
}

export function RequestPage({ index, idHex, wallet }: { index: ChainIndex; idHex: string; wallet?: Wallet }) {
  const record = index.request(idHex);
  const [live, setLive] = useState<LiveState>();
  const [, setGasVersion] = useState(0);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (!record) return;
    let current = true;
    void index.client.coordinator.getRequest(record.requestId).then(([, state]) => {
      if (current)
        setLive({
          status: requestStatusName(state.status),
          phaseEndsAt: Number(state.phaseEndsAt),
          callbackPending: state.callbackPending,
        });
    });
    const missing = [...new Set(record.events.map((event) => event.tx))].filter((tx) => !gasUsed.has(tx));
    void Promise.all(
      missing.map(async (tx) => {
        const receipt = await index.provider.getTransactionReceipt(tx);
        if (receipt) gasUsed.set(tx, receipt.gasUsed);
      }),
    ).then(() => current && setGasVersion((v) => v + 1));
    return () => {
      current = false;
    };
  }, [record, index.version]);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);

  if (!record) return <Card title="Request">{index.sync.loading ? "reading the chain…" : `no request ${idHex} in this deployment`}</Card>;
  const model = index.models.get(record.modelId);
  // A cache answer keeps no state: the chain reads "none" for it, the events say fulfilled.
  const status = live && live.status !== "none" ? live.status : record.status;
  const chainNow = index.sync.chainTime + Math.floor((now - index.syncedAt) / 1000);
  const window = windowOf(status, live);
  const input = record.input ? decodeRequestInput(record.input, model) : undefined;
  const output = record.output ? decodeOutput(record.output, model) : undefined;
  const posted = record.posted ? decodeOutput(record.posted, model) : undefined;

  return (
    <>
      <Card title="Request" testid="request">
        <div class="request-head">
          <span class="mono" data-testid="request-id">
            {hexId(record.requestId)}
          </span>{" "}
          <span data-testid="request-status">
            <Status status={status} />
          </span>
          {window && (
            <span class="countdown" data-testid="countdown">
              {window.name} window {window.endsAt > chainNow ? `closes in ${formatSeconds(window.endsAt - chainNow)}` : "has closed"}
            </span>
          )}
        </div>
        <Facts
          rows={[
            ["model", <ModelLink index={index} modelId={record.modelId} />],
            ["proof mode", record.proofMode],
            ["answered by", record.answerMode ? answerText(record) : "—"],
            ["requester", <Address address={record.requester} />],
            ["consumer", <Address address={record.terms.consumer} />],
            ["relayer", <Address address={record.relayer} relayer />],
            ["made", formatTime(record.createdAt)],
            ["deadline", formatTime(Number(record.terms.deadline))],
            ["model fee", <Tokens amount={record.terms.modelFee} />],
            ["compute fee (auction)", `${formatTokens(record.terms.startComputeFee)} → ${formatTokens(record.terms.maxComputeFee)}`],
            ["job bond / challenge bond", `${formatTokens(record.terms.jobBond)} / ${formatTokens(record.terms.challengeBond)}`],
          ]}
        />
        {wallet?.account && status === "open" && wallet.account.toLowerCase() === record.requester.toLowerCase() && (
          <button onClick={() => void wallet.cancel(record.requestId)} data-testid="cancel">
            cancel and refund
          </button>
        )}
      </Card>
      <div class="columns">
        <Card title="Input" testid="input">
          <Data data={input} scale={model?.input.scale} />
        </Card>
        <Card title="Output" testid="output">
          {output ? <Data data={output} scale={model?.output.scale} /> : <span class="muted">no answer yet</span>}
          {posted && record.output && !sameOutput(record.posted!, record.output) && (
            <p class="warning">
              posted optimistically (proven wrong): <span class="mono">{describeData(posted)}</span>
              {posted.kind === "tensor" && <span class="mono small"> (quantized: {posted.raw.join(", ")})</span>}
            </p>
          )}
          {posted && !record.output && (
            <p>
              posted, in its challenge window: <span class="mono">{describeData(posted)}</span>
            </p>
          )}
        </Card>
      </div>
      <div class="columns">
        <FeeSplit index={index} record={record} />
        <Auction record={record} index={index} chainNow={chainNow} />
      </div>
      <Timeline index={index} record={record} />
    </>
  );
}

function windowOf(status: string, live: LiveState | undefined): { name: string; endsAt: number } | undefined {
  if (!live) return undefined;
  const name = { claimed: "delivery", pending: "challenge", disputed: "defence" }[status];
  return name ? { name, endsAt: live.phaseEndsAt } : undefined;
}

function answerText(record: RequestRecord): string {
  switch (record.answerMode) {
    case "cache":
      return "the verified-result cache, in the request's transaction";
    case "zk":
      return "a zk proof";
    case "optimistic":
      return "an optimistic answer, final after its challenge window";
    case "dispute":
      return `a dispute (${record.dispute?.outcome ?? "open"})`;
    default:
      return "—";
  }
}

function Data({ data, scale }: { data?: DecodedData; scale?: number }) {
  if (!data) return <span class="muted">not in the events (answered from the cache)</span>;
  if (data.kind === "undecodable") return <span class="warning">{data.why}</span>;
  if (data.kind === "text")
    return (
      <pre class="text" data-testid="text">
        {data.text}
      </pre>
    );
  return (
    <>
      <div class="values mono" data-testid="values">
        {describeData(data)}
      </div>
      <div class="muted small">
        {data.raw.length} values at scale {scale ?? data.scale} (quantized: <span class="mono">{data.raw.join(", ")}</span>)
      </div>
    </>
  );
}

function FeeSplit({ index, record }: { index: ChainIndex; record: RequestRecord }) {
  const fees = record.fees;
  const model = index.models.get(record.modelId);
  const parentOwner = model && !/^0x0+$/.test(model.parentModelId) ? index.models.get(model.parentModelId.toLowerCase())?.owner : undefined;
  if (!fees)
    return (
      <Card title="Fee split" testid="fees">
        <span class="muted">not settled yet</span>
      </Card>
    );
  const rows: [string, string | undefined, bigint][] = [
    ["relayer", record.payee, fees.relayer],
    ["model owner", model?.owner, fees.modelOwner],
    ["parent model's owner", parentOwner, fees.parent],
    ["referrer", record.terms.referrer === ZeroAddress ? undefined : record.terms.referrer, fees.referrer],
    ["protocol", index.protocol?.treasury, fees.protocol],
    ["refund to requester", record.requester, fees.refund],
  ];
  const total = rows.reduce((sum, [, , amount]) => sum + amount, 0n);
  return (
    <Card title="Fee split (paid)" testid="fees">
      <table class="list">
        <tbody>
          {rows.map(([role, address, amount]) => (
            <tr key={role} data-role={role}>
              <td>{role}</td>
              <td>
                <Address address={address} relayer={role === "relayer"} />
              </td>
              <td class="num" data-testid={`fee-${role}`}>
                {formatTokens(amount)}
              </td>
            </tr>
          ))}
          <tr class="total">
            <td>escrowed</td>
            <td />
            <td class="num" data-testid="fee-total">
              {formatTokens(total)}
            </td>
          </tr>
        </tbody>
      </table>
      {record.slashed.length > 0 && (
        <p class="warning">
          slashed:{" "}
          {record.slashed.map((slash) => (
            <span key={slash.relayer}>
              <Address address={slash.relayer} relayer /> {formatTokens(slash.amount)}{" "}
            </span>
          ))}
        </p>
      )}
    </Card>
  );
}

/** The reverse Dutch auction's price over its duration, and where the claim took it (or now, while open). */
function Auction({ record, index, chainNow }: { record: RequestRecord; index: ChainIndex; chainNow: number }) {
  const { terms } = record;
  const start = Number(terms.createdAt);
  const claimedAt = index.timeOf(record.claimedBlock);
  const until = claimedAt ?? (record.status === "open" ? chainNow : undefined);
  const end = Math.max(start + Number(terms.auctionDuration) + 1, until ?? 0);
  const step = Math.max(1, Math.ceil((end - start) / 60));
  const x: number[] = [];
  for (let at = start; at <= end; at += step) x.push(at);
  if (until !== undefined && !x.includes(until)) x.push(until);
  x.sort((a, b) => a - b);
  const price = (at: number) =>
    Number(
      formatTokens(auctionPrice(terms.startComputeFee, terms.maxComputeFee, terms.createdAt, BigInt(terms.auctionDuration), BigInt(at))),
    );
  const claimPrice = record.computeFee === undefined ? undefined : Number(formatTokens(record.computeFee));
  return (
    <Card title="Auction price until the claim" testid="auction">
      <Chart
        x={x}
        height={180}
        series={[
          { label: "compute fee (tokens)", values: x.map(price), color: "#2563eb" },
          {
            label: claimedAt === undefined ? "now" : "claim",
            values: x.map((at) => (at === until ? (claimPrice ?? price(at)) : null)),
            color: "#dc2626",
            points: true,
          },
        ]}
      />
      <p class="small muted">
        {record.computeFee !== undefined && claimedAt !== undefined
          ? `claimed at ${formatTokens(record.computeFee)} tokens, ${claimedAt - start} s after the request`
          : "not claimed"}
      </p>
    </Card>
  );
}

const DESCRIBE: Partial<Record<RequestEvent["kind"], (event: never, record: RequestRecord) => string>> = {
  RequestCreated: () => "requested",
  CachedRequestFulfilled: () => "answered from the verified-result cache",
  RequestClaimed: (e: { relayer: string; computeFee: bigint }) => `claimed by ${e.relayer} at ${formatTokens(e.computeFee)} tokens`,
  OptimisticSubmitted: (e: { relayer: string }) => `optimistic answer posted by ${e.relayer}; challenge window opens`,
  Challenged: (e: { challenger: string; bond: bigint }) => `challenged by ${e.challenger} (bond ${formatTokens(e.bond)})`,
  Defended: () => "defended: the relayer proved its answer",
  FraudProven: (e: { prover: string }) => `fraud proven by ${e.prover}`,
  DisputeTimedOut: () => "dispute timed out: no defence",
  DisputeVoided: () => "dispute voided: nobody slashed, the challenger's bond returned, the request refunded",
  RequestReopened: () => "reopened",
  RelayerSlashed: (e: { relayer: string; amount: bigint }) => `${e.relayer} slashed ${formatTokens(e.amount)}`,
  RequestFulfilled: (e: { proven: boolean; computeFee: bigint; tx: string }, record) =>
    `fulfilled (${e.proven ? "proven" : "final after its challenge window"}), compute fee ${formatTokens(e.computeFee)}${callbackOf(record, e.tx)}`,
  RequestRefunded: (e: { amount: bigint }) => `refunded ${formatTokens(e.amount)}`,
  MaxComputeFeeRaised: (e: { maxComputeFee: bigint }) => `max compute fee raised to ${formatTokens(e.maxComputeFee)}`,
  CallbackDelivered: () => "callback delivered (retried)",
  CallbackFailed: (e: { gasUsed: bigint }) => `callback failed after ${e.gasUsed} gas`,
};

/** What became of the consumer's callback in the transaction that answered the request. */
function callbackOf(record: RequestRecord, tx: string): string {
  if (!hasConsumer(record)) return "";
  return record.events.some((event) => event.kind === "CallbackFailed" && event.tx === tx) ? "; callback failed" : "; callback delivered";
}

function Timeline({ index, record }: { index: ChainIndex; record: RequestRecord }) {
  const parties = new Set(
    [record.requester, record.payee, record.relayer, record.terms.referrer].filter(Boolean).map((a) => a!.toLowerCase()),
  );
  const settled = record.fulfilledBlock;
  const payouts =
    settled === undefined
      ? []
      : index.payouts.filter(
          (event) =>
            event.block >= settled &&
            ((event.kind === "Withdrawal" && parties.has(event.account.toLowerCase())) ||
              (event.kind === "ModelEarningsWithdrawn" && event.modelId === record.modelId)),
        );
  const rows = [
    ...record.events.map((event) => ({
      block: event.block,
      index: event.index,
      tx: event.tx,
      time: event.kind === "RequestCreated" ? record.createdAt : index.timeOf(event.block),
      what: (DESCRIBE[event.kind] as ((e: RequestEvent, r: RequestRecord) => string) | undefined)?.(event, record) ?? event.kind,
      kind: event.kind as string,
    })),
    ...payouts.map((event) => ({
      block: event.block,
      index: event.index,
      tx: event.tx,
      time: index.timeOf(event.block),
      what:
        event.kind === "Withdrawal"
          ? `withdrawal: ${event.account} took ${formatTokens(event.amount)} out of the coordinator`
          : `model earnings withdrawn: ${formatTokens((event as { amount: bigint }).amount)}`,
      kind: event.kind as string,
    })),
  ].sort((a, b) => a.block - b.block || a.index - b.index);
  return (
    <Card title="Timeline" testid="timeline">
      <table class="list">
        <thead>
          <tr>
            <th>time (UTC)</th>
            <th>block</th>
            <th>what</th>
            <th>transaction</th>
            <th class="num">gas</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.block}-${row.index}`} data-event={row.kind}>
              <td>{formatTime(row.time)}</td>
              <td>{row.block}</td>
              <td>{row.what}</td>
              <td class="mono" title={row.tx}>
                {row.tx.slice(0, 10)}…
              </td>
              <td class="num">{gasUsed.get(row.tx)?.toString() ?? "…"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
