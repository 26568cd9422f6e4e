/** The network: requests per minute, answers by mode, latency, open disputes, protocol fees, earnings by role, the parameters in force. */
import { formatTokens } from "../../../sdk/index.js";
import type { ChainIndex } from "../chain/chain-index.js";
import { networkStats } from "../chain/stats.js";
import { Chart } from "../ui/chart.js";
import { Card, Facts, Figure, formatSeconds } from "../ui/common.js";

/** A parameter as people read it: basis points as a percentage, bonds in tokens, windows in seconds. */
function parameter(name: string, value: string): string {
  if (name.endsWith("Bps")) return `${Number(value) / 100}% (${value} bps)`;
  if (name.endsWith("Bond")) return `${formatTokens(BigInt(value))} tokens`;
  if (name.endsWith("Duration") || name.endsWith("Window")) return `${value} s`;
  if (name.endsWith("GasLimit")) return `${value} gas`;
  return value;
}

export function NetworkPage({ index }: { index: ChainIndex }) {
  const stats = networkStats(index);
  const roles: [string, bigint][] = [
    ["relayers", stats.earnings.relayer],
    ["model owners", stats.earnings.modelOwner],
    ["parent models", stats.earnings.parent],
    ["referrers", stats.earnings.referrer],
    ["protocol", stats.earnings.protocol],
  ];
  return (
    <>
      <div class="figures">
        <Figure label="requests / min (last 10 min)" value={stats.perMinute.toFixed(1)} testid="per-minute" />
        <Figure label="zk answers" value={stats.answersByMode.zk} testid="answers-zk" />
        <Figure label="optimistic answers" value={stats.answersByMode.optimistic} testid="answers-optimistic" />
        <Figure label="after a dispute" value={stats.answersByMode.dispute} testid="answers-dispute" />
        <Figure label="from the cache" value={stats.answersByMode.cache} testid="answers-cache" />
        <Figure label="p50 request → callback" value={formatSeconds(stats.latency.p50)} testid="latency-p50" />
        <Figure label="p95 request → callback" value={formatSeconds(stats.latency.p95)} testid="latency-p95" />
        <Figure label="open disputes" value={stats.openDisputes} testid="open-disputes" />
        <Figure label="protocol fees accrued" value={formatTokens(stats.protocolFeesAccrued)} testid="network-protocol-fees" />
      </div>
      <div class="columns">
        <Card title="Requests per minute">
          <Chart
            x={stats.minutes.map((m) => m.minute * 60)}
            series={[{ label: "requests", values: stats.minutes.map((m) => m.count), color: "#2563eb", bars: true }]}
          />
        </Card>
        <Card title="Request → callback latency (s)">
          <Chart
            x={stats.latency.samples.map((s) => s.at)}
            series={[{ label: "latency (s)", values: stats.latency.samples.map((s) => s.seconds), color: "#ea580c", points: true }]}
          />
        </Card>
      </div>
      <div class="columns">
        <Card title="Earnings by role (tokens)" testid="earnings">
          <Chart
            x={roles.map((_, i) => i)}
            xLabels={roles.map(([role]) => role)}
            series={[{ label: "tokens", values: roles.map(([, amount]) => Number(formatTokens(amount))), color: "#16a34a", bars: true }]}
          />
          <Facts rows={roles.map(([role, amount]) => [role, `${formatTokens(amount)} tokens`])} />
        </Card>
        <Card title="Parameters in force" testid="params">
          <Facts
            rows={[
              ...(index.protocol?.params.map(({ name, value }): [string, string] => [name, parameter(name, value)]) ?? []),
              ["treasury", index.protocol?.treasury ?? "…"],
              ["new requests", index.protocol?.paused ? "paused" : "accepted"],
              ["protocol fees not yet paid out", `${formatTokens(index.protocol?.protocolFeesPending ?? 0n)} tokens`],
            ]}
          />
        </Card>
      </div>
    </>
  );
}
