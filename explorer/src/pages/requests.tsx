/** The live list of requests, newest first, a page at a time, with the network's totals on top. */
import { useState } from "preact/hooks";
import { formatTokens, type RequestStatus } from "../../../sdk/index.js";
import type { ChainIndex } from "../chain/chain-index.js";
import { networkStats } from "../chain/stats.js";
import { Address, Card, Figure, ModelLink, Pager, RequestLink, Status, formatTime } from "../ui/common.js";

const PAGE_SIZE = 25;
const STATUSES: RequestStatus[] = ["open", "claimed", "pending", "disputed", "fulfilled", "refunded"];

export function RequestsPage({ index }: { index: ChainIndex }) {
  const [page, setPage] = useState(0);
  const [status, setStatus] = useState<string>("");
  const [model, setModel] = useState<string>("");
  const stats = networkStats(index);
  const shown = index.ordered.filter((record) => (!status || record.status === status) && (!model || record.modelId === model));
  const rows = shown.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const pick = (apply: () => void) => {
    apply();
    setPage(0);
  };
  return (
    <>
      <div class="figures">
        <Figure label="requests" value={stats.total} testid="total-requests" />
        {STATUSES.map((name) => (
          <Figure key={name} label={name} value={stats.byStatus[name]} testid={`total-${name}`} />
        ))}
        <Figure label="protocol fees accrued" value={formatTokens(stats.protocolFeesAccrued)} testid="protocol-fees" />
      </div>
      <Card title="Requests">
        <div class="filters">
          <label>
            status{" "}
            <select
              value={status}
              onChange={(e) => pick(() => setStatus((e.target as HTMLSelectElement).value))}
              data-testid="status-filter"
            >
              <option value="">any</option>
              {STATUSES.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <label>
            model{" "}
            <select value={model} onChange={(e) => pick(() => setModel((e.target as HTMLSelectElement).value))}>
              <option value="">any</option>
              {[...index.models.values()].map((m) => (
                <option key={m.modelId} value={m.modelId}>
                  {m.name ?? m.modelId}
                </option>
              ))}
            </select>
          </label>
          <span class="muted" data-testid="shown-count">
            {shown.length} shown
          </span>
        </div>
        <table class="list" data-testid="requests">
          <thead>
            <tr>
              <th>request</th>
              <th>model</th>
              <th>mode</th>
              <th>status</th>
              <th>requester</th>
              <th>relayer</th>
              <th>made (UTC)</th>
              <th class="num">compute fee</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((record) => (
              <tr key={record.requestId.toString()} data-request={record.requestId.toString(16)}>
                <td>
                  <RequestLink id={record.requestId} />
                </td>
                <td>
                  <ModelLink index={index} modelId={record.modelId} />
                </td>
                <td>{record.answerMode === "cache" ? "cache" : record.dispute ? `${record.proofMode}, disputed` : record.proofMode}</td>
                <td>
                  <Status status={record.status} />
                </td>
                <td>
                  <Address address={record.requester} />
                </td>
                <td>
                  <Address address={record.relayer} relayer />
                </td>
                <td>{formatTime(record.createdAt)}</td>
                <td class="num">{record.computeFee === undefined ? "—" : formatTokens(record.computeFee)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <Pager page={page} count={shown.length} size={PAGE_SIZE} onPage={setPage} />
      </Card>
    </>
  );
}
