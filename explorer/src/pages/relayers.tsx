/** The relayers: stake, locked bonds, jobs served and slashed, latency, earnings. */
import { formatTokens } from "../../../sdk/index.js";
import type { ChainIndex, RelayerRecord } from "../chain/chain-index.js";
import { relayerStats } from "../chain/stats.js";
import { Chart } from "../ui/chart.js";
import { Card, Facts, Figure, ModelLink, RequestLink, Status, formatSeconds, formatTime } from "../ui/common.js";

export function RelayersPage({ index }: { index: ChainIndex }) {
  return (
    <Card title="Relayers" testid="relayers">
      <table class="list">
        <thead>
          <tr>
            <th>relayer</th>
            <th class="num">stake</th>
            <th class="num">locked in bonds</th>
            <th class="num">claimed</th>
            <th class="num">served</th>
            <th class="num">slashed jobs</th>
            <th class="num">claim → answer p50 / p95</th>
            <th class="num">earned</th>
          </tr>
        </thead>
        <tbody>
          {[...index.relayers.values()].map((relayer) => {
            const stats = relayerStats(index, relayer.address);
            return (
              <tr key={relayer.address} data-relayer={relayer.address}>
                <td>
                  <a href={`#/relayer/${relayer.address}`} class="mono">
                    {relayer.address}
                  </a>
                </td>
                <td class="num">{formatTokens(relayer.stake)}</td>
                <td class="num">{formatTokens(relayer.locked)}</td>
                <td class="num">{stats.claimed}</td>
                <td class="num">{relayer.jobsServed}</td>
                <td class="num">{relayer.jobsSlashed}</td>
                <td class="num">
                  {formatSeconds(stats.latency.p50)} / {formatSeconds(stats.latency.p95)}
                </td>
                <td class="num">{formatTokens(stats.earnings)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Card>
  );
}

export function RelayerPage({ index, address }: { index: ChainIndex; address: string }) {
  const relayer: RelayerRecord | undefined = [...index.relayers.values()].find((r) => r.address.toLowerCase() === address.toLowerCase());
  if (!relayer) return <Card title="Relayer">{index.sync.loading ? "reading the chain…" : `${address} has never staked here`}</Card>;
  const stats = relayerStats(index, relayer.address);
  const jobs = index.ordered.filter((record) => record.events.some((e) => e.kind === "RequestClaimed" && e.relayer === relayer.address));
  const free = relayer.stake - relayer.locked;
  const bond = index.protocol?.jobBond;
  return (
    <>
      <Card title="Relayer" testid="relayer">
        <p class="mono">{relayer.address}</p>
        <div class="figures">
          <Figure label="stake" value={formatTokens(relayer.stake)} testid="relayer-stake" />
          <Figure label="locked in bonds" value={formatTokens(relayer.locked)} testid="relayer-locked" />
          <Figure label="jobs served" value={relayer.jobsServed} testid="relayer-served" />
          <Figure label="jobs slashed" value={relayer.jobsSlashed} testid="relayer-slashed" />
          <Figure label="earned (compute fees)" value={formatTokens(stats.earnings)} testid="relayer-earnings" />
          <Figure label="claim → answer p50" value={formatSeconds(stats.latency.p50)} />
        </div>
        <Facts
          rows={[
            [
              "free stake",
              `${formatTokens(free)} tokens${bond !== undefined && free < bond ? " — below one job bond: it cannot claim" : ""}`,
            ],
            ["unbonding", formatTokens(relayer.unbonding)],
            ["claims", stats.claimed],
            ["stake lost to slashing", formatTokens(stats.slashed)],
          ]}
        />
      </Card>
      {stats.latency.samples.length > 0 && (
        <Card title="Claim → answer (s), by answer time">
          <Chart
            x={stats.latency.samples.map((sample) => sample.at)}
            series={[{ label: "seconds", values: stats.latency.samples.map((sample) => sample.seconds), color: "#ea580c", points: true }]}
            height={180}
          />
        </Card>
      )}
      <Card title="Its jobs">
        <table class="list">
          <thead>
            <tr>
              <th>request</th>
              <th>model</th>
              <th>mode</th>
              <th>status</th>
              <th>made (UTC)</th>
              <th class="num">compute fee</th>
            </tr>
          </thead>
          <tbody>
            {jobs.slice(0, 50).map((record) => (
              <tr key={record.requestId.toString()}>
                <td>
                  <RequestLink id={record.requestId} />
                </td>
                <td>
                  <ModelLink index={index} modelId={record.modelId} />
                </td>
                <td>{record.proofMode}</td>
                <td>
                  <Status status={record.status} />
                </td>
                <td>{formatTime(record.createdAt)}</td>
                <td class="num">{record.computeFee === undefined ? "—" : formatTokens(record.computeFee)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </>
  );
}
